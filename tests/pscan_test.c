/* SPDX-License-Identifier: MIT */
/*
 * pscan_test - tracedb's parallel decode (common/pscan) against its single-thread
 * scan: the same rows in the same order, the same end, the same first bad row with
 * the same message (bad rows at chunk boundaries, in a later chunk, two bad rows in
 * two chunks), for ordered, foreign in-order, out-of-order (falls back: sorted),
 * tiny, empty and sparse-rowid files; and when the parallel decode must decline: a
 * path swapped after tdb_open, a WAL file, a handle in a write transaction.
 * Usage: pscan_test SCRATCH_DIR.
 */
#include "scratchdb.h"
#include "tap.h"
#include "tracedb.h"
#include "util.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const char tlb_schema_v1_sql[];

/* A trace of @n events (rowids 1..n, ts = 10 * rowid), a mix of kinds and NULLs. */
static const char *make_trace(const char *name, int n, bool ordered)
{
	const char *p = path_in(name);
	char q[1600];

	unlink(p);
	sql(p, tlb_schema_v1_sql);
	snprintf(q, sizeof(q),
		 "INSERT INTO meta VALUES ('source','generated'),('threads_per_core','4'),('ncpus','8')%s;"
		 "INSERT INTO vm(id, name) VALUES (1, 'a'), (2, 'b');"
		 "WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < %d)"
		 " INSERT INTO event(rowid, ts, cpu, vm, vcpu, kind, a0, a1, a2, a3)"
		 " SELECT x, x * 10, x %% 8, 1 + x %% 2, CASE WHEN x %% 7 = 0 THEN NULL ELSE x %% 4 END,"
		 " CASE WHEN x %% 5 = 0 THEN 2 WHEN x %% 5 = 1 THEN 3 ELSE 4 END,"
		 " CASE WHEN x %% 5 = 0 THEN NULL ELSE x * 3 END, x %% 2, NULL,"
		 " CASE WHEN x %% 3 = 0 THEN NULL ELSE -x END FROM i WHERE x <= %d;",
		 ordered ? ",('event_order','ts')" : "", n, n);
	sql(p, q);
	return p;
}

struct result {
	int rc;			/* the last tdb_scan_next's, or -2: cannot open/begin */
	int64_t n;		/* events delivered */
	uint64_t h;		/* hash of every field of every event, in order */
	int threads;		/* tdb_scan_threads after the first row */
	bool sorted;
	char err[600];
};

static void mix(uint64_t *h, int64_t v)
{
	*h = (*h ^ (uint64_t)v) * 0x100000001b3ULL;
	*h ^= *h >> 29;
}

/* The whole scan of @path with TLB_SCAN_THREADS=@threads and TLB_SCAN_CHUNK=@chunk (NULL: unset). */
static struct result scan(const char *path, const char *threads, const char *chunk)
{
	struct result r = { .rc = -2, .h = 0xcbf29ce484222325ULL, .threads = 0 };
	struct tdb_event ev;
	struct tdb *db;

	if (threads)
		setenv("TLB_SCAN_THREADS", threads, 1);
	else
		unsetenv("TLB_SCAN_THREADS");
	if (chunk)
		setenv("TLB_SCAN_CHUNK", chunk, 1);
	else
		unsetenv("TLB_SCAN_CHUNK");
	db = tdb_open(path, TDB_READONLY, r.err, sizeof(r.err));
	if (!db)
		return r;
	if (tdb_scan_begin(db)) {
		snprintf(r.err, sizeof(r.err), "%s", tdb_error(db));
		tdb_close(db);
		return r;
	}
	while ((r.rc = tdb_scan_next(db, &ev)) == 1) {
		if (r.n++ == 0)
			r.threads = tdb_scan_threads(db);
		mix(&r.h, ev.rowid);
		mix(&r.h, ev.ts);
		mix(&r.h, ev.cpu);
		mix(&r.h, ev.vm);
		mix(&r.h, ev.vcpu);
		mix(&r.h, ev.kind_id);
		mix(&r.h, ev.kind);
		mix(&r.h, ev.nulls);
		for (int i = 0; i < 4; i++)
			mix(&r.h, ev.a[i]);
	}
	if (r.n == 0)
		r.threads = tdb_scan_threads(db);
	if (r.rc < 0)
		snprintf(r.err, sizeof(r.err), "%s", tdb_error(db));
	r.sorted = tdb_scan_sorted(db);
	tdb_scan_end(db);
	tdb_close(db);
	return r;
}

