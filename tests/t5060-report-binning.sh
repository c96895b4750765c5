#!/usr/bin/env bash
# t5060: long series and many VMs stay readable: replay_series buckets are summed into
# at most --max-points bins (nothing lost: the bins add up to the stored total), and
# the per-VM bars keep the --max-vms VMs with the most cycles, saying so in the title.
# The stored results are made with SQL (recursive CTEs): sums computed by sqlite3 itself.
. "$(dirname "$0")/lib.sh"
need_cmd sqlite3 || skip_all "sqlite3 is not installed (scripts/install-deps.sh build)"
need_cmd gnuplot || skip_all "gnuplot is not installed (scripts/install-deps.sh build)"
db=$T/long.db
sqlite3 "$db" < "$ROOT/schemas/trace-v1.sql"
sqlite3 "$db" <<'SQL'
INSERT OR REPLACE INTO meta VALUES ('source','generated'), ('threads_per_core','4'), ('ncpus','8');
INSERT INTO replay_run VALUES
 (1,'old','power7','{"costs":{"tlbiel":20,"tlbie":200,"tlbsync":500,"ptesync":50,"eieio":10,"lock":50,"flush_refill":20000,"sets":128}}','d','t','2026-01-01T00:00:00Z',1000000),
 (2,'new','power7','{"costs":{"tlbiel":20,"tlbie":200,"tlbsync":500,"ptesync":50,"eieio":10,"lock":50,"flush_refill":20000,"sets":128}}','d','t','2026-01-01T00:00:00Z',1000000);
-- 30 VMs: VM v has v full flushes under old and none under new (cycles 22660 v and 0).
WITH RECURSIVE v(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM v WHERE id < 30)
INSERT INTO replay_total SELECT 1, id, 10, 5, 0, id, 128 * id, 0, 0, 0, 0, 22660 * id, 0 FROM v;
WITH RECURSIVE v(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM v WHERE id < 30)
INSERT INTO replay_total SELECT 2, id, 10, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0 FROM v;
INSERT INTO replay_total SELECT run, -1, sum(events), sum(guest_entries), sum(hcalls), sum(full_flushes),
  sum(tlbiel_flush), sum(tlbiel_inval), sum(local_seqs), sum(tlbie), sum(tlbie_seqs), sum(cycles),
  sum(stale_exposures) FROM replay_total GROUP BY run;
-- 5000 buckets of 1 ms; bucket b has tlbie = b % 7 under old, every third one empty (not stored).
WITH RECURSIVE b(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM b WHERE i < 4999)
INSERT INTO replay_series SELECT 1, -1, i * 1000000, 1, 0, 0, 0, 0, 0, 0, i % 7, i % 7, 860 * (i % 7), 0
  FROM b WHERE i % 3 <> 1;
SQL
sum_tlbie=$(sqlite3 "$db" "SELECT sum(tlbie) FROM replay_series WHERE run = 1")
check_exit "5060.1 report with --max-points 100 --max-vms 12" 0 \
	tlb tlbreport -o "$T/r" --format none --max-points 100 --max-vms 12 "$db"
gp=$T/r/plots/series_tlbie.gp
data() { awk '/^\$data << EOD/ { on = 1; next } /^EOD/ { on = 0 } on && !/^#/ && !/# the end of the last bin/' "$1"; }
check_eq "5060.2 5000 buckets become 100 bins" 100 "$(data "$gp" | wc -l | tr -d ' ')"
check_eq "5060.3 the bins add up to the stored tlbie ($sum_tlbie)" "$sum_tlbie" \
	"$(data "$gp" | awk '{ s += $2 } END { print s }')"
check_grep "5060.4 the title gives the bin width (50 ms)" 'per 50 ms bin' "$gp"
check_eq "5060.5 first bin: buckets 0..49 of old, hand-summed" \
	"$(sqlite3 "$db" "SELECT sum(tlbie) FROM replay_series WHERE run = 1 AND bucket_ns < 50000000")" \
	"$(data "$gp" | head -1 | awk '{ print $2 }')"
vgp=$T/r/plots/vm_cycles.gp
check_eq "5060.6 12 of 30 VMs in the bars" 12 "$(data "$vgp" | wc -l | tr -d ' ')"
check_grep "5060.7 ... the title says which" 'the 12 of 30 VMs with the most cycles' "$vgp"
check_eq "5060.8 ... and they are VMs 19..30 (the most cycles), in id order" \
	"$(seq 19 30 | sed 's/^/"vm /; s/$/"/' | tr '\n' ' ')" \
	"$(data "$vgp" | grep -o '^"[^"]*"' | tr '\n' ' ')"
