/* SPDX-License-Identifier: MIT */
/*
 * tracedb_test - the trace DB contract from both sides: what tracewriter
 * writes, tracedb reads back in order; kinds resolve by name whatever their
 * ids; the writer leaves nothing on abort; the reader refuses what is not a
 * trace and names the file and row. Usage: tracedb_test SCRATCH_DIR.
 */
#include "scratchdb.h"
#include "tap.h"
#include "tracedb.h"
#include "tracewriter.h"
#include "util.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern const char tlb_schema_v1_sql[];

static void test_roundtrip(void)
{
	char err[512];
	const char *p = path_in("rt.db");
	struct tw *w = tw_create(p, "generated", 0, err, sizeof(err));
	struct tdb *db;
	struct tdb_event ev;
	int64_t args[4] = { 0x124, 0x10000000, 3, 0 };
	int n = 0, rc;
	struct stat sb;

	TAP_OK("tracedb-1.1 create", w != NULL);
	if (!w)
		return;
	TAP_OK("tracedb-1.2 nothing at PATH before finish", stat(p, &sb) != 0);
	tw_meta_int(w, "threads_per_core", 4);
	tw_meta_int(w, "ncpus", 8);
	tw_vm(w, 1, "guest", 1234, -1);
	tw_event(w, 0, -1, 1, 0, tw_kind_id(w, TDB_VCPU_CREATE), NULL, 0);
	tw_event(w, 5, 3, 1, 0, tw_kind_id(w, TDB_GUEST_ENTER), NULL, 0);
	tw_event(w, 7, 3, 1, 0, tw_kind_id(w, TDB_HCALL), args, 4);
	tw_event(w, 9, 3, 1, -1, tw_kind(w, "future_kind", "x", NULL, NULL, NULL), args, 1);
	TAP_EQ_I64("tracedb-1.3 events counted", 4, tw_event_count(w));
	TAP_OK("tracedb-1.4 finish", tw_finish(w) == 0);
	TAP_OK("tracedb-1.5 file in place, mode 0600 (every trace DB)",
	       stat(p, &sb) == 0 && (sb.st_mode & 0777) == 0600);

	db = tdb_open(p, TDB_READONLY, err, sizeof(err));
	TAP_OK("tracedb-1.6 reads back", db != NULL);
	if (!db)
		return;
	TAP_OK("tracedb-1.7 ordered file", tdb_meta(db, "event_order") &&
	       strcmp(tdb_meta(db, "event_order"), "ts") == 0);
	TAP_OK("tracedb-1.8 per-kind count meta", tdb_meta(db, "events_hcall") &&
	       strcmp(tdb_meta(db, "events_hcall"), "1") == 0);
	tdb_scan_begin(db);
	while ((rc = tdb_scan_next(db, &ev)) == 1) {
		n++;
		if (n == 1)
			TAP_OK("tracedb-1.9 first is vcpu_create", ev.kind == TDB_VCPU_CREATE &&
			       ev.vcpu == 0 && ev.cpu == -1 && (ev.nulls & TDB_NULL_A0));
		if (n == 3)
			TAP_OK("tracedb-1.10 hcall args", ev.kind == TDB_HCALL && ev.a[0] == 0x124 &&
			       ev.a[1] == 0x10000000 && ev.a[2] == 3 && ev.nulls == 0);
		if (n == 4)
			TAP_OK("tracedb-1.11 unknown kind is OTHER, vcpu NULL",
			       ev.kind == TDB_OTHER && (ev.nulls & TDB_NULL_VCPU) && ev.vcpu == -1 &&
			       (ev.nulls & TDB_NULL_A1) &&
			       strcmp(tdb_kind_name(db, ev.kind_id), "future_kind") == 0);
	}
	TAP_EQ_I64("tracedb-1.12 four events, clean end", 4, n);
	TAP_EQ_I64("tracedb-1.13 scan end code", 0, rc);
	tdb_scan_end(db);
	tdb_close(db);
}

