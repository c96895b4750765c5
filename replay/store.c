/* SPDX-License-Identifier: MIT */
/*
 * store - writing results into the trace DB (interface and call order in store.h).
 *
 * The digest of the events is known only at the end of the pass, but series
 * and hazard rows stream out during it and need their run id. So each run
 * row is inserted first with a pending digest; at the end, any earlier run
 * with the same (policy, params, digest) is deleted with its rows, and the
 * new row gets the digest. Deletes name the child tables explicitly rather
 * than relying on ON DELETE CASCADE, which needs PRAGMA foreign_keys on.
 *
 * params is the JSON of everything that changes a policy's result: machine,
 * threads_per_core, vcore rule, every cost, and the named options that
 * concern that policy; for the parts of a rotated capture, which parts
 * (traceset.h: the results go into the first part). The series bucket width is not a parameter of the
 * result; it is stored in replay_run.bucket_ns.
 */
#include "store.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

extern const char tlb_schema_v1_sql[];

struct store {
	sqlite3 *db;
	const struct engine_config *cfg;
	int64_t run[MAX_POLICIES];		/* replay_run.id per policy */
	char params[MAX_POLICIES][1024];	/* params JSON per policy */
	sqlite3_stmt *series;			/* INSERT INTO replay_series */
	sqlite3_stmt *hazard;			/* INSERT INTO replay_hazard */
	struct engine_sink sink;
	char err[512];
	bool in_tx;				/* began the transaction: commits or rolls it back */
};

const char *store_error(const struct store *s) { return s->err; }

static int fail(struct store *s, const char *what)
{
	snprintf(s->err, sizeof(s->err), "cannot %s: %s", what, sqlite3_errmsg(s->db));
	return -1;
}

static int series_row(void *arg, int pol, int64_t vm, int64_t bucket_ns, const struct metrics *m)
{
	struct store *s = arg;
	sqlite3_stmt *st = s->series;

	sqlite3_bind_int64(st, 1, s->run[pol]);
	sqlite3_bind_int64(st, 2, vm);
	sqlite3_bind_int64(st, 3, bucket_ns);
	for (int k = 0; k < NMETRICS; k++)
		sqlite3_bind_int64(st, 4 + k, m->v[k]);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return fail(s, "write replay_series");
	}
	sqlite3_reset(st);
	return 0;
}

static int hazard_row(void *arg, int pol, int64_t ts, int64_t vm, int64_t vcpu, int64_t core,
		      int64_t marked_ts)
{
	struct store *s = arg;
	sqlite3_stmt *st = s->hazard;

	sqlite3_bind_int64(st, 1, s->run[pol]);
	sqlite3_bind_int64(st, 2, ts);
	sqlite3_bind_int64(st, 3, vm);
	if (vcpu < 0)
		sqlite3_bind_null(st, 4);
	else
		sqlite3_bind_int64(st, 4, vcpu);
	sqlite3_bind_int64(st, 5, core);
	sqlite3_bind_int64(st, 6, marked_ts);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return fail(s, "write replay_hazard");
	}
	sqlite3_reset(st);
	return 0;
}

static const char *sink_error(void *arg)
{
	return ((struct store *)arg)->err;
}

void store_params(const struct engine_config *cfg, const char *policy, const char *extra,
		  char *buf, size_t len)
{
	char opts[512];
	size_t n;

	n = (size_t)snprintf(buf, len, "{\"machine\":\"%s\",\"threads_per_core\":%" PRId64
			     ",\"threads_per_core_source\":\"%s\",\"vcores\":\"%s\",\"costs\":{",
			     cfg->m.name, cfg->m.threads_per_core, cfg->m.tpc_source,
			     machine_vcore_rule_name(cfg->m.vcores));
	for (int c = 0; c < NCOSTS && n < len; c++)
		n += (size_t)snprintf(buf + n, len - n, "%s\"%s\":%" PRId64, c ? "," : "",
				      cost_names[c], cfg->m.cost[c]);
	replay_options_json(&cfg->opt, policy, opts, sizeof(opts));
	if (n < len)
		snprintf(buf + n, len - n, "},\"options\":%s%s}", opts, extra ? extra : "");
}

/* The results part of the schema: from the replay_run table to the end. */
static const char *results_schema(void)
{
	const char *p = strstr(tlb_schema_v1_sql, "CREATE TABLE IF NOT EXISTS replay_run");

	return p ? p : tlb_schema_v1_sql;
}

