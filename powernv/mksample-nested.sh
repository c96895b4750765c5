#!/usr/bin/env bash
# powernv/mksample-nested.sh [SAMPLEDIR] - samples/powernv8-nested-6.1 from one nested run.
#
# Owns the nested sample: powernv/nested.sh (a real Linux pseries guest under the emulated
# POWER8 kvm_hv, tlbcollect on both sides, merged), then SAMPLEDIR gets merged.db.xz (the
# one to replay), host.db.xz and guest.db.xz (the two captures as written), nested.env,
# replay.txt and a README.md with what is real, what is emulated and the counts.
# As root (QEMU runs under flock /tmp/tlb-qemu.lock). Exit 0 done, 1 failed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sample=${1:-$root/samples/powernv8-nested-6.1}
run=$root/build/nested/sample
"$root/powernv/nested.sh" "$run"
mkdir -p "$sample"
rm -f "$sample"/*.xz
for db in merged host guest; do xz -9 -c "$run/$db.db" > "$sample/$db.db.xz"; done
cp "$run/nested.env" "$run/replay.txt" "$sample/"
env() { sed -n "s/^$1=//p" "$run/nested.env"; }
cnt() { sqlite3 "$run/$1.db" "select count(*) from event e join event_kind k on k.id = e.kind where k.name = '$2' $3"; }
hpt="and e.a0 in (4, 8, 24, 292)"
per_op() { sqlite3 "$run/$1.db" "select a0 || ':' || count(*) from event e join event_kind k on k.id = e.kind
	where k.name = 'hcall' group by a0 order by a0" | tr '\n' ' '; }
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
Per opcode (decimal:count): host $(per_op host); guest $(per_op guest).

Made with: \`make powernv-cross && powernv/mksample-nested.sh\` (as root).

## Files
- \`merged.db.xz\`: replay this one (\`tlbreplay -m power8 -t 1\`; vm_mmu says hash).
- \`host.db.xz\`, \`guest.db.xz\`: the two captures as the collectors wrote them.
- \`nested.env\`: the run's settings and times; \`replay.txt\`: tlbreplay's table for it.
README
echo "powernv/mksample-nested.sh: $sample ($(du -sh "$sample" | cut -f1))"
