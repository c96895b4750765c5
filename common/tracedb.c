/* SPDX-License-Identifier: MIT */
/*
 * tracedb - reading a schema-v1 trace database (interface in tracedb.h).
 *
 * Opening checks, in this order, so that the first problem found is the one
 * reported: the file is SQLite; tables meta, vm, event_kind and event exist
 * with the contract's columns; meta has schema_version = 1, source,
 * threads_per_core and ncpus; event_kind names every kind the replay needs.
 * Kind ids are then mapped to enum tdb_kind through a lookup table (direct
 * when the file's ids span a small range, else a sorted array searched by
 * bisection), since ids are per file.
 *
 * The scan is one prepared statement. When table event declares ts, cpu, vm
 * and kind NOT NULL, SQLite has enforced it on every insert and the scan
 * skips those NULL checks; otherwise each row is checked. The nullable
 * columns (vcpu, a0..a3) are always tested, because NULL has a meaning there.
 */
#include "tracedb.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const tdb_kind_names[TDB_NKINDS] = {
	[TDB_VCPU_CREATE] = "vcpu_create",
	[TDB_GUEST_ENTER] = "guest_enter",
	[TDB_GUEST_EXIT] = "guest_exit",
	[TDB_HCALL] = "hcall",
	[TDB_HOST_INVAL] = "host_inval",
	[TDB_HPT_RESET] = "hpt_reset",
	[TDB_MIGRATE] = "migrate",
	[TDB_LOST] = "lost",
};

struct kind_entry {
	int64_t id;
	enum tdb_kind kind;
	char *name;
};

struct meta_entry {
	char *key;
	char *value;
};

struct tdb {
	sqlite3 *db;
	char *path;
	char err[512];
	struct meta_entry *meta;	/* whole meta table, read at open */
	int nmeta;
	struct kind_entry *kinds;	/* sorted by id */
	int nkinds;
	int64_t lut_base;		/* direct map of ids lut_base.. */
	int64_t lut_len;		/* 0 = use bisection */
	signed char *lut;		/* kind, or -1 for "no such id" */
	sqlite3_stmt *scan;
	bool ordered;			/* meta event_order = ts: scan by rowid */
	bool notnull;			/* ts, cpu, vm, kind declared NOT NULL */
	int64_t last_ts;
};

