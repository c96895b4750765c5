#!/usr/bin/env bash
# b15-replay-settings - one scan, many settings (issue 13 item 4): `tlbreplay -t 1,2,4,8`
# replays four settings in one scan of the trace; against four separate runs
# (-t 1, -t 2, -t 4, -t 8) of the same policies on the same file, measured in the same run.
#   1. the four one-pass policies (old,new,modern,tracked): one scan against four;
#   2. all five (the default, with optimal's three passes): three scans against twelve.
# Target: the lists at least 1.8x faster (CPU time) than the four separate runs, in both;
# and the same results: each setting's csv rows of the lists equal its separate run's.
#
# Input: the 10M-event tlbgen trace of b10/b11 (cached in $BENCH_DIR, --events 10000000
# --seed 1; B15_EVENTS for another size, e.g. 2000000 on a busy machine). CPU seconds
# (user + system), not wall: the machine is shared, and every side is single-threaded.
# Each figure is the best of $B15_RUNS runs (default 1), separate and lists alternating.
set -u -o pipefail
BIN=${TLB_BIN:?} DIR=${BENCH_DIR:?}
RUNS=${B15_RUNS:-1}
EVENTS=${B15_EVENTS:-10000000}
TS=1,2,4,8
replay=$BIN/tlbreplay gen=$BIN/tlbgen
[ -x "$replay" ] || { echo "no $replay (make)"; exit 1; }
[ -x "$gen" ] || { echo "no $gen (make)"; exit 1; }

if [ "$EVENTS" = 10000000 ]; then db=$DIR/replay-10m.db; else db=$DIR/replay-settings-$EVENTS.db; fi
if [ ! -s "$db" ]; then
	echo "generating $db with tlbgen ($EVENTS events)"
	"$gen" -q -o "$db.tmp" --force --events "$EVENTS" --seed 1 && mv "$db.tmp" "$db" ||
		{ echo "cannot make $db"; exit 1; }
fi
cat "$db" > /dev/null	# the page cache holds the file for every side

# cpu_secs OUT CMD...: user+system CPU seconds of a command, its stdout in OUT
cpu_secs() {
	local out=$1 t
	shift
	t=$(/usr/bin/time -f '%U %S' "$@" 2>&1 > "$out" | tail -1) || return 1
	echo "$t" | awk '{ printf "%.2f", $1 + $2 }'
}
min() { if [ -z "$1" ] || [ "$(echo "$2 < $1" | bc)" = 1 ]; then echo "$2"; else echo "$1"; fi; }

# compare POLICIES LABEL: times and ratio of one policy set, and whether each setting's csv
# rows of the lists are its separate run's (from the timed runs themselves)
compare() {
	local pol=$1 label=$2 sep= lists= s l t r same=same
	for r in $(seq "$RUNS"); do
		s=0
		for t in ${TS//,/ }; do
			l=$(cpu_secs "$DIR/b15-t$t.csv" "$replay" -q -P "$pol" -t "$t" --format csv "$db") ||
				{ echo "replay -t $t failed"; exit 1; }
			s=$(echo "$s + $l" | bc)
		done
		l=$(cpu_secs "$DIR/b15-lists.csv" "$replay" -q -P "$pol" -t "$TS" --format csv "$db") ||
			{ echo "replay -t $TS failed"; exit 1; }
		echo "  run $r: 4 separate runs ${s}s, -t $TS ${l}s (CPU)"
		sep=$(min "$sep" "$s")
		lists=$(min "$lists" "$l")
	done
	for t in ${TS//,/ }; do
		grep "^power7,$t," "$DIR/b15-lists.csv" | cut -d, -f3- |
			cmp -s - <(tail -n +2 "$DIR/b15-t$t.csv") || same=DIFFERENT
		rm -f "$DIR/b15-t$t.csv"
	done
	rm -f "$DIR/b15-lists.csv"
	r=$(printf '%.2f' "$(echo "scale=4; $sep / $lists" | bc)")
	printf '%-32s 4 separate runs %7s s CPU, one run -t %s %7s s CPU: %sx (target >= 1.8: %s); results %s\n' \
		"$label" "$sep" "$TS" "$lists" "$r" \
		"$( [ "$(echo "$r >= 1.8" | bc)" = 1 ] && echo met || echo MISSED )" "$same"
}

echo "$(sqlite3 "$db" 'SELECT count(*) FROM event' 2>/dev/null || echo "$EVENTS") events ($db), settings -t $TS:"
compare old,new,modern,tracked "old,new,modern,tracked (1 pass)"
compare old,new,modern,tracked,optimal "all five (optimal: 3 passes)"
