#!/usr/bin/env bash
# t1120-replay-cli - tlbreplay's command line (issue 12): the suite's option letters,
# errors that say what to do, the filters --vm / --vcpu / --from / --to with what they
# mean (tlbreplay --help, replay/filter.h), and --sort. Traces are header.sql (T = 4,
# power7, H_REMOVE = 4) plus the rows written beside each case; counts derived by hand.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/data/replay/lib.sh"
need_sqlite3
cd "$T" || exit 1
mkexample ex1-old-per-thread ex1.db

# ---- 1. option letters ------------------------------------------------------------------
check_exit "1120.1.1 -P old,new" 0 tlb tlbreplay -q -P old,new --format csv ex1.db
check_eq "1120.1.2 -P: two policies, 2 rows each (1 VM + all)" "old old new new" \
	"$(tail -n +2 "$OUT" | cut -d, -f1 | tr '\n' ' ' | sed 's/ $//')"
check_exit "1120.1.3 -P old,old: exit 2" 2 tlb tlbreplay -q -P old,old ex1.db
check_grep "1120.1.4 -P old,old says repeated" "cannot use --policy: 'old' is repeated" "$ERR"
check_exit "1120.1.5 -P old,nope: exit 2" 2 tlb tlbreplay -q -P old,nope ex1.db
check_grep "1120.1.6 an unknown policy is named with the known ones" "'nope' is not a policy \(old, new" "$ERR"
check_exit "1120.1.7 -P old,,new: exit 2" 2 tlb tlbreplay -q -P old,,new ex1.db
check_exit "1120.1.8 -p is no longer --policy" 2 tlb tlbreplay -q -p old ex1.db
check_exit "1120.1.9 -o is no longer --option" 2 tlb tlbreplay -q -o new-hpt-reset-flush=0 ex1.db
check_exit "1120.1.10 -f is not --format" 2 tlb tlbreplay -q -f csv ex1.db
check_exit "1120.1.11 -O NAME=V" 0 tlb tlbreplay -q -O new-hpt-reset-flush=0 ex1.db
check_grep "1120.1.12 -O shows in the table" 'options \(not the spec.s reading\): new-hpt-reset-flush=0' "$OUT"
check_exit "1120.1.13 -O bogus=1: exit 2" 2 tlb tlbreplay -q -O bogus=1 ex1.db
check_exit "1120.1.14 --format json" 0 tlb tlbreplay -q --format json ex1.db
check_grep "1120.1.15 json" '"results": \[' "$OUT"
check_exit "1120.1.16 -V" 0 tlb tlbreplay -V
check_grep "1120.1.17 -V prints NAME VERSION" '^tlbreplay [0-9a-zA-Z.+~-]+$' "$OUT"
tlb tlbreplay --help > help.txt
check_grep "1120.1.18 --help lists -P, --policy" '^ +-P, --policy LIST ' help.txt
check_grep "1120.1.19 --help lists -O, --option" '^ +-O, --option NAME=0\|1 ' help.txt
check_grep "1120.1.20 --help lists --format without a letter" '^ {6,}--format FMT ' help.txt

