/* SPDX-License-Identifier: MIT */
/*
 * traceset - the arguments into traces, and a trace's parts checked
 * (interface and rules in traceset.h).
 *
 * Grouping opens each file once read-only, reads its part meta and closes
 * it: with -j the replays run in child processes, which must open their
 * files themselves (an SQLite connection does not cross a fork). The time
 * checks need the parts' first and last events, so they are made when a
 * trace is opened for its replay (two rowid look-ups per part when its rows
 * are in time order, bucket.h).
 */
#include "traceset.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "bucket.h"
#include "inputcheck.h"
#include "util.h"

/* What one file's meta says about being a part. */
struct part_meta {
	char capture_id[33];		/* "" when the file is not a part */
	int64_t part;
	bool last;			/* part_last = 1 */
	bool has_prev;
	int64_t prev_last_ts;		/* part_prev_last_ts */
};

static bool is_capture_id(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == 32;
}

/* The part meta of an open file: 0, or -1 with why in @err (naming the file). */
static int read_part_meta(struct tdb *db, const char *path, struct part_meta *pm, char *err,
			  size_t len)
{
	const char *id = tdb_meta(db, "capture_id"), *part = tdb_meta(db, "part");
	const char *last = tdb_meta(db, "part_last"), *prev = tdb_meta(db, "part_prev_last_ts");

	memset(pm, 0, sizeof(*pm));
	if (!id && !part && !last && !prev)
		return 0;
	/* meta values come from the file: never printed raw (a terminal escape) */
	if (!id || !is_capture_id(id)) {
		snprintf(err, len, "%s: meta capture_id is %s, not 32 lowercase hex digits (a part "
			 "of a rotated capture has one)", path, id ? "not valid" : "missing");
		return -1;
	}
	if (!part || parse_i64(part, &pm->part) || pm->part < 1) {
		snprintf(err, len, "%s: meta part is %s, not an integer >= 1 (a part of a rotated "
			 "capture has one)", path, part ? "not valid" : "missing");
		return -1;
	}
	if (last && strcmp(last, "1") != 0) {
		snprintf(err, len, "%s: meta part_last is not 1 (it is 1 in a capture's last part, "
			 "absent in the others)", path);
		return -1;
	}
	if (prev && parse_i64(prev, &pm->prev_last_ts)) {
		snprintf(err, len, "%s: meta part_prev_last_ts is not an integer", path);
		return -1;
	}
	memcpy(pm->capture_id, id, 33);
	pm->last = last != NULL;
	pm->has_prev = prev != NULL;
	return 0;
}

/* Open @path (read-write when @write) and read its part meta: NULL with why in @err. */
static struct tdb *open_part(const char *path, bool write, struct part_meta *pm, char *err,
			     size_t len)
{
	char why[600];
	struct tdb *db;

	if (input_check(path, why, sizeof(why))) {
		snprintf(err, len, "cannot read trace %s: %s", path, why);
		return NULL;
	}
	db = tdb_open(path, write ? TDB_READWRITE : TDB_READONLY, why, sizeof(why));
	if (!db) {
		snprintf(err, len, "cannot read trace %s", why);
		return NULL;
	}
	if (read_part_meta(db, path, pm, why, sizeof(why))) {
		snprintf(err, len, "cannot read trace %s", why);
		tdb_close(db);
		return NULL;
	}
	return db;
}

/* One argument as grouping sees it. */
struct arg {
	char *path;
	struct part_meta pm;
	bool readable;
	char bad[768];
	dev_t dev;
	ino_t ino;
};

static void name_trace(struct trace *t)
{
	size_t n = 0;

	t->name[0] = '\0';
	for (int i = 0; i < t->nparts; i++) {
		int w = snprintf(t->name + n, sizeof(t->name) - n, "%s%s", i ? "+" : "", t->paths[i]);

		if (w < 0 || (size_t)w >= sizeof(t->name) - n) {
			snprintf(t->name, sizeof(t->name), "%.2000s+...+%.2000s", t->paths[0],
				 t->paths[t->nparts - 1]);
			return;
		}
		n += (size_t)w;
	}
}

