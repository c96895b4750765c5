#!/usr/bin/env bash
# t4007-import-hostile-headers: trace.dat headers crafted to make libtracecmd trust what it
# should not (page size 0 made it divide by zero: SIGFPE, exit 136; a compression name over
# 8 KiB made it read past its buffer; sizes and offsets past the end of the file). Each is
# refused before the library reads it (datcheck.c): exit 2, a message naming the file and
# the byte, never a signal, nothing left in the output directory.
. "$(dirname "$0")/lib.sh"
need_cmd python3 || skip_all "python3 writes the crafted files"
SAMPLE=$ROOT/samples/tracedat/sched-v7-zstd.dat
mkdir "$T/out"

bad() {	# FILE ID DESC REGEX
	check_exit "$2 $3: exit 2 (not a signal)" 2 tlb tlbimport "$1" -o "$T/out/x.db" -q
	check_grep "$2 $3: names the file and what" "^tlbimport: cannot read $1: not a valid trace.dat: byte [0-9]+: $4" "$ERR"
	check_eq "$2 $3: nothing left" "" "$(ls -A "$T/out")"
	rm -f "$T/out/"*
}

# craft SRC DST PYTHON: DST = SRC's bytes as b, changed by the python statements
craft() {
	python3 - "$1" "$2" "$3" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read()) if sys.argv[1] != '-' else bytearray()
exec(sys.argv[3])
open(sys.argv[2], 'wb').write(b)
PY
}
HDR7='b"\x17\x08Dtracing7\x00\x00\x08" + struct.pack("<I", 4096)'

# --- header fields (v7 sample: version "7\0" at 10, endian at 12, long size at 13, page at 14)
craft "$SAMPLE" "$T/p0.dat" 'b[14:18] = struct.pack("<I", 0)'
bad "$T/p0.dat" 4007.1 "page size 0" "page size not a power of two"
craft "$SAMPLE" "$T/p3000.dat" 'b[14:18] = struct.pack("<I", 3000)'
bad "$T/p3000.dat" 4007.2 "page size 3000" "page size not a power of two"
craft "$SAMPLE" "$T/p2m.dat" 'b[14:18] = struct.pack("<I", 2 << 20)'
bad "$T/p2m.dat" 4007.3 "page size 2 MiB" "page size not a power of two"
craft "$SAMPLE" "$T/pbig.dat" 'b[14:18] = struct.pack("<I", 0x80000000)'
bad "$T/pbig.dat" 4007.4 "page size 2^31" "page size not a power of two"
craft "$SAMPLE" "$T/end.dat" 'b[12] = 2'
bad "$T/end.dat" 4007.5 "endianness 2" "endianness neither"
craft "$SAMPLE" "$T/long.dat" 'b[13] = 5'
bad "$T/long.dat" 4007.6 "long size 5" "long size neither 4 nor 8"
craft "$SAMPLE" "$T/ver.dat" 'b[10] = ord("9")'
bad "$T/ver.dat" 4007.7 "version 9" "unsupported trace.dat version"
craft - "$T/verlong.dat" 'b += b"\x17\x08Dtracing" + b"7" * 5000'
bad "$T/verlong.dat" 4007.8 "a version string without its end" "version string too long"

# --- v7 compression name: over 8 KiB (the library's over-read), unknown, unterminated
craft - "$T/cname.dat" "b += $HDR7 + b'z' * 9000 + b'\\x00' + b'1\\x00' + struct.pack('<Q', 0)"
bad "$T/cname.dat" 4007.9 "compression name of 9000 bytes" "compression name too long"
craft - "$T/cunk.dat" "b += $HDR7 + b'lz4\\x00' + b'1\\x00' + struct.pack('<Q', 0)"
bad "$T/cunk.dat" 4007.10 "unknown compression" "unknown compression"
craft - "$T/cver.dat" "b += $HDR7 + b'zstd\\x00' + b'9' * 70"
bad "$T/cver.dat" 4007.11 "compression version without its end" "compression version too long"

