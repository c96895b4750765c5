#!/usr/bin/env bash
# b20-gen - tlbgen writing N events (default 10M, the replay bench's input: --events N
# --seed 1) against the ceiling of a bare prepared-INSERT loop into the same schema with
# the writer's pragmas and batch size (build/test/bench_insert), fed with tlbgen's own
# first 65536 rows so that both insert rows of the same shape. Target (issue 2): rate
# ratio >= 0.70. Also tlbgen's peak RSS.
#
# Each side runs $B20_RUNS times (default 2), alternating, and its best CPU time
# (user + sys) counts: the machine has 2 cores shared with other work, and CPU time is
# what the two sides spend. tlbgen is timed as a whole process (start-up, schema, meta,
# generation, finish); the ceiling times only its create-insert-close span (not the
# template read), which makes the ratio conservative.
set -u -o pipefail
BIN=${TLB_BIN:?} TESTBIN=${TLB_TESTBIN:?} DIR=${BENCH_DIR:?}
N=${B20_EVENTS:-10000000}
RUNS=${B20_RUNS:-2}
gen=$BIN/tlbgen
ceil=$TESTBIN/bench_insert
[ -x "$gen" ] || { echo "no $gen (make)"; exit 1; }
[ -x "$ceil" ] || { echo "no $ceil (make test-programs)"; exit 1; }
command -v /usr/bin/time > /dev/null || { echo "no /usr/bin/time (apt-get install time)"; exit 1; }
mkdir -p "$DIR"
out=$DIR/b20-gen.db
cout=$DIR/b20-ceiling.db
trap 'rm -f "$out" "$cout" "$DIR/b20-template.db" "$DIR/b20-time.txt"' EXIT

# The template: tlbgen's rows (only the first 65536 are read).
"$gen" -q -o "$DIR/b20-template.db" --events 65536 --seed 1 --force || exit 1

best_gen= best_ceil= rss=
for r in $(seq "$RUNS"); do
	rm -f "$out"
	/usr/bin/time -f '%U %S %e %M' -o "$DIR/b20-time.txt" "$gen" -q -o "$out" --events "$N" --seed 1 || exit 1
	read -r u s e m < "$DIR/b20-time.txt"
	cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.3f", u + s }')
	echo "run $r: tlbgen   $N events: cpu ${cpu}s, wall ${e}s, peak RSS $((m / 1024)) MiB"
	[ -z "$best_gen" ] || awk -v a="$cpu" -v b="$best_gen" 'BEGIN { exit !(a < b) }' && best_gen=$cpu
	rss=$m
	line=$("$ceil" "$DIR/b20-template.db" "$cout" "$N") || exit 1
	c=$(printf '%s\n' "$line" | awk '{ for (i = 1; i < NF; i++) if ($i == "cpu_seconds") print $(i + 1) }')
	w=$(printf '%s\n' "$line" | awk '{ for (i = 1; i < NF; i++) if ($i == "seconds") print $(i + 1) }')
	echo "run $r: ceiling  $N rows:   cpu ${c}s, wall ${w}s (bare prepared INSERT, same pragmas)"
	[ -z "$best_ceil" ] || awk -v a="$c" -v b="$best_ceil" 'BEGIN { exit !(a < b) }' && best_ceil=$c
	rm -f "$cout"
done
[ "$(sqlite3 "$out" "SELECT count(*) FROM event")" = "$N" ] || { echo "tlbgen wrote the wrong count"; exit 1; }
awk -v n="$N" -v g="$best_gen" -v c="$best_ceil" -v rss="$rss" 'BEGIN {
	gr = n / g; cr = n / c; ratio = gr / cr
	printf "tlbgen:  %.0f events/s (best cpu %.3f s)\n", gr, g
	printf "ceiling: %.0f rows/s   (best cpu %.3f s)\n", cr, c
	printf "ratio tlbgen/ceiling: %.2f (target >= 0.70: %s)\n", ratio, (ratio >= 0.70 ? "met" : "NOT met")
	printf "tlbgen peak RSS: %.1f MiB\n", rss / 1024
}'
