#!/usr/bin/env bash
# t1150-replay-parts - `tlbreplay A.db B.db ...` where the files are consecutive parts of one
# rotated capture (meta capture_id, part, part_last, part_prev_last_ts; COMMON contract): ONE
# trace, with the same rows (every policy, optimal's three passes included), stored totals,
# series, hazards and digest as the unsplit capture; --store writes into the first part with
# params naming the parts. Refused with exit 2, naming the files: parts out of order, a part
# missing, parts of different captures or beside a non-part file (without -j), a capture's
# parts not given together, the same file twice, a part starting before part_prev_last_ts or
# before the previous part's last event, parts with other event kinds, malformed part meta.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/data/replay/lib.sh"
need_sqlite3
cd "$T" || exit 1
q() { sqlite3 -batch "$1" "$2"; }
ALL=old,new,modern,tracked,optimal,radix

# Two VMs, H_LOCAL removes and HPT resets: stale exposures (hazard rows) and flushes on both
# sides of every boundary; cut into 4 parts by rowid.
tlb tlbgen -q -o w.db --events 20000 --seed 5 --vms 2 --hlocal-fraction 0.3 --hpt-resets 2
mkparts w.db 4 h
P="h.1.db h.2.db h.3.db h.4.db"

# shellcheck disable=SC2086
tlb tlbreplay -q -P $ALL --format json w.db | grep -v '"trace"' > whole.json
# shellcheck disable=SC2086
check_exit "1150.1 four parts replay as one trace" 0 tlb tlbreplay -q -P $ALL --format json $P
grep -v '"trace"' "$OUT" > parts.json
check_eq "1150.2 every policy (optimal incl.): rows equal the unsplit capture's" "" \
	"$(diff whole.json parts.json | head -5)"
check_grep "1150.3 the trace is named by its parts" '"trace": "h.1.db\+h.2.db\+h.3.db\+h.4.db"' "$OUT"
check_eq "1150.4 the rows are not empty (stale exposures too)" 1 \
	"$(python3 -c 'import json,sys; d=json.load(open("parts.json")); r=[x for x in d["results"] if x["vm"]=="all" and x["policy"]=="old"][0]; print(int(r["events"]==20000 and r["stale_exposures"]>0))')"
# shellcheck disable=SC2086
tlb tlbreplay -q -P $ALL --format csv $P > parts.csv
# shellcheck disable=SC2086
tlb tlbreplay -q -P $ALL --format csv w.db > whole.csv
check_eq "1150.5 csv too" "" "$(diff whole.csv parts.csv)"

# --store: the unsplit capture and the parts give the same stored results.
tlb tlbreplay -q --store w.db > /dev/null
# shellcheck disable=SC2086
check_exit "1150.6 --store over the parts" 0 tlb tlbreplay -q --store $P
Q="SELECT r.policy, r.trace_digest, r.bucket_ns FROM replay_run r ORDER BY r.id;
   SELECT r.policy, t.* FROM replay_total t JOIN replay_run r ON r.id = t.run ORDER BY r.id, t.vm;
   SELECT r.policy, s.* FROM replay_series s JOIN replay_run r ON r.id = s.run ORDER BY r.id, s.vm, s.bucket_ns;
   SELECT r.policy, h.ts, h.vm, h.vcpu, h.core, h.marked_ts FROM replay_hazard h JOIN replay_run r ON r.id = h.run
   ORDER BY r.id, h.ts, h.vm, h.vcpu, h.core"
q w.db "$Q" > whole.txt
q h.1.db "$Q" > parts.txt
check_eq "1150.7 digest, totals, series and hazards equal the unsplit capture's" "" \
	"$(diff whole.txt parts.txt | head -5)"
check_eq "1150.8 ... and there are hazards to compare" 1 "$(q h.1.db "SELECT count(*) > 100 FROM replay_hazard")"
check_eq "1150.9 params name the capture and its parts" "5" \
	"$(q h.1.db "SELECT count(*) FROM replay_run WHERE json_extract(params, '\$.parts.capture_id') = '0123456789abcdef0123456789abcdef' AND json_extract(params, '\$.parts.first') = 1 AND json_extract(params, '\$.parts.last') = 4")"
check_eq "1150.10 results go into the first part only" "0 0 0" \
	"$(for k in 2 3 4; do q h.$k.db "SELECT count(*) FROM replay_run"; done | tr '\n' ' ' | sed 's/ $//')"

