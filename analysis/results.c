/* SPDX-License-Identifier: MIT */
/*
 * results - see results.h. Every query is prepared, stepped and finalized in
 * one helper so that each SQLite return is checked in one place; errors
 * thread through rc and end in one cleanup ladder in rs_load().
 */
#include "results.h"

#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outdir.h"
#include "report.h"
#include "reportdb.h"
#include "jsonscan.h"


const char *const rs_metric_titles[NMETRICS] = {
	"events", "guest entries", "hcalls", "full TLB flushes",
	"tlbiel in flushes", "tlbiel in invalidations", "local sequences",
	"tlbie (broadcast)", "tlbie sequences", "modeled cycles",
	"stale-TLB exposures",
};

#define METRIC_COLUMNS "events, guest_entries, hcalls, full_flushes, tlbiel_flush, " \
	"tlbiel_inval, local_seqs, tlbie, tlbie_seqs, cycles, stale_exposures"

/* The policies tlbreplay runs, in display order; `oracle` is the old name of `tracked`. */
const char *const rs_policies[RS_NPOLICIES] = { "old", "new", "modern", "tracked", "oracle",
						"radix", "optimal" };
/* The machine profiles of replay-model.md. */
static const char *const known_machines[] = { "power7", "power8", "power9-hash" };

struct loader {
	sqlite3 *db;			/* the open trace (reportdb) */
	char *err;			/* caller's message buffer */
	size_t errlen;
	int exit_code;			/* 1 or 2 once something failed */
};

static int fail(struct loader *l, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct loader *l, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->err, l->errlen, fmt, ap);
	va_end(ap);
	l->exit_code = code;
	return -1;
}

static int sql_fail(struct loader *l, const char *what)
{
	/* A missing table or column, a malformed file: the input is bad, not the run. */
	int code = sqlite3_errcode(l->db) & 0xff, bad = code == SQLITE_ERROR || code == SQLITE_CORRUPT ||
		code == SQLITE_NOTADB || code == SQLITE_MISMATCH || code == SQLITE_TOOBIG;

	return fail(l, bad ? 2 : 1, "%s: %s", what, sqlite3_errmsg(l->db));
}

static char *dup_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return strdup(t ? (const char *)t : "");
}

bool rs_known_policy(const char *policy)
{
	for (size_t i = 0; i < RS_NPOLICIES; i++)
		if (strcmp(policy, rs_policies[i]) == 0)
			return true;
	return false;
}

bool rs_known_machine(const char *machine)
{
	for (size_t i = 0; i < sizeof known_machines / sizeof known_machines[0]; i++)
		if (strcmp(machine, known_machines[i]) == 0)
			return true;
	return false;
}

/* DB text for a message: at most 40 characters, control characters as '?'. */
static const char *excerpt(const char *s, char *buf, size_t len)
{
	char tmp[48];

	snprintf(tmp, sizeof tmp, "%.40s%s", s, strlen(s) > 40 ? "..." : "");
	return term_safe(tmp, buf, len);
}

int rs_policy_rank(const char *policy)
{
	for (size_t i = 0; i < RS_NPOLICIES; i++)
		if (strcmp(policy, rs_policies[i]) == 0)
			return (int)i;
	return (int)(RS_NPOLICIES);
}

static int table_exists(struct loader *l, const char *name, int *exists)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(l->db,
		"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return sql_fail(l, "cannot read the schema");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*exists = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(l, "cannot read the schema");
	return 0;
}

static int load_meta(struct loader *l, struct rs_capture *c)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc = sqlite3_prepare_v2(l->db, "SELECT key, value FROM meta ORDER BY key", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return sql_fail(l, "cannot read meta");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (c->nmeta == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			struct rs_meta_kv *p = realloc(c->meta, ncap * sizeof *p);

			if (!p)
				break;
			c->meta = p;
			cap = ncap;
		}
		struct rs_meta_kv *kv = &c->meta[c->nmeta];

		kv->key = dup_text(st, 0);
		kv->value = dup_text(st, 1);
		if (!kv->key || !kv->value) {
			free(kv->key);
			free(kv->value);
			break;
		}
		c->nmeta++;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return fail(l, 1, "cannot read meta: %s", strerror(ENOMEM));
	if (rc != SQLITE_DONE)
		return sql_fail(l, "cannot read meta");
	return 0;
}

/* Table vm is part of the schema, but a hand-written file may lack it: no names then. */
static int load_vm_names(struct loader *l, struct rs_capture *c)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int exists, rc;

	if (table_exists(l, "vm", &exists) < 0)
		return -1;
	if (!exists)
		return 0;
	rc = sqlite3_prepare_v2(l->db, "SELECT id, name, rowid FROM vm ORDER BY id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(l, "cannot read table vm");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (c->nvmnames == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct rs_vmname *p = realloc(c->vmnames, ncap * sizeof *p);

			if (!p)
				break;
			c->vmnames = p;
			cap = ncap;
		}
		struct rs_vmname *v = &c->vmnames[c->nvmnames];

		if (sqlite3_column_type(st, 0) != SQLITE_INTEGER) {
			long long rowid = sqlite3_column_int64(st, 2);

			sqlite3_finalize(st);
			return fail(l, 2, "table vm rowid %lld: id is not an integer", rowid);
		}
		v->id = sqlite3_column_int64(st, 0);
		v->name = NULL;
		if (sqlite3_column_type(st, 1) != SQLITE_NULL && !(v->name = dup_text(st, 1)))
			break;
		c->nvmnames++;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return fail(l, 1, "cannot read table vm: %s", strerror(ENOMEM));
	if (rc != SQLITE_DONE)
		return sql_fail(l, "cannot read table vm");
	return 0;
}

