#!/usr/bin/env bash
# b55: tlbreport --fleet over 200 small captures (issue 13 item 5: "a fleet of 200 captures
# must report in seconds"). Each capture: tlbgen (2 VMs x 4 vcpus on 4 cores, 2000 events,
# its own seed) + tlbreplay --store (five policies). Target: under 5 s for the report.
# Ceiling measured in the same run: deploy/fleet-db.sh building the same fleet DB in
# shell (sqlite3, one ATTACH per capture) plus gnuplot on the report's kept scripts.
# The captures are cached in $BENCH_DIR/b55-fleet (delete to rebuild).
set -u
BIN=${TLB_BIN:?}
DIR=${BENCH_DIR:?}
ROOT=${TLB_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
N=${B55_CAPTURES:-200}
caps=$DIR/b55-fleet-$N
for p in tlbgen tlbreplay tlbreport; do
	[ -x "$BIN/$p" ] || { echo "b55: no $BIN/$p: cannot run"; exit 1; }
done
command -v gnuplot > /dev/null || { echo "b55: no gnuplot"; exit 1; }
command -v sqlite3 > /dev/null || { echo "b55: no sqlite3"; exit 1; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.4f\", $* }"; }
less_than() { awk "BEGIN { exit !($1 < $2) }"; }
if [ "$(ls "$caps"/*.db 2> /dev/null | wc -l)" -ne "$N" ]; then
	rm -rf "$caps"
	mkdir -p "$caps"
	echo "b55: generating and replaying $N captures (once; cached in $caps)"
	t0=$(now)
	for i in $(seq -w 1 "$N"); do
		"$BIN/tlbgen" -q -o "$caps/host-$i.db" --vms 2 --vcpus 4 --cores 4 --events 2000 \
			--seed "$((10#$i))" || exit 1
		sqlite3 "$caps/host-$i.db" "UPDATE meta SET value = 'host-$i' WHERE key = 'host'" || exit 1
		"$BIN/tlbreplay" -q --store "$caps/host-$i.db" > /dev/null || exit 1
	done
	printf 'b55: tlbgen + tlbreplay --store of %s captures: %.1f s (not part of the figure)\n' \
		"$N" "$(calc "$(now) - $t0")"
fi
out=$DIR/b55-report
rm -rf "$out" "$DIR/b55-fleet-sh.db"
t0=$(now)
"$BIN/tlbreport" --fleet -q -o "$out" "$caps" || { echo "b55: tlbreport --fleet failed"; exit 1; }
t1=$(now)
report=$(calc "$t1 - $t0")
printf 'b55: tlbreport --fleet over %s captures (%s stored runs copied into fleet.db): %.2f s\n' \
	"$N" "$(sqlite3 "$out/fleet.db" 'SELECT count(*) FROM replay_run')" "$report"

t0=$(now)
bash "$ROOT/deploy/fleet-db.sh" -o "$DIR/b55-fleet-sh.db" "$caps" 2> /dev/null || { echo "b55: fleet-db.sh failed"; exit 1; }
t1=$(now)
( cd "$out/plots" && ls *.gp | xargs -P 2 -n 1 gnuplot 2> /dev/null ) || { echo "b55: gnuplot failed on the kept scripts"; exit 1; }
t2=$(now)
floor=$(calc "$t2 - $t0")
printf 'b55: ceiling (fleet-db.sh %.2f s + gnuplot on the kept scripts %.2f s): %.2f s; report / ceiling = %.2f\n' \
	"$(calc "$t1 - $t0")" "$(calc "$t2 - $t1")" "$floor" "$(calc "$report / $floor")"
if less_than "$report" 5; then
	printf 'b55: target under 5 s: met (%.0f%% of it)\n' "$(calc "$report * 20")"
else
	printf 'b55: target under 5 s: MISSED (%.2f s)\n' "$report"
fi
