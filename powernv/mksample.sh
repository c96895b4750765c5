#!/usr/bin/env bash
# powernv/mksample.sh [--no-run] - samples/powernv8-6.1 and samples/powernv9-6.1 from one
# `powernv/check.sh` run (as root, after make powernv-cross).
#
# Owns what a powernv sample holds and says: per machine the capture with the kernel's
# flushes (host.db: `tlbcollect --kernel-flush --hcall-args`'s DB, kernel_flush rows and,
# on POWER9, guest_enter from its entry probe included, plus vm_mmu), the VMM's log (the
# ground truth), the kernel's kprobes/list while tlbcollect recorded, the checks' output,
# and a README with the figures of that run.
# --no-run: package the run already in build/powernv/check.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$root/build/powernv/check
if [ "${1:-}" != --no-run ]; then
	"$root/powernv/check.sh" --keep "$dir" > "$dir.txt" 2>&1 || { tail -20 "$dir.txt" >&2; echo "powernv/mksample.sh: the checks failed" >&2; exit 1; }
fi
for m in powernv8 powernv9; do
	r=$dir/$m s=$root/samples/$m-6.1
	[ -f "$r/host-kf.db" ] || { echo "powernv/mksample.sh: no $r/host-kf.db (the run failed)" >&2; exit 1; }
	rm -rf "$s"
	mkdir -p "$s"
	xz -9 -c "$r/host-kf.db" > "$s/host.db.xz"
	[ $m = powernv8 ] && xz -9 -c "$r/truth.db" > "$s/with-vmm-hcalls.db.xz"
	xz -9 -c "$r/out/vmm.log" > "$s/vmm.log.xz"
	grep -E '(kvmppc_check_need_tlb_flush|kvmhv_vcpu_entry_p9)\+' "$r/out/kprobes-list-recording" > "$s/kprobes-list.txt"
	if [ $m = powernv9 ]; then cp "$root/powernv/schedules/check-p9.sched" "$s/schedule"
	else cp "$root/powernv/schedules/check.sched" "$s/schedule"; fi
	tag=P${m#powernv}
	grep -E "^(ok|not ok) [0-9]+ - $tag-|^# $m" "$dir.txt" > "$s/checks.txt" || true
	q() { sqlite3 "$r/host-kf.db" "$@"; }
	k() { q "select count(*) from event e join event_kind k on k.id = e.kind where k.name = '$1' and e.vm != 0"; }
	cpu=$(grep -m1 '^cpu' "$r/out/cpuinfo" | sed 's/^cpu[[:space:]]*: //')
	{
		echo "# An emulated $( [ $m = powernv8 ] && echo POWER8 || echo POWER9 ) KVM host capture (QEMU $m)"
		echo
		echo "What is real and what is emulated: the kernel (Debian's $(sed -n 's/^kernel=//p' "$r/run.env")),"
		echo "KVM (kvm.ko + kvm-hv.ko from the same deb, in hypervisor mode), its tracepoints, BPF, the"
		echo "HPT and its hcalls, and the kernel's own TLB-flush decisions are real. The cpu is QEMU's"
		echo "TCG emulation of a $cpu ($(sed -n 's/^qemu=//p' "$r/run.env"), \`-M $m -smp 2 -m 4G\`):"
		echo "no SMT (QEMU 7.2 powernv cannot emulate threads, so every vcpu is its own vcore),"
		echo "and every timing is TCG's, not a POWER chip's."
		echo
		echo "On that host, powernv/vmm.c (our VMM, static ppc64el) ran the schedule \`schedule\`"
		echo "(VM hop: 1 vcpu moved to the other cpu before each of its 31 rounds; VM pair: 2 vcpus$( [ $m = powernv9 ] && echo '; VM rdx: a radix VM, 1 vcpu moved every round, exit hcalls only'))."
		echo "HPT VMs:"
		echo "each round H_ENTER x3, H_PROTECT, H_REMOVE of a present and of an absent entry,"
		echo "H_BULK_REMOVE of 4 entries (2 absent), then an hcall that exits to the VMM, while"
		echo "\`tlbcollect --enter kvm --kernel-flush --hcall-args\` recorded (mode: $(sqlite3 "$r/out/host.db" "select value from meta where key = 'bpf_mode'"))."
		echo "Its own optimized kprobes at the kernel's need_tlb_flush test and flush path (places it found"
		echo "in the running kernel's code: $(q "select value from meta where key = 'kernel_flush_probes'" | sed -E 's/ [a-z]+=[^ ;]*//g'))"
		echo "recorded the kernel's flushes as kernel_flush rows (meta kernel_flush_source)."
		echo "Boot to userspace $(sed -n 's/^boot_secs=//p' "$r/run.env") s, whole run $(sed -n 's/^wall_secs=//p' "$r/run.env") s wall."
		echo
		echo "Made with: \`make powernv-cross && powernv/mksample.sh\` (as root; it runs powernv/check.sh)."
		echo
		echo "## Files"
		echo "- \`host.db.xz\`: replay this one: tlbcollect's DB (its $(k kernel_flush) kernel_flush rows and an hcall_args row, r5 to r7, per hcall included) plus the vm_mmu rows (each VM's MMU from the VMM's log, powernv/vm-mmu.sh: $(q "select group_concat(vm || ' ' || mmu, ', ') from (select * from vm_mmu order by vm)"))$( [ $m = powernv9 ] && echo ", and guest_enter from the entry probe ($(k guest_enter) real entries; the kvm_hv:kvm_guest_enter tracepoint fired $(q "select value from meta where key = 'guest_enter_tracepoint_rows'") times: on POWER9 it also fires for HV_DECREMENTER early returns that never enter)")."
		[ $m = powernv8 ] && echo "- \`with-vmm-hcalls.db.xz\`: host.db plus the $(grep -c '^hcall .* op 0x[0-9a-f]* ' "$r/out/vmm.log" | awk -v x="$(grep -c '^hcall .* op 0x54 ' "$r/out/vmm.log")" '{ print $1 - x }') real-mode hcalls the host cannot see, from the VMM's log at the guest's timebase (powernv/kflush-import.sh --log-hcalls): what a merged host+guest capture holds; the kernel_flush check replays this one."
		echo "- \`vmm.log.xz\`: the VMM's log: every round (cpu, timebase, CLOCK_MONOTONIC) and every hcall with its arguments, return code and returned registers, as the guest saw them."
		echo "- \`kprobes-list.txt\`: the kernel's /sys/kernel/debug/kprobes/list while tlbcollect recorded: its two probes, [OPTIMIZED]."
		echo "- \`checks.txt\`: the checks of this run against the VMM's log."
		echo
		echo "## The capture next to the VMM's log"
		echo '| kind | DB | VMM log |'
		echo '|---|---|---|'
		echo "| rounds (KVM_RUN until the exit hcall) | - | $(grep -c '^round ' "$r/out/vmm.log") |"
		echo "| guest_enter | $(k guest_enter) | >= 1 per round, all on the round's cpu |"
		moves=$(awk '$1 == "round" && $8 != $10' "$r/out/vmm.log" | wc -l)
		echo "| migrate | $(k migrate)$( [ "$(k migrate)" -gt "$moves" ] && echo " ($(( $(k migrate) - moves )) before a vcpu's first pin: the scheduler placing a new thread; checks.txt compares from the pin on)") | $moves moves |"
		echo "| hcall | $(k hcall) | $(grep -c '^hcall ' "$r/out/vmm.log") issued ($( [ $m = powernv8 ] && echo "only the exit hcall is virtual-mode on POWER8: $(grep -c '^hcall .* op 0x54 ' "$r/out/vmm.log")" || echo "all virtual-mode on POWER9")) |"
		echo "| hcall_args (r5, r6, r7 of each hcall: --hcall-args) | $(k hcall_args) | the same r5, r6, r7 (checks.txt: 5.1) |"
		echo "| kernel_flush | $(k kernel_flush) | - |"
		echo
		echo "## The kernel's full flushes next to tlbreplay's"
		awk -v m="$m" '$0 ~ "^# " m ": per VM" { on = 1; next } on && /^#   [a-z_0-9]+ \((vm|radix)/ { sub(/^#   /, "- "); print; next } on && /^# [^ ]/ { on = 0 }' "$dir.txt"
		if [ $m = powernv9 ]; then
			echo
			echo "The POWER9 HPT difference: kvm_hv's global_invalidates() (arch/powerpc/kvm/book3s_hv_rm_mmu.c)"
			echo "takes the local (tlbiel) path only for a one-vcore VM whose vcpu is in"
			echo "\`local_paca->kvm_hstate.kvm_vcpu\`, and then falls back to global when translation is on"
			echo "(\`if (!global && (mfmsr() & (MSR_IR|MSR_DR))) global = 1;\`: \"LPID has been switched to host"
			echo "if in virt mode so can't do local\"; this kernel's code has the mfmsr / andi. 0x30 test)."
			echo "POWER8 serves H_REMOVE/H_PROTECT/H_BULK_REMOVE in real mode (local path, need_tlb_flush set);"
			echo "POWER9 serves them in virtual mode: every invalidation is global, need_tlb_flush is never"
			echo "set, and only the first entry flushes. tlbreplay's option virt-mode-global (on by default"
			echo "with \`--machine power9-hash\`) models that: the figures above were replayed with it."
		fi
	} > "$s/README.md"
	echo "samples/$m-6.1: $(du -sh "$s" | cut -f1)"
done
