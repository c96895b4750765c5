#!/usr/bin/env bash
# t4002-import-bad: zero-length, truncated and corrupted inputs are bad input: exit 2,
# a message naming the file and where, and nothing left in the output directory.
. "$(dirname "$0")/lib.sh"
need_cmd trace-cmd || skip_all "trace-cmd is not installed"
SAMPLE=$ROOT/samples/tracedat/sched-v7-zstd.dat
size=$(stat -c %s "$SAMPLE")
mkdir "$T/out"

# bad FILE ID DESC: exit 2, message names the file, no file at all in $T/out afterwards
bad() {
	check_exit "$2 $3: exit 2" 2 tlb tlbimport "$1" -o "$T/out/x.db" -q
	check_grep "$2 $3: message names the file" "^tlbimport: cannot [a-z]+ $1" "$ERR"
	check_eq "$2 $3: nothing left" "" "$(ls -A "$T/out")"
	rm -f "$T/out/"*	# so that one failure does not cascade
}
flip() {	# SRC DST OFFSET: 16 bytes at OFFSET overwritten with 0x5a
	cp "$1" "$2"
	printf 'ZZZZZZZZZZZZZZZZ' | dd of="$2" bs=1 seek="$3" conv=notrunc 2>/dev/null
	cmp -s "$1" "$2" && echo "# flip at $3 changed nothing"
}

: > "$T/zero.dat"
bad "$T/zero.dat" 4002.1 "zero-length file"
check_grep "4002.1 says empty" 'empty' "$ERR"

# Truncations of the v7 zstd file: in the header, in the formats, in the middle, in the
# last buffer's data (it is at the end: sizes from the layout trace-cmd prints on convert)
for cut in 12 5000 $((size / 2)) $((size - 5000)); do
	head -c "$cut" "$SAMPLE" > "$T/cut$cut.dat"
	bad "$T/cut$cut.dat" "4002.t$cut" "v7 cut to $cut bytes"
done

# Version 6, uncompressed: cut inside the instance's cpu data (libtracecmd 1.3 crashes
# on this one; the validating child must turn that into exit 2)
if trace-cmd convert -i "$SAMPLE" -o "$T/v6.dat" --file-version 6 --compression none > /dev/null 2>&1; then
	s6=$(stat -c %s "$T/v6.dat")
	for cut in $((s6 / 2)) $((s6 - 5000)); do
		head -c "$cut" "$T/v6.dat" > "$T/v6cut.dat"
		bad "$T/v6cut.dat" "4002.v$cut" "v6 cut to $cut bytes"
	done
else
	skip "4002.v6 cuts" "trace-cmd convert cannot write version 6 here"
fi

# Corruption: the magic, the header, a compressed chunk of the events (zstd checks it)
flip "$SAMPLE" "$T/c3.dat" 3
bad "$T/c3.dat" 4002.c3 "magic corrupted"
flip "$SAMPLE" "$T/c100.dat" 100
bad "$T/c100.dat" 4002.c100 "header corrupted"
flip "$SAMPLE" "$T/cdata.dat" $((size - 2000))
bad "$T/cdata.dat" 4002.cdata "event data corrupted"

# Text: a file that is not trace text, and a last line cut short
printf 'hello world\nthis is not a trace\n' > "$T/junk.txt"
bad "$T/junk.txt" 4002.j "not trace text"
check_grep "4002.j says the line" 'line 1' "$ERR"
xz -dc "$ROOT/samples/pseries-6.1-smp2/trace.txt.xz" 2>/dev/null | head -c 100000 > "$T/cut.txt"
bad "$T/cut.txt" 4002.k "text cut mid-line"
check_grep "4002.k says truncated and where" 'line [0-9]+ \(byte [0-9]+\): truncated' "$ERR"
