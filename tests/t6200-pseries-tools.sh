#!/usr/bin/env bash
# t6200-pseries-tools - the pseries harness's host-side pieces, without QEMU:
# hcallcmp (the judge of the per-opcode counts), tracecounts.awk (the tracefs reference
# in a window), and the cross-built guest binaries when make cross-ppc64el has run.
# Numbered after t6100, which cross-builds those binaries on its way, so that a plain
# make check finds them here.
. "$(dirname "$0")/lib.sh"
cmp=$TLB_TESTBIN/hcallcmp
[ -x "$cmp" ] || skip_all "no $cmp (make test-programs)"

# --- t6200-1: hcallcmp, table-driven: files, expected exit, a line the output must have
printf 'entry 0x8 10\nentry 0x124 3\nexit 0x8 0 10\nexit 0x124 0 3\nbulk_ok 0x124 9\n' > "$T/a"
cp "$T/a" "$T/same"
printf 'entry 0x8 10\nentry 0x124 2\nexit 0x8 0 10\nexit 0x124 0 2\n' > "$T/fewer"
printf 'entry 0x8 10\nentry 0x124 3\nexit 0x8 0 10\nexit 0x124 0 3\nwindow 1 2\nready 5\n' > "$T/nobulk"
printf 'entry 0x8 10\nentry 0x124 3\nentry 0x4 1\nexit 0x8 0 10\nexit 0x124 0 3\nexit 0x4 -7 1\n' > "$T/extra"
printf 'entry 0x8 10\nentry 0x124 3\nentry 0x9999 1\n' > "$T/unknown"
while IFS='|' read -r id files want line; do
	check_exit "t6200-1.$id hcallcmp $files exits $want" "$want" "$cmp" $files
	[ -n "$line" ] && check_grep "t6200-1.$id output has /$line/" "$line" "$OUT"
done <<TABLE
1|x=$T/a y=$T/same|0|^0x124 +H_BULK_REMOVE +3 +3\$
2|x=$T/a y=$T/fewer|1|^0x124 +H_BULK_REMOVE +3 +2  \\*\$
3|x=$T/a y=$T/nobulk|0|^0x124 +H_BULK_REMOVE +9 +-\$
4|x=$T/a y=$T/extra|1|^0x4 +H_REMOVE rc=-7 +0 +1  \\*\$
5|x=$T/a y=$T/unknown|1|^0x9999 +UNKNOWN +0 +1  \\*\$
6|x=$T/a|2|
7|x=$T/a $T/same|2|
8|x=$T/a y=$T/missing|2|
TABLE

# --- t6200-2: tracecounts.awk on a hand-made tracefs text (trace_clock=mono)
cat > "$T/trace.txt" <<'TRACE'
# tracer: nop
     sh-12       [003] d....     0.500000: hcall_exit: opcode=84 retval=0
            init-1       [002] d....     0.999999: hcall_entry: opcode=8
            init-1       [001] d....     1.000000: hcall_entry: opcode=8
            init-1       [001] d....     1.000001: hcall_exit: opcode=8 retval=0
          <idle>-0       [000] d.h..     1.500000: hcall_entry: opcode=24
          <idle>-0       [000] d.h..     1.500002: hcall_exit: opcode=24 retval=-7
     sh-12       [003] d....     1.700000: hcall_entry: opcode=292
          <idle>-0       [003] d.h..     1.700001: hcall_entry: opcode=116
          <idle>-0       [003] d.h..     1.700002: hcall_exit: opcode=116 retval=0
     sh-12       [003] d....     1.700003: hcall_exit: opcode=292 retval=0
     sh-12       [003] d....     2.000000: hcall_exit: opcode=8 retval=0
     sh-12       [003] d....     2.000001: hcall_entry: opcode=4
            init-1       [001] d....     1.600000: sched_switch: prev_comm=init
TRACE
awk -v start=1000000000 -v stop=2000000000 -f "$ROOT/pseries/tracecounts.awk" "$T/trace.txt" | sort > "$T/counts"
check_eq "t6200-2.1 tracecounts.awk counts inside [start, stop] only, per opcode, rc, nesting" \
	"$(printf '%s\n' 'entry 0x124 1' 'entry 0x18 1' 'entry 0x74 1' 'entry 0x8 1' 'exit 0x124 0 1' \
		'exit 0x18 -7 1' 'exit 0x74 0 1' 'exit 0x8 0 2' 'first_ns 1000000000' 'last_ns 2000000000' \
		'lines 12' 'nested 0x124 1')" "$(cat "$T/counts")"
check_exit "t6200-2.2 tracecounts.awk without a window is a usage error" 2 \
	awk -f "$ROOT/pseries/tracecounts.awk" "$T/trace.txt"

# --- t6200-3: the cross-built guest programs (after make cross-ppc64el)
for b in pseries/hcallcount pseries/workload bin/tlbcollect; do
	f=$ROOT/build/ppc64el/$b
	if [ ! -f "$f" ]; then
		skip "t6200-3 $b is a static ppc64el executable" "no $f (make cross-ppc64el)"
		continue
	fi
	if ! need_cmd file > /dev/null; then
		skip "t6200-3 $b is a static ppc64el executable" "no file command (scripts/install-deps.sh check)"
		continue
	fi
	file "$f" > "$T/file"
	check_grep "t6200-3 $b is a static ppc64el executable" 'LSB executable, 64-bit PowerPC.*statically linked' "$T/file"
done

# --- t6200-4: clocksync.awk, the console clock check, on a hand-made console log
printf '%s\n' '1000 harness: sync 0 900' '1050 harness: sync 1 960' '5000 harness: capture start' \
	'9100 harness: sync 0 9000' $'9180 harness: sync 1 9100\r' > "$T/console.log"
awk -v gcs=500 -v hcs=300 -v off=280 -v rate=1 -v mid=5000 -f "$ROOT/pseries/clocksync.awk" "$T/console.log" > "$T/sync"
check_eq "t6200-4.1 clocksync.awk: least host-guest, spread, drift, the merge's error and --offset" \
	"$(printf '%s\n' 'sync_lines 4' 'sync_batches 2' 'sync_offset_ns 80' 'sync_spread_ns 20' 'sync_drift_ns -10' \
		'sync_span_ns 8140' 'merge_error_ns 0' 'tolerance_ns 5000000' 'sync_merge_offset_ns 280')" "$(cat "$T/sync")"
awk -v gcs=500 -v hcs=300 -v off=-20 -v rate=1 -v mid=5000 -f "$ROOT/pseries/clocksync.awk" "$T/console.log" > "$T/sync"
check_grep "t6200-4.2 clocksync.awk: an offset 300 ns early is an error of -300 ns" '^merge_error_ns -300$' "$T/sync"
check_exit "t6200-4.3 clocksync.awk: a console without sync lines fails" 1 \
	awk -f "$ROOT/pseries/clocksync.awk" /dev/null

# --- t6200-5: linestamp prefixes every line, the last one even without its newline
if [ -x "$TLB_TESTBIN/linestamp" ]; then
	printf 'one\ntwo words\nlast' | "$TLB_TESTBIN/linestamp" > "$T/stamped"
	check_eq "t6200-5.1 linestamp: one stamped line per input line" 3 "$(grep -cE '^[0-9]+ ' "$T/stamped")"
	check_eq "t6200-5.2 linestamp: the text after the stamp is unchanged" \
		"$(printf 'one\ntwo words\nlast')" "$(sed 's/^[0-9]* //' "$T/stamped")"
else
	skip "t6200-5 linestamp" "no $TLB_TESTBIN/linestamp (make test-programs)"
fi
