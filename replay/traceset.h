/* SPDX-License-Identifier: MIT */
/*
 * traceset - which files of tlbreplay's command line make which trace.
 *
 * What it owns: the rotated-capture parts contract as the replay reads it
 * (meta capture_id, part, part_last, part_prev_last_ts: a rotated capture is
 * split into part files, each a complete trace DB) and the grouping of the
 * TRACE arguments into traces:
 *   - a file that is not a part (no capture_id) is a trace;
 *   - consecutive arguments that are parts of one capture, in part order with
 *     none missing, are ONE trace, replayed as the unsplit capture would be;
 *   - anything else is refused (exit 2), naming the files: parts out of order,
 *     a part missing between two given, parts of one capture not given next to
 *     each other, the same file twice; without -j also several traces (parts of
 *     different captures, a part beside a non-part file, several files): those
 *     are independent traces, replayed with -j N.
 * At open, the parts of a trace are checked to follow one another: each
 * part's meta still says what grouping read, the same threads_per_core and
 * event kinds (ids and names) in every part, and part k's first event not
 * before its part_prev_last_ts nor before part k-1's last event.
 *
 * A trace that does not start at part 1, or whose last part has no
 * part_last, is replayed as given with a note on stderr (the replay of a
 * capture's tail starts cold; a capture cut short has no part_last).
 *
 * Interface:
 *   traceset_group()   the arguments into traces (reads each file's meta, closes it)
 *   traceset_free()
 *   trace_open()       open a trace's parts (the first read-write for --store),
 *                      check them, and give its first and last event ts
 *   trace_close()
 *   trace_params()     for a multi-part trace, the JSON members --store adds to
 *                      replay_run.params (capture_id, first and last part)
 *
 * Results of a multi-part trace (--store) go into its FIRST part's file.
 */
#ifndef TLB_REPLAY_TRACESET_H
#define TLB_REPLAY_TRACESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tracedb.h"

struct trace {
	char **paths;		/* its files, in part order (argv strings) */
	int nparts;		/* files: 1 for a file that is not a part */
	char name[4096];	/* how output names it: the path, or FIRST+...+LAST */
	char capture_id[33];	/* "" when not a part */
	int64_t first_part, last_part;
	bool ends_capture;	/* the last part has part_last = 1 */
	char bad[768];		/* a file grouping could not read (with -j: its trace
				 * fails alone); "" when readable */
};

struct traceset {
	struct trace *t;
	int n;
};

/* Group @paths (@n of them) into @ts. @jobs: -j was given (several traces are
 * allowed, and an unreadable file becomes a failing trace of its own instead of
 * refusing everything). 0, or an exit code (EXIT_BAD_INPUT, EXIT_RUN_FAILED when
 * out of memory) with the message in @err. */
int traceset_group(char **paths, int n, bool jobs, struct traceset *ts, char *err, size_t len);
void traceset_free(struct traceset *ts);

/* An open trace: its parts' handles in order, and its span. */
struct trace_open {
	struct tdb **dbs;
	int n;
	bool has_events;		/* when the span was read (trace_open) */
	int64_t first_ts, last_ts;	/* when has_events */
};

/* Open @t (the first part read-write when @write) and check its parts. 0, or an
 * exit code with the message in @err (nothing open then). Notes go to stderr.
 * The span is always read for several parts (their checks need it), for one file
 * only when @span (an unordered file pays a pass over ts for it). */
int trace_open(const struct trace *t, bool write, bool span, struct trace_open *o, char *err,
	       size_t len);
void trace_close(struct trace_open *o);

/* ,"parts":{...} for a multi-part trace, "" for a single file. */
void trace_params(const struct trace *t, char *buf, size_t len);

#endif
