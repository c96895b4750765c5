#!/usr/bin/env bash
# t1030-replay-store - tlbreplay --store: the results tables in the trace DB (replay-model.md
# "Stored results"; schemas/trace-v1.sql): one replay_run per policy with its params and
# digest, replay_total (vm -1 = all) equal to the printed results, replay_series whose
# buckets sum to the totals, one replay_hazard row per stale exposure, re-store replacing
# the same run, and exit 1 when the results cannot be written.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/data/replay/lib.sh"
need_sqlite3
cd "$T" || exit 1
q() { sqlite3 -batch "$1" "$2"; }

# ex2 with its times scaled to ms: events at 0, 10..60 ms (replay is unchanged by scale).
mkexample ex2-hlocal-smp s.db
q s.db "UPDATE event SET ts = ts * 1000000"
check_exit "1030.1 --store on a foreign file (no results tables yet)" 0 \
	tlb tlbreplay -q --store --bucket-ms 10 --format csv s.db
cp "$OUT" s.csv
check_eq "1030.2 five runs, one per policy, in order" "old new modern tracked optimal" \
	"$(q s.db "SELECT group_concat(policy, ' ') FROM (SELECT policy FROM replay_run ORDER BY id)")"
check_eq "1030.3 runs name the machine and tool version" "5" \
	"$(q s.db "SELECT count(*) FROM replay_run WHERE machine = 'power7' AND tool_version <> '' AND created LIKE '2%Z'")"
check_eq "1030.4 params hold the costs (tlbie 200), T and where T came from" "5" \
	"$(q s.db "SELECT count(*) FROM replay_run WHERE json_extract(params, '\$.costs.tlbie') = 200 AND json_extract(params, '\$.threads_per_core') = 4 AND json_extract(params, '\$.threads_per_core_source') = 'meta'")"
check_eq "1030.5 bucket_ns is 10 ms" 10000000 "$(q s.db "SELECT DISTINCT bucket_ns FROM replay_run")"
check_eq "1030.6 all runs share one digest" 1 "$(q s.db "SELECT count(DISTINCT trace_digest) FROM replay_run")"

