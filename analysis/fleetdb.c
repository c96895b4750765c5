/* SPDX-License-Identifier: MIT */
/*
 * fleetdb - DIR/fleet.db: every capture's stored results in one SQLite file, made with
 * ATTACH (no re-replay), as deploy/fleet-db.sh makes it in shell, plus each host's
 * verdict as the report states it.
 *
 * What it owns: the fleet DB's schema and its filling. Each capture is hostile input:
 * reportdb's rdb_attach() attaches it read-only (a mode=ro URI, percent-encoded path)
 * under a name of ours ("cap"), to a connection opened with DEFENSIVE on and
 * TRUSTED_SCHEMA off, and checks the attached schema as rdb_open() checks a file (no
 * trigger on, no view or virtual table named like, a table we read) before one row is
 * copied. The tables are STRICT: a row whose values are not of the declared type fails
 * its capture's transaction, which is rolled back and the capture listed with why.
 *
 *   capture(id, host, file, kernel, start_time, events, lost, runs, param_group,
 *           left_out)          one row per capture given; runs = its replay_run rows
 *   replay_run(capture, host, run, policy, machine, params, trace_digest, tool_version,
 *              created, bucket_ns)             run = the capture's replay_run.id
 *   replay_total(capture, host, run, vm, events, ..., stale_exposures)   vm -1 = all VMs
 *   verdict(capture, host, param_group, cheapest, x_floor, flips, line)  reported hosts
 *   fleet_total  view: every run's all-VM totals with its host, policy and machine
 *
 * param_group is the report's parameter set number (1 = the largest), NULL when the
 * capture is left out. ATTACH and DETACH cannot happen inside a transaction: one
 * transaction per capture; the file is in the report's private directory and appears
 * only with the report.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fleet.h"
#include "outdir.h"
#include "reportdb.h"

#define METRICS "events, guest_entries, hcalls, full_flushes, tlbiel_flush, tlbiel_inval, " \
	"local_seqs, tlbie, tlbie_seqs, cycles, stale_exposures"

static const char SCHEMA[] =
	"PRAGMA journal_mode = MEMORY;\n"
	"PRAGMA synchronous = OFF;\n"
	"BEGIN;\n"
	"CREATE TABLE capture(id INTEGER PRIMARY KEY, host TEXT NOT NULL, file TEXT NOT NULL,\n"
	"    kernel TEXT, start_time TEXT, events INTEGER, lost INTEGER, runs INTEGER NOT NULL,\n"
	"    param_group INTEGER, left_out TEXT) STRICT;\n"
	"CREATE TABLE replay_run(capture INTEGER NOT NULL REFERENCES capture(id), host TEXT NOT NULL,\n"
	"    run INTEGER NOT NULL, policy TEXT NOT NULL, machine TEXT NOT NULL, params TEXT NOT NULL,\n"
	"    trace_digest TEXT NOT NULL, tool_version TEXT, created TEXT, bucket_ns INTEGER,\n"
	"    PRIMARY KEY (capture, run)) STRICT;\n"
	"CREATE TABLE replay_total(capture INTEGER NOT NULL, host TEXT NOT NULL, run INTEGER NOT NULL,\n"
	"    vm INTEGER NOT NULL, events INTEGER NOT NULL, guest_entries INTEGER NOT NULL,\n"
	"    hcalls INTEGER NOT NULL, full_flushes INTEGER NOT NULL, tlbiel_flush INTEGER NOT NULL,\n"
	"    tlbiel_inval INTEGER NOT NULL, local_seqs INTEGER NOT NULL, tlbie INTEGER NOT NULL,\n"
	"    tlbie_seqs INTEGER NOT NULL, cycles INTEGER NOT NULL, stale_exposures INTEGER NOT NULL,\n"
	"    PRIMARY KEY (capture, run, vm),\n"
	"    FOREIGN KEY (capture, run) REFERENCES replay_run(capture, run)) STRICT;\n"
	"CREATE TABLE verdict(capture INTEGER PRIMARY KEY REFERENCES capture(id),\n"
	"    host TEXT NOT NULL, param_group INTEGER NOT NULL, cheapest TEXT, x_floor REAL,\n"
	"    flips INTEGER NOT NULL, line TEXT NOT NULL) STRICT;\n"
	"CREATE VIEW fleet_total AS\n"
	"    SELECT r.capture, r.host, r.run, r.policy, r.machine, r.params, r.trace_digest,\n"
	"    t." "events, t.guest_entries, t.hcalls, t.full_flushes, t.tlbiel_flush, t.tlbiel_inval,\n"
	"    t.local_seqs, t.tlbie, t.tlbie_seqs, t.cycles, t.stale_exposures\n"
	"    FROM replay_run r JOIN replay_total t ON t.capture = r.capture AND t.run = r.run\n"
	"    WHERE t.vm = -1;\n"
	"COMMIT;\n";

/* A meta value of the attached capture as an integer when it is one, else NULL. */
#define META_INT(key) "(SELECT CASE WHEN CAST(value AS INTEGER) || '' = value " \
	"THEN CAST(value AS INTEGER) END FROM cap.meta WHERE key = '" key "')"
