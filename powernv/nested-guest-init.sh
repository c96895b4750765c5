#!/bin/busybox sh
# shellcheck shell=dash
# powernv/nested-guest-init.sh - /init of the nested guest (a pseries KVM guest inside the
# emulated POWER host; powernv/nested.sh).
#
# Owns what happens inside the nested guest: mounts, tlbcollect --guest (BTF-free raw
# tracepoint programs) around the fork/mmap/munmap workload (pseries/workload.c: hash
# faults, mprotect, munmap: H_ENTER, H_PROTECT, H_REMOVE, H_BULK_REMOVE), then
# its results as one gzip'ed tar, handed over through memory: /bin/memout holds it in
# pages of its own and prints their guest-physical addresses on the console; the guest's
# RAM is a file on the emulated host (memory-backend-file), which reads those pages once
# the guest is off. Fallback: base64 between marker lines on /dev/hvc1 (a file on the
# emulated host too, but ~3 KB/s: every 16 bytes an hcall to the nested QEMU).
# Settings from /etc/harness.conf: WORK_SECS, WORK_PAGES.
# busybox ash, no `set -e`: a failure goes to out/failed and the results still go back.
# The shared steps (mounts, say/fail, waiting for "recording", memout): powernv/lib.sh.
# shellcheck source=powernv/lib.sh
. /bin/lib.sh
harness_begin guest /bin

uname -r > "$out/uname"
cat /proc/cpuinfo > "$out/cpuinfo"
say "userspace at $(up) s uptime: $(grep -m1 '^cpu' /proc/cpuinfo), $(grep -m1 '^MMU' /proc/cpuinfo), $(grep -m1 '^platform' /proc/cpuinfo), $(nproc) cpus"
echo "userspace $(up)" > "$out/timing"

collect_pid=
tlbcollect --guest -o "$out/guest.db" > "$out/tlbcollect.out" 2> "$out/tlbcollect.err" &
collect_pid=$!
if wait_recording "$collect_pid" "$out/tlbcollect.err" 600; then
	say "tlbcollect --guest recording at $(up) s uptime"
else
	fail "tlbcollect --guest did not start: $(tail -3 "$out/tlbcollect.err")"
	collect_pid=
fi
echo "work_start $(up)" >> "$out/timing"
workload "${WORK_SECS:-3}" "${WORK_PAGES:-16}" > "$out/workload.txt" 2>&1 || fail "workload: $(cat "$out/workload.txt")"
echo "work_end $(up)" >> "$out/timing"
say "$(cat "$out/workload.txt") by $(up) s uptime"
dmesg > "$out/dmesg.txt"
if [ -n "$collect_pid" ]; then
	kill -INT "$collect_pid"
	wait "$collect_pid" || fail "tlbcollect --guest: exit $?: $(tail -5 "$out/tlbcollect.err")"
fi

cd /tmp || fail "cd /tmp"
tar cf - out | gzip -9 > /tmp/out.tgz
# memout stays alive: its pages keep the data until the power goes
if ! memout_send /tmp/out.tgz; then
	say "memout failed ($(cat /tmp/memout.err)): sending $(wc -c < /tmp/out.tgz) bytes on /dev/hvc1"
	{ echo "==TLB-BEGIN=="; base64 /tmp/out.tgz; echo "==TLB-END=="; } > /dev/hvc1
fi
say "done at $(up) s uptime"
poweroff -f
