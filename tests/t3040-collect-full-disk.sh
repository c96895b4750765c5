#!/usr/bin/env bash
# t3040-collect-full-disk: tlbcollect writing onto a full filesystem (a 2 MiB tmpfs) under a
# switch storm. The first write error stops the recording at once (not at --duration), the
# file keeps every committed event (tracewriter commits every 65536 rows) and is a whole
# SQLite DB whose meta says truncated, when and why; exit 1; nothing else left behind.
. "$(dirname "$0")/lib.sh"
. "$ROOT/collector/test/collect-lib.sh"
collect_prereqs
need_cmd mount || skip_all "no mount"
W=$TLB_TESTBIN/collect-workload
M=$T/small
mkdir -p "$M"
mount -t tmpfs -o size=2m,mode=0700 tlbtest "$M" 2> "$T/mount.err" || skip_all "cannot mount a tmpfs: $(cat "$T/mount.err")"
trap 'umount "$M" 2>/dev/null; rm -rf "$T"' EXIT

# --- 3040.1-: --duration 30, the disk full after well under a second of this load
"$W" --pingpong 8 --threads 4 > "$T/w.txt" & WP=$!
start=$(date +%s%N)
"$TLB_BIN/tlbcollect" -o "$M/full.db" --duration 30 > "$T/c.out" 2> "$T/c.err"; CRC=$?
end=$(date +%s%N)
kill -TERM "$WP" 2>/dev/null; wait "$WP"
wall_ms=$(( (end - start) / 1000000 ))
check_eq "3040.1 exit 1 after a write error" 1 "$CRC"
check_grep "3040.2 says what failed and what was kept" \
	"^tlbcollect: cannot write $M/full.db: database or disk is full; stopped [0-9.]+ s after the error, kept the [0-9]+ events committed before it \(meta truncated\)" "$T/c.err"
ok_if "3040.3 the DB is there" test -f "$M/full.db"
check_eq "3040.4 PRAGMA integrity_check" ok "$(sqlite3 "$M/full.db" "PRAGMA integrity_check" 2>&1)"
check_grep "3040.5 meta truncated says why" 'write error [0-9.]+ s into the capture \(database or disk is full\)' \
	<(sqlite3 "$M/full.db" "SELECT value FROM meta WHERE key = 'truncated'")
err_ns=$(meta "$M/full.db" write_error_ns); stop_ns=$(meta "$M/full.db" stopped_ns)
det_ns=$(meta "$M/full.db" detach_ns)
ok_if "3040.6 recording stopped < 1 s after the error ($err_ns -> $stop_ns ns)" \
	test $(( ${stop_ns:-0} - ${err_ns:-999999999999} )) -lt 1000000000 -a "${stop_ns:-0}" -ge "${err_ns:-1}"
# the process ends once the kernel has released the programs (detach_ns: RCU grace periods,
# seconds under this storm on 2 cpus), not at --duration 30
ok_if "3040.7 the process ended within error + 1 s + detach + 2 s of start-up, not at --duration (${wall_ms} ms; error at $((err_ns / 1000000)) ms, detach $((det_ns / 1000000)) ms)" \
	test "$wall_ms" -lt $(( (err_ns + det_ns) / 1000000 + 3000 ))
rows=$(sqlite3 "$M/full.db" "SELECT count(*) FROM event")
check_eq "3040.8 meta event_count = the rows kept" "$rows" "$(meta "$M/full.db" event_count)"
ok_if "3040.9 committed batches kept whole ($rows rows: a positive multiple of 65536)" \
	test "$rows" -gt 0 -a $((rows % 65536)) -eq 0
check_eq "3040.10 events_<kind> meta match the rows" \
	"$(sqlite3 "$M/full.db" "SELECT group_concat(n, ',') FROM (SELECT count(*) n FROM event e JOIN event_kind k ON k.id = e.kind GROUP BY k.name ORDER BY k.name)")" \
	"$(sqlite3 "$M/full.db" "SELECT group_concat(value, ',') FROM (SELECT value FROM meta WHERE key IN (SELECT 'events_' || name FROM event_kind) ORDER BY key)")"
check_eq "3040.11 mode 0600" 600 "$(stat -c %a "$M/full.db")"
check_eq "3040.12 nothing else left on the filesystem" "full.db" "$(ls -A "$M")"
# the truncated capture still replays
if [ -x "$TLB_BIN/tlbreplay" ]; then
	ok_if "3040.13 tlbreplay reads the truncated capture" "$TLB_BIN/tlbreplay" "$M/full.db"
else
	skip "3040.13 tlbreplay reads it" "no tlbreplay"
fi

# --- 3040.14-: no room even for the first batch: still a whole DB (0 events), exit 1
rm -f "$M/full.db"
head -c $((2048 * 1024 - 200 * 1024)) /dev/zero > "$M/filler" 2>/dev/null
"$W" --pingpong 4 --threads 4 > "$T/w2.txt" & WP=$!
"$TLB_BIN/tlbcollect" -o "$M/tiny.db" --duration 30 > "$T/c2.out" 2> "$T/c2.err"; CRC=$?
kill -TERM "$WP" 2>/dev/null; wait "$WP"
check_eq "3040.14 exit 1" 1 "$CRC"
if [ -f "$M/tiny.db" ]; then
	check_eq "3040.15 a whole DB even so" ok "$(sqlite3 "$M/tiny.db" "PRAGMA integrity_check" 2>&1)"
	check_eq "3040.16 meta truncated present" 1 "$(sqlite3 "$M/tiny.db" "SELECT count(*) FROM meta WHERE key = 'truncated'")"
else
	check_grep "3040.15 no room at all: says it could not create the file" 'cannot (create|prepare|write meta)' "$T/c2.err"
	skip "3040.16 meta truncated" "no file"
fi
check_eq "3040.17 no temporary file left" "" "$(ls -A "$M" | grep -v -e '^filler$' -e '^tiny.db$')"
