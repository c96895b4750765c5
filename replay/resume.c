/* SPDX-License-Identifier: MIT */
/*
 * resume - the stored-run check of -j (rule and cost in resume.h).
 *
 * Results live in the trace's first file (store.h, traceset.h), so the runs
 * are looked up there; the digest scan reads every part, as the replay would.
 */
#include "resume.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "digest.h"
#include "store.h"

/* The newest run of (policy, params, bucket) whose digest is @digest, or any
 * digest but 'pending' when @digest is NULL: its id, 0 if none, -1 on error. */
static int64_t stored_run(sqlite3 *db, const char *policy, const char *params, int64_t bucket_ns,
			  const char *digest)
{
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT id FROM replay_run WHERE policy = ?1 AND params = ?2"
			       " AND bucket_ns IS ?3 AND trace_digest <> 'pending'"
			       " AND (?4 IS NULL OR trace_digest = ?4) ORDER BY id DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, policy, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, params, -1, SQLITE_STATIC);
	if (bucket_ns > 0)
		sqlite3_bind_int64(st, 3, bucket_ns);
	else
		sqlite3_bind_null(st, 3);
	if (digest)
		sqlite3_bind_text(st, 4, digest, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 4);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? id : -1;
}

/* The digest of the events of every part, as the engine's first pass makes it;
 * -1 when a part cannot be scanned (the replay will say why). */
static int scan_digest(struct tdb *const *dbs, int ndbs, char *out)
{
	struct digest d;
	struct tdb_event ev;
	int64_t n = 0;

	digest_init(&d);
	for (int i = 0; i < ndbs; i++) {
		int rc;

		if (tdb_scan_begin(dbs[i]))
			return -1;
		while ((rc = tdb_scan_next(dbs[i], &ev)) == 1) {
			digest_mix(&d, &ev);
			n++;
		}
		tdb_scan_end(dbs[i]);
		if (rc < 0)
			return -1;
	}
	digest_text(&d, n, out);
	return 0;
}

int resume_stored(struct tdb *const *dbs, int ndbs, const struct engine_config *cfgs, int ncfg,
		  const char *extra, char *why, size_t len)
{
	sqlite3 *db = tdb_sqlite(dbs[0]);
	char params[1024], digest[DIGEST_LEN];
	sqlite3_stmt *st;
	int64_t first = 0, last = 0;
	int has, nruns = 0;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
			       " AND name = 'replay_run'", -1, &st, NULL) != SQLITE_OK) {
		snprintf(why, len, "cannot read its tables: %s", sqlite3_errmsg(db));
		return -1;
	}
	has = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	if (!has)
		return 0;
	/* every setting and policy stored with these params and bucket, or no scan */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1 && scan_digest(dbs, ndbs, digest))
			return 0;	/* the replay will say why */
		for (int c = 0; c < ncfg; c++)
			for (int p = 0; p < cfgs[c].npol; p++) {
				int64_t run;

				store_params(&cfgs[c], cfgs[c].pol[p]->name, extra, params,
					     sizeof(params));
				run = stored_run(db, cfgs[c].pol[p]->name, params, cfgs[c].bucket_ns,
						 pass ? digest : NULL);
				if (run < 0) {
					snprintf(why, len, "cannot read replay_run: %s", sqlite3_errmsg(db));
					return -1;
				}
				if (run == 0)
					return 0;
				if (pass == 1) {
					first = nruns++ ? (run < first ? run : first) : run;
					last = run > last ? run : last;
				}
			}
	}
	if (nruns == 1)
		snprintf(why, len, "stored run %" PRId64 " has the same digest and parameters", first);
	else
		snprintf(why, len, "its %d stored runs (ids %" PRId64 "..%" PRId64 ") have the same "
			 "digest and parameters", nruns, first, last);
	return 1;
}