/* The optional vm_mmu (schemas/trace-v1.sql), checked as tracedb checks it: exit 2 naming
 * the rowid of a row whose vm is not an integer or whose mmu is not 'hash' or 'radix'. */
static int load_vm_mmu(struct loader *l, struct rs_capture *c)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int exists, rc;

	if (table_exists(l, "vm_mmu", &exists) < 0)
		return -1;
	if (!exists)
		return 0;
	rc = sqlite3_prepare_v2(l->db, "SELECT vm, mmu, rowid FROM vm_mmu ORDER BY vm, rowid", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(l, "cannot read table vm_mmu");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long rowid = sqlite3_column_int64(st, 2);
		/* the type before the text: reading a blob as text would make it one */
		bool text = sqlite3_column_type(st, 1) == SQLITE_TEXT;
		const char *mmu = (const char *)sqlite3_column_text(st, 1);

		if (sqlite3_column_type(st, 0) != SQLITE_INTEGER) {
			sqlite3_finalize(st);
			return fail(l, 2, "table vm_mmu rowid %lld: vm is not an integer", rowid);
		}
		if (!text || !mmu ||
		    (strcmp(mmu, "hash") != 0 && strcmp(mmu, "radix") != 0)) {
			sqlite3_finalize(st);
			return fail(l, 2, "table vm_mmu rowid %lld: mmu is not 'hash' or 'radix'", rowid);
		}
		if (c->nvmmmus > 0 && c->vmmmus[c->nvmmmus - 1].vm == sqlite3_column_int64(st, 0)) {
			sqlite3_finalize(st);
			return fail(l, 2, "table vm_mmu rowid %lld: vm %lld has a row already", rowid,
				    (long long)sqlite3_column_int64(st, 0));
		}
		if (c->nvmmmus == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct rs_vmmmu *p = realloc(c->vmmmus, ncap * sizeof *p);

			if (!p)
				break;
			c->vmmmus = p;
			cap = ncap;
		}
		c->vmmmus[c->nvmmmus].vm = sqlite3_column_int64(st, 0);
		c->vmmmus[c->nvmmmus].mmu = mmu[0] == 'h' ? 'h' : 'r';
		c->nvmmmus++;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return fail(l, 1, "cannot read table vm_mmu: %s", strerror(ENOMEM));
	if (rc != SQLITE_DONE)
		return sql_fail(l, "cannot read table vm_mmu");
	return 0;
}

/* With --events: events per kind name, and the events the 'lost' events say were lost. */
static int load_event_counts(struct loader *l, struct rs_capture *c)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc = sqlite3_prepare_v2(l->db,
		"SELECT k.name, count(*), sum(CASE WHEN k.name = 'lost' THEN coalesce(e.a0, 0) "
		"ELSE 0 END) FROM event e JOIN event_kind k ON e.kind = k.id GROUP BY k.name "
		"ORDER BY count(*) DESC, k.name", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return sql_fail(l, "cannot count the events");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (c->nkinds == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct rs_kind_count *p = realloc(c->kinds, ncap * sizeof *p);

			if (!p)
				break;
			c->kinds = p;
			cap = ncap;
		}
		struct rs_kind_count *k = &c->kinds[c->nkinds];

		if (!(k->name = dup_text(st, 0)))
			break;
		k->count = sqlite3_column_int64(st, 1);
		if (__builtin_add_overflow(c->lost_counted, sqlite3_column_int64(st, 2), &c->lost_counted)) {
			free(k->name);
			sqlite3_finalize(st);
			return fail(l, 2, "the counts of the 'lost' events overflow a 64-bit sum");
		}
		c->nkinds++;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return fail(l, 1, "cannot count the events: %s", strerror(ENOMEM));
	if (rc == SQLITE_ERROR && strstr(sqlite3_errmsg(l->db), "overflow"))
		return fail(l, 2, "the counts of the 'lost' events overflow a 64-bit sum");
	if (rc != SQLITE_DONE)
		return sql_fail(l, "cannot count the events");
	c->events_read = true;
	return 0;
}

/*
 * The kernel's own full flushes per VM: kernel_flush events (the harness's kprobes, or a
 * collector that records them), their kind id resolved by name as every reader does.
 * One scan of the event table; a vm that is not an integer is bad input, named by rowid.
 */
static int load_kernel_flushes(struct loader *l, struct rs_capture *c)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc = sqlite3_prepare_v2(l->db,
		"SELECT vm, count(*), min(CASE WHEN typeof(vm) <> 'integer' THEN rowid END) "
		"FROM event WHERE kind = (SELECT id FROM event_kind WHERE name = 'kernel_flush') "
		"GROUP BY vm ORDER BY vm", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return sql_fail(l, "cannot count the kernel_flush events");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
			long long row = sqlite3_column_int64(st, 2);

			sqlite3_finalize(st);
			return fail(l, 2, "event rowid %lld (kernel_flush): vm is not an integer", row);
		}
		if (c->nkflush == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct rs_kflush *p = realloc(c->kflush, ncap * sizeof *p);

			if (!p)
				break;
			c->kflush = p;
			cap = ncap;
		}
		c->kflush[c->nkflush].vm = sqlite3_column_int64(st, 0);
		c->kflush[c->nkflush].count = sqlite3_column_int64(st, 1);
		c->kflush_total += c->kflush[c->nkflush].count;	/* <= the rows of a table */
		c->nkflush++;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return fail(l, 1, "cannot count the kernel_flush events: %s", strerror(ENOMEM));
	if (rc != SQLITE_DONE)
		return sql_fail(l, "cannot count the kernel_flush events");
	return 0;
}

