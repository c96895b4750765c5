#!/usr/bin/env bash
# powernv/mksample-nested.sh [--no-run] [SAMPLEDIR] - samples/powernv8-nested-6.1 from one
# nested run (--no-run: the last one, in build/nested/sample).
#
# Owns the nested sample: powernv/nested.sh (a real Linux pseries guest under the emulated
# POWER8 kvm_hv, tlbcollect on both sides, merged), then SAMPLEDIR gets merged.db.xz (every
# event of both captures; the captures themselves stay in build/nested/sample: they would
# double the sample), nested.env, replay.txt and a README.md with what is real, what is
# emulated and the counts.
# As root (QEMU runs under flock /tmp/tlb-qemu.lock). Exit 0 done, 1 failed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rerun=1
[ "${1:-}" = --no-run ] && { rerun=0; shift; }
sample=${1:-$root/samples/powernv8-nested-6.1}
run=$root/build/nested/sample
[ "$rerun" = 0 ] || "$root/powernv/nested.sh" "$run"
[ -f "$run/merged.db" ] || { echo "powernv/mksample-nested.sh: no run in $run" >&2; exit 1; }
mkdir -p "$sample"
rm -f "$sample"/*.xz
xz -9 -c "$run/merged.db" > "$sample/merged.db.xz"
cp "$run/nested.env" "$run/replay.txt" "$sample/"
env() { sed -n "s/^$1=//p" "$run/nested.env"; }
cnt() { sqlite3 "$run/$1.db" "select count(*) from event e join event_kind k on k.id = e.kind where k.name = '$2' $3"; }
hpt="and e.a0 in (4, 8, 24, 292)"
per_op() { sqlite3 "$run/$1.db" "select printf('0x%x', e.a0) || ':' || count(*) from event e join event_kind k on k.id = e.kind
	where k.name = 'hcall' group by e.a0 order by e.a0" | tr '\n' ' '; }
cat > "$sample/README.md" <<README
# A real Linux guest under an emulated POWER8 kvm_hv, recorded from both sides, merged

What is real and what is emulated: the host kernel and the guest kernel (both Debian's
$(env kernel)), KVM (kvm.ko + kvm-hv.ko in hypervisor mode), the nested VMM (Debian's ppc64el
qemu-system-ppc64, $(env qemu_nested), \`-enable-kvm -M pseries -cpu host -smp 1 -m 512\`),
the HPT and every hcall, the tracepoints and BPF on both sides are real. The cpu is QEMU's
TCG emulation of a POWER8 ($(env qemu_outer), \`-M powernv8 -smp $(env smp) -m 4G\`): no SMT,
TCG timing.

Inside the nested guest, \`tlbcollect --guest\` recorded its hcalls while
pseries/workload.c forked children that map, touch, write-protect and unmap memory
($(env work_secs) s); on the emulated host \`tlbcollect --enter kvm\` (BTF-free tracefs-format
programs) recorded the vcpu thread's entries, exits and virtual-mode hcalls. On POWER8 the
HPT hcalls (H_ENTER, H_REMOVE, H_PROTECT, H_BULK_REMOVE) are served in real mode and never
reach the host's tracepoints: only the merge has both. Clock relation: $(env clock_relation)
(powernv/hcall-offset.sh: the console hcalls both sides saw, $(env clock_relation_pairs) pairs,
spread $(env clock_relation_spread_ns) ns), rate 1 (one timebase).

Times: emulated host boot $(env outer_boot_secs) s wall; the nested QEMU started at
$(env nested_start_uptime) s host uptime, its guest reached userspace at $(env nested_userspace_uptime) s
($(env guest_userspace_uptime) s guest uptime), the nested QEMU ended at $(env nested_end_uptime) s;
whole run $(env wall_secs) s wall.

Counts (events): host.db $(cnt host hcall "") hcalls ($(cnt host hcall "$hpt") of them HPT),
$(cnt host guest_enter "") guest entries; guest.db $(cnt guest hcall "") hcalls ($(cnt guest hcall "$hpt") HPT);
merged.db $(cnt merged hcall "") hcalls, $(cnt merged guest_enter "") guest entries.
Per opcode (opcode:count; 0xf005 is QEMU's VOF client interface, the firmware of the nested guest): host $(per_op host); guest $(per_op guest).

Made with: \`make powernv-cross && powernv/mksample-nested.sh\` (as root).

## Files
- \`merged.db.xz\`: replay this one (\`tlbreplay -m power8 -t 1\`; vm_mmu says hash).
- the two captures (host.db, guest.db) are not kept: merged.db holds all their events
  (tlbmerge); \`powernv/nested.sh DIR\` makes a new pair.
- \`nested.env\`: the run's settings and times; \`replay.txt\`: tlbreplay's table for it.
README
echo "powernv/mksample-nested.sh: $sample ($(du -sh "$sample" | cut -f1))"
