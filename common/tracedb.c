/* SPDX-License-Identifier: MIT */
/*
 * tracedb - reading a schema-v1 trace database (interface in tracedb.h).
 *
 * Opening checks, in this order, so that the first problem found is the one
 * reported: the file is SQLite; tables meta, vm, event_kind and event exist
 * with the contract's columns; meta has schema_version = 1, source,
 * threads_per_core and ncpus; event_kind names every kind the replay needs;
 * the optional vm_mmu has typed rows, one per VM.
 * Kind ids are then mapped to enum tdb_kind through a lookup table (direct
 * when the file's ids span a small range, else a sorted array searched by
 * bisection), since ids are per file.
 *
 * Before SQLite reads the file, its first bytes say what it is (a missing file,
 * a directory, a trace-cmd trace.dat, something else), so that the message says
 * what to do instead of SQLite's "unable to open" or "disk I/O error". The
 * connection is then made defensive (tdb_harden): the file is untrusted input
 * and its schema may hold code. Triggers are refused; views are refused unless
 * they are exactly the schema's; the tables the tools read or write must be
 * plain tables (a view or virtual table of that name is refused), and the
 * results tables exactly as the schema declares them.
 *
 * The scan is one prepared statement. In rowid order it hands each row to a
 * function of ours inside SQLite's loop (tdb_capture_row), which reads the ten
 * values more cheaply than ten sqlite3_column_* calls; sorted, it reads the
 * columns. Every value is type-checked (an integer, or NULL in the nullable
 * columns vcpu and a0..a3), so that no consumer sees a text read as 0. Ranges
 * are the consumers' rules (the replay refuses sums beyond 2^63-1; tlbmerge
 * times beyond +-2^62). A file that does not say it is ordered is first
 * checked in one pass over ts inside SQLite (rows_in_time_order); if it is in
 * order it is scanned by rowid like an ordered file, else sorted. A large scan in
 * rowid order may be decoded by pscan's threads instead, started at the first row
 * asked for; every row still goes through tdb_row_decode, and the ts order check
 * stays here, on the rows in the order they are handed out.
 */
#include "tracedb.h"
#include "tracedb_int.h"
#include "pscan.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

extern const char tlb_schema_v1_sql[];

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

const char *const tdb_mmu_names[3] = { "unknown", "hash", "radix" };

struct mmu_entry {
	int64_t vm;
	enum tdb_mmu mmu;
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
	struct mmu_entry *mmus;		/* vm_mmu sorted by vm */
	int64_t nmmus;
	sqlite3_stmt *scan;
	bool ordered;			/* meta event_order = ts: scan by rowid */
	bool by_rowid;			/* this scan is in rowid order (ordered, or checked) */
	int in_order;			/* the check's answer, kept for later scans: -1 not yet */
	struct tdb_row row;		/* the row being read: SQLite type and value per column */
	int64_t last_ts;
	struct pscan *ps;		/* this scan's parallel decoders, or NULL (pscan.h) */
	bool ps_pending;		/* a rowid scan: try pscan_start at the first row */
};

