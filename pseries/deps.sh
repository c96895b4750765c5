#!/usr/bin/env bash
# pseries/deps.sh BUILDDIR - everything the pseries harness needs, cached under BUILDDIR.
#
# Owns: the host packages (scripts/deps/pseries.list via scripts/install-deps.sh), the
# ppc64el foreign architecture, and the guest's pieces fetched with apt-get download:
# Debian's newest linux-image-6.1.0-N-powerpc64le, busybox-static, and the -dev debs of
# the static libraries tlbcollect links (libbpf, libelf, zlib, sqlite3), unpacked:
#   BUILDDIR/debs/*.deb           the downloaded packages (reruns reuse them)
#   BUILDDIR/sysroot/usr/...      headers and .a files for powerpc64le-linux-gnu-gcc
#   BUILDDIR/guest/vmlinux        the kernel QEMU boots with -kernel
#   BUILDDIR/guest/kernel-release e.g. 6.1.0-50-powerpc64le (package version on line 2)
#   BUILDDIR/guest/busybox        static ppc64el busybox
# Reruns with everything present cost a few dpkg-query calls.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: pseries/deps.sh BUILDDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
stamp=$out/.deps-ok

"$root/scripts/install-deps.sh" pseries
[ -f "$stamp" ] && exit 0

if ! dpkg --print-foreign-architectures | grep -qx ppc64el; then
	[ "$(id -u)" -eq 0 ] || { echo "pseries/deps.sh: need root to add the ppc64el architecture" >&2; exit 1; }
	dpkg --add-architecture ppc64el
fi
if ! apt-cache show busybox-static:ppc64el > /dev/null 2>&1; then
	# A failing index (a mirror mid-sync) must not stop us when the main one loads.
	apt-get -o DPkg::Lock::Timeout=600 -q update > "$out/apt-update.log" 2>&1 || true
	apt-cache show busybox-static:ppc64el > /dev/null 2>&1 || {
		echo "pseries/deps.sh: no ppc64el package index after apt-get update (log: $out/apt-update.log)" >&2
		exit 1
	}
fi

kernel=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-powerpc64le$' | awk '{print $1}' | sort -V | tail -1)
[ -n "$kernel" ] || { echo "pseries/deps.sh: no linux-image-6.1.0-*-powerpc64le in the apt index" >&2; exit 1; }
pkgs=("$kernel" busybox-static libbpf-dev libbpf1 libelf-dev libelf1 zlib1g-dev libsqlite3-dev)

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
		echo "pseries/deps.sh: apt-get download failed (log: $out/apt-download.log)" >&2
		exit 1
	}
fi

rm -rf "$out/sysroot" "$out/guest" "$out/kernel-x"
mkdir -p "$out/sysroot" "$out/guest" "$out/kernel-x"
for p in libbpf-dev libbpf1 libelf-dev libelf1 zlib1g-dev libsqlite3-dev; do
	dpkg-deb -x "$(ls "${p}"_*_ppc64el.deb | head -1)" "$out/sysroot"
done
deb=$(ls "${kernel}"_*_ppc64el.deb | head -1)
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$out/kernel-x" --wildcards './boot/vmlinux-*' './boot/config-*'
mv "$out"/kernel-x/boot/vmlinux-* "$out/guest/vmlinux"
mv "$out"/kernel-x/boot/config-* "$out/guest/kernel-config"
rm -rf "$out/kernel-x"
{ echo "${kernel#linux-image-}"; dpkg-deb -f "$deb" Version; } > "$out/guest/kernel-release"
mkdir -p "$out/bb"
dpkg-deb -x "$(ls busybox-static_*_ppc64el.deb | head -1)" "$out/bb"
mv "$out/bb/bin/busybox" "$out/guest/busybox"
dpkg-deb -f "$(ls busybox-static_*_ppc64el.deb | head -1)" Version > "$out/guest/busybox-version"
rm -rf "$out/bb"
touch "$stamp"
