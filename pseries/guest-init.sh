#!/bin/busybox sh
# shellcheck shell=dash
# pseries/guest-init.sh - /init of the pseries harness's guest (busybox, ppc64el).
#
# Owns what happens inside the guest: mounts, a tracefs instance "tlb" recording
# powerpc:hcall_entry/hcall_exit with trace_clock=mono (the reference counts),
# tlbcollect --guest (when the initramfs has it), hcallcount over one window of
# CLOCK_MONOTONIC, and the fork/mmap/munmap workload strictly inside that window,
# with quiet margins either side so that no HPT hcall falls on a window edge.
# Everything it learned goes back to the host as one gzip'ed tar, base64 encoded,
# between marker lines on /dev/hvc1; then it powers the guest off.
# Settings come from /etc/harness.conf (written by pseries/mkinitramfs.sh):
#   WORK_SECS    seconds of workload     MARGIN_SECS  quiet time before and after it
#   WORK_PAGES   pages each child maps    COLLECT_SETTLE_SECS  wait after the collectors start
# busybox ash, and deliberately no `set -e`: whatever fails is written to out/failed, and
# the results still go back to the host, which reports it.
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
/bin/busybox --install -s /bin
export PATH=/bin
mount -t tracefs nodev /sys/kernel/tracing
. /etc/harness.conf

out=/tmp/out
mkdir -p "$out"
say() { echo "harness: $*"; }
fail() { echo "harness: FAILED: $*" > "$out/failed"; say "FAILED: $*"; }

uname -r > "$out/uname"
cat /proc/cpuinfo > "$out/cpuinfo"
cat /proc/cmdline > "$out/cmdline"
say "kernel $(cat "$out/uname"), $(grep -m1 '^MMU' /proc/cpuinfo), $(grep -m1 '^timebase' /proc/cpuinfo), $(nproc) cpus"

tr=/sys/kernel/tracing/instances/tlb
mkdir "$tr"
echo mono > "$tr/trace_clock"
echo 16384 > "$tr/buffer_size_kb"
# exits first: then every traced entry has its exit traced too
echo 1 > "$tr/events/powerpc/hcall_exit/enable"
echo 1 > "$tr/events/powerpc/hcall_entry/enable"
echo 1 > "$tr/tracing_on"

# the host records from this line to "capture end" (pseries/run.sh watches the console)
say "capture start"
collect_pid=
if [ -x /bin/tlbcollect ]; then
	tlbcollect --guest -o "$out/guest.db" > "$out/tlbcollect.out" 2> "$out/tlbcollect.err" &
	collect_pid=$!
	# it says "recording" once attached; then give the host's tlbcollect time as well
	i=0
	while ! grep -q 'recording' "$out/tlbcollect.err" 2> /dev/null; do
		kill -0 "$collect_pid" 2> /dev/null || break
		i=$((i + 1))
		[ $i -lt 1200 ] || break
		sleep 0.1
	done
	grep -q 'recording' "$out/tlbcollect.err" || fail "tlbcollect --guest did not start: $(cat "$out/tlbcollect.err")"
	sleep "$COLLECT_SETTLE_SECS"
fi

# the clocks: guest CLOCK_MONOTONIC on the console, stamped by the host (pseries/clocksync.c)
clocksync 10 20 || fail "clocksync"

window=$((WORK_SECS + 2 * MARGIN_SECS))
hcallcount --in 3 --for "$window" > "$out/hcallcount.txt" 2> "$out/hcallcount.err" &
count_pid=$!
i=0
while ! grep -q '^ready' "$out/hcallcount.txt" 2> /dev/null; do
	i=$((i + 1))
	[ $i -lt 300 ] || break
	kill -0 "$count_pid" 2> /dev/null || break
	sleep 0.1
done
if grep -q '^ready' "$out/hcallcount.txt"; then
	# shellcheck disable=SC2046 # the words of the line are wanted
	set -- $(grep '^window' "$out/hcallcount.txt")
	start=$2
	# shellcheck disable=SC2046
	set -- $(grep '^ready' "$out/hcallcount.txt")
	now=$2
	# sleep until the window has opened, plus the margin (no console output in the window)
	wait_ns=$((start - now + MARGIN_SECS * 1000000000))
	[ "$wait_ns" -gt 0 ] && sleep "$((wait_ns / 1000000000)).$(printf '%09d' $((wait_ns % 1000000000)))"
	workload "$WORK_SECS" "$WORK_PAGES" > "$out/workload.txt" 2>&1 || fail "workload: $(cat "$out/workload.txt")"
	wait "$count_pid" || fail "hcallcount: $(cat "$out/hcallcount.err")"
else
	fail "hcallcount did not attach: $(cat "$out/hcallcount.err")"
	kill "$count_pid" 2> /dev/null
fi

clocksync 10 20 || fail "clocksync"
if [ -n "$collect_pid" ]; then
	sleep 1
	kill -INT "$collect_pid"
	wait "$collect_pid" || fail "tlbcollect --guest: exit $?: $(tail -5 "$out/tlbcollect.err")"
fi
echo 0 > "$tr/tracing_on"
say "capture end"
for c in "$tr"/per_cpu/cpu*; do echo "$(basename "$c") $(grep -E '^(overrun|dropped events):' "$c/stats" | tr '\n' ' ')"; done > "$out/trace-stats"
cp "$tr/trace" "$out/trace.txt"
say "$(grep -c hcall_e "$out/trace.txt") hcall trace lines; $(cat "$out/workload.txt")"

cd /tmp || fail "cd /tmp"
tar cf - out | gzip -1 > /tmp/out.tgz
say "sending $(wc -c < /tmp/out.tgz) bytes on /dev/hvc1"
{ echo "==TLB-BEGIN=="; base64 /tmp/out.tgz; echo "==TLB-END=="; } > /dev/hvc1
say "done"
sync
poweroff -f
