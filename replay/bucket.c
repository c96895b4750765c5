/* SPDX-License-Identifier: MIT */
/* bucket - the series bucket width (meaning in bucket.h). */
#include "bucket.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "filter.h"
#include "util.h"

int bucket_parse(const char *text, int64_t *ns)
{
	int64_t v;

	/* a bare integer keeps its historic meaning, milliseconds, exactly */
	if (parse_i64(text, &v) == 0) {
		if (v < 1 || v > INT64_MAX / 1000000)
			return -1;
		*ns = v * 1000000;
		return 0;
	}
	if (filter_parse_time(text, &v) || v < 1)
		return -1;
	*ns = v;
	return 0;
}

int64_t bucket_fit(int64_t span_ns)
{
	static const int64_t steps[] = { 1, 2, 5 };
	int64_t want = span_ns / BUCKET_TARGET + (span_ns % BUCKET_TARGET != 0);

	if (want < BUCKET_MIN_NS)
		want = BUCKET_MIN_NS;
	for (int64_t decade = 1;; decade *= 10) {
		for (int i = 0; i < 3; i++)
			if (steps[i] * decade >= want)
				return steps[i] * decade;
		/* 5e18 >= any want (span / 50 < 2^63 / 50): the loop ends first */
		if (decade > INT64_MAX / 10)
			return want;
	}
}

static int one_ts(sqlite3 *db, const char *sql, int64_t *ts, bool *null)
{
	sqlite3_stmt *st;
	int r, rc = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	r = sqlite3_step(st);
	if (r == SQLITE_DONE) {
		rc = 0;
	} else if (r == SQLITE_ROW) {
		*null = sqlite3_column_type(st, 0) == SQLITE_NULL;
		*ts = sqlite3_column_int64(st, 0);
		rc = 1;
	}
	sqlite3_finalize(st);
	return rc;
}

int bucket_trace_span(struct tdb *db, int64_t *first, int64_t *last, char *err, size_t len)
{
	sqlite3 *s = tdb_sqlite(db);
	const char *order = tdb_meta(db, "event_order");
	bool by_rowid = order && strcmp(order, "ts") == 0, n1 = false, n2 = false;
	int r;

	if (!by_rowid) {
		/* tracedb checks the order of a file that does not declare it (once per
		 * handle, kept for the replay's own scans): rows in order are read by rowid */
		if (tdb_scan_begin(db)) {
			snprintf(err, len, "%s", tdb_error(db));
			return -1;
		}
		by_rowid = !tdb_scan_sorted(db);
		tdb_scan_end(db);
	}
	if (by_rowid) {
		r = one_ts(s, "SELECT ts FROM event ORDER BY rowid LIMIT 1", first, &n1);
		if (r == 0)
			return 0;
		if (r < 0 || one_ts(s, "SELECT ts FROM event ORDER BY rowid DESC LIMIT 1", last, &n2) != 1)
			goto sql_error;
		/* a NULL ts is refused by the scan itself; a span is only a hint */
		if (!n1 && !n2 && *first <= *last)
			return 1;
	}
	{
		sqlite3_stmt *st;

		/* one pass for both: min and max in one SELECT share the scan */
		if (sqlite3_prepare_v2(s, "SELECT min(ts), max(ts) FROM event", -1, &st, NULL) != SQLITE_OK)
			goto sql_error;
		r = sqlite3_step(st) == SQLITE_ROW ? 1 : -1;
		if (r == 1 && (sqlite3_column_type(st, 0) == SQLITE_NULL ||
			       sqlite3_column_type(st, 1) == SQLITE_NULL))
			r = 0;
		if (r == 1) {
			*first = sqlite3_column_int64(st, 0);
			*last = sqlite3_column_int64(st, 1);
		}
		sqlite3_finalize(st);
		if (r >= 0)
			return r;
	}
sql_error:
	snprintf(err, len, "cannot read table event: %s", sqlite3_errmsg(s));
	return -1;
}
