#!/usr/bin/env bash
# b13-replay-jobs - `tlbreplay -j 2` over 20 independent captures on a 2-core machine, against
# the same 20 replays run one after the other (issue 13 item 3). Target: -j 2 at least 1.7x
# faster (wall) than serial. Also what a resumed batch costs: `-j 2 --store` over captures
# whose runs are all stored (each skipped after one bare digest scan, resume.h) against
# storing them.
#   captures: tlbgen --vms 2 --events 300000 --seed 1..20, all five policies (optimal: 3 passes)
set -u -o pipefail
BIN=${TLB_BIN:?} DIR=${BENCH_DIR:?}
replay=$BIN/tlbreplay gen=$BIN/tlbgen
[ -x "$replay" ] || { echo "no $replay (make)"; exit 1; }
[ -x "$gen" ] || { echo "no $gen (make)"; exit 1; }
N=20
caps=()
for i in $(seq 1 $N); do
	f=$DIR/jobs-$i.db
	if [ ! -s "$f" ]; then
		"$gen" -q -o "$f.tmp" --force --vms 2 --events 300000 --seed "$i" && mv "$f.tmp" "$f" ||
			{ echo "cannot make $f"; exit 1; }
	fi
	caps+=("$f")
done
cat "${caps[@]}" > /dev/null
echo "cores online: $(nproc); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# wall CMD...: "WALL CPU" seconds of a command and its children (output discarded)
wall() {
	/usr/bin/time -f '%e %U %S' "$@" 2>&1 > /dev/null | tail -1 | awk '{ printf "%.2f %.2f", $1, $2 + $3 }'
	[ "${PIPESTATUS[0]}" = 0 ]
}
export replay
# The target is about running captures side by side: each replay decodes on one thread here
# (TLB_SCAN_THREADS=1). By default a 300k-event capture is decoded in parallel already
# (common/pscan.h), so a serial batch then uses both cores too: measured apart below.
export TLB_SCAN_THREADS=1
# Rounds of serial, -j 1, -j 2 in turn; the best wall of each: other work on the 2 cores
# comes and goes, and the best round is the one it disturbed least.
ROUNDS=${B13_ROUNDS:-3}
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }
ts='' t1='' t2=''
for r in $(seq 1 "$ROUNDS"); do
	read -r w cs <<< "$(wall bash -c 'for f in "$@"; do "$replay" -q "$f" || exit 1; done' serial "${caps[@]}")" ||
		{ echo "serial replay failed"; exit 1; }
	ts=$(best "$ts" "$w")
	read -r w c1 <<< "$(wall "$replay" -q -j 1 "${caps[@]}")" || { echo "-j 1 failed"; exit 1; }
	t1=$(best "$t1" "$w")
	read -r w c2 <<< "$(wall "$replay" -q -j 2 "${caps[@]}")" || { echo "-j 2 failed"; exit 1; }
	t2=$(best "$t2" "$w")
	echo "round $r: serial $(echo "$cs" | cut -c1-6) s CPU; -j 2 $c2 s CPU; load $(cut -d' ' -f1 /proc/loadavg)"
done
printf '%-44s %7.2f s wall (best of %d)\n' "serial (20 processes, one after another)" "$ts" "$ROUNDS" \
	"-j 1 (the job runner, one at a time)" "$t1" "$ROUNDS" "-j 2" "$t2" "$ROUNDS"
speed=$(echo "scale=2; $ts / $t2" | bc)
verdict=$( [ "$(echo "$speed >= 1.7" | bc)" = 1 ] && echo met || echo MISSED )
printf 'speed-up of -j 2 over serial: %sx (target >= 1.7x): %s  (single-thread decode)\n' "$speed" "$verdict"
unset TLB_SCAN_THREADS
read -r pw pc <<< "$(wall bash -c 'for f in "$@"; do "$replay" -q "$f" || exit 1; done' serial "${caps[@]}")" ||
	{ echo "serial replay failed"; exit 1; }
read -r jw jc <<< "$(wall "$replay" -q -j 2 "${caps[@]}")" || { echo "-j 2 failed"; exit 1; }
printf '%-44s %7.2f s wall %7.2f s CPU\n' "serial, parallel decode (the default)" "$pw" "$pc" \
	"-j 2, parallel decode (the default)" "$jw" "$jc"
printf 'default serial vs single-thread serial: %sx; -j 2 vs single-thread serial: %sx\n' \
	"$(echo "scale=2; $ts / $pw" | bc)" "$(echo "scale=2; $ts / $jw" | bc)"

# Resume: store all, then the same command again (every capture skipped).
for f in "${caps[@]}"; do cp "$f" "$f.store"; done
st=("${caps[@]/%/.store}")
read -r tst cst <<< "$(wall "$replay" -q -j 2 --store "${st[@]}")" || { echo "-j 2 --store failed"; exit 1; }
read -r tsk csk <<< "$(wall "$replay" -q -j 2 --store "${st[@]}")" || { echo "the rerun failed"; exit 1; }
printf '%-44s %7.2f s wall %7.2f s CPU\n' "-j 2 --store (all replayed and stored)" "$tst" "$cst" \
	"the same again (all skipped: digest scans)" "$tsk" "$csk"
printf 'a skipped capture costs %s of its replay and store (CPU)\n' "$(echo "scale=3; $csk / $cst" | bc)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the cores makes -j 2 gain less)"
rm -f "${st[@]}"
