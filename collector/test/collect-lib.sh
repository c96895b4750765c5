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
