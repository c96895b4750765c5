#!/usr/bin/env bash
# t6100-pseries-guest - make check-pseries from make check: a real Debian ppc64el 6.1
# kernel as a 4-vcpu POWER8 pseries guest under QEMU (hash MMU), recorded from inside by
# tlbcollect --guest and from the host by tlbcollect, counts per opcode checked against
# the guest's own tracefs, merged and replayed (pseries/check.sh prints the checks).
# Skipped with the reason where QEMU and the ppc64el pieces cannot be installed.
# About 45-90 s on 2 cores (one QEMU, TCG).
. "$(dirname "$0")/lib.sh"
need_root || skip_all "needs root (BPF on the host, apt-get for QEMU and the cross tools)"
"$ROOT/pseries/deps.sh" "$ROOT/build/pseries" > "$T/deps.log" 2>&1 ||
	skip_all "cannot install QEMU / the ppc64el pieces: $(tail -2 "$T/deps.log" | tr '\n' ' ')"
make -C "$ROOT" --no-print-directory cross-ppc64el > "$T/cross.log" 2>&1 || {
	not_ok "t6100-0 make cross-ppc64el" "$(tail -c 1500 "$T/cross.log")"
	exit 1
}
# The checks print their own TAP lines; their failures are this script's.
"$ROOT/pseries/check.sh" --keep "$ROOT/build/pseries/check"
exit 0