static void set_err(struct tdb *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void safe_name(const unsigned char *in, char *out, size_t len);
static const char *type_name(int type);

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

		if (!k)
			continue;	/* a NULL key names nothing (SQLite permits it) */
		if (t->nmeta == cap) {
			int ncap = cap ? cap * 2 : 32;
			struct meta_entry *m = realloc(t->meta, sizeof(*m) * (size_t)ncap);

			if (!m)
				goto nomem;
			t->meta = m;
			cap = ncap;
		}
		/* a NULL value is kept as NULL: tdb_meta() says "no value", tdb_open() names it */
		t->meta[t->nmeta].key = strdup(k);
		t->meta[t->nmeta].value = v ? strdup(v) : NULL;
		if (!t->meta[t->nmeta].key || (v && !t->meta[t->nmeta].value)) {
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

static bool meta_has_key(const struct tdb *t, const char *key)
{
	for (int i = 0; i < t->nmeta; i++)
		if (strcmp(t->meta[i].key, key) == 0)
			return true;
	return false;
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
			char n[80];

			safe_name((const unsigned char *)name, n, sizeof(n));
			if (sqlite3_column_type(st, 0) != SQLITE_INTEGER)
				set_err(t, "event_kind: the id of kind '%s' is %s, not an integer", n,
					type_name(sqlite3_column_type(st, 0)));
			else
				set_err(t, "event_kind: kind id %lld has a NULL name",
					(long long)sqlite3_column_int64(st, 0));
			sqlite3_finalize(st);
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
			       "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static int cmp_mmu(const void *a, const void *b)
{
	const struct mmu_entry *x = a, *y = b;

	return (x->vm > y->vm) - (x->vm < y->vm);
}

/* vm_mmu: every row typed and named in the message by its rowid when it is not. */
static int load_vm_mmu(struct tdb *t)
{
	sqlite3_stmt *st;
	int rc;
	int64_t cap = 0;

	if (!table_exists(t, "vm_mmu"))
		return 0;
	rc = sqlite3_prepare_v2(t->db, "SELECT rowid, vm, mmu FROM vm_mmu ORDER BY vm, rowid",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		set_err(t, "cannot read table vm_mmu: %s", sqlite3_errmsg(t->db));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long rowid = sqlite3_column_int64(st, 0);
		/* the type before the text: reading a blob as text would make it one */
		bool text = sqlite3_column_type(st, 2) == SQLITE_TEXT;
		const char *mmu = (const char *)sqlite3_column_text(st, 2);
		struct mmu_entry e;

		if (sqlite3_column_type(st, 1) != SQLITE_INTEGER) {
			set_err(t, "vm_mmu rowid %lld: vm is not an integer", rowid);
			goto bad;
		}
		e.vm = sqlite3_column_int64(st, 1);
		if (!text || !mmu ||
		    (strcmp(mmu, "hash") != 0 && strcmp(mmu, "radix") != 0)) {
			set_err(t, "vm_mmu rowid %lld: mmu is not 'hash' or 'radix'", rowid);
			goto bad;
		}
		e.mmu = strcmp(mmu, "hash") == 0 ? TDB_MMU_HASH : TDB_MMU_RADIX;
		if (t->nmmus > 0 && t->mmus[t->nmmus - 1].vm == e.vm) {
			set_err(t, "vm_mmu rowid %lld: vm %lld has a row already", rowid,
				(long long)e.vm);
			goto bad;
		}
		if (t->nmmus == cap) {
			int64_t ncap = cap ? cap * 2 : 16;
			struct mmu_entry *m = realloc(t->mmus, sizeof(*m) * (size_t)ncap);

			if (!m) {
				set_err(t, "out of memory reading vm_mmu");
				goto bad;
			}
			t->mmus = m;
			cap = ncap;
		}
		t->mmus[t->nmmus++] = e;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		set_err(t, "cannot read table vm_mmu: %s", sqlite3_errmsg(t->db));
		return -1;
	}
	return 0;
bad:
	sqlite3_finalize(st);
	return -1;
}

enum tdb_mmu tdb_vm_mmu(const struct tdb *db, int64_t vm)
{
	struct mmu_entry key = { vm, TDB_MMU_UNKNOWN };
	const struct mmu_entry *hit;

	if (!db->nmmus)
		return TDB_MMU_UNKNOWN;
	hit = bsearch(&key, db->mmus, (size_t)db->nmmus, sizeof(*db->mmus), cmp_mmu);
	return hit ? hit->mmu : TDB_MMU_UNKNOWN;
}

/* The contract's columns must all be there, as stored columns (the scan checks every value). */
static int check_event_columns(struct tdb *t)
{
	static const char *const cols[] = { "ts", "cpu", "vm", "vcpu", "kind",
					    "a0", "a1", "a2", "a3" };
	bool seen[9] = { false };
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(t->db, "SELECT name, hidden FROM pragma_table_xinfo('event')",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		set_err(t, "cannot read the columns of table event: %s", sqlite3_errmsg(t->db));
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		/* hidden 2 and 3: a generated column, computed by the file's own expression */
		if (sqlite3_column_int(st, 1) >= 2) {
			char n[80];

			safe_name((const unsigned char *)name, n, sizeof(n));
			sqlite3_finalize(st);
			set_err(t, "table event has a generated column '%s': columns hold data", n);
			return -1;
		}
		for (int i = 0; name && i < 9; i++)
			if (strcmp(name, cols[i]) == 0) {
				seen[i] = true;
			}
	}
	sqlite3_finalize(st);
	for (int i = 0; i < 9; i++)
		if (!seen[i]) {
			set_err(t, "table event lacks column '%s'", cols[i]);
			return -1;
		}
	return 0;
}

/* ---- before and around SQLite: what kind of file, and a connection that runs no file's code ---- */

int tdb_check_file(const char *path, char *why, size_t len)
{
	static const unsigned char sqlite_magic[16] = "SQLite format 3";
	static const unsigned char tracecmd_magic[10] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c',
							  'i', 'n', 'g' };
	unsigned char head[16];
	struct stat sb;
	ssize_t n;
	int fd;

	/* O_NONBLOCK: a FIFO planted under the name must not block the open. */
	fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			snprintf(why, len, "no such file");
		else if (errno == ENOTDIR)
			snprintf(why, len, "no such file (a part of the path is not a directory)");
		else
			snprintf(why, len, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0) {
		snprintf(why, len, "cannot stat: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (S_ISDIR(sb.st_mode)) {
		snprintf(why, len, "is a directory, not a trace database");
		close(fd);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(why, len, "is not a regular file (a device, FIFO or socket), not a trace database");
		close(fd);
		return -1;
	}
	if (sb.st_size == 0) {
		snprintf(why, len, "is empty, not a trace database");
		close(fd);
		return -1;
	}
	n = pread(fd, head, sizeof(head), 0);
	close(fd);
	if (n < 0) {
		snprintf(why, len, "cannot read: %s", strerror(errno));
		return -1;
	}
	if ((size_t)n >= sizeof(tracecmd_magic) && memcmp(head, tracecmd_magic, sizeof(tracecmd_magic)) == 0) {
		snprintf(why, len, "a trace-cmd file: run tlbimport first (tlbimport -o OUT.db FILE)");
		return -1;
	}
	if ((size_t)n < sizeof(head) || memcmp(head, sqlite_magic, sizeof(head)) != 0) {
		snprintf(why, len, "not a SQLite database, so not a trace database");
		return -1;
	}
	return 0;
}

/* The objects (tables, views, indexes) that schemas/trace-v1.sql creates, with their SQL. */
struct schema_object {
	char *type, *name, *sql;
};

struct schema_objects {
	struct schema_object *o;
	int n;
};

static void free_objects(struct schema_objects *s)
{
	for (int i = 0; i < s->n; i++) {
		free(s->o[i].type);
		free(s->o[i].name);
		free(s->o[i].sql);
	}
	free(s->o);
	s->o = NULL;
	s->n = 0;
}

/* SQLite stores each object's SQL as it normalises it; a fresh in-memory copy of the schema is the reference. */
static int load_schema_objects(struct schema_objects *s, char *why, size_t len)
{
	sqlite3 *m = NULL;
	sqlite3_stmt *st = NULL;
	int rc;

	s->o = NULL;
	s->n = 0;
	if (sqlite3_open_v2(":memory:", &m, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_exec(m, tlb_schema_v1_sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(m, "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL",
			       -1, &st, NULL) != SQLITE_OK) {
		snprintf(why, len, "cannot build the reference schema: %s",
			 m ? sqlite3_errmsg(m) : "out of memory");
		sqlite3_close(m);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct schema_object *o = realloc(s->o, sizeof(*o) * (size_t)(s->n + 1));

		if (!o)
			break;
		s->o = o;
		o = &s->o[s->n];
		o->type = strdup((const char *)sqlite3_column_text(st, 0));
		o->name = strdup((const char *)sqlite3_column_text(st, 1));
		o->sql = strdup((const char *)sqlite3_column_text(st, 2));
		s->n++;
		if (!o->type || !o->name || !o->sql)
			break;
	}
	sqlite3_finalize(st);
	sqlite3_close(m);
	if (rc != SQLITE_DONE) {
		snprintf(why, len, "cannot build the reference schema: out of memory");
		free_objects(s);
		return -1;
	}
	return 0;
}

static const struct schema_object *find_object(const struct schema_objects *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->o[i].name, name) == 0)
			return &s->o[i];
	return NULL;
}

/* A name from the file, printable in a message: control bytes become '?', long names are cut. */
static void safe_name(const unsigned char *in, char *out, size_t len)
{
	size_t i = 0;

	if (!in)
		in = (const unsigned char *)"(NULL)";
	for (; *in && i + 4 < len && i < 64; in++)
		out[i++] = (*in < 0x20 || *in == 0x7f) ? '?' : (char)*in;
	if (*in && i + 4 < len) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
}

int tdb_harden(struct sqlite3 *db, char *why, size_t len)
{
	struct schema_objects ref;
	sqlite3_stmt *st = NULL;
	int rc, bad = 0;

	/* No schema code of the file runs with the program's privileges: no triggers, no
	 * functions with side effects in views or defaults, no writes to sqlite_master. */
	if (sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL) != SQLITE_OK ||
	    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL) != SQLITE_OK ||
	    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)NULL) != SQLITE_OK ||
	    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, (int *)NULL) != SQLITE_OK) {
		snprintf(why, len, "cannot make the connection defensive: %s", sqlite3_errmsg(db));
		return -1;
	}
	/* A text or blob of a hostile file (a meta value, a default) cannot take gigabytes. */
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 16 << 20);
	if (load_schema_objects(&ref, why, len))
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT type, name, tbl_name, sql FROM sqlite_master"
			       " WHERE type IN ('table', 'view', 'trigger') ORDER BY rowid",
			       -1, &st, NULL) != SQLITE_OK) {
		snprintf(why, len, "not a SQLite trace database: %s", sqlite3_errmsg(db));
		free_objects(&ref);
		return -1;
	}
	while (!bad && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *sql = (const char *)sqlite3_column_text(st, 3);
		const struct schema_object *o = name ? find_object(&ref, name) : NULL;
		char n1[80], n2[80];

		safe_name(sqlite3_column_text(st, 1), n1, sizeof(n1));
		safe_name(sqlite3_column_text(st, 2), n2, sizeof(n2));
		if (!type || !name) {
			snprintf(why, len, "sqlite_master has a row without a type or name");
			bad = 1;
		} else if (strcmp(type, "trigger") == 0) {
			snprintf(why, len, "has a trigger '%s' on '%s': a trace database holds no code "
				 "(drop it with sqlite3, or use a copy without it)", n1, n2);
			bad = 1;
		} else if (strcmp(type, "view") == 0) {
			if (o && strcmp(o->type, "table") == 0) {
				snprintf(why, len, "'%s' is a view, not a table", n1);
				bad = 1;
			} else if (!o || strcmp(o->type, "view") != 0 || !sql || strcmp(sql, o->sql) != 0) {
				snprintf(why, len, "has a view '%s' that is not one of the schema's "
					 "(drop it with sqlite3, or use a copy without it)", n1);
				bad = 1;
			}
		} else if (o && strcmp(o->type, "table") == 0) {
			if (sql && strncmp(sql, "CREATE VIRTUAL", 14) == 0) {
				snprintf(why, len, "'%s' is a virtual table, not a table", n1);
				bad = 1;
			} else if (strncmp(name, "replay_", 7) == 0 && (!sql || strcmp(sql, o->sql) != 0)) {
				/* results tables are ours alone: exactly the schema's, or the stored
				 * results could be changed by the way the table is declared */
				snprintf(why, len, "table '%s' is not declared as the schema declares it", n1);
				bad = 1;
			}
		} else if (o && strcmp(o->type, "view") == 0) {
			snprintf(why, len, "'%s' is a table, not the schema's view", n1);
			bad = 1;
		}
	}
	if (!bad && rc != SQLITE_DONE) {
		snprintf(why, len, "not a SQLite trace database: %s", sqlite3_errmsg(db));
		bad = 1;
	}
	sqlite3_finalize(st);
	free_objects(&ref);
	return bad ? -1 : 0;
}

