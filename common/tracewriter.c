/* SPDX-License-Identifier: MIT */
/*
 * tracewriter - creating a schema-v1 trace database (interface in tracewriter.h).
 *
 * The database is built at "PATH.tmp-PID" (mode 0600, for every producer) with
 * journaling and syncing off (a half-written file is worthless anyway and is
 * removed on abort) and an exclusive lock, then renamed onto PATH by
 * tw_finish() without replacing a file that appeared meanwhile (unless
 * --force): readers never see a partial file, a producer that fails leaves
 * nothing behind, and of two producers into one path the second fails. A
 * temporary file of a producer that was killed is removed by the next
 * tw_create() into the same path (remove_stale_temps).
 *
 * Events go through one prepared INSERT, bound column by column, inside a
 * transaction committed every TW_BATCH rows so that memory stays flat and a
 * long capture does not hold one giant transaction. The writer tracks the
 * largest ts seen: if no event went back in time, tw_finish() marks the file
 * event_order='ts' so that readers scan it in rowid order without sorting;
 * otherwise it indexes ts so that "ORDER BY ts, rowid" needs no sort either.
 */
#include "tracewriter.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern const char tlb_schema_v1_sql[];

struct kind_count {
	int64_t id;
	char *name;
	int64_t count;
};

struct tw {
	sqlite3 *db;
	char *path;			/* final name */
	char *tmp;			/* name while writing */
	unsigned flags;
	char err[512];
	sqlite3_stmt *ins;		/* the event INSERT */
	int64_t batch;			/* rows in the open transaction */
	int64_t nevents;
	int64_t last_ts;
	bool ordered;			/* no ts went back so far */
	int64_t kind_ids[TDB_NKINDS];
	struct kind_count *kinds;	/* every kind of the file, with its count */
	int nkinds;
	int last_kind;			/* index in kinds of the last event's kind */
};

