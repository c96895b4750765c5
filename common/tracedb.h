/* SPDX-License-Identifier: MIT */
/*
 * tracedb - reading a trace database of schema version 1.
 *
 * What it owns: opening a trace DB (any producer's, or one written by hand
 * with sqlite3), checking that it is one (schema_version, required tables,
 * required meta keys), resolving event kinds BY NAME, and streaming events in
 * replay order (ts, rowid) with every row validated. Every consumer of a
 * trace (tlbreplay, tlbmerge, tlbreport's event views) reads through it.
 *
 * Interface:
 *   tdb_open()         open a file read-only (or read-write for --store) and check it
 *   tdb_close()        NULL-safe
 *   tdb_meta()         one meta value, or NULL
 *   tdb_kind_name()    name of a kind id of this file
 *   tdb_scan_begin()   prepare the ordered scan
 *   tdb_scan_next()    1 = an event, 0 = end, -1 = bad row (message in tdb_error)
 *   tdb_scan_end()
 *   tdb_sqlite()       the underlying handle, for writers of results tables
 *   tdb_vm_mmu()       the MMU vm_mmu gives a VM, or TDB_MMU_UNKNOWN
 *
 * Order of calls: open, [meta...], scan_begin, scan_next... , scan_end, close.
 *
 * Ordering: ORDER BY ts, rowid is the contract. A file whose meta event_order
 * is 'ts' (every producer of this project sets it after writing rows in time
 * order) is scanned in rowid order, which is the same order without a sort;
 * the scan still checks that ts never goes back and fails if it does. Any
 * other file is first checked in one cheap pass over ts (inside SQLite, stopping
 * at the first row that goes back): in order, it is scanned by rowid too; if
 * not, with ORDER BY ts, rowid (SQLite sorts, on disk if big). The choice is
 * made in tdb_scan_begin(), before any row is delivered, so callers see the
 * same rows in the same order either way; it is made once per handle (a replay
 * that reads the trace several times checks once).
 *
 * Parallel decode: a scan in rowid order of a large trace may be decoded by
 * several threads, each with its own read-only connection to the same file, and
 * handed over in order (pscan.h; environment TLB_SCAN_THREADS=N, 0 or 1 = never).
 * The rows, their order and every message are those of the single-thread scan.
 *
 * Untrusted files: tdb_open() checks the file before SQLite opens it
 * (tdb_check_file) and makes the connection defensive (tdb_harden). Any other
 * code that opens a trace DB with sqlite3_open_v2() should call both.
 *
 * Errors: constructors return NULL and write a message "FILE: why" into the
 * caller's buffer; other functions return -1 and leave the message in
 * tdb_error(). Messages name the file and, for a bad row, its rowid.
 */
#ifndef TLB_TRACEDB_H
#define TLB_TRACEDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sqlite3;

#define TDB_SCHEMA_VERSION 1

/* The kinds the replay knows. Any other name in event_kind is TDB_OTHER. */
enum tdb_kind {
	TDB_VCPU_CREATE,
	TDB_GUEST_ENTER,
	TDB_GUEST_EXIT,
	TDB_HCALL,
	TDB_HOST_INVAL,
	TDB_HPT_RESET,
	TDB_MIGRATE,
	TDB_LOST,
	TDB_NKINDS,
	TDB_OTHER = TDB_NKINDS,	/* a kind of a newer producer: counted, skipped */
};

extern const char *const tdb_kind_names[TDB_NKINDS];

/* Bits of tdb_event.nulls: which nullable columns were NULL. */
#define TDB_NULL_VCPU	(1u << 0)
#define TDB_NULL_A0	(1u << 1)
#define TDB_NULL_A1	(1u << 2)
#define TDB_NULL_A2	(1u << 3)
#define TDB_NULL_A3	(1u << 4)