int tdb_open_literal(const char *path, int flags, struct sqlite3 **out)
{
	char *literal = NULL;
	int rc;

	*out = NULL;
	/* A path is a file name: SQLite (built with USE_URI) would read "file:x?mode=..." as a URI. */
	if (strncasecmp(path, "file:", 5) == 0) {
		size_t n = strlen(path) + 3;

		literal = malloc(n);
		if (!literal)
			return SQLITE_NOMEM;
		snprintf(literal, n, "./%s", path);
	}
	rc = sqlite3_open_v2(literal ? literal : path, out, flags | SQLITE_OPEN_EXRESCODE, NULL);
	free(literal);
	if (rc == SQLITE_OK)
		sqlite3_extended_result_codes(*out, 1);
	return rc;
}

struct tdb *tdb_open(const char *path, enum tdb_open_flags flags, char *err, size_t errlen)
{
	static const char *const tables[] = { "meta", "vm", "event_kind", "event" };
	static const char *const keys[] = { "schema_version", "source", "threads_per_core", "ncpus" };
	struct tdb *t = calloc(1, sizeof(*t));
	const char *order, *version;
	char why[400];
	int rc;

	if (!t || !(t->path = strdup(path))) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(t);
		return NULL;
	}
	if (tdb_check_file(path, why, sizeof(why))) {
		set_err(t, "%s", why);
		goto fail;
	}
	rc = tdb_open_literal(path, flags == TDB_READWRITE ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY,
			      &t->db);
	if (rc != SQLITE_OK) {
		set_err(t, "cannot open: %s", t->db ? sqlite3_errmsg(t->db) : sqlite3_errstr(rc));
		goto fail;
	}
	/* The first read of the header is what tells a SQLite file from anything else. */
	rc = sqlite3_exec(t->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		set_err(t, "not a SQLite trace database: %s", sqlite3_errmsg(t->db));
		goto fail;
	}
	if (tdb_harden(t->db, why, sizeof(why))) {
		set_err(t, "%s", why);
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
		set_err(t, meta_has_key(t, "schema_version") ? "meta key 'schema_version' has a NULL value"
							      : "meta has no schema_version");
		goto fail;
	}
	if (strcmp(version, "1") != 0) {
		set_err(t, "schema_version is '%s'; this tool reads version %d", version,
			TDB_SCHEMA_VERSION);
		goto fail;
	}
	for (size_t i = 1; i < sizeof(keys) / sizeof(*keys); i++)
		if (!tdb_meta(t, keys[i])) {
			set_err(t, meta_has_key(t, keys[i]) ? "meta key '%s' has a NULL value"
							   : "meta lacks the required key '%s'", keys[i]);
			goto fail;
		}
	if (check_event_columns(t) || load_kinds(t) || load_vm_mmu(t))
		goto fail;
	t->in_order = -1;
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
	tdb_scan_end(db);
	sqlite3_close(db->db);
	for (int i = 0; i < db->nmeta; i++) {
		free(db->meta[i].key);
		free(db->meta[i].value);
	}
	for (int i = 0; i < db->nkinds; i++)
		free(db->kinds[i].name);
	free(db->meta);
	free(db->kinds);
	free(db->mmus);
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