int64_t rs_kernel_flushes(const struct rs_capture *c, int64_t vm)
{
	size_t lo = 0, hi = c->nkflush;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->kflush[mid].vm == vm)
			return c->kflush[mid].count;
		if (c->kflush[mid].vm < vm)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static void free_run(struct rs_run *r)
{
	free(r->policy);
	free(r->machine);
	free(r->params);
	free(r->digest);
	free(r->tool_version);
	free(r->created);
	free(r->vms);
	free(r->series);
	free(r->hazards);
	free(r->hazard_ts);
	memset(r, 0, sizeof *r);
}

/*
 * A run's identity must be one the program knows: its policy and machine
 * name a plot, a colour, a table column and a verdict, and nothing else is
 * ever let near a gnuplot script. Anything else is bad input, named by id.
 */
static int check_run(struct loader *l, sqlite3_stmt *st, const struct rs_run *r)
{
	char buf[64];

	if (sqlite3_column_type(st, 0) != SQLITE_INTEGER)
		return fail(l, 2, "replay_run rowid %lld: id is not an integer",
			    (long long)sqlite3_column_int64(st, 8));
	if (sqlite3_column_type(st, 1) != SQLITE_TEXT || !rs_known_policy(r->policy))
		return fail(l, 2, "replay_run id %" PRId64 ": unknown policy '%s' (known: old, new, "
			    "modern, tracked, optimal, radix, oracle)", r->id, excerpt(r->policy, buf, sizeof buf));
	if (sqlite3_column_type(st, 2) != SQLITE_TEXT || !rs_known_machine(r->machine))
		return fail(l, 2, "replay_run id %" PRId64 ": unknown machine '%s' (known: power7, "
			    "power8, power9-hash)", r->id, excerpt(r->machine, buf, sizeof buf));
	if (sqlite3_column_type(st, 7) != SQLITE_INTEGER || r->bucket_ns < 0)
		return fail(l, 2, "replay_run id %" PRId64 ": bucket_ns is not a non-negative "
			    "integer", r->id);
	return 0;
}

struct params_read {
	struct rs_run *r;
	size_t optlen;
};

static void params_num(void *ctx, const char *path, double v)
{
	struct params_read *p = ctx;
	struct rs_run *r = p->r;

	if (strcmp(path, "threads_per_core") == 0 && v >= 0 && v <= 1e6 && v == (int64_t)v)
		r->tpc = (int64_t)v;
	else if (strcmp(path, "vcores") == 0)
		snprintf(r->vcores, sizeof r->vcores, "%g", v);
	else if (strncmp(path, "options.", 8) == 0 && p->optlen < sizeof r->options)
		p->optlen += (size_t)snprintf(r->options + p->optlen, sizeof r->options - p->optlen,
					      "%s%s=%g", p->optlen ? ", " : "", path + 8, v);
}

static void params_text(void *ctx, const char *path, const char *text)
{
	struct params_read *p = ctx;
	struct rs_run *r = p->r;

	if (strcmp(path, "threads_per_core_source") == 0) {
		/* Only the three words the replay writes are shown; anything else is unknown. */
		if (strcmp(text, "option") == 0 || strcmp(text, "meta") == 0 ||
		    strcmp(text, "profile") == 0)
			snprintf(r->tpc_source, sizeof r->tpc_source, "%s", text);
	} else if (strcmp(path, "vcores") == 0) {
		snprintf(r->vcores, sizeof r->vcores, "%s", text);
	} else if (strncmp(path, "options.", 8) == 0 && p->optlen < sizeof r->options) {
		p->optlen += (size_t)snprintf(r->options + p->optlen, sizeof r->options - p->optlen,
					      "%s%s=%s", p->optlen ? ", " : "", path + 8,
					      strcmp(text, "true") == 0 ? "1" :
					      strcmp(text, "false") == 0 ? "0" : text);
	}
}

/* The parameters in force, from params: costs, T and its source, vcores, options. */
static int read_params(struct loader *l, struct rs_run *r)
{
	struct params_read p = { .r = r };
	size_t n;

	r->tpc = -1;
	snprintf(r->tpc_source, sizeof r->tpc_source, "unknown");
	if (cm_costs_from_params(r->params, &r->costs) < 0 ||
	    json_scan(r->params, params_num, params_text, &p) < 0)
		return fail(l, 2, "run %" PRId64 " (%s): params is not valid JSON", r->id, r->policy);
	n = (size_t)snprintf(r->signature, sizeof r->signature, "%s|%" PRId64 "|%s|", r->machine,
			     r->tpc, r->vcores);
	for (int k = 0; k < NCOSTS && n < sizeof r->signature; k++)
		n += (size_t)snprintf(r->signature + n, sizeof r->signature - n, "%.17g,",
				      (r->costs.have & (1u << k)) ? r->costs.v[k] : -1.0);
	/* Options are per policy (old-..., new-...): compared pairwise, by name (options_conflict). */
	return 0;
}

