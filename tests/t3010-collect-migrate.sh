#!/usr/bin/env bash
# t3010-collect-migrate: the migrate events tlbcollect records are exactly the moves a
# workload of vcpu-named threads made (sched_setaffinity, printed by the workload);
# identity rows (vm, vcpu, vcpu_create); --pid selects one VM; "CPU N/TCG" threads; replay.
. "$(dirname "$0")/lib.sh"
. "$ROOT/collector/test/collect-lib.sh"
collect_prereqs
W=$TLB_TESTBIN/collect-workload
# Other VMs (a real QEMU of the pseries harness) may run now: every query below selects
# the workload's own process, vm.pid = its pid.
wait_ready() { for _ in $(seq 1 100); do grep -q ready "$1" && return 0; sleep 0.05; done; return 1; }

wait_done() { for _ in $(seq 1 200); do grep -q '^done' "$1" && return 0; sleep 0.05; done; return 1; }

# --- 3010.1-10: every VM (default), 3 threads, 9 moves. The workload's threads sleep
# from before the collector starts until after it stops (--hold): it sees every switch.
"$W" --threads 3 --moves 9 --wait --hold > "$T/wa.txt" & PA=$!
wait_ready "$T/wa.txt"
collect_start "$T/a.db" --poll-ms 10
ok_if "3010.1 collector started" test -n "$CPID"
kill -USR1 "$PA"; wait_done "$T/wa.txt"
grep '^migrate' "$T/wa.txt" > "$T/sched.txt"
kill -INT "$CPID"; collect_wait
kill -USR1 "$PA"; wait "$PA"
check_eq "3010.2 collector exit 0 on SIGINT" 0 "$CRC"
VM=$(sqlite3 "$T/a.db" "SELECT id FROM vm WHERE pid = $PA")
VM=${VM:-none}
# The workload's own account of its moves: thread k%3 moves to the next cpu, 9 lines.
check_eq "3010.3 workload made 9 moves" 9 "$(grep -c '^migrate ' "$T/sched.txt")"
sqlite3 "$T/a.db" "SELECT 'migrate', vcpu, orig_cpu, dest_cpu FROM migration WHERE vm = $VM ORDER BY ts, id" \
	| tr '|' ' ' > "$T/rec.txt"
check_eq "3010.4 recorded migrate events = the schedule, in order" "$(cat "$T/sched.txt")" "$(cat "$T/rec.txt")"
# One process with three vcpu threads: 1 vm row, 3 vcpu rows named CPU 0..2/KVM with
# their thread ids, and 3 vcpu_create events, each before any other event of its vcpu.
check_eq "3010.5 one vm row for the workload's process" 1 "$(sqlite3 "$T/a.db" "SELECT count(*) FROM vm WHERE pid = $PA")"
check_eq "3010.6 vcpu rows" "0|CPU 0/KVM|1,1|CPU 1/KVM|1,2|CPU 2/KVM|1" \
	"$(sqlite3 "$T/a.db" "SELECT id || '|' || name || '|' || (tid IS NOT NULL AND tid <> $PA)
	   FROM vcpu WHERE vm = $VM ORDER BY id" | paste -sd,)"
check_eq "3010.7 one vcpu_create per vcpu, before its other events" "0 1 2" \
	"$(sqlite3 "$T/a.db" "SELECT vcpu FROM vcpu_creation c WHERE vm = $VM AND NOT EXISTS (SELECT 1 FROM event e
	   WHERE e.vm = c.vm AND e.vcpu = c.vcpu AND e.rowid < c.id) ORDER BY vcpu" | paste -sd' ')"
# A thread moved by sched_setaffinity returns from it on the new cpu, so every migrate
# is followed by a run of that vcpu on dest: a switch-in there (guest_enter, no KVM
# entries here) or, where the kernel did not report that switch-in (check_runs), the
# switch-out that ends it.
check_eq "3010.8 each migrate followed by a run on its destination" 0 \
	"$(sqlite3 "$T/a.db" "SELECT count(*) FROM migration m WHERE vm = $VM AND NOT EXISTS (SELECT 1 FROM
	   (SELECT vm, vcpu, cpu, ts FROM guest_entry UNION ALL SELECT vm, vcpu, cpu, ts FROM guest_exit) g
	   WHERE g.vm = m.vm AND g.vcpu = m.vcpu AND g.cpu = m.dest_cpu AND g.ts >= m.ts)")"
