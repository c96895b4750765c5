/* SPDX-License-Identifier: MIT */
/*
 * rotate - tlbcollect --rotate: one long capture as consecutive complete trace DBs.
 *
 * What it owns: the --rotate value (a size or a time), the part names
 * (-o host.db: host.1.db, host.2.db, ...), the check for existing parts, the
 * capture id, when a part is closed, the rows held back for the next part
 * while the old one takes its last rows, and the switch itself: the next part
 * created with the capture's meta, identity rows and kinds, the old one given
 * its closing meta and renamed into place (tracewriter: 0600, RENAME_NOREPLACE
 * without --force). The meta contract of the parts (capture_id, part,
 * part_last, part_prev_last_ts) is in /work/shared and in man tlbcollect.
 *
 * Where it runs: rotate_parse/rotate_check_outputs/rotate_new/rotate_first in
 * tlbcollect's main thread before the writer starts; rotate_event,
 * rotate_due, rotate_switch, rotate_end in the writer thread (sink.c) between
 * sink_start() and sink_stop(); rotate_lost/rotate_path/rotate_last/
 * rotate_parts in the main thread after sink_stop().
 *
 * Algorithm (why parts are disjoint and in ts order although the writer's
 * rows are not quite): when a part is full (its SQLite page count, checked
 * every ROTATE_CHECK_ROWS rows, reaches SIZE) or its time is up (a row's ts
 * reaches the next multiple of SECONDS), a cut ts is chosen above every ts
 * the part holds. Rows at or above the cut are held in memory; rows below it
 * (records of other cpus reserved a little out of ts order in the BPF ring)
 * still go to the old part. Once a BPF record ROTATE_GRACE_NS past the cut
 * has arrived, hcalls and page faults still waiting for their exit with an
 * entry before the cut are written into the old part (their exit is then
 * dropped, counted in meta part_open_calls), the old part is closed, the next
 * created and the held rows written to it. So every ts of part k is below
 * every ts of part k+1, and no row is in two parts or in none.
 */
#ifndef TLBC_ROTATE_H
#define TLBC_ROTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tw;
struct rotate;
struct sink_stats;

#define ROTATE_MIN_BYTES (64 * 1024)		/* below: the schema and meta alone */
#define ROTATE_MAX_BYTES (1LL << 50)
#define ROTATE_MIN_NS 1000000000LL		/* 1 s */
#define ROTATE_MAX_NS (30LL * 86400 * 1000000000LL)	/* 30 days, as --duration */
#define ROTATE_GRACE_NS 5000000LL		/* 5 ms of record time after the cut: records of
						 * other cpus come microseconds out of ts order */
#define ROTATE_CHECK_ROWS 1024
/* Bytes a row adds to the ts index of a part whose rows are not in ts order, counted in
 * its size before the index exists: 14 to 16 measured under t3060's switch storm (an
 * index entry is a ts varint, a rowid, a 3-byte header and a 2-byte cell pointer); a
 * little less, so that a closed part is not below SIZE. */
#define ROTATE_INDEX_ROW_BYTES 12

/* What --rotate says: one of the two is > 0. */
struct rotate_spec {
	int64_t bytes;		/* close a part once its DB file reaches this size */
	int64_t ns;		/* close parts at multiples of this much capture time */
};

struct rotate_opts {
	struct rotate_spec spec;
	const char *out;	/* the user's -o */
	const char *source;	/* meta source: "host" or "guest" */
	unsigned tw_flags;	/* tw_create() flags (TW_FORCE with --force) */
	bool quiet;		/* no line per closed part on stderr */
	int *reserve_fd;	/* the disk reserve (writeguard.h): released for each
				 * part's closing meta, taken again for the next part */
};

/* --rotate ARG: "64M", "512K", "1G" (KiB, MiB, GiB; also 64MiB) or "30s", "10min",
 * "2h". 0 or -1 with the message printed ("cannot use --rotate ARG: ..."). */
int rotate_parse(const char *arg, struct rotate_spec *spec);
/* Name of part @part of @out into @buf: host.db -> host.3.db, host -> host.3. */
int rotate_part_path(const char *out, int part, char *buf, size_t len);
/* Without @force, refuse (message, -1) when any part name of @out exists. */
int rotate_check_outputs(const char *out, bool force);

struct rotate *rotate_new(const struct rotate_opts *o);
/* Part 1 (tw_create at its name, with capture_id and part); NULL, "why" in @err. */
struct tw *rotate_first(struct rotate *r, char *err, size_t len);

/* Writer thread. rotate_event: one event row, appended to @w or held for the next
 * part; 0 or -1 (rotate_error()). */
int rotate_event(struct rotate *r, struct tw *w, int64_t ts, int64_t cpu, int64_t vm,
		 int64_t vcpu, int64_t kind, const int64_t *a, int nargs);
/* The same with a[i] NULL where bit i of @nulls is set (a host hcall's NULL n, known rc). */
int rotate_event_nulls(struct rotate *r, struct tw *w, int64_t ts, int64_t cpu, int64_t vm,
		       int64_t vcpu, int64_t kind, const int64_t *a, unsigned nulls);
/* Whether a row of ts @ts now goes to the next part. */
bool rotate_holds(const struct rotate *r, int64_t ts);
/* Whether the part is to be switched now that a BPF record of ts @rec_ts was taken. */
bool rotate_due(const struct rotate *r, int64_t rec_ts);
/* The cut: pending entries before it belong to the old part. */
int64_t rotate_cut(const struct rotate *r);
/*
 * rotate_switch - close *@w (a part of counts @part, @open_calls of which were written
 * without their exit) and make *@w the next part, with the held rows. @t0: the
 * capture's clock start. -1 on failure (rotate_error()): *@w is then the part the
 * capture must end in (the old one if it could not be closed, else the new one), or
 * NULL if the new part could not be created.
 */
int rotate_switch(struct rotate *r, struct tw **w, const struct sink_stats *part,
		  int64_t open_calls, uint64_t t0);
/* At the stop: rows still held go to @w (there is no next part). */
int rotate_end(struct rotate *r, struct tw *w);
const char *rotate_error(const struct rotate *r);

/* Main thread, after the writer stopped. */
int64_t rotate_lost(const struct rotate *r);	/* lost count in the rows of the open part */
const char *rotate_path(const struct rotate *r);	/* the open part's file name */
int rotate_parts(const struct rotate *r);		/* parts so far (the open one included) */
int64_t rotate_rows_closed(const struct rotate *r);	/* event rows of the closed parts */
/* The open part is the capture's last and it ended normally: meta part_last = 1. */
int rotate_last(struct rotate *r, struct tw *w);
void rotate_free(struct rotate *r);

#endif
