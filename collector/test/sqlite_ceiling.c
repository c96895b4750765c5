/* SPDX-License-Identifier: MIT */
/*
 * collect-sqlite-ceiling - the fastest this machine inserts trace rows: the
 * ceiling bench/b30-collect.sh measures tlbcollect's sustained rate against.
 *
 * What it does: creates FILE with table event of schema v1 (same columns,
 * same pragmas as common/tracewriter.c: journal off, synchronous off,
 * exclusive lock, 16 MiB cache), then inserts ROWS rows through one prepared
 * statement in transactions of 65536 rows (TW_BATCH), with values shaped
 * like a collector's (rising ts, 2 cpus, a vcpu, one argument). Prints
 * "rows R seconds S rows_per_s X cpu_rows_per_s Y" (Y: rows per second of this
 * process's cpu time, which other load on the machine does not change). Nothing else: no parsing, no queue, no
 * identity, which is what the collector adds.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static uint64_t cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		tlb_msg("cannot run '%s': %s", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t rows;
	uint64_t t, c;
	int rc = 1;

	tlb_prog = "collect-sqlite-ceiling";
	if (argc != 3 || parse_i64(argv[1], &rows) || rows <= 0) {
		fprintf(stderr, "USAGE: collect-sqlite-ceiling ROWS FILE\n");
		return 2;
	}
	unlink(argv[2]);
	/* The same SQLite configuration as tlbcollect (one thread at a time, no memory
	 * statistics), so that the ceiling measures the same library work per row. */
	if (sqlite3_config(SQLITE_CONFIG_SINGLETHREAD) != SQLITE_OK ||
	    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK) {
		tlb_msg("cannot configure SQLite");
		goto out;
	}
	if (sqlite3_open(argv[2], &db) != SQLITE_OK) {
		tlb_msg("cannot open %s: %s", argv[2], sqlite3_errmsg(db));
		goto out;
	}
	if (exec(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
		     "PRAGMA locking_mode = EXCLUSIVE; PRAGMA cache_size = -16384;"
		     "CREATE TABLE event(ts INTEGER NOT NULL, cpu INTEGER NOT NULL, vm INTEGER NOT NULL,"
		     " vcpu INTEGER, kind INTEGER NOT NULL, a0 INTEGER, a1 INTEGER, a2 INTEGER, a3 INTEGER);"))
		goto out;
	if (sqlite3_prepare_v2(db, "INSERT INTO event(ts, cpu, vm, vcpu, kind, a0, a1, a2, a3) "
			       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK) {
		tlb_msg("cannot prepare the insert: %s", sqlite3_errmsg(db));
		goto out;
	}
	t = now_ns();
	c = cpu_ns();
	if (exec(db, "BEGIN"))
		goto out;
	for (int64_t i = 0; i < rows; i++) {
		sqlite3_bind_int64(st, 1, i * 1000);
		sqlite3_bind_int64(st, 2, i & 1);
		sqlite3_bind_int64(st, 3, 1);
		sqlite3_bind_int64(st, 4, (i >> 1) & 3);
		sqlite3_bind_int64(st, 5, 2);
		sqlite3_bind_int64(st, 6, i & 1);
		sqlite3_bind_null(st, 7);
		sqlite3_bind_null(st, 8);
		sqlite3_bind_null(st, 9);
		if (sqlite3_step(st) != SQLITE_DONE) {
			tlb_msg("cannot insert row %lld: %s", (long long)i, sqlite3_errmsg(db));
			goto out;
		}
		sqlite3_reset(st);
		if ((i + 1) % 65536 == 0 && exec(db, "COMMIT; BEGIN"))
			goto out;
	}
	if (exec(db, "COMMIT"))
		goto out;
	t = now_ns() - t;
	c = cpu_ns() - c;
	printf("rows %lld seconds %.3f rows_per_s %.0f cpu_rows_per_s %.0f\n", (long long)rows, t / 1e9,
	       (double)rows * 1e9 / (double)t, (double)rows * 1e9 / (double)c);
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}