static void set_err(struct tw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_err(struct tw *w, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(w->err, sizeof(w->err), "%s: ", w->path);

	if (n < 0 || (size_t)n >= sizeof(w->err))
		return;
	va_start(ap, fmt);
	vsnprintf(w->err + n, sizeof(w->err) - (size_t)n, fmt, ap);
	va_end(ap);
}

const char *tw_error(const struct tw *w) { return w->err; }
struct sqlite3 *tw_sqlite(struct tw *w) { return w->db; }
int64_t tw_event_count(const struct tw *w) { return w->nevents; }
const char *tw_temp_path(const struct tw *w) { return w->tmp; }

static int exec(struct tw *w, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(w->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		set_err(w, "cannot write: %s", msg ? msg : sqlite3_errmsg(w->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int load_kinds(struct tw *w)
{
	sqlite3_stmt *st;
	int rc;

	for (int k = 0; k < TDB_NKINDS; k++)
		w->kind_ids[k] = -1;
	rc = sqlite3_prepare_v2(w->db, "SELECT id, name FROM event_kind ORDER BY id", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		set_err(w, "cannot read event_kind: %s", sqlite3_errmsg(w->db));
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);
		struct kind_count *k = realloc(w->kinds, sizeof(*k) * (size_t)(w->nkinds + 1));

		if (!k || !name) {
			sqlite3_finalize(st);
			set_err(w, "out of memory");
			return -1;
		}
		w->kinds = k;
		k = &w->kinds[w->nkinds];
		k->id = sqlite3_column_int64(st, 0);
		k->count = 0;
		k->name = strdup(name);
		if (!k->name) {
			sqlite3_finalize(st);
			set_err(w, "out of memory");
			return -1;
		}
		w->nkinds++;
		for (int i = 0; i < TDB_NKINDS; i++)
			if (strcmp(name, tdb_kind_names[i]) == 0)
				w->kind_ids[i] = k->id;
	}
	sqlite3_finalize(st);
	return 0;
}

/*
 * Temporary files of ours whose writer is gone: "BASE.tmp-PID" beside @path, a
 * regular file (not a link) owned by us, whose PID is not a live process and on
 * which no process holds a lock (a writer holds SQLite's lock while it writes),
 * empty or starting like a SQLite database. A killed producer (SIGKILL cannot be
 * caught) leaves one; the next run into the same path removes it and says so.
 * Anything else under such a name is left alone.
 */
static void remove_stale_temps(const char *path)
{
	static const char sqlite_magic[16] = "SQLite format 3";
	char *copy = strdup(path), *copy2 = strdup(path);
	const char *dir, *base;
	size_t blen;
	DIR *d = NULL;
	struct dirent *de;

	if (!copy || !copy2)
		goto out;
	dir = dirname(copy);
	base = basename(copy2);
	blen = strlen(base);
	d = opendir(dir);
	if (!d)
		goto out;
	while ((de = readdir(d)) != NULL) {
		const char *p = de->d_name;
		char *end, head[16];
		struct stat sb;
		struct flock lk;
		long pid;
		int fd;

		if (strncmp(p, base, blen) != 0 || strncmp(p + blen, ".tmp-", 5) != 0)
			continue;
		p += blen + 5;
		if (*p < '1' || *p > '9')
			continue;
		errno = 0;
		pid = strtol(p, &end, 10);
		if (*end || errno || pid <= 0 || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;	/* alive (or not ours to signal): maybe still writing */
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&lk, 0, sizeof(lk));
		lk.l_type = F_WRLCK;
		lk.l_whence = SEEK_SET;
		if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_uid != geteuid() ||
		    sb.st_nlink != 1 || fcntl(fd, F_GETLK, &lk) != 0 || lk.l_type != F_UNLCK ||
		    (sb.st_size > 0 && (pread(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head) ||
					memcmp(head, sqlite_magic, sizeof(head)) != 0))) {
			close(fd);
			continue;
		}
		close(fd);
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			tlb_msg("removed %s/%s: a temporary file left by an earlier run (process %ld is gone)",
				dir, de->d_name, pid);
	}
out:
	if (d)
		closedir(d);
	free(copy);
	free(copy2);
}

struct tw *tw_create(const char *path, const char *source, unsigned flags, char *err, size_t errlen)
{
	struct tw *w = calloc(1, sizeof(*w));
	struct stat sb;
	size_t len;

	if (!w || !(w->path = strdup(path))) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(w);
		return NULL;
	}
	w->flags = flags;
	w->ordered = true;
	w->last_ts = INT64_MIN;
	if (!(flags & TW_FORCE) && stat(path, &sb) == 0) {
		set_err(w, "cannot create: the file exists (use --force to replace it)");
		goto fail;
	}
	len = strlen(path) + 32;
	w->tmp = malloc(len);
	if (!w->tmp) {
		set_err(w, "out of memory");
		goto fail;
	}
	snprintf(w->tmp, len, "%s.tmp-%ld", path, (long)getpid());
	remove_stale_temps(path);
	unlink(w->tmp);
	{
		/* Create the file ourselves, 0600 whatever the umask: a trace shows what a
		 * host's VMs did, for its owner only (as perf.data). O_NOFOLLOW: never
		 * through a link planted under the temporary name. */
		int fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

		if (fd < 0) {
			set_err(w, "cannot create %s: %s", w->tmp, strerror(errno));
			goto fail_nofile;
		}
		if (fchmod(fd, 0600) != 0) {
			set_err(w, "cannot set the mode of %s: %s", w->tmp, strerror(errno));
			close(fd);
			goto fail;
		}
		close(fd);
	}
	if (sqlite3_open_v2(w->tmp, &w->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		set_err(w, "cannot open %s: %s", w->tmp,
			w->db ? sqlite3_errmsg(w->db) : "out of memory");
		goto fail;
	}
	if (exec(w, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
		    "PRAGMA locking_mode = EXCLUSIVE; PRAGMA cache_size = -16384;") ||
	    exec(w, tlb_schema_v1_sql) || load_kinds(w))
		goto fail;
	if (sqlite3_prepare_v2(w->db,
			       "INSERT INTO event(ts, cpu, vm, vcpu, kind, a0, a1, a2, a3) "
			       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &w->ins, NULL) != SQLITE_OK) {
		set_err(w, "cannot prepare the event insert: %s", sqlite3_errmsg(w->db));
		goto fail;
	}
	if (tw_meta(w, "source", source) || tw_meta(w, "tool_version", TLB_VERSION) ||
	    exec(w, "BEGIN"))
		goto fail;
	return w;
fail:
	snprintf(err, errlen, "%s", w->err);
	tw_abort(w);
	return NULL;
fail_nofile:
	snprintf(err, errlen, "%s", w->err);
	free(w->tmp);
	w->tmp = NULL;
	tw_abort(w);
	return NULL;
}

int tw_meta(struct tw *w, const char *key, const char *value)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(w->db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, value ? value : "", -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_DONE) {
		set_err(w, "cannot write meta %s: %s", key, sqlite3_errmsg(w->db));
		return -1;
	}
	return 0;
}

int tw_meta_int(struct tw *w, const char *key, int64_t value)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)value);
	return tw_meta(w, key, buf);
}