struct store *store_begin(struct tdb *db, const struct engine_config *cfg, const char *extra,
			  char *err, size_t errlen)
{
	struct store *s = calloc(1, sizeof(*s));
	sqlite3_stmt *st = NULL;
	char created[40];

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->db = tdb_sqlite(db);
	s->cfg = cfg;
	sqlite3_busy_timeout(s->db, 10000);
	/* in another store's transaction already (several settings): join it */
	if (sqlite3_get_autocommit(s->db)) {
		if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
			fail(s, "start a write transaction");
			goto out;
		}
		s->in_tx = true;
	}
	if (sqlite3_exec(s->db, results_schema(), NULL, NULL, NULL) != SQLITE_OK) {
		fail(s, "create the results tables");
		goto out;
	}
	iso8601_now(created, sizeof(created));
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO replay_run(policy, machine, params, trace_digest,"
			       " tool_version, created, bucket_ns) VALUES (?,?,?,'pending',?,?,?)",
			       -1, &st, NULL) != SQLITE_OK) {
		fail(s, "prepare replay_run");
		goto out;
	}
	for (int p = 0; p < cfg->npol; p++) {
		store_params(cfg, cfg->pol[p]->name, extra, s->params[p], sizeof(s->params[p]));
		sqlite3_bind_text(st, 1, cfg->pol[p]->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, cfg->m.name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, s->params[p], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, TLB_VERSION, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, created, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 6, cfg->bucket_ns);
		if (sqlite3_step(st) != SQLITE_DONE) {
			fail(s, "write replay_run");
			goto out;
		}
		s->run[p] = sqlite3_last_insert_rowid(s->db);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO replay_series(run, vm, bucket_ns, events,"
			       " guest_entries, hcalls, full_flushes, tlbiel_flush, tlbiel_inval,"
			       " local_seqs, tlbie, tlbie_seqs, cycles, stale_exposures)"
			       " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &s->series, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "INSERT INTO replay_hazard(run, ts, vm, vcpu, core, marked_ts)"
			       " VALUES (?,?,?,?,?,?)", -1, &s->hazard, NULL) != SQLITE_OK) {
		fail(s, "prepare the results inserts");
		goto out;
	}
	s->sink.arg = s;
	s->sink.series = series_row;
	s->sink.hazard = hazard_row;
	s->sink.error = sink_error;
	return s;
out:
	sqlite3_finalize(st);
	snprintf(err, errlen, "%s", s->err);
	store_abort(s);
	return NULL;
}

const struct engine_sink *store_sink(struct store *s) { return &s->sink; }

static int write_total(struct store *s, sqlite3_stmt *st, int64_t run, int64_t vm,
		       const struct metrics *m)
{
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, vm);
	for (int k = 0; k < NMETRICS; k++)
		sqlite3_bind_int64(st, 3 + k, m->v[k]);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return fail(s, "write replay_total");
	}
	sqlite3_reset(st);
	return 0;
}

/* Delete earlier runs of (policy, params, digest) other than @keep, with their rows. */
static int replace_earlier(struct store *s, int p, const char *digest)
{
	static const char *const sql[] = {
		"DELETE FROM replay_total WHERE run IN (SELECT id FROM replay_run"
		" WHERE policy = ?1 AND params = ?2 AND trace_digest = ?3 AND id <> ?4)",
		"DELETE FROM replay_series WHERE run IN (SELECT id FROM replay_run"
		" WHERE policy = ?1 AND params = ?2 AND trace_digest = ?3 AND id <> ?4)",
		"DELETE FROM replay_hazard WHERE run IN (SELECT id FROM replay_run"
		" WHERE policy = ?1 AND params = ?2 AND trace_digest = ?3 AND id <> ?4)",
		"DELETE FROM replay_run"
		" WHERE policy = ?1 AND params = ?2 AND trace_digest = ?3 AND id <> ?4",
		"UPDATE replay_run SET trace_digest = ?3 WHERE id = ?4 AND policy = ?1 AND params = ?2",
	};

	for (size_t i = 0; i < sizeof(sql) / sizeof(*sql); i++) {
		sqlite3_stmt *st;
		int rc;

		if (sqlite3_prepare_v2(s->db, sql[i], -1, &st, NULL) != SQLITE_OK)
			return fail(s, "replace the earlier run");
		sqlite3_bind_text(st, 1, s->cfg->pol[p]->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, s->params[p], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, digest, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, s->run[p]);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return fail(s, "replace the earlier run");
	}
	return 0;
}

int store_finish(struct store *s, const struct engine *e, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc = 0;

	st = NULL;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO replay_total(run, vm, events, guest_entries,"
			       " hcalls, full_flushes, tlbiel_flush, tlbiel_inval, local_seqs, tlbie,"
			       " tlbie_seqs, cycles, stale_exposures)"
			       " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
		rc = fail(s, "prepare replay_total");
	for (int p = 0; p < s->cfg->npol && !rc; p++) {
		struct metrics m;

		for (int64_t i = 0; i < engine_nvms(e) && !rc; i++) {
			if (!engine_applies(e, p, i))
				continue;	/* vm_mmu: the VM has the other MMU */
			engine_row(e, p, i, &m);
			rc = write_total(s, st, s->run[p], engine_vm_id(e, i), &m);
		}
		engine_all(e, p, &m);
		if (!rc)
			rc = write_total(s, st, s->run[p], -1, &m);
		if (!rc)
			rc = replace_earlier(s, p, engine_digest(e));
	}
	sqlite3_finalize(st);
	sqlite3_finalize(s->series);
	sqlite3_finalize(s->hazard);
	s->series = s->hazard = NULL;
	if (!rc && s->in_tx && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = fail(s, "commit the results");
	else if (!rc)
		s->in_tx = false;
	if (rc)
		snprintf(err, errlen, "%s", s->err);
	store_abort(s);
	return rc;
}

void store_abort(struct store *s)
{
	if (!s)
		return;
	sqlite3_finalize(s->series);
	sqlite3_finalize(s->hazard);
	if (s->in_tx)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	free(s);
}
