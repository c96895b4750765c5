#!/usr/bin/env bash
# t3060-collect-rotate: tlbcollect --rotate SIZE|TIME splits a capture into complete trace
# DBs host.1.db, host.2.db, ... A real capture of vcpu-named threads switching through
# pipes (collect-workload --pingpong, paced) with a small part size and a short part time:
# every part is a whole trace DB that replays on its own, the meta contract (capture_id,
# part, part_last, part_prev_last_ts) holds, parts are disjoint and in ts order, and
# their union (sqlite3 ATTACH) is every event the collector says it wrote, none twice.
# Then: bad values, existing parts (refused; --force), a full disk in the middle of a part.
. "$(dirname "$0")/lib.sh"
. "$ROOT/collector/test/collect-lib.sh"

[ -x "$TLB_BIN/tlbcollect" ] || skip_all "no $TLB_BIN/tlbcollect (build it: make)"

# --- 3060.1-: bad values are exit 2 with a message, before anything is loaded
for v in 0 5X 5 5m 1K 0.5s 1e3M -1M 31d ""; do
	check_exit "3060.1 --rotate '$v' is a usage error" 2 tlb tlbcollect -o "$T/x.db" --rotate "$v" -d 1
	check_grep "3060.2 ... saying why" "^tlbcollect: cannot use --rotate $v: " "$ERR"
done
check_grep "3060.3 5m is ambiguous: minutes or MiB" "say 5min \(minutes\) or 5M \(MiB\)" <(tlb tlbcollect -o "$T/x.db" --rotate 5m 2>&1)
check_exit "3060.4 --rotate without -o" 2 tlb tlbcollect --rotate 64M -d 1
check_grep "3060.5 ... says -o is needed" "^tlbcollect: cannot use --rotate without -o FILE" "$ERR"
check_grep "3060.6 --help names the parts" "FILE\.1\.db, FILE\.2\.db" <(tlb tlbcollect --help)
ok_if "3060.7 no file left by the refusals" test -z "$(ls "$T")"
# an existing part refuses the capture without --force (before root is needed)
: > "$T/e.3.db"
check_exit "3060.8 an existing part file: exit 2" 2 tlb tlbcollect -o "$T/e.db" --rotate 1M -d 1
check_grep "3060.9 ... naming it" "cannot create the parts of $T/e.db: e\.3\.db exists \(use --force" "$ERR"
: > "$T/e.03.db"; : > "$T/e.3.dbx"; rm "$T/e.3.db"
tlb tlbcollect -o "$T/e.db" --rotate 1M -d 0.01 > /dev/null 2> "$T/e.err"; rc=$?
check_eq "3060.10 names that are no part (e.03.db, e.3.dbx) do not count (no exit 2, no 'exists')" \
	"0 0" "$([ "$rc" -ne 2 ] && echo 0) $(grep -c exists "$T/e.err")"
rm -f "$T"/e.*
# the part number goes before the extension of the file name, or at its end
mkdir "$T/d.x"; : > "$T/d.x/noext.2"; : > "$T/d.x/.hid.4"; : > "$T/d.x/a.b.7.db"
check_exit "3060.11 -o d.x/noext: part d.x/noext.2" 2 tlb tlbcollect -o "$T/d.x/noext" --rotate 1M -d 1
check_grep "3060.12 ... refused by name" "noext\.2 exists" "$ERR"
check_exit "3060.13 -o .hid: part .hid.4" 2 tlb tlbcollect -o "$T/d.x/.hid" --rotate 1M -d 1
check_exit "3060.14 -o a.b.db: part a.b.7.db" 2 tlb tlbcollect -o "$T/d.x/a.b.db" --rotate 1M -d 1
rm -r "$T/d.x"

