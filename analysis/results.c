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

#include "tracedb.h"


const char *const rs_metric_titles[NMETRICS] = {
	"events", "guest entries", "hcalls", "full TLB flushes",
	"tlbiel in flushes", "tlbiel in invalidations", "local sequences",
	"tlbie (broadcast)", "tlbie sequences", "modeled cycles",
	"stale-TLB exposures",
};

#define METRIC_COLUMNS "events, guest_entries, hcalls, full_flushes, tlbiel_flush, " \
	"tlbiel_inval, local_seqs, tlbie, tlbie_seqs, cycles, stale_exposures"

static const char *const known_policies[] = { "old", "new", "modern", "oracle" };

struct loader {
	struct tdb *tdb;		/* the open trace */
	sqlite3 *db;			/* its handle */
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
	return fail(l, 1, "%s: %s", what, sqlite3_errmsg(l->db));
}

static char *dup_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return strdup(t ? (const char *)t : "");
}

int rs_policy_rank(const char *policy)
{
	for (size_t i = 0; i < sizeof known_policies / sizeof known_policies[0]; i++)
		if (strcmp(policy, known_policies[i]) == 0)
			return (int)i;
	return (int)(sizeof known_policies / sizeof known_policies[0]);
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
	rc = sqlite3_prepare_v2(l->db, "SELECT id, name FROM vm ORDER BY id", -1, &st, NULL);
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
		c->lost_counted += sqlite3_column_int64(st, 2);
		c->nkinds++;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return fail(l, 1, "cannot count the events: %s", strerror(ENOMEM));
	if (rc != SQLITE_DONE)
		return sql_fail(l, "cannot count the events");
	c->events_read = true;
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
	memset(r, 0, sizeof *r);
}

/* Every stored run, ascending id, into @runs. */
static int load_run_list(struct loader *l, struct rs_run **runs, size_t *nruns)
{
	sqlite3_stmt *st;
	size_t cap = 0, n = 0;
	struct rs_run *v = NULL;
	int rc = sqlite3_prepare_v2(l->db,
		"SELECT id, policy, machine, params, trace_digest, tool_version, created, "
		"coalesce(bucket_ns, 0) FROM replay_run ORDER BY id", -1, &st, NULL);

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
	}
	sqlite3_finalize(st);
	*runs = v;
	*nruns = n;
	if (rc == SQLITE_ROW)
		return fail(l, 1, "cannot read replay_run: %s", strerror(ENOMEM));
	if (rc != SQLITE_DONE)
		return sql_fail(l, "cannot read replay_run");
	return 0;
}

static void read_metrics(sqlite3_stmt *st, int first_col, int64_t *m)
{
	for (int k = 0; k < NMETRICS; k++)
		m[k] = sqlite3_column_int64(st, first_col + k);
}

