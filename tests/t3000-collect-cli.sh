#!/usr/bin/env bash
# t3000-collect-cli: tlbcollect's command line, --list, refusals (output exists, not root,
# bad options), and a kernel that lacks sources (kvm_hv, powerpc) loading the rest.
. "$(dirname "$0")/lib.sh"
. "$ROOT/collector/test/collect-lib.sh"

[ -x "$TLB_BIN/tlbcollect" ] || skip_all "no $TLB_BIN/tlbcollect (build it: make)"

# 3000.1-3: help has the summary, USAGE and EXAMPLES with a comment per line
check_exit "3000.1 --help exits 0" 0 tlb tlbcollect --help
check_grep "3000.2 --help has USAGE" '^USAGE: tlbcollect' "$OUT"
check_grep "3000.3 --help has EXAMPLES with comments" '^  tlbcollect --list +# ' "$OUT"
check_grep "3000.3b --help: switch-outs recorded by default, --no-switch-out" '^ +--no-switch-out .* recorded$' "$OUT"

# 3000.4-7: bad usage is exit 2 with a "cannot" message
check_exit "3000.4 no output file" 2 tlb tlbcollect --duration 1
check_grep "3000.5 says what is missing" '^tlbcollect: cannot record: no output file' "$ERR"
check_exit "3000.6 bad --duration" 2 tlb tlbcollect -o "$T/x.db" --duration abc
# --duration must be a finite number of seconds from 0.01 to 30 days (inf, 1e300: forever;
# 1e-300: nothing recorded)
for d in inf 1e300 nan -1 1e-300 0 0.001 2592001 1e3x ""; do
	check_exit "3000.6b --duration '$d' is a usage error" 2 tlb tlbcollect -o "$T/x.db" --duration "$d"
	check_grep "3000.6c ... saying the range" "cannot use --duration .*: a number of seconds from 0.01 to 2592000 \(30 days\)" "$ERR"
done
ok_if "3000.6d --help states the range" grep -q -- "--duration SEC .*0.01 to 2592000" <(tlb tlbcollect --help)
ok_if "3000.6e no file left by a refused duration" test ! -e "$T/x.db"
check_exit "3000.7 bad --enter" 2 tlb tlbcollect -o "$T/x.db" --enter sometimes
check_exit "3000.8 ring size not a power of 2" 2 tlb tlbcollect -o "$T/x.db" --ring-mb 3
check_exit "3000.9 --pid of no process" 2 tlb tlbcollect -o "$T/x.db" --pid 999999999

# 3000.10-11: an existing output is refused and left as it was
echo "precious" > "$T/exists.db"
check_exit "3000.10 refuses to overwrite" 2 tlb tlbcollect -o "$T/exists.db" --duration 1
check_eq "3000.11 existing file untouched" "precious" "$(cat "$T/exists.db")"

need_root || skip_all "the rest records (needs root)"

# 3000.12: not privileged -> exit 1 with a clear message (run as nobody)
if command -v setpriv > /dev/null; then
	check_exit "3000.12 not root: exit 1" 1 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$TLB_BIN/tlbcollect" -o "$T/nobody.db" --duration 1
	check_grep "3000.13 not root: says why" 'cannot record: BPF tracing needs root' "$ERR"
else
	skip "3000.12 not root: exit 1" "no setpriv"
	skip "3000.13 not root: says why" "no setpriv"
fi

# 3000.14-17: --list. Expected from this kernel's tracefs, read here independently.
tfs=/sys/kernel/tracing
[ -d $tfs/events ] || mount -t tracefs nodev $tfs 2>/dev/null
check_exit "3000.14 --list exits 0" 0 tlb tlbcollect --list
cp "$OUT" "$T/list.txt"
n_present=0; n_absent=0; bad=""
for src in sched:sched_switch sched:sched_migrate_task kvm:kvm_entry kvm:kvm_exit \
	   kvm:kvm_unmap_hva_range kvm:kvm_age_hva kvm_hv:kvmppc_run_core kvm_hv:kvm_guest_enter \
	   kvm_hv:kvm_guest_exit kvm_hv:kvm_hcall_enter kvm_hv:kvm_hcall_exit \
	   kvm_hv:kvm_page_fault_enter kvm_hv:kvm_page_fault_exit powerpc:hcall_entry powerpc:hcall_exit; do
	if [ -e "$tfs/events/${src%%:*}/${src#*:}/id" ]; then want=present; n_present=$((n_present + 1))
	else want=absent; n_absent=$((n_absent + 1)); fi
	grep -qE " $src +$want " "$T/list.txt" || bad="$bad $src(want $want)"