/* The value of option @name in "k=v, k=v" @opts, into @val; false when absent. */
static bool option_value(const char *opts, const char *name, char *val, size_t len)
{
	size_t nlen = strlen(name);

	for (const char *p = opts; p && *p;) {
		const char *end = strstr(p, ", ");
		size_t item = end ? (size_t)(end - p) : strlen(p);

		if (item > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
			snprintf(val, len, "%.*s", (int)(item - nlen - 1), p + nlen + 1);
			return true;
		}
		p = end ? end + 2 : NULL;
	}
	return false;
}

/* Do two runs set one option to different values? */
static bool options_conflict(const struct rs_run *a, const struct rs_run *b)
{
	for (const char *p = a->options; p && *p;) {
		const char *end = strstr(p, ", "), *eq;
		size_t item = end ? (size_t)(end - p) : strlen(p);
		char name[128], va[128], vb[128];

		eq = memchr(p, '=', item);
		if (eq && (size_t)(eq - p) < sizeof name) {
			snprintf(name, sizeof name, "%.*s", (int)(eq - p), p);
			if (option_value(a->options, name, va, sizeof va) &&
			    option_value(b->options, name, vb, sizeof vb) && strcmp(va, vb) != 0)
				return true;
		}
		p = end ? end + 2 : NULL;
	}
	return false;
}

/* Made with the same parameters: machine, T, vcores, costs equal, no option set differently. */
static bool same_params(const struct rs_run *a, const struct rs_run *b)
{
	return strcmp(a->signature, b->signature) == 0 && !options_conflict(a, b);
}

/* What differs between two parameter sets, in words. */
static const char *params_differ(const struct rs_run *a, const struct rs_run *b)
{
	if (strcmp(a->machine, b->machine) != 0)
		return "machine";
	if (a->tpc != b->tpc)
		return "threads per core";
	if (strcmp(a->vcores, b->vcores) != 0)
		return "vcores";
	if (options_conflict(a, b))
		return "options";
	return "costs";
}

/* Every stored run, ascending id, into @runs. */
static int load_run_list(struct loader *l, struct rs_run **runs, size_t *nruns)
{
	sqlite3_stmt *st;
	size_t cap = 0, n = 0;
	struct rs_run *v = NULL;
	int bad = 0;
	int rc = sqlite3_prepare_v2(l->db,
		"SELECT id, policy, machine, params, trace_digest, tool_version, created, "
		"coalesce(bucket_ns, 0), rowid FROM replay_run ORDER BY id", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return sql_fail(l, "cannot read replay_run");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct rs_run *p = realloc(v, ncap * sizeof *p);

			if (!p)
				break;
			v = p;
			cap = ncap;
		}
		struct rs_run *r = &v[n];

		memset(r, 0, sizeof *r);
		r->id = sqlite3_column_int64(st, 0);
		r->policy = dup_text(st, 1);
		r->machine = dup_text(st, 2);
		r->params = dup_text(st, 3);
		r->digest = dup_text(st, 4);
		r->tool_version = dup_text(st, 5);
		r->created = dup_text(st, 6);
		r->bucket_ns = sqlite3_column_int64(st, 7);
		n++;
		if (!r->policy || !r->machine || !r->params || !r->digest || !r->tool_version ||
		    !r->created)
			break;
		if (check_run(l, st, r) < 0 || read_params(l, r) < 0) {
			bad = 1;
			break;
		}
	}
	sqlite3_finalize(st);
	*runs = v;
	*nruns = n;
	if (bad)
		return -1;
	if (rc == SQLITE_ROW)
		return fail(l, 1, "cannot read replay_run: %s", strerror(ENOMEM));
	if (rc != SQLITE_DONE)
		return sql_fail(l, "cannot read replay_run");
	return 0;
}

/*
 * The metrics of one row, columns @first_col..: each must be a non-negative
 * integer (a count); 0, or -1 naming the column.
 */
static int read_metrics(sqlite3_stmt *st, int first_col, int64_t *m, const char **bad)
{
	for (int k = 0; k < NMETRICS; k++) {
		if (sqlite3_column_type(st, first_col + k) != SQLITE_INTEGER ||
		    (m[k] = sqlite3_column_int64(st, first_col + k)) < 0) {
			*bad = metric_names[k];
			return -1;
		}
	}
	return 0;
}

/* @acc += @m, every metric; -1 on an int64 overflow. */
static int add_metrics(int64_t *acc, const int64_t *m)
{
	for (int k = 0; k < NMETRICS; k++)
		if (__builtin_add_overflow(acc[k], m[k], &acc[k]))
			return -1;
	return 0;
}

static int vm_row_cmp(const void *pa, const void *pb)
{
	const struct rs_row *a = pa, *b = pb;

	return a->vm < b->vm ? -1 : a->vm > b->vm;
}

