# collector/test/collect-lib.sh - shared steps of tests t3xxx (sourced after tests/lib.sh).
#
#   collect_prereqs            skip_all with the reason when this machine cannot record
#   collect_start OUT ARGS...  start tlbcollect in the background (pid in $CPID), wait
#                              until it says it is recording; 1 if it died first
#   collect_wait               wait for it; its exit code in $CRC, output in $T/c.out, $T/c.err
#   meta DB KEY                one meta value
#   tlbc_prog_ids              ids of the loaded BPF programs named tlbc_* (any instance's)
#   new_ids BEFORE NOW         the ids of NOW not in BEFORE
# Other tlbcollect instances and real QEMU VMs may run on the machine at the same time
# (the pseries harness does both): tests select their own processes and programs.

collect_prereqs() {
	need_root || skip_all "recording needs root (BPF, tracefs)"
	[ -x "$TLB_BIN/tlbcollect" ] || skip_all "no $TLB_BIN/tlbcollect (build it: make)"
	[ -x "$TLB_TESTBIN/collect-workload" ] || skip_all "no collect-workload (make test-programs)"
	need_cmd sqlite3 || skip_all "sqlite3 is needed to read the trace DB"
	[ -r /sys/kernel/btf/vmlinux ] || skip_all "this kernel has no BTF: host mode cannot load"
	[ "$(nproc)" -ge 2 ] || skip_all "one cpu: no migration can be scheduled"
}

collect_start() {
	local out=$1; shift
	rm -f "$T/c.out" "$T/c.err"
	"$TLB_BIN/tlbcollect" -o "$out" "$@" > "$T/c.out" 2> "$T/c.err" &
	CPID=$!
	for _ in $(seq 1 300); do
		grep -q "recording" "$T/c.err" 2>/dev/null && return 0
		kill -0 "$CPID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

collect_wait() {
	wait "$CPID"
	CRC=$?
}

meta() { sqlite3 "$1" "SELECT value FROM meta WHERE key = '$2'"; }

tlbc_prog_ids() {
	bpftool prog show 2>/dev/null | awk '/ name tlbc_/ { sub(":", "", $1); print $1 }' | sort -n | paste -sd' '
}

new_ids() {
	local id out=""
	for id in $2; do
		case " $1 " in *" $id "*) ;; *) out="$out $id" ;; esac
	done
	echo $out
}

# common_ids A B: the ids in both lists
common_ids() {
	local id out=""
	for id in $2; do
		case " $1 " in *" $id "*) out="$out $id" ;; esac
	done
	echo $out
}

# irregular_runs RUNS: "vcpu E|X cpu ..." lines per vcpu in ts order (runs_of). Prints
# each place where enter, exit, enter, exit ... (first an enter, last an exit, each exit
# on its enter's cpu) does not hold, one line each, classified:
#   "vcpu V row N: X after X"      a switch-out with no switch-in before it (N > 1)
#   "vcpu V row N: E after E"      a switch-in with no switch-out before it
#   "vcpu V row 1: X first"        its first row is a switch-out
#   "vcpu V row N: exit on cpu A, entered on B"
#   "vcpu V: E last"               no switch-out after the last switch-in
irregular_runs() {
	awk '{ n[$1]++
	       if (!($1 in st)) { if ($2 == "X") print "vcpu " $1 " row 1: X first" }
	       else if ($2 == st[$1]) print "vcpu " $1 " row " n[$1] ": " $2 " after " $2
	       else if ($2 == "X" && $3 != cpu[$1]) print "vcpu " $1 " row " n[$1] ": exit on cpu " $3 ", entered on " cpu[$1]
	       st[$1] = $2; cpu[$1] = $3 }
	     END { for (v in st) if (st[v] != "X") print "vcpu " v ": E last" }' "$1"
}

# runs_of DB: the guest_enter / guest_exit rows of every VM, "VM:VCPU E|X cpu ts id",
# per vcpu in ts order
runs_of() {
	sqlite3 "$1" "SELECT vm || ':' || vcpu, k, cpu, ts, id FROM (SELECT id, ts, vm, vcpu, 'E' AS k, cpu FROM guest_entry
		UNION ALL SELECT id, ts, vm, vcpu, 'X', cpu FROM guest_exit) ORDER BY vm, vcpu, ts, id" | tr '|' ' '
}

# check_runs ID DB VM: a vcpu thread runs on one cpu from its switch-in to its
# switch-out, so its rows alternate. On this machine kind's kernel (6.18, Firecracker)
# sched_switch now and then does not fire for a vcpu thread's switch-in (ftrace's own
# sched_switch lacked it too: collector/README.md), so a few rows may not alternate;
# the writer counts those it can tell (meta switch_in_unreported / switch_out_unreported)
# and they must be few: at most 3, or 1 in 1000 rows. A wrong split of pair records or
# a lost identity breaks far more. Leaves VM's rows (runs_of lines) in $T/runs.ID.
check_runs() {
	local id=$1 db=$2 vm=$3 nrows nirr
	runs_of "$db" > "$T/allruns.$id"
	irregular_runs "$T/allruns.$id" > "$T/allirregular.$id"
	grep "^$vm:" "$T/allruns.$id" > "$T/runs.$id"
	grep "^vcpu $vm:" "$T/allirregular.$id" > "$T/irregular.$id"
	nrows=$(wc -l < "$T/runs.$id"); nirr=$(wc -l < "$T/irregular.$id")
	ok_if "$id per vcpu: enter, exit, ... alternate, each exit on its enter's cpu ($nirr irregular of $nrows$(head -3 "$T/irregular.$id" | sed 's/^/; /' | tr -d '\n'))" \
		test "$nirr" -le 3 -o "$nirr" -le $((nrows / 1000))
	# the meta counts cover every VM of the capture
	check_eq "$id.m ... the writer counted those it can tell (meta switch_in_unreported, switch_out_unreported)" \
		"$(grep -c 'X after X' "$T/allirregular.$id") $(grep -c 'E after E' "$T/allirregular.$id")" \
		"$(meta "$db" switch_in_unreported) $(meta "$db" switch_out_unreported)"
}
