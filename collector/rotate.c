/* SPDX-License-Identifier: MIT */
/*
 * rotate - parts of a rotated capture (interface and algorithm in rotate.h).
 *
 * Per part meta, besides what every capture has (copied from part 1 as it was
 * created: host, kernel, clock_start_ns, ... so ts keep counting from one
 * start across parts): capture_id, part, part_prev_last_ts (parts 2..),
 * part_last (the last part of a capture that ended normally; tlbcollect.c
 * asks for it through rotate_last()). Counts of the rows of one part
 * (lost_events, events_<kind>, event_count) and of the records the writer took
 * while the part was open (events_received/written/filtered, guest_enter_from_*,
 * ...) are per part; the counts of the whole run (collector_cpu_ns, detach_ns,
 * bpf_recursion_misses, hcalls_unpaired, vcpu_process_unknown) are in the last
 * part only.
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "rotate.h"
#include "sink.h"
#include "tracewriter.h"
#include "util.h"
#include "writeguard.h"

struct held {
	int64_t ts, cpu, vm, vcpu, kind, a[4];
	unsigned nulls;		/* a[i] NULL where bit i is set (tw_event_nulls) */
};

struct rotate {
	struct rotate_opts o;
	char *out;		/* copy of the user's -o */
	char path[4096];	/* the open part's file name */
	char capture_id[33];
	int part;		/* number of the open part */
	int64_t lost_kind;	/* kind id of "lost" (the same in every part) */
	int64_t page_size;	/* of the open part's DB */
	/* the open part */
	int64_t max_ts;		/* largest ts written to it */
	bool unordered;		/* a row went back in ts: tw_finish() will index ts */
	int64_t floor;		/* its rows are at or above this (the previous cut) */
	int64_t lost;		/* sum of its lost rows' counts */
	int64_t raised;		/* rows that came after their part closed: ts raised to floor */
	int since_check;	/* rows since the last size check */
	int64_t next_boundary;	/* time mode: the ts that closes it */
	/* holding for the next part */
	bool holding;
	int64_t cut;
	struct held *held;
	size_t nheld, capheld;
	int64_t rows_closed;	/* event rows in the closed parts */
	char err[5120];
};

/* ----------------------------------------------------------------- parse -- */

int rotate_parse(const char *arg, struct rotate_spec *spec)
{
	static const struct { const char *unit; int64_t bytes, ns; } units[] = {
		{ "K", 1LL << 10, 0 }, { "KiB", 1LL << 10, 0 },
		{ "M", 1LL << 20, 0 }, { "MiB", 1LL << 20, 0 },
		{ "G", 1LL << 30, 0 }, { "GiB", 1LL << 30, 0 },
		{ "T", 1LL << 40, 0 }, { "TiB", 1LL << 40, 0 },
		{ "s", 0, 1000000000LL }, { "min", 0, 60000000000LL }, { "h", 0, 3600000000000LL },
	};
	char num[64];
	size_t n = strspn(arg, "0123456789.");
	const char *unit = arg + n;
	double v;

	memset(spec, 0, sizeof(*spec));
	if (n == 0 || n >= sizeof(num) || !*unit) {
		tlb_msg("cannot use --rotate %s: a size (64M, 512K, 1G: bytes of each part's DB, "
			"K/M/G = KiB/MiB/GiB) or a time (30s, 10min, 1h) with its unit", arg);
		return -1;
	}
	memcpy(num, arg, n);
	num[n] = '\0';
	if (parse_double(num, &v) || !(v > 0)) {
		tlb_msg("cannot use --rotate %s: the number must be above 0", arg);
		return -1;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(unit, units[i].unit) != 0)
			continue;
		if (units[i].bytes) {
			double b = v * (double)units[i].bytes;

			if (b < ROTATE_MIN_BYTES || b > (double)ROTATE_MAX_BYTES) {
				tlb_msg("cannot use --rotate %s: a part size from 64K to 1024T", arg);
				return -1;
			}
			spec->bytes = (int64_t)b;
		} else {
			double t = v * (double)units[i].ns;

			if (t < (double)ROTATE_MIN_NS || t > (double)ROTATE_MAX_NS) {
				tlb_msg("cannot use --rotate %s: a part time from 1s to 30 days (720h)", arg);
				return -1;
			}
			spec->ns = (int64_t)t;
		}
		return 0;
	}
	if (strcmp(unit, "m") == 0)
		tlb_msg("cannot use --rotate %s: say %smin (minutes) or %sM (MiB)", arg, num, num);
	else
		tlb_msg("cannot use --rotate %s: unknown unit '%s' (sizes: K, M, G, T; times: s, min, h)",
			arg, unit);
	return -1;
}

