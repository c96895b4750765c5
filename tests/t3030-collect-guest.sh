#!/usr/bin/env bash
# t3030-collect-guest: the guest programs (powerpc:hcall_entry/hcall_exit as raw
# tracepoints) load into a real kernel verifier, and they need no kernel BTF: with the
# kernel's BTF hidden (an empty file bound over /sys/kernel/btf/vmlinux in a private mount
# namespace, as on Debian's ppc64el kernel which has none) they still load, while host
# mode (CO-RE) refuses with a clear message. Recording real hcalls needs a pseries guest:
# that is `make check-pseries` (issue 6), not this machine.
. "$(dirname "$0")/lib.sh"
. "$ROOT/collector/test/collect-lib.sh"
need_root || skip_all "loading BPF needs root"
[ -x "$TLB_BIN/tlbcollect" ] || skip_all "no $TLB_BIN/tlbcollect (build it: make)"

check_exit "3030.1 --guest --verify: the kernel accepts the guest programs" 0 tlb tlbcollect --guest --verify
check_eq "3030.2 both hcall programs, as raw tracepoints" "tlbc_hcall_in raw_tp/hcall_entry,tlbc_hcall_out raw_tp/hcall_exit" \
	"$(awk '/^loaded/ { print $2, $3 }' "$OUT" | paste -sd,)"
if [ -r /sys/kernel/btf/vmlinux ]; then
	check_exit "3030.3 --verify of the host programs (CO-RE) on this kernel" 0 tlb tlbcollect --verify
	check_grep "3030.4 sched_switch is among them" '^loaded tlbc_switch +tp_btf/sched_switch' "$OUT"
else
	skip "3030.3 host --verify" "no kernel BTF here"
	skip "3030.4 sched_switch loaded" "no kernel BTF here"
fi

need_cmd unshare || skip_all "no unshare: cannot hide the kernel BTF"
: > "$T/empty-btf"
cat > "$T/nobtf.sh" <<EOS
mount --bind "$T/empty-btf" /sys/kernel/btf/vmlinux || exit 99
"$TLB_BIN/tlbcollect" --guest --verify > "$T/g.out" 2> "$T/g.err"; echo "guest \$?"
"$TLB_BIN/tlbcollect" --verify > "$T/h.out" 2> "$T/h.err"; echo "host \$?"
EOS
unshare -m --propagation private bash "$T/nobtf.sh" > "$T/rcs" 2>&1
if grep -q . "$T/rcs" && ! grep -q 99 "$T/rcs"; then
	check_eq "3030.5 kernel BTF hidden: guest programs still load" "guest 0" "$(grep guest "$T/rcs")"
	check_grep "3030.6 ... and both are listed" '^loaded tlbc_hcall_out' "$T/g.out"
	check_eq "3030.7 kernel BTF hidden: host mode still loads (tracefs-format programs)" "host 0" "$(grep host "$T/rcs")"
	check_grep "3030.8 ... saying which mode" 'tracefs format offsets, no kernel BTF' "$T/h.out"
	ok_if "3030.9 ... and leaves no file" test ! -e "$T/h.db"
else
	skip "3030.5 kernel BTF hidden" "cannot bind-mount over /sys/kernel/btf/vmlinux: $(head -c 200 "$T/rcs")"
fi
