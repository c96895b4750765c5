#!/usr/bin/env bash
# b11-replay-optimal - what `optimal` costs (issue 11): it reads the trace three times
# (replay/policy_optimal.c) and holds one min-cut component per VM at a time.
#   1. the 10M-event tlbgen trace of b10 (seed 1): CPU time and peak RSS of the
#      one-pass replay of old,new,modern,tracked, of optimal alone, and of all five;
#   2. a 2M-event random trace with 8 VMs on 32 cpus (tlbgen --vms 8 --cores 8
#      --threads 4 --events 2000000 --seed 1): all five policies. Target: within 2
#      minutes (wall) in under 1 GiB of peak RSS.
set -u -o pipefail
BIN=${TLB_BIN:?} DIR=${BENCH_DIR:?}
replay=$BIN/tlbreplay gen=$BIN/tlbgen
[ -x "$replay" ] || { echo "no $replay (make)"; exit 1; }
[ -x "$gen" ] || { echo "no $gen (make)"; exit 1; }

make_db() {	# make_db FILE TLBGEN-ARGS...: cached
	local f=$1; shift
	[ -s "$f" ] && return 0
	echo "generating $f with tlbgen $*"
	"$gen" -q -o "$f.tmp" --force "$@" && mv "$f.tmp" "$f"
}
# measure CMD...: "WALL CPU PEAK_KIB" of a command (stdout discarded)
measure() {
	/usr/bin/time -f '%e %U %S %M' "$@" 2>&1 > /dev/null | tail -1 |
		awk '{ printf "%.2f %.2f %d", $1, $2 + $3, $4 }'
}
row() {	# row LABEL WALL CPU KIB
	printf '%-36s %8s s wall %8s s CPU %10s KiB peak RSS\n' "$1" "$2" "$3" "$4"
}

big=$DIR/replay-10m.db		# shared with b10 (same generator arguments)
make_db "$big" --events 10000000 --seed 1 || { echo "cannot make $big"; exit 1; }
cat "$big" > /dev/null
echo "10M events ($big):"
read -r w c k <<< "$(measure "$replay" -q --policy old,new,modern,tracked "$big")" || exit 1
row "old,new,modern,tracked (1 pass)" "$w" "$c" "$k"
read -r w c k <<< "$(measure "$replay" -q --policy optimal "$big")" || exit 1
row "optimal (3 passes)" "$w" "$c" "$k"
read -r w c k <<< "$(measure "$replay" -q "$big")" || exit 1
row "all five (default)" "$w" "$c" "$k"

rnd=$DIR/replay-2m-8vm-32cpu.db
make_db "$rnd" --vms 8 --cores 8 --threads 4 --events 2000000 --seed 1 || { echo "cannot make $rnd"; exit 1; }
cat "$rnd" > /dev/null
echo "2M events, 8 VMs on 32 cpus ($rnd):"
read -r w c k <<< "$(measure "$replay" -q "$rnd")" || exit 1
row "all five (default)" "$w" "$c" "$k"
read -r w2 c2 k2 <<< "$(measure "$replay" -q --policy optimal "$rnd")" || exit 1
row "optimal alone" "$w2" "$c2" "$k2"
verdict=$( [ "$(echo "$w <= 120 && $k < 1048576" | bc)" = 1 ] && echo met || echo MISSED )
printf 'target: all five within 120 s wall and under 1048576 KiB: %s\n' "$verdict"
