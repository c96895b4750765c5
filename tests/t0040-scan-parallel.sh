#!/usr/bin/env bash
# t0040: tracedb's parallel decode (common/pscan, issue 13 item 7) changes nothing a user
# sees: tlbreplay's JSON (all five policies: optimal reads the trace three times), its
# timeline and its stored results are byte for byte those of the single-thread scan
# (TLB_SCAN_THREADS=1), for a generated trace, the real pseries sample and a foreign file
# out of order (which falls back to the sorted scan); a bad row at a chunk boundary or in
# a later chunk gives the same exit code and the same message. Chunks are made small
# (TLB_SCAN_CHUNK) so that a small trace crosses many of them. tests/pscan_test.c checks the
# scan itself: rows, ends and messages, and where the parallel decode must decline.
. "$(dirname "$0")/lib.sh"
need_cmd sqlite3 || skip_all "sqlite3 is not installed"
need_cmd xz || skip_all "xz is not installed"
cd "$T" || exit 1

# The C side first: tracedb's scan against itself, row by row (tests/pscan_test.c).
mkdir c && "$TLB_TESTBIN/pscan_test" "$T/c"
# the generator's speed is not under test: the release build's when there is one
GEN=${TLB_RELEASE_BIN:-$TLB_BIN}/tlbgen
[ -x "$GEN" ] || GEN=$TLB_BIN/tlbgen

# same_run ID WHAT FILE ARGS...: tlbreplay ARGS FILE with one thread and in parallel
# (2 decoders, chunks of 997 rows; 3 decoders, chunks of 4096): same exit, stdout, stderr.
same_run() {
	local id=$1 what=$2 f=$3; shift 3
	TLB_SCAN_THREADS=1 tlb tlbreplay -q "$@" "$f" > one.out 2> one.err; local e1=$?
	TLB_SCAN_THREADS=2 TLB_SCAN_CHUNK=997 tlb tlbreplay -q "$@" "$f" > two.out 2> two.err; local e2=$?
	TLB_SCAN_THREADS=3 TLB_SCAN_CHUNK=4096 tlb tlbreplay -q "$@" "$f" > three.out 2> three.err; local e3=$?
	check_eq "$id $what: exit codes (1, 2, 3 decoders)" "$e1 $e1 $e1" "$e1 $e2 $e3"
	if cmp -s one.out two.out && cmp -s one.out three.out; then ok "$id $what: the same output"
	else not_ok "$id $what: the same output" "$(diff one.out two.out | head -5)"; fi
	if cmp -s one.err two.err && cmp -s one.err three.err; then ok "$id $what: the same messages"
	else not_ok "$id $what: the same messages" "one: $(head -c 300 one.err)" "two: $(head -c 300 two.err)"; fi
}

"$GEN" -q -o gen.db --events 40000 --seed 7 --vms 3 --hpt-resets 2 || exit 1
same_run t0040.1 "generated, all policies, JSON" gen.db --format json
check_grep "t0040.1 optimal is in it" '"optimal"' one.out
same_run t0040.2 "generated, -t 2, CSV" gen.db -t 2 --format csv -P old,tracked,optimal
# the timeline file, written in the same run
TLB_SCAN_THREADS=1 tlb tlbreplay -q --timeline tl1.json -P modern,optimal gen.db > /dev/null
TLB_SCAN_THREADS=2 TLB_SCAN_CHUNK=997 tlb tlbreplay -q --timeline tl2.json -P modern,optimal gen.db > /dev/null
ok_if "t0040.3 the same timeline" cmp tl1.json tl2.json