check_eq "3010.9 meta guest_enter_from_sched = guest_enter rows" \
	"$(sqlite3 "$T/a.db" "SELECT count(*) FROM guest_entry")" "$(meta "$T/a.db" guest_enter_from_sched)"
check_eq "3010.10 meta: received = written + filtered + lost" \
	"$(meta "$T/a.db" events_received)" \
	"$(( $(meta "$T/a.db" events_written) + $(meta "$T/a.db" events_filtered) + $(meta "$T/a.db" lost_events) ))"

# --- 3010.11-12: the DB replays
if [ -x "$TLB_BIN/tlbreplay" ]; then
	check_exit "3010.11 tlbreplay replays the capture" 0 tlb tlbreplay --format json "$T/a.db"
	# guest_entries counted by the replay = guest_enter rows (contract: every such event counts)
	n_enter=$(sqlite3 "$T/a.db" "SELECT count(*) FROM guest_entry")
	check_grep "3010.12 replay counts every guest_enter ($n_enter)" "\"guest_entries\": *$n_enter\b" "$OUT"
else
	skip "3010.11 tlbreplay replays the capture" "no $TLB_BIN/tlbreplay yet (replay engine not built)"
	skip "3010.12 replay counts every guest_enter" "no tlbreplay"
fi

# --- 3010.13-16: --pid selects one VM; the other process (TCG-named) is not recorded
"$W" --threads 2 --moves 4 --wait > "$T/w1.txt" & P1=$!
"$W" --threads 2 --moves 4 --wait --tcg > "$T/w2.txt" & P2=$!
wait_ready "$T/w1.txt"; wait_ready "$T/w2.txt"
collect_start "$T/b.db" --pid "$P1" --poll-ms 10
kill -USR1 "$P1" "$P2"; wait "$P1" "$P2"
kill -INT "$CPID"; collect_wait
check_eq "3010.13 --pid run exit 0" 0 "$CRC"
check_eq "3010.14 only the selected process is a VM" "$P1" "$(sqlite3 "$T/b.db" "SELECT group_concat(pid) FROM vm")"
grep '^migrate' "$T/w1.txt" > "$T/w1.sched"
check_eq "3010.15 its moves, exactly" "$(cat "$T/w1.sched")" \
	"$(sqlite3 "$T/b.db" "SELECT 'migrate', vcpu, orig_cpu, dest_cpu FROM migration ORDER BY ts, id" | tr '|' ' ')"
check_eq "3010.16 meta filter_pids" "$P1" "$(meta "$T/b.db" filter_pids)"

# --- 3010.17-19: without --pid both processes are VMs; TCG threads named so; SIGTERM
"$W" --threads 2 --moves 2 --wait > "$T/w3.txt" & P3=$!
"$W" --threads 2 --moves 2 --wait --tcg > "$T/w4.txt" & P4=$!
wait_ready "$T/w3.txt"; wait_ready "$T/w4.txt"
collect_start "$T/c.db" --poll-ms 10 --no-switch-out
kill -USR1 "$P3" "$P4"; wait "$P3" "$P4"
kill -TERM "$CPID"; collect_wait
check_eq "3010.17 SIGTERM stops cleanly too" 0 "$CRC"
check_eq "3010.18 both processes are VMs, one with TCG-named vcpus" "$P3:CPU 0/KVM,CPU 1/KVM $P4:CPU 0/TCG,CPU 1/TCG" \
	"$(sqlite3 "$T/c.db" "SELECT v.pid || ':' || (SELECT group_concat(name) FROM (SELECT name FROM vcpu c
	   WHERE c.vm = v.id ORDER BY id)) FROM vm v WHERE v.pid IN ($P3, $P4) ORDER BY v.pid = $P4" | paste -sd' ')"
check_eq "3010.19 migrations of both: 2 + 2" 4 "$(sqlite3 "$T/c.db" "SELECT count(*) FROM migration m
	JOIN vm v ON v.id = m.vm WHERE v.pid IN ($P3, $P4)")"
