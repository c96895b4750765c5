#!/bin/busybox sh
# shellcheck shell=dash
# powernv/host-init.sh - /init of the emulated POWER KVM host (QEMU powernv8/powernv9).
#
# Owns what happens on the emulated host: mounts, kvm.ko + kvm-hv.ko, tlbcollect on the
# host (with --kernel-flush: its own optimized kprobes record the kernel's flushes), the
# VMM on $SCHEDULE, what the kernel's kprobe tables said while and after tlbcollect ran,
# and sending everything back: one gzip'ed tar, base64, between marker lines on the
# console (powernv has only OPAL's). Optionally (PROBES, a cross-check by hand) kprobe
# events of powernv/kflush-probes.sh's places in an instance of their own, only when the
# kernel optimized them into jumps: a trap-based probe in kvm_hv's real-mode code hangs
# the host.
# Settings from /etc/harness.conf (powernv/run.sh writes them through
# pseries/mkinitramfs.sh):
#   COLLECT=1          record with /bin/tlbcollect while the VMM runs
#   KFLUSH=1           ... with --kernel-flush (started before any vcpu exists)
#   COLLECT_LATE=1     an experiment: tlbcollect starts 1 s after the VMM (vcpus running)
#   COLLECT_STOP_EARLY=1  an experiment: tlbcollect stops 2 s into the VMM (vcpus running)
#   PROBES="N=SPEC ..."  kprobe events to define (NAME=SYMBOL+OFF FETCHARGS, ';' for ' ')
#   SETTLE_SECS        wait after the collector says "recording"
# busybox ash, no `set -e`: a failure goes to out/failed and the results still go back.
# The shared steps (mounts, say/fail, waiting for "recording", the way back): powernv/lib.sh.
# shellcheck source=powernv/lib.sh
. /bin/lib.sh
harness_begin harness /bin