collect_prereqs
W=$TLB_TESTBIN/collect-workload
# start_pp ARGS: the ping-pong workload, running (its threads named and switching) before
# the collector starts, until killed; its pid in WP
start_pp() {
	"$W" --wait --pingpong 30 "$@" > "$T/w.txt" & WP=$!
	for _ in $(seq 1 200); do grep -q ready "$T/w.txt" && break; sleep 0.05; done
	kill -USR1 "$WP"
}

# check_parts ID PREFIX SUMMARY_CSV: the checks every rotated capture passes. Parts are
# PREFIX.1.db .. PREFIX.N.db; their union goes to $T/union.ID.db. Sets NPARTS.
check_parts() {
	local id=$1 p=$2 sum=$3 k n last caps prev
	NPARTS=$(ls "$p".*.db 2> /dev/null | wc -l)
	ok_if "$id.1 at least 3 parts ($NPARTS)" test "$NPARTS" -ge 3
	ok_if "$id.2 named $p.1.db .. $p.$NPARTS.db, nothing else left (no temporary file)" \
		test "$(cd "$(dirname "$p")" && ls -A | grep "^$(basename "$p")\." | sort)" = \
		"$(for k in $(seq 1 "$NPARTS"); do echo "$(basename "$p").$k.db"; done | sort)"
	n=0; caps=""; last=""; prev=""
	: > "$T/bad.$id"
	for k in $(seq 1 "$NPARTS"); do
		local f=$p.$k.db
		[ "$(stat -c %a "$f")" = 600 ] || echo "$f: mode $(stat -c %a "$f")" >> "$T/bad.$id"
		[ "$(sqlite3 "$f" 'PRAGMA integrity_check')" = ok ] || echo "$f: integrity" >> "$T/bad.$id"
		[ "$(meta "$f" part)" = "$k" ] || echo "$f: meta part $(meta "$f" part)" >> "$T/bad.$id"
		caps="$caps $(meta "$f" capture_id)"
		if [ "$k" -lt "$NPARTS" ]; then
			[ -z "$(meta "$f" part_last)" ] || echo "$f: part_last in a part that is not the last" >> "$T/bad.$id"
		fi
		if [ "$k" -gt 1 ]; then
			meta "$f" part_switch_ns | grep -qE '^[1-9][0-9]*$' || echo "$f: part_switch_ns '$(meta "$f" part_switch_ns)'" >> "$T/bad.$id"
			# part_prev_last_ts = the last ts of part k-1; part k begins after it
			[ "$(meta "$f" part_prev_last_ts)" = "$prev" ] ||
				echo "$f: part_prev_last_ts $(meta "$f" part_prev_last_ts), part $((k - 1)) ended at $prev" >> "$T/bad.$id"
			[ "$(sqlite3 "$f" 'SELECT min(ts) FROM event')" -gt "$prev" ] ||
				echo "$f: begins at $(sqlite3 "$f" 'SELECT min(ts) FROM event'), not after $prev" >> "$T/bad.$id"
		else
			[ -z "$(meta "$f" part_prev_last_ts)" ] || echo "$f: part_prev_last_ts in part 1" >> "$T/bad.$id"
		fi
		# no row came after its part had closed (5 ms of grace is enough here)
		[ -z "$(meta "$f" part_ts_raised)" ] || echo "$f: part_ts_raised $(meta "$f" part_ts_raised)" >> "$T/bad.$id"
		prev=$(sqlite3 "$f" 'SELECT max(ts) FROM event')
		# per part: the meta counts are this part's rows
		[ "$(meta "$f" event_count)" = "$(sqlite3 "$f" 'SELECT count(*) FROM event')" ] ||
			echo "$f: event_count" >> "$T/bad.$id"
		[ "$(meta "$f" lost_events)" = "$(sqlite3 "$f" "SELECT coalesce(sum(count), 0) FROM lost_events")" ] ||
			echo "$f: lost_events $(meta "$f" lost_events) is not its lost rows" >> "$T/bad.$id"
		[ "$(meta "$f" events_received)" = "$(( $(meta "$f" events_written) + $(meta "$f" events_filtered) + $(meta "$f" lost_events) ))" ] ||
			echo "$f: received != written + filtered + lost" >> "$T/bad.$id"
		[ "$(meta "$f" guest_enter_from_sched)" = "$(sqlite3 "$f" 'SELECT count(*) FROM guest_entry')" ] ||
			echo "$f: guest_enter_from_sched $(meta "$f" guest_enter_from_sched) != guest_enter rows" >> "$T/bad.$id"
		# a part alone replays (the release build: the checks of this loop are on the data)
		"${TLB_RELEASE_BIN:-$TLB_BIN}/tlbreplay" --format json "$f" > "$T/replay.$id.$k" 2>&1 ||
			echo "$f: tlbreplay failed: $(head -c 300 "$T/replay.$id.$k")" >> "$T/bad.$id"
	done
	check_eq "$id.3 every part: whole, 0600, meta part = k, part_switch_ns, part_prev_last_ts = the previous part's last ts and before its own first, per-part counts match its rows, no ts raised, replays alone" \
		"" "$(head -5 "$T/bad.$id")"
	check_eq "$id.4 one capture_id, 32 hex digits, in every part" "1 yes" \
		"$(echo $caps | tr ' ' '\n' | sort -u | wc -l) $(echo $caps | tr ' ' '\n' | grep -qvE '^[0-9a-f]{32}$' && echo no || echo yes)"
	check_eq "$id.5 part_last = 1 in the last part" 1 "$(meta "$p.$NPARTS.db" part_last)"
	# the union, built with ATTACH, each row with its part
	local u=$T/union.$id.db
	sqlite3 "$u" "CREATE TABLE ev(part, ts, cpu, vm, vcpu, kind, a0, a1, a2, a3)"
	for k in $(seq 1 "$NPARTS"); do
		sqlite3 "$u" "ATTACH '$p.$k.db' AS p; INSERT INTO ev SELECT $k, e.ts, e.cpu, e.vm, e.vcpu, k.name, e.a0, e.a1, e.a2, e.a3
			FROM p.event e JOIN p.event_kind k ON k.id = e.kind; DETACH p"
	done
	check_eq "$id.6 union = the rows the collector wrote (summary rows)" \
		"$(awk -F, '$1 == "rows" { print $2 }' "$sum")" "$(sqlite3 "$u" 'SELECT count(*) FROM ev')"
	check_eq "$id.7 union's records = summary records_written + lost (vcpu_create rows aside)" \
		"$(( $(awk -F, '$1 == "records_written" { print $2 }' "$sum") + $(awk -F, '$1 == "lost_events" { print $2 }' "$sum") ))" \
		"$(sqlite3 "$u" "SELECT count(*) - (SELECT count(*) FROM ev WHERE kind = 'vcpu_create') - (SELECT count(*) FROM ev WHERE kind = 'lost') + (SELECT coalesce(sum(a0), 0) FROM ev WHERE kind = 'lost') FROM ev")"
	check_eq "$id.8 no row in two parts" 0 \
		"$(sqlite3 "$u" "SELECT count(*) FROM (SELECT count(DISTINCT part) n FROM ev GROUP BY ts, cpu, vm, vcpu, kind, a0, a1, a2, a3 HAVING n > 1)")"
	check_eq "$id.9 parts in ts order: each part's ts range after the previous one's" 0 \
		"$(sqlite3 "$u" "SELECT count(*) FROM (SELECT part, min(ts) lo, max(ts) hi FROM ev GROUP BY part) a
		   JOIN (SELECT part, min(ts) lo, max(ts) hi FROM ev GROUP BY part) b ON b.part = a.part + 1 WHERE b.lo <= a.hi")"
	check_eq "$id.10 summary's records received = written + filtered + lost (nothing dropped in user space)" \
		"$(awk -F, '$1 == "records_received" { print $2 }' "$sum")" \
		"$(( $(awk -F, '$1 == "records_written" { print $2 }' "$sum") + $(awk -F, '$1 == "records_filtered" { print $2 }' "$sum") + $(awk -F, '$1 == "lost_events" { print $2 }' "$sum") ))"
	check_eq "$id.11 sum of the parts' lost_events = the summary's" \
		"$(awk -F, '$1 == "lost_events" { print $2 }' "$sum")" \
		"$(for k in $(seq 1 "$NPARTS"); do meta "$p.$k.db" lost_events; done | awk "{ s += \$1 } END { print s }")"
	# the parts replayed together (tlbreplay A B C: one trace) = the unsplit capture: part 1
	# with every later part's events appended in order, its part meta and event_order (a later part may hold rows out of ts order) removed
	local whole=$T/whole.$id.db parts=""
	cp "$p.1.db" "$whole"
	sqlite3 "$whole" "DELETE FROM meta WHERE key IN ('capture_id', 'part', 'part_last', 'part_prev_last_ts', 'event_order')"
	for k in $(seq 2 "$NPARTS"); do
		sqlite3 "$whole" "ATTACH '$p.$k.db' AS p; INSERT INTO event(ts, cpu, vm, vcpu, kind, a0, a1, a2, a3)
			SELECT ts, cpu, vm, vcpu, kind, a0, a1, a2, a3 FROM p.event ORDER BY rowid; DETACH p"
	done
	for k in $(seq 1 "$NPARTS"); do parts="$parts $p.$k.db"; done
	"${TLB_RELEASE_BIN:-$TLB_BIN}/tlbreplay" -q --format json -m power8 -t 1 -P old,new,modern,tracked,optimal $parts 2> "$T/pj.err.$id" |
		sed 's/"trace": *"[^"]*"//' > "$T/pj.$id"
	"${TLB_RELEASE_BIN:-$TLB_BIN}/tlbreplay" -q --format json -m power8 -t 1 -P old,new,modern,tracked,optimal "$whole" 2> "$T/wj.err.$id" |
		sed 's/"trace": *"[^"]*"//' > "$T/wj.$id"
	ok_if "$id.13 the $NPARTS parts replayed as one trace = the unsplit capture, every policy ($(grep -c '"policy"' "$T/wj.$id") rows; whole: $(grep -v 'were lost' "$T/wj.err.$id" | head -c 300); parts: $(grep -v 'were lost' "$T/pj.err.$id" | head -c 300))" \
		sh -c "test -s '$T/wj.$id' && cmp -s '$T/pj.$id' '$T/wj.$id'"
	# the workload's vcpus: one vm, its vcpus, in every part (identity rows copied)
	check_eq "$id.12 every part has the workload's vm and its $WTHREADS vcpu rows" "$NPARTS" \
		"$(for k in $(seq 1 "$NPARTS"); do sqlite3 "$p.$k.db" "SELECT count(*) FROM vcpu c JOIN vm v ON v.id = c.vm WHERE v.pid = $WP"; done | grep -c "^$WTHREADS\$")"
}