# Switch-outs are recorded by default, as guest_exit with trap NULL: the ends of the host
# run intervals. In run a the workload's threads were named and blocked on a semaphore
# before the collector started, and had exited before it stopped; a thread runs on one
# cpu from its switch-in to its switch-out. So, per vcpu in ts order, the rows alternate
# enter, exit, enter, exit ..., beginning with an enter and ending with an exit, and each
# exit is on its enter's cpu (a move happens between a switch-out and the next switch-in).
check_eq "3010.20 default: exits have trap NULL" 0 \
	"$(sqlite3 "$T/a.db" "SELECT count(*) FROM guest_exit WHERE vm = $VM AND trap IS NOT NULL")"
# In run a the workload's threads slept from before the collector started until after
# it stopped; a move happens between a switch-out and the next switch-in.
check_runs 3010.21 "$T/a.db" "$VM"
check_eq "3010.21b ... all 3 vcpus have runs" "$VM:0 $VM:1 $VM:2" "$(awk '{ print $1 }' "$T/runs.3010.21" | sort -u | paste -sd' ')"
# each thread runs once when started, and a move (the thread is taken off its cpu and put
# on the next) starts a new run: at least 3 + 9 runs
ok_if "3010.21c ... at least one run per thread plus one per move ($(grep -c ' X ' "$T/runs.3010.21") exits >= 12)" \
	test "$(grep -c ' X ' "$T/runs.3010.21")" -ge 12
check_eq "3010.21d meta guest_exit_from_sched = guest_exit rows" \
	"$(sqlite3 "$T/a.db" "SELECT count(*) FROM guest_exit")" "$(meta "$T/a.db" guest_exit_from_sched)"
meta "$T/a.db" switch_out > "$T/swa.txt"; meta "$T/c.db" switch_out > "$T/swc.txt"
check_grep "3010.21e meta switch_out says they were recorded" '^recorded' "$T/swa.txt"
check_eq "3010.21f --no-switch-out: no guest_exit rows" 0 "$(sqlite3 "$T/c.db" "SELECT count(*) FROM guest_exit g
	JOIN vm v ON v.id = g.vm WHERE v.pid IN ($P3, $P4)")"
check_grep "3010.21g --no-switch-out: meta switch_out says not recorded" '^not recorded' "$T/swc.txt"

# --- 3010.22-25: --enter kvm takes guest_enter from KVM tracepoints only; none fire here
# (no hardware virtualisation), so the switch-ins are filtered, counted, and migrations stay.
"$W" --threads 2 --moves 4 --wait > "$T/w5.txt" & P5=$!
wait_ready "$T/w5.txt"
collect_start "$T/d.db" --poll-ms 10 --enter kvm --switch-out
kill -USR1 "$P5"; wait "$P5"
kill -INT "$CPID"; collect_wait
VM5=$(sqlite3 "$T/d.db" "SELECT id FROM vm WHERE pid = $P5"); VM5=${VM5:-none}
check_eq "3010.22 --enter kvm: no guest_enter from switch-ins" 0 "$(sqlite3 "$T/d.db" "SELECT count(*) FROM guest_entry WHERE vm = $VM5")"
# --switch-out (the default, still accepted): switch-outs end the intervals switch-ins
# begin, so with guest_enter from KVM they are filtered too
check_eq "3010.22b --enter kvm --switch-out: no guest_exit from switch-outs" 0 "$(sqlite3 "$T/d.db" "SELECT count(*) FROM guest_exit WHERE vm = $VM5")"
check_eq "3010.23 --enter kvm: the moves are still recorded" "$(grep '^migrate' "$T/w5.txt")" \
	"$(sqlite3 "$T/d.db" "SELECT 'migrate', vcpu, orig_cpu, dest_cpu FROM migration WHERE vm = $VM5 ORDER BY ts, id" | tr '|' ' ')"
ok_if "3010.24 --enter kvm: switch-ins counted as filtered" test "$(meta "$T/d.db" events_filtered)" -gt 0
check_eq "3010.25 received = written + filtered + lost" "$(meta "$T/d.db" events_received)" \
	"$(( $(meta "$T/d.db" events_written) + $(meta "$T/d.db" events_filtered) + $(meta "$T/d.db" lost_events) ))"
