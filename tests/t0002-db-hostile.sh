#!/usr/bin/env bash
# t0002: a trace DB is untrusted input (issue 9 items 4, 7; issue 12 item 2), seen
# through the programs: what the file is (missing, a directory, a trace.dat, not SQLite),
# code in its schema (triggers, views, a view or virtual table where a table belongs),
# values of the wrong SQLite type. Each is exit 2 with
# the file (and the rowid) named, and nothing runs or is written.
. "$(dirname "$0")/lib.sh"
need_cmd sqlite3 || skip_all "sqlite3 is not installed"

tlb tlbgen --scenario per-thread -o "$T/base.db" -q || skip_all "tlbgen failed"
hc=$(sqlite3 "$T/base.db" "SELECT min(id) FROM hcall")

# bad ID DB SQL REGEX: a copy of base.db changed by SQL is refused by tlbreplay: exit 2,
# stderr matches REGEX and names the file, and the file is unchanged.
bad() {
	local id=$1 db=$T/$2 sql=$3 re=$4 before
	cp "$T/base.db" "$db"
	sqlite3 "$db" "$sql" || { not_ok "$id setup failed: $sql"; return; }
	before=$(sha256sum < "$db")
	check_exit "$id exit 2" 2 tlb tlbreplay -q "$db"
	check_grep "$id says: $re" "$2.*$re" "$ERR"
	check_eq "$id file unchanged" "$before" "$(sha256sum < "$db")"
}

# Code in the schema.
bad t0002.1 trig-total.db "CREATE TRIGGER lie AFTER INSERT ON replay_total BEGIN
	UPDATE replay_total SET cycles = 0 WHERE rowid = new.rowid; END" "trigger 'lie' on 'replay_total'"
bad t0002.2 trig-ignore.db "CREATE TRIGGER drop_totals BEFORE INSERT ON replay_total BEGIN
	SELECT RAISE(IGNORE); END" "trigger 'drop_totals' on 'replay_total'"
bad t0002.3 trig-meta.db "CREATE TRIGGER t AFTER UPDATE ON meta BEGIN DELETE FROM event; END" \
	"trigger 't' on 'meta'"
bad t0002.4 meta-view.db "ALTER TABLE meta RENAME TO m0; CREATE VIEW meta AS WITH RECURSIVE
	r(key, value) AS (SELECT 'k', 'v' UNION ALL SELECT key, value FROM r) SELECT * FROM r" \
	"'meta' is a view, not a table"
bad t0002.5 vm-view.db "ALTER TABLE vm RENAME TO v0; CREATE VIEW vm AS SELECT * FROM v0" \
	"'vm' is a view, not a table"
bad t0002.6 results-view.db "DROP TABLE replay_hazard; CREATE VIEW replay_hazard AS SELECT 1 AS run" \
	"'replay_hazard' is a view, not a table"
bad t0002.7 foreign-view.db "CREATE VIEW mine AS SELECT count(*) FROM event" \
	"view 'mine' that is not one of the schema's"
bad t0002.8 changed-view.db "DROP VIEW hcall; CREATE VIEW hcall AS WITH RECURSIVE r(x) AS
	(SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT x FROM r" "view 'hcall' that is not one of the schema's"
bad t0002.9 results-shape.db "DROP TABLE replay_total; CREATE TABLE replay_total(run INTEGER, vm INTEGER,
	events INTEGER, guest_entries INTEGER, hcalls INTEGER, full_flushes INTEGER, tlbiel_flush INTEGER,
	tlbiel_inval INTEGER, local_seqs INTEGER, tlbie INTEGER, tlbie_seqs INTEGER, cycles REAL,
	stale_exposures INTEGER, PRIMARY KEY (run, vm) ON CONFLICT IGNORE)" \
	"table 'replay_total' is not declared as the schema declares it"
# With --store too: nothing stored, the file unchanged.
cp "$T/base.db" "$T/store.db"
sqlite3 "$T/store.db" "CREATE TRIGGER lie AFTER INSERT ON replay_total BEGIN UPDATE replay_total SET cycles = 0; END"
before=$(sha256sum < "$T/store.db")
check_exit "t0002.10 --store into a file with a trigger: exit 2" 2 tlb tlbreplay -q --store "$T/store.db"
check_eq "t0002.11 nothing stored" "$before 0" \
	"$(sha256sum < "$T/store.db") $(sqlite3 "$T/store.db" 'SELECT count(*) FROM replay_run')"

# Wrong SQLite types: each names the rowid and the column.
bad t0002.12 ts-text.db "UPDATE event SET ts = 'abc' WHERE rowid = 3" "rowid 3: ts is text, not an integer"
bad t0002.13 opcode-text.db "UPDATE event SET a0 = 'H_REMOVE' WHERE rowid = $hc" \
	"rowid $hc: a0 is text, not an integer or NULL"
bad t0002.14 cpu-blob.db "UPDATE event SET cpu = x'01' WHERE rowid = 2" "rowid 2: cpu is a blob"
bad t0002.15 vcpu-real.db "UPDATE event SET vcpu = 0.5 WHERE rowid = 2" "rowid 2: vcpu is a real"
bad t0002.16 flags-real.db "UPDATE event SET a1 = 1e300 WHERE rowid = $hc" "rowid $hc: a1 is a real"
# (Values of the right type but beyond what sums can hold, e.g. ts = INT64_MIN or
# lost = INT64_MAX, are the replay's to refuse: t1110-replay-overflow.)