# --- 3060.20-: by size, 512 KiB parts, for 2 s, under a switch storm that a 1 MiB ring
# drained every 300 ms cannot hold: records are lost, and each part counts its own
WTHREADS=4
start_pp --threads $WTHREADS
tlb tlbcollect -o "$T/s.db" --rotate 512K -d 2 --ring-mb 1 --poll-ms 300 --format csv > "$T/sz.sum" 2> "$T/sz.err"; CRC=$?
kill -TERM "$WP" 2> /dev/null; wait "$WP"
check_eq "3060.20 exit 0" 0 "$CRC"
check_grep "3060.21 a line per closed part" "^tlbcollect: part 1 closed: $T/s\.1\.db, [0-9]+ events" "$T/sz.err"
check_parts 3060.22 "$T/s" "$T/sz.sum"
# a part is closed once its DB reaches 512 KiB: a few thousand rows more (the 1024-row
# check; the rows of the first 5 ms past the previous cut it began with) and, if its rows
# are not in ts order, its ts index (estimated before it exists: rotate.h), under 1 MiB
big=0
for k in $(seq 1 $((NPARTS - 1))); do
	sz=$(stat -c %s "$T/s.$k.db")
	[ "$sz" -ge 524288 ] && [ "$sz" -lt 1048576 ] || big="$big $k:$sz"
