/* SPDX-License-Identifier: MIT */
/*
 * jobs - `tlbreplay -j N` over several traces: N replays at a time, one
 * process each, their output printed in argument order.
 *
 * What it owns: running the traces in child processes (fork: each child
 * opens its own files; a replay is one thread and its memory its own), at
 * most N at once; collecting each child's stdout and stderr in unlinked
 * temporary files and printing them from the parent, so nothing interleaves:
 * a trace's stderr as one block when it ends, its stdout in argument order;
 * the formats of several traces on stdout:
 *   table  each trace's table as alone (its first line names the trace),
 *          a blank line between traces;
 *   csv    one header, with a leading trace column (the name quoted as CSV
 *          when it needs it), then every trace's rows;
 *   json   one JSON array of the traces' objects, in argument order;
 * a trace that failed or was skipped (resume.h) has nothing on stdout;
 * one progress line per finished trace on stderr (not with -q; a failure is
 * always said, naming the trace and its exit code); and the exit code: the
 * worst of the traces' (2 over 1 over 0; a child killed by a signal is 1).
 *
 * Interface:
 *   jobs_run()   run @fn(arg, i) for every trace i of @ts; the exit code
 */
#ifndef TLB_REPLAY_JOBS_H
#define TLB_REPLAY_JOBS_H

#include <stdbool.h>

#include "output.h"
#include "traceset.h"

#define JOBS_MAX 256

/* One trace's replay, run in a child with stdout and stderr redirected: its exit code. */
typedef int (*job_fn)(void *arg, int i);

int jobs_run(const struct traceset *ts, int njobs, enum out_format fmt, bool quiet, job_fn fn,
	     void *arg);

#endif