# The refusals, each exit 2 naming the files.
refused() {	# ID DESC REGEX ARGS...
	local id=$1 desc=$2 re=$3; shift 3
	check_exit "$id $desc: exit 2" 2 tlb tlbreplay -q -P old "$@"
	check_grep "$id $desc: the reason" "$re" "$ERR"
}
refused 1150.11 "out of order" "out of order, h.1.db \(part 1\) is given after h.2.db \(part 2\)" h.2.db h.1.db h.3.db h.4.db
refused 1150.12 "a part missing" "part 3 missing between h.2.db \(part 2\) and h.4.db \(part 4\)" h.1.db h.2.db h.4.db
refused 1150.13 "two parts missing" "parts 2\.\.3 missing between h.1.db \(part 1\) and h.4.db \(part 4\)" h.1.db h.4.db
mkparts w.db 2 g fedcba9876543210fedcba9876543210
refused 1150.14 "parts of different captures" "h.2.db and g.2.db .*different captures.*-j N" h.1.db h.2.db g.2.db
cp w.db plain.db
refused 1150.15 "a part beside a non-part file" "h.4.db is a part of a rotated capture and plain.db is not.*-j N" h.3.db h.4.db plain.db
refused 1150.16 "two plain traces without -j" "plain.db and w.db .*-j N" plain.db w.db
refused 1150.17 "a capture's parts not given together (even with -j)" "h.3.db \(part 3\) is not given next to h.2.db \(part 2\)" -j 2 h.1.db h.2.db plain.db h.3.db
refused 1150.18 "the same file twice" "h.2.db: the same file is given twice \(arguments 2 and 3\)" h.1.db h.2.db h.2.db
# time: part 2 starting before its part_prev_last_ts, or before part 1's last event
mkparts w.db 2 t
first=$(q t.2.db "SELECT min(ts) FROM event")
cp t.2.db t2.keep
q t.2.db "UPDATE meta SET value = '$((first + 1))' WHERE key = 'part_prev_last_ts'"
refused 1150.19 "part 2 before its part_prev_last_ts" "t.2.db \(part 2\) starts at ts $first, before its part_prev_last_ts $((first + 1))" t.1.db t.2.db
cp t2.keep t.2.db
last=$(q t.1.db "SELECT max(ts) FROM event")
q t.2.db "UPDATE event SET ts = $((last - 1)) WHERE rowid = (SELECT min(rowid) FROM event);
	UPDATE meta SET value = '$((last - 9))' WHERE key = 'part_prev_last_ts'"
refused 1150.20 "part 2 before part 1's last event" "t.2.db \(part 2\) starts at ts $((last - 1)), before the last event of t.1.db \(ts $last\)" t.1.db t.2.db
cp t2.keep t.2.db
q t.2.db "INSERT INTO event_kind(id, name) VALUES (900, 'newer_kind')"
refused 1150.21 "parts with other event kinds" "t.1.db and t.2.db number their event kinds differently" t.1.db t.2.db
cp t2.keep t.2.db
q t.1.db "INSERT INTO meta VALUES ('part_last', '1')"
refused 1150.22 "a part after the capture's last" "t.1.db \(part 1\) says it is the capture's last part, yet t.2.db \(part 2\) follows" t.1.db t.2.db
q t.1.db "DELETE FROM meta WHERE key = 'part_last'; UPDATE meta SET value = 'ABC' WHERE key = 'capture_id'"
refused 1150.23 "a malformed capture_id" "t.1.db: meta capture_id is not valid, not 32 lowercase hex digits" t.1.db t.2.db
# a part number at the top of int64 (hostile meta): refused as out of order, no overflow (UBSan)
sqlite3 t.1.db "UPDATE meta SET value = '$(q t.2.db "SELECT value FROM meta WHERE key = 'capture_id'")' WHERE key = 'capture_id';
	UPDATE meta SET value = '9223372036854775807' WHERE key = 'part'"
refused 1150.34 "part 2 after a part numbered INT64_MAX" "out of order, t.2.db \(part 2\) is given after t.1.db \(part 9223372036854775807\)" t.1.db t.2.db
check_eq "1150.35 ... with no sanitizer report" "" "$(grep -i 'runtime error' "$ERR")"
cp h.3.db bad3.db
q h.3.db "UPDATE event SET cpu = -7 WHERE rowid = (SELECT min(rowid) + 5 FROM event)"
bad=$(q h.3.db "SELECT rowid FROM event WHERE cpu = -7")
refused 1150.24 "a bad row names its own part" "h.3.db: event rowid $bad: cpu -7 out of range" h.1.db h.2.db h.3.db h.4.db
cp bad3.db h.3.db

# A tail of a capture, or a part alone: replayed as given, with a note.
check_exit "1150.25 the capture's tail (parts 3, 4) is one trace" 0 tlb tlbreplay -P old h.3.db h.4.db
check_grep "1150.26 ... with a note that it starts cold at part 3" "note: h.3.db starts at part 3 of capture 0123456789abcdef0123456789abcdef" "$ERR"
check_exit "1150.27 a part alone" 0 tlb tlbreplay -P old h.1.db
check_grep "1150.28 ... with a note that the capture goes on" "note: h.1.db \(part 1\) is not the last part" "$ERR"
# A capture in one part replays byte for byte as the same file without part meta.
mkparts w.db 1 one
tlb tlbreplay -q -P old --format csv w.db > w1.csv
check_eq "1150.29 a one-part capture: the same rows" "" \
	"$(tlb tlbreplay -q -P old --format csv one.1.db | diff w1.csv - )"

# With settings lists (-m/-t: several engines fed by one scan) the parts are one trace too.
tlb tlbreplay -q -m power7,power8 -t 2,4 --format json w.db | grep -v '"trace"' > wset.json
# shellcheck disable=SC2086
tlb tlbreplay -q -m power7,power8 -t 2,4 --format json $P | grep -v '"trace"' > pset.json
check_eq "1150.30 -m/-t lists over the parts: every setting's rows equal the unsplit capture's" "" \
	"$(diff wset.json pset.json | head -5)"
check_eq "1150.31 ... four settings compared" 4 "$(grep -c '"threads_per_core_source"' pset.json)"

# A producer's own count of losses (meta lost_events, no lost rows) is per part in a
# rotated capture: the note sums the parts (5 + 7), not the first part's alone.
mkparts w.db 3 lm
sqlite3 lm.2.db "INSERT OR REPLACE INTO meta VALUES ('lost_events', '5')"
sqlite3 lm.3.db "INSERT OR REPLACE INTO meta VALUES ('lost_events', '7')"
check_exit "1150.32 parts with meta lost_events replay" 0 tlb tlbreplay -P old --format csv lm.1.db lm.2.db lm.3.db
check_grep "1150.33 ... the note says the parts' sum, 12" "note: meta lost_events says 12 events were lost" "$ERR"
