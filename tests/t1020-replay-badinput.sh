#!/usr/bin/env bash
# t1020-replay-badinput - what tlbreplay refuses: exit 2, a message naming the file (and
# the event's rowid when a row is at fault), and nothing written, even with --store.
# Each case starts from a good trace and breaks one thing.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/data/replay/lib.sh"
need_sqlite3
cd "$T" || exit 1

# A foreign event table without NOT NULL, so that NULLs can be written at all.
loose() {
	rm -f "$1"
	sed 's/^CREATE TABLE event(.*/CREATE TABLE event(ts INTEGER, cpu INTEGER, vm INTEGER, vcpu INTEGER,/; s/^  kind INTEGER NOT NULL REFERENCES event_kind(id), a0/  kind INTEGER REFERENCES event_kind(id), a0/' \
		"$RDATA/header.sql" | sqlite3 "$1"
	sqlite3 "$1" "INSERT INTO event VALUES (10,0,1,0,102,NULL,NULL,NULL,NULL), (20,0,1,0,104,4,0,1,0),
	  (30,4,1,1,102,NULL,NULL,NULL,NULL);"
}

# bad NAME FILE REGEX: exit 2, the message matches REGEX (file, rowid), and --store
# leaves the file byte for byte as it was.
bad() {
	local name=$1 f=$2 re=$3 before after
	check_exit "$name: exit 2" 2 tlb tlbreplay -q "$f"
	check_grep "$name: message names the file" "^tlbreplay: cannot [a-z]+ (trace )?$f: " "$ERR"
	check_grep "$name: message says why" "$re" "$ERR"
	before=$(sha256sum < "$f")
	check_exit "$name: --store also exit 2" 2 tlb tlbreplay -q --store "$f"
	after=$(sha256sum < "$f")
	check_eq "$name: --store wrote nothing (file unchanged)" "$before" "$after"
	check_eq "$name: nothing on stdout" "" "$(cat "$OUT")"
}

printf 'this is not a database, just text\n' > text.db
bad "1020.1 not a SQLite file" text.db 'not a SQLite'

mkexample ex1-old-per-thread v2.db
sqlite3 v2.db "UPDATE meta SET value = '2' WHERE key = 'schema_version'"
bad "1020.2 schema_version 2" v2.db "schema_version is '2'"

mkexample ex1-old-per-thread notable.db
sqlite3 notable.db "DROP TABLE vm"
bad "1020.3 missing table vm" notable.db "table 'vm' is missing"

mkexample ex1-old-per-thread nokey.db
sqlite3 nokey.db "DELETE FROM meta WHERE key = 'ncpus'"
bad "1020.4 missing meta key ncpus" nokey.db "ncpus"

mkexample ex1-old-per-thread nokind.db
sqlite3 nokind.db "DELETE FROM event_kind WHERE name = 'hpt_reset'"
bad "1020.5 missing kind hpt_reset" nokind.db "hpt_reset"

mkexample ex1-old-per-thread kindid.db
sqlite3 kindid.db "INSERT INTO event VALUES (60,2,1,2,999,NULL,NULL,NULL,NULL)"
# rowids 1..11 are the example's events; this is rowid 12.
bad "1020.6 kind id not in event_kind" kindid.db 'rowid 12: kind 999 is not in event_kind'

for col in ts cpu vm kind; do
	loose null-$col.db
	sqlite3 null-$col.db "UPDATE event SET $col = NULL WHERE rowid = 2"
	bad "1020.7.$col NULL $col" null-$col.db "rowid 2: $col is NULL"
done

mkexample ex1-old-per-thread negn.db
# the example's H_REMOVE is rowid 9; n (a2) = -1
sqlite3 negn.db "UPDATE event SET a2 = -1 WHERE rowid = 9"
bad "1020.8 hcall with negative n" negn.db 'rowid 9: hcall has a negative n'

mkexample ex2-hlocal-smp neginval.db
# ex2's host_inval is its last row, rowid 12
sqlite3 neginval.db "UPDATE event SET a0 = -2 WHERE rowid = 12"
bad "1020.9 host_inval with negative n" neginval.db 'rowid 12: host_inval has a negative n'

mkexample ex1-old-per-thread nullop.db
sqlite3 nullop.db "UPDATE event SET a0 = NULL WHERE rowid = 9"
bad "1020.10 hcall with a NULL opcode" nullop.db 'rowid 9: hcall has a NULL opcode'

mkexample ex1-old-per-thread nullvcpu.db
# rowid 3 is the first guest_enter
sqlite3 nullvcpu.db "UPDATE event SET vcpu = NULL WHERE rowid = 3"
bad "1020.11 guest_enter without a vcpu" nullvcpu.db 'rowid 3: guest_enter has a NULL vcpu'

mkexample ex1-old-per-thread badcpu.db
sqlite3 badcpu.db "UPDATE event SET cpu = -7 WHERE rowid = 4"
bad "1020.12 cpu below -1" badcpu.db 'rowid 4: cpu -7 out of range'

mkexample ex1-old-per-thread badt.db
sqlite3 badt.db "UPDATE meta SET value = 'four' WHERE key = 'threads_per_core'"
bad "1020.13 meta threads_per_core not a number" badt.db "threads_per_core is 'four'"

# a bad row late in a trace: the store had started writing; all of it is rolled back
mkexample ex2-hlocal-smp late.db
sqlite3 late.db "INSERT INTO event VALUES (70,0,1,0,104,4,0,-3,0)"
bad "1020.14 bad row after good ones" late.db 'rowid 13: hcall has a negative n'
check_eq "1020.14 no results tables were left" 0 \
	"$(sqlite3 late.db "SELECT count(*) FROM sqlite_master WHERE name LIKE 'replay_%'")"

check_exit "1020.15 a missing file: exit 2" 2 tlb tlbreplay "$T/no-such.db"
check_grep "1020.15 message names it" 'no-such.db' "$ERR"
check_eq "1020.15 and does not create it" no "$([ -e "$T/no-such.db" ] && echo yes || echo no)"
