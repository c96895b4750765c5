#!/usr/bin/env bash
# deploy/deb-ppc64el.sh VERSION BINARY MANPAGE OUTDIR - the tlbcollect package for POWER
# hosts, OUTDIR/tlbcollect_VERSION_ppc64el.deb, built with dpkg-deb around the static
# binary of `make cross-ppc64el` (multiarch build-deps for dpkg-buildpackage -a ppc64el
# must match the amd64 -dev versions exactly, which a security update on one side breaks).
#
# The binary is linked statically (libbpf, libelf, zlib, SQLite, glibc), so the package
# depends on nothing: a POWER host needs only a kernel with BPF (and BTF in host mode).
# The static libraries it carries are named in Built-Using (policy 7.8: the sources whose
# code the binary holds), from the ppc64el debs pseries/deps.sh unpacked into the sysroot;
# lintian's tags for a static binary are overridden in the package, with the reason.
set -euo pipefail
version=${1:?usage: deploy/deb-ppc64el.sh VERSION BINARY MANPAGE OUTDIR}
bin=${2:?} man=${3:?} out=${4:?}
root=$(cd "$(dirname "$0")/.." && pwd)
debs=$root/build/pseries/debs
triple=powerpc64le-linux-gnu

file -b "$bin" | grep -q 'PowerPC.*statically linked' || {
	echo "deb-ppc64el: $bin is not a static ppc64el executable: $(file -b "$bin")" >&2; exit 1; }

stage=$out/ppc64el-root
rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$stage/usr/bin" "$stage/usr/share/man/man1" "$stage/usr/share/doc/tlbcollect"
install -m 0755 "$bin" "$stage/usr/bin/tlbcollect"
"$triple-strip" --strip-unneeded --remove-section=.comment --remove-section=.note "$stage/usr/bin/tlbcollect"
gzip -9n < "$man" > "$stage/usr/share/man/man1/tlbcollect.1.gz"
install -m 0644 "$root/debian/copyright" "$stage/usr/share/doc/tlbcollect/copyright"
gzip -9n < "$root/debian/changelog" > "$stage/usr/share/doc/tlbcollect/changelog.gz"
mkdir -p "$stage/usr/share/lintian/overrides"
cat > "$stage/usr/share/lintian/overrides/tlbcollect" <<'OVR'
# A POWER host takes this one file: libbpf, libelf, zlib, SQLite and glibc are linked
# in on purpose (named in Built-Using), so that it needs no library of the host.
tlbcollect: statically-linked-binary [usr/bin/tlbcollect]
tlbcollect: embedded-library zlib [usr/bin/tlbcollect]
OVR
chmod 0644 "$stage/usr/share/man/man1/tlbcollect.1.gz" "$stage/usr/share/doc/tlbcollect/changelog.gz" \
	"$stage/usr/share/lintian/overrides/tlbcollect"

# Source package (= version) of each static library linked in; the cross glibc's too.
built_using=()
for pkg in libbpf-dev libelf-dev zlib1g-dev libsqlite3-dev; do
	deb=$(ls "$debs/${pkg}_"*_ppc64el.deb 2>/dev/null | head -1)
	[ -n "$deb" ] || { echo "deb-ppc64el: no $pkg deb in $debs (make cross-ppc64el)" >&2; exit 1; }
	# Source is "name" or "name (version)" when the source version differs.
	read -r src srcver < <(dpkg-deb -f "$deb" Source | tr -d '()')
	built_using+=("${src:-$pkg} (= ${srcver:-$(dpkg-deb -f "$deb" Version)})")
done
libc=$(dpkg-query -W -f='${source:Package} (= ${source:Version})' libc6-dev-ppc64el-cross 2>/dev/null || true)
[ -n "$libc" ] && built_using+=("$libc")

size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
{
	echo "Package: tlbcollect"
	echo "Version: $version"
	echo "Architecture: ppc64el"
	echo "Maintainer: $(sed -n 's/^Maintainer: //p' "$root/debian/control")"
	echo "Installed-Size: $size"
	echo "Section: devel"
	echo "Priority: optional"
	echo "Built-Using: $(printf '%s, ' "${built_using[@]}" | sed 's/, $//')"
	echo "Description: record KVM hosts and pseries guests for tlbreplay"
	echo " A libbpf CO-RE collector of vcpu thread switches, migrations, KVM"
	echo " entries and exits, MMU notifier invalidations and the kvm_hv"
	echo " tracepoints on a host, and of every hypervisor call inside a pseries"
	echo " guest, written into the trace database tlbreplay reads."
	echo " ."
	echo " Statically linked: it depends on no library; it needs root and a"
	echo " kernel with BPF (and BTF on a host)."
} > "$stage/DEBIAN/control"
mkdir -p "$out"
deb=$out/tlbcollect_${version}_ppc64el.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" > /dev/null
rm -rf "$stage"
echo "$deb"