static int load_totals(struct loader *l, struct rs_run *r)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	bool have_all = false;
	int rc = sqlite3_prepare_v2(l->db,
		"SELECT vm, " METRIC_COLUMNS " FROM replay_total WHERE run = ? ORDER BY vm",
		-1, &st, NULL);

	if (rc != SQLITE_OK)
		return sql_fail(l, "cannot read replay_total");
	sqlite3_bind_int64(st, 1, r->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t vm = sqlite3_column_int64(st, 0);

		if (vm == -1) {
			r->all.vm = -1;
			read_metrics(st, 1, r->all.m);
			have_all = true;
			continue;
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
		read_metrics(st, 1, r->vms[r->nvms].m);
		r->nvms++;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return fail(l, 1, "cannot read replay_total: %s", strerror(ENOMEM));
	if (rc != SQLITE_DONE)
		return sql_fail(l, "cannot read replay_total");
	if (!have_all && r->nvms == 0)
		return fail(l, 2, "run %" PRId64 " (%s) has no rows in replay_total: "
			    "run tlbreplay --store first", r->id, r->policy);
	if (!have_all) {
		/* A writer that stored only per-VM rows: the all row is their sum. */
		r->all.vm = -1;
		for (size_t i = 0; i < r->nvms; i++)
			for (int k = 0; k < NMETRICS; k++)
				r->all.m[k] += r->vms[i].m[k];
	}
	return 0;
}

static int series_query(struct loader *l, struct rs_run *r, const char *sql)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc = sqlite3_prepare_v2(l->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return sql_fail(l, "cannot read replay_series");
	sqlite3_bind_int64(st, 1, r->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (r->nseries == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct rs_row *p = realloc(r->series, ncap * sizeof *p);

			if (!p)
				break;
			r->series = p;
			cap = ncap;
		}
		r->series[r->nseries].vm = sqlite3_column_int64(st, 0);
		read_metrics(st, 1, r->series[r->nseries].m);
		r->nseries++;
	}
	sqlite3_finalize(st);
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
	if (series_query(l, r, "SELECT bucket_ns, " METRIC_COLUMNS " FROM replay_series "
			 "WHERE run = ? AND vm = -1 ORDER BY bucket_ns") < 0)
		return -1;
	if (r->nseries > 0)
		return 0;
	/* No all row: sum the VMs' rows per bucket. */
	return series_query(l, r, "SELECT bucket_ns, sum(events), sum(guest_entries), "
		"sum(hcalls), sum(full_flushes), sum(tlbiel_flush), sum(tlbiel_inval), "
		"sum(local_seqs), sum(tlbie), sum(tlbie_seqs), sum(cycles), "
		"sum(stale_exposures) FROM replay_series WHERE run = ? AND vm >= 0 "
		"GROUP BY bucket_ns ORDER BY bucket_ns");
}

static int load_hazards(struct loader *l, struct rs_run *r, size_t limit)
{
	sqlite3_stmt *st;
	int exists, rc;

	if (table_exists(l, "replay_hazard", &exists) < 0)
		return -1;
	if (!exists)
		return 0;
	rc = sqlite3_prepare_v2(l->db, "SELECT count(*) FROM replay_hazard WHERE run = ?",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(l, "cannot read replay_hazard");
	sqlite3_bind_int64(st, 1, r->id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		r->hazards_total = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return sql_fail(l, "cannot count replay_hazard");
	if (limit == 0 || r->hazards_total == 0)
		return 0;
	size_t want = (size_t)r->hazards_total < limit ? (size_t)r->hazards_total : limit;

	r->hazards = calloc(want, sizeof *r->hazards);
	if (!r->hazards)
		return fail(l, 1, "cannot read replay_hazard: %s", strerror(ENOMEM));
	rc = sqlite3_prepare_v2(l->db, "SELECT ts, vm, coalesce(vcpu, -1), core, marked_ts "
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
		       size_t nall, bool *keep)
{
	if (opt->nrun_ids > 0) {
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
		if (strcmp(all[i].machine, latest->machine) != 0 ||
		    strcmp(all[i].digest, latest->digest) != 0)
			continue;
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
	if (choose_runs(l, opt, all, nall, keep) < 0) {
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
	l.tdb = tdb_open(path, TDB_READONLY, err, errlen);
	if (!l.tdb) {
		/* tracedb says "PATH: why"; our caller names the file itself. */
		size_t plen = strlen(path);

		if (strncmp(err, path, plen) == 0 && strncmp(err + plen, ": ", 2) == 0)
			memmove(err, err + plen + 2, strlen(err + plen + 2) + 1);
		l.exit_code = 2;
		goto out;
	}
	l.db = tdb_sqlite(l.tdb);
	if (load_meta(&l, c) < 0 || load_vm_names(&l, c) < 0)
		goto out;
	if (table_exists(&l, "replay_run", &exists_run) < 0 ||
	    table_exists(&l, "replay_total", &exists_total) < 0)
		goto out;
	if (!exists_run || !exists_total) {
		fail(&l, 2, "no results tables (replay_run, replay_total): run tlbreplay --store first");
		goto out;
	}
	if (load_run_list(&l, &all, &nall) < 0)
		goto out;
	c->nruns_stored = nall;
	if (nall == 0) {
		fail(&l, 2, "no replay results stored: run tlbreplay --store first");
		goto out;
	}
	if (select_runs(&l, opt, c, all, nall) < 0)
		goto out;
	for (size_t i = 0; i < c->nruns; i++) {
		struct rs_run *r = &c->runs[i];

		if (cm_costs_from_params(r->params, &r->costs) < 0) {
			fail(&l, 2, "run %" PRId64 " (%s): params is not valid JSON", r->id, r->policy);
			goto out;
		}
		if (load_totals(&l, r) < 0 || load_series(&l, r) < 0 ||
		    load_hazards(&l, r, opt->hazard_limit) < 0)
			goto out;
	}
	if (opt->read_events && load_event_counts(&l, c) < 0)
		goto out;
	rc = 0;
out:
	for (size_t i = 0; i < nall; i++)
		free_run(&all[i]);
	free(all);
	tdb_close(l.tdb);
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
	for (size_t i = 0; i < c->nkinds; i++)
		free(c->kinds[i].name);
	free(c->kinds);
	for (size_t i = 0; i < c->nruns; i++)
		free_run(&c->runs[i]);
	free(c->runs);
	free(c->path);
	free(c);
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
	for (size_t i = 0; i < c->nvmnames; i++)
		if (c->vmnames[i].id == vm)
			return c->vmnames[i].name;
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
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	FILE *f = NULL;
	int exists = 0, rc = -1, src;
	struct loader l = { .err = err, .errlen = errlen };

	f = fopen(csv_path, "w");
	if (!f) {
		snprintf(err, errlen, "%s: %s", csv_path, strerror(errno));
		return -1;
	}
	fputs("policy,run,ts_ns,vm,vcpu,core,marked_ts_ns\n", f);
	if (sqlite3_open_v2(c->path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", c->path, db ? sqlite3_errmsg(db) : "cannot open");
		goto out;
	}
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
			fprintf(f, "%s,%" PRId64 ",%lld,%lld,", c->runs[i].policy, c->runs[i].id,
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
	sqlite3_close(db);
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