/* ----------------------------------------------------------------- names -- */

/* Where the part number goes: before the last '.' of the file name, if it has one
 * that does not start it; else at the end. */
static size_t ext_at(const char *out)
{
	const char *base = strrchr(out, '/');
	const char *dot;

	base = base ? base + 1 : out;
	dot = strrchr(base, '.');
	return dot && dot > base ? (size_t)(dot - out) : strlen(out);
}

int rotate_part_path(const char *out, int part, char *buf, size_t len)
{
	size_t at = ext_at(out);
	int n = snprintf(buf, len, "%.*s.%d%s", (int)at, out, part, out + at);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int rotate_check_outputs(const char *out, bool force)
{
	char *copy = strdup(out), *dcopy = strdup(out);
	const char *dir, *base;
	size_t at = ext_at(out), slash, stemlen, extlen;
	const char *ext = out + at;
	int rc = 0, found = 0;
	char first[512] = "";
	struct dirent *de;
	DIR *d;

	if (!copy || !dcopy) {
		free(copy);
		free(dcopy);
		tlb_msg("cannot check the part files of %s: out of memory", out);
		return -1;
	}
	dir = dirname(dcopy);
	base = basename(copy);
	slash = strrchr(out, '/') ? (size_t)(strrchr(out, '/') - out) + 1 : 0;
	stemlen = at - slash;	/* "host" of dir/host.db */
	extlen = strlen(ext);
	d = opendir(dir);
	if (!d) {
		if (errno != ENOENT) {
			tlb_msg("cannot read directory %s: %s", dir, strerror(errno));
			rc = -1;
		}
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		const char *p = de->d_name, *digits;
		size_t nd;

		if (strncmp(p, base, stemlen) != 0 || p[stemlen] != '.')
			continue;
		digits = p + stemlen + 1;
		nd = strspn(digits, "0123456789");
		if (nd == 0 || digits[0] == '0' || strcmp(digits + nd, ext) != 0 ||
		    strlen(digits + nd) != extlen)
			continue;
		if (!found++)
			snprintf(first, sizeof(first), "%s", p);
	}
	closedir(d);
	if (found && !force) {
		tlb_msg("cannot create the parts of %s: %s%s (use --force to replace them)", out,
			first, found > 1 ? " and others exist" : " exists");
		rc = -1;
	} else if (found) {
		fprintf(stderr, "tlbcollect: warning: %d part file%s of %s exist%s (%s...): each "
			"part this capture writes replaces its namesake; the others stay (meta "
			"capture_id tells captures apart)\n", found, found > 1 ? "s" : "", out,
			found > 1 ? "" : "s", first);
	}
out:
	free(copy);
	free(dcopy);
	return rc;
}

/* ------------------------------------------------------------ lifecycle -- */

struct rotate *rotate_new(const struct rotate_opts *o)
{
	struct rotate *r = calloc(1, sizeof(*r));
	unsigned char id[16];
	size_t got = 0;

	if (!r || !(r->out = strdup(o->out))) {
		free(r);
		tlb_msg("cannot prepare --rotate: out of memory");
		return NULL;
	}
	r->o = *o;
	r->o.out = r->out;
	while (got < sizeof(id)) {
		ssize_t n = getrandom(id + got, sizeof(id) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			tlb_msg("cannot draw a capture id: getrandom: %s", strerror(errno));
			rotate_free(r);
			return NULL;
		}
		got += (size_t)n;
	}
	for (int i = 0; i < 16; i++)
		snprintf(r->capture_id + 2 * i, 3, "%02x", id[i]);
	r->max_ts = INT64_MIN;
	r->floor = INT64_MIN;
	r->next_boundary = o->spec.ns > 0 ? o->spec.ns : INT64_MAX;
	return r;
}

static int64_t query_int(struct tw *w, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(tw_sqlite(w), sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The new part's own meta and state. */
static int part_begin(struct rotate *r, struct tw *w)
{
	r->page_size = query_int(w, "PRAGMA page_size");
	r->lost_kind = tw_kind_id(w, TDB_LOST);
	if (r->page_size <= 0 || tw_meta(w, "capture_id", r->capture_id) ||
	    tw_meta_int(w, "part", r->part) || tw_meta(w, "rotate", r->o.spec.bytes
		? "size: a part is closed once its DB file reaches rotate_bytes"
		: "time: parts are closed at multiples of rotate_ns of capture time") ||
	    tw_meta_int(w, "rotate_bytes", r->o.spec.bytes) || tw_meta_int(w, "rotate_ns", r->o.spec.ns))
		return -1;
	if (r->part > 1 && tw_meta_int(w, "part_prev_last_ts", r->max_ts))
		return -1;
	r->max_ts = INT64_MIN;
	r->unordered = false;
	r->lost = 0;
	r->raised = 0;
	r->since_check = 0;
	return 0;
}

struct tw *rotate_first(struct rotate *r, char *err, size_t len)
{
	struct tw *w;

	r->part = 1;
	if (rotate_part_path(r->out, 1, r->path, sizeof(r->path))) {
		snprintf(err, len, "%s: the name is too long", r->out);
		return NULL;
	}
	w = tw_create(r->path, r->o.source, r->o.tw_flags, err, len);
	if (w && part_begin(r, w)) {
		snprintf(err, len, "%s", tw_error(w));
		tw_abort(w);
		return NULL;
	}
	return w;
}

void rotate_free(struct rotate *r)
{
	if (!r)
		return;
	free(r->held);
	free(r->out);
	free(r);
}

const char *rotate_error(const struct rotate *r) { return r->err; }
int64_t rotate_lost(const struct rotate *r) { return r->lost; }
const char *rotate_path(const struct rotate *r) { return r->path; }
int rotate_parts(const struct rotate *r) { return r->part; }
int64_t rotate_rows_closed(const struct rotate *r) { return r->rows_closed; }
int64_t rotate_cut(const struct rotate *r) { return r->cut; }

int rotate_last(struct rotate *r, struct tw *w)
{
	if (tw_meta(w, "part_last", "1") || (r->raised && tw_meta_int(w, "part_ts_raised", r->raised))) {
		snprintf(r->err, sizeof(r->err), "%s", tw_error(w));
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- events -- */

static int append(struct rotate *r, struct tw *w, int64_t ts, int64_t cpu, int64_t vm,
		  int64_t vcpu, int64_t kind, const int64_t *a, unsigned nulls)
{
	if (ts < r->floor) {
		/* A row of the closed part's time that came after the grace: it cannot go
		 * back, and a part must not begin before the last one ended. */
		ts = r->floor;
		r->raised++;
	}
	if (tw_event_nulls(w, ts, cpu, vm, vcpu, kind, a, nulls)) {
		snprintf(r->err, sizeof(r->err), "%s", tw_error(w));
		return -1;
	}
	if (ts > r->max_ts)
		r->max_ts = ts;
	else if (ts < r->max_ts)
		r->unordered = true;
	if (kind == r->lost_kind && !(nulls & 1u))
		r->lost += a[0];
	return 0;
}

static void start_holding(struct rotate *r, int64_t cut)
{
	r->holding = true;
	r->cut = cut > r->max_ts ? cut : r->max_ts + 1;
}

/* Size mode: whether the open part's DB (pages in the cache included, and the ts index
 * tw_finish() adds when its rows are not in ts order) reached SIZE. */
static int part_full(struct rotate *r, struct tw *w)
{
	int64_t pages = query_int(w, "PRAGMA page_count");
	int64_t index = r->unordered ? tw_event_count(w) * ROTATE_INDEX_ROW_BYTES : 0;

	if (pages < 0) {
		snprintf(r->err, sizeof(r->err), "%s: cannot read the page count: %s", r->path,
			 sqlite3_errmsg(tw_sqlite(w)));
		return -1;
	}
	return pages * r->page_size + index >= r->o.spec.bytes;
}

int rotate_event(struct rotate *r, struct tw *w, int64_t ts, int64_t cpu, int64_t vm,
		 int64_t vcpu, int64_t kind, const int64_t *a, int nargs)
{
	return rotate_event_nulls(r, w, ts, cpu, vm, vcpu, kind, a,
				  nargs >= 4 ? 0u : 0xfu & ~((1u << (nargs > 0 ? nargs : 0)) - 1u));
}

int rotate_event_nulls(struct rotate *r, struct tw *w, int64_t ts, int64_t cpu, int64_t vm,
		       int64_t vcpu, int64_t kind, const int64_t *a, unsigned nulls)
{
	if (!r->holding && ts >= r->next_boundary)
		start_holding(r, r->next_boundary);
	if (r->holding && ts >= r->cut) {
		struct held *h;

		if (r->nheld == r->capheld) {
			size_t cap = r->capheld ? 2 * r->capheld : 4096;

			h = realloc(r->held, cap * sizeof(*h));
			if (!h) {
				snprintf(r->err, sizeof(r->err), "%s: cannot hold rows for the next part: "
					 "out of memory", r->path);
				return -1;
			}
			r->held = h;
			r->capheld = cap;
		}
		h = &r->held[r->nheld++];
		h->ts = ts;
		h->cpu = cpu;
		h->vm = vm;
		h->vcpu = vcpu;
		h->kind = kind;
		h->nulls = nulls;
		for (int i = 0; i < 4; i++)
			h->a[i] = nulls & (1u << i) ? 0 : a[i];
		return 0;
	}
	if (append(r, w, ts, cpu, vm, vcpu, kind, a, nulls))
		return -1;
	if (!r->holding && r->o.spec.bytes > 0 && ++r->since_check >= ROTATE_CHECK_ROWS) {
		int full = part_full(r, w);

		r->since_check = 0;
		if (full < 0)
			return -1;
		if (full)
			start_holding(r, r->max_ts + 1);
	}
	return 0;
}

bool rotate_holds(const struct rotate *r, int64_t ts)
{
	return r->holding && ts >= r->cut;
}

bool rotate_due(const struct rotate *r, int64_t rec_ts)
{
	return r->holding && r->nheld > 0 && rec_ts >= r->cut + ROTATE_GRACE_NS;
}

static int write_held(struct rotate *r, struct tw *w)
{
	for (size_t i = 0; i < r->nheld; i++) {
		const struct held *h = &r->held[i];

		if (append(r, w, h->ts, h->cpu, h->vm, h->vcpu, h->kind, h->a, h->nulls))
			return -1;
	}
	r->nheld = 0;
	return 0;
}

int rotate_end(struct rotate *r, struct tw *w)
{
	r->holding = false;
	return write_held(r, w);
}

/* ---------------------------------------------------------------- switch -- */

/* The next part's meta, identity rows and kinds, from the old part @o. */
static int copy_part(struct rotate *r, struct tw *o, struct tw *n)
{
	sqlite3 *odb = tw_sqlite(o), *ndb = tw_sqlite(n);
	sqlite3_stmt *st = NULL, *ins = NULL;
	const char *what = "meta";
	int rc = -1;

#define COL_I64(i) (sqlite3_column_type(st, (i)) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, (i)))
#define COL_TXT(i) ((const char *)sqlite3_column_text(st, (i)))
	if (sqlite3_prepare_v2(odb, "SELECT key, value FROM meta WHERE key NOT IN ('part', "
			       "'part_prev_last_ts', 'part_last')", -1, &st, NULL) != SQLITE_OK)
		goto sqlerr;
	while (sqlite3_step(st) == SQLITE_ROW)
		if (tw_meta(n, COL_TXT(0), COL_TXT(1)))
			goto twerr;
	sqlite3_finalize(st);
	what = "event_kind";
	if (sqlite3_prepare_v2(odb, "SELECT id, name, a0, a1, a2, a3 FROM event_kind ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		goto sqlerr;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = tw_kind(n, COL_TXT(1), COL_TXT(2), COL_TXT(3), COL_TXT(4), COL_TXT(5));

		if (id < 0)
			goto twerr;
		if (id != sqlite3_column_int64(st, 0)) {
			snprintf(r->err, sizeof(r->err), "%s: kind %s has id %lld, %lld in the previous "
				 "part", r->path, COL_TXT(1), (long long)id,
				 (long long)sqlite3_column_int64(st, 0));
			goto out;
		}
	}
	sqlite3_finalize(st);
	what = "vm";
	if (sqlite3_prepare_v2(odb, "SELECT id, name, pid, lpid FROM vm ORDER BY id", -1, &st,
			       NULL) != SQLITE_OK)
		goto sqlerr;
	while (sqlite3_step(st) == SQLITE_ROW)
		if (tw_vm(n, sqlite3_column_int64(st, 0), COL_TXT(1), COL_I64(2), COL_I64(3)))
			goto twerr;
	sqlite3_finalize(st);
	what = "vcpu";
	if (sqlite3_prepare_v2(odb, "SELECT vm, id, tid, name FROM vcpu ORDER BY vm, id", -1, &st,
			       NULL) != SQLITE_OK)
		goto sqlerr;
	while (sqlite3_step(st) == SQLITE_ROW)
		if (tw_vcpu(n, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), COL_I64(2),
			    COL_TXT(3)))
			goto twerr;
	sqlite3_finalize(st);
	what = "vm_mmu";
	if (sqlite3_prepare_v2(odb, "SELECT vm, mmu FROM vm_mmu ORDER BY vm", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ndb, "INSERT OR REPLACE INTO vm_mmu(vm, mmu) VALUES (?, ?)", -1, &ins,
			       NULL) != SQLITE_OK)
		goto sqlerr;
	while (sqlite3_step(st) == SQLITE_ROW) {
		sqlite3_bind_int64(ins, 1, sqlite3_column_int64(st, 0));
		sqlite3_bind_text(ins, 2, COL_TXT(1), -1, SQLITE_TRANSIENT);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			snprintf(r->err, sizeof(r->err), "%s: cannot write vm_mmu: %s", r->path,
				 sqlite3_errmsg(ndb));
			goto out;
		}
		sqlite3_reset(ins);
	}
	rc = 0;
	goto out;
#undef COL_I64
#undef COL_TXT
sqlerr:
	snprintf(r->err, sizeof(r->err), "%s: cannot copy %s into the next part: %s", r->path, what,
		 sqlite3_errmsg(ins ? ndb : odb));
	goto out;
twerr:
	snprintf(r->err, sizeof(r->err), "%s", tw_error(n));
out:
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	return rc;
}

/* The closing meta of a part that is not the last (the last one's is tlbcollect's). */
static int part_end_meta(struct rotate *r, struct tw *w, const struct sink_stats *p,
			 int64_t open_calls, uint64_t t0)
{
	bool host = strcmp(r->o.source, "guest") != 0;
	char iso[40];
	int e = 0;

	iso8601_now(iso, sizeof(iso));
	e |= tw_meta(w, "end_time", iso);
	e |= tw_meta_int(w, "duration_ns", (int64_t)(now_ns() - t0));
	e |= tw_meta_int(w, "lost_events", r->lost);
	e |= tw_meta_int(w, "events_received", p->records + r->lost);
	e |= tw_meta_int(w, "events_written", p->written);
	e |= tw_meta_int(w, "events_filtered", p->filtered);
	if (host) {
		e |= tw_meta_int(w, "guest_enter_from_sched", p->enter_sched);
		e |= tw_meta_int(w, "guest_enter_from_kvm", p->enter_kvm);
		e |= tw_meta_int(w, "guest_exit_from_sched", p->exit_sched);
		e |= tw_meta_int(w, "switch_in_unreported", p->in_unreported);
		e |= tw_meta_int(w, "switch_out_unreported", p->out_unreported);
		e |= tw_meta_int(w, "host_inval_unattributed", p->inval_unattributed);
	}
	if (open_calls)
		e |= tw_meta_int(w, "part_open_calls", open_calls);
	if (r->raised)
		e |= tw_meta_int(w, "part_ts_raised", r->raised);
	if (e)
		snprintf(r->err, sizeof(r->err), "%s", tw_error(w));
	return e ? -1 : 0;
}

int rotate_switch(struct rotate *r, struct tw **w, const struct sink_stats *part,
		  int64_t open_calls, uint64_t t0)
{
	struct tw *old = *w, *n;
	char oldpath[sizeof(r->path)], err[512];
	uint64_t t_start = now_ns();
	int64_t rows;

	/* The old part's rows on disk first, while the reserve still holds its room: a
	 * full disk here is a write error of the old part, which then ends the capture
	 * keeping what was committed (tlbcollect.c, finish_truncated). */
	/* Its ts index too (tw_finish() builds it when rows went back in ts, and it can be
	 * the size of a third of the part): after these, closing writes only meta, which
	 * the reserve's room holds. */
	if (wg_exec(tw_sqlite(old), "COMMIT", err, sizeof(err)) ||
	    (r->unordered && wg_exec(tw_sqlite(old), "CREATE INDEX IF NOT EXISTS event_ts ON "
				     "event(ts)", err, sizeof(err))) ||
	    wg_exec(tw_sqlite(old), "BEGIN", err, sizeof(err))) {
		snprintf(r->err, sizeof(r->err), "%s: cannot write: %s", r->path, err);
		return -1;
	}
	snprintf(oldpath, sizeof(oldpath), "%s", r->path);
	if (rotate_part_path(r->out, r->part + 1, r->path, sizeof(r->path))) {
		snprintf(r->path, sizeof(r->path), "%s", oldpath);
		snprintf(r->err, sizeof(r->err), "%s: the part name is too long", r->out);
		return -1;
	}
	n = tw_create(r->path, r->o.source, r->o.tw_flags, err, sizeof(err));
	if (!n) {
		snprintf(r->err, sizeof(r->err), "cannot create the next part %s", err);
		snprintf(r->path, sizeof(r->path), "%s", oldpath);
		return -1;
	}
	if (wg_journal_in_memory(n, err, sizeof(err))) {
		snprintf(r->err, sizeof(r->err), "cannot prepare %s: %s", r->path, err);
		goto keep_old;
	}
	if (copy_part(r, old, n))
		goto keep_old;
	/* the old part: closing meta, then the rename (tracewriter) with the reserve's room */
	if (part_end_meta(r, old, part, open_calls, t0))
		goto keep_old;
	rows = tw_event_count(old);
	r->part++;
	if (part_begin(r, n)) {
		r->part--;
		snprintf(r->err, sizeof(r->err), "%s", tw_error(n));
		goto keep_old;
	}
	r->floor = r->cut;
	wg_reserve_release(r->o.reserve_fd);
	if (tw_finish(old)) {
		/* tw_finish said why; the part's file is gone */
		*w = n;
		snprintf(r->err, sizeof(r->err), "%s: cannot finish this part (see above); the "
			 "capture stops", oldpath);
		*r->o.reserve_fd = wg_reserve_open(r->path);
		return -1;
	}
	r->rows_closed += rows;
	*w = n;
	*r->o.reserve_fd = wg_reserve_open(r->path);
	/* what the switch cost the writer (the ring kept filling meanwhile) */
	if (tw_meta_int(n, "part_switch_ns", (int64_t)(now_ns() - t_start))) {
		snprintf(r->err, sizeof(r->err), "%s", tw_error(n));
		return -1;
	}
	if (!r->o.quiet)
		fprintf(stderr, "tlbcollect: part %d closed: %s, %lld events\n", r->part - 1, oldpath,
			(long long)rows);
	r->holding = false;
	if (r->o.spec.ns > 0)
		while (r->next_boundary <= r->cut)
			r->next_boundary += r->o.spec.ns;
	return write_held(r, n);
keep_old:
	tw_abort(n);
	snprintf(r->path, sizeof(r->path), "%s", oldpath);
	return -1;
}
