#!/usr/bin/env bash
# t7100-slurm-fleet: deploy/slurm/ on a single-node Slurm this test starts itself
# (munged, slurmctld, slurmd, everything under $T: deploy/slurm/local-cluster.sh).
# capture.sbatch records this host's vcpu-named threads (collect-workload) into
# DIR/HOST-JOB.db plus a manifest equal to the DB's meta; replay.sbatch replays 20
# generated captures as a job array (and 3 x 2 machines, one task per capture x
# setting); the results stored in each capture equal a local serial tlbreplay --store
# of a copy of it, digest for digest, row for row. The daemons are stopped by pid.
. "$(dirname "$0")/lib.sh"
need_root || skip_all "slurmd and tlbcollect need root"
"$ROOT/scripts/install-deps.sh" slurm > "$T/deps.log" 2>&1 ||
	skip_all "Slurm cannot be installed (scripts/install-deps.sh slurm): $(tail -1 "$T/deps.log")"
for p in tlbgen tlbreplay; do [ -x "$TLB_BIN/$p" ] || skip_all "no $TLB_BIN/$p"; done
. "$ROOT/deploy/slurm/local-cluster.sh"
W=$TLB_TESTBIN/collect-workload
WPID=
cleanup() {
	[ -n "$WPID" ] && kill "$WPID" 2> /dev/null && wait "$WPID" 2> /dev/null
	slurm_local_stop
	rm -rf "$T"
}
trap cleanup EXIT
# 10 slots on this machine's cpus: the 20 tiny replays run in two waves instead of ten
# (Slurm starts the next tasks a second or more after others end; bench/b70 measures it).
slurm_local_start "$T/slurm" 10 || skip_all "a local Slurm cannot start here: $SLURM_LOCAL_WHY"
ok "7100.1 single-node Slurm up (sinfo: idle)"
export TLBREPLAY=$TLB_BIN/tlbreplay TLBCOLLECT=$TLB_BIN/tlbcollect
SB=$ROOT/deploy/slurm

# wait_job ID SECONDS: until the job (every array task) has left the queue.
wait_job() {
	local i
	for ((i = 0; i < $2 * 5; i++)); do
		[ -z "$(squeue -h -j "$1" -o %i 2> /dev/null)" ] && return 0
		sleep 0.2
	done
	return 1
}
# results DB: every stored result but the run ids, times and tool version, in one order.
results() {
	sqlite3 -init /dev/null -readonly "$1" "
	  SELECT r.policy, r.machine, r.params, r.trace_digest, r.bucket_ns, t.vm, t.events, t.guest_entries,
	         t.hcalls, t.full_flushes, t.tlbiel_flush, t.tlbiel_inval, t.local_seqs, t.tlbie,
	         t.tlbie_seqs, t.cycles, t.stale_exposures
	  FROM replay_run r JOIN replay_total t ON t.run = r.id ORDER BY r.machine, r.policy, t.vm;
	  SELECT r.policy, r.machine, count(*), sum(s.cycles), sum(s.events), sum(s.bucket_ns)
	  FROM replay_run r JOIN replay_series s ON s.run = r.id GROUP BY r.id ORDER BY r.machine, r.policy;
	  SELECT r.policy, r.machine, h.ts, h.vm, h.vcpu, h.core, h.marked_ts
	  FROM replay_run r JOIN replay_hazard h ON h.run = r.id ORDER BY r.machine, r.policy, h.ts, h.vm, h.core;" 2>&1
}
digests() { sqlite3 -init /dev/null -readonly "$1" "SELECT machine || ' ' || policy || ' ' || trace_digest FROM replay_run ORDER BY machine, policy" 2>&1; }

# --- 7100.2-9: capture.sbatch on this host's vcpu-named threads
if [ ! -x "$TLB_BIN/tlbcollect" ] || [ ! -x "$W" ] || [ ! -r /sys/kernel/btf/vmlinux ]; then
	for i in 2 3 4 5 6 7 8 9; do skip "7100.$i capture.sbatch" "no tlbcollect, collect-workload or kernel BTF"; done