struct tdb_event {
	int64_t rowid;		/* row id in table event, for messages */
	int64_t ts;		/* ns since capture start */
	int64_t cpu;		/* host hardware thread, -1 unknown */
	int64_t vm;		/* vm.id, 0 = no VM */
	int64_t vcpu;		/* -1 when NULL (see nulls) */
	int64_t kind_id;	/* the file's own id */
	enum tdb_kind kind;	/* resolved by name; TDB_OTHER if unknown */
	unsigned nulls;		/* TDB_NULL_* */
	int64_t a[4];		/* NULL reads as 0 (see nulls) */
};

/* A VM's MMU as the optional table vm_mmu says it (absent table or row = unknown). */
enum tdb_mmu {
	TDB_MMU_UNKNOWN,
	TDB_MMU_HASH,	/* 'hash': HPT guests */
	TDB_MMU_RADIX,	/* 'radix': radix guests (POWER9 and later) */
};

extern const char *const tdb_mmu_names[3];	/* "unknown", "hash", "radix" */

enum tdb_open_flags {
	TDB_READONLY = 0,
	TDB_READWRITE = 1,	/* for tlbreplay --store: results tables */
};

struct tdb;

struct tdb *tdb_open(const char *path, enum tdb_open_flags flags,
		     char *err, size_t errlen);
void tdb_close(struct tdb *db);

const char *tdb_path(const struct tdb *db);
const char *tdb_error(const struct tdb *db);
struct sqlite3 *tdb_sqlite(struct tdb *db);

/* tdb_meta - value of meta key @key, or NULL. Valid until tdb_close(). */
const char *tdb_meta(struct tdb *db, const char *key);

/* The optional table vm_mmu, read and checked at open: a row whose vm is not an
 * integer, whose mmu is not 'hash' or 'radix', or that repeats a vm makes
 * tdb_open() fail naming its rowid. */
enum tdb_mmu tdb_vm_mmu(const struct tdb *db, int64_t vm);

/* tdb_kind_name - the file's name for kind id @kind_id, or NULL. */
const char *tdb_kind_name(const struct tdb *db, int64_t kind_id);

/* Number of rows in table event (cheap estimate for progress), or -1. */
int64_t tdb_event_count(struct tdb *db);

/*
 * tdb_check_file - before SQLite opens @path: 0 if it is a regular file starting
 * like a SQLite database; -1 with why (no such file, a directory, a trace-cmd
 * file: run tlbimport first, not a SQLite database...) in @why.
 */
int tdb_check_file(const char *path, char *why, size_t len);
/*
 * tdb_harden - make a connection to an untrusted trace DB defensive (DEFENSIVE on,
 * trusted_schema off, triggers and extension loading off, 16 MiB text/blob limit)
 * and refuse, naming them: triggers, views other than the schema's own (same SQL),
 * a view or virtual table named as one of the schema's tables, results tables
 * (replay_*) not declared exactly as the schema does. 0 or -1 with why in @why.
 */
int tdb_harden(struct sqlite3 *db, char *why, size_t len);

int tdb_scan_begin(struct tdb *db);
/* True when this scan sorts (ORDER BY ts, rowid): the rows were not in time order. */
bool tdb_scan_sorted(const struct tdb *db);
/*
 * How many threads decode this scan: 1 on the single-thread path, N when N decoder
 * threads read it in parallel (pscan.h: a large trace in rowid order, more than one
 * cpu, TLB_SCAN_THREADS). Known after the first tdb_scan_next().
 */
int tdb_scan_threads(const struct tdb *db);
/*
 * tdb_scan_next - next event in replay order.
 * Returns 1 with @ev filled, 0 at the end, -1 on a bad row: a value of ts,
 * cpu, vm or kind that is not an integer (NULL, text, real, blob), or of vcpu
 * or a0..a3 that is neither an integer nor NULL; a kind id missing from event_kind; ts
 * going back in a file that says it is ordered; or an SQLite error. The
 * message names the file and the rowid.
 */
int tdb_scan_next(struct tdb *db, struct tdb_event *ev);
void tdb_scan_end(struct tdb *db);

#endif