static int add_trace(struct traceset *ts, struct arg *a, int first, int count)
{
	struct trace *t = &ts->t[ts->n];

	memset(t, 0, sizeof(*t));
	t->paths = malloc(sizeof(*t->paths) * (size_t)count);
	if (!t->paths)
		return -1;
	for (int i = 0; i < count; i++)
		t->paths[i] = a[first + i].path;
	t->nparts = count;
	snprintf(t->bad, sizeof(t->bad), "%s", a[first].bad);
	if (a[first].readable && a[first].pm.capture_id[0]) {
		memcpy(t->capture_id, a[first].pm.capture_id, 33);
		t->first_part = a[first].pm.part;
		t->last_part = a[first + count - 1].pm.part;
		t->ends_capture = a[first + count - 1].pm.last;
	}
	name_trace(t);
	ts->n++;
	return 0;
}

static bool is_part(const struct arg *a)
{
	return a->readable && a->pm.capture_id[0];
}

/* Why several traces cannot be one without -j: the first two of them. */
static void several_traces(const struct traceset *ts, char *err, size_t len)
{
	const struct trace *a = &ts->t[0], *b = &ts->t[1];

	if (a->capture_id[0] && b->capture_id[0])
		snprintf(err, len, "cannot replay %s and %s as one trace: they are parts of "
			 "different captures (capture_id %s and %s); independent captures are "
			 "replayed with -j N", a->paths[a->nparts - 1], b->paths[0], a->capture_id,
			 b->capture_id);
	else if (a->capture_id[0] || b->capture_id[0])
		snprintf(err, len, "cannot replay %s and %s as one trace: %s is a part of a "
			 "rotated capture and %s is not; independent traces are replayed with -j N",
			 a->paths[a->nparts - 1], b->paths[0],
			 a->capture_id[0] ? a->paths[a->nparts - 1] : b->paths[0],
			 a->capture_id[0] ? b->paths[0] : a->paths[a->nparts - 1]);
	else
		snprintf(err, len, "cannot replay %s and %s as one trace: neither is a part of a "
			 "rotated capture; independent traces are replayed with -j N",
			 a->paths[0], b->paths[0]);
}

/* The checks between a part and the one given before it, in one capture. */
static int check_next(const struct arg *prev, const struct arg *cur, char *err, size_t len)
{
	int64_t want;

	if (cur->pm.part <= prev->pm.part) {
		snprintf(err, len, "cannot replay the parts of capture %s: out of order, %s (part %"
			 PRId64 ") is given after %s (part %" PRId64 ")", cur->pm.capture_id,
			 cur->path, cur->pm.part, prev->path, prev->pm.part);
		return -1;
	}
	if (prev->pm.last) {
		snprintf(err, len, "cannot replay the parts of capture %s: %s (part %" PRId64
			 ") says it is the capture's last part, yet %s (part %" PRId64 ") follows",
			 cur->pm.capture_id, prev->path, prev->pm.part, cur->path, cur->pm.part);
		return -1;
	}
	want = prev->pm.part + 1;	/* prev < cur <= INT64_MAX: no overflow */
	if (cur->pm.part > want) {
		if (cur->pm.part == want + 1)
			snprintf(err, len, "cannot replay the parts of capture %s: part %" PRId64
				 " missing between %s (part %" PRId64 ") and %s (part %" PRId64 ")",
				 cur->pm.capture_id, want, prev->path, prev->pm.part, cur->path,
				 cur->pm.part);
		else
			snprintf(err, len, "cannot replay the parts of capture %s: parts %" PRId64
				 "..%" PRId64 " missing between %s (part %" PRId64 ") and %s (part %"
				 PRId64 ")", cur->pm.capture_id, want, cur->pm.part - 1, prev->path,
				 prev->pm.part, cur->path, cur->pm.part);
		return -1;
	}
	return 0;
}

