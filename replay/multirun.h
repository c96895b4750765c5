/* SPDX-License-Identifier: MIT */
/*
 * multirun - one scan of a trace feeding several engines (tlbreplay -m/-t lists).
 *
 * What it owns: the passes over the trace when one engine, or several (one
 * per machine setting), replay it: each pass scans the trace once, and every event,
 * decoded once by tracedb, goes to each engine that reads that pass, in the
 * order given (engine.h: engine_wants_pass). With optimal among the policies
 * every engine reads three passes; without it, one. The engines share nothing
 * but the event: each one's results are those it would have replayed alone. Also the progress lines of the scan, and which engine failed. The
 * trace may be the parts of a rotated capture (@dbs, in order: traceset.h):
 * each pass scans them one after the other.
 *
 * Interface:
 *   multirun_run()   the passes; 0, or the exit code of the first failure with
 *                    its message in @err and in @failed the index of the engine
 *                    it was (-1: the scan itself, not an engine)
 */
#ifndef TLB_REPLAY_MULTIRUN_H
#define TLB_REPLAY_MULTIRUN_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"
#include "tracedb.h"

int multirun_run(struct engine *const *es, int n, struct tdb *const *dbs, int ndbs, bool progress,
		 int *failed, char *err, size_t errlen);

#endif
