#!/usr/bin/env bash
# powernv/kflush-probes.sh powernv8|powernv9 [VMLINUX] - the kernel_flush kprobe events for
# the kernel QEMU boots, found in its own code (objdump), printed for run.sh --probes.
#
# Owns where, in one kernel build, kvm_hv decides a full TLB flush at guest entry, and
# what the probes there read. Found by pattern, never by a number written here:
#   the need_tlb_flush test: `addi rM,rKVM,OFF` (OFF: the cpumask in struct kvm), then
#     ldx / srd / `andi. rX,rX,1` (the cpu's bit) and a branch to the flush code;
#   POWER8 (kvmppc_check_need_tlb_flush, real mode, r3 = kvm, r4 = pcpu): "check" at the
#     addi (every entry of a core), "flush" after the tlbiel loop's ptesync;
#   POWER9 (kvmhv_vcpu_entry_p9, the same test inlined): "check" at the andi. (every real
#     guest entry: the HV_DECREMENTER early returns never get there), "flush" at the
#     target of the bne that follows it.
# Output: NAME=SYMBOL+0xOFF;FETCHARGS... words (';' stands for ' '), e.g.
#   kcheck=kvmppc_check_need_tlb_flush+0x8;kvm=%r3:x64;pcpu=%r4:s32;mask=+2632(%r3):x64 ...
# Exit 1 (with the reason on stderr) when the pattern is not found: no probes then.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
machine=${1:?usage: powernv/kflush-probes.sh powernv8|powernv9 [VMLINUX]}
vmlinux=${2:-$root/build/pseries/guest/vmlinux}
OBJDUMP=${OBJDUMP:-powerpc64le-linux-gnu-objdump}
NM=${NM:-powerpc64le-linux-gnu-nm}
case "$machine" in
powernv8) fn=kvmppc_check_need_tlb_flush ;;
powernv9) fn=kvmhv_vcpu_entry_p9 ;;
*) echo "powernv/kflush-probes.sh: unknown machine $machine" >&2; exit 2 ;;
esac
[ -f "$vmlinux" ] || { echo "powernv/kflush-probes.sh: no $vmlinux" >&2; exit 1; }
# the function's extent: its address and the next symbol's
read -r start stop < <("$NM" -n "$vmlinux" | awk -v f="$fn" 'found { print s, $1; exit } $3 == f { s = $1; found = 1 }')
[ -n "${stop:-}" ] || { echo "powernv/kflush-probes.sh: no symbol $fn in $vmlinux" >&2; exit 1; }
"$OBJDUMP" -d --no-show-raw-insn --start-address=0x"$start" --stop-address=0x"$stop" "$vmlinux" |
awk -v fn="$fn" -v start="$start" -v machine="$machine" '
# (the low 32 bits only: awk numbers are doubles, and a function is far smaller than 4 GiB)
function hex(s,   i, c, v) { v = 0; s = tolower(substr(s, length(s) - 7)); for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c }; return v }
function off(a) { return sprintf("0x%x", hex(a) - hex(start)) }
$1 ~ /^c[0-9a-f]+:$/ {
	a = substr($1, 1, length($1) - 1); op = $2; args = $3
	n++; addr[n] = a; opc[n] = op; arg[n] = args
}
END {
	for (i = 1; i <= n; i++) {
		if (opc[i] != "addi") continue
		split(arg[i], r, ",")
		# the andi. of the cpu bit within the next 8 instructions, after an ldx and srd
		for (j = i + 1; j <= i + 8 && j <= n; j++) if (opc[j] == "andi." && arg[j] ~ /,1$/) break
		if (j > i + 8 || j > n) continue
		okseq = 0
		for (k = i + 1; k < j; k++) if (opc[k] == "ldx") okseq++; else if (opc[k] == "srd") okseq++
		if (okseq < 2) continue
		kvm = r[2]; maskoff = r[3]
		# pcpu: the register whose low 6 bits give the bit number (clrlwi rX,rPCPU,26)
		pcpu = ""
		for (k = i + 1; k < j; k++) if (opc[k] == "clrlwi") { split(arg[k], c, ","); pcpu = c[2] }
		if (pcpu == "") continue
		split(arg[j], bitr, ",")
		if (machine == "powernv8") {
			for (p = j; p <= n; p++) if (opc[p] == "ptesync") break
			if (p >= n) continue
			printf "kcheck=%s+%s;kvm=%%%s:x64;pcpu=%%%s:s32;mask=+%s(%%%s):x64\n", fn, off(addr[i]), kvm, pcpu, maskoff, kvm
			printf "kflush=%s+%s;kvm=%%%s:x64;pcpu=%%%s:s32\n", fn, off(addr[p + 1]), kvm, pcpu
		} else {
			b = j + 1
			if (opc[b] != "bne") continue
			tgt = arg[b]
			printf "kcheck=%s+%s;kvm=%%%s:x64;pcpu=%%%s:s32;bit=%%%s:x64\n", fn, off(addr[j]), kvm, pcpu, bitr[1]
			printf "kflush=%s+%s;kvm=%%%s:x64;pcpu=%%%s:s32\n", fn, off(tgt), kvm, pcpu
		}
		found = 1
		exit
	}
}
END { if (!found) exit 1 }' | tr '\n' ' ' | sed 's/ $//' | grep . || { echo "powernv/kflush-probes.sh: the need_tlb_flush test not found in $fn" >&2; exit 1; }
echo