static bool same(const struct result *a, const struct result *b)
{
	bool eq = a->rc == b->rc && a->n == b->n && a->h == b->h && strcmp(a->err, b->err) == 0 &&
		  a->sorted == b->sorted;

	if (!eq)
		printf("#   single: rc %d n %lld err '%s'\n#   other:  rc %d n %lld err '%s'\n", a->rc,
		       (long long)a->n, a->err, b->rc, (long long)b->n, b->err);
	return eq;
}

/* @id: parallel (threads, chunk) gives exactly the single-thread scan, and ran with @want threads. */
static void check_same(const char *id, const char *what, const char *path, const char *threads,
		       const char *chunk, int want)
{
	struct result one = scan(path, "1", NULL), par = scan(path, threads, chunk);
	char desc[300];

	snprintf(desc, sizeof(desc), "%s %s: the same rows, end and message as one thread", id, what);
	TAP_OK(desc, same(&one, &par));
	snprintf(desc, sizeof(desc), "%s %s: decoded by %d thread(s)", id, what, want);
	TAP_EQ_I64(desc, want, par.threads);
}

static void test_ordered(void)
{
	const char *p = make_trace("big.db", 20000, true);
	struct result one = scan(p, "1", NULL);

	TAP_OK("pscan-1.1 the single-thread scan reads all 20000 rows",
	       one.rc == 0 && one.n == 20000 && one.threads == 1);
	check_same("pscan-1.2", "2 threads, chunk 1000", p, "2", "1000", 2);
	check_same("pscan-1.3", "3 threads, chunk 7 (odd)", p, "3", "7", 3);
	check_same("pscan-1.4", "4 threads, chunk 1", p, "4", "1", 4);
	check_same("pscan-1.5", "2 threads, default chunk", p, "2", NULL, 2);
	check_same("pscan-1.6", "16 threads, chunk 64", p, "16", "64", 16);
	/* auto: 20000 rows is below the size where threads pay */
	check_same("pscan-1.7", "auto, small trace", p, NULL, NULL, 1);
	check_same("pscan-1.8", "TLB_SCAN_THREADS=0", p, "0", "100", 1);
	check_same("pscan-1.9", "TLB_SCAN_THREADS=junk", p, "2x", "100", 1);
	check_same("pscan-1.10", "a bad TLB_SCAN_CHUNK: the default", p, "2", "0", 2);
}

/* @name: a copy of a 5000-row ordered trace with @change applied; 2 threads, chunks of 1000. */
static void check_bad(const char *id, const char *name, const char *change, const char *needle)
{
	const char *p = make_trace(name, 5000, true);
	struct result one, par;
	char desc[300];

	sql(p, change);
	one = scan(p, "1", NULL);
	par = scan(p, "2", "1000");
	snprintf(desc, sizeof(desc), "%s %s: one thread fails naming it", id, needle);
	TAP_OK(desc, one.rc == -1 && strstr(one.err, needle) && strstr(one.err, p));
	if (!(one.rc == -1 && strstr(one.err, needle)))
		printf("#   got rc %d '%s'\n", one.rc, one.err);
	snprintf(desc, sizeof(desc), "%s parallel: the same rows before it, the same message", id);
	TAP_OK(desc, same(&one, &par) && par.threads == 2);
}

static void test_bad_rows(void)
{
	check_bad("pscan-2.1", "bad1000.db", "UPDATE event SET cpu = 'x' WHERE rowid = 1000",
		  "event rowid 1000: cpu is text, not an integer");
	check_bad("pscan-2.2", "bad1001.db", "UPDATE event SET a2 = 1.5 WHERE rowid = 1001",
		  "event rowid 1001: a2 is a real, not an integer or NULL");
	check_bad("pscan-2.3", "bad1.db", "UPDATE event SET kind = 999 WHERE rowid = 1",
		  "event rowid 1: kind 999 is not in event_kind");
	check_bad("pscan-2.4", "bad5000.db", "UPDATE event SET ts = x'00' WHERE rowid = 5000",
		  "event rowid 5000: ts is a blob, not an integer");
	check_bad("pscan-2.5", "late.db", "UPDATE event SET vm = 'v' WHERE rowid = 4321",
		  "event rowid 4321: vm is text");
	/* the first bad row in scan order wins, whichever chunk a decoder finished first */
	check_bad("pscan-2.6", "two.db",
		  "UPDATE event SET vcpu = 'x' WHERE rowid = 3500; UPDATE event SET cpu = 'y' WHERE rowid = 1999",
		  "event rowid 1999: cpu is text");
	/* ts going back: checked on the rows in order, across a chunk boundary */
	check_bad("pscan-2.7", "back.db", "UPDATE event SET ts = 5 WHERE rowid = 2001",
		  "event rowid 2001: ts 5 is before the previous row's 20000, but meta event_order");
	check_bad("pscan-2.8", "backfirst.db",
		  "UPDATE event SET ts = 5 WHERE rowid = 2001; UPDATE event SET a0 = 'z' WHERE rowid = 2002",
		  "event rowid 2001: ts 5 is before");
	check_bad("pscan-2.9", "typefirst.db",
		  "UPDATE event SET ts = 5 WHERE rowid = 3002; UPDATE event SET a0 = 'z' WHERE rowid = 3001",
		  "event rowid 3001: a0 is text");
}

