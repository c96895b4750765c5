#!/usr/bin/env bash
# t3070-collect-kflush-lines: tlbcollect --kernel-flush reads its kprobe events as tracefs
# TEXT lines (kfscan.c kfs_parse_line) that hold the probed thread's comm, which any
# process sets to what it likes (15 bytes: spaces, '-', digits, "] ", a fake time or
# event name, a newline). The thread id and the time must come from the kernel's own
# columns, never from the name. No BPF, no root: the parser alone (collect-kfscan lines).
. "$(dirname "$0")/lib.sh"

KFS=$TLB_TESTBIN/collect-kfscan
[ -x "$KFS" ] || skip_all "no $KFS (make test-programs)"

# one line as kernel/trace/trace_output.c prints it (trace_print_context, default
# options: "%16s-%-7d [%03d] FLAGS %5lu.%06lu: "), then the event
line() {	# COMM TID CPU SECS USECS EVENT PCPU
	printf '%16s-%-7d [%03d] d..1. %5d.%06d: %s: (kvmhv_vcpu_entry_p9+0x5c0/0xb10) kvm=0xc000000012345678 pcpu=%d\n' \
		"$1" "$2" "$3" "$4" "$5" "$6" "$7"
}
{
	line "CPU 0/KVM" 1234 1 123 456789 kflush 3
	line "CPU 15/KVM" 77 0 5 1 kcheck 0
	line "] 9.000001: kfl" 4242 2 200 2 kflush 1	# a fake time and event after "] "
	line "x-99 [000] 1.00" 4243 2 200 3 kcheck 2	# a fake tid and cpu
	line " pcpu=9 kcheck:" 4244 3 200 4 kflush 5	# a fake pcpu argument
	line "1-2" 4245 3 200 5 kflush 6
	line $'\n    1-2 [0] 1.' 4246 3 200 6 kflush 7	# a newline: two lines, neither ours
	line "CPU 1/KVM" 4247 1 200 7 kvm_entry 1	# not one of our events
	echo "# tracer: nop"
} > "$T/lines"
tlb_kfs() { "$KFS" lines "$T/lines"; }
ok_if "3070.1 collect-kfscan lines runs" tlb_kfs
cp "$OUT" "$T/got"
# hand-derived: tid, ts (s * 1e9 + us * 1e3), event, pcpu from the kernel's columns
check_eq "3070.2 a vcpu's kflush line" "1234 123456789000 kflush 3" "$(sed -n 1p "$T/got")"
check_eq "3070.3 a kcheck line" "77 5000001000 kcheck 0" "$(sed -n 2p "$T/got")"
check_eq "3070.4 a comm with \"] \" and a time: the kernel's time and event" \
	"4242 200000002000 kflush 1" "$(sed -n 3p "$T/got")"
check_eq "3070.5 a comm with a tid and a cpu: the kernel's tid" "4243 200000003000 kcheck 2" "$(sed -n 4p "$T/got")"
check_eq "3070.6 a comm with \" pcpu=\": the probe's pcpu" "4244 200000004000 kflush 5" "$(sed -n 5p "$T/got")"
check_eq "3070.7 a short comm with '-'" "4245 200000005000 kflush 6" "$(sed -n 6p "$T/got")"
check_eq "3070.8 a comm with a newline: both halves refused (counted unparsed), none taken" \
	"bad bad" "$(sed -n 7,8p "$T/got" | tr '\n' ' ' | sed 's/ $//')"
check_eq "3070.9 another event refused" "bad" "$(sed -n 9p "$T/got")"
check_eq "3070.10 a comment skipped" "skip" "$(sed -n 10p "$T/got")"
check_eq "3070.11 one output line per input line" "$(wc -l < "$T/lines")" "$(wc -l < "$T/got")"
