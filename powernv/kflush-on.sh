# shellcheck shell=dash
# powernv/kflush-on.sh - sourced by powernv/nested-init.sh (busybox ash): the kernel_flush
# kprobes of $PROBES (NAME=SYMBOL+OFF;FETCHARGS..., places from powernv/kflush-probes.sh)
# in a tracefs instance "kflush" with trace_clock mono, the format powernv/kflush-import.sh
# reads. kflush_start defines and enables them and keeps them only if the kernel optimized
# every one into a jump ([OPTIMIZED] in debugfs kprobes/list): a trap-based probe in
# kvm_hv's real-mode code hangs the host, so no vcpu may run while one is there.
# kflush_stop writes $out/kflush.txt. (powernv/host-init.sh does the same for the VMM runs.)
# Needs $T (tracefs), $out, say and fail from the caller.
# shellcheck disable=SC2154
kf_tr=$T/instances/kflush
kf_ok=0
kflush_start() {
	[ -n "${PROBES:-}" ] || return 0
	mkdir "$kf_tr"
	echo mono > "$kf_tr/trace_clock"
	echo 8192 > "$kf_tr/buffer_size_kb"
	for p in $PROBES; do
		echo "p:tlbkf/${p%%=*} $(echo "${p#*=}" | tr ';' ' ')" >> "$T/kprobe_events" || fail "kprobe ${p%%=*} refused"
	done
	for p in $PROBES; do echo 1 > "$kf_tr/events/tlbkf/${p%%=*}/enable" || fail "cannot enable kprobe ${p%%=*}"; done
	kf_n=0 kf_o=0 i=0
	while [ $i -lt 100 ]; do
		kf_n=0 kf_o=0
		for p in $PROBES; do
			kf_n=$((kf_n + 1))
			grep -F "$(echo "${p#*=}" | cut -d';' -f1) " /sys/kernel/debug/kprobes/list | grep -q OPTIMIZED && kf_o=$((kf_o + 1))
		done
		[ "$kf_n" = "$kf_o" ] && break
		i=$((i + 1))
		sleep 0.1
	done
	cp /sys/kernel/debug/kprobes/list "$out/kprobes-list"
	if [ "$kf_n" -gt 0 ] && [ "$kf_n" = "$kf_o" ]; then
		kf_ok=1
		echo 1 > "$kf_tr/tracing_on"
		say "kernel_flush probes: $kf_o of $kf_n optimized"
	else
		say "kernel_flush probes: only $kf_o of $kf_n optimized: removed"
		for p in $PROBES; do echo 0 > "$kf_tr/events/tlbkf/${p%%=*}/enable"; done
		for p in $PROBES; do echo "-:tlbkf/${p%%=*}" >> "$T/kprobe_events"; done
		echo "not optimized: $(grep tlbkf "$out/kprobes-list" | tr '\n' ';')" > "$out/kprobes-refused"
	fi
}
kflush_stop() {
	[ "$kf_ok" = 1 ] || return 0
	echo 0 > "$kf_tr/tracing_on"
	cp "$kf_tr/trace" "$out/kflush.txt"
	for c in "$kf_tr"/per_cpu/cpu*; do echo "$(basename "$c") $(grep -E '^(overrun|dropped events):' "$c/stats" | tr '\n' ' ')"; done > "$out/kflush-stats"
}