static void test_refusals(void)
{
	char err[512];
	const char *p = path_in("rt.db");
	struct tw *w = tw_create(p, "generated", 0, err, sizeof(err));
	struct stat sb;

	TAP_OK("tracedb-2.1 refuses an existing file", w == NULL && strstr(err, "exists"));
	w = tw_create(path_in("abort.db"), "generated", TW_PRIVATE, err, sizeof(err));
	TAP_OK("tracedb-2.2 create private", w != NULL);
	tw_abort(w);
	TAP_OK("tracedb-2.3 abort leaves nothing", stat(path_in("abort.db"), &sb) != 0);
	w = tw_create(path_in("priv.db"), "host", TW_PRIVATE, err, sizeof(err));
	tw_meta_int(w, "threads_per_core", 1);
	tw_meta_int(w, "ncpus", 1);
	TAP_OK("tracedb-2.4 private finish", w && tw_finish(w) == 0);
	TAP_OK("tracedb-2.5 mode 0600", stat(path_in("priv.db"), &sb) == 0 &&
	       (sb.st_mode & 0777) == 0600);
}

static const char *base_sql =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE vm(id INTEGER PRIMARY KEY, name TEXT, pid INTEGER, lpid INTEGER);"
	"CREATE TABLE event_kind(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, a0 TEXT, a1 TEXT, a2 TEXT, a3 TEXT);"
	"CREATE TABLE event(ts INTEGER, cpu INTEGER, vm INTEGER, vcpu INTEGER, kind INTEGER, a0 INTEGER, a1 INTEGER, a2 INTEGER, a3 INTEGER);"
	"INSERT INTO event_kind VALUES (501,'vcpu_create',NULL,NULL,NULL,NULL),(502,'guest_enter',NULL,NULL,NULL,NULL),"
	"(503,'guest_exit','trap',NULL,NULL,NULL),(504,'hcall','opcode','flags','n','rc'),(505,'host_inval','n','reason',NULL,NULL),"
	"(506,'hpt_reset',NULL,NULL,NULL,NULL),(507,'migrate','orig_cpu',NULL,NULL,NULL),(508,'lost','count',NULL,NULL,NULL);"
	"INSERT INTO meta VALUES ('schema_version','1'),('source','generated'),('threads_per_core','4'),('ncpus','8');";

/* Open @name after @extra on top of base_sql; expect failure mentioning @needle at open or scan. */
static void expect_bad(const char *id, const char *name, const char *extra, const char *needle)
{
	char err[512] = "", desc[200];
	const char *p = path_in(name);
	struct tdb *db;
	struct tdb_event ev;
	int rc = 1;

	unlink(p);
	sql(p, base_sql);
	sql(p, extra);
	db = tdb_open(p, TDB_READONLY, err, sizeof(err));
	if (db) {
		tdb_scan_begin(db);
		while ((rc = tdb_scan_next(db, &ev)) == 1)
			;
		snprintf(err, sizeof(err), "%s", tdb_error(db));
		tdb_close(db);
	}
	snprintf(desc, sizeof(desc), "%s refused: %s", id, needle);
	TAP_OK(desc, (!db || rc < 0) && strstr(err, needle) && strstr(err, p));
	if (!strstr(err, needle))
		printf("#   message was: %s\n", err);
}

