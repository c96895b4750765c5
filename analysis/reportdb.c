/* SPDX-License-Identifier: MIT */
/*
 * reportdb - see reportdb.h. The file is opened through a "file:" URI
 * (mode=ro, and immutable=1 for the WAL case) so that the path needs no
 * trust either: every byte but the unreserved ones is percent-encoded.
 */
#include "reportdb.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const rdb_tables[] = {
	"meta", "vm", "event_kind", "replay_run", "replay_total", "replay_series",
	"replay_hazard", "event",
};
const size_t rdb_ntables = sizeof rdb_tables / sizeof rdb_tables[0];

static bool is_read_table(const char *name)
{
	for (size_t i = 0; name && i < rdb_ntables; i++)
		if (sqlite3_stricmp(name, rdb_tables[i]) == 0)
			return true;
	return false;
}

/* "file:<path, percent-encoded>?mode=ro[&immutable=1]" (malloc'ed), or NULL. */
static char *make_uri(const char *path, bool immutable)
{
	size_t n = strlen(path);
	char *u = malloc(n * 3 + 64), *p;

	if (!u)
		return NULL;
	p = u + sprintf(u, "file:");
	for (const unsigned char *s = (const unsigned char *)path; *s; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    strchr("/-._~", *s))
			*p++ = (char)*s;
		else
			p += sprintf(p, "%%%02X", *s);
	}
	sprintf(p, "?mode=ro%s", immutable ? "&immutable=1" : "");
	return u;
}

static sqlite3 *open_defensive(const char *path, bool immutable, int *rc_out)
{
	char *uri = make_uri(path, immutable);
	sqlite3 *db = NULL;
	int rc;

	if (!uri) {
		*rc_out = SQLITE_NOMEM;
		return NULL;
	}
	rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	free(uri);
	if (rc == SQLITE_OK) {
		sqlite3_extended_result_codes(db, 1);
		if (sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL) != SQLITE_OK ||
		    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL) != SQLITE_OK)
			rc = SQLITE_ERROR;
		/* The first read of the header is what tells a SQLite file from anything else. */
		else
			rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
	}
	*rc_out = rc;
	if (rc != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/* 1 when the file starts like SQLite and its header says WAL, 0 when not WAL, -1 not SQLite. */
static int header_wal(const char *path)
{
	unsigned char h[100];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, h, sizeof h);
	close(fd);
	if (n < (ssize_t)sizeof h || memcmp(h, "SQLite format 3", 16) != 0)
		return -1;
	return h[18] == 2 || h[19] == 2;
}

static long long wal_size(const char *path)
{
	char w[4200];
	struct stat st;

	if ((size_t)snprintf(w, sizeof w, "%s-wal", path) >= sizeof w || stat(w, &st) < 0)
		return 0;
	return (long long)st.st_size;
}

static void dir_of(const char *path, char *out, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(out, len, ".");
	else if (slash == path)
		snprintf(out, len, "/");
	else
		snprintf(out, len, "%.*s", (int)(slash - path), path);
}

/* @schema: "main", or an attach name of ours (never text from a file). */
static int check_schema(sqlite3 *db, const char *schema, int *code, char *err, size_t errlen)
{
	static const char *const required[] = { "meta", "vm", "event_kind", "event" };
	bool have[4] = { false };
	sqlite3_stmt *st;
	char q[160];
	int rc;

	snprintf(q, sizeof q, "SELECT type, name, tbl_name, coalesce(sql, '') FROM \"%s\".sqlite_master",
		 schema);
	rc = sqlite3_prepare_v2(db, q, -1, &st, NULL);

	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "not a SQLite trace database: %s", sqlite3_errmsg(db));
		*code = 2;
		return -1;
	}
	*code = 2;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *tbl = (const char *)sqlite3_column_text(st, 2);
		const char *sql = (const char *)sqlite3_column_text(st, 3);

		if (!type || !name)
			continue;
		if (strcmp(type, "trigger") == 0 && is_read_table(tbl)) {
			snprintf(err, errlen, "refused: trigger '%.80s' on table '%.40s' (a trace DB "
				 "holds data, not code; drop it with sqlite3 if you trust it)", name, tbl);
			goto bad;
		}
		if (strcmp(type, "view") == 0 && is_read_table(name)) {
			snprintf(err, errlen, "refused: '%.80s' is a view, not a table (a trace DB "
				 "holds data, not code)", name);
			goto bad;
		}
		if (strcmp(type, "table") == 0 && is_read_table(name) && sql &&
		    sqlite3_strnicmp(sql, "CREATE VIRTUAL", 14) == 0) {
			snprintf(err, errlen, "refused: '%.80s' is a virtual table, not a table", name);
			goto bad;
		}
		if (strcmp(type, "table") == 0)
			for (size_t i = 0; i < 4; i++)
				if (sqlite3_stricmp(name, required[i]) == 0)
					have[i] = true;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "cannot read the schema: %s", sqlite3_errmsg(db));
		*code = 1;
		return -1;
	}
	for (size_t i = 0; i < 4; i++)
		if (!have[i]) {
			snprintf(err, errlen, "not a trace database: table '%s' is missing", required[i]);
			return -1;
		}
	snprintf(q, sizeof q, "SELECT value FROM \"%s\".meta WHERE key = 'schema_version'", schema);
	rc = sqlite3_prepare_v2(db, q, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot read table meta: %s", sqlite3_errmsg(db));
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);

		if (!v || strcmp(v, "1") != 0) {
			snprintf(err, errlen, "schema_version is '%.20s'; this tool reads version 1",
				 v ? v : "NULL");
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		snprintf(err, errlen, "meta has no schema_version");
		return -1;
	}
	if (rc != SQLITE_ROW) {
		snprintf(err, errlen, "cannot read table meta: %s", sqlite3_errmsg(db));
		*code = 1;
		return -1;
	}
	*code = 0;
	return 0;