static int load_totals(struct loader *l, struct rs_run *r)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	bool have_all = false;
	const char *bad = NULL;
	long long bad_row = 0;
	int rc = sqlite3_prepare_v2(l->db,
		"SELECT vm, " METRIC_COLUMNS ", rowid FROM replay_total WHERE run = ? ORDER BY vm",
		-1, &st, NULL);

	if (rc != SQLITE_OK)
		return sql_fail(l, "cannot read replay_total");
	sqlite3_bind_int64(st, 1, r->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t vm = sqlite3_column_int64(st, 0), m[NMETRICS];

		bad_row = sqlite3_column_int64(st, 1 + NMETRICS);
		if (sqlite3_column_type(st, 0) != SQLITE_INTEGER) {
			bad = "vm";
			break;
		}
		if (read_metrics(st, 1, m, &bad) < 0)
			break;
		if (vm == -1) {
			if (have_all) {
				bad = "vm (a second all row)";
				break;
			}
			r->all.vm = -1;
			memcpy(r->all.m, m, sizeof m);
			have_all = true;
			continue;
		}
		if (r->nvms > 0 && r->vms[r->nvms - 1].vm == vm) {
			bad = "vm (a second row for this VM)";
			break;
		}
		if (r->nvms == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct rs_row *p = realloc(r->vms, ncap * sizeof *p);

			if (!p)
				break;
			r->vms = p;
			cap = ncap;
		}
		r->vms[r->nvms].vm = vm;
		memcpy(r->vms[r->nvms].m, m, sizeof m);
		r->nvms++;
	}
	sqlite3_finalize(st);
	if (bad)
		return fail(l, 2, "replay_total rowid %lld (run %" PRId64 "): %s is not a "
			    "non-negative integer count", bad_row, r->id, bad);
	if (rc == SQLITE_ROW)
		return fail(l, 1, "cannot read replay_total: %s", strerror(ENOMEM));
	if (rc != SQLITE_DONE)
		return sql_fail(l, "cannot read replay_total");
	if (!have_all && r->nvms == 0)
		return fail(l, 2, "run %" PRId64 " (%s) has no rows in replay_total: "
			    "run tlbreplay --store first", r->id, r->policy);
	/* SQLite sorted by value; our lookups bisect, so the order must be ours. */
	qsort(r->vms, r->nvms, sizeof *r->vms, vm_row_cmp);
	if (!have_all) {
		/* A writer that stored only per-VM rows: the all row is their sum. */
		r->all.vm = -1;
		for (size_t i = 0; i < r->nvms; i++)
			if (add_metrics(r->all.m, r->vms[i].m) < 0)
				return fail(l, 2, "replay_total of run %" PRId64 ": the sum over its VMs "
					    "overflows a 64-bit count (at vm %" PRId64 ")", r->id,
					    r->vms[i].vm);
	}
	return 0;
}

/*
 * The all-VM series of run @r: its vm = -1 rows, or else the sum of its VM
 * rows per bucket (summed here, with overflow checked, not by SQL's sum()).
 */
static int series_query(struct loader *l, struct rs_run *r, bool all_rows)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	const char *bad = NULL;
	long long bad_row = 0;
	int rc = sqlite3_prepare_v2(l->db, all_rows
		? "SELECT bucket_ns, " METRIC_COLUMNS ", rowid FROM replay_series "
		  "WHERE run = ? AND vm = -1 ORDER BY bucket_ns"
		: "SELECT bucket_ns, " METRIC_COLUMNS ", rowid FROM replay_series "
		  "WHERE run = ? AND vm >= 0 ORDER BY bucket_ns", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return sql_fail(l, "cannot read replay_series");
	sqlite3_bind_int64(st, 1, r->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t m[NMETRICS], b = sqlite3_column_int64(st, 0);

		bad_row = sqlite3_column_int64(st, 1 + NMETRICS);
		if (sqlite3_column_type(st, 0) != SQLITE_INTEGER || b < 0) {
			bad = "bucket_ns is not a non-negative integer";
			break;
		}
		if (read_metrics(st, 1, m, &bad) < 0) {
			bad = "a metric is not a non-negative integer count";
			break;
		}
		if (r->nseries > 0 && r->series[r->nseries - 1].vm == b) {
			if (all_rows) {
				bad = "a second all row for this bucket";
				break;
			}
			if (add_metrics(r->series[r->nseries - 1].m, m) < 0) {
				bad = "the sum over the VMs overflows a 64-bit count";
				break;
			}
			continue;
		}
		if (r->nseries == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct rs_row *p = realloc(r->series, ncap * sizeof *p);

			if (!p)
				break;
			r->series = p;
			cap = ncap;
		}
		r->series[r->nseries].vm = b;
		memcpy(r->series[r->nseries].m, m, sizeof m);
		r->nseries++;
	}
	sqlite3_finalize(st);
	if (bad)
		return fail(l, 2, "replay_series rowid %lld (run %" PRId64 "): %s", bad_row, r->id, bad);
	if (rc == SQLITE_ROW)
		return fail(l, 1, "cannot read replay_series: %s", strerror(ENOMEM));
	if (rc != SQLITE_DONE)
		return sql_fail(l, "cannot read replay_series");
	return 0;
}

static int load_series(struct loader *l, struct rs_run *r)
{
	int exists;

	if (table_exists(l, "replay_series", &exists) < 0)
		return -1;
	if (!exists)
		return 0;
	if (series_query(l, r, true) < 0)
		return -1;
	if (r->nseries == 0 && series_query(l, r, false) < 0)
		return -1;
	/* Buckets are >= 0, so their span fits; the bins of figures.c rely on that. */
	return 0;
}

