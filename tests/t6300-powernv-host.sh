#!/usr/bin/env bash
# t6300-powernv-host - make check-powernv from make check: Debian's ppc64el 6.1 kernel as
# an emulated POWER8 and POWER9 KVM host (QEMU powernv8/powernv9, kvm-hv loaded), our VMM
# (powernv/vmm.c) running HPT and radix VMs while `tlbcollect --kernel-flush --hcall-args`
# records on that host without kernel BTF; the DB checked against the VMM's log (entries,
# moves, hcalls with r5, r6 and return codes), and the kernel's own flushes (tlbcollect's
# optimized kprobes) against tlbreplay (powernv/check.sh prints the checks). Skipped with
# the reason where QEMU and the ppc64el pieces cannot be installed. About 50-160 s on 2
# cores (two QEMU boots, TCG; 50 s on a quiet machine).
. "$(dirname "$0")/lib.sh"
need_root || skip_all "needs root (apt-get for QEMU and the cross tools)"
"$ROOT/pseries/deps.sh" "$ROOT/build/pseries" > "$T/deps.log" 2>&1 ||
	skip_all "cannot install QEMU / the ppc64el pieces: $(tail -2 "$T/deps.log" | tr '\n' ' ')"
command -v qemu-system-ppc64 > /dev/null || skip_all "no qemu-system-ppc64 after pseries/deps.sh"
make -C "$ROOT" --no-print-directory powernv-cross > "$T/cross.log" 2>&1 || {
	not_ok "t6300-0 make powernv-cross" "$(tail -c 1500 "$T/cross.log")"
	exit 1
}
# The checks print their own TAP lines; their failures are this script's.
TLB_BIN=${TLB_RELEASE_BIN:-$TLB_BIN} "$ROOT/powernv/check.sh" --keep "$ROOT/build/powernv/check"
exit 0