# Stored results (digest included): the same rows in every results table, with the
# results written while the decoders read; and when those writes pass the page-cache
# budget (TLB_SCAN_CACHE_MAX, here 1 byte: at the first chunk's end), the rest of each pass
# is read on tlbreplay's own connection.
cp gen.db s1.db && cp gen.db s2.db && cp gen.db s3.db
TLB_SCAN_THREADS=1 tlb tlbreplay -q --store -b 1 -P old,optimal s1.db > /dev/null
TLB_SCAN_THREADS=2 TLB_SCAN_CHUNK=997 tlb tlbreplay -q --store -b 1 -P old,optimal s2.db > /dev/null
TLB_SCAN_THREADS=2 TLB_SCAN_CHUNK=997 TLB_SCAN_CACHE_MAX=1 tlb tlbreplay -q --store -b 1 -P old,optimal s3.db > /dev/null
dump() {
	sqlite3 "$1" "SELECT policy, machine, params, trace_digest, bucket_ns FROM replay_run ORDER BY id;
		SELECT * FROM replay_total ORDER BY run, vm; SELECT * FROM replay_series ORDER BY 1, 2, 3;
		SELECT * FROM replay_hazard ORDER BY 1, 2, 3"
}
d1=$(dump s1.db) d2=$(dump s2.db) d3=$(dump s3.db)
check_eq "t0040.4 the same stored results and digest" "$d1" "$d2"
check_eq "t0040.4 the same when the scan goes back to one thread midway" "$d1" "$d3"
[ -n "$d1" ] && ok "t0040.5 something was stored" || not_ok "t0040.5 something was stored"

# The real pseries capture (merged host + guest).
xz -dc "$ROOT/samples/pseries-6.1-smp4/merged.db.xz" > merged.db || exit 1
same_run t0040.6 "pseries sample, JSON" merged.db --format json

# Bad rows: the first of a chunk (997 * 2 + 1 = 1995), the last of one (3988 = 997 * 4),
# and two in later chunks where the earlier must win.
bad_copy() { cp gen.db "$1" && sqlite3 "$1" "$2"; }
bad_copy b1.db "UPDATE event SET cpu = 'x' WHERE rowid = 1995"
same_run t0040.7 "text cpu at rowid 1995" b1.db
check_eq "t0040.7 exit 2" 2 "$(TLB_SCAN_THREADS=2 TLB_SCAN_CHUNK=997 tlb tlbreplay -q b1.db > /dev/null 2>&1; echo $?)"
check_grep "t0040.7 message names file and rowid" "b1.db: event rowid 1995: cpu is text" two.err
bad_copy b2.db "UPDATE event SET a1 = 0.5 WHERE rowid = 3988"
same_run t0040.8 "real a1 at rowid 3988" b2.db -P optimal
bad_copy b3.db "UPDATE event SET kind = 77 WHERE rowid = 30001; UPDATE event SET vm = x'01' WHERE rowid = 21000"
same_run t0040.9 "two bad rows in later chunks" b3.db
check_grep "t0040.9 the earlier wins" "event rowid 21000: vm is a blob" two.err
bad_copy b4.db "UPDATE event SET ts = 0 WHERE rowid = 2991"
same_run t0040.10 "ts back at rowid 2991 (event_order=ts)" b4.db
check_grep "t0040.10 said so" "event rowid 2991: ts 0 is before" two.err

# A foreign file (no event_order): in order it is checked then read by rowid (parallel);
# one row moved to the end puts it out of order: sorted, one thread.
bad_copy f1.db "DELETE FROM meta WHERE key = 'event_order'"
same_run t0040.11 "foreign, in order" f1.db --format csv
bad_copy f2.db "DELETE FROM meta WHERE key = 'event_order';
	INSERT INTO event(ts, cpu, vm, vcpu, kind, a0, a1, a2, a3)
	  SELECT ts, cpu, vm, vcpu, kind, a0, a1, a2, a3 FROM event WHERE rowid = 5;
	DELETE FROM event WHERE rowid = 5;"
same_run t0040.12 "foreign, out of order" f2.db --format csv
# Tiny: the spec's example (11 events) in chunks of one row.
. "$ROOT/tests/data/replay/lib.sh"
mkexample ex4-optimal-window ex4.db
TLB_SCAN_THREADS=1 tlb tlbreplay -q --format json ex4.db > e1.json
TLB_SCAN_THREADS=4 TLB_SCAN_CHUNK=1 tlb tlbreplay -q --format json ex4.db > e2.json
ok_if "t0040.13 a tiny trace in 1-row chunks, 4 decoders" cmp e1.json e2.json