static void bind_opt_i64(sqlite3_stmt *st, int col, int64_t v, bool present)
{
	if (present)
		sqlite3_bind_int64(st, col, v);
	else
		sqlite3_bind_null(st, col);
}

int tw_vm(struct tw *w, int64_t id, const char *name, int64_t pid, int64_t lpid)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(w->db,
				    "INSERT OR REPLACE INTO vm(id, name, pid, lpid) VALUES (?, ?, ?, ?)",
				    -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		if (name)
			sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
		bind_opt_i64(st, 3, pid, pid >= 0);
		bind_opt_i64(st, 4, lpid, lpid >= 0);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_DONE) {
		set_err(w, "cannot write vm %lld: %s", (long long)id, sqlite3_errmsg(w->db));
		return -1;
	}
	return 0;
}

int tw_vcpu(struct tw *w, int64_t vm, int64_t id, int64_t tid, const char *name)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(w->db,
				    "INSERT OR REPLACE INTO vcpu(vm, id, tid, name) VALUES (?, ?, ?, ?)",
				    -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, vm);
		sqlite3_bind_int64(st, 2, id);
		bind_opt_i64(st, 3, tid, tid >= 0);
		if (name)
			sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_DONE) {
		set_err(w, "cannot write vcpu %lld of vm %lld: %s", (long long)id, (long long)vm,
			sqlite3_errmsg(w->db));
		return -1;
	}
	return 0;
}

int64_t tw_kind_id(const struct tw *w, enum tdb_kind kind)
{
	return (kind >= 0 && kind < TDB_NKINDS) ? w->kind_ids[kind] : -1;
}