done
check_eq "3060.23 closed parts are 512 KiB to 1 MiB" 0 "$big"
check_eq "3060.24 meta rotate_bytes" 524288 "$(meta "$T/s.1.db" rotate_bytes)"
ok_if "3060.25 records were lost ($(awk -F, '$1 == "lost_events" { print $2 }' "$T/sz.sum")), in $(grep -l . /dev/null $(for k in $(seq 1 "$NPARTS"); do [ "$(meta "$T/s.$k.db" lost_events)" != 0 ] && echo "$T/s.$k.db"; done) 2>/dev/null | wc -l) parts" \
	test "$(awk -F, '$1 == "lost_events" { print $2 }' "$T/sz.sum")" -gt 0

# --- 3060.30-: by time, 1 s parts for 3.5 s: parts 1..3 hold [0, 1 s), [1 s, 2 s), [2 s, 3 s)
WTHREADS=2
start_pp --threads $WTHREADS --rate 5000
tlb tlbcollect -o "$T/t.db" --rotate 1s -d 3.5 --format csv > "$T/tm.sum" 2> "$T/tm.err"; CRC=$?
kill -TERM "$WP" 2> /dev/null; wait "$WP"
check_eq "3060.30 exit 0" 0 "$CRC"
check_parts 3060.31 "$T/t" "$T/tm.sum"
check_eq "3060.32 4 parts" 4 "$NPARTS"
check_eq "3060.33 part k holds ts from (k-1) s to k s" "" \
	"$(for k in 1 2 3; do sqlite3 "$T/t.$k.db" "SELECT $k FROM (SELECT min(ts) lo, max(ts) hi FROM event) WHERE lo < ($k - 1) * 1000000000 OR hi >= $k * 1000000000"; done)"