# --- v7 offsets and sizes past the end of the file
craft - "$T/optoff.dat" "b += $HDR7 + b'none\\x00' + b'\\x00' + struct.pack('<Q', 1 << 40)"
bad "$T/optoff.dat" 4007.12 "options offset past the end" "section header beyond the end"
# an options section whose size runs past the end of the file
craft - "$T/secsz.dat" "h = $HDR7 + b'none\\x00\\x00'; b += h + struct.pack('<Q', len(h) + 8) + struct.pack('<HHIQ', 0, 0, 0, 1 << 30)"
bad "$T/secsz.dat" 4007.13 "section size past the end" "section larger than the file"
# an option larger than its section
craft - "$T/optsz.dat" "h = $HDR7 + b'none\\x00\\x00'; b += h + struct.pack('<Q', len(h) + 8) + struct.pack('<HHIQ', 0, 0, 0, 6) + struct.pack('<HI', 5, 1000)"
bad "$T/optsz.dat" 4007.14 "option past its section" "option larger than its section"
# a compressed section claiming more compressed bytes than it holds
craft - "$T/csz.dat" "h = $HDR7 + b'zstd\\x00\\x00'; b += h + struct.pack('<Q', len(h) + 8) + struct.pack('<HHIQ', 0, 1, 0, 8) + struct.pack('<II', 1000, 10)"
bad "$T/csz.dat" 4007.15 "compressed size over its section" "compressed size larger than its section"
# options sections pointing at themselves: the chain is followed a bounded number of times
craft - "$T/loop.dat" "h = $HDR7 + b'none\\x00\\x00'; o = len(h) + 8; b += h + struct.pack('<Q', o) + struct.pack('<HHIQ', 0, 0, 0, 14) + struct.pack('<HIQ', 0, 8, o)"
bad "$T/loop.dat" 4007.16 "options sections in a loop" "options sections chained without end"
# the sample's buffer option with a cpu's data offset moved past the end
craft "$SAMPLE" "$T/cpuoff.dat" '
i = b.find(b"\x03\x00", 0)
import re
# BUFFER options: id 3, then size, then offset(8), name, clock, page(4), ncpu(4), cpus
for m in re.finditer(rb"\x03\x00(....)", bytes(b)):
    p = m.start() + 6; ln = struct.unpack("<I", m.group(1))[0]
    if ln < 20 or ln > 4096 or p + ln > len(b): continue
    q = p + 8; q = b.index(b"\x00", q) + 1; q = b.index(b"\x00", q) + 1
    page, ncpu = struct.unpack("<II", b[q:q+8])
    if page != 4096 or ncpu == 0 or ncpu > 64 or 8 + 20 * ncpu > p + ln - q: continue
    b[q + 12:q + 20] = struct.pack("<Q", len(b) + 100); break
'
bad "$T/cpuoff.dat" 4007.17 "cpu data past the end" "cpu data beyond the end of the file"

# --- version 6 (trace-cmd convert writes it): page size 0 was the SIGFPE
if command -v trace-cmd > /dev/null && trace-cmd convert -i "$SAMPLE" -o "$T/v6.dat" --file-version 6 --compression none > /dev/null 2>&1; then
	check_exit "4007.18 the v6 file itself imports" 0 tlb tlbimport "$T/v6.dat" -o "$T/v6.db" -q
	craft "$T/v6.dat" "$T/v6p0.dat" 'b[14:18] = struct.pack("<I", 0)'
	bad "$T/v6p0.dat" 4007.19 "v6 page size 0" "page size not a power of two"
	craft "$T/v6.dat" "$T/v6hp.dat" 'b[30:38] = struct.pack("<Q", 1 << 50)'
	bad "$T/v6hp.dat" 4007.20 "v6 header_page size past the end" "header_page larger than the file"
	craft "$T/v6.dat" "$T/v6fly.dat" '
i = b.rindex(b"flyrecord\x00") + 10
b[i:i+8] = struct.pack("<Q", len(b) + 4096)'
	bad "$T/v6fly.dat" 4007.21 "v6 flyrecord cpu offset past the end" "cpu data beyond the end"
else
	skip "4007.18-21 version 6 files" "trace-cmd convert cannot write version 6 here"
fi

# --- 4007.22-: the import runs in a child; a child killed by a signal no handler can catch
# (as a fault with no stack left would be) is still bad input: exit 2, the temporary
# output removed. The child is held reading text from a FIFO, then killed.
mkfifo "$T/fifo"
"$TLB_BIN/tlbimport" - -o "$T/out/k.db" -g -q < "$T/fifo" > "$T/k.out" 2> "$T/k.err" & IP=$!
exec 7> "$T/fifo"
head -20 "$ROOT/samples/tracedat/pseries-guest-head.txt" >&7
child=""
for _ in $(seq 1 100); do
	child=$(pgrep -P "$IP" | head -1)
	[ -n "$child" ] && ls "$T/out" | grep -q '^k.db.tmp-' && break
	sleep 0.05
done
ok_if "4007.22 the import runs in a child, writing its temporary file" test -n "$child" -a -n "$(ls "$T/out")"
kill -KILL "$child" 2>/dev/null
exec 7>&-
wait "$IP"; rc=$?
check_eq "4007.23 a child killed by SIGKILL: exit 2" 2 "$rc"
check_grep "4007.24 ... says the library crashed, naming the input" '^tlbimport: cannot read -: the trace library crashed \(signal 9\)' "$T/k.err"
check_eq "4007.25 ... and its temporary output is gone" "" "$(ls -A "$T/out")"

# --- 4007.26-: SIGTERM to tlbimport (the parent) stops the import: exit 1, nothing left
"$TLB_BIN/tlbimport" - -o "$T/out/s.db" -g -q < "$T/fifo" > "$T/s.out" 2> "$T/s.err" & IP=$!
exec 7> "$T/fifo"
head -20 "$ROOT/samples/tracedat/pseries-guest-head.txt" >&7
for _ in $(seq 1 100); do ls "$T/out" | grep -q '^s.db.tmp-' && break; sleep 0.05; done
kill -TERM "$IP"
wait "$IP"; rc=$?
exec 7>&-
check_eq "4007.26 SIGTERM: exit 1" 1 "$rc"
check_grep "4007.27 ... says it was stopped" '^tlbimport: cannot import -: stopped by signal 15; nothing written' "$T/s.err"
check_eq "4007.28 ... nothing left" "" "$(ls -A "$T/out")"