static int load_hazards(struct loader *l, struct rs_run *r, size_t limit)
{
	sqlite3_stmt *st;
	int exists, rc;

	if (table_exists(l, "replay_hazard", &exists) < 0)
		return -1;
	if (!exists)
		return 0;
	/* One pass counts them and finds the first row that is not what the schema says. */
	rc = sqlite3_prepare_v2(l->db, "SELECT count(*), min(CASE WHEN typeof(ts) <> 'integer' "
				"OR typeof(vm) <> 'integer' OR typeof(core) <> 'integer' "
				"OR typeof(marked_ts) <> 'integer' "
				"OR (vcpu IS NOT NULL AND typeof(vcpu) <> 'integer') "
				"OR marked_ts > ts THEN rowid END) FROM replay_hazard WHERE run = ?",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(l, "cannot read replay_hazard");
	sqlite3_bind_int64(st, 1, r->id);
	rc = sqlite3_step(st);
	long long bad_row = -1;

	if (rc == SQLITE_ROW) {
		r->hazards_total = sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			bad_row = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return sql_fail(l, "cannot count replay_hazard");
	if (bad_row >= 0)
		return fail(l, 2, "replay_hazard rowid %lld (run %" PRId64 "): a column is not an "
			    "integer, or marked_ts is after ts", bad_row, r->id);
	if (r->hazards_total > 0 && r->hazards_total <= RS_MAX_HAZARD_TS) {
		/* The exact times, for a cumulative plot that steps where each exposure was. */
		r->hazard_ts = malloc((size_t)r->hazards_total * sizeof *r->hazard_ts);
		if (!r->hazard_ts)
			return fail(l, 1, "cannot read replay_hazard: %s", strerror(ENOMEM));
		rc = sqlite3_prepare_v2(l->db, "SELECT ts FROM replay_hazard WHERE run = ? "
					"ORDER BY ts", -1, &st, NULL);
		if (rc != SQLITE_OK)
			return sql_fail(l, "cannot read replay_hazard");
		sqlite3_bind_int64(st, 1, r->id);
		while (r->nhazard_ts < (size_t)r->hazards_total && (rc = sqlite3_step(st)) == SQLITE_ROW)
			r->hazard_ts[r->nhazard_ts++] = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return sql_fail(l, "cannot read replay_hazard");
	}
	if (limit == 0 || r->hazards_total == 0)
		return 0;
	size_t want = (size_t)r->hazards_total < limit ? (size_t)r->hazards_total : limit;

	r->hazards = calloc(want, sizeof *r->hazards);
	if (!r->hazards)
		return fail(l, 1, "cannot read replay_hazard: %s", strerror(ENOMEM));
	rc = sqlite3_prepare_v2(l->db, "SELECT ts, vm, coalesce(vcpu, -1), core, marked_ts, rowid "
				"FROM replay_hazard WHERE run = ? ORDER BY ts, rowid LIMIT ?",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(l, "cannot read replay_hazard");
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)want);
	while (r->nhazards < want && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rs_hazard *h = &r->hazards[r->nhazards++];

		h->ts = sqlite3_column_int64(st, 0);
		h->vm = sqlite3_column_int64(st, 1);
		h->vcpu = sqlite3_column_int64(st, 2);
		h->core = sqlite3_column_int64(st, 3);
		h->marked_ts = sqlite3_column_int64(st, 4);
		int64_t span;

		/* The report shows how long the core was stale: that span must exist. */
		if (__builtin_sub_overflow(h->ts, h->marked_ts, &span)) {
			long long row = sqlite3_column_int64(st, 5);

			sqlite3_finalize(st);
			return fail(l, 2, "replay_hazard rowid %lld (run %" PRId64 "): ts - marked_ts "
				    "overflows a 64-bit span", row, r->id);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(l, "cannot read replay_hazard");
	return 0;
}

static int policy_cmp(const void *pa, const void *pb)
{
	const struct rs_run *a = pa, *b = pb;
	int ra = rs_policy_rank(a->policy), rb = rs_policy_rank(b->policy);

	if (ra != rb)
		return ra < rb ? -1 : 1;
	return strcmp(a->policy, b->policy);
}

/*
 * Mark in @keep the runs to report: the named ones, or one per policy (the
 * latest of the chosen machine and digest), filtered and ordered by policy.
 */
static int choose_runs(struct loader *l, const struct rs_options *opt, struct rs_run *all,
		       size_t nall, bool *keep, struct rs_capture *c)
{
	if (opt->nrun_ids > 0) {
		const struct rs_run *first = NULL;

		for (size_t i = 0; i < opt->nrun_ids; i++) {
			size_t j;

			for (j = 0; j < nall && all[j].id != opt->run_ids[i]; j++)
				;
			if (j == nall)
				return fail(l, 2, "no run %" PRId64 " in replay_run", opt->run_ids[i]);
			for (size_t k = 0; k < nall; k++)
				if (keep[k] && strcmp(all[k].policy, all[j].policy) == 0 && k != j)
					return fail(l, 2, "runs %" PRId64 " and %" PRId64
						    " are both policy %s: name one run per policy",
						    all[k].id, all[j].id, all[j].policy);
			if (first && !same_params(first, &all[j]))
				return fail(l, 2, "runs %" PRId64 " and %" PRId64 " were made with "
					    "different parameters (%s): a comparison needs one "
					    "parameter set", first->id, all[j].id,
					    params_differ(first, &all[j]));
			if (!first)
				first = &all[j];
			keep[j] = true;
		}
		return 0;
	}
	const struct rs_run *latest = NULL;

	for (size_t i = nall; i-- > 0;)
		if (!opt->machine || strcmp(all[i].machine, opt->machine) == 0) {
			latest = &all[i];
			break;
		}
	if (!latest)
		return fail(l, 2, "no run of machine '%s' in replay_run", opt->machine);
	for (size_t i = nall; i-- > 0;) {
		if (strcmp(all[i].digest, latest->digest) != 0)
			continue;
		bool fits = same_params(&all[i], latest);

		for (size_t k = i + 1; fits && k < nall; k++)
			if (keep[k] && !same_params(&all[i], &all[k]))
				fits = false;
		if (!fits) {
			/* Same trace, other parameters: never side by side with these; say so. */
			if (c->nother_params < sizeof c->other_params / sizeof c->other_params[0]) {
				c->other_params[c->nother_params] = all[i].id;
				snprintf(c->other_why[c->nother_params], sizeof c->other_why[0], "%s %s",
					 all[i].policy, params_differ(latest, &all[i]));
			}
			c->nother_params++;
			continue;
		}
		bool taken = false;

		for (size_t k = i + 1; k < nall; k++)
			if (keep[k] && strcmp(all[k].policy, all[i].policy) == 0)
				taken = true;
		if (!taken)
			keep[i] = true;
	}
	return 0;
}

static int select_runs(struct loader *l, const struct rs_options *opt, struct rs_capture *c,
		       struct rs_run *all, size_t nall)
{
	bool *keep = calloc(nall ? nall : 1, sizeof *keep);
	size_t n = 0;

	if (!keep)
		return fail(l, 1, "cannot choose runs: %s", strerror(ENOMEM));
	if (choose_runs(l, opt, all, nall, keep, c) < 0) {
		free(keep);
		return -1;
	}
	if (opt->npolicies > 0) {
		for (size_t p = 0; p < opt->npolicies; p++) {
			size_t i;

			for (i = 0; i < nall && !(keep[i] && strcmp(all[i].policy, opt->policies[p]) == 0); i++)
				;
			if (i == nall) {
				free(keep);
				return fail(l, 2, "no stored run of policy '%s' (for this machine "
					    "and trace): run tlbreplay --store --policy %s first",
					    opt->policies[p], opt->policies[p]);
			}
		}
	}
	c->runs = calloc(nall ? nall : 1, sizeof *c->runs);
	if (!c->runs) {
		free(keep);
		return fail(l, 1, "cannot choose runs: %s", strerror(ENOMEM));
	}
	if (opt->npolicies > 0) {
		for (size_t p = 0; p < opt->npolicies; p++)
			for (size_t i = 0; i < nall; i++)
				if (keep[i] && strcmp(all[i].policy, opt->policies[p]) == 0) {
					c->runs[n++] = all[i];
					memset(&all[i], 0, sizeof all[i]);
					keep[i] = false;
				}
	} else {
		for (size_t i = 0; i < nall; i++)
			if (keep[i]) {
				c->runs[n++] = all[i];
				memset(&all[i], 0, sizeof all[i]);
			}
		qsort(c->runs, n, sizeof *c->runs, policy_cmp);
	}
	c->nruns = n;
	free(keep);
	return 0;
}

struct rs_capture *rs_load(const char *path, const struct rs_options *opt,
			   int *exit_code, char *err, size_t errlen)
{
	struct loader l = { .err = err, .errlen = errlen };
	struct rs_capture *c = calloc(1, sizeof *c);
	struct rs_run *all = NULL;
	size_t nall = 0;
	int exists_run = 0, exists_total = 0;
	int rc = -1;

	if (!c || !(c->path = strdup(path))) {
		fail(&l, 1, "%s", strerror(ENOMEM));
		goto out;
	}
	l.db = rdb_open(path, &l.exit_code, err, errlen);
	if (!l.db)
		goto out;
	c->db = l.db;
	if (load_meta(&l, c) < 0 || load_vm_names(&l, c) < 0 || load_vm_mmu(&l, c) < 0)
		goto out;
	if (table_exists(&l, "replay_run", &exists_run) < 0 ||
	    table_exists(&l, "replay_total", &exists_total) < 0)
		goto out;
	if (!exists_run || !exists_total) {
		fail(&l, 2, "no results tables (replay_run, replay_total): run tlbreplay --store first");
		if (opt->nothing_fits)
			*opt->nothing_fits = true;
		goto out;
	}
	if (load_run_list(&l, &all, &nall) < 0)
		goto out;
	c->nruns_stored = nall;
	if (nall == 0) {
		fail(&l, 2, "no replay results stored: run tlbreplay --store first");
		if (opt->nothing_fits)
			*opt->nothing_fits = true;
		goto out;
	}
	if (select_runs(&l, opt, c, all, nall) < 0) {
		/* select_runs fails with exit 2 only for a machine, run or policy not stored */
		if (opt->nothing_fits && l.exit_code == 2 && !opt->nrun_ids)
			*opt->nothing_fits = true;
		goto out;
	}
	for (size_t i = 0; i < c->nruns; i++) {
		struct rs_run *r = &c->runs[i];

		if (load_totals(&l, r) < 0)
			goto out;
		if (!opt->totals_only && (load_series(&l, r) < 0 ||
					  load_hazards(&l, r, opt->hazard_limit) < 0))
			goto out;
	}
	if (!opt->skip_kernel_flush && load_kernel_flushes(&l, c) < 0)
		goto out;
	if (opt->read_events && load_event_counts(&l, c) < 0)
		goto out;
	rc = 0;
out:
	for (size_t i = 0; i < nall; i++)
		free_run(&all[i]);
	free(all);
	if (rc < 0) {
		*exit_code = l.exit_code ? l.exit_code : 1;
		rs_free(c);
		return NULL;
	}
	*exit_code = 0;
	return c;
}

void rs_free(struct rs_capture *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nmeta; i++) {
		free(c->meta[i].key);
		free(c->meta[i].value);
	}
	free(c->meta);
	for (size_t i = 0; i < c->nvmnames; i++)
		free(c->vmnames[i].name);
	free(c->vmnames);
	free(c->vmmmus);
	for (size_t i = 0; i < c->nkinds; i++)
		free(c->kinds[i].name);
	free(c->kinds);
	free(c->kflush);
	for (size_t i = 0; i < c->nruns; i++)
		free_run(&c->runs[i]);
	free(c->runs);
	free(c->path);
	rdb_close(c->db);
	free(c);
}

char rs_vm_mmu(const struct rs_capture *c, int64_t vm)
{
	size_t lo = 0, hi = c->nvmmmus;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->vmmmus[mid].vm == vm)
			return c->vmmmus[mid].mmu;
		if (c->vmmmus[mid].vm < vm)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* tlbreplay's policy_ops .mmu: radix models radix-MMU guests, every other policy HPT ones. */
char rs_policy_mmu(const char *policy)
{
	return strcmp(policy, "radix") == 0 ? 'r' : 'h';
}

const char *rs_meta(const struct rs_capture *c, const char *key)
{
	for (size_t i = 0; i < c->nmeta; i++)
		if (strcmp(c->meta[i].key, key) == 0)
			return c->meta[i].value;
	return NULL;
}

const char *rs_vm_name(const struct rs_capture *c, int64_t vm)
{
	size_t lo = 0, hi = c->nvmnames;

	/* vmnames is in id order (ORDER BY id over integer ids): bisect. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->vmnames[mid].id == vm)
			return c->vmnames[mid].name;
		if (c->vmnames[mid].id < vm)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const int64_t *rs_vm_metrics(const struct rs_run *run, int64_t vm)
{
	size_t lo = 0, hi = run->nvms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (run->vms[mid].vm == vm)
			return run->vms[mid].m;
		if (run->vms[mid].vm < vm)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct rs_run *rs_run_by_policy(const struct rs_capture *c, const char *policy)
{
	for (size_t i = 0; i < c->nruns; i++)
		if (strcmp(c->runs[i].policy, policy) == 0)
			return &c->runs[i];
	return NULL;
}

int rs_write_hazards_csv(const struct rs_capture *c, const char *csv_path, char *err,
			 size_t errlen)
{
	sqlite3 *db = c->db;
	sqlite3_stmt *st = NULL;
	FILE *f = NULL;
	int exists = 0, rc = -1, src;
	struct loader l = { .err = err, .errlen = errlen };

	f = od_fopen(csv_path);
	if (!f) {
		snprintf(err, errlen, "%s: %s", csv_path, strerror(errno));
		return -1;
	}
	fputs("policy,run,ts_ns,vm,vcpu,core,marked_ts_ns\n", f);
	l.db = db;
	if (table_exists(&l, "replay_hazard", &exists) < 0)
		goto out;
	for (size_t i = 0; exists && i < c->nruns; i++) {
		if (c->runs[i].hazards_total == 0)
			continue;
		src = sqlite3_prepare_v2(db, "SELECT ts, vm, vcpu, core, marked_ts FROM replay_hazard "
					 "WHERE run = ? ORDER BY ts, rowid", -1, &st, NULL);
		if (src != SQLITE_OK) {
			sql_fail(&l, "cannot read replay_hazard");
			goto out;
		}
		sqlite3_bind_int64(st, 1, c->runs[i].id);
		while ((src = sqlite3_step(st)) == SQLITE_ROW) {
			csv_put(f, c->runs[i].policy);
			fprintf(f, ",%" PRId64 ",%lld,%lld,", c->runs[i].id,
				sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
			if (sqlite3_column_type(st, 2) != SQLITE_NULL)
				fprintf(f, "%lld", sqlite3_column_int64(st, 2));
			fprintf(f, ",%lld,%lld\n", sqlite3_column_int64(st, 3),
				sqlite3_column_int64(st, 4));
		}
		sqlite3_finalize(st);
		st = NULL;
		if (src != SQLITE_DONE) {
			sql_fail(&l, "cannot read replay_hazard");
			goto out;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	if (ferror(f) && rc == 0) {
		snprintf(err, errlen, "%s: %s", csv_path, strerror(EIO));
		rc = -1;
	}
	if (fclose(f) != 0 && rc == 0) {
		snprintf(err, errlen, "%s: %s", csv_path, strerror(errno));
		rc = -1;
	}
	return rc;
}

const char *rs_options_union(const struct rs_capture *c, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < c->nruns; i++)
		for (const char *p = c->runs[i].options; p && *p;) {
			const char *end = strstr(p, ", ");
			size_t item = end ? (size_t)(end - p) : strlen(p);
			char one[256];

			snprintf(one, sizeof one, "%.*s", (int)item, p);
			/* listed once: every run shown agrees on the options they share */
			bool seen = false;

			for (const char *q = buf; q && *q;) {
				const char *qe = strstr(q, ", ");
				size_t qi = qe ? (size_t)(qe - q) : strlen(q);

				if (qi == strlen(one) && strncmp(q, one, qi) == 0)
					seen = true;
				q = qe ? qe + 2 : NULL;
			}
			if (!seen && n < len)
				n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", one);
			p = end ? end + 2 : NULL;
		}
	return buf;
}