# --- 3060.35-: the host mode without kernel BTF (tracefs formats) rotates the same way
WTHREADS=2
start_pp --threads $WTHREADS --rate 3000
TLBCOLLECT_NO_BTF=1 tlb tlbcollect -o "$T/n.db" --rotate 1s -d 2.5 --format csv > "$T/nb.sum" 2> "$T/nb.err"; CRC=$?
kill -TERM "$WP" 2> /dev/null; wait "$WP"
check_eq "3060.35 no-BTF mode: exit 0" 0 "$CRC"
check_grep "3060.36 ... the tracefs-format programs" "^tracepoint programs reading" <(meta "$T/n.3.db" bpf_mode)
check_parts 3060.37 "$T/n" "$T/nb.sum"

# --- 3060.40-: existing parts: refused without --force; with it each part replaces its
# namesake and the others stay, with a warning
check_exit "3060.40 parts of t.db exist: refused" 2 tlb tlbcollect -o "$T/t.db" --rotate 1s -d 1
check_grep "3060.41 ... naming one" "cannot create the parts of $T/t\.db: t\.[0-9]+\.db and others exist" "$ERR"
old1=$(meta "$T/t.1.db" capture_id)
start_pp --threads 2 --rate 2000
tlb tlbcollect -o "$T/t.db" --rotate 1s -d 1.5 -f -q > "$T/f.sum" 2> "$T/f.err"; CRC=$?
kill -TERM "$WP" 2> /dev/null; wait "$WP"
check_eq "3060.42 --force: exit 0" 0 "$CRC"
check_grep "3060.43 ... warns that other parts exist" "warning: 4 part files of $T/t\.db exist .*the others stay" "$T/f.err"
new1=$(meta "$T/t.1.db" capture_id); new2=$(meta "$T/t.2.db" capture_id)
check_eq "3060.44 parts 1, 2 are the new capture's, 2 is its last, 3 is the old one's" \
	"new new 1 old" "$([ "$new1" != "$old1" ] && echo new) $([ "$new2" = "$new1" ] && echo new) $(meta "$T/t.2.db" part_last) $([ "$(meta "$T/t.3.db" capture_id)" = "$old1" ] && echo old)"

