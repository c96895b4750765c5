/* SPDX-License-Identifier: MIT */
/*
 * tracedb_test - the trace DB contract from both sides: what tracewriter
 * writes, tracedb reads back in order; kinds resolve by name whatever their
 * ids; the writer leaves nothing on abort; the reader refuses what is not a
 * trace and names the file and row. Usage: tracedb_test SCRATCH_DIR.
 */
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

static char dir[512];

static const char *path_in(const char *name)
{
	static char buf[4][600];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

static int sql(const char *path, const char *text)
{
	sqlite3 *db;
	int rc = sqlite3_open(path, &db);

	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, text, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

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
	TAP_OK("tracedb-1.5 file in place", stat(p, &sb) == 0 && (sb.st_mode & 0777) == 0644);

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
	tdb_scan_end(db);
	tdb_close(db);
}

int main(int argc, char **argv)
{
	tlb_prog = "tracedb_test";
	if (argc != 2) {
		fprintf(stderr, "usage: tracedb_test SCRATCH_DIR\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s", argv[1]);
	test_roundtrip();
	test_refusals();
	test_bad_inputs();
	test_unordered_file_sorted();
	return tap_failed();
}