host_begin
for f in "$T"/events/kvm_hv/*/format "$T"/events/sched/sched_switch/format \
	"$T"/events/sched/sched_migrate_task/format "$T"/events/task/task_newtask/format; do
	[ -f "$f" ] && { echo "== $f"; cat "$f"; }
done > "$out/formats.txt"

# kernel_flush: kprobe events in an instance of their own, trace_clock mono (the
# collector's clock). Each must be [OPTIMIZED] before any vcpu runs.
tr=$T/instances/kflush
probes_ok=0
if [ -n "${PROBES:-}" ]; then
	mkdir "$tr"
	echo mono > "$tr/trace_clock"
	echo 8192 > "$tr/buffer_size_kb"
	for p in $PROBES; do
		name=${p%%=*}
		spec=$(echo "${p#*=}" | tr ';' ' ')
		echo "p:tlbkf/$name $spec" >> "$T/kprobe_events" || fail "kprobe $name ($spec) refused"
	done
	cat "$T/kprobe_events" > "$out/kprobe_events"
	for p in $PROBES; do
		echo 1 > "$tr/events/tlbkf/${p%%=*}/enable" || fail "cannot enable kprobe ${p%%=*}"
	done
	# the optimizer runs ~1 s after registration: wait until every probe's line in
	# debugfs kprobes/list ("SYMBOL+0xOFF ... [OPTIMIZED]") says so
	n=0 o=0 i=0
	while [ $i -lt 100 ]; do
		n=0 o=0
		for p in $PROBES; do
			at=$(echo "${p#*=}" | cut -d';' -f1)
			n=$((n + 1))
			grep -F "$at " /sys/kernel/debug/kprobes/list | grep -q 'OPTIMIZED' && o=$((o + 1))
		done
		[ "$n" = "$o" ] && break
		i=$((i + 1))
		sleep 0.1
	done
	cp /sys/kernel/debug/kprobes/list "$out/kprobes-list"
	if [ "$n" -gt 0 ] && [ "$n" = "$o" ]; then
		probes_ok=1
		echo 1 > "$tr/tracing_on"
		say "kernel_flush probes: $o of $n optimized"
	else
		# never run a vcpu with a trap-based probe in real-mode code: take them away
		say "kernel_flush probes: only ${o:-0} of ${n:-0} optimized: removed"
		for p in $PROBES; do echo 0 > "$tr/events/tlbkf/${p%%=*}/enable"; done
		for p in $PROBES; do echo "-:tlbkf/${p%%=*}" >> "$T/kprobe_events"; done
		echo "not optimized: $(grep tlbkf "$out/kprobes-list" | tr '\n' ';')" > "$out/kprobes-refused"
	fi
fi

collect_pid=
# tlbcollect on the host, until it says "recording" (then SETTLE_SECS)
start_collect() {
	tlbcollect --list > "$out/tlbcollect-list.txt" 2>&1
	kf=''
	if [ "${KFLUSH:-0}" = 1 ]; then
		kf=--kernel-flush
		# what a tlbcollect killed by SIGKILL leaves (a group of a pid that cannot exist:
		# above pid_max here, defined, never enabled): tlbcollect must remove it
		echo 'p:tlbcollect_99999/kflush vfs_read' >> "$T/kprobe_events" || fail "cannot define the stale kprobe event"
	fi
	tlbcollect --enter kvm --hcall-args $kf -o "$out/host.db" > "$out/tlbcollect.out" 2> "$out/tlbcollect.err" &
	collect_pid=$!
	if wait_recording "$collect_pid" "$out/tlbcollect.err" 1200; then
		# what the kernel holds while tlbcollect records: its kprobes (and whether optimized)
		cat /sys/kernel/debug/kprobes/list > "$out/kprobes-list-recording" 2> /dev/null
		cat "$T/kprobe_events" > "$out/kprobe_events-recording"
		ls "$T/instances" > "$out/instances-recording"
		sleep "${SETTLE_SECS:-1}"
	else
		fail "tlbcollect did not start: $(tail -3 "$out/tlbcollect.err")"
		collect_pid=
	fi
}
[ "${COLLECT:-0}" = 1 ] && [ -x /bin/tlbcollect ] && [ "${COLLECT_LATE:-0}" != 1 ] && start_collect

say "vmm start"
t0=$(cut -d' ' -f1 /proc/uptime)
vmm -o "$out/vmm.log" "$SCHEDULE" 2> "$out/vmm.err" &
vmm_pid=$!
# an experiment (run.sh --collect-late): tlbcollect starts while the vcpus run
# (TLBCOLLECT_KFLUSH_WITH_VCPUS: past tlbcollect's refusal to arm kprobes under running vcpus)
[ "${COLLECT:-0}" = 1 ] && [ -x /bin/tlbcollect ] && [ "${COLLECT_LATE:-0}" = 1 ] &&
	{ sleep 1; export TLBCOLLECT_KFLUSH_WITH_VCPUS=1; start_collect; }
# an experiment (run.sh --stop-early): tlbcollect stops 2 s into the VMM, vcpus running
if [ -n "$collect_pid" ] && [ "${COLLECT_STOP_EARLY:-0}" = 1 ]; then
	sleep 2
	say "tlbcollect stop while the vcpus run"
	kill -INT "$collect_pid"
	wait "$collect_pid" || fail "tlbcollect: exit $?: $(tail -5 "$out/tlbcollect.err")"
	say "tlbcollect stopped"
	collect_pid=
fi
# a second tlbcollect --kernel-flush while a vcpu thread exists must refuse before it
# touches the kernel (arming kprobes under a running vcpu hung this host on POWER9)
if [ "${KFLUSH:-0}" = 1 ] && [ -x /bin/tlbcollect ] && [ "${COLLECT_LATE:-0}" != 1 ]; then
	i=0
	while ! cat /proc/[0-9]*/task/[0-9]*/comm 2> /dev/null | grep -q '^CPU [0-9]*/KVM$' && [ $i -lt 100 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	if cat /proc/[0-9]*/task/[0-9]*/comm 2> /dev/null | grep -q '^CPU [0-9]*/KVM$'; then
		tlbcollect --kernel-flush -q -d 1 -o /tmp/refused.db > /dev/null 2> "$out/refusal.err"
		echo "$?" > "$out/refusal.rc"
		[ -e /tmp/refused.db ] && echo "file left" >> "$out/refusal.rc"
	else
		echo "no vcpu thread seen" > "$out/refusal.rc"
	fi
fi
# bounded: a vcpu stuck in the emulation must not cost the whole run its results
i=0
while kill -0 "$vmm_pid" 2> /dev/null && [ $i -lt $((${VMM_TIMEOUT:-60} * 10)) ]; do
	i=$((i + 1))
	sleep 0.1
done
if kill -0 "$vmm_pid" 2> /dev/null; then
	fail "vmm still running after ${VMM_TIMEOUT:-60} s: killed; $(grep -c '^round' "$out/vmm.log") rounds logged"
	kill -9 "$vmm_pid"
	for p in /proc/[0-9]*; do [ "$(cat "$p/comm" 2> /dev/null)" = vmm ] && kill -9 "${p#/proc/}"; done
fi
wait "$vmm_pid" || fail "vmm: exit $?: $(tail -3 "$out/vmm.err"; grep '^error' "$out/vmm.log" | head -3)"
t1=$(cut -d' ' -f1 /proc/uptime)
say "vmm end ($t0 .. $t1 s uptime)"
if [ "${COLLECT_STOP_EARLY:-0}" = 1 ] && [ "${KFLUSH:-0}" = 1 ]; then
	# the events tlbcollect left in place (vcpus ran when it stopped): with no vcpu now,
	# the next tlbcollect --kernel-flush removes them
	cat "$T/kprobe_events" > "$out/kprobe_events-left"
	tlbcollect --kernel-flush -q -d 0.5 -o /tmp/cleanup.db > /dev/null 2> "$out/cleanup.err"
	cat "$T/kprobe_events" > "$out/kprobe_events-cleanup"
	ls "$T/instances" > "$out/instances-cleanup"
fi
echo "vmm_secs $t0 $t1" > "$out/timing"

if [ -n "$collect_pid" ] && [ "${KFLUSH:-0}" = 1 ]; then
	# no vcpu now, but tlbcollect's probes are in kvm_hv's entry code: a second one refuses
	tlbcollect --kernel-flush -q -d 1 -o /tmp/second.db > /dev/null 2> "$out/second.err"
	echo "$?" > "$out/second.rc"
	[ -e /tmp/second.db ] && echo "file left" >> "$out/second.rc"
fi
if [ -n "$collect_pid" ]; then
	sleep 0.5
	kill -INT "$collect_pid"
	wait "$collect_pid" || fail "tlbcollect: exit $?: $(tail -5 "$out/tlbcollect.err")"
	# and after it: its kprobe events and tracefs instance must be gone
	cat "$T/kprobe_events" > "$out/kprobe_events-after"
	ls "$T/instances" > "$out/instances-after"
fi
if [ "$probes_ok" = 1 ]; then
	echo 0 > "$tr/tracing_on"
	cp "$tr/trace" "$out/kflush.txt"
	for c in "$tr"/per_cpu/cpu*; do echo "$(basename "$c") $(grep -E '^(overrun|dropped events):' "$c/stats" | tr '\n' ' ')"; done > "$out/kflush-stats"
	grep tlbkf /sys/kernel/debug/kprobes/list > "$out/kprobes-list-end"
	cat "$T"/events/tlbkf/*/id > /dev/null 2>&1
fi
cp /sys/kernel/debug/kprobes/list "$out/kprobes-list-final" 2> /dev/null
dmesg > "$out/dmesg.txt"

# Fast way back: memout's pages (run.sh saves them with pmemsave); else the console
results_back "$out" 9