static void test_orders(void)
{
	const char *p = make_trace("foreign.db", 5000, false);
	struct result r;

	check_same("pscan-3.1", "foreign, in order (checked, then by rowid)", p, "2", "500", 2);
	r = scan(p, "2", "500");
	TAP_OK("pscan-3.2 foreign in order: not sorted", !r.sorted && r.n == 5000);
	p = make_trace("shuffled.db", 5000, false);
	sql(p, "UPDATE event SET ts = 1 WHERE rowid = 4000");
	check_same("pscan-3.3", "foreign, out of order (sorted: one thread)", p, "2", "500", 1);
	r = scan(p, "2", "500");
	TAP_OK("pscan-3.4 out of order: sorted, every row", r.sorted && r.n == 5000 && r.rc == 0);
	/* a file that says it is ordered but is not: the same message either way */
	p = make_trace("liar.db", 5000, true);
	sql(p, "UPDATE event SET ts = 1 WHERE rowid = 4000");
	check_same("pscan-3.5", "event_order=ts but not in order", p, "2", "500", 2);
}

static void test_small_and_sparse(void)
{
	const char *p;
	struct result r;

	p = make_trace("one.db", 1, true);
	check_same("pscan-4.1", "one row", p, "2", "1", 2);
	p = make_trace("three.db", 3, true);
	check_same("pscan-4.2", "three rows, chunk 1", p, "4", "1", 4);
	check_same("pscan-4.3", "three rows, chunk 8192", p, "2", NULL, 2);
	p = make_trace("empty.db", 0, true);
	r = scan(p, "2", "1");
	TAP_OK("pscan-4.4 no rows: the end at once, one thread", r.rc == 0 && r.n == 0 && r.threads == 1);
	/* rowids far apart: a chunk starts at the next rowid that exists, so this is a few
	 * chunks, not 2^63 / 16 empty ones */
	p = make_trace("sparse.db", 100, true);
	sql(p, "INSERT INTO event(rowid, ts, cpu, vm, vcpu, kind) VALUES"
	       " (4611686018427387904, 5000, 0, 1, 0, 2), (9223372036854775807, 5001, 0, 1, 0, 3),"
	       " (-9223372036854775807, -5, 0, 1, 0, 2), (-4, -1, 0, 1, 0, 2);");
	check_same("pscan-4.5", "rowids from -2^63+1 to 2^63-1", p, "2", "16", 2);
	r = scan(p, "2", "16");
	TAP_OK("pscan-4.6 sparse: every row, the extremes included", r.rc == 0 && r.n == 104);
	/* auto on a trace spanning more than the threshold in rowids: threads when there is
	 * more than one cpu */
	r = scan(p, NULL, NULL);
	TAP_OK("pscan-4.7 auto, a wide rowid span: every row", r.rc == 0 && r.n == 104);
}

