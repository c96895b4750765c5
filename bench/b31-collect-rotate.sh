#!/usr/bin/env bash
# b31-collect-rotate: what tlbcollect --rotate costs the sustained capture rate.
#
# The measure of b30 part 2 (vcpu ping-pong on cpu 0 paced to rising rates, 4 records a
# trip; the collector pinned to the last cpu, --ring-mb 64, 3 s) for three collectors,
# interleaved rate by rate: one file, --rotate 4M (a part every ~0.2 s at these rates:
# far more switches than any real use), --rotate 1s. Per collector: the highest rate
# written with zero lost, and records per collector cpu-second at it (what load from
# others on this shared machine does not change); the ratio of each --rotate to the one
# file. Also the time a part switch takes the writer (meta part_switch_ns: closing the
# old part, creating the next). Target: ratio >= 0.90 (a switch costs a few ms a part).
set -u
. "$TLB_ROOT/tests/lib.sh" > /dev/null
B=$BENCH_DIR/b31; mkdir -p "$B"
C=$TLB_BIN/tlbcollect; W=$TLB_TESTBIN/collect-workload
[ "$(id -u)" -eq 0 ] || { echo "b31: skipped: recording needs root"; exit 0; }
[ -x "$C" ] && [ -x "$W" ] || { echo "b31: missing programs (make all test-programs)"; exit 1; }
LASTCPU=$(( $(nproc) - 1 ))
RATES=${B31_RATES:-"50000 100000 150000 200000 250000"}
csv() { awk -F, -v k="$2" '$1 == k { print $2 }' "$1"; }

echo "sustained records/s with zero lost: one file vs --rotate (collector on cpu $LASTCPU)"
printf "   %-14s %8s %12s %8s %14s %6s %s\n" collector trips/s records/s lost "rec/cpu-s" parts "switch ms (median, max)"
declare -A best bestcpu stopped
for mode in one 4M 1s; do best[$mode]=0; bestcpu[$mode]=0; stopped[$mode]=0; done
for trips in $RATES; do
	for mode in one 4M 1s; do
		[ "${stopped[$mode]}" = 1 ] && continue
		rm -f "$B"/s*.db
		if [ $mode = one ]; then args=(-o "$B/s.db"); else args=(-o "$B/s.db" --rotate $mode); fi
		"$W" --pingpong 4 --threads 2 --rate $trips > /dev/null & wp=$!
		sleep 0.2
		taskset -c $LASTCPU "$C" "${args[@]}" -d 3 --ring-mb 64 --format csv > "$B/s.csv" 2> "$B/s.err"
		wait $wp
		rx=$(csv "$B/s.csv" records_received); secs=$(csv "$B/s.csv" seconds)
		lost=$(csv "$B/s.csv" lost_events); percpu=$(csv "$B/s.csv" records_per_cpu_s)
		rate=$(awk -v n="$rx" -v d="$secs" 'BEGIN { printf "%.0f", n / d }')
		parts=$(ls "$B"/s.[0-9]*.db 2> /dev/null | wc -l)
		sw=$(for f in "$B"/s.[0-9]*.db; do [ -f "$f" ] && sqlite3 "$f" "SELECT value FROM meta WHERE key = 'part_switch_ns'"; done |
			grep . | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.1f, %.1f", v[int((NR + 1) / 2)] / 1e6, v[NR] / 1e6; else print "-" }')
		printf "   %-14s %8d %12s %8s %14s %6s %s\n" "$mode" "$trips" "$rate" "$lost" "$percpu" "$parts" "$sw"
		if [ "$lost" = 0 ]; then
			[ "$rate" -gt "${best[$mode]}" ] && { best[$mode]=$rate; bestcpu[$mode]=$percpu; }
		else
			stopped[$mode]=1
		fi
	done
done
for mode in 4M 1s; do
	r=$(awk -v a="${best[$mode]}" -v b="${best[one]}" 'BEGIN { printf "%.2f", b ? a / b : 0 }')
	c=$(awk -v a="${bestcpu[$mode]}" -v b="${bestcpu[one]}" 'BEGIN { printf "%.2f", b ? a / b : 0 }')
	echo "   --rotate $mode: ${best[$mode]} records/s zero-lost (one file: ${best[one]}): ratio $r;" \
	     "per cpu-second ${bestcpu[$mode]} vs ${bestcpu[one]}: ratio $c" \
	     "(target >= 0.90: $(awk -v r="$c" 'BEGIN { print (r >= 0.90) ? "met" : "NOT met" }'))"
done
