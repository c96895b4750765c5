#!/usr/bin/env bash
# powernv/nested-deps.sh BUILDDIR - QEMU for the emulated POWER host (powernv/nested.sh).
#
# Owns the ppc64el qemu-system-ppc64 and its libraries that run INSIDE the emulated host:
# the packages of powernv/nested-debs.list fetched with `apt-get download NAME:ppc64el`
# (after pseries/deps.sh, which sets up the ppc64el architecture and the kernel/busybox
# cache), unpacked and trimmed into one tree the initramfs takes as it is:
#   BUILDDIR/debs/*.deb        the downloaded packages (reruns reuse them)
#   BUILDDIR/qemu-root/        usr/bin/qemu-system-ppc64, lib*, usr/lib*, usr/share/qemu
#                              (slof.bin, vof.bin from this machine's qemu-system-data)
#   BUILDDIR/qemu-root.version the ppc64el QEMU package version
# Exit 0 when the tree is complete (every NEEDED library of qemu and of its libraries is
# in it), 1 otherwise. Reruns with the tree in place cost nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: powernv/nested-deps.sh BUILDDIR}
die() { echo "powernv/nested-deps.sh: $*" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
stamp=$out/.deps-ok
"$root/pseries/deps.sh" "$root/build/pseries" || die "pseries/deps.sh failed"
[ -f "$stamp" ] && [ "$stamp" -nt "$root/powernv/nested-debs.list" ] && exit 0

mapfile -t pkgs < <(awk '$1 !~ /^#/ && NF { print $1 }' "$root/powernv/nested-debs.list")
mkdir -p "$out/debs"
cd "$out/debs"
need=()
for p in "${pkgs[@]}"; do
	ls "${p}"_*_ppc64el.deb > /dev/null 2>&1 || need+=("$p:ppc64el")
done
if [ ${#need[@]} -gt 0 ]; then
	# apt's sandbox user cannot write here; that is only a warning.
	apt-get -q download "${need[@]}" > "$out/apt-download.log" 2>&1 || {
		tail -5 "$out/apt-download.log" >&2
		die "apt-get download failed (log: $out/apt-download.log)"
	}
fi

for f in slof.bin vof.bin; do
	[ -f "/usr/share/qemu/$f" ] || die "cannot find /usr/share/qemu/$f (qemu-system-data, scripts/install-deps.sh pseries)"
done
tree=$out/qemu-root
rm -rf "$tree" "$tree.tmp"
mkdir -p "$tree.tmp"
for p in "${pkgs[@]}"; do
	# the newest, should an older download still be around
	dpkg-deb -x "$(ls "${p}"_*_ppc64el.deb | sort -V | tail -1)" "$tree.tmp"
done
# what the emulated host does not need: docs, locales, the 32-bit and LE-only binaries
rm -rf "$tree.tmp"/usr/share/{doc,man,locale,lintian,bug,doc-base} "$tree.tmp"/usr/lib/*/gconv \
	"$tree.tmp"/usr/bin/qemu-system-ppc "$tree.tmp"/usr/bin/qemu-system-ppc64le "$tree.tmp"/etc
mkdir -p "$tree.tmp/usr/share/qemu"
cp /usr/share/qemu/slof.bin /usr/share/qemu/vof.bin "$tree.tmp/usr/share/qemu/"
[ -x "$tree.tmp/usr/bin/qemu-system-ppc64" ] || die "no usr/bin/qemu-system-ppc64 in the qemu-system-ppc deb"

# every NEEDED library must be in the tree: the list above is by hand
readelf=$(command -v powerpc64le-linux-gnu-readelf || command -v readelf) || die "no readelf"
missing=$(cd "$tree.tmp" && for f in usr/bin/qemu-system-ppc64 $(find . -name '*.so*' -type f); do
		"$readelf" -d "$f" 2> /dev/null | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p'
	done | sort -u | while read -r l; do
		[ -e "usr/lib/powerpc64le-linux-gnu/$l" ] || [ -e "lib/powerpc64le-linux-gnu/$l" ] || [ -e "lib64/$l" ] || echo "$l"
	done)
[ -z "$missing" ] || die "libraries missing from powernv/nested-debs.list's packages: $(tr '\n' ' ' <<< "$missing")"
dpkg-deb -f "$(ls qemu-system-ppc_*_ppc64el.deb | sort -V | tail -1)" Version > "$out/qemu-root.version"
mv "$tree.tmp" "$tree"
touch "$stamp"