else
	# Two vcpu threads switching through a pipe, 200 round trips/s, beyond the capture.
	"$W" --threads 2 --pingpong 30 --rate 200 > "$T/w.out" 2>&1 & WPID=$!
	mkdir -p "$T/cap"
	job=$(sbatch --parsable -N 1 -o "$T/cap-%j.out" "$SB/capture.sbatch" "$T/cap" 2)
	wait_job "$job" 60; rc=$?
	check_eq "7100.2 capture job finished" 0 "$rc"
	host=$(hostname -s)
	db=$T/cap/$host-$job.db
	check_eq "7100.3 one DB, named HOST-JOB.db, and the manifest" \
		"$(printf '%s\n' "$host-$job.db" "manifest-$job.tsv" | LC_ALL=C sort | paste -sd' ')" \
		"$(ls "$T/cap" | LC_ALL=C sort | paste -sd' ')"
	check_grep "7100.4 the job said so" "capture.sbatch: 1 captures of 1 nodes" "$T/cap-$job.out"
	m() { sqlite3 -init /dev/null "$db" "SELECT value FROM meta WHERE key = '$1'"; }
	check_eq "7100.5 manifest: header + host, kernel, start, events, lost from the DB's meta" \
		"$(printf 'host\tkernel\tstart\tevents\tlost\tfile\n%s\t%s\t%s\t%s\t%s\t%s' "$host" "$(uname -r)" \
		   "$(m start_time)" "$(m events_written)" "$(m lost_events)" "$host-$job.db")" \
		"$(cat "$T/cap/manifest-$job.tsv" 2>&1)"
	check_eq "7100.6 the workload's process is a VM with its two vcpu threads" "CPU 0/KVM,CPU 1/KVM" \
		"$(sqlite3 "$db" "SELECT group_concat(name) FROM (SELECT c.name FROM vcpu c JOIN vm v ON v.id = c.vm
		   WHERE v.pid = $WPID ORDER BY c.id)" 2>&1)"
	n_enter=$(sqlite3 "$db" "SELECT count(*) FROM guest_entry g JOIN vm v ON v.id = g.vm WHERE v.pid = $WPID" 2>&1)
	# 2 s at 200 round trips/s: each trip switches both threads in; hundreds at least.
	ok_if "7100.7 its switch-ins were recorded ($n_enter guest entries over 2 s)" test "$n_enter" -gt 200
	ev=$(cut -f4 "$T/cap/manifest-$job.tsv" | sed -n 2p)
	ok_if "7100.8 manifest events ($ev) count at least the workload's guest entries" test "${ev:-0}" -ge "$n_enter"
	check_exit "7100.9 the capture replays" 0 tlb tlbreplay -q "$db"
	kill "$WPID" 2> /dev/null; wait "$WPID" 2> /dev/null; WPID=
fi

# --- 7100.10-16: replay.sbatch over 20 generated captures, one array task each
mkdir -p "$T/fleet" "$T/local" "$T/logs"
for i in $(seq -w 1 20); do
	tlb tlbgen -q -o "$T/fleet/c$i.db" --events 3000 --seed "$((10#$i))" --vms 2 --vcpus 2 --cores 2 \
		--host-inval-rate 2000 --hpt-resets 1 || not_ok "7100.gen tlbgen c$i"
	cp "$T/fleet/c$i.db" "$T/local/c$i.db"
done
t0=$(date +%s)
job=$(cd "$T" && TLB_REPLAY_LIST=$T/fleet.list "$SB/replay.sbatch" -o "$T/logs/%A_%a.out" "$T/fleet" 2> "$T/submit.err")
check_grep "7100.10 replay.sbatch submitted 20 array tasks" "20 captures in 20 array tasks" "$T/submit.err"
wait_job "$job" 150; rc=$?
check_eq "7100.11 the array finished" 0 "$rc"
echo "# 20 array tasks, submit to last finish: $(( $(date +%s) - t0 )) s"
check_eq "7100.12 20 task logs, each replayed its capture with exit 0" 20 \
	"$(cat "$T"/logs/"${job}"_*.out 2> /dev/null | grep -cE "replayed $T/fleet/c[0-9]+\.db in [0-9.]+ s exit 0$")"
check_eq "7100.13 each capture replayed by exactly one task" "$(seq -f "$T/fleet/c%02g.db" 1 20)" \
	"$(cat "$T"/logs/"${job}"_*.out 2> /dev/null | sed -n 's/.* replayed \(.*\) in .*/\1/p' | LC_ALL=C sort)"
for f in "$T"/local/c*.db; do tlb tlbreplay --store -q "$f" > /dev/null || not_ok "7100.local tlbreplay --store $f"; done
diffs='' ddiffs=''
for i in $(seq -w 1 20); do
	[ "$(results "$T/fleet/c$i.db")" = "$(results "$T/local/c$i.db")" ] || diffs="$diffs c$i"
	[ "$(digests "$T/fleet/c$i.db")" = "$(digests "$T/local/c$i.db")" ] || ddiffs="$ddiffs c$i"
done
check_eq "7100.14 every capture's stored digests = the local serial run's" "" "$ddiffs"
check_eq "7100.15 every capture's stored totals, series and hazards = the local serial run's" "" "$diffs"
check_eq "7100.16 the runs stored are one set per capture (no task wrote twice or elsewhere)" \
	"$(digests "$T/local/c01.db" | wc -l) x 20" \
	"$(for f in "$T"/fleet/c*.db; do digests "$f" | wc -l; done | sort -u | paste -sd,) x $(ls "$T"/fleet/*.db | wc -l)"
check_eq "7100.16.1 nothing but the 20 captures in their directory afterwards" "$(seq -f "c%02g.db" 1 20)" \
	"$(ls -A "$T/fleet" | LC_ALL=C sort)"
