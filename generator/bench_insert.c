/* SPDX-License-Identifier: MIT */
/*
 * bench_insert - the ceiling of bench/b20-gen.sh: how fast SQLite takes the
 * same rows into the same schema through a bare prepared INSERT loop, with
 * the pragmas and batch size of common/tracewriter.c and nothing else (no
 * generation, no bookkeeping).
 *
 * USAGE: bench_insert TEMPLATE.db OUT.db N
 * Reads up to 65536 events of TEMPLATE.db (a tlbgen output, so that the rows
 * have the same value sizes and NULLs as tlbgen's), then times creating
 * OUT.db from schemas/trace-v1.sql and inserting N rows cycling through the
 * template rows (ts shifted to keep time order), committing every TW_BATCH
 * rows, and closing. Prints "rows N seconds S cpu_seconds C rows_per_s R"
 * (R from wall time; C is this process's CPU time over the same span).
 */
#include "tracewriter.h"
#include "util.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

extern const char tlb_schema_v1_sql[];

#define TEMPLATE_ROWS 65536

struct trow {
	sqlite3_int64 v[9];	/* ts, cpu, vm, vcpu, kind, a0..a3 */
	unsigned nulls;		/* bit i: column i is NULL */
};

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(sqlite3 *db, const char *what)
{
	tlb_msg("cannot %s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
	return EXIT_RUN_FAILED;
}

int main(int argc, char **argv)
{
	struct trow *rows = NULL;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t n, nrows = 0, span;
	uint64_t t0, t1;
	double c0, c1;
	int rc = EXIT_RUN_FAILED;

	tlb_prog = "bench_insert";
	if (argc != 4 || parse_i64(argv[3], &n) || n < 0) {
		fprintf(stderr, "USAGE: bench_insert TEMPLATE.db OUT.db N\n");
		return EXIT_BAD_INPUT;
	}
	rows = calloc(TEMPLATE_ROWS, sizeof(*rows));
	if (!rows)
		return fail(NULL, "allocate the template");
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT ts, cpu, vm, vcpu, kind, a0, a1, a2, a3 FROM event "
			       "ORDER BY rowid LIMIT 65536", -1, &st, NULL) != SQLITE_OK) {
		rc = fail(db, "read the template");
		goto out;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int c = 0; c < 9; c++) {
			if (sqlite3_column_type(st, c) == SQLITE_NULL)
				rows[nrows].nulls |= 1u << c;
			rows[nrows].v[c] = sqlite3_column_int64(st, c);
		}
		nrows++;
	}
	sqlite3_finalize(st);
	st = NULL;
	sqlite3_close(db);
	db = NULL;
	if (nrows == 0) {
		tlb_msg("cannot use %s: no events", argv[1]);
		free(rows);
		return EXIT_BAD_INPUT;
	}
	span = rows[nrows - 1].v[0] + 1;
	unlink(argv[2]);

	t0 = now_ns();
	c0 = cpu_seconds();
	if (sqlite3_open(argv[2], &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
			 "PRAGMA locking_mode = EXCLUSIVE; PRAGMA cache_size = -16384;",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, tlb_schema_v1_sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO event(ts, cpu, vm, vcpu, kind, a0, a1, a2, a3) "
			       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		rc = fail(db, "create the output");
		goto out;
	}
	for (int64_t i = 0; i < n; i++) {
		const struct trow *r = &rows[i % nrows];

		sqlite3_bind_int64(st, 1, r->v[0] + (i / nrows) * span);
		for (int c = 1; c < 9; c++) {
			if (r->nulls & (1u << c))
				sqlite3_bind_null(st, c + 1);
			else
				sqlite3_bind_int64(st, c + 1, r->v[c]);
		}
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = fail(db, "insert");
			goto out;
		}
		sqlite3_reset(st);
		if ((i + 1) % TW_BATCH == 0 &&
		    sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
			rc = fail(db, "commit");
			goto out;
		}
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		rc = fail(db, "commit");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_close(db) != SQLITE_OK) {
		rc = fail(db, "close the output");
		goto out;
	}
	db = NULL;
	t1 = now_ns();
	c1 = cpu_seconds();
	printf("rows %" PRId64 " seconds %.3f cpu_seconds %.3f rows_per_s %.0f\n", n,
	       (double)(t1 - t0) / 1e9, c1 - c0, (double)n / ((double)(t1 - t0) / 1e9));
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(rows);
	return rc;
}
