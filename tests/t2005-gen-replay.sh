#!/usr/bin/env bash
# t2005: generated workloads replay, and what tlbreplay counts agrees with what SQL
# derives from the events under the model's rules (replay-model.md), computed here
# independently of the replay.
. "$(dirname "$0")/lib.sh"

[ -x "$TLB_BIN/tlbreplay" ] || skip_all "no $TLB_BIN/tlbreplay yet (replay/ not built)"

DB=$T/w.db
sql() { sqlite3 "$DB" "$@"; }
# get POLICY VM METRIC from the CSV of the last replay
get() {
	local col
	col=$(head -n 1 "$T/r.csv" | tr ',' '\n' | grep -nx "$3" | cut -d: -f1)
	grep -E "^$1,$2," "$T/r.csv" | cut -d, -f"$col"
}

# Workload A: 2 VMs x 8 vcpus (vcores 0 and 1 each, T = 4), no H_LOCAL, no resets.
# nvcpus = 8 and nvcores = 2 from the first events on, so under old, new and modern every
# invalidation is global: nothing local, nothing stale.
ok_if "t2005.1 generate workload A" tlb tlbgen -o "$DB" --vms 2 --vcpus 8 --cores 4 --events 60000 --seed 21
ok_if "t2005.2 workload A replays (csv)" tlb tlbreplay --format csv "$DB"
cp "$OUT" "$T/r.csv"
ok_if "t2005.3 workload A replays (json)" tlb tlbreplay --format json "$DB"

inv="opcode IN (4, 24, 292) AND n > 0"
hc_tlbie=$(sql "SELECT coalesce(sum(n), 0) FROM hcall WHERE $inv")
hc_seqs=$(sql "SELECT count(*) FROM hcall WHERE $inv")
hi_n=$(sql "SELECT coalesce(sum(n), 0) FROM host_invalidation")
entries=$(sql "SELECT count(*) FROM guest_entry")
hcalls=$(sql "SELECT count(*) FROM hcall")
# old's flush rule: slot = core*4 + vcpu%4; flush unless the vcpu's last slot is this slot
# and this slot's last vcpu (0 before any entry) is this vcpu.
old_ff=$(sql "SELECT count(*) FROM (SELECT vcpu, slot,
	lag(slot) OVER (PARTITION BY vm, vcpu ORDER BY id) AS last_slot,
	coalesce(lag(vcpu) OVER (PARTITION BY vm, slot ORDER BY id), 0) AS last_vcpu
	FROM (SELECT id, vm, vcpu, (cpu / 4) * 4 + vcpu % 4 AS slot FROM guest_entry))
	WHERE last_slot IS NULL OR last_slot != slot OR last_vcpu != vcpu")
# new and modern: need[] is set only when the VM starts, so one flush per (VM, core) entered.
new_ff=$(sql "SELECT count(DISTINCT vm * 100000 + cpu / 4) FROM guest_entry")
for pol in old new modern tracked; do
	check_eq "t2005.4 $pol: all-row events = rows of the trace" 60000 "$(get $pol all events)"
	check_eq "t2005.5 $pol: guest_entries = SQL count" "$entries" "$(get $pol all guest_entries)"
	check_eq "t2005.6 $pol: hcalls = SQL count" "$hcalls" "$(get $pol all hcalls)"
	for vm in 1 2; do
		check_eq "t2005.7 $pol: vm $vm events" "$(sql "SELECT count(*) FROM event WHERE vm = $vm")" \
			"$(get $pol $vm events)"
	done
	check_eq "t2005.8 $pol: no stale exposure" 0 "$(get $pol all stale_exposures)"
done
for pol in old new modern; do
	check_eq "t2005.9 $pol: tlbie = n of invalidating hcalls + n of host_inval" \
		"$((hc_tlbie + hi_n))" "$(get $pol all tlbie)"
	check_eq "t2005.10 $pol: tlbie_seqs = one per hcall, one per host HPTE" \
		"$((hc_seqs + hi_n))" "$(get $pol all tlbie_seqs)"
	check_eq "t2005.11 $pol: nothing local" "0 0" "$(get $pol all tlbiel_inval) $(get $pol all local_seqs)"
done
check_eq "t2005.12 old: full flushes by the slot rule (SQL)" "$old_ff" "$(get old all full_flushes)"
check_eq "t2005.13 new: one flush per (VM, core) entered" "$new_ff" "$(get new all full_flushes)"
check_eq "t2005.14 modern: one flush per (VM, core) entered" "$new_ff" "$(get modern all full_flushes)"
check_eq "t2005.15 tracked: no reset, no flush" 0 "$(get tracked all full_flushes)"
# cycles (power7): FF 22660 each, a global sequence of n 660 + 200 n.
check_eq "t2005.16 old cycles = 22660 FF + 660 seqs + 200 tlbie" \
	"$((22660 * old_ff + 660 * (hc_seqs + hi_n) + 200 * (hc_tlbie + hi_n)))" "$(get old all cycles)"
check_eq "t2005.17 new cycles = 22660 FF + 660 seqs + 200 tlbie" \
	"$((22660 * new_ff + 660 * (hc_seqs + hi_n) + 200 * (hc_tlbie + hi_n)))" "$(get new all cycles)"
