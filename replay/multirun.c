/* SPDX-License-Identifier: MIT */
/*
 * multirun - the shared scan (interface in multirun.h).
 *
 * The hot loop is one tdb_scan_next per event and one engine_event per engine:
 * the scan's cost (SQLite's step and the decode of the row) is paid once for
 * all the settings, and each engine adds only its own replay. The engines
 * reading a pass are picked before it starts, so a pass no engine needs is
 * never read.
 */
#include "multirun.h"

#include <stdio.h>
#include <stdlib.h>

#include "util.h"

/* One part's events to the engines @act[0..nact) (the trace, unless it is the
 * parts of a rotated capture: the next part goes on with the same state). */
static int scan_part(struct engine *const *act, const int *idx, int nact, struct tdb *db,
		     struct progress *prog, int64_t *n, int *failed, char *err, size_t errlen)
{
	struct tdb_event ev;
	int rc;

	if (tdb_scan_begin(db)) {
		snprintf(err, errlen, "%s", tdb_error(db));
		return EXIT_RUN_FAILED;
	}
	while ((rc = tdb_scan_next(db, &ev)) == 1) {
		for (int k = 0; k < nact; k++) {
			int r = engine_event(act[k], db, &ev);

			if (r) {
				tdb_scan_end(db);
				*failed = idx[k];
				snprintf(err, errlen, "%s", engine_error(act[k]));
				return r;
			}
		}
		if ((++*n & 0xffff) == 0)
			progress_tick(prog, *n);
	}
	tdb_scan_end(db);
	if (rc < 0) {
		snprintf(err, errlen, "%s", tdb_error(db));
		return EXIT_BAD_INPUT;
	}
	return 0;
}

/* One pass of the engines @act[0..nact) over every part; 0 or an exit code (message in @err). */
static int scan_pass(struct engine *const *act, const int *idx, int nact, int pass,
		     struct tdb *const *dbs, int ndbs, bool show, int *failed, char *err,
		     size_t errlen)
{
	struct progress prog;
	int64_t n = 0;
	char what[64];
	int rc;

	engine_pass_what(pass, what, sizeof(what));
	progress_init(&prog, what, engine_parts_events(dbs, ndbs), show);
	for (int i = 0; i < ndbs; i++) {
		rc = scan_part(act, idx, nact, dbs[i], &prog, &n, failed, err, errlen);
		if (rc)
			return rc;
	}
	progress_done(&prog, n);
	for (int k = 0; k < nact; k++) {
		rc = engine_pass_end(act[k], n);
		if (rc) {
			*failed = idx[k];
			snprintf(err, errlen, "%s", engine_error(act[k]));
			return rc;
		}
	}
	return 0;
}

int multirun_run(struct engine *const *es, int n, struct tdb *const *dbs, int ndbs, bool progress,
		 int *failed, char *err, size_t errlen)
{
	struct engine **act = malloc(sizeof(*act) * (size_t)(n > 0 ? n : 1));
	int *idx = malloc(sizeof(*idx) * (size_t)(n > 0 ? n : 1));
	int rc = 0;

	*failed = -1;
	if (!act || !idx) {
		snprintf(err, errlen, "out of memory");
		rc = EXIT_RUN_FAILED;
		goto out;
	}
	for (int i = 0; i < n && !rc; i++)
		if ((rc = engine_begin_parts(es[i], dbs, ndbs)) != 0) {
			*failed = i;
			snprintf(err, errlen, "%s", engine_error(es[i]));
		}
	for (int pass = 0; !rc; pass++) {
		int nact = 0;

		for (int i = 0; i < n; i++)
			if (engine_wants_pass(es[i], pass)) {
				engine_pass_begin(es[i], pass);
				act[nact] = es[i];
				idx[nact++] = i;
			}
		if (nact == 0)
			break;
		rc = scan_pass(act, idx, nact, pass, dbs, ndbs, progress, failed, err, errlen);
	}
	for (int i = 0; i < n && !rc; i++)
		if ((rc = engine_end(es[i])) != 0) {
			*failed = i;
			snprintf(err, errlen, "%s", engine_error(es[i]));
		}
out:
	free(act);
	free(idx);
	return rc;
}
