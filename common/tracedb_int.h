/* SPDX-License-Identifier: MIT */
/*
 * tracedb_int - what tracedb shares with its parallel scan (pscan), and with no
 * one else: the raw row as SQLite hands it over, the per-row checks that turn it
 * into a tdb_event (the same code on every path, so that a bad row gets the same
 * message whichever thread read it), and the literal-path open.
 */
#ifndef TLB_TRACEDB_INT_H
#define TLB_TRACEDB_INT_H

#include <stddef.h>
#include <stdint.h>

#include "tracedb.h"

/* One row of the scan: SQLite type and value of rowid, ts, cpu, vm, vcpu, kind, a0..a3. */
struct tdb_row {
	int type[10];
	int64_t val[10];
};

/*
 * tdb_row_decode - check @row's types and kind and fill @ev. 0, or -1 with "event rowid
 * N: why" in @why (no file name: the caller prefixes it). Reads only what tdb_open set
 * up (the kind table), so any thread may call it during a scan. The ts order is not
 * checked here: that needs the previous row in scan order.
 */
int tdb_row_decode(const struct tdb *db, const struct tdb_row *row, struct tdb_event *ev,
		   char *why, size_t len);

/*
 * tdb_capture_row - the SQL function tlb_event_row(rowid, ts, ..., a3) of a rowid-order
 * scan: stores its ten arguments into the struct tdb_row given as the function's user
 * data. Register it with SQLITE_DIRECTONLY so that no view or default of the file can
 * call it.
 */
struct sqlite3_context;
struct sqlite3_value;
void tdb_capture_row(struct sqlite3_context *ctx, int argc, struct sqlite3_value **argv);

/* The rowid-order scan's statement: one call of tlb_event_row per row. */
#define TDB_SCAN_BY_ROWID_SQL \
	"SELECT tlb_event_row(rowid, ts, cpu, vm, vcpu, kind, a0, a1, a2, a3) FROM event"

/*
 * tdb_open_literal - sqlite3_open_v2 of @path as a file name, never a URI ("file:..."
 * is opened as "./file:..."), with extended result codes. SQLite's code, or
 * SQLITE_NOMEM; *@out may be set even on failure (close it).
 */
int tdb_open_literal(const char *path, int flags, struct sqlite3 **out);

#endif