# --- 3060.45-: hostile part names. A symlink planted at a part's name: --force replaces
# the link (rename), never writes through it. An -o with '%' and a newline: the parts are
# named after it byte for byte (no format, no cut).
L=$T/l%s%n$'\n'x
echo victim1 > "$T/victim1"; echo victim2 > "$T/victim2"
ln -s "$T/victim1" "$L.1.db"; ln -s "$T/victim2" "$L.2.db"
start_pp --threads 2 --rate 2000
tlb tlbcollect -o "$L.db" --rotate 1s -d 1.5 -f -q > "$T/l.sum" 2> "$T/l.err"; CRC=$?
kill -TERM "$WP" 2> /dev/null; wait "$WP"
check_eq "3060.45 -o with '%' and a newline, symlinks at parts 1 and 2, --force: exit 0" 0 "$CRC"
check_eq "3060.46 the links' targets are untouched" "victim1 victim2" "$(cat "$T/victim1") $(cat "$T/victim2")"
check_eq "3060.47 parts 1 and 2 are files of the capture at the literal names, not links" \
	"file file 2" "$([ -f "$L.1.db" ] && [ ! -L "$L.1.db" ] && echo file) $([ -f "$L.2.db" ] && [ ! -L "$L.2.db" ] && echo file) $(meta "$L.2.db" part)"

# --- 3060.50-: a full disk in the middle of a part: the parts before are whole, the open
# one keeps what it committed (meta truncated, no part_last), exit 1
if need_cmd mount; then
	M=$T/small; mkdir -p "$M"
	if mount -t tmpfs -o size=3m,mode=0700 tlbtest "$M" 2> "$T/mount.err"; then
		trap 'umount "$M" 2>/dev/null; rm -rf "$T"' EXIT
		start_pp --threads 4
		tlb tlbcollect -o "$M/full.db" --rotate 1M -d 20 > "$T/d.out" 2> "$T/d.err"; CRC=$?
		kill -TERM "$WP" 2> /dev/null; wait "$WP"
		check_eq "3060.50 exit 1 after the write error" 1 "$CRC"
		n=$(ls "$M"/full.*.db | wc -l)
		ok_if "3060.51 two parts or more ($n: $(ls "$M" | paste -sd' '))" test "$n" -ge 2
		bad=""
		for k in $(seq 1 "$n"); do
			[ "$(sqlite3 "$M/full.$k.db" 'PRAGMA integrity_check')" = ok ] || bad="$bad $k"
		done
		check_eq "3060.52 every part is a whole DB" "" "$bad"
		check_grep "3060.53 the last one says truncated" '^write error' <(meta "$M/full.$n.db" truncated)
		check_eq "3060.54 ... has no part_last, the others are closed normally (event_count, no truncated)" \
			"::$((n - 1))" "$(meta "$M/full.$n.db" part_last):$(meta "$M/full.1.db" truncated):$(for k in $(seq 1 $((n - 1))); do meta "$M/full.$k.db" event_count; done | grep -c '^[1-9]')"
		check_eq "3060.55 nothing else on the filesystem" "" "$(ls -A "$M" | grep -v '^full\.[0-9]*\.db$')"
	else
		skip "3060.50 full disk" "cannot mount a tmpfs: $(cat "$T/mount.err")"
	fi
else
	skip "3060.50 full disk" "no mount"
fi