int traceset_group(char **paths, int n, bool jobs, struct traceset *ts, char *err, size_t len)
{
	struct arg *a = calloc((size_t)n, sizeof(*a));
	int rc = EXIT_BAD_INPUT;

	memset(ts, 0, sizeof(*ts));
	if (!a || !(ts->t = calloc((size_t)n, sizeof(*ts->t)))) {
		snprintf(err, len, "cannot replay: out of memory");
		free(a);
		return EXIT_RUN_FAILED;
	}
	for (int i = 0; i < n; i++) {
		struct stat sb;
		struct tdb *db;

		a[i].path = paths[i];
		db = open_part(paths[i], false, &a[i].pm, a[i].bad, sizeof(a[i].bad));
		if (!db) {
			/* alone: as before, the replay says why; with -j, its trace fails alone */
			if (!jobs && n > 1) {
				snprintf(err, len, "%s", a[i].bad);
				goto out;
			}
			continue;
		}
		tdb_close(db);
		a[i].readable = true;
		if (stat(paths[i], &sb) == 0) {
			a[i].dev = sb.st_dev;
			a[i].ino = sb.st_ino;
			for (int j = 0; j < i; j++)
				if (a[j].readable && a[j].dev == sb.st_dev && a[j].ino == sb.st_ino) {
					snprintf(err, len, "cannot replay %s: the same file is given "
						 "twice (arguments %d and %d)", paths[i], j + 1, i + 1);
					goto out;
				}
		}
	}
	for (int i = 0; i < n;) {
		int j = i + 1;

		if (is_part(&a[i]))
			for (; j < n && is_part(&a[j]) &&
			       strcmp(a[j].pm.capture_id, a[i].pm.capture_id) == 0; j++)
				if (check_next(&a[j - 1], &a[j], err, len))
					goto out;
		if (add_trace(ts, a, i, j - i)) {
			snprintf(err, len, "cannot replay: out of memory");
			rc = EXIT_RUN_FAILED;
			goto out;
		}
		i = j;
	}
	/* parts of one capture given apart: each group would start cold */
	for (int i = 0; i < ts->n; i++)
		for (int j = i + 1; j < ts->n && ts->t[i].capture_id[0]; j++)
			if (strcmp(ts->t[i].capture_id, ts->t[j].capture_id) == 0) {
				snprintf(err, len, "cannot replay the parts of capture %s: %s (part %"
					 PRId64 ") is not given next to %s (part %" PRId64 ")",
					 ts->t[i].capture_id, ts->t[j].paths[0], ts->t[j].first_part,
					 ts->t[i].paths[ts->t[i].nparts - 1], ts->t[i].last_part);
				goto out;
			}
	if (!jobs && ts->n > 1) {
		several_traces(ts, err, len);
		goto out;
	}
	free(a);
	return 0;
out:
	free(a);
	traceset_free(ts);
	return rc;
}

void traceset_free(struct traceset *ts)
{
	for (int i = 0; ts->t && i < ts->n; i++)
		free(ts->t[i].paths);
	free(ts->t);
	ts->t = NULL;
	ts->n = 0;
}

/* The file's event kinds as one comparable string: "id=name\n..." (malloc'd). */
static char *kinds_of(struct tdb *db)
{
	sqlite3_stmt *st;
	char *s = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if (sqlite3_prepare_v2(tdb_sqlite(db), "SELECT id, name FROM event_kind ORDER BY id", -1,
			       &st, NULL) != SQLITE_OK)
		return NULL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);
		char line[128];
		int w = snprintf(line, sizeof(line), "%" PRId64 "=%.100s\n",
				 (int64_t)sqlite3_column_int64(st, 0), name ? name : "");
		size_t need = n + (size_t)w + 1;

		if (need > cap) {
			char *t = realloc(s, need * 2);

			if (!t)
				break;
			s = t;
			cap = need * 2;
		}
		memcpy(s + n, line, (size_t)w + 1);
		n += (size_t)w;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(s);
		return NULL;
	}
	return s ? s : strdup("");
}

/* Part @k of @t against the part before it: same meta, kinds, threads; time order. */
static int check_part(const struct trace *t, struct trace_open *o, int k,
		      const struct part_meta *pm, const char *kinds0, char *kinds,
		      int64_t *prev_last, int *prev_k, char *err, size_t len)
{
	const char *path = t->paths[k];
	const char *tpc0 = tdb_meta(o->dbs[0], "threads_per_core"), *tpc = tdb_meta(o->dbs[k], "threads_per_core");
	int64_t first, last;
	char why[512];
	int r;

	if (strcmp(pm->capture_id, t->capture_id) != 0 || pm->part != t->first_part + k) {
		snprintf(err, len, "cannot read trace %s: its part meta changed since it was read "
			 "(now part %" PRId64 ")", path, pm->part);
		return EXIT_BAD_INPUT;
	}
	if (k > 0 && ((!tpc0) != (!tpc) || (tpc && strcmp(tpc0, tpc) != 0))) {
		snprintf(err, len, "cannot replay the parts of capture %s: %s and %s have another "
			 "meta threads_per_core", t->capture_id, t->paths[0], path);
		return EXIT_BAD_INPUT;
	}
	if (k > 0 && strcmp(kinds0, kinds) != 0) {
		snprintf(err, len, "cannot replay the parts of capture %s: %s and %s number their "
			 "event kinds differently (table event_kind)", t->capture_id, t->paths[0], path);
		return EXIT_BAD_INPUT;
	}
	r = bucket_trace_span(o->dbs[k], &first, &last, why, sizeof(why));
	if (r < 0) {
		snprintf(err, len, "cannot read trace %s: %s", path, why);
		return EXIT_BAD_INPUT;
	}
	if (r == 0)
		return 0;
	if (k > 0 && pm->has_prev && first < pm->prev_last_ts) {
		snprintf(err, len, "cannot replay the parts of capture %s: %s (part %" PRId64 ") "
			 "starts at ts %" PRId64 ", before its part_prev_last_ts %" PRId64,
			 t->capture_id, path, pm->part, first, pm->prev_last_ts);
		return EXIT_BAD_INPUT;
	}
	if (*prev_k >= 0 && first < *prev_last) {
		snprintf(err, len, "cannot replay the parts of capture %s: %s (part %" PRId64 ") "
			 "starts at ts %" PRId64 ", before the last event of %s (ts %" PRId64 ")",
			 t->capture_id, path, pm->part, first, t->paths[*prev_k], *prev_last);
		return EXIT_BAD_INPUT;
	}
	if (!o->has_events)
		o->first_ts = first;
	o->has_events = true;
	o->last_ts = last;
	*prev_last = last;
	*prev_k = k;	/* the last part with events so far */
	return 0;
}