static void set_err(struct tdb *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_err(struct tdb *t, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(t->err, sizeof(t->err), "%s: ", t->path);

	if (n < 0 || (size_t)n >= sizeof(t->err))
		return;
	va_start(ap, fmt);
	vsnprintf(t->err + n, sizeof(t->err) - (size_t)n, fmt, ap);
	va_end(ap);
}

const char *tdb_path(const struct tdb *db) { return db->path; }
const char *tdb_error(const struct tdb *db) { return db->err; }
struct sqlite3 *tdb_sqlite(struct tdb *db) { return db->db; }

static int load_meta(struct tdb *t)
{
	sqlite3_stmt *st;
	int rc, cap = 0;

	rc = sqlite3_prepare_v2(t->db, "SELECT key, value FROM meta", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		set_err(t, "cannot read table meta: %s", sqlite3_errmsg(t->db));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		const char *v = (const char *)sqlite3_column_text(st, 1);

		if (!k || !v)
			continue;
		if (t->nmeta == cap) {
			int ncap = cap ? cap * 2 : 32;
			struct meta_entry *m = realloc(t->meta, sizeof(*m) * (size_t)ncap);

			if (!m)
				goto nomem;
			t->meta = m;
			cap = ncap;
		}
		t->meta[t->nmeta].key = strdup(k);
		t->meta[t->nmeta].value = strdup(v);
		if (!t->meta[t->nmeta].key || !t->meta[t->nmeta].value) {
			free(t->meta[t->nmeta].key);
			free(t->meta[t->nmeta].value);
			goto nomem;
		}
		t->nmeta++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		set_err(t, "cannot read table meta: %s", sqlite3_errmsg(t->db));
		return -1;
	}
	return 0;
nomem:
	sqlite3_finalize(st);
	set_err(t, "out of memory reading meta");
	return -1;
}

const char *tdb_meta(struct tdb *db, const char *key)
{
	for (int i = 0; i < db->nmeta; i++)
		if (strcmp(db->meta[i].key, key) == 0)
			return db->meta[i].value;
	return NULL;
}

static int cmp_kind(const void *a, const void *b)
{
	const struct kind_entry *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int load_kinds(struct tdb *t)
{
	sqlite3_stmt *st;
	int rc, cap = 0;
	bool have[TDB_NKINDS] = { false };

	rc = sqlite3_prepare_v2(t->db, "SELECT id, name FROM event_kind", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		set_err(t, "cannot read table event_kind: %s", sqlite3_errmsg(t->db));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);
		struct kind_entry *e;

		if (sqlite3_column_type(st, 0) != SQLITE_INTEGER || !name) {
			sqlite3_finalize(st);
			set_err(t, "event_kind has a row without an integer id or a name");
			return -1;
		}
		if (t->nkinds == cap) {
			int ncap = cap ? cap * 2 : 16;
			struct kind_entry *k = realloc(t->kinds, sizeof(*k) * (size_t)ncap);

			if (!k) {
				sqlite3_finalize(st);
				set_err(t, "out of memory reading event_kind");
				return -1;
			}
			t->kinds = k;
			cap = ncap;
		}
		e = &t->kinds[t->nkinds];
		e->id = sqlite3_column_int64(st, 0);
		e->kind = TDB_OTHER;
		for (int k = 0; k < TDB_NKINDS; k++)
			if (strcmp(name, tdb_kind_names[k]) == 0) {
				e->kind = (enum tdb_kind)k;
				have[k] = true;
			}
		e->name = strdup(name);
		if (!e->name) {
			sqlite3_finalize(st);
			set_err(t, "out of memory reading event_kind");
			return -1;
		}
		t->nkinds++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		set_err(t, "cannot read table event_kind: %s", sqlite3_errmsg(t->db));
		return -1;
	}
	for (int k = 0; k < TDB_NKINDS; k++)
		if (!have[k]) {
			set_err(t, "event_kind lacks the required kind '%s'", tdb_kind_names[k]);
			return -1;
		}
	qsort(t->kinds, (size_t)t->nkinds, sizeof(*t->kinds), cmp_kind);

	if (t->nkinds > 0) {
		int64_t lo = t->kinds[0].id, hi = t->kinds[t->nkinds - 1].id;

		if (hi - lo < 65536) {
			t->lut_base = lo;
			t->lut_len = hi - lo + 1;
			t->lut = malloc((size_t)t->lut_len);
			if (!t->lut) {
				set_err(t, "out of memory");
				return -1;
			}
			memset(t->lut, -1, (size_t)t->lut_len);
			for (int i = 0; i < t->nkinds; i++)
				t->lut[t->kinds[i].id - lo] = (signed char)t->kinds[i].kind;
		}
	}
	return 0;
}

/* -1 when the id is not in event_kind. */
static int kind_of(const struct tdb *t, int64_t id)
{
	int lo = 0, hi = t->nkinds - 1;

	if (t->lut_len) {
		if (id < t->lut_base || id - t->lut_base >= t->lut_len)
			return -1;
		return t->lut[id - t->lut_base];
	}
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (t->kinds[mid].id == id)
			return (int)t->kinds[mid].kind;
		if (t->kinds[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

const char *tdb_kind_name(const struct tdb *db, int64_t kind_id)
{
	for (int i = 0; i < db->nkinds; i++)
		if (db->kinds[i].id == kind_id)
			return db->kinds[i].name;
	return NULL;
}

static bool table_exists(struct tdb *t, const char *name)
{
	sqlite3_stmt *st;
	bool found = false;

	if (sqlite3_prepare_v2(t->db,
			       "SELECT 1 FROM sqlite_master WHERE type IN ('table','view') AND name = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* The contract's columns must all be there; NOT NULL declarations let the scan trust them. */
static int check_event_columns(struct tdb *t)
{
	static const char *const cols[] = { "ts", "cpu", "vm", "vcpu", "kind",
					    "a0", "a1", "a2", "a3" };
	bool seen[9] = { false }, notnull[9] = { false };
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(t->db, "SELECT name, \"notnull\" FROM pragma_table_info('event')",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		set_err(t, "cannot read the columns of table event: %s", sqlite3_errmsg(t->db));
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		for (int i = 0; name && i < 9; i++)
			if (strcmp(name, cols[i]) == 0) {
				seen[i] = true;
				notnull[i] = sqlite3_column_int(st, 1) != 0;
			}
	}
	sqlite3_finalize(st);
	for (int i = 0; i < 9; i++)
		if (!seen[i]) {
			set_err(t, "table event lacks column '%s'", cols[i]);
			return -1;
		}
	t->notnull = notnull[0] && notnull[1] && notnull[2] && notnull[4];
	return 0;
}

struct tdb *tdb_open(const char *path, enum tdb_open_flags flags, char *err, size_t errlen)
{
	static const char *const tables[] = { "meta", "vm", "event_kind", "event" };
	static const char *const keys[] = { "schema_version", "source", "threads_per_core", "ncpus" };
	struct tdb *t = calloc(1, sizeof(*t));
	const char *order, *version;
	int rc;

	if (!t || !(t->path = strdup(path))) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(t);
		return NULL;
	}
	rc = sqlite3_open_v2(path, &t->db,
			     flags == TDB_READWRITE ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY,
			     NULL);
	if (rc != SQLITE_OK) {
		set_err(t, "cannot open: %s", t->db ? sqlite3_errmsg(t->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(t->db, 1);
	/* The first read of the header is what tells a SQLite file from anything else. */
	rc = sqlite3_exec(t->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		set_err(t, "not a SQLite trace database: %s", sqlite3_errmsg(t->db));
		goto fail;
	}
	for (size_t i = 0; i < sizeof(tables) / sizeof(*tables); i++)
		if (!table_exists(t, tables[i])) {
			set_err(t, "not a trace database: table '%s' is missing", tables[i]);
			goto fail;
		}
	if (load_meta(t))
		goto fail;
	version = tdb_meta(t, "schema_version");
	if (!version) {
		set_err(t, "meta has no schema_version");
		goto fail;
	}
	if (strcmp(version, "1") != 0) {
		set_err(t, "schema_version is '%s'; this tool reads version %d", version,
			TDB_SCHEMA_VERSION);
		goto fail;
	}
	for (size_t i = 1; i < sizeof(keys) / sizeof(*keys); i++)
		if (!tdb_meta(t, keys[i])) {
			set_err(t, "meta lacks the required key '%s'", keys[i]);
			goto fail;
		}
	if (check_event_columns(t) || load_kinds(t))
		goto fail;
	order = tdb_meta(t, "event_order");
	t->ordered = order && strcmp(order, "ts") == 0;
	return t;
fail:
	snprintf(err, errlen, "%s", t->err);
	tdb_close(t);
	return NULL;
}

void tdb_close(struct tdb *db)
{
	if (!db)
		return;
	sqlite3_finalize(db->scan);
	sqlite3_close(db->db);
	for (int i = 0; i < db->nmeta; i++) {
		free(db->meta[i].key);
		free(db->meta[i].value);
	}
	for (int i = 0; i < db->nkinds; i++)
		free(db->kinds[i].name);
	free(db->meta);
	free(db->kinds);
	free(db->lut);
	free(db->path);
	free(db);
}

int64_t tdb_event_count(struct tdb *db)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_prepare_v2(db->db, "SELECT max(rowid) FROM event", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int tdb_scan_begin(struct tdb *db)
{
	const char *sql = db->ordered
		? "SELECT rowid, ts, cpu, vm, vcpu, kind, a0, a1, a2, a3 FROM event ORDER BY rowid"
		: "SELECT rowid, ts, cpu, vm, vcpu, kind, a0, a1, a2, a3 FROM event ORDER BY ts, rowid";

	sqlite3_finalize(db->scan);
	db->scan = NULL;
	/* A big unordered file is sorted by SQLite on disk, not in memory. */
	sqlite3_exec(db->db, "PRAGMA temp_store = FILE", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(db->db, sql, -1, &db->scan, NULL) != SQLITE_OK) {
		set_err(db, "cannot read table event: %s", sqlite3_errmsg(db->db));
		return -1;
	}
	db->last_ts = INT64_MIN;
	return 0;
}

int tdb_scan_next(struct tdb *db, struct tdb_event *ev)
{
	sqlite3_stmt *st = db->scan;
	int rc = sqlite3_step(st);
	int kind;

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW) {
		set_err(db, "cannot read table event: %s", sqlite3_errmsg(db->db));
		return -1;
	}
	ev->rowid = sqlite3_column_int64(st, 0);
	if (!db->notnull) {
		static const char *const names[] = { "ts", "cpu", "vm" };

		for (int c = 1; c <= 3; c++)
			if (sqlite3_column_type(st, c) == SQLITE_NULL) {
				set_err(db, "event rowid %lld: %s is NULL", (long long)ev->rowid,
					names[c - 1]);
				return -1;
			}
		if (sqlite3_column_type(st, 5) == SQLITE_NULL) {
			set_err(db, "event rowid %lld: kind is NULL", (long long)ev->rowid);
			return -1;
		}
	}
	ev->ts = sqlite3_column_int64(st, 1);
	ev->cpu = sqlite3_column_int64(st, 2);
	ev->vm = sqlite3_column_int64(st, 3);
	ev->nulls = 0;
	/* One fetch per nullable column: its type and its value come from the same sqlite3_value. */
	{
		sqlite3_value *v = sqlite3_column_value(st, 4);

		if (sqlite3_value_type(v) == SQLITE_NULL) {
			ev->nulls |= TDB_NULL_VCPU;
			ev->vcpu = -1;
		} else {
			ev->vcpu = sqlite3_value_int64(v);
		}
	}
	ev->kind_id = sqlite3_column_int64(st, 5);
	kind = kind_of(db, ev->kind_id);
	if (kind < 0) {
		set_err(db, "event rowid %lld: kind %lld is not in event_kind",
			(long long)ev->rowid, (long long)ev->kind_id);
		return -1;
	}
	ev->kind = (enum tdb_kind)kind;
	for (int i = 0; i < 4; i++) {
		sqlite3_value *v = sqlite3_column_value(st, 6 + i);

		if (sqlite3_value_type(v) == SQLITE_NULL) {
			ev->nulls |= TDB_NULL_A0 << i;
			ev->a[i] = 0;
		} else {
			ev->a[i] = sqlite3_value_int64(v);
		}
	}
	if (db->ordered) {
		if (ev->ts < db->last_ts) {
			set_err(db, "event rowid %lld: ts %lld is before the previous row's %lld, "
				"but meta event_order says rows are in time order",
				(long long)ev->rowid, (long long)ev->ts, (long long)db->last_ts);
			return -1;
		}
		db->last_ts = ev->ts;
	}
	return 1;
}

void tdb_scan_end(struct tdb *db)
{
	sqlite3_finalize(db->scan);
	db->scan = NULL;
}