/*
 * The order check of a file that does not say it is ordered: an aggregate that SQLite
 * steps for each row of a plain table scan (rowid order), noting whether a ts goes
 * back (or is not an integer). Inside SQLite's loop it costs about a sixth of a full
 * scan, against a sort that halves the replay's rate. A progress handler stops the
 * pass at the first row that goes back, so a disordered file costs only its ordered
 * head before it is sorted.
 */
struct order_check {
	int64_t last;
	bool back;
};

static void order_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct order_check *o = sqlite3_user_data(ctx);
	int64_t ts;

	(void)argc;
	if (o->back)
		return;
	if (sqlite3_value_type(argv[0]) != SQLITE_INTEGER) {
		o->back = true;	/* the sorted scan will name the row */
		return;
	}
	ts = sqlite3_value_int64(argv[0]);
	o->back = ts < o->last;
	o->last = ts;
}

static void order_final(sqlite3_context *ctx)
{
	struct order_check *o = sqlite3_user_data(ctx);

	sqlite3_result_int(ctx, !o->back);
}

static int order_progress(void *arg)
{
	return ((struct order_check *)arg)->back;	/* non-zero interrupts the pass */
}

/* 1 when every row's ts is an integer not below the previous row's (rowid order), 0 if not, -1 on error. */
static int rows_in_time_order(struct tdb *db)
{
	struct order_check o = { INT64_MIN, false };
	sqlite3_stmt *st;
	int rc;

	/* DIRECTONLY: no view, trigger or default of the file can call it. */
	if (sqlite3_create_function(db->db, "tlb_ts_in_order", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY,
				    &o, NULL, order_step, order_final) != SQLITE_OK)
		return -1;
	sqlite3_progress_handler(db->db, 4096, order_progress, &o);
	/* NOT INDEXED: the table's own b-tree, walked in rowid order, never an index on ts. */
	rc = sqlite3_prepare_v2(db->db, "SELECT tlb_ts_in_order(ts) FROM event NOT INDEXED",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	sqlite3_progress_handler(db->db, 0, NULL, NULL);
	sqlite3_create_function(db->db, "tlb_ts_in_order", 1, SQLITE_UTF8, NULL, NULL, NULL, NULL);
	if (o.back)
		return 0;
	return rc == SQLITE_ROW ? 1 : -1;
}

/*
 * The rowid-order scan hands each row to this function inside SQLite's loop: it reads
 * the ten arguments (the row's registers) with the cheap sqlite3_value_* calls, where
 * reading ten result columns would take ten sqlite3_column_* calls, each through the
 * statement's checks. That is a third of the per-row cost of the scan. (A sorted scan
 * would evaluate the function before sorting, so it reads its columns.)
 */
void tdb_capture_row(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct tdb_row *row = sqlite3_user_data(ctx);

	for (int i = 0; i < argc && i < 10; i++) {
		row->type[i] = sqlite3_value_type(argv[i]);
		row->val[i] = row->type[i] == SQLITE_INTEGER ? sqlite3_value_int64(argv[i]) : 0;
	}
}

int tdb_scan_begin(struct tdb *db)
{
	static const char *const by_rowid = TDB_SCAN_BY_ROWID_SQL " ORDER BY rowid";
	static const char *const by_ts =
		"SELECT rowid, ts, cpu, vm, vcpu, kind, a0, a1, a2, a3 FROM event ORDER BY ts, rowid";
	int in_order = 1;

	tdb_scan_end(db);
	if (!db->ordered) {
		/* once per handle: a replay that reads the trace several times (optimal) checks
		 * once; the rowid scan still verifies the order as it goes */
		in_order = db->in_order >= 0 ? db->in_order : rows_in_time_order(db);
		db->in_order = in_order;
		if (in_order < 0) {
			set_err(db, "cannot read table event: %s", sqlite3_errmsg(db->db));
			return -1;
		}
	}
	db->by_rowid = in_order == 1;
	/* DIRECTONLY: no view, trigger or default of the file can call it. */
	if (db->by_rowid &&
	    sqlite3_create_function(db->db, "tlb_event_row", 10, SQLITE_UTF8 | SQLITE_DIRECTONLY,
				    &db->row, tdb_capture_row, NULL, NULL) != SQLITE_OK) {
		set_err(db, "cannot read table event: %s", sqlite3_errmsg(db->db));
		return -1;
	}
	/* A big unordered file is sorted by SQLite on disk, not in memory. */
	if (!db->by_rowid)
		sqlite3_exec(db->db, "PRAGMA temp_store = FILE", NULL, NULL, NULL);
	/* Prepared even when the decode may go parallel: the fallback, and the same early
	 * error for a table SQLite cannot read. */
	if (sqlite3_prepare_v2(db->db, db->by_rowid ? by_rowid : by_ts, -1, &db->scan,
			       NULL) != SQLITE_OK) {
		set_err(db, "cannot read table event: %s", sqlite3_errmsg(db->db));
		return -1;
	}
	/* The decoders start at the first row asked for, not here: a caller that only wants
	 * to know whether the scan sorts (bucket_trace_span) starts no thread. */
	db->ps_pending = db->by_rowid;
	db->last_ts = INT64_MIN;
	return 0;
}

bool tdb_scan_sorted(const struct tdb *db)
{
	return !db->by_rowid;
}

int tdb_scan_threads(const struct tdb *db)
{
	return db->ps ? pscan_threads(db->ps) : 1;
}

static const char *type_name(int type)
{
	switch (type) {
	case SQLITE_INTEGER: return "an integer";
	case SQLITE_FLOAT: return "a real";
	case SQLITE_TEXT: return "text";
	case SQLITE_BLOB: return "a blob";
	default: return "NULL";
	}
}

static const char *const column_names[10] = { "rowid", "ts", "cpu", "vm", "vcpu", "kind",
					      "a0", "a1", "a2", "a3" };

static int bad_type(int64_t rowid, int col, int type, char *why, size_t len)
{
	snprintf(why, len, "event rowid %lld: %s is %s, not an integer%s", (long long)rowid,
		 column_names[col], type_name(type), (col >= 4 && col != 5) ? " or NULL" : "");
	return -1;
}

int tdb_row_decode(const struct tdb *db, const struct tdb_row *row, struct tdb_event *ev,
		   char *why, size_t len)
{
	const int *type = row->type;
	const int64_t *val = row->val;
	int kind;

	ev->rowid = val[0];
	for (int c = 1; c <= 5; c++)
		if (type[c] != SQLITE_INTEGER && (c != 4 || type[c] != SQLITE_NULL))
			return bad_type(ev->rowid, c, type[c], why, len);
	ev->ts = val[1];
	ev->cpu = val[2];
	ev->vm = val[3];
	ev->kind_id = val[5];
	ev->nulls = 0;
	if (type[4] == SQLITE_NULL) {
		ev->nulls |= TDB_NULL_VCPU;
		ev->vcpu = -1;
	} else {
		ev->vcpu = val[4];
	}
	kind = kind_of(db, ev->kind_id);
	if (kind < 0) {
		snprintf(why, len, "event rowid %lld: kind %lld is not in event_kind",
			 (long long)ev->rowid, (long long)ev->kind_id);
		return -1;
	}
	ev->kind = (enum tdb_kind)kind;
	for (int i = 0; i < 4; i++) {
		if (type[6 + i] == SQLITE_INTEGER) {
			ev->a[i] = val[6 + i];
		} else if (type[6 + i] == SQLITE_NULL) {
			ev->nulls |= TDB_NULL_A0 << i;
			ev->a[i] = 0;
		} else {
			return bad_type(ev->rowid, 6 + i, type[6 + i], why, len);
		}
	}
	return 0;
}

/* The single-thread scan: one step of the connection's own statement. */
static int scan_step(struct tdb *db, struct tdb_event *ev, char *why, size_t len)
{
	sqlite3_stmt *st = db->scan;
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW) {
		snprintf(why, len, "cannot read table event: %s", sqlite3_errmsg(db->db));
		return -1;
	}
	if (!db->by_rowid) {
		/* one column call per column, then its type and value from the same sqlite3_value */
		for (int c = 0; c < 10; c++) {
			sqlite3_value *v = sqlite3_column_value(st, c);

			db->row.type[c] = sqlite3_value_type(v);
			db->row.val[c] = db->row.type[c] == SQLITE_INTEGER ? sqlite3_value_int64(v) : 0;
		}
	}
	return tdb_row_decode(db, &db->row, ev, why, len) ? -1 : 1;
}