#define META_TEXT(key) "(SELECT CAST(value AS TEXT) FROM cap.meta WHERE key = '" key "')"

static int exec_bound(sqlite3 *db, const char *sql, int64_t id, const struct fleet_host *h,
		      const char *left_out, int64_t group)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++) {
		const char *name = sqlite3_bind_parameter_name(st, i);

		if (!name)
			continue;
		if (strcmp(name, ":id") == 0)
			sqlite3_bind_int64(st, i, id);
		else if (strcmp(name, ":host") == 0)
			sqlite3_bind_text(st, i, h->name, -1, SQLITE_STATIC);
		else if (strcmp(name, ":file") == 0)
			sqlite3_bind_text(st, i, h->path, -1, SQLITE_STATIC);
		else if (strcmp(name, ":left") == 0 && left_out)
			sqlite3_bind_text(st, i, left_out, -1, SQLITE_STATIC);
		else if (strcmp(name, ":group") == 0 && group > 0)
			sqlite3_bind_int64(st, i, group);
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int insert_bare(sqlite3 *db, int64_t id, const struct fleet_host *h, const char *why)
{
	return exec_bound(db, "INSERT INTO capture(id, host, file, runs, left_out) "
			  "VALUES (:id, :host, :file, 0, :left)", id, h, why, 0);
}

static int insert_verdict(sqlite3 *db, int64_t id, const struct fleet_host *h)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "INSERT INTO verdict VALUES (?, ?, ?, ?, ?, ?, ?)", -1,
				    &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, h->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)h->group + 1);
	if (h->best >= 0) {
		sqlite3_bind_text(st, 4, h->pols[h->best].policy, -1, SQLITE_STATIC);
		if (h->pols[h->best].x_floor > 0)
			sqlite3_bind_double(st, 5, h->pols[h->best].x_floor);
	}
	sqlite3_bind_int(st, 6, h->flips);
	sqlite3_bind_text(st, 7, h->verdict, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Does the attached capture have both results tables? */
static int has_results(sqlite3 *db, bool *yes)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM cap.sqlite_master WHERE type = "
				    "'table' AND name IN ('replay_run', 'replay_total')", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	*yes = rc == SQLITE_ROW && sqlite3_column_int(st, 0) == 2;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* One capture's rows, in one transaction; SQLite's code, the reason in @why. */
static int copy_capture(sqlite3 *db, int64_t id, const struct fleet_host *h, char *why,
			size_t whylen)
{
	bool results = false;
	int64_t group = h->left_out ? 0 : (int64_t)h->group + 1;
	int rc = has_results(db, &results);

	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	rc = exec_bound(db, results
		? "INSERT INTO capture VALUES (:id, :host, :file, " META_TEXT("kernel") ", "
		  META_TEXT("start_time") ", " META_INT("events_written") ", " META_INT("lost_events")
		  ", (SELECT count(*) FROM cap.replay_run), :group, :left)"
		: "INSERT INTO capture VALUES (:id, :host, :file, " META_TEXT("kernel") ", "
		  META_TEXT("start_time") ", " META_INT("events_written") ", " META_INT("lost_events")
		  ", 0, :group, :left)", id, h, h->left_out, group);
	if (rc == SQLITE_OK && results)
		rc = exec_bound(db, "INSERT INTO replay_run SELECT :id, :host, id, policy, machine, "
				"params, trace_digest, tool_version, created, bucket_ns FROM "
				"cap.replay_run", id, h, NULL, 0);
	if (rc == SQLITE_OK && results)
		rc = exec_bound(db, "INSERT INTO replay_total SELECT :id, :host, run, vm, " METRICS
				" FROM cap.replay_total", id, h, NULL, 0);
	if (rc == SQLITE_OK && !h->left_out)
		rc = insert_verdict(db, id, h);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return SQLITE_OK;
fail:
	snprintf(why, whylen, "its stored rows do not fit fleet.db: %s", sqlite3_errmsg(db));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int count(sqlite3 *db, const char *sql, size_t *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? SQLITE_OK : rc;
}

int fleetdb_write(struct fleet *fl, const char *path, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	char local[4200];
	size_t notfit = 0;
	int fd, rc;

	/* a fresh file of ours (O_EXCL, never through a link); SQLite fills the empty file.
	 * "./" or "/" first: a path is never read as a "file:" URI. */
	if ((size_t)snprintf(local, sizeof local, "%s%s", path[0] == '/' ? "" : "./", path)
	    >= sizeof local) {
		snprintf(err, errlen, "%s: %s", path, strerror(ENAMETOOLONG));
		return -1;
	}
	fd = od_open_fd(local);
	if (fd < 0 || close(fd) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = sqlite3_open_v2(local, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI, NULL);
	if (rc == SQLITE_OK &&
	    (sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL) != SQLITE_OK ||
	     sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL) != SQLITE_OK))
		rc = SQLITE_ERROR;
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, SCHEMA, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	for (size_t i = 0; i < fl->nhosts; i++) {
		struct fleet_host *h = &fl->hosts[i];
		int64_t id = (int64_t)i + 1;
		char why[4608];
		int code;

		if (h->bad_input) {
			/* refused when loaded: never attached */
			if ((rc = insert_bare(db, id, h, h->left_out)) != SQLITE_OK)
				goto sqlfail;
			continue;
		}
		if (rdb_attach(db, h->path, "cap", &code, why, sizeof why) < 0) {
			/* it changed since it was loaded */
			if ((rc = insert_bare(db, id, h, why)) != SQLITE_OK)
				goto sqlfail;
			notfit++;
			continue;
		}
		rc = copy_capture(db, id, h, why, sizeof why);
		rdb_detach(db, "cap");
		if (rc != SQLITE_OK) {
			if ((rc = insert_bare(db, id, h, why)) != SQLITE_OK)
				goto sqlfail;
			notfit++;
		}
	}
	if ((rc = count(db, "SELECT count(*) FROM capture WHERE runs > 0", &fl->db_captures)) ||
	    (rc = count(db, "SELECT count(*) FROM replay_run", &fl->db_runs)) ||
	    (rc = count(db, "SELECT count(*) FROM replay_total", &fl->db_totals)))
		goto sqlfail;
	if (sqlite3_close(db) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot close: %s", path, sqlite3_errmsg(db));
		return -1;
	}
	snprintf(fl->dbnote, sizeof fl->dbnote, "%zu captures with stored runs, %zu runs, %zu "
		 "replay_total rows%s", fl->db_captures, fl->db_runs, fl->db_totals,
		 notfit ? "; some captures' rows could not be copied (see table capture, "
		 "column left_out)" : "");
	return 0;
sqlfail:
	snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	sqlite3_close(db);
	return -1;
}