static void test_declines(void)
{
	const char *p = make_trace("swap.db", 3000, true), *other = make_trace("other.db", 10, true);
	char err[600];
	struct tdb_event ev;
	struct tdb *db;
	int64_t n = 0;
	int rc, threads;

	/* The path names another file after tdb_open checked it: no extra connection reads
	 * it; the scan reads the checked file on its own connection. */
	setenv("TLB_SCAN_THREADS", "2", 1);
	setenv("TLB_SCAN_CHUNK", "100", 1);
	db = tdb_open(p, TDB_READONLY, err, sizeof(err));
	TAP_OK("pscan-5.1 open", db != NULL);
	if (!db)
		return;
	tdb_scan_begin(db);
	TAP_OK("pscan-5.2 another file renamed over the path", rename(other, p) == 0);
	while ((rc = tdb_scan_next(db, &ev)) == 1)
		n++;
	threads = tdb_scan_threads(db);
	tdb_scan_end(db);
	tdb_close(db);
	TAP_OK("pscan-5.3 swapped path: one thread, the checked file's 3000 rows",
	       rc == 0 && n == 3000 && threads == 1);

	p = make_trace("wal.db", 3000, true);
	sql(p, "PRAGMA journal_mode = WAL");
	check_same("pscan-5.4", "a WAL file (one thread)", p, "2", "100", 1);

	/* A handle in a write transaction (tlbreplay --store): parallel, with the writes made
	 * during the scan kept in memory; past TLB_SCAN_CACHE_MAX bytes of page cache the
	 * rest of the scan is read on the handle's own connection, from the next rowid. */
	p = make_trace("store.db", 20000, true);
	{
		struct result one = scan(p, "1", NULL);
		uint64_t h = 0xcbf29ce484222325ULL;
		int first = 0, last = 0, wrote = 0;

		setenv("TLB_SCAN_THREADS", "2", 1);	/* scan() set them */
		setenv("TLB_SCAN_CHUNK", "100", 1);
		setenv("TLB_SCAN_CACHE_MAX", "1000000", 1);
		db = tdb_open(p, TDB_READWRITE, err, sizeof(err));
		n = 0;
		if (db && sqlite3_exec(tdb_sqlite(db), "BEGIN IMMEDIATE; CREATE TABLE junk(x BLOB)", NULL,
				       NULL, NULL) == SQLITE_OK && tdb_scan_begin(db) == 0) {
			while ((rc = tdb_scan_next(db, &ev)) == 1) {
				if (n++ == 0)
					first = tdb_scan_threads(db);
				/* 4 KB written every 8 rows: 10 MB over the scan */
				if (n % 8 == 0 && sqlite3_exec(tdb_sqlite(db), "INSERT INTO junk VALUES "
							       "(zeroblob(4000))", NULL, NULL, NULL) == SQLITE_OK)
					wrote++;
				mix(&h, ev.rowid);
				mix(&h, ev.ts);
				mix(&h, ev.cpu);
				mix(&h, ev.vm);
				mix(&h, ev.vcpu);
				mix(&h, ev.kind_id);
				mix(&h, ev.kind);
				mix(&h, ev.nulls);
				for (int i = 0; i < 4; i++)
					mix(&h, ev.a[i]);
			}
			last = tdb_scan_threads(db);
			tdb_scan_end(db);
		}
		TAP_OK("pscan-5.5 in a write transaction: 2 decoders at first", first == 2);
		TAP_OK("pscan-5.6 writes during the scan: all went in", wrote == 2500);
		TAP_OK("pscan-5.7 past the cache budget: the rest on one thread", last == 1);
		TAP_OK("pscan-5.8 the same rows in the same order as one thread",
		       rc == 0 && n == one.n && h == one.h);
		TAP_OK("pscan-5.9 then COMMIT (no reader left holding the file)",
		       db && sqlite3_exec(tdb_sqlite(db), "COMMIT", NULL, NULL, NULL) == SQLITE_OK);
		tdb_close(db);
		unsetenv("TLB_SCAN_CACHE_MAX");
	}

	/* Read-write without a transaction: parallel; afterwards the handle can still write
	 * (the scan's read transaction is over). */
	db = tdb_open(p, TDB_READWRITE, err, sizeof(err));
	n = 0;
	threads = 0;
	if (db && tdb_scan_begin(db) == 0) {
		while ((rc = tdb_scan_next(db, &ev)) == 1)
			n++;
		threads = tdb_scan_threads(db);
		tdb_scan_end(db);
	}
	TAP_OK("pscan-5.10 read-write, no transaction: 2 threads, every row", n == 20000 && threads == 2);
	TAP_OK("pscan-5.11 then the handle writes",
	       db && sqlite3_exec(tdb_sqlite(db), "INSERT INTO meta VALUES ('k', 'v')", NULL, NULL,
				  NULL) == SQLITE_OK);
	tdb_close(db);

	/* Stopping early (a consumer's own error) with decoders ahead and all buffers full. */
	p = make_trace("early.db", 20000, true);
	db = tdb_open(p, TDB_READONLY, err, sizeof(err));
	n = 0;
	if (db && tdb_scan_begin(db) == 0) {
		while (n < 150 && tdb_scan_next(db, &ev) == 1)
			n++;
		usleep(20000);	/* the decoders fill every buffer and wait */
		tdb_scan_end(db);
		/* and a second scan of the same handle, as optimal's passes do */
		n = 0;
		if (tdb_scan_begin(db) == 0)
			while (tdb_scan_next(db, &ev) == 1)
				n++;
		tdb_scan_end(db);
	}
	TAP_OK("pscan-5.12 a scan ended early, then a whole second scan", n == 20000);
	tdb_close(db);
	unsetenv("TLB_SCAN_THREADS");
	unsetenv("TLB_SCAN_CHUNK");
}

int main(int argc, char **argv)
{
	tlb_prog = "pscan_test";
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (scratch_main(argc, argv, "pscan_test"))
		return 2;
	test_ordered();
	test_bad_rows();
	test_orders();
	test_small_and_sparse();
	test_declines();
	return tap_failed();
}
