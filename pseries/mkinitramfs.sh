#!/usr/bin/env bash
# pseries/mkinitramfs.sh OUT.cpio.gz BUSYBOX BIN... [-- KEY=VALUE...] - the guest's initramfs.
#
# Owns the guest's file system: busybox (static ppc64el) as /bin/busybox, each BIN as
# /bin/NAME, pseries/guest-init.sh as /init (or $TLB_INIT), the tree $TLB_TREE if set, and
# KEY=VALUE lines in /etc/harness.conf.
# Written to OUT.cpio.gz.tmp, then renamed: no partial initramfs is ever left at OUT.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 2 ] || { echo "usage: pseries/mkinitramfs.sh OUT.cpio.gz BUSYBOX BIN... [-- KEY=VALUE...]" >&2; exit 2; }
out=$1 busybox=$2
shift 2
bins=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do bins+=("$1"); shift; done
[ $# -gt 0 ] && shift

stage=$(mktemp -d "${TMPDIR:-/tmp}/tlb-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,etc,proc,sys,dev,tmp}
install -m 0755 "$busybox" "$stage/bin/busybox"
for b in "${bins[@]}"; do
	[ -f "$b" ] || { echo "pseries/mkinitramfs.sh: no file $b" >&2; exit 1; }
	install -m 0755 "$b" "$stage/bin/$(basename "$b")"
done
# TLB_TREE: a directory whose contents join the file system as they are (powernv/nested.sh:
# QEMU and its libraries under usr/ and lib/, the nested guest's kernel and initramfs)
if [ -n "${TLB_TREE:-}" ]; then
	[ -d "$TLB_TREE" ] || { echo "pseries/mkinitramfs.sh: no directory $TLB_TREE" >&2; exit 1; }
	cp -a "$TLB_TREE"/. "$stage"/
fi
# TLB_INIT: another /init (powernv/host-init.sh uses this file system too)
install -m 0755 "${TLB_INIT:-$here/guest-init.sh}" "$stage/init"
: > "$stage/etc/harness.conf"
for kv in "$@"; do
	[[ "$kv" == [A-Z_]*=* ]] || { echo "pseries/mkinitramfs.sh: bad setting '$kv'" >&2; exit 2; }
	echo "$kv" >> "$stage/etc/harness.conf"
done
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
