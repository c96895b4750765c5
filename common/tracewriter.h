/* SPDX-License-Identifier: MIT */
/*
 * tracewriter - writing a trace database of schema version 1.
 *
 * What it owns: creating a new trace DB from schemas/trace-v1.sql (compiled
 * in), the meta, vm and vcpu rows, and the fast batched insert of events.
 * Every producer (tlbgen, tlbcollect, tlbimport, tlbmerge) writes through it.
 *
 * Interface:
 *   tw_create()      a new DB at a temporary name beside PATH
 *   tw_meta()        set a meta key (replaces)
 *   tw_vm()          a vm row;   tw_vcpu(): a vcpu row
 *   tw_kind()        id of a kind by name, adding the kind if this file lacks it
 *   tw_event()       append one event (batched: a transaction per TW_BATCH rows)
 *   tw_finish()      commit, write the closing meta, rename to PATH
 *   tw_abort()       NULL-safe: remove the temporary file, free
 *
 * Order of calls: create, then meta/vm/vcpu/kind/event in any order, then
 * finish or abort. Nothing exists at PATH until tw_finish() succeeds, so a
 * failed or interrupted producer leaves no partial output. The file is 0600.
 * Without TW_FORCE, tw_finish() fails (and writes nothing) if PATH appeared
 * meanwhile. tw_create() removes, and reports on stderr, temporary files
 * "PATH.tmp-PID" of ours whose process is gone (a producer killed by SIGKILL).
 *
 * At finish it writes: event_order='ts' when every event was appended in
 * non-decreasing ts order (readers then scan without sorting; otherwise an
 * index on ts is built), events_<kind> counts per kind name, and end meta
 * keys the producer did not set itself (tool_version).
 *
 * Errors: tw_create() returns NULL with "PATH: why" in @err; the others
 * return 0 or -1 with the message in tw_error().
 */
#ifndef TLB_TRACEWRITER_H
#define TLB_TRACEWRITER_H

#include <stddef.h>
#include <stdint.h>

#include "tracedb.h"

struct tw;
struct sqlite3;

enum tw_flags {
	TW_FORCE = 1 << 0,	/* replace an existing PATH (else refuse, also at the end) */
	TW_PRIVATE = 1 << 1,	/* kept for callers: every trace DB is created 0600 now */
};

#define TW_BATCH 65536

struct tw *tw_create(const char *path, const char *source, unsigned flags,
		     char *err, size_t errlen);
const char *tw_error(const struct tw *w);
struct sqlite3 *tw_sqlite(struct tw *w);

int tw_meta(struct tw *w, const char *key, const char *value);
int tw_meta_int(struct tw *w, const char *key, int64_t value);
int tw_vm(struct tw *w, int64_t id, const char *name, int64_t pid, int64_t lpid);
int tw_vcpu(struct tw *w, int64_t vm, int64_t id, int64_t tid, const char *name);

/* tw_kind - id of kind @name in this file; adds it (with argument names) if missing. */
int64_t tw_kind(struct tw *w, const char *name, const char *a0, const char *a1,
		const char *a2, const char *a3);
/* The file's id of one of the contract's kinds (always present). */
int64_t tw_kind_id(const struct tw *w, enum tdb_kind kind);

/*
 * tw_event - append one event. @vcpu < 0 writes NULL; @nargs of @a are
 * written, the rest NULL. @kind_id comes from tw_kind()/tw_kind_id().
 */
int tw_event(struct tw *w, int64_t ts, int64_t cpu, int64_t vm, int64_t vcpu,
	     int64_t kind_id, const int64_t *a, int nargs);

/* tw_event_nulls - the same, with a[i] NULL where bit i of @nulls is set (a NULL n
 * beside a known rc). */
int tw_event_nulls(struct tw *w, int64_t ts, int64_t cpu, int64_t vm, int64_t vcpu,
		   int64_t kind_id, const int64_t *a, unsigned nulls);

/* Events appended so far. */
int64_t tw_event_count(const struct tw *w);

/*
 * tw_temp_path - the temporary file being written (NULL once finished), for a
 * producer's fatal-signal handler that must leave nothing behind (unlink only).
 */
const char *tw_temp_path(const struct tw *w);

/* tw_finish - frees @w whatever it returns; on failure it has printed why (tlb_msg). */
int tw_finish(struct tw *w);
void tw_abort(struct tw *w);

#endif
