#!/usr/bin/env bash
# t1080-replay-optimal-store - `optimal` under --store: its counts land in the series
# bucket of their own time, a window's flush at its entry (ex4 scaled to ms: the 40 local
# H_REMOVEs at 20..59 ms, the flush of core 1 at 70 ms, the 3 globals at 80..82 ms), its
# series sum to its totals, it has no hazard rows, and its params carry where T came from;
# the former name `oracle` still selects tracked, with a note.
# By hand from the examples' README: L(1) = 120, F = 22660, G(1) = 860.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/data/replay/lib.sh"
need_sqlite3
cd "$T" || exit 1
q() { sqlite3 -batch "$1" "$2"; }

mkexample ex4-optimal-window s.db
q s.db "UPDATE event SET ts = ts * 1000000"
check_exit "1080.1 --store --policy optimal,tracked with 10 ms buckets" 0 \
	tlb tlbreplay -q --store --bucket-ms 10 --policy optimal,tracked s.db
# optimal, vm 1, per 10 ms bucket: cycles, full_flushes, local_seqs, tlbie_seqs
#   0: nothing; 10: two entries; 20..50: 10 local each (1200); 60: nothing decided;
#   70: the flush at 70 (22660); 80: 3 globals (2580); 90: the entry at 90, no flush.
check_eq "1080.2 optimal's series, bucket by bucket" \
	"0|0|0|0|0 10000000|0|0|0|0 20000000|1200|0|10|0 30000000|1200|0|10|0 40000000|1200|0|10|0 50000000|1200|0|10|0 60000000|0|0|0|0 70000000|22660|1|0|0 80000000|2580|0|0|3 90000000|0|0|0|0" \
	"$(q s.db "SELECT s.bucket_ns, s.cycles, s.full_flushes, s.local_seqs, s.tlbie_seqs FROM replay_series s
	  JOIN replay_run r ON r.id = s.run WHERE r.policy = 'optimal' AND s.vm = 1 ORDER BY s.bucket_ns" | tr '\n' ' ' | sed 's/ $//')"
check_eq "1080.3 optimal's total: 30040 cycles, 0 exposures" "30040|0" \
	"$(q s.db "SELECT t.cycles, t.stale_exposures FROM replay_total t JOIN replay_run r ON r.id = t.run WHERE r.policy = 'optimal' AND t.vm = -1")"
check_eq "1080.4 series sum to the total" 30040 \
	"$(q s.db "SELECT sum(s.cycles) FROM replay_series s JOIN replay_run r ON r.id = s.run WHERE r.policy = 'optimal' AND s.vm = 1")"
check_eq "1080.5 no hazard rows for optimal" 0 \
	"$(q s.db "SELECT count(*) FROM replay_hazard h JOIN replay_run r ON r.id = h.run WHERE r.policy = 'optimal'")"
check_eq "1080.6 params: machine, T, where T came from, costs, options" "power7|4|meta|per-T-ids|20000|{}" \
	"$(q s.db "SELECT json_extract(params, '\$.machine'), json_extract(params, '\$.threads_per_core'),
	  json_extract(params, '\$.threads_per_core_source'), json_extract(params, '\$.vcores'),
	  json_extract(params, '\$.costs.flush_refill'), json(json_extract(params, '\$.options'))
	  FROM replay_run WHERE policy = 'optimal'")"
# A cost that changes the decision is another run (decisions depend on the costs):
# flush_refill 40000 makes F = 42660 > 29600: all 43 global, 36980 as tracked.
tlb tlbreplay -q --store --bucket-ms 10 --policy optimal --cost flush_refill=40000 s.db > /dev/null
check_eq "1080.7 re-solved at another cost: all global (36980)" "36980|0" \
	"$(q s.db "SELECT t.cycles, t.full_flushes FROM replay_total t JOIN replay_run r ON r.id = t.run
	  WHERE r.policy = 'optimal' AND t.vm = -1 AND json_extract(r.params, '\$.costs.flush_refill') = 40000")"

# The former name: `oracle` is still accepted, says it is now `tracked`, and prints tracked.
check_exit "1080.8 --policy oracle (the former name): exit 0" 0 tlb tlbreplay -q --format csv --policy oracle s.db
check_eq "1080.9 ... its rows are named tracked" "tracked tracked" "$(tail -n +2 "$OUT" | cut -d, -f1 | tr '\n' ' ' | sed 's/ $//')"
check_grep "1080.10 ... with a note on stderr" "'oracle' is now called 'tracked'" "$ERR"
check_exit "1080.11 --policy tracked,oracle (the same policy twice): exit 2" 2 tlb tlbreplay -q --policy tracked,oracle s.db