int64_t tw_kind(struct tw *w, const char *name, const char *a0, const char *a1,
		const char *a2, const char *a3)
{
	const char *args[4] = { a0, a1, a2, a3 };
	sqlite3_stmt *st;
	struct kind_count *k;
	int64_t id = 1;
	int rc;

	for (int i = 0; i < w->nkinds; i++) {
		if (strcmp(w->kinds[i].name, name) == 0)
			return w->kinds[i].id;
		if (w->kinds[i].id >= id)
			id = w->kinds[i].id + 1;
	}
	rc = sqlite3_prepare_v2(w->db,
				"INSERT INTO event_kind(id, name, a0, a1, a2, a3) VALUES (?, ?, ?, ?, ?, ?)",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
		for (int i = 0; i < 4; i++)
			if (args[i])
				sqlite3_bind_text(st, 3 + i, args[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_DONE) {
		set_err(w, "cannot add kind %s: %s", name, sqlite3_errmsg(w->db));
		return -1;
	}
	k = realloc(w->kinds, sizeof(*k) * (size_t)(w->nkinds + 1));
	if (!k) {
		set_err(w, "out of memory");
		return -1;
	}
	w->kinds = k;
	k[w->nkinds].id = id;
	k[w->nkinds].count = 0;
	k[w->nkinds].name = strdup(name);
	if (!k[w->nkinds].name) {
		set_err(w, "out of memory");
		return -1;
	}
	w->nkinds++;
	return id;
}

static void count_kind(struct tw *w, int64_t kind_id)
{
	/* On the insert path: runs of one kind are common, so try the last hit first;
	 * kinds are few (under 20), so a scan beats a hash otherwise. */
	if (w->last_kind < w->nkinds && w->kinds[w->last_kind].id == kind_id) {
		w->kinds[w->last_kind].count++;
		return;
	}
	for (int i = 0; i < w->nkinds; i++)
		if (w->kinds[i].id == kind_id) {
			w->kinds[i].count++;
			w->last_kind = i;
			return;
		}
}

int tw_event(struct tw *w, int64_t ts, int64_t cpu, int64_t vm, int64_t vcpu,
	     int64_t kind_id, const int64_t *a, int nargs)
{
	return tw_event_nulls(w, ts, cpu, vm, vcpu, kind_id, a,
			      nargs >= 4 ? 0u : 0xfu & ~((1u << (nargs > 0 ? nargs : 0)) - 1u));
}

int tw_event_nulls(struct tw *w, int64_t ts, int64_t cpu, int64_t vm, int64_t vcpu,
		   int64_t kind_id, const int64_t *a, unsigned nulls)
{
	sqlite3_stmt *st = w->ins;
	int rc;

	sqlite3_bind_int64(st, 1, ts);
	sqlite3_bind_int64(st, 2, cpu);
	sqlite3_bind_int64(st, 3, vm);
	if (vcpu >= 0)
		sqlite3_bind_int64(st, 4, vcpu);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_int64(st, 5, kind_id);
	for (int i = 0; i < 4; i++) {
		if (!(nulls & (1u << i)))
			sqlite3_bind_int64(st, 6 + i, a[i]);
		else
			sqlite3_bind_null(st, 6 + i);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		set_err(w, "cannot write event %lld: %s", (long long)w->nevents + 1,
			sqlite3_errmsg(w->db));
		return -1;
	}
	if (ts < w->last_ts)
		w->ordered = false;
	else
		w->last_ts = ts;
	w->nevents++;
	count_kind(w, kind_id);
	if (++w->batch >= TW_BATCH) {
		w->batch = 0;
		if (exec(w, "COMMIT; BEGIN"))
			return -1;
	}
	return 0;
}

/*
 * The final rename. With --force it replaces PATH. Without, it must not replace a
 * file that appeared at PATH while we wrote (another producer into the same path):
 * renameat2(RENAME_NOREPLACE), or where the file system lacks it, link(2), which
 * fails on an existing name too, then unlink of the temporary name.
 */
static int put_in_place(struct tw *w)
{
	if (w->flags & TW_FORCE) {
		if (rename(w->tmp, w->path) != 0) {
			set_err(w, "cannot rename %s into place: %s", w->tmp, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (renameat2(AT_FDCWD, w->tmp, AT_FDCWD, w->path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP) {
		if (link(w->tmp, w->path) == 0) {
			unlink(w->tmp);
			return 0;
		}
	}
	if (errno == EEXIST)
		set_err(w, "cannot create: the file appeared while this run wrote it (another "
			"writer?); it is left as it is and nothing was written (--force replaces it)");
	else
		set_err(w, "cannot rename %s into place: %s", w->tmp, strerror(errno));
	return -1;
}

int tw_finish(struct tw *w)
{
	char key[96];
	int rc = -1;

	if (exec(w, "COMMIT") || exec(w, "BEGIN"))
		goto out;
	for (int i = 0; i < w->nkinds; i++) {
		if (!w->kinds[i].count)
			continue;
		snprintf(key, sizeof(key), "events_%s", w->kinds[i].name);
		if (tw_meta_int(w, key, w->kinds[i].count))
			goto out;
	}
	if (tw_meta_int(w, "event_count", w->nevents))
		goto out;
	if (w->ordered) {
		if (tw_meta(w, "event_order", "ts"))
			goto out;
	} else if (exec(w, "CREATE INDEX IF NOT EXISTS event_ts ON event(ts)")) {
		goto out;
	}
	if (exec(w, "COMMIT"))
		goto out;
	sqlite3_finalize(w->ins);
	w->ins = NULL;
	if (sqlite3_close(w->db) != SQLITE_OK) {
		set_err(w, "cannot close: %s", sqlite3_errmsg(w->db));
		goto out;
	}
	w->db = NULL;
	if (put_in_place(w))
		goto out;
	free(w->tmp);
	w->tmp = NULL;
	rc = 0;
out:
	if (rc)
		tlb_msg("%s", w->err);
	tw_abort(w);
	return rc;
}

void tw_abort(struct tw *w)
{
	if (!w)
		return;
	sqlite3_finalize(w->ins);
	if (w->db)
		sqlite3_close(w->db);
	if (w->tmp)
		unlink(w->tmp);
	for (int i = 0; i < w->nkinds; i++)
		free(w->kinds[i].name);
	free(w->kinds);
	free(w->tmp);
	free(w->path);
	free(w);
}
