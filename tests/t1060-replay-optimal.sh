#!/usr/bin/env bash
# t1060-replay-optimal - properties of `optimal` on generated traces (tlbgen, several
# seeds, shapes and cost sets): its stale exposures are 0 and its cycles are at most
# those of every safe policy (per VM and over all VMs); on small traces (<= 18
# invalidations with a choice per VM) its counts and cycles equal those of a brute
# force over every local/global choice (replay_brute: its own simulation and safety
# rule, none of the min-cut code), including the cut the spec reports among equally
# cheap ones (fewest locals). Cost sets: the power7 profile (flushes dear), cheap flushes
# (windows worth flushing), dear tlbie with nearly free flushes, and a flush worth
# exactly two invalidations (ties).
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/data/replay/lib.sh"
need_cmd python3 || skip_all "python3 is not installed (checks the CSV)"
brute=$TLB_TESTBIN/replay_brute
[ -x "$brute" ] || skip_all "no $brute (make test-programs)"
[ -x "$TLB_BIN/tlbgen" ] || skip_all "no $TLB_BIN/tlbgen"
cd "$T" || exit 1

# cost set: "options for tlbreplay|the same as replay_brute's positional costs"
# (tlbiel tlbie tlbsync ptesync eieio lock flush_refill sets)
declare -A costs=(
	[profile]="|20 200 500 50 10 50 20000 128"
	[cheapflush]="--cost flush_refill=300 --cost sets=8|20 200 500 50 10 50 300 8"
	[deartlbie]="--cost tlbie=3000 --cost flush_refill=0 --cost sets=1|20 3000 500 50 10 50 0 1"
	# F = 100 + 20 + 1360 = 1480 = 2 x 740 (the w of an H_REMOVE of 1): ties everywhere,
	# so the reported cut (fewest locals among the cheapest) is what is compared
	[ties]="--cost flush_refill=1360 --cost sets=1|20 200 500 50 10 50 1360 1"
)

# shapes: tlbgen options; T is --threads
shapes=(
	"--vms 2 --vcpus 2 --cores 3 --threads 2 --host-inval-rate 2000 --migration-rate 300"
	"--vms 1 --vcpus 4 --cores 4 --threads 1 --migration-rate 500 --hpt-resets 2"
	"--vms 2 --vcpus 3 --cores 2 --threads 4 --hlocal-fraction 0.5 --host-inval-rate 3000 --hpt-resets 1"
	"--vms 1 --vcpus 2 --cores 4 --threads 2 --hcall-cpu unknown --migration-rate 400"
)
total=0
n=0
for shape in "${shapes[@]}"; do
	T_=${shape##*--threads }
	T_=${T_%% *}
	for seed in 1 2 3; do
		n=$((n + 1))
		# shellcheck disable=SC2086 # one option per word
		tlb tlbgen -q --force -o s$n.db --events 70 --seed $seed $shape > /dev/null 2>&1 ||
			{ not_ok "1060.$n tlbgen $shape --seed $seed"; continue; }
		for cs in profile cheapflush deartlbie ties; do
			opts=${costs[$cs]%%|*} pos=${costs[$cs]#*|}
			# shellcheck disable=SC2086
			tlb tlbreplay -q --format csv $opts s$n.db > s$n.$cs.csv
			# shellcheck disable=SC2086
			"$brute" s$n.db "$T_" $pos 18 > s$n.$cs.brute
			ok_if "1060.$n.$cs seed $seed ($shape): optimal safe, <= every safe policy, = brute force" \
				python3 "$RDATA/optimal_check.py" s$n.$cs.csv s$n.$cs.brute
			c=$(grep '^compared' "$OUT" | cut -d' ' -f2)
			total=$((total + ${c:-0}))
		done
	done
done
# The brute force must really have been compared, not skipped everywhere.
ok_if "1060.b at least 50 VM replays checked against the brute force (got $total)" test "$total" -ge 50

# Larger traces (properties only): the min cut's components, groups and passes at work.
for seed in 11 12; do
	tlb tlbgen -q --force -o l$seed.db --events 10000 --seed $seed --vms 3 --vcpus 4 --cores 4 \
		--threads 2 --migration-rate 200 --host-inval-rate 1000 --hpt-resets 2 > /dev/null 2>&1
	for cs in profile cheapflush deartlbie; do
		opts=${costs[$cs]%%|*}
		# shellcheck disable=SC2086
		tlb tlbreplay -q --format csv $opts l$seed.db > l$seed.$cs.csv
		ok_if "1060.l$seed.$cs 10000 events: optimal safe and <= every safe policy" \
			python3 "$RDATA/optimal_check.py" l$seed.$cs.csv
	done
done
# With cheap flushes, optimal must actually flush windows somewhere (not just go global).
check_eq "1060.w cheap flushes: optimal flushes windows (full_flushes > tracked's)" yes \
	"$(awk -F, '$2 == "all" { f[$1] = $6 } END { print (f["optimal"] > f["tracked"]) ? "yes" : "no" }' l11.cheapflush.csv)"