static void test_bad_inputs(void)
{
	char err[512];
	FILE *f = fopen(path_in("text.db"), "w");
	struct tdb *db;

	if (f) {
		fputs("this is not a database, just text long enough to have a header......\n", f);
		fclose(f);
	}
	db = tdb_open(path_in("text.db"), TDB_READONLY, err, sizeof(err));
	TAP_OK("tracedb-3.1 not SQLite", !db && strstr(err, "not a SQLite"));
	tdb_close(db);
	expect_bad("tracedb-3.2", "v2.db", "UPDATE meta SET value='2' WHERE key='schema_version';",
		   "schema_version is '2'");
	expect_bad("tracedb-3.3", "nokind.db", "DELETE FROM event_kind WHERE name='hpt_reset';",
		   "lacks the required kind 'hpt_reset'");
	expect_bad("tracedb-3.4", "nometa.db", "DELETE FROM meta WHERE key='ncpus';",
		   "lacks the required key 'ncpus'");
	expect_bad("tracedb-3.5", "notable.db", "DROP TABLE vm;", "table 'vm' is missing");
	expect_bad("tracedb-3.6", "badkind.db",
		   "INSERT INTO event VALUES (1,0,1,0,502,NULL,NULL,NULL,NULL),(2,0,1,0,999,NULL,NULL,NULL,NULL);",
		   "rowid 2: kind 999 is not in event_kind");
	expect_bad("tracedb-3.7", "nullts.db",
		   "INSERT INTO event VALUES (NULL,0,1,0,502,NULL,NULL,NULL,NULL);", "rowid 1: ts is NULL");
	expect_bad("tracedb-3.8", "nullvm.db",
		   "INSERT INTO event VALUES (3,0,NULL,0,502,NULL,NULL,NULL,NULL);", "rowid 1: vm is NULL");
	expect_bad("tracedb-3.9", "backwards.db",
		   "INSERT INTO meta VALUES ('event_order','ts');"
		   "INSERT INTO event VALUES (5,0,1,0,502,NULL,NULL,NULL,NULL),(4,0,1,0,502,NULL,NULL,NULL,NULL);",
		   "rowid 2: ts 4 is before");
}

static void test_unordered_file_sorted(void)
{
	char err[512];
	const char *p = path_in("unordered.db");
	struct tdb *db;
	struct tdb_event ev;
	int64_t seen[3];
	int n = 0;

	sql(p, base_sql);
	sql(p, "INSERT INTO event VALUES (30,0,1,0,502,NULL,NULL,NULL,NULL),"
	       "(10,0,1,0,502,NULL,NULL,NULL,NULL),(10,1,1,1,502,NULL,NULL,NULL,NULL);");
	db = tdb_open(p, TDB_READONLY, err, sizeof(err));
	TAP_OK("tracedb-4.1 hand-written file opens", db != NULL);
	if (!db)
		return;
	tdb_scan_begin(db);
	while (n < 3 && tdb_scan_next(db, &ev) == 1)
		seen[n++] = ev.rowid;
	/* ORDER BY ts, rowid: rows 2 and 3 (ts 10) first, then row 1 (ts 30). */
	TAP_OK("tracedb-4.2 replay order is ts, rowid",
	       n == 3 && seen[0] == 2 && seen[1] == 3 && seen[2] == 1);
	TAP_OK("tracedb-4.3 an unordered file is sorted", tdb_scan_sorted(db));
	tdb_scan_end(db);
	tdb_close(db);
}

/* A foreign file (no event_order) whose rows are in time order: read by rowid, no sort. */
static void test_in_order_foreign(void)
{
	char err[512];
	const char *p = path_in("inorder.db");
	struct tdb *db;
	struct tdb_event ev;
	int64_t seen[5];
	int n = 0, rc;

	sql(p, base_sql);
	sql(p, "INSERT INTO event VALUES (10,0,1,0,502,NULL,NULL,NULL,NULL),"
	       "(20,0,1,0,502,NULL,NULL,NULL,NULL),(20,1,1,1,502,NULL,NULL,NULL,NULL),"
	       "(30,1,1,1,502,NULL,NULL,NULL,NULL);"
	       /* an index on ts must not decide the check's order */
	       "CREATE INDEX by_ts ON event(ts DESC);");
	db = tdb_open(p, TDB_READONLY, err, sizeof(err));
	TAP_OK("tracedb-5.1 in-order foreign file opens", db != NULL);
	if (!db)
		return;
	tdb_scan_begin(db);
	TAP_OK("tracedb-5.2 in order: scanned by rowid, not sorted", !tdb_scan_sorted(db));
	while ((rc = tdb_scan_next(db, &ev)) == 1 && n < 5)
		seen[n++] = ev.rowid;
	TAP_OK("tracedb-5.3 every row, in rowid order", rc == 0 && n == 4 && seen[0] == 1 &&
	       seen[1] == 2 && seen[2] == 3 && seen[3] == 4);
	/* a second scan of the same handle decides again and gives the same rows */
	tdb_scan_begin(db);
	n = 0;
	while (tdb_scan_next(db, &ev) == 1)
		n++;
	TAP_OK("tracedb-5.4 a second scan gives them again", n == 4 && !tdb_scan_sorted(db));
	tdb_scan_end(db);
	tdb_close(db);

	/* the last row goes back: the whole file is sorted, before any row is delivered */
	sql(p, "INSERT INTO event VALUES (15,0,1,0,502,NULL,NULL,NULL,NULL);");
	db = tdb_open(p, TDB_READONLY, err, sizeof(err));
	if (!db)
		return;
	tdb_scan_begin(db);
	n = 0;
	while ((rc = tdb_scan_next(db, &ev)) == 1 && n < 5)
		seen[n++] = ev.rowid;
	TAP_OK("tracedb-5.5 last row out of order: sorted scan, row 5 second",
	       tdb_scan_sorted(db) && rc == 0 && n == 5 && seen[0] == 1 && seen[1] == 5 &&
	       seen[2] == 2 && seen[4] == 4);
	tdb_scan_end(db);
	tdb_close(db);
}