bad:
	sqlite3_finalize(st);
	return -1;
}

/* One way to reach a capture: open it (rdb_open) or attach it (rdb_attach). SQLITE_OK or why not. */
typedef int reach_fn(const char *path, bool immutable, void *ctx);

/*
 * A regular file reached by @fn; a WAL DB in a directory we cannot write (no -shm
 * possible) whose -wal is empty is reached again as immutable: every page is in the main
 * file. 0, or -1 with "why" in @err and *@code 1 or 2.
 */
static int reach(const char *path, reach_fn *fn, void *ctx, int *code, char *err, size_t errlen)
{
	struct stat st;
	char dir[4096];
	int rc, wal;

	*code = 2;
	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a SQLite trace database: not a regular file");
		return -1;
	}
	if ((rc = fn(path, false, ctx)) == SQLITE_OK)
		return 0;
	wal = header_wal(path);
	dir_of(path, dir, sizeof dir);
	if (wal < 0) {
		snprintf(err, errlen, "not a SQLite trace database: %s", sqlite3_errstr(rc));
		return -1;
	}
	if (wal == 1 && access(dir, W_OK) != 0) {
		if (wal_size(path) > 0) {
			snprintf(err, errlen, "cannot open: the DB is in WAL mode, %s-wal holds "
				 "changes not yet in the DB, and SQLite cannot create its -shm "
				 "file in the read-only directory %s: copy the DB with its -wal "
				 "file to a writable directory, or checkpoint it where it can be "
				 "written (sqlite3 DB 'PRAGMA wal_checkpoint(TRUNCATE)')", path, dir);
			*code = 1;
			return -1;
		}
		if ((rc = fn(path, true, ctx)) == SQLITE_OK)
			return 0;
	}
	snprintf(err, errlen, "cannot open as SQLite%s: %s",
		 wal == 1 ? " (the DB is in WAL mode)" : "", sqlite3_errstr(rc));
	*code = rc == SQLITE_CANTOPEN || rc == SQLITE_PERM || rc == SQLITE_READONLY ||
		rc == SQLITE_NOMEM ? 1 : 2;
	return -1;
}

static int open_fn(const char *path, bool immutable, void *ctx)
{
	int rc;

	*(sqlite3 **)ctx = open_defensive(path, immutable, &rc);
	return rc;
}

sqlite3 *rdb_open(const char *path, int *code, char *err, size_t errlen)
{
	sqlite3 *db = NULL;

	if (reach(path, open_fn, &db, code, err, errlen) < 0)
		return NULL;
	if (check_schema(db, "main", code, err, errlen) < 0) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

void rdb_close(sqlite3 *db)
{
	sqlite3_close(db);
}

/* ATTACH @uri AS @name: 0, or the SQLite result code. */
static int attach_uri(sqlite3 *db, const char *uri, const char *name)
{
	char q[96];
	sqlite3_stmt *st;
	int rc;

	snprintf(q, sizeof q, "ATTACH ?1 AS \"%s\"", name);
	rc = sqlite3_prepare_v2(db, q, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, uri, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		/* the first read of the header tells a SQLite file from anything else */
		snprintf(q, sizeof q, "SELECT count(*) FROM \"%s\".sqlite_master", name);
		rc = sqlite3_exec(db, q, NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			rdb_detach(db, name);
		return rc;
	}
	return rc;
}

struct attach_to {
	sqlite3 *db;
	const char *name;
};

static int attach_fn(const char *path, bool immutable, void *ctx)
{
	const struct attach_to *a = ctx;
	char *uri = make_uri(path, immutable);
	int rc;

	if (!uri)
		return SQLITE_NOMEM;
	rc = attach_uri(a->db, uri, a->name);
	free(uri);
	return rc;
}

int rdb_attach(sqlite3 *db, const char *path, const char *name, int *code, char *err,
	       size_t errlen)
{
	struct attach_to a = { db, name };

	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_')) {
			snprintf(err, errlen, "attach name '%s' is not ours", name);
			*code = 1;
			return -1;
		}
	if (reach(path, attach_fn, &a, code, err, errlen) < 0)
		return -1;
	if (check_schema(db, name, code, err, errlen) < 0) {
		rdb_detach(db, name);
		return -1;
	}
	return 0;
}

void rdb_detach(sqlite3 *db, const char *name)
{
	char q[96];

	snprintf(q, sizeof q, "DETACH \"%s\"", name);
	sqlite3_exec(db, q, NULL, NULL, NULL);
}
