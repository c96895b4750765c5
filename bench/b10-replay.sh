#!/usr/bin/env bash
# b10-replay - tlbreplay over 10M events, the four one-pass policies (old, new, modern,
# tracked; optimal has its own bench, b11) in one pass, against the
# ceiling of a bare sqlite3_step scan of the same rows and columns (replay_bench_scan),
# measured in the same run on the same file; and tlbreplay's peak RSS at 1M and 10M
# events. Targets (issue 2): rate ratio >= 0.70; peak RSS <= 64 MiB at both sizes, flat.
#
# Inputs are cached in $BENCH_DIR (tlbgen -o FILE --events N --seed 1; a sqlite3
# recursive CTE when tlbgen is not built). Each timing is the best of $B10_RUNS runs
# (default 3) in CPU seconds, alternating ceiling and replay so that both see the same
# machine load.
set -u -o pipefail
# Both sides single-threaded: the decode on tlbreplay's own thread, as the ceiling's
# (bench b14 measures tracedb's parallel decode, which adds its threads' CPU time).
export TLB_SCAN_THREADS=1
BIN=${TLB_BIN:?} TESTBIN=${TLB_TESTBIN:?} DIR=${BENCH_DIR:?}
RUNS=${B10_RUNS:-3}
ONEPASS=old,new,modern,tracked	# every policy but optimal (three passes, bench b11)
scan=$TESTBIN/replay_bench_scan
replay=$BIN/tlbreplay
[ -x "$scan" ] || { echo "no $scan (make test-programs)"; exit 1; }
[ -x "$replay" ] || { echo "no $replay (make)"; exit 1; }

# make_db N FILE: a trace of exactly N events, cached.
make_db() {
	local n=$1 f=$2
	[ -s "$f" ] && return 0
	if [ -x "$BIN/tlbgen" ]; then
		echo "generating $f with tlbgen ($n events)"
		"$BIN/tlbgen" -q -o "$f.tmp" --events "$n" --seed 1 --force && mv "$f.tmp" "$f"
	else
		echo "generating $f with a sqlite3 recursive CTE ($n events; tlbgen not built)"
		rm -f "$f.tmp"
		sqlite3 "$f.tmp" < "$TLB_ROOT/schemas/trace-v1.sql" &&
		sqlite3 "$f.tmp" "
		  INSERT INTO meta VALUES ('source','generated'),('threads_per_core','4'),
		    ('ncpus','16'),('event_order','ts');
		  INSERT INTO vm(id,name) VALUES (1,'a'),(2,'b');
		  WITH RECURSIVE i(x) AS (SELECT 0 UNION ALL SELECT x+1 FROM i WHERE x < $n - 1)
		  INSERT INTO event(ts,cpu,vm,vcpu,kind,a0,a1,a2,a3)
		  SELECT x * 100, (x / 7) % 16, 1 + x % 2, (x / 2) % 4,
		    CASE WHEN x % 5 = 0 THEN 2 ELSE 4 END,
		    CASE WHEN x % 5 = 0 THEN NULL WHEN x % 3 = 0 THEN 292 ELSE 4 END,
		    CASE WHEN x % 5 = 0 THEN NULL ELSE 0 END,
		    CASE WHEN x % 5 = 0 THEN NULL ELSE 1 END,
		    CASE WHEN x % 5 = 0 THEN NULL ELSE 0 END FROM i;" && mv "$f.tmp" "$f"
	fi
}

small=$DIR/replay-1m.db big=$DIR/replay-10m.db
make_db 1000000 "$small" || { echo "cannot make $small"; exit 1; }
make_db 10000000 "$big" || { echo "cannot make $big"; exit 1; }

# cpu_secs CMD...: user+system CPU seconds of a command (stdout discarded). CPU time, not
# wall time: the machine is shared (other builds and tests run beside the bench), and
# both sides are single-threaded, so CPU time is what each pass costs.
cpu_secs() {
	local t
	t=$(/usr/bin/time -f '%U %S' "$@" 2>&1 > /dev/null | tail -1) || return 1
	echo "$t" | awk '{ printf "%.3f", $1 + $2 }'
}
peak_kib() {
	/usr/bin/time -f '%M' "$@" 2>&1 > /dev/null | tail -1
}

cat "$big" > /dev/null	# the page cache holds the file for both sides
best_scan= best_replay=
for r in $(seq "$RUNS"); do
	s=$(cpu_secs "$scan" "$big") || { echo "ceiling failed"; exit 1; }
	p=$(cpu_secs "$replay" -q --policy "$ONEPASS" "$big") || { echo "replay failed"; exit 1; }
	echo "run $r: ceiling ${s}s, replay ${p}s (CPU)"
	if [ -z "$best_scan" ] || [ "$(echo "$s < $best_scan" | bc)" = 1 ]; then best_scan=$s; fi
	if [ -z "$best_replay" ] || [ "$(echo "$p < $best_replay" | bc)" = 1 ]; then best_replay=$p; fi
done
rows=$(sqlite3 "$big" 'SELECT count(*) FROM event')
scan_rate=$(echo "scale=0; $rows / $best_scan" | bc)
replay_rate=$(echo "scale=0; $rows / $best_replay" | bc)
ratio=$(printf '%.3f' "$(echo "scale=4; $replay_rate / $scan_rate" | bc)")
verdict=$( [ "$(echo "$ratio >= 0.70" | bc)" = 1 ] && echo met || echo MISSED )
printf 'events                         %d\n' "$rows"
printf 'ceiling (bare sqlite3_step)    %d events/s  (%s s CPU)\n' "$scan_rate" "$best_scan"
printf 'tlbreplay, 4 policies, 1 pass  %d events/s  (%s s CPU)\n' "$replay_rate" "$best_replay"
printf 'ratio                          %s  (target >= 0.70: %s)\n' "$ratio" "$verdict"

rss1=$(peak_kib "$replay" -q --policy "$ONEPASS" "$small")
rss10=$(peak_kib "$replay" -q --policy "$ONEPASS" "$big")
rss10s=$(cp "$big" "$DIR/replay-10m-store.db" && peak_kib "$replay" -q --policy "$ONEPASS" --store --bucket-ms 10 "$DIR/replay-10m-store.db"; rm -f "$DIR/replay-10m-store.db")
limit=$((64 * 1024))
rv=met
for v in $rss1 $rss10 $rss10s; do [ "$v" -le $limit ] || rv=MISSED; done
growth=$(printf '%.3f' "$(echo "scale=4; $rss10 / $rss1" | bc)")
printf 'peak RSS at 1M events          %d KiB\n' "$rss1"
printf 'peak RSS at 10M events         %d KiB  (10M/1M = %s)\n' "$rss10" "$growth"
printf 'peak RSS at 10M with --store   %d KiB  (10 ms buckets streamed out)\n' "$rss10s"
printf 'RSS target <= 65536 KiB and flat: %s\n' "$rv"
