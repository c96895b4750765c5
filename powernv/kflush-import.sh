#!/usr/bin/env bash
# powernv/kflush-import.sh [--log-hcalls VMM.LOG] MACHINE HOST.DB KFLUSH.TXT|- OUT.DB - the
# emulated host's capture with the kernel's own flush decisions.
#
# tlbcollect --kernel-flush records kernel_flush (and, on POWER9, the real entries)
# itself now: `make check-powernv` passes KFLUSH.TXT "-" (nothing to import) and uses
# this script for --log-hcalls only. With a trace file (powernv/run.sh --probes, the
# harness's own kprobes, a cross-check by hand) it still owns turning those kprobe
# events (tracefs text of instance "kflush", trace_clock mono, written by
# powernv/host-init.sh; probe places from powernv/kflush-probes.sh) into rows of
# OUT.DB, a copy of HOST.DB:
#   kflush lines  -> kernel_flush (cpu = pcpu the kernel flushed, vcpu = the thread's)
#   kcheck lines  -> on powernv9 only: guest_enter rows, replacing those of the
#                    kvm_hv:kvm_guest_enter tracepoint. On POWER9 that tracepoint fires
#                    before kvmhv_p9_guest_entry(), which returns HV_DECREMENTER without
#                    entering when the host timer is already due (timer_get_next_tb()):
#                    under TCG most of them. The need_tlb_flush test is passed by real
#                    entries only. (On POWER8 the tracepoint's entries are kept: every one
#                    reaches kvmppc_hv_entry; kcheck rows are counted in meta.)
# The thread of a probe line is the vcpu whose tid vcpu.tid records.
# --log-hcalls VMM.LOG: also the hcalls the host cannot see (POWER8 real mode: every
# opcode but the VMM's exit hcall 0x54), from the VMM's own log, placed on the round's
# cpu at the guest's timebase: the replay then has the guest's side, as a merged
# host+guest capture would. Meta says so (hcalls_from_vmm_log). On powernv9 every HPT hcall
# is virtual-mode and in the capture already: nothing is added there.
# Exit 0 done, 1 failed, 2 bad usage.
set -euo pipefail
log=''
if [ "${1:-}" = --log-hcalls ]; then log=${2:?}; shift 2; fi
[ $# -eq 4 ] || { echo "usage: powernv/kflush-import.sh [--log-hcalls VMM.LOG] MACHINE HOST.DB KFLUSH.TXT OUT.DB" >&2; exit 2; }
machine=$1 host=$2 kf=$3 out=$4
case "$machine" in powernv8|powernv9) ;; *) echo "powernv/kflush-import.sh: unknown machine $machine" >&2; exit 2 ;; esac
[ -f "$host" ] && { [ "$kf" = - ] || [ -f "$kf" ]; } || { echo "powernv/kflush-import.sh: cannot read $host or $kf" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tlb-kflush.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# "   CPU 0/KVM-157  [000] d....  7.858225: kcheck: (...) kvm=0x... pcpu=0 mask=0x..."
# -> tid,us,name,pcpu  (the timestamp's seconds and microseconds glued: microseconds)
if [ "$kf" = - ]; then
	: > "$tmp/kf.txt"
	kf=$tmp/kf.txt
	imp=0
else
	imp=1
fi
sed -nE 's/^ *.*-([0-9]+) +\[[0-9]+\] +[^ ]+ +([0-9]+)\.([0-9]{6}): (kcheck|kflush): \([^)]*\) kvm=0x[0-9a-f]+ pcpu=(-?[0-9]+).*$/\1,\2\3,\4,\5/p' \
	"$kf" > "$tmp/kf.csv"
probes=$(grep -cE ': (kcheck|kflush): ' "$kf" || true)
[ "$probes" = "$(wc -l < "$tmp/kf.csv")" ] || { echo "powernv/kflush-import.sh: $kf: $probes probe lines, $(wc -l < "$tmp/kf.csv") understood" >&2; exit 1; }

if [ -n "$log" ] && [ "$machine" = powernv9 ]; then
	log=''	# every hcall of an HPT guest is virtual-mode there: the capture has them all
fi
if [ -n "$log" ]; then
	# hcall VM VCPU ROUND SEQ tb TB op OP args A4 ... rc RC ret R4 ...: flags (r4) split in
	# 32-bit halves (awk numbers are doubles), n from the return codes
	awk 'function hx(s,  i, v) { v = 0; s = tolower(s); sub(/^0x/, "", s); for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
	     function hi(s) { sub(/^0x/, "", s); return length(s) > 8 ? hx(substr(s, 1, length(s) - 8)) : 0 }
	     function lo(s) { sub(/^0x/, "", s); return hx(length(s) > 8 ? substr(s, length(s) - 7) : s) }
	     function ok(w) { sub(/^0x/, "", w); return length(w) == 16 && substr(w, 1, 1) == "8" }  # response, code 0
	     $1 == "hcall" && $9 != "0x54" {
		op = hx($9); n = 0
		if (op == 4 || op == 24) n = ($20 == 0)
		if (op == 292) n = ok($22) + ok($24) + ok($26) + ok($28)
		printf "%s,%s,%s,%s,%s,%d,%d,%d,%d,%s\n", $2, $3, $4, $5, $7, op, hi($11), lo($11), n, $20 }' "$log" > "$tmp/hc.csv"
	awk '$1 == "round" { print $2 "," $3 "," $4 "," $8 "," $14 "," $16 "," $18 "," $20 }' "$log" > "$tmp/rounds.csv"
	awk '$1 == "vm" { print $2 "," $4 }' "$log" > "$tmp/vms.csv"
	awk '$1 == "start" { print $7 }' "$log" > "$tmp/tbhz"
fi

cp "$host" "$out.tmp"
chmod 600 "$out.tmp"
[ "$imp" = 1 ] && sqlite3 "$out.tmp" <<SQL
.bail on
create temp table kf(tid int, us int, name text, pcpu int);
.mode csv
.import $tmp/kf.csv kf
insert or ignore into event_kind(id, name) values (9, 'kernel_flush');
create temp table cs as select cast(value as integer) v from meta where key = 'clock_start_ns';
insert into event(ts, cpu, vm, vcpu, kind)
  select k.us * 1000 - (select v from cs), k.pcpu, c.vm, c.id, (select id from event_kind where name = 'kernel_flush')
  from kf k join vcpu c on c.tid = k.tid where k.name = 'kflush';
insert or replace into meta(key, value) values
  ('kernel_flush_source', 'tracefs kprobe events (optimized, trace_clock mono, 1 us): the flush path of ' ||
     '$( [ "$machine" = powernv8 ] && echo kvmppc_check_need_tlb_flush || echo kvmhv_vcpu_entry_p9 ); places by powernv/kflush-probes.sh'),
  ('kernel_flush_unattributed', (select count(*) from kf k where k.name = 'kflush' and not exists (select 1 from vcpu c where c.tid = k.tid))),
  ('kernel_flush_checks', (select count(*) from kf where name = 'kcheck'));
SQL
if [ "$imp" = 1 ] && [ "$machine" = powernv9 ]; then
	sqlite3 "$out.tmp" <<SQL
.bail on
create temp table kf(tid int, us int, name text, pcpu int);
.mode csv
.import $tmp/kf.csv kf
insert or replace into meta(key, value) values
  ('guest_enter_tracepoint_rows', (select count(*) from event where kind = (select id from event_kind where name = 'guest_enter'))),
  ('guest_enter_source', 'kprobe at the need_tlb_flush test of kvmhv_vcpu_entry_p9 (real entries only): '
     || 'kvm_hv:kvm_guest_enter fires before HV_DECREMENTER early returns that never enter; its rows were replaced');
delete from event where kind = (select id from event_kind where name = 'guest_enter') and vm != 0;
insert into event(ts, cpu, vm, vcpu, kind)
  select k.us * 1000 - (select cast(value as integer) from meta where key = 'clock_start_ns'), k.pcpu, c.vm, c.id,
         (select id from event_kind where name = 'guest_enter')
  from kf k join vcpu c on c.tid = k.tid where k.name = 'kcheck';
SQL
fi
if [ -n "$log" ]; then
	hz=$(cat "$tmp/tbhz")
	[[ "$hz" =~ ^[0-9]+$ ]] && [ "$hz" -gt 0 ] || { echo "powernv/kflush-import.sh: no timebase_hz in $log" >&2; exit 1; }
	sqlite3 "$out.tmp" <<SQL
.bail on
create temp table lhc(vm text, vcpu int, round int, seq int, tb int, op int, fhi int, flo int, n int, rc int);
create temp table lr(vm text, vcpu int, round int, cpu int, mono0 int, mono1 int, tb0 int, tb1 int);
create temp table lv(vm text, pid int);
.mode csv
.import $tmp/hc.csv lhc
.import $tmp/rounds.csv lr
.import $tmp/vms.csv lv
-- The guest's timebase interpolated over the round's CLOCK_MONOTONIC span (the two
-- drift apart by ~1% in the emulation), and never before the round's first guest entry
-- in the capture: a call runs inside the guest, after the entry that let it run.
create temp table placed as
  select h.*, r.cpu, v.id vmid,
         r.mono0 + (h.tb - r.tb0) * (r.mono1 - r.mono0) / max(r.tb1 - r.tb0, 1)
           - (select cast(value as integer) from meta where key = 'clock_start_ns') t,
         (select min(e.ts) from event e where e.kind = (select id from event_kind where name = 'guest_enter')
            and e.vm = v.id and e.vcpu = h.vcpu
            and e.ts + (select cast(value as integer) from meta where key = 'clock_start_ns') between r.mono0 and r.mono1) first_entry
  from lhc h join lr r on r.vm = h.vm and r.vcpu = h.vcpu and r.round = h.round
  join lv on lv.vm = h.vm join vm v on v.pid = lv.pid;
insert into event(ts, cpu, vm, vcpu, kind, a0, a1, a2, a3)
  select max(t, coalesce(first_entry, t) + 1 + seq), cpu, vmid, vcpu, (select id from event_kind where name = 'hcall'),
         op, (fhi << 32) | flo, n, rc
  from placed order by rowid;
insert or replace into meta(key, value) values ('hcalls_from_vmm_log',
  (select count(*) from lhc) || ' real-mode hcalls (invisible to the host) added from the VMM log at the guest timebase');
SQL
fi
mv "$out.tmp" "$out"