/* The parallel decode hands the scan back after rowid @after: the rest on this connection. */
static int resume_by_rowid(struct tdb *db, int64_t after)
{
	pscan_stop(db->ps);
	db->ps = NULL;
	sqlite3_finalize(db->scan);
	db->scan = NULL;
	if (sqlite3_prepare_v2(db->db, TDB_SCAN_BY_ROWID_SQL " WHERE rowid > ?1 ORDER BY rowid", -1,
			       &db->scan, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(db->scan, 1, after) != SQLITE_OK) {
		set_err(db, "cannot read table event: %s", sqlite3_errmsg(db->db));
		return -1;
	}
	return 0;
}

int tdb_scan_next(struct tdb *db, struct tdb_event *ev)
{
	char why[480];
	int64_t after;
	int rc;

	if (db->ps_pending) {
		db->ps_pending = false;
		db->ps = pscan_start(db, db->db, db->path);
	}
	if (db->ps) {
		rc = pscan_next(db->ps, ev, why, sizeof(why), &after);
		if (rc == 2) {
			if (resume_by_rowid(db, after))
				return -1;
			rc = scan_step(db, ev, why, sizeof(why));
		}
	} else {
		rc = scan_step(db, ev, why, sizeof(why));
	}
	if (rc <= 0) {
		if (rc < 0)
			set_err(db, "%s", why);
		return rc;
	}
	if (db->by_rowid) {
		if (ev->ts < db->last_ts) {
			set_err(db, "event rowid %lld: ts %lld is before the previous row's %lld, "
				"but %s", (long long)ev->rowid, (long long)ev->ts, (long long)db->last_ts,
				db->ordered ? "meta event_order says rows are in time order"
					    : "the file changed while it was read");
			return -1;
		}
		db->last_ts = ev->ts;
	}
	return 1;
}

void tdb_scan_end(struct tdb *db)
{
	pscan_stop(db->ps);
	db->ps = NULL;
	db->ps_pending = false;
	sqlite3_finalize(db->scan);
	db->scan = NULL;
}