ok_if "7100.17 results are not empty (a run per policy, totals per VM)" test "$(results "$T/local/c01.db" | wc -l)" -ge 8

# --- 7100.17.2-4: resubmitted after a partial run: stored captures are skipped
mkdir -p "$T/again"
for i in 01 02 03; do cp "$T/fleet/c$i.db" "$T/again/c$i.db"; done
# c03 as if its task had been killed before it stored anything
sqlite3 "$T/again/c03.db" "DELETE FROM replay_hazard; DELETE FROM replay_series; DELETE FROM replay_total; DELETE FROM replay_run"
job=$(cd "$T" && TLB_REPLAY_LIST=$T/again.list "$SB/replay.sbatch" -o "$T/logs/%A_%a.out" "$T/again" 2> "$T/submit-again.err")
wait_job "$job" 60; rc=$?
check_eq "7100.17.2 the resubmitted array finished" 0 "$rc"
check_eq "7100.17.3 c01, c02 skipped (same digest and parameters stored), c03 replayed" \
	"c01.db skipped,c02.db skipped,c03.db replayed" \
	"$(cat "$T"/logs/"${job}"_*.out 2> /dev/null | sed -n 's#.* \(skipped\|replayed\) .*/\(c0[0-9]\.db\) in .* exit 0$#\2 \1#p' | LC_ALL=C sort | paste -sd,)"
check_eq "7100.17.4 c03's stored digests = the local serial run's again" "$(digests "$T/local/c03.db")" "$(digests "$T/again/c03.db")"

# --- 7100.18-20: capture x machine setting, one task each (3 captures x 2 machines)
mkdir -p "$T/set" "$T/setlocal"
for i in 01 02 03; do cp "$T/local/c$i.db" "$T/set/c$i.db"; done
# the copies already hold the default machine's runs: add power8 and power9-hash ones
for i in 01 02 03; do cp "$T/set/c$i.db" "$T/setlocal/c$i.db"; done
job=$(cd "$T" && TLB_REPLAY_LIST=$T/set.list "$SB/replay.sbatch" -m power8,power9-hash --per-setting \
	-o "$T/logs/%A_%a.out" "$T/set" 2> "$T/submit2.err")
check_grep "7100.18 3 captures x 2 machines: 6 array tasks" "3 captures x machines power8,power9-hash in 6 array tasks" "$T/submit2.err"
wait_job "$job" 90
for f in "$T"/setlocal/c*.db; do
	for mach in power8 power9-hash; do tlb tlbreplay --store -q -m "$mach" "$f" > /dev/null || not_ok "7100.local -m $mach $f"; done
done
diffs=
for i in 01 02 03; do
	[ "$(results "$T/set/c$i.db")" = "$(results "$T/setlocal/c$i.db")" ] || diffs="$diffs c$i"
done
check_eq "7100.19 per-setting tasks: 6 logs with exit 0" 6 \
	"$(cat "$T"/logs/"${job}"_*.out 2> /dev/null | grep -cE " -m power(8|9-hash) in [0-9.]+ s exit 0$")"
check_eq "7100.20 per-setting results = local serial runs of each machine" "" "$diffs"
check_eq "7100.21 three machines stored per capture" "power7 power8 power9-hash" \
	"$(sqlite3 "$T/set/c02.db" "SELECT DISTINCT machine FROM replay_run ORDER BY 1" | paste -sd' ')"

# --- 7100.21.1-3: a capture that is not a trace fails its own task only
mkdir -p "$T/mixed"
echo "not a trace" > "$T/mixed/bad.db"
cp "$T/local/c04.db" "$T/mixed/good.db"
sum_bad=$(md5sum < "$T/mixed/bad.db")
job=$(cd "$T" && TLB_REPLAY_LIST=$T/mixed.list "$SB/replay.sbatch" -o "$T/logs/%A_%a.out" "$T/mixed" 2> /dev/null)
wait_job "$job" 60
check_eq "7100.21.1 bad.db's task failed with exit 2, good.db's was done (skipped: its runs are stored already)" "bad.db 2,good.db 0" \
	"$(cat "$T"/logs/"${job}"_*.out 2> /dev/null | sed -n 's#.* \(replayed\|skipped\) .*/\([a-z]*\.db\) in .* exit \([0-9]*\)$#\2 \3#p' | LC_ALL=C sort | paste -sd,)"
check_grep "7100.21.2 ... tlbreplay's reason in its log" "tlbreplay: .*bad.db" "$(ls "$T"/logs/"${job}"_0.out)"
check_eq "7100.21.3 ... and bad.db left as it was" "$sum_bad" "$(md5sum < "$T/mixed/bad.db")"

# --- 7100.22: the daemons this test started stop, by pid
pids="${SLURM_LOCAL_PIDS[*]}"
slurm_local_stop
left=
for p in $pids; do kill -0 "$p" 2> /dev/null && left="$left $p"; done
check_eq "7100.22 munged, slurmctld and slurmd stopped" "" "$left"
