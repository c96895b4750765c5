/* SPDX-License-Identifier: MIT */
/*
 * store - `tlbreplay --store`: the results tables inside the trace DB.
 *
 * What it owns: replay_run (one per policy: machine, parameters as JSON,
 * digest of the events, tool version, time), replay_total (per VM and the
 * all row, vm = -1), replay_series (one row per VM and bucket, and the all
 * row, written as buckets close) and replay_hazard (one row per stale
 * exposure, written as it happens); creating those tables in a foreign file
 * (the results part of the compiled-in schema, tlb_schema_v1_sql); and
 * replacing an earlier run with the same policy, parameters and digest.
 *
 * Interface:
 *   store_begin()    BEGIN IMMEDIATE, create the tables if missing, one
 *                    replay_run row per policy (digest pending); NULL + message
 *   store_sink()     the engine sink that streams series and hazard rows
 *   store_finish()   totals, replace earlier runs, set the digest, COMMIT, free;
 *                    0, or -1 with the message in @err (then rolled back)
 *   store_abort()    ROLLBACK, free (NULL-safe): nothing of this run remains
 *   store_error()    the message of the last failure
 *   store_params()   the params JSON a run of a policy gets
 *
 * Call order: store_begin before the replay (multirun_run: the scan then reads inside the
 * write transaction on the same connection), then store_finish after a good
 * run or store_abort after a failed one. One transaction holds everything,
 * so a bad row found half way, or a full disk, leaves the file as it was.
 *
 * Several settings (tlbreplay -m/-t lists): one store per setting, each its
 * own runs, all in one transaction. A store begun while another one's
 * transaction is open joins it: its store_finish writes its rows without
 * committing, its store_abort only frees. Finish the joined stores first and
 * the one that began the transaction last (it commits everything); abort
 * that one on any failure (it rolls everything back).
 */
#ifndef TLB_REPLAY_STORE_H
#define TLB_REPLAY_STORE_H

#include <stddef.h>

#include "engine.h"
#include "tracedb.h"

struct store;

/* @extra: JSON members appended to every run's params (trace_params(): which
 * parts of a rotated capture), or NULL */
struct store *store_begin(struct tdb *db, const struct engine_config *cfg, const char *extra,
			  char *err, size_t errlen);
/* replay_run.params of policy @policy under @cfg (the resume check compares it) */
void store_params(const struct engine_config *cfg, const char *policy, const char *extra,
		  char *buf, size_t len);
const struct engine_sink *store_sink(struct store *s);
int store_finish(struct store *s, const struct engine *e, char *err, size_t errlen);
void store_abort(struct store *s);
const char *store_error(const struct store *s);

#endif