/* What SQLite permits that the contract does not: every class named, with its rowid. */
static void test_hostile(void)
{
	char err[512], why[300];
	const char *p;
	FILE *f;

	expect_bad("tracedb-6.1", "tstext.db",
		   "INSERT INTO event VALUES (1,0,1,0,502,NULL,NULL,NULL,NULL),('abc',0,1,0,502,NULL,NULL,NULL,NULL);",
		   "rowid 2: ts is text, not an integer");
	expect_bad("tracedb-6.2", "cpublob.db",
		   "INSERT INTO meta VALUES ('event_order','ts');"
		   "INSERT INTO event VALUES (1,x'01',1,0,502,NULL,NULL,NULL,NULL);", "rowid 1: cpu is a blob");
	expect_bad("tracedb-6.3", "optext.db",
		   "INSERT INTO event VALUES (1,0,1,0,504,'H_REMOVE',0,1,0);", "rowid 1: a0 is text");
	expect_bad("tracedb-6.4", "vcpureal.db",
		   "INSERT INTO event VALUES (1,0,1,0.5,502,NULL,NULL,NULL,NULL);", "rowid 1: vcpu is a real");
	expect_bad("tracedb-6.5", "kindtext.db",
		   "INSERT INTO event VALUES (1,0,1,0,'k502',NULL,NULL,NULL,NULL);", "rowid 1: kind is text");
	expect_bad("tracedb-6.6", "vmreal.db",
		   "INSERT INTO event VALUES (1,0,1.5,0,502,NULL,NULL,NULL,NULL);", "rowid 1: vm is a real");
	expect_bad("tracedb-6.12", "trigger.db",
		   "CREATE TRIGGER lie AFTER INSERT ON vm BEGIN UPDATE meta SET value = '0'; END;",
		   "has a trigger 'lie' on 'vm'");
	expect_bad("tracedb-6.13", "trigger-event.db",
		   "CREATE TRIGGER t BEFORE DELETE ON event BEGIN SELECT RAISE(IGNORE); END;",
		   "has a trigger 't' on 'event'");
	expect_bad("tracedb-6.14", "metaview.db",
		   "ALTER TABLE meta RENAME TO m0;"
		   "CREATE VIEW meta AS WITH RECURSIVE r(key, value) AS (SELECT 'k', 'v' UNION ALL "
		   "SELECT key, value FROM r) SELECT key, value FROM r;", "'meta' is a view, not a table");
	expect_bad("tracedb-6.15", "eventview.db",
		   "ALTER TABLE event RENAME TO e0; CREATE VIEW event AS SELECT * FROM e0;",
		   "'event' is a view, not a table");
	expect_bad("tracedb-6.16", "kindview.db",
		   "CREATE TABLE k0 AS SELECT * FROM event_kind; DROP TABLE event_kind;"
		   "CREATE VIEW event_kind AS SELECT * FROM k0;", "'event_kind' is a view, not a table");
	expect_bad("tracedb-6.17", "otherview.db", "CREATE VIEW mine AS SELECT 1;",
		   "has a view 'mine' that is not one of the schema's");
	expect_bad("tracedb-6.18", "hcallview.db", "CREATE VIEW hcall AS SELECT * FROM event;",
		   "has a view 'hcall' that is not one of the schema's");
	expect_bad("tracedb-6.19", "replayshape.db",
		   "CREATE TABLE replay_total(run INTEGER, vm INTEGER, cycles INTEGER, "
		   "PRIMARY KEY (run, vm) ON CONFLICT IGNORE);",
		   "table 'replay_total' is not declared as the schema declares it");
	expect_bad("tracedb-6.20", "replayview.db", "CREATE VIEW replay_run AS SELECT 1 AS id;",
		   "'replay_run' is a view, not a table");
	expect_bad("tracedb-6.21", "gencol.db",
		   "CREATE TABLE e1(ts INTEGER, cpu INTEGER, vm INTEGER, vcpu INTEGER, kind INTEGER, a0 INTEGER,"
		   " a1 INTEGER, a2 INTEGER, a3 INTEGER, big AS (length(zeroblob(1000000000))));"
		   "DROP TABLE event; ALTER TABLE e1 RENAME TO event;",
		   "table event has a generated column 'big'");
	expect_bad("tracedb-6.22", "ctrlname.db", "CREATE VIEW \"a\x1b[31mb\" AS SELECT 1;",
		   "has a view 'a?[31mb'");
	/* Extreme integers are data, not errors, at this level: they reach the consumer
	 * exactly, whose rules decide (the replay's sums, tlbmerge's times). */
	p = path_in("extreme.db");
	unlink(p);
	sql(p, base_sql);
	sql(p, "INSERT INTO event VALUES (-9223372036854775808,0,1,0,508,9223372036854775807,NULL,NULL,NULL),"
	       "(9223372036854775807,0,1,NULL,504,4,-1,4611686018427387904,0);");
	{
		struct tdb *db = tdb_open(p, TDB_READONLY, err, sizeof(err));
		struct tdb_event a = { 0 }, b = { 0 };

		if (db) {
			tdb_scan_begin(db);
			if (tdb_scan_next(db, &a) != 1 || tdb_scan_next(db, &b) != 1)
				a.rowid = 0;
			tdb_scan_end(db);
		}
		TAP_OK("tracedb-6.7 INT64_MIN ts, INT64_MAX count, 2^62 n: read exactly",
		       db && a.rowid == 1 && a.ts == INT64_MIN && a.a[0] == INT64_MAX &&
		       b.ts == INT64_MAX && b.a[2] == (INT64_C(1) << 62) && b.a[1] == -1 &&
		       (b.nulls & TDB_NULL_VCPU));
		tdb_close(db);
	}

	/* NULL keys, NULL values and odd types where SQLite permits them (meta, event_kind). */
	expect_bad("tracedb-6.24", "nullvalue.db",
		   "CREATE TABLE m2(key, value); INSERT INTO m2 SELECT * FROM meta WHERE key <> 'ncpus';"
		   "INSERT INTO m2 VALUES ('ncpus', NULL), (NULL, NULL), (NULL, '1');"
		   "DROP TABLE meta; ALTER TABLE m2 RENAME TO meta;", "meta key 'ncpus' has a NULL value");
	expect_bad("tracedb-6.25", "kindid.db",
		   "CREATE TABLE k2(id, name); INSERT INTO k2 SELECT id, name FROM event_kind;"
		   "INSERT INTO k2 VALUES ('x9', 'odd'); DROP TABLE event_kind; ALTER TABLE k2 RENAME TO event_kind;",
		   "the id of kind 'odd' is text, not an integer");
	expect_bad("tracedb-6.26", "kindname.db",
		   "CREATE TABLE k2(id, name); INSERT INTO k2 SELECT id, name FROM event_kind;"
		   "INSERT INTO k2 VALUES (900, NULL); DROP TABLE event_kind; ALTER TABLE k2 RENAME TO event_kind;",
		   "kind id 900 has a NULL name");
	p = path_in("nullkey.db");
	unlink(p);
	sql(p, base_sql);
	sql(p, "CREATE TABLE m2(key, value); INSERT INTO m2 SELECT * FROM meta;"
	       "INSERT INTO m2 VALUES (NULL, 'x'), ('empty', NULL), (x'00ff', 'blob key');"
	       "DROP TABLE meta; ALTER TABLE m2 RENAME TO meta;");
	{
		struct tdb *db = tdb_open(p, TDB_READONLY, err, sizeof(err));

		TAP_OK("tracedb-6.27 NULL keys and values, a blob key: opens, the NULL value reads as absent",
		       db != NULL && tdb_meta(db, "empty") == NULL && tdb_meta(db, "ncpus") != NULL);
		tdb_close(db);
	}

	/* The scan's own view of the schema: our views, exactly as the schema writes them, pass. */
	p = path_in("ourviews.db");
	unlink(p);
	sql(p, tlb_schema_v1_sql);
	sql(p, "INSERT INTO meta VALUES ('source','generated'),('threads_per_core','1'),('ncpus','1');");
	{
		struct tdb *db = tdb_open(p, TDB_READONLY, err, sizeof(err));

		TAP_OK("tracedb-6.23 the schema's own views and results tables are accepted", db != NULL);
		if (!db)
			printf("#   %s\n", err);
		tdb_close(db);
	}

	/* What the file is, before SQLite opens it. */
	TAP_OK("tracedb-7.1 missing file: no such file",
	       tdb_check_file(path_in("missing.db"), why, sizeof(why)) < 0 && !strcmp(why, "no such file"));
	TAP_OK("tracedb-7.2 a directory says so",
	       tdb_check_file(scratch_dir, why, sizeof(why)) < 0 && strstr(why, "is a directory"));
	p = path_in("trace.dat");
	f = fopen(p, "w");
	if (f) {
		fwrite("\x17\x08\x44tracing6\0\0\0\0\0\0\0\0", 1, 20, f);
		fclose(f);
	}
	TAP_OK("tracedb-7.3 trace-cmd file: run tlbimport first",
	       tdb_check_file(p, why, sizeof(why)) < 0 && strstr(why, "a trace-cmd file: run tlbimport first"));
	{
		struct tdb *db = tdb_open(p, TDB_READONLY, err, sizeof(err));

		TAP_OK("tracedb-7.4 tdb_open says it too, with the file name",
		       !db && strstr(err, "trace-cmd file") && strstr(err, p));
		tdb_close(db);
	}
	p = path_in("empty.db");
	f = fopen(p, "w");
	if (f)
		fclose(f);
	TAP_OK("tracedb-7.5 an empty file is not a trace",
	       tdb_check_file(p, why, sizeof(why)) < 0 && strstr(why, "empty"));
	p = path_in("short.db");
	f = fopen(p, "w");
	if (f) {
		fputs("SQLite", f);
		fclose(f);
	}
	TAP_OK("tracedb-7.6 a short file is not SQLite",
	       tdb_check_file(p, why, sizeof(why)) < 0 && strstr(why, "not a SQLite database"));
	p = path_in("fifo.db");
	TAP_OK("tracedb-7.7 a FIFO is refused without blocking",
	       mkfifo(p, 0600) == 0 && tdb_check_file(p, why, sizeof(why)) < 0 &&
	       strstr(why, "not a regular file"));
	TAP_OK("tracedb-7.8 /dev/zero is refused",
	       tdb_check_file("/dev/zero", why, sizeof(why)) < 0 && strstr(why, "not a regular file"));
	TAP_OK("tracedb-7.9 a path through a file: no such file",
	       tdb_check_file(path_in("short.db/x"), why, sizeof(why)) < 0 && strstr(why, "no such file"));
}

int main(int argc, char **argv)
{
	tlb_prog = "tracedb_test";
	if (scratch_main(argc, argv, "tracedb_test"))
		return 2;
	test_roundtrip();
	test_refusals();
	test_bad_inputs();
	test_unordered_file_sorted();
	test_in_order_foreign();
	test_hostile();
	return tap_failed();
}