done
check_eq "3000.15 --list agrees with tracefs for all 15 sources" "" "$bad"
check_grep "3000.16 --list foot counts" "^-- $n_present present, $n_absent absent" "$T/list.txt"
check_exit "3000.17 --list --format json" 0 tlb tlbcollect --list --format json
cp "$OUT" "$T/list.json"
if command -v python3 > /dev/null; then
	ok_if "3000.18 json parses, 15 sources" python3 -c "import json,sys; d=json.load(open('$T/list.json')); assert len(d['sources'])==15 and d['present']==$n_present"
else
	skip "3000.18 json parses" "no python3"
fi

# 3000.19-24: this kernel lacks kvm_hv and powerpc: a capture loads the rest and says so
[ -r /sys/kernel/btf/vmlinux ] || skip_all "no kernel BTF: host mode cannot load"
# A capture that records nothing is a failure (t3050): vcpu-named threads switching at a
# gentle rate give the captures below something to record.
[ -x "$TLB_TESTBIN/collect-workload" ] || skip_all "no collect-workload (make test-programs)"
# --wait: switching before the first capture starts (an exec on a loaded machine can take
# longer than a 0.5 s capture)
"$TLB_TESTBIN/collect-workload" --wait --pingpong 120 --threads 2 --rate 200 > "$T/bg.txt" & BGW=$!
trap 'kill -TERM $BGW 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 200); do grep -q ready "$T/bg.txt" && break; sleep 0.05; done
kill -USR1 $BGW
if [ -e $tfs/events/kvm_hv ]; then
	skip "3000.19 kvm_hv absent here" "this kernel has kvm_hv"
else
	check_exit "3000.19 capture with kvm_hv absent exits 0" 0 tlb tlbcollect -o "$T/a.db" --duration 0.5
	check_grep "3000.20 says which are absent" 'absent: .*kvm_hv:kvmppc_run_core' "$ERR"
	check_eq "3000.21 meta tracepoints_absent names the 7 kvm_hv sources" 7 \
		"$(sqlite3 "$T/a.db" "SELECT value FROM meta WHERE key='tracepoints_absent'" | tr ',' '\n' | grep -c '^kvm_hv:')"
	check_eq "3000.22 meta tracepoints_present has sched_switch" 1 \
		"$(sqlite3 "$T/a.db" "SELECT value FROM meta WHERE key='tracepoints_present'" | tr ',' '\n' | grep -c '^sched:sched_switch$')"
	check_eq "3000.23 output mode is 0600" 600 "$(stat -c %a "$T/a.db")"
	# --duration 0.5: at least 0.5 s recorded, and stopping adds well under 5 s here
	ok_if "3000.23b --duration honoured ($(sqlite3 "$T/a.db" "SELECT value FROM meta WHERE key='duration_ns'") ns)" \
		test "$(sqlite3 "$T/a.db" "SELECT CAST(value AS INTEGER) BETWEEN 500000000 AND 5500000000 FROM meta WHERE key='duration_ns'")" = 1
fi
if [ -e $tfs/events/powerpc/hcall_entry ]; then
	skip "3000.24 --guest without powerpc" "this kernel has powerpc:hcall_entry"
else
	check_exit "3000.24 --guest without powerpc tracepoints: exit 1" 1 tlb tlbcollect --guest -o "$T/g.db" --duration 0.5
	check_grep "3000.25 says none of the guest tracepoints exists" 'none of the guest tracepoints exists' "$ERR"
	ok_if "3000.26 and leaves no file" test ! -e "$T/g.db"
fi
# 3000.27: --force replaces
check_exit "3000.27 --force replaces an existing file" 0 tlb tlbcollect -o "$T/exists.db" --duration 0.3 --force --quiet
check_eq "3000.28 the replacement is a trace DB" 1 "$(sqlite3 "$T/exists.db" "SELECT value FROM meta WHERE key='schema_version'")"
# 3000.29-30: the end summary as data
check_exit "3000.29 --format json summary" 0 tlb tlbcollect -o "$T/j.db" --duration 0.2 --format json
cp "$OUT" "$T/sum.json"
if command -v python3 > /dev/null; then
	ok_if "3000.30 summary json has the lost count, 0 here" python3 -c "import json; d=json.load(open('$T/sum.json')); assert d['lost_events']==0 and 'records_received' in d"
else
	skip "3000.30 summary json" "no python3"
fi