# A hand-made file without NOT NULL or types: NULL, text and real where integers belong.
mk_loose() {
	sqlite3 "$T/$1" "CREATE TABLE meta(key, value); CREATE TABLE vm(id, name);
	CREATE TABLE event_kind(id, name); CREATE TABLE event(ts, cpu, vm, vcpu, kind, a0, a1, a2, a3);
	INSERT INTO meta VALUES ('schema_version', '1'), ('source', 'generated'),
	  ('threads_per_core', '1'), ('ncpus', '1'), (NULL, 'x'), ('nullvalue', NULL);
	INSERT INTO event_kind VALUES (1,'vcpu_create'),(2,'guest_enter'),(3,'guest_exit'),(4,'hcall'),
	  (5,'host_inval'),(6,'hpt_reset'),(7,'migrate'),(8,'lost');
	INSERT INTO event VALUES (1, 0, 1, 0, 2, NULL, NULL, NULL, NULL); $2"
}
mk_loose loose-ok.db ""
check_exit "t0002.21 untyped columns, integers in them, NULL meta key and value: replays" 0 \
	tlb tlbreplay -q "$T/loose-ok.db"
mk_loose loose-kind.db "INSERT INTO event VALUES (2, 0, 1, 0, NULL, NULL, NULL, NULL, NULL)"
check_exit "t0002.22 NULL kind: exit 2" 2 tlb tlbreplay -q "$T/loose-kind.db"
check_grep "t0002.23 names the row" 'loose-kind\.db.*rowid 2: kind is NULL' "$ERR"
mk_loose loose-ts.db "INSERT INTO event VALUES ('5', 0, 1, 0, 2, NULL, NULL, NULL, NULL)"
check_exit "t0002.24 ts '5' (text, no affinity): exit 2" 2 tlb tlbreplay -q "$T/loose-ts.db"
check_grep "t0002.25 names the row" 'rowid 2: ts is text' "$ERR"

# What the file is, said before SQLite's own words.
check_exit "t0002.26 missing file: exit 2" 2 tlb tlbreplay -q "$T/nope.db"
check_grep "t0002.27 says no such file" 'nope\.db: no such file' "$ERR"
check_exit "t0002.28 a directory: exit 2" 2 tlb tlbreplay -q "$T"
check_grep "t0002.29 says it is a directory" 'directory' "$ERR"
printf '\027\010Dtracing6\0\0\0\0\0\0\0\0\0\0' > "$T/trace.dat"
check_exit "t0002.30 a trace-cmd file: exit 2" 2 tlb tlbreplay -q "$T/trace.dat"
check_grep "t0002.31 says run tlbimport first" 'trace\.dat: a trace-cmd file: run tlbimport first' "$ERR"
check_exit "t0002.32 tlbmerge says the same of a trace.dat" 2 tlb tlbmerge "$T/trace.dat" "$T/base.db" -o "$T/m.db" -q
check_grep "t0002.33 tlbmerge: run tlbimport first" 'run tlbimport first' "$ERR"
echo "ts,cpu,vm" > "$T/csv.db"
check_exit "t0002.34 a text file: exit 2" 2 tlb tlbreplay -q "$T/csv.db"
check_grep "t0002.35 says not a SQLite database" 'csv\.db: not a SQLite database' "$ERR"
mkfifo "$T/fifo.db"
check_exit "t0002.36 a FIFO: exit 2 without blocking" 2 timeout 10 "$TLB_BIN/tlbreplay" -q "$T/fifo.db"
check_grep "t0002.37 says not a regular file" 'not a regular file' "$ERR"
cp "$T/base.db" "$T/file:base.db?mode=memory"
check_exit "t0002.38 a name that looks like a URI is a file name" 0 \
	bash -c "cd '$T' && '$TLB_BIN/tlbreplay' -q 'file:base.db?mode=memory'"

# A foreign file (no meta event_order) in time order gives the same replay as the
# producer's own; one out of order gives the same replay as its rows sorted.
cp "$T/base.db" "$T/foreign.db"
sqlite3 "$T/foreign.db" "DELETE FROM meta WHERE key = 'event_order'"
tlb tlbreplay "$T/base.db" | sed 's/base\.db/X/' > "$T/r.base"
tlb tlbreplay "$T/foreign.db" | sed 's/foreign\.db/X/' > "$T/r.foreign"
check_eq "t0002.39 foreign in-order file: same results as with event_order" "$(cat "$T/r.base")" "$(cat "$T/r.foreign")"
# The same rows written in reverse time order (rowid order is then the reverse of ts order):
# sorted back, the replay is the same (rows of equal ts keep their relative rowid order).
cp "$T/foreign.db" "$T/reversed.db"
sqlite3 "$T/reversed.db" "CREATE TEMP TABLE e2 AS SELECT ts, cpu, vm, vcpu, kind, a0, a1, a2, a3 FROM event;
	DELETE FROM event; INSERT INTO event(ts, cpu, vm, vcpu, kind, a0, a1, a2, a3)
	SELECT * FROM e2 ORDER BY ts DESC, rowid"
check_eq "t0002.40 the reversed file is out of rowid order" "1" \
	"$(sqlite3 "$T/reversed.db" 'SELECT (SELECT ts FROM event ORDER BY rowid LIMIT 1) > (SELECT min(ts) FROM event)')"
tlb tlbreplay "$T/reversed.db" | sed 's/reversed\.db/X/' > "$T/r.reversed"
check_eq "t0002.41 reversed rows: same results as in order" "$(cat "$T/r.base")" "$(cat "$T/r.reversed")"
