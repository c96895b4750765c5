/* SPDX-License-Identifier: MIT */
/*
 * bench_scan - the ceiling of bench/b10-replay.sh: a bare sqlite3_step scan of
 * the rows and columns tlbreplay reads (rowid, ts, cpu, vm, vcpu, kind,
 * a0..a3 of table event, in rowid order as tracedb scans a file whose meta
 * event_order is 'ts'), with one sqlite3_column_int64 per column and nothing
 * else, under the same SQLite threading mode as tlbreplay (multi-thread: no
 * connection mutex). tlbreplay's rate divided by this one is the bench's ratio.
 *
 * Usage: replay_bench_scan TRACE.db   prints "rows N seconds S rate R" (R rows/s)
 * Exit: 0, 1 if SQLite fails, 2 on bad usage.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>

#include "util.h"

int main(int argc, char **argv)
{
	const char *sql = "SELECT rowid, ts, cpu, vm, vcpu, kind, a0, a1, a2, a3 FROM event"
			  " ORDER BY rowid";
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	uint64_t sum = 0, t0, t1;
	int64_t rows = 0;
	int rc;

	tlb_prog = "replay_bench_scan";
	/* As tlbreplay: one thread per connection, no connection mutex. */
	sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
	if (argc != 2) {
		fprintf(stderr, "usage: replay_bench_scan TRACE.db\n");
		return 2;
	}
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		tlb_msg("cannot scan %s: %s", argv[1], sqlite3_errmsg(db));
		sqlite3_close(db);
		return 1;
	}
	t0 = now_ns();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int c = 0; c < 10; c++)
			sum += (uint64_t)sqlite3_column_int64(st, c);
		rows++;
	}
	t1 = now_ns();
	if (rc != SQLITE_DONE) {
		tlb_msg("cannot scan %s: %s", argv[1], sqlite3_errmsg(db));
		sqlite3_finalize(st);
		sqlite3_close(db);
		return 1;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	printf("rows %" PRId64 " seconds %.3f rate %.0f checksum %" PRIu64 "\n", rows,
	       (double)(t1 - t0) / 1e9, (double)rows / ((double)(t1 - t0) / 1e9), sum);
	return 0;
}
