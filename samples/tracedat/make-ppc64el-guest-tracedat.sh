#!/usr/bin/env bash
# make-ppc64el-guest-tracedat.sh OUT.dat - a real trace.dat recorded by trace-cmd inside a
# little-endian ppc64 (ppc64el) pseries guest: Debian 12's ppc64el 6.1 kernel under QEMU
# (TCG, POWER8, hash MMU, 2 vcpus), with Debian's ppc64el trace-cmd 3.1.6 in its initramfs.
#
# Inside, a tracefs instance with trace_clock=ppc-tb (timebase ticks) records
# powerpc:hcall_entry/hcall_exit, sched:sched_switch and sched:sched_migrate_task while
# two busybox loops fork on both vcpus; `trace-cmd extract -B` writes the file (v7, zstd,
# as here); it comes back base64-encoded over a second console (/dev/hvc1).
#
# Needs: qemu-system-ppc64, the guest kernel and busybox of the pseries harness
# (build/pseries/guest, made by pseries/deps.sh), `apt-get download` of ppc64el packages
# (dpkg --add-architecture ppc64el). Takes about a minute. Exit 0 ok, 1 failed.
# samples/tracedat/ppc64el-guest-v7-zstd.dat was made by it.
set -euo pipefail
out=${1:?usage: make-ppc64el-guest-tracedat.sh OUT.dat}
root=$(cd "$(dirname "$0")/../.." && pwd)
guest=$root/build/pseries/guest
die() { echo "make-ppc64el-guest-tracedat.sh: $*" >&2; exit 1; }
command -v qemu-system-ppc64 > /dev/null || die "no qemu-system-ppc64 (scripts/install-deps.sh pseries)"
[ -f "$guest/vmlinux" ] && [ -f "$guest/busybox" ] || "$root/pseries/deps.sh" "$root/build/pseries" ||
	die "no guest kernel/busybox in $guest"
work=$(mktemp -d "${TMPDIR:-/tmp}/tlb-ppcdat.XXXXXX")
qpid=
trap '[ -n "$qpid" ] && kill "$qpid" 2> /dev/null; rm -rf "$work"' EXIT

# trace-cmd and the libraries it needs, ppc64el (readelf -d of each: NEEDED entries)
mkdir -p "$work/debs" "$work/x"
(cd "$work/debs" && apt-get download trace-cmd:ppc64el libtracefs1:ppc64el libtraceevent1:ppc64el \
	libzstd1:ppc64el libc6:ppc64el > /dev/null 2>&1) || die "apt-get download of the ppc64el packages failed"
for d in "$work"/debs/*.deb; do dpkg-deb -x "$d" "$work/x"; done
st=$work/stage
mkdir -p "$st"/{bin,etc,proc,sys,dev,tmp,lib64,lib/powerpc64le-linux-gnu,usr/lib/powerpc64le-linux-gnu}
install -m 0755 "$guest/busybox" "$st/bin/busybox"
install -m 0755 "$work/x/usr/bin/trace-cmd" "$st/bin/trace-cmd"
cp -a "$work/x/lib64/ld64.so.2" "$st/lib64/"
cp -a "$work"/x/lib/powerpc64le-linux-gnu/{ld64.so.2,libc.so.6} "$st/lib/powerpc64le-linux-gnu/"
cp -a "$work"/x/usr/lib/powerpc64le-linux-gnu/lib{tracefs,traceevent,zstd}.so.1* "$st/usr/lib/powerpc64le-linux-gnu/"
cat > "$st/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
/bin/busybox --install -s /bin
export PATH=/bin
mount -t tracefs nodev /sys/kernel/tracing
t=/sys/kernel/tracing/instances/tlbimport
mkdir $t
echo ppc-tb > $t/trace_clock
echo 4096 > $t/buffer_size_kb
for e in powerpc/hcall_entry powerpc/hcall_exit sched/sched_switch sched/sched_migrate_task; do
	echo 1 > $t/events/$e/enable
done
echo "guest: recording, $(grep -m1 '^MMU' /proc/cpuinfo), $(grep -m1 '^timebase' /proc/cpuinfo)"
echo 1 > $t/tracing_on
load() { i=0; while [ $i -lt 150 ]; do /bin/true; i=$((i + 1)); done; }
load & load & wait
echo 0 > $t/tracing_on
trace-cmd extract -B tlbimport -o /tmp/guest.dat > /tmp/extract.log 2>&1 || echo "guest: extract failed: $(cat /tmp/extract.log)"
echo "guest: $(wc -c < /tmp/guest.dat) bytes"
{ echo "==TLB-BEGIN=="; base64 /tmp/guest.dat; echo "==TLB-END=="; } > /dev/hvc1
sync
poweroff -f
INIT
chmod 0755 "$st/init"
(cd "$st" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$work/initramfs.gz"

exec 9> "$root/build/pseries/qemu.lock"	# one QEMU at a time with the pseries harness
flock -w 600 9 || die "another pseries guest is still running"
qemu-system-ppc64 -M pseries -cpu POWER8 -smp 2 -m 1024 -nographic -nodefaults \
	-chardev stdio,id=con,signal=off -device spapr-vty,chardev=con \
	-chardev file,id=tr,path="$work/hvc1.raw" -device spapr-vty,chardev=tr \
	-kernel "$guest/vmlinux" -initrd "$work/initramfs.gz" -append "console=hvc0 disable_radix quiet" \
	< /dev/null > "$work/console.log" 2>&1 &
qpid=$!
for _ in $(seq 600); do kill -0 "$qpid" 2> /dev/null || break; sleep 0.5; done
kill -0 "$qpid" 2> /dev/null && { kill "$qpid"; tail -5 "$work/console.log" >&2; die "guest did not finish in 300 s"; }
wait "$qpid" || true
qpid=
grep '^guest:' "$work/console.log" || true
# /dev/hvc1 turns every \n into \r\n
tr -d '\r' < "$work/hvc1.raw" | sed -n '/^==TLB-BEGIN==$/,/^==TLB-END==$/p' | sed '1d;$d' | base64 -d > "$out.tmp" ||
	die "cannot decode what the guest sent"
mv "$out.tmp" "$out"
echo "$out: $(trace-cmd report "$out" 2>/dev/null | grep -c ' \[[0-9]*\] ') events"
