#!/usr/bin/env bash
# make-tracedat.sh OUT.dat [SECONDS] - record a real trace.dat on this machine.
#
# trace-cmd record fails on this kernel (EPERM on the function-tracer files), so this
# enables the events by hand in a tracefs instance and then `trace-cmd extract -B` it
# (spec/toolchain.md). The file is trace.dat version 7, zstd-compressed.
#
# Events: sched:sched_switch, sched:sched_migrate_task (mapped by tlbimport) and
# sched:sched_wakeup (not mapped: counted as unknown). While it records, two busy
# processes renamed "CPU 0/TCG" and "CPU 1/TCG" (what QEMU calls its vcpu threads)
# and a fork loop run, so the file has vcpu-thread switches and migrations.
# Needs root. samples/tracedat/sched-v7-zstd.dat was made by `make-tracedat.sh OUT 1`.
set -eu
out=${1:?usage: make-tracedat.sh OUT.dat [SECONDS]}
secs=${2:-1}
tr=/sys/kernel/tracing
[ -d $tr/instances ] || mount -t tracefs nodev $tr
name=tlbimport_$$
inst=$tr/instances/$name
mkdir "$inst"
cleanup() { [ -d "$inst" ] && { echo 0 > "$inst/tracing_on"; rmdir "$inst" 2>/dev/null; }; true; }
trap cleanup EXIT
echo 0 > "$inst/tracing_on"
echo 8192 > "$inst/buffer_size_kb"
for e in sched_switch sched_migrate_task sched_wakeup; do echo 1 > "$inst/events/sched/$e/enable"; done
vcpu() { printf 'CPU %d/TCG' "$1" > /proc/self/comm; end=$((SECONDS + secs)); while [ $SECONDS -lt $end ]; do :; done; }
echo 1 > "$inst/tracing_on"
( vcpu 0 ) & p0=$!
( vcpu 1 ) & p1=$!
end=$((SECONDS + secs)); while [ $SECONDS -lt $end ]; do /bin/true; done
wait $p0 $p1
echo 0 > "$inst/tracing_on"
trace-cmd extract -B "$name" -o "$out" > /dev/null 2>&1
echo "$out: $(trace-cmd report "$out" 2>/dev/null | grep -c ' \[[0-9]*\] ') events"