# replay_total equals the printed CSV, for every policy, row and metric.
cols="events,guest_entries,hcalls,full_flushes,tlbiel_flush,tlbiel_inval,local_seqs,tlbie,tlbie_seqs,cycles,stale_exposures"
stored=$(q s.db "SELECT r.policy, CASE t.vm WHEN -1 THEN 'all' ELSE t.vm END, $(echo "$cols" | sed 's/\([a-z_]*\)/t.\1/g')
	FROM replay_total t JOIN replay_run r ON r.id = t.run ORDER BY r.id, t.vm = -1, t.vm" | tr '|' ',')
check_eq "1030.7 replay_total equals the printed results" "$(tail -n +2 s.csv)" "$stored"
# by hand (ex2.expected.json): old cycles 48540, tracked 4700, old stale 2
check_eq "1030.8 old all row: cycles 48540, stale 2" "48540|2" \
	"$(q s.db "SELECT cycles, stale_exposures FROM replay_total t JOIN replay_run r ON r.id = t.run WHERE r.policy = 'old' AND vm = -1")"

# Series: buckets 0 (the two vcpu_create), 10, 20, 30, 40, 50, 60 ms: 7 per VM row and 7
# all rows, per run.
check_eq "1030.9 7 buckets x (vm 1 + all) per run" "14 14 14 14 14" \
	"$(q s.db "SELECT group_concat(n, ' ') FROM (SELECT count(*) n FROM replay_series GROUP BY run ORDER BY run)")"
check_eq "1030.10 bucket starts" "0 10000000 20000000 30000000 40000000 50000000 60000000" \
	"$(q s.db "SELECT group_concat(bucket_ns, ' ') FROM (SELECT DISTINCT bucket_ns FROM replay_series ORDER BY bucket_ns)")"
sums=$(echo "$cols" | sed 's/\([a-z_]*\)/sum(s.\1)/g')
tots=$(echo "$cols" | sed 's/\([a-z_]*\)/t.\1/g')
check_eq "1030.11 series sum to the totals (every run, vm and metric)" 0 \
	"$(q s.db "SELECT count(*) FROM (SELECT s.run, s.vm, $sums FROM replay_series s GROUP BY s.run, s.vm
	  EXCEPT SELECT t.run, t.vm, $tots FROM replay_total t)")"
# bucket 40 ms holds the H_LOCAL H_REMOVE (L(1) = 120) and the bulk remove (G(3) = 1260)
# of old: 1380 cycles.
check_eq "1030.12 old's 40 ms bucket: 120 + 1260 cycles" 1380 \
	"$(q s.db "SELECT cycles FROM replay_series s JOIN replay_run r ON r.id = s.run WHERE r.policy = 'old' AND s.vm = 1 AND s.bucket_ns = 40000000")"

# Hazards: old has 2 exposures (ex2): vcpu 4 re-enters core 1 at 31 ms, marked by the
# H_LOCAL H_REMOVE of vcpu 0 at 20 ms; vcpu 0 re-enters core 0 at 51 ms, marked at 40 ms.
check_eq "1030.13 hazards count equals stale_exposures, per run" 0 \
	"$(q s.db "SELECT count(*) FROM replay_total t WHERE vm = -1 AND stale_exposures <>
	  (SELECT count(*) FROM replay_hazard h WHERE h.run = t.run)")"
check_eq "1030.14 old's hazard rows" "31000000|1|4|1|20000000 51000000|1|0|0|40000000" \
	"$(q s.db "SELECT h.ts, h.vm, h.vcpu, h.core, h.marked_ts FROM replay_hazard h JOIN replay_run r ON r.id = h.run
	  WHERE r.policy = 'old' ORDER BY h.ts" | tr '\n' ' ' | sed 's/ $//')"

# Re-store with the same parameters: the runs are replaced, not added.
digest=$(q s.db "SELECT trace_digest FROM replay_run LIMIT 1")
check_exit "1030.15 re-store" 0 tlb tlbreplay -q --store --bucket-ms 10 s.db
check_eq "1030.16 still five runs" 5 "$(q s.db "SELECT count(*) FROM replay_run")"
check_eq "1030.17 the new runs replaced the old ones (ids 6..10)" "6 7 8 9 10" \
	"$(q s.db "SELECT group_concat(id, ' ') FROM (SELECT id FROM replay_run ORDER BY id)")"
check_eq "1030.18 no rows of the replaced runs remain" 0 \
	"$(q s.db "SELECT (SELECT count(*) FROM replay_total WHERE run < 6) + (SELECT count(*) FROM replay_series WHERE run < 6) + (SELECT count(*) FROM replay_hazard WHERE run < 6)")"
check_eq "1030.19 same events, same digest" "$digest" "$(q s.db "SELECT DISTINCT trace_digest FROM replay_run")"
# Other parameters are another run; an option only enters the params of its policies.
tlb tlbreplay -q --store --cost tlbie=400 -P old s.db > /dev/null
check_eq "1030.20 another cost set adds a run" 6 "$(q s.db "SELECT count(*) FROM replay_run")"
tlb tlbreplay -q --store --option new-hpt-reset-flush=0 -P old,new s.db > /dev/null
check_eq "1030.21 an option of new replaces old's run but adds one for new" 7 "$(q s.db "SELECT count(*) FROM replay_run")"
check_eq "1030.22 the new run's params hold the option" 1 \
	"$(q s.db "SELECT count(*) FROM replay_run WHERE policy = 'new' AND json_extract(params, '\$.options.new-hpt-reset-flush') = 0")"
# A changed trace has another digest.
q s.db "UPDATE event SET a2 = 2 WHERE rowid = 5"
tlb tlbreplay -q --store -P tracked s.db > /dev/null
check_eq "1030.23 changed events give another digest, another run" 2 \
	"$(q s.db "SELECT count(DISTINCT trace_digest) FROM replay_run WHERE policy = 'tracked'")"

# A file written by the project's schema (results tables already there) works too.
rm -f own.db
sqlite3 own.db < "$ROOT/schemas/trace-v1.sql"
q own.db "INSERT INTO meta VALUES ('source','generated'),('threads_per_core','4'),('ncpus','8');
  INSERT INTO event VALUES (10,0,1,0,2,NULL,NULL,NULL,NULL),(20,0,1,0,4,4,0,1,0);"
check_exit "1030.24 --store into a file made from schemas/trace-v1.sql" 0 tlb tlbreplay -q --store own.db
# one vcpu: old flushes once and does L(1): 22660 + 120 = 22780
check_eq "1030.25 its old total" 22780 "$(q own.db "SELECT cycles FROM replay_total t JOIN replay_run r ON r.id = t.run WHERE policy = 'old' AND vm = -1")"

# The default bucket fits the trace (issue 11: tens of plot points, not one). tlbgen's
# 5 ms workload (seed 1) spans 0..4990803 ns: 4990803 / 50 = 99816.06 ns, up to the next
# 1-2-5 step = 100000 ns (100 us), so buckets start at 0, 100 us, ..., 4.9 ms: 50 of them.
tlb tlbgen -q -o w.db --duration-ms 5
check_exit "1030.32 --store without -b" 0 tlb tlbreplay -q --store w.db
check_eq "1030.33 the width fits the span: 100 us" 100000 "$(q w.db "SELECT DISTINCT bucket_ns FROM replay_run")"
n=$(q w.db "SELECT count(DISTINCT bucket_ns) FROM replay_series")
check_eq "1030.34 at least 20 buckets (50)" "yes 50" "$([ "${n:-0}" -ge 20 ] && echo yes) $n"
check_eq "1030.35 each run's series sums to its total" 0 \
	"$(q w.db "SELECT count(*) FROM replay_run r JOIN replay_total t ON t.run = r.id AND t.vm = -1 WHERE t.cycles <> (SELECT sum(cycles) FROM replay_series s WHERE s.run = r.id AND s.vm = -1) OR t.events <> (SELECT sum(events) FROM replay_series s WHERE s.run = r.id AND s.vm = -1)")"
# -b with a unit is exact: 250 us -> buckets 0, 250 us, ..., 4.75 ms: 20.
check_exit "1030.36 -b 250us" 0 tlb tlbreplay -q --store -b 250us w.db
check_eq "1030.37 its width is 250 us, exactly" "250000 20" \
	"$(q w.db "SELECT DISTINCT bucket_ns FROM replay_run") $(q w.db "SELECT count(DISTINCT bucket_ns) FROM replay_series")"
# The span of a file not in time order (no meta event_order, rows reversed) is the same.
cp w.db rev.db
q rev.db "DELETE FROM meta WHERE key = 'event_order'; CREATE TABLE e2 AS SELECT * FROM event ORDER BY rowid DESC;
  DELETE FROM event; INSERT INTO event SELECT * FROM e2; DROP TABLE e2;"
check_exit "1030.40 --store on the same events in reverse row order" 0 tlb tlbreplay -q --store rev.db
check_eq "1030.41 ... the same 100 us width" 100000 "$(q rev.db "SELECT bucket_ns FROM replay_run ORDER BY id DESC LIMIT 1")"
check_exit "1030.38 -b 0us is refused" 2 tlb tlbreplay -q --store -b 0us w.db
check_grep "1030.39 and says what -b takes" "cannot use --bucket-ms '0us': not a positive number of ms, or a time with a unit" "$ERR"

# A replay_run table of another shape could keep forged totals (ON CONFLICT IGNORE, REAL
# columns): the file is refused as bad input when it is opened, before anything is written.
mkexample ex1-old-per-thread shape.db
q shape.db "CREATE TABLE replay_run(id INTEGER PRIMARY KEY, policy TEXT)"
before=$(sha256sum < shape.db)
check_exit "1030.26 results tables not as the schema declares them: exit 2" 2 tlb tlbreplay -q --store shape.db
check_grep "1030.27 the message names the table" "^tlbreplay: cannot read trace shape.db: table 'replay_run' is not declared as the schema declares it" "$ERR"
check_eq "1030.28 and the file is unchanged" "$before" "$(sha256sum < shape.db)"
# A read-only file system (needs root and mount): exit 1.
if need_root && mkdir -p ro && mount -t tmpfs -o size=4m tlbtest ro 2>/dev/null; then
	mkexample ex1-old-per-thread ro/r.db
	mount -o remount,ro ro
	check_exit "1030.29 --store on a read-only file system: exit 1" 1 tlb tlbreplay -q --store ro/r.db
	check_grep "1030.30 the message says read-only" 'readonly|read-only' "$ERR"
	check_exit "1030.31 the same file replays without --store" 0 tlb tlbreplay -q ro/r.db
	umount ro
else
	skip "1030.29-31 --store on a read-only file system" "needs root and tmpfs mounts"
fi
