#!/usr/bin/env bash
# make-s390x-be-tracedat.sh OUT.dat - a real BIG-ENDIAN trace.dat: trace-cmd recording
# inside Debian 12's s390x 6.1 kernel booted under QEMU (qemu-system-s390x, TCG, 2 cpus).
#
# No big-endian POWER kernel is packaged by Debian (ppc64 big-endian is a debian-ports
# architecture, not reachable here), and trace-cmd on a little-endian host only writes
# little-endian files; s390x is the big-endian architecture Debian ships, and a
# trace.dat's byte order is its recording machine's: this file exercises exactly what
# the big-endian import needs (libtraceevent swapping every header, page and field).
#
# Inside: a tracefs instance records sched:sched_switch, sched:sched_migrate_task and
# sched:sched_wakeup while two busybox shells renamed "CPU 0/TCG" and "CPU 1/TCG" (QEMU's
# vcpu thread names) and a fork loop run; `trace-cmd extract -B` writes it (v7, zstd); it
# comes back base64-encoded between marker lines on the console (ttysclp0).
#
# Packages: qemu-system-misc (host), and s390x debs fetched with apt-get download through a
# private apt state in the work directory (the system's architectures are left alone):
# linux-image-6.1.0-*-s390x, busybox-static, trace-cmd, libtracefs1, libtraceevent1,
# libzstd1, libc6. About 2 minutes. samples/tracedat/s390x-be-v7-zstd.dat was made by it.
set -euo pipefail
out=${1:?usage: make-s390x-be-tracedat.sh OUT.dat}
die() { echo "make-s390x-be-tracedat.sh: $*" >&2; exit 1; }
command -v qemu-system-s390x > /dev/null || die "no qemu-system-s390x (apt-get install qemu-system-misc)"
work=$(mktemp -d "${TMPDIR:-/tmp}/tlb-s390dat.XXXXXX")
qpid=
trap '[ -n "$qpid" ] && kill "$qpid" 2> /dev/null; rm -rf "$work"' EXIT

apt=$work/apt
mkdir -p "$apt"/{lists/partial,cache/archives/partial,sources} "$work/debs" "$work/x"
cp /etc/apt/sources.list.d/*.sources "$apt/sources/" 2> /dev/null || true
[ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$apt/sources.list" || : > "$apt/sources.list"
A=(-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" -o Dir::Etc::SourceList="$apt/sources.list"
   -o Dir::Etc::SourceParts="$apt/sources" -o APT::Architecture=s390x -o APT::Architectures::=s390x)
apt-get "${A[@]}" update > "$work/apt.log" 2>&1 || die "apt-get update (s390x, private state) failed"
kpkg=$(apt-cache "${A[@]}" depends linux-image-s390x 2> /dev/null | sed -n 's/.*Depends: \(linux-image-[0-9].*\)/\1/p' | head -1)
[ -n "$kpkg" ] || die "cannot find the s390x kernel package"
(cd "$work/debs" && apt-get "${A[@]}" download "$kpkg" busybox-static trace-cmd libtracefs1 libtraceevent1 \
	libzstd1 libc6 >> "$work/apt.log" 2>&1) || die "apt-get download failed (see $work/apt.log)"
for d in "$work"/debs/*.deb; do dpkg-deb -x "$d" "$work/x"; done
st=$work/stage
mkdir -p "$st"/{bin,etc,proc,sys,dev,tmp,lib/s390x-linux-gnu,usr/lib/s390x-linux-gnu}
install -m 0755 "$work/x/bin/busybox" "$st/bin/busybox"
install -m 0755 "$work/x/usr/bin/trace-cmd" "$st/bin/trace-cmd"
cp -a "$work/x/lib/ld64.so.1" "$st/lib/"
cp -a "$work"/x/lib/s390x-linux-gnu/{ld64.so.1,libc.so.6} "$st/lib/s390x-linux-gnu/"
cp -a "$work"/x/usr/lib/s390x-linux-gnu/lib{tracefs,traceevent,zstd}.so.1* "$st/usr/lib/s390x-linux-gnu/"
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
echo 1024 > $t/buffer_size_kb
for e in sched_switch sched_migrate_task sched_wakeup; do echo 1 > $t/events/sched/$e/enable; done
echo "guest: recording on $(uname -m), $(nproc) cpus"
echo 1 > $t/tracing_on
vcpu() { echo -n "CPU $1/TCG" > /proc/self/comm; i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done; }
(vcpu 0) & (vcpu 1) &
i=0; while [ $i -lt 40 ]; do /bin/true; i=$((i + 1)); done
wait
echo 0 > $t/tracing_on
trace-cmd extract -B tlbimport -o /tmp/be.dat > /tmp/extract.log 2>&1 || echo "guest: extract failed: $(cat /tmp/extract.log)"
echo "guest: $(wc -c < /tmp/be.dat) bytes"
echo "==TLB-BEGIN=="; base64 /tmp/be.dat; echo "==TLB-END=="
sync
poweroff -f
INIT
chmod 0755 "$st/init"
(cd "$st" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$work/initramfs.gz"

qemu-system-s390x -M s390-ccw-virtio -smp 2 -m 1024 -nographic -nodefaults -serial none \
	-chardev stdio,id=con,signal=off -device sclpconsole,chardev=con \
	-kernel "$work"/x/boot/vmlinuz-* -initrd "$work/initramfs.gz" -append "console=ttysclp0 quiet" \
	< /dev/null > "$work/console.log" 2>&1 &
qpid=$!
for _ in $(seq 600); do kill -0 "$qpid" 2> /dev/null || break; sleep 0.5; done
kill -0 "$qpid" 2> /dev/null && { kill "$qpid"; tail -5 "$work/console.log" >&2; die "guest did not finish in 300 s"; }
wait "$qpid" || true
qpid=
grep '^guest:' "$work/console.log" || { tail -20 "$work/console.log" >&2; die "the guest said nothing"; }
tr -d '\r' < "$work/console.log" | sed -n '/^==TLB-BEGIN==$/,/^==TLB-END==$/p' | sed '1d;$d' | base64 -d > "$out.tmp" ||
	die "cannot decode what the guest sent"
mv "$out.tmp" "$out"
echo "$out: $(trace-cmd report "$out" 2>/dev/null | grep -c ' \[[0-9]*\] ') events"
