/* SPDX-License-Identifier: MIT */
/*
 * bucket - the width of the stored series' time buckets (tlbreplay -b).
 *
 * Given (-b MS, or with a unit: 200us, 10ms, 1.5s) the width is exact. Not
 * given, it fits the trace: the trace's time span / BUCKET_TARGET rounded UP
 * to a 1-2-5 step in ns (1 us at least), so a trace of any length gets a
 * series of 21..51 buckets (fewer only when it spans under 50 us), where a
 * fixed 100 ms gave a few-ms trace one bucket and its plots one point.
 *
 *   bucket_parse()      the -b argument: a bare integer is ms, else a time
 *   bucket_fit()        the 1-2-5 width for a span in ns
 *   bucket_trace_span() the first and last ts of a trace, cheaply
 */
#ifndef TLB_REPLAY_BUCKET_H
#define TLB_REPLAY_BUCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tracedb.h"

#define BUCKET_TARGET 50		/* buckets the fitted width aims at, at most */
#define BUCKET_MIN_NS 1000		/* 1 us: finer says nothing about a flush */

/* -b's argument: 0 with @ns > 0, or -1 (not a positive time, or too big). */
int bucket_parse(const char *text, int64_t *ns);

/* The smallest 1-2-5 step (ns) >= max(@span_ns / BUCKET_TARGET, BUCKET_MIN_NS). */
int64_t bucket_fit(int64_t span_ns);

/*
 * The trace's first and last event ts: two rowid look-ups when the rows are
 * in time order (meta event_order = ts, or tracedb's own check, which the
 * replay's scan reuses), else one pass of min/max over ts (the replay then
 * sorts the table, which costs more). 1 with both set, 0 for an empty
 * trace, -1 with why in @err.
 */
int bucket_trace_span(struct tdb *db, int64_t *first, int64_t *last, char *err, size_t len);

#endif