int trace_open(const struct trace *t, bool write, bool span, struct trace_open *o, char *err,
	       size_t len)
{
	char *kinds0 = NULL;
	int64_t prev_last = 0;
	int prev_k = -1;
	int rc = EXIT_BAD_INPUT;

	memset(o, 0, sizeof(*o));
	if (t->bad[0]) {
		snprintf(err, len, "%s", t->bad);
		return EXIT_BAD_INPUT;
	}
	o->dbs = calloc((size_t)t->nparts, sizeof(*o->dbs));
	if (!o->dbs) {
		snprintf(err, len, "cannot replay %s: out of memory", t->paths[0]);
		return EXIT_RUN_FAILED;
	}
	for (int k = 0; k < t->nparts; k++) {
		struct part_meta pm;
		char *kinds = NULL;

		/* --store writes into the first part only */
		o->dbs[k] = open_part(t->paths[k], write && k == 0, &pm, err, len);
		if (!o->dbs[k])
			goto fail;
		o->n = k + 1;
		if (t->nparts == 1) {
			int64_t first, last;
			char why[512];
			int r;

			if (!span)
				break;
			r = bucket_trace_span(o->dbs[0], &first, &last, why, sizeof(why));

			if (r < 0) {
				snprintf(err, len, "cannot read trace %s: %s", t->paths[0], why);
				goto fail;
			}
			o->has_events = r == 1;
			o->first_ts = first;
			o->last_ts = last;
			break;
		}
		kinds = kinds_of(o->dbs[k]);
		if (!kinds) {
			snprintf(err, len, "cannot read trace %s: cannot read event_kind", t->paths[k]);
			goto fail;
		}
		rc = check_part(t, o, k, &pm, kinds0 ? kinds0 : kinds, kinds, &prev_last, &prev_k,
				err, len);
		if (k == 0)
			kinds0 = kinds;
		else
			free(kinds);
		if (rc)
			goto fail;
		rc = EXIT_BAD_INPUT;
	}
	free(kinds0);
	if (t->capture_id[0] && t->first_part > 1)
		tlb_msg("note: %s starts at part %" PRId64 " of capture %s: the replay starts "
			"there, cold", t->paths[0], t->first_part, t->capture_id);
	if (t->capture_id[0] && !t->ends_capture)
		tlb_msg("note: %s (part %" PRId64 ") is not the last part of capture %s (no "
			"part_last): the capture went on, or was cut short", t->paths[t->nparts - 1],
			t->last_part, t->capture_id);
	return 0;
fail:
	free(kinds0);
	trace_close(o);
	return rc;
}

void trace_close(struct trace_open *o)
{
	for (int i = 0; o->dbs && i < o->n; i++)
		tdb_close(o->dbs[i]);
	free(o->dbs);
	o->dbs = NULL;
	o->n = 0;
}

void trace_params(const struct trace *t, char *buf, size_t len)
{
	if (t->nparts < 2 && !t->capture_id[0]) {
		snprintf(buf, len, "%s", "");
		return;
	}
	snprintf(buf, len, ",\"parts\":{\"capture_id\":\"%s\",\"first\":%" PRId64 ",\"last\":%"
		 PRId64 "}", t->capture_id, t->first_part, t->last_part);
}
