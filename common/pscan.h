/* SPDX-License-Identifier: MIT */
/*
 * pscan - the parallel decode of tracedb's rowid-order scan.
 *
 * What it owns: a few decoder threads, each with its own read-only, hardened
 * SQLite connection to the very file the scan's own connection checked, that
 * decode chunks of consecutive rowids into fixed-size event buffers, and the
 * hand-over of those chunks to the one consumer (tdb_scan_next) strictly in
 * rowid order. A bounded pool of buffers (two per decoder, plus two) keeps the
 * memory flat whatever the trace's size: a decoder waits for a free buffer.
 *
 * Used by tracedb only, and only for a scan in rowid order (a file whose meta
 * event_order is 'ts', or one the order check found in order). pscan_start()
 * declines (NULL), and the caller scans on its own connection as before, when
 * the environment or the machine say so (below), when the trace is small, when
 * the file is in WAL mode, when any extra connection cannot be shown to be the
 * same file, or when a thread cannot start.
 *
 * Inside the caller's write transaction (tlbreplay --store writes results during
 * the scan), its connection does not spill dirty pages to the file while the
 * decoders read (that would need the lock their reads hold); when its page cache
 * passes 24 MiB (TLB_SCAN_CACHE_MAX bytes, for tests), pscan_next() returns 2 and
 * the caller scans the rest itself, after the rowid it names.
 *
 * Environment:
 *   TLB_SCAN_THREADS=N   N >= 2: N decoders, whatever the trace's size; 0 or 1: never
 *                        (the single-thread scan); unset or empty: one decoder per cpu
 *                        this process may run on (sched_getaffinity), at most 4, when
 *                        there are at least 2 and the trace spans >= 262144 rowids.
 *                        Any other value: never.
 *   TLB_SCAN_CHUNK=R     rows per chunk (1..1048576, default 8192); for tests.
 *
 * Same results: every row goes through tdb_row_decode, the check of the
 * single-thread path; a chunk stops at its first bad row and carries the message;
 * the consumer delivers the rows before it, then that error, so the first bad row
 * in scan order wins with the single-thread scan's message. The ts order check
 * stays in tdb_scan_next, on the rows in order.
 *
 * Same file: see pscan.c (identity checks around each extra open; the scan's own
 * connection holds its read lock for the whole scan so that no writer can commit).
 */
#ifndef TLB_PSCAN_H
#define TLB_PSCAN_H

#include <stddef.h>

#include "tracedb.h"

struct pscan;
struct sqlite3;

/*
 * pscan_start - the decoders for a rowid-order scan of @db's table event, whose own
 * connection is @main, opened from @path. NULL when declined (see above): the caller
 * scans itself. Nothing is delivered before the first pscan_next().
 */
struct pscan *pscan_start(const struct tdb *db, struct sqlite3 *main, const char *path);
/*
 * pscan_next - 1 with @ev, 0 at the end, -1 with "event rowid N: why" (or an SQLite
 * error) in @why; 2 (only inside a write transaction): stop here, the rows after rowid
 * *@resume_after are the caller's to read.
 */
int pscan_next(struct pscan *ps, struct tdb_event *ev, char *why, size_t len,
	       int64_t *resume_after);
/* pscan_threads - how many decoders run this scan. */
int pscan_threads(const struct pscan *ps);
/* pscan_stop - stops and joins the decoders, closes their connections, ends the read
 * transaction it opened, restores the cache settings it changed. NULL-safe. */
void pscan_stop(struct pscan *ps);

#endif
