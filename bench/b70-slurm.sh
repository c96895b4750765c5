#!/usr/bin/env bash
# b70-slurm - what Slurm costs per replay.sbatch array task: submit to finish minus the
# replay itself, on a private single-node Slurm started here (deploy/slurm/local-cluster.sh,
# this machine's cpus as its slots) and stopped again by pid.
#
#   1 task alone, $B70_SINGLE times (default 5): submit (replay.sbatch) -> the task's log
#     written for the last time (its end), minus the tlbreplay wall time the task printed.
#   $B70_N tasks (default 20) in one array on S slots: per task, (wall x S - sum of the
#     replays) / N: the time each task holds a slot without replaying.
# Captures: tlbgen --events $B70_EVENTS (default 200000) --seed i, cached in $BENCH_DIR.
# A figure to report, not a target: the issue asks for it to be measured.
set -u -o pipefail
BIN=${TLB_BIN:?} DIR=${BENCH_DIR:?}
N=${B70_N:-20} SINGLE=${B70_SINGLE:-5} EVENTS=${B70_EVENTS:-200000}
ROOT=${TLB_ROOT:?}
[ "$(id -u)" -eq 0 ] || { echo "b70-slurm: slurmd needs root"; exit 1; }
"$ROOT/scripts/install-deps.sh" slurm || exit 1
for p in tlbgen tlbreplay; do [ -x "$BIN/$p" ] || { echo "no $BIN/$p (make)"; exit 1; }; done
. "$ROOT/deploy/slurm/local-cluster.sh"
work=$(mktemp -d "$DIR/b70.XXXXXX")
trap 'slurm_local_stop; rm -rf "$work"' EXIT
slurm_local_start "$work/slurm" || { echo "b70-slurm: no local Slurm: $SLURM_LOCAL_WHY"; exit 1; }
slots=$(nproc)
export TLBREPLAY=$BIN/tlbreplay

mkdir -p "$DIR/b70-captures"
for i in $(seq 1 "$N"); do
	f=$DIR/b70-captures/c$(printf %03d "$i")-$EVENTS.db
	[ -s "$f" ] || "$BIN/tlbgen" -q -o "$f" --events "$EVENTS" --seed "$i" --force || exit 1
done
now() { date +%s.%N; }
wait_job() { while [ -n "$(squeue -h -j "$1" -o %i 2> /dev/null)" ]; do sleep 0.05; done; }
# replays LOGS...: the replay seconds the task lines report, summed
replays() { sed -n 's/.* in \([0-9.]*\) s exit 0$/\1/p' "$@" | awk '{ s += $1 } END { printf "%.3f", s }'; }

echo "Slurm $(sinfo -V | awk '{print $2}'), 1 node, $slots slots; captures of $EVENTS events (tlbgen)"
# --- one task alone
singles=()
for r in $(seq 1 "$SINGLE"); do
	run=$work/single$r; mkdir -p "$run/db" "$run/log"
	cp "$DIR/b70-captures/c001-$EVENTS.db" "$run/db/c.db"
	t0=$(now)
	job=$(cd "$run" && "$ROOT/deploy/slurm/replay.sbatch" -o "$run/log/%A_%a.out" "$run/db" 2> /dev/null) || exit 1
	wait_job "$job"
	end=$(stat -c %.6Y "$run"/log/*.out)
	rep=$(replays "$run"/log/*.out)
	o=$(awk -v a="$t0" -v b="$end" -v r="$rep" 'BEGIN { printf "%.3f", b - a - r }')
	printf 'single task %d: submit to finish %.3f s, replay %s s, overhead %s s\n' "$r" \
		"$(awk -v a="$t0" -v b="$end" 'BEGIN { print b - a }')" "$rep" "$o"
	singles+=("$o")
done
med=$(printf '%s\n' "${singles[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')

# --- N tasks in one array
run=$work/array; mkdir -p "$run/db" "$run/log"
cp "$DIR"/b70-captures/c*-"$EVENTS".db "$run/db/"
t0=$(now)
job=$(cd "$run" && "$ROOT/deploy/slurm/replay.sbatch" -o "$run/log/%A_%a.out" "$run/db" 2> /dev/null) || exit 1
wait_job "$job"
end=$(stat -c %.6Y "$run"/log/*.out | sort -n | tail -1)
rep=$(replays "$run"/log/*.out)
ok=$(grep -c 'exit 0$' "$run"/log/*.out | awk -F: '{ s += $2 } END { print s }')
wall=$(awk -v a="$t0" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
per=$(awk -v w="$wall" -v s="$slots" -v r="$rep" -v n="$N" 'BEGIN { printf "%.3f", (w * s - r) / n }')
echo "array of $N tasks ($ok replayed): submit to last finish $wall s, replays $rep s in all"
echo "Slurm overhead per task, alone (median of $SINGLE): $med s"
echo "Slurm overhead per task, $N in one array on $slots slots: $per s  ((wall x slots - replays) / tasks)"
[ "$ok" -eq "$N" ] || { echo "b70-slurm: only $ok of $N tasks replayed"; exit 1; }