# tracked: holds = cores the VM entered before the invalidation. An invalidation is local
# when holds is exactly the core it runs on, nothing when holds is empty, else global.
# holds has one core from the VM's first entry to its first entry on another core.
cls="WITH f AS (SELECT vm, min(id) AS fid FROM guest_entry GROUP BY vm),
	f1 AS (SELECT f.vm, f.fid, g.cpu / 4 AS fcore FROM f JOIN guest_entry g ON g.id = f.fid),
	s AS (SELECT f1.vm, f1.fid, f1.fcore, (SELECT min(g.id) FROM guest_entry g WHERE g.vm = f1.vm
	  AND g.cpu / 4 != f1.fcore) AS sid FROM f1),
	inv AS (SELECT e.rowid AS id, e.vm, e.cpu / 4 AS core, k.name, e.a0, e.a2 FROM event e
	  JOIN event_kind k ON e.kind = k.id WHERE (k.name = 'hcall' AND e.a0 IN (4, 24, 292) AND e.a2 > 0)
	  OR (k.name = 'host_inval' AND e.a0 > 0)),
	d AS (SELECT inv.*, CASE WHEN s.fid IS NULL OR inv.id < s.fid THEN 'none'
	  WHEN (s.sid IS NULL OR inv.id < s.sid) AND inv.core = s.fcore THEN 'local' ELSE 'global' END AS how,
	  CASE WHEN name = 'hcall' THEN a2 ELSE a0 END AS n FROM inv LEFT JOIN s ON s.vm = inv.vm)"
o_local_n=$(sql "$cls SELECT coalesce(sum(n), 0) FROM d WHERE how = 'local'")
o_local_seqs=$(sql "$cls SELECT count(*) FROM d WHERE how = 'local'")
o_tlbie=$(sql "$cls SELECT coalesce(sum(n), 0) FROM d WHERE how = 'global'")
o_seqs=$(sql "$cls SELECT coalesce(sum(CASE WHEN name = 'hcall' THEN 1 ELSE n END), 0) FROM d WHERE how = 'global'")
check_eq "t2005.18 tracked: local tlbiel by the holds rule (SQL)" "$o_local_n $o_local_seqs" \
	"$(get tracked all tlbiel_inval) $(get tracked all local_seqs)"
check_eq "t2005.19 tracked: tlbie by the holds rule (SQL)" "$o_tlbie $o_seqs" \
	"$(get tracked all tlbie) $(get tracked all tlbie_seqs)"
check_eq "t2005.20 tracked cycles = locals (100 + 20 n) + globals (660 + 200 n)" \
	"$((100 * o_local_seqs + 20 * o_local_n + 660 * o_seqs + 200 * o_tlbie))" "$(get tracked all cycles)"

# Workload B: SMP guests that pass H_LOCAL on every H_REMOVE/H_PROTECT, with HPT resets.
# old goes local on them and never flushes at a reset: it must show stale exposures;
# new and modern flush through need[] and the tracked flushes marked cores: none.
DB=$T/b.db
ok_if "t2005.21 generate workload B" tlb tlbgen -o "$DB" --vms 2 --vcpus 8 --events 60000 \
	--hlocal-fraction 1 --hpt-resets 2 --seed 5
ok_if "t2005.22 workload B replays" tlb tlbreplay --format csv "$DB"
cp "$OUT" "$T/r.csv"
ok_if "t2005.23 old exposes stale entries ($(get old all stale_exposures))" test "$(get old all stale_exposures)" -gt 0
for pol in new modern tracked; do
	check_eq "t2005.24 $pol: no stale exposure" 0 "$(get $pol all stale_exposures)"
done
ok_if "t2005.25 tracked flushes after the resets" test "$(get tracked all full_flushes)" -gt 0

# Workload C, twice from one seed: hcall rows with their thread, then with cpu -1 (as a
# guest-only capture has them). The replay takes an hcall with cpu -1 to the thread its
# vcpu last entered, which is where tlbgen runs it: every metric of every row must match.
ok_if "t2005.26 workload C with hcall threads" tlb tlbgen -o "$T/c1.db" --vms 3 --vcpus 4 --events 40000 \
	--hlocal-fraction 0.5 --hpt-resets 1 --migration-rate 100 --seed 8
tlb tlbreplay --format csv "$T/c1.db" > "$T/c1.csv"
ok_if "t2005.27 workload C with cpu -1 on hcalls" tlb tlbgen -o "$T/c2.db" --vms 3 --vcpus 4 --events 40000 \
	--hlocal-fraction 0.5 --hpt-resets 1 --migration-rate 100 --seed 8 --hcall-cpu unknown
check_eq "t2005.28 hcall rows carry cpu -1" "-1 -1" "$(sqlite3 "$T/c2.db" "SELECT min(cpu)||' '||max(cpu) FROM hcall")"
tlb tlbreplay --format csv "$T/c2.db" > "$T/c2.csv"
check_eq "t2005.29 same replay, every row and metric" "$(cat "$T/c1.csv")" "$(cat "$T/c2.csv")"