# ---- 2. inputs that are not trace DBs -----------------------------------------------------
check_exit "1120.2.1 a missing file: exit 2" 2 tlb tlbreplay -q nowhere.db
check_grep "1120.2.2 says no such file" '^tlbreplay: cannot read trace nowhere.db: no such file$' "$ERR"
mkdir adir
check_exit "1120.2.3 a directory: exit 2" 2 tlb tlbreplay -q adir
check_grep "1120.2.4 says it is a directory" 'cannot read trace adir: a directory' "$ERR"
# trace-cmd's file starts with 0x17 0x08 0x44 "tracing" then the version string
printf '\027\010\104tracing6\0' > fake.dat; head -c 4096 /dev/zero >> fake.dat
check_exit "1120.2.5 a trace.dat: exit 2" 2 tlb tlbreplay -q fake.dat
check_grep "1120.2.6 says to run tlbimport" 'cannot read trace fake.dat: a trace-cmd file: run tlbimport first' "$ERR"
real=$(ls "$ROOT"/samples/tracedat/*.dat 2>/dev/null | head -1)
if [ -n "$real" ]; then
	check_exit "1120.2.7 a real trace.dat from samples/tracedat: exit 2" 2 tlb tlbreplay -q "$real"
	check_grep "1120.2.8 says to run tlbimport" 'a trace-cmd file: run tlbimport first' "$ERR"
else
	skip "1120.2.7 a real trace.dat from samples/" "no samples/tracedat/*.dat in this checkout"
fi
before=$(sha256sum < fake.dat)
check_exit "1120.2.9 a trace.dat with --store: exit 2" 2 tlb tlbreplay -q --store fake.dat
check_eq "1120.2.10 ... and the file is untouched" "$before" "$(sha256sum < fake.dat)"

# ---- 3. --vm ---------------------------------------------------------------------------------
# VM 1: vcpu 0 enters thread 0, H_REMOVE n 1; VM 2: vcpus 0 and 4 on threads 0 and 4, H_REMOVE.
mkdb two.db <<'SQL'
INSERT INTO event VALUES (10,0,1,0,102,NULL,NULL,NULL,NULL), (20,0,2,0,102,NULL,NULL,NULL,NULL),
  (30,4,2,4,102,NULL,NULL,NULL,NULL), (40,0,1,0,104,4,0,1,0), (50,0,2,0,104,4,0,1,0);
SQL
tlb tlbreplay -q --format csv two.db > full.csv
check_exit "1120.3.1 --vm 2" 0 tlb tlbreplay -q --format csv --vm 2 two.db
cp "$OUT" vm2.csv
check_eq "1120.3.2 --vm 2: VM 2's rows are those of the full replay" \
	"$(grep -E '^[a-z]+,2,' full.csv)" "$(grep -E '^[a-z]+,2,' vm2.csv)"
check_eq "1120.3.3 --vm 2: no row of VM 1" "" "$(grep -E '^[a-z]+,1,' vm2.csv)"
check_eq "1120.3.4 --vm 2: all row = VM 2 row (modern)" \
	"$(grep '^modern,2,' vm2.csv | cut -d, -f3-)" "$(grep '^modern,all,' vm2.csv | cut -d, -f3-)"
check_exit "1120.3.5 --vm 1,2 = the full replay" 0 tlb tlbreplay -q --format csv --vm 2,1 two.db
check_eq "1120.3.6 --vm 1,2 output" "$(cat full.csv)" "$(cat "$OUT")"
check_exit "1120.3.7 --vm 7 (absent): no rows" 0 tlb tlbreplay -q --format csv --vm 7 two.db
check_eq "1120.3.8 --vm 7: header only" 1 "$(wc -l < "$OUT" | tr -d ' ')"
check_exit "1120.3.9 --vm x: exit 2" 2 tlb tlbreplay -q --vm 1,x two.db
check_exit "1120.3.10 --vm -1: exit 2" 2 tlb tlbreplay -q --vm -1 two.db
check_exit "1120.3.11 --store with --vm: exit 2" 2 tlb tlbreplay -q --store --vm 1 two.db
check_grep "1120.3.12 says why" 'cannot use --store with --vm' "$ERR"

# ---- 4. --vcpu -----------------------------------------------------------------------------
# One VM, vcpus 0 and 4 (vcores 0 and 1):
#  r1 t10 vcpu 0 enters thread 0 (core 0)   modern: flush (mask all set). old: flush (new slot)
#  r2 t20 vcpu 4 enters thread 4 (core 1)   modern: flush.               old: flush
#  r3 t30 vcpu 0 H_REMOVE n 1 on thread 0  2 vcpus, 2 vcores: global for old and modern
#  r4 t40 vcpu 4 H_REMOVE n 1 on thread 4  global
#  r5 t50 vcpu 0 enters thread 4 (core 1)   modern: core 1's bit clear: no flush. old: slot
#                                           4 != its last slot 0: flush
mkdb vc.db <<'SQL'
INSERT INTO event VALUES (10,0,1,0,102,NULL,NULL,NULL,NULL), (20,4,1,4,102,NULL,NULL,NULL,NULL),
  (30,0,1,0,104,4,0,1,0), (40,4,1,4,104,4,0,1,0), (50,4,1,0,102,NULL,NULL,NULL,NULL);
SQL
tlb tlbreplay -q --format csv --vcpu 0 vc.db > v0.csv
check_eq "1120.4.1 --vcpu 0, modern: events 3 (r1 r3 r5), entries 2, hcalls 1, flushes 1" "3 2 1 1" \
	"$(for k in events guest_entries hcalls full_flushes; do metric v0.csv modern 1 $k; done | tr '\n' ' ' | sed 's/ $//')"
# the state is the whole VM's: vcpu 4 is online, so r3 is global, not local
check_eq "1120.4.2 --vcpu 0, modern: r3 global (vcpu 4 still counts as online)" "1 0" \
	"$(metric v0.csv modern 1 tlbie_seqs) $(metric v0.csv modern 1 local_seqs)"
check_eq "1120.4.3 --vcpu 0, old: flushes 2 (r1, r5)" 2 "$(metric v0.csv old 1 full_flushes)"
tlb tlbreplay -q --format csv --vcpu 4 vc.db > v4.csv
check_eq "1120.4.4 --vcpu 4, modern: events 2, flushes 1, tlbie_seqs 1" "2 1 1" \
	"$(metric v4.csv modern 1 events) $(metric v4.csv modern 1 full_flushes) $(metric v4.csv modern 1 tlbie_seqs)"
tlb tlbreplay -q --format csv vc.db > vall.csv
check_eq "1120.4.5 --vcpu 0 + --vcpu 4 = all (modern cycles)" \
	"$(metric vall.csv modern 1 cycles)" "$(( $(metric v0.csv modern 1 cycles) + $(metric v4.csv modern 1 cycles) ))"
check_exit "1120.4.6 --vcpu 0,4 = the full replay" 0 tlb tlbreplay -q --format csv --vcpu 4,0 vc.db
check_eq "1120.4.7 --vcpu 0,4 output" "$(cat vall.csv)" "$(cat "$OUT")"

# ---- 5. --from / --to: a warm window -------------------------------------------------------
# One VM, one vcpu, modern (need_tlb_flush all set at VM creation):
#  r1 t10 enters thread 0 (core 0): flush     r2 t20 thread 0: no flush
#  r3 t30 enters thread 4 (core 1): flush     r4 t40 thread 0: no flush (core 0 clear since r1)
mkdb win.db <<'SQL'
INSERT INTO event VALUES (10,0,1,0,102,NULL,NULL,NULL,NULL), (20,0,1,0,102,NULL,NULL,NULL,NULL),
  (30,4,1,0,102,NULL,NULL,NULL,NULL), (40,0,1,0,102,NULL,NULL,NULL,NULL);
SQL
win() { tlb tlbreplay -q --format csv -P modern "$@" win.db > w.csv 2> w.err &&
	echo "$(metric w.csv modern 1 guest_entries) $(metric w.csv modern 1 full_flushes)"; }
check_eq "1120.5.1 --from 25: r3 r4, 1 flush (warm: core 0 already flushed at r1)" "2 1" "$(win --from 25)"
check_eq "1120.5.2 --to 25: r1 r2, 1 flush" "2 1" "$(win --to 25)"
check_eq "1120.5.3 --from 15 --to 35: r2 r3, 1 flush" "2 1" "$(win --from 15 --to 35)"
check_eq "1120.5.4 --from 40 (inclusive): r4, no flush" "1 0" "$(win --from 40)"
check_eq "1120.5.5 --to 40 (exclusive): r1..r3, 2 flushes" "3 2" "$(win --to 40)"
check_eq "1120.5.6 units: --from 0.025us --to 0.000035ms = 25..35 ns: r3" "1 1" "$(win --from 0.025us --to 0.000035ms)"
check_eq "1120.5.7 units: --to 1.5s covers all" "4 2" "$(win --to 1.5s)"
check_eq "1120.5.8 --from 2s: nothing counted, the VM's row is zeros" "0 0" "$(win --from 2s)"
for bad in abc -5 1e300s 5min 1.5xs ''; do
	check_exit "1120.5.9 --from '$bad': exit 2" 2 tlb tlbreplay -q --from "$bad" win.db
done
check_exit "1120.5.10 --from 30 --to 30 (empty window): exit 2" 2 tlb tlbreplay -q --from 30 --to 30 win.db
check_exit "1120.5.11 --store with --from: exit 2" 2 tlb tlbreplay -q --store --from 1 win.db

# ---- 6. --sort ----------------------------------------------------------------------------
# two.db: VM 1 (1 vcpu: local H_REMOVE) costs less than VM 2 (2 entries, a global one)
check_exit "1120.6.1 --sort cycles" 0 tlb tlbreplay -q -P modern --sort cycles two.db
check_eq "1120.6.2 --sort cycles: VM 2, VM 1, all" "2 1 all" \
	"$(awk '$1 == "modern" { print $2 }' "$OUT" | tr '\n' ' ' | sed 's/ $//')"
check_exit "1120.6.3 --sort vm (default order)" 0 tlb tlbreplay -q -P modern --sort vm two.db
check_eq "1120.6.4 --sort vm: VM 1, VM 2, all" "1 2 all" \
	"$(awk '$1 == "modern" { print $2 }' "$OUT" | tr '\n' ' ' | sed 's/ $//')"
check_exit "1120.6.5 --sort nope: exit 2" 2 tlb tlbreplay -q --sort nope two.db
check_exit "1120.6.6 --sort with csv keeps the spec's order" 0 tlb tlbreplay -q --format csv --sort cycles two.db
check_eq "1120.6.7 csv unchanged by --sort" "$(cat full.csv)" "$(cat "$OUT")"

# ---- 7. a filtered table says what it counts ---------------------------------------------
check_exit "1120.7.1 table with --vm and --from" 0 tlb tlbreplay -q --vm 1 --from 25 win.db
check_grep "1120.7.2 the table says what it counts" '^counted: vm 1; events from 25 ns to the end \(the whole trace replayed\)$' "$OUT"
check_exit "1120.7.3 table without filters" 0 tlb tlbreplay -q win.db
check_eq "1120.7.4 ... says nothing about filters" "" "$(grep '^counted:' "$OUT")"
