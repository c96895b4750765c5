/* SPDX-License-Identifier: MIT */
/*
 * pscan - parallel decode of tracedb's rowid-order scan (interface in pscan.h).
 *
 * Chunks. A decoder claims, under the one mutex, a free buffer, the next sequence
 * number and the next rowid range: from the first rowid at or after where the previous
 * range ended (one b-tree seek, so that gaps in the rowids cost nothing and a file with
 * rowids 1 and 2^62 makes two chunks, not 2^62 / R), to that rowid + R - 1. Rowids are
 * unique, so a range holds at most R rows: a buffer of R events always fits it. Claims
 * happen in sequence order and only with a free buffer in hand, so the chunks that hold
 * buffers are always the consumer's next ones: the consumer never waits for a chunk
 * that no decoder can start. The decoder then reads its range without the mutex
 * (SELECT tlb_event_row(...) FROM event WHERE rowid BETWEEN lo AND hi, the single-thread
 * scan's row function) and checks every row with tdb_row_decode. A bad row ends the
 * chunk with its message, and no chunk is claimed after it; the end of the table is a
 * last, empty chunk. The consumer takes chunk 0, 1, 2, ... as they become ready and
 * frees each when it has handed out its rows.
 *
 * Same file. tdb_open checked the path (tdb_check_file) and its own connection's
 * schema (tdb_harden); an extra connection opened later by the same path must not read
 * another file put there in between. The scan's connection first reads inside a
 * transaction, its own or the caller's, which keeps its lock until the scan ends (so in
 * rollback-journal mode no other writer can commit while the scan runs; a WAL file is
 * declined: there a writer could commit between our connections' snapshots).
 * Its file's identity is then taken: stat(path) gives (device, inode), and SQLite's
 * SQLITE_FCNTL_HAS_MOVED on that connection (the inode its open file descriptor has,
 * against the inode the path has now) must say the path still names it. Each extra
 * connection is opened only if stat(path) is still that identity; right after the open
 * (SQLite has read the 100-byte header to learn the page size, nothing else), HAS_MOVED
 * on the new connection, stat(path) again, and HAS_MOVED on the scan's connection must
 * all agree, or the extra connections are closed unused and the scan runs on the
 * checked connection alone. What remains is a path swapped away and back between two
 * of those consecutive checks a few microseconds apart, by someone who can rename in
 * the trace's directory, i.e. who could equally have swapped it before tdb_open. Each
 * extra connection is read-only and gets tdb_harden (DEFENSIVE, trusted_schema off,
 * triggers and extensions off, the schema checks) like the first; the row function is
 * SQLITE_DIRECTONLY.
 */
#include "pscan.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "tracedb_int.h"

#define PSCAN_MAX_THREADS 16
#define PSCAN_AUTO_THREADS 4		/* more decoders than the consumer can take is waste */
#define PSCAN_MIN_SPAN 262144		/* below, thread start-up is not worth it */
#define PSCAN_CHUNK_ROWS 8192
#define PSCAN_MAX_CHUNK_ROWS 65536
#define PSCAN_CACHE_MAX (24 << 20)	/* in a write transaction: see pscan_next */

enum chunk_state { CHUNK_FREE, CHUNK_FILLING, CHUNK_READY };

struct chunk {
	enum chunk_state state;
	int64_t seq;
	int n;				/* events in ev */
	bool eof;			/* the table ends before this chunk's range */
	bool bad;			/* stopped at a bad row or an SQLite error: why */
	char why[480];
	struct tdb_event *ev;		/* chunk_rows events */
};

struct decoder {
	struct pscan *ps;
	sqlite3 *db;
	sqlite3_stmt *scan;		/* the rows of rowid ?1 .. ?2 */
	sqlite3_stmt *seek;		/* the first rowid >= ?1 */
	struct tdb_row row;		/* tlb_event_row's output */
	pthread_t thread;
	bool started;
	uint64_t cpu_ns;		/* this thread's CPU time, at its end */
	uint64_t wait_ns;		/* time waiting for a free buffer */
	int64_t chunks;
};

struct pscan {
	const struct tdb *db;
	sqlite3 *main;
	bool began;			/* we opened the main connection's read transaction */
	bool in_write;			/* inside the caller's transaction (tlbreplay --store) */
	bool spill_raised;		/* we raised its cache_spill threshold: restore it */
	int old_spill;			/* its PRAGMA cache_spill (0: off) before */
	int64_t cache_max;		/* in_write: bytes of page cache before pscan_next says 2 */
	int chunk_rows;
	int nthreads;
	struct decoder *dec;
	int nchunks;
	struct chunk *chunks;
	pthread_mutex_t mu;
	pthread_cond_t space;		/* a chunk was freed, or stop */
	pthread_cond_t ready;		/* a chunk is ready */
	bool stop;
	bool claimed_all;		/* the end or a bad chunk is claimed: no more claims */
	bool have_next;			/* next_start is valid (false past INT64_MAX) */
	int64_t next_start;
	int64_t next_seq;
	/* the consumer's own */
	struct chunk *cur;
	int pos;
	int64_t want;
	uint64_t wait_ns;		/* time the consumer waited for the next chunk */
	uint64_t start_ns;
};

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* 1 and *out when set to an integer in lo..hi, 0 when unset or empty, -1 otherwise. */
static int env_long(const char *name, long lo, long hi, long *out)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi)
		return -1;
	*out = v;
	return 1;
}

static int usable_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 1;
	return CPU_COUNT(&set);
}

static bool path_is(const char *path, const struct stat *id)
{
	struct stat sb;

	return stat(path, &sb) == 0 && sb.st_dev == id->st_dev && sb.st_ino == id->st_ino;
}

/* True unless SQLite says the path still names the inode the connection has open. */
static bool moved(sqlite3 *db)
{
	int m = 1;

	return sqlite3_file_control(db, "main", SQLITE_FCNTL_HAS_MOVED, &m) != SQLITE_OK || m;
}

static bool in_wal_mode(sqlite3 *db)
{
	sqlite3_stmt *st;
	bool wal = true;	/* unknown: as if */

	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) != SQLITE_OK)
		return true;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		wal = strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
	sqlite3_finalize(st);
	return wal;
}

static int one_rowid(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* 1 with the table's rowid range, 0 when empty, -1 on error. Two seeks: min() and max()
 * in one SELECT would make SQLite walk the whole table. */
static int rowid_range(sqlite3 *db, int64_t *lo, int64_t *hi)
{
	int r = one_rowid(db, "SELECT rowid FROM event NOT INDEXED ORDER BY rowid LIMIT 1", lo);

	if (r != 1)
		return r;
	return one_rowid(db, "SELECT rowid FROM event NOT INDEXED ORDER BY rowid DESC LIMIT 1", hi);
}

/* An extra connection to the file @id, made like the first; 0 or -1 (then close d->db). */
static int open_sibling(struct pscan *ps, struct decoder *d, const char *path,
			const struct stat *id)
{
	char why[400];

	if (!path_is(path, id))
		return -1;
	/* NOMUTEX: this connection is only ever used by its decoder thread */
	if (tdb_open_literal(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, &d->db) != SQLITE_OK)
		return -1;
	if (moved(d->db) || !path_is(path, id) || moved(ps->main))
		return -1;
	if (tdb_harden(d->db, why, sizeof(why)))
		return -1;
	if (sqlite3_create_function(d->db, "tlb_event_row", 10, SQLITE_UTF8 | SQLITE_DIRECTONLY,
				    &d->row, tdb_capture_row, NULL, NULL) != SQLITE_OK)
		return -1;
	/* NOT INDEXED: the table's own b-tree by rowid, never an index of the file's */
	if (sqlite3_prepare_v2(d->db, TDB_SCAN_BY_ROWID_SQL
			       " NOT INDEXED WHERE rowid BETWEEN ?1 AND ?2 ORDER BY rowid",
			       -1, &d->scan, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(d->db, "SELECT rowid FROM event NOT INDEXED WHERE rowid >= ?1"
			       " ORDER BY rowid LIMIT 1", -1, &d->seek, NULL) != SQLITE_OK)
		return -1;
	return 0;
}

static struct chunk *free_chunk(struct pscan *ps)
{
	for (int i = 0; i < ps->nchunks; i++)
		if (ps->chunks[i].state == CHUNK_FREE)
			return &ps->chunks[i];
	return NULL;
}

/* Under the mutex: 1 with the first rowid >= @from in *@first, 0 if none, -1 with @c's why. */
static int seek_rowid(struct decoder *d, struct chunk *c, int64_t from, int64_t *first)
{
	int rc, r;

	if (sqlite3_bind_int64(d->seek, 1, from) != SQLITE_OK) {
		rc = SQLITE_ERROR;
	} else {
		rc = sqlite3_step(d->seek);
		if (rc == SQLITE_ROW)
			*first = sqlite3_column_int64(d->seek, 0);
	}
	r = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
	if (r < 0)
		snprintf(c->why, sizeof(c->why), "cannot read table event: %s", sqlite3_errmsg(d->db));
	sqlite3_reset(d->seek);
	return r;
}

/* Without the mutex: the rows of rowid @lo..@hi into @c, stopping at the first bad one. */
static void decode_range(struct decoder *d, struct chunk *c, int64_t lo, int64_t hi)
{
	sqlite3_stmt *st = d->scan;
	int rc;

	if (sqlite3_bind_int64(st, 1, lo) != SQLITE_OK || sqlite3_bind_int64(st, 2, hi) != SQLITE_OK) {
		snprintf(c->why, sizeof(c->why), "cannot read table event: %s", sqlite3_errmsg(d->db));
		c->bad = true;
		return;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (c->n == d->ps->chunk_rows) {	/* rowids are unique: cannot happen */
			snprintf(c->why, sizeof(c->why), "cannot read table event: rowid %lld repeats",
				 (long long)d->row.val[0]);
			c->bad = true;
			break;
		}
		if (tdb_row_decode(d->ps->db, &d->row, &c->ev[c->n], c->why, sizeof(c->why))) {
			c->bad = true;
			break;
		}
		c->n++;
	}
	if (!c->bad && rc != SQLITE_DONE) {
		snprintf(c->why, sizeof(c->why), "cannot read table event: %s", sqlite3_errmsg(d->db));
		c->bad = true;
	}
	sqlite3_reset(st);	/* ends this connection's read: the scan's own keeps the file still */
}

static void *decoder_main(void *arg)
{
	struct decoder *d = arg;
	struct pscan *ps = d->ps;

	for (;;) {
		struct chunk *c = NULL;
		int64_t lo = 0, hi;
		int r;

		pthread_mutex_lock(&ps->mu);
		if (!ps->stop && !ps->claimed_all && !(c = free_chunk(ps))) {
			uint64_t t0 = clock_ns(CLOCK_MONOTONIC);

			while (!ps->stop && !ps->claimed_all && !(c = free_chunk(ps)))
				pthread_cond_wait(&ps->space, &ps->mu);
			d->wait_ns += clock_ns(CLOCK_MONOTONIC) - t0;
		}
		if (ps->stop || ps->claimed_all) {
			pthread_mutex_unlock(&ps->mu);
			d->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID);
			return NULL;
		}
		d->chunks++;
		c->state = CHUNK_FILLING;
		c->seq = ps->next_seq++;
		c->n = 0;
		c->eof = c->bad = false;
		r = ps->have_next ? seek_rowid(d, c, ps->next_start, &lo) : 0;
		if (r <= 0) {
			c->eof = r == 0;
			c->bad = r < 0;
			c->state = CHUNK_READY;
			ps->claimed_all = true;
			pthread_cond_broadcast(&ps->ready);
			pthread_cond_broadcast(&ps->space);	/* the others stop waiting */
			pthread_mutex_unlock(&ps->mu);
			d->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID);
			return NULL;
		}
		hi = lo > INT64_MAX - (ps->chunk_rows - 1) ? INT64_MAX : lo + (ps->chunk_rows - 1);
		ps->have_next = hi != INT64_MAX;
		if (ps->have_next)
			ps->next_start = hi + 1;
		pthread_mutex_unlock(&ps->mu);

		decode_range(d, c, lo, hi);

		pthread_mutex_lock(&ps->mu);
		c->state = CHUNK_READY;
		if (c->bad) {
			ps->claimed_all = true;
			pthread_cond_broadcast(&ps->space);
		}
		pthread_cond_broadcast(&ps->ready);
		pthread_mutex_unlock(&ps->mu);
	}
}

int pscan_next(struct pscan *ps, struct tdb_event *ev, char *why, size_t len, int64_t *resume_after)
{
	for (;;) {
		struct chunk *c = ps->cur;

		if (c) {
			if (ps->pos < c->n) {
				*ev = c->ev[ps->pos++];
				return 1;
			}
			if (c->bad) {
				snprintf(why, len, "%s", c->why);
				return -1;
			}
			if (c->eof)
				return 0;
			/* The caller's writes stay in the page cache while we read (no spill,
			 * see pscan_start): past the budget, hand the rest of the scan back to
			 * the caller's connection, after this chunk's last row. */
			if (ps->in_write && c->n > 0) {
				int cur = 0, high = 0;

				if (sqlite3_db_status(ps->main, SQLITE_DBSTATUS_CACHE_USED, &cur, &high, 0) ==
				    SQLITE_OK && cur > ps->cache_max) {
					*resume_after = c->ev[c->n - 1].rowid;
					return 2;
				}
			}
			pthread_mutex_lock(&ps->mu);
			c->state = CHUNK_FREE;
			ps->cur = NULL;
			pthread_cond_signal(&ps->space);
			pthread_mutex_unlock(&ps->mu);
		}
		pthread_mutex_lock(&ps->mu);
		for (uint64_t t0 = 0;;) {
			c = NULL;
			for (int i = 0; i < ps->nchunks && !c; i++)
				if (ps->chunks[i].state == CHUNK_READY && ps->chunks[i].seq == ps->want)
					c = &ps->chunks[i];
			if (c) {
				if (t0)
					ps->wait_ns += clock_ns(CLOCK_MONOTONIC) - t0;
				break;
			}
			if (!t0)
				t0 = clock_ns(CLOCK_MONOTONIC);
			pthread_cond_wait(&ps->ready, &ps->mu);
		}
		pthread_mutex_unlock(&ps->mu);
		ps->cur = c;
		ps->pos = 0;
		ps->want++;
	}
}

int pscan_threads(const struct pscan *ps)
{
	return ps->nthreads;
}

/* TLB_SCAN_STATS=1: where the time went, on stderr (bench/b13-replay-parallel.sh). */
static void print_stats(const struct pscan *ps)
{
	const char *s = getenv("TLB_SCAN_STATS");
	double cpu = 0, wait = 0;
	int64_t chunks = 0;

	if (!s || strcmp(s, "1") != 0)
		return;
	for (int i = 0; i < ps->nthreads; i++) {
		cpu += (double)ps->dec[i].cpu_ns / 1e9;
		wait += (double)ps->dec[i].wait_ns / 1e9;
		chunks += ps->dec[i].chunks;
	}
	fprintf(stderr, "tlb scan stats: %d decoders, %lld chunks of %d rows, %.3f s wall; decoders: "
		"%.3f s CPU in all, %.3f s waiting for a free buffer; consumer: %.3f s waiting for "
		"the next chunk\n", ps->nthreads, (long long)chunks, ps->chunk_rows,
		(double)(clock_ns(CLOCK_MONOTONIC) - ps->start_ns) / 1e9, cpu, wait,
		(double)ps->wait_ns / 1e9);
}

void pscan_stop(struct pscan *ps)
{
	bool joined = true;

	if (!ps)
		return;
	pthread_mutex_lock(&ps->mu);
	ps->stop = true;
	pthread_cond_broadcast(&ps->space);
	pthread_mutex_unlock(&ps->mu);
	for (int i = 0; i < ps->nthreads; i++)
		if (ps->dec && ps->dec[i].started)
			pthread_join(ps->dec[i].thread, NULL);
		else
			joined = false;
	if (joined && ps->nthreads > 0)
		print_stats(ps);
	for (int i = 0; ps->dec && i < ps->nthreads; i++) {
		sqlite3_finalize(ps->dec[i].scan);
		sqlite3_finalize(ps->dec[i].seek);
		sqlite3_close(ps->dec[i].db);
	}
	for (int i = 0; ps->chunks && i < ps->nchunks; i++)
		free(ps->chunks[i].ev);
	if (ps->began && sqlite3_exec(ps->main, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		sqlite3_exec(ps->main, "ROLLBACK", NULL, NULL, NULL);
	/* SQLite's own default threshold (1: as many pages as the cache holds), then its
	 * switch as the caller had it */
	if (ps->spill_raised) {
		sqlite3_exec(ps->main, "PRAGMA cache_spill = 1", NULL, NULL, NULL);
		if (ps->old_spill == 0)
			sqlite3_exec(ps->main, "PRAGMA cache_spill = OFF", NULL, NULL, NULL);
	}
	pthread_cond_destroy(&ps->ready);
	pthread_cond_destroy(&ps->space);
	pthread_mutex_destroy(&ps->mu);
	free(ps->chunks);
	free(ps->dec);
	free(ps);
}

struct pscan *pscan_start(const struct tdb *db, sqlite3 *main, const char *path)
{
	long threads = 0, chunk_rows = PSCAN_CHUNK_ROWS;
	int set = env_long("TLB_SCAN_THREADS", 0, PSCAN_MAX_THREADS, &threads);
	struct pscan *ps;
	struct stat id;
	int64_t lo, hi;

	if (set < 0 || (set == 1 && threads < 2))
		return NULL;
	if (set == 0) {
		threads = usable_cpus();
		if (threads < 2)
			return NULL;
		if (threads > PSCAN_AUTO_THREADS)
			threads = PSCAN_AUTO_THREADS;
	}
	if (env_long("TLB_SCAN_CHUNK", 1, PSCAN_MAX_CHUNK_ROWS, &chunk_rows) < 0)
		chunk_rows = PSCAN_CHUNK_ROWS;
	if (!sqlite3_threadsafe() || in_wal_mode(main))
		return NULL;
	ps = calloc(1, sizeof(*ps));
	if (!ps)
		return NULL;
	if (pthread_mutex_init(&ps->mu, NULL) != 0) {
		free(ps);
		return NULL;
	}
	if (pthread_cond_init(&ps->space, NULL) != 0) {
		pthread_mutex_destroy(&ps->mu);
		free(ps);
		return NULL;
	}
	if (pthread_cond_init(&ps->ready, NULL) != 0) {
		pthread_cond_destroy(&ps->space);
		pthread_mutex_destroy(&ps->mu);
		free(ps);
		return NULL;
	}
	ps->db = db;
	ps->main = main;
	ps->chunk_rows = (int)chunk_rows;
	ps->cache_max = PSCAN_CACHE_MAX;
	{
		long v;

		if (env_long("TLB_SCAN_CACHE_MAX", 0, INT32_MAX, &v) == 1)
			ps->cache_max = v;
	}
	if (!sqlite3_get_autocommit(main)) {
		/*
		 * The caller's transaction (tlbreplay --store: BEGIN IMMEDIATE, results written
		 * during the scan) already keeps other writers out. But a page of its writes
		 * spilled to the file before COMMIT would need the exclusive lock, which our
		 * readers' shared locks refuse (and its busy wait would stall them): spilling is
		 * off while the decoders run, so the writes stay in memory, and pscan_next hands
		 * the scan back to the caller's connection when they pass cache_max (checked
		 * at each chunk's end: one chunk's rows can write a few MiB past it).
		 */
		int cur = 0, high = 0;

		ps->in_write = true;
		if (sqlite3_db_status(main, SQLITE_DBSTATUS_CACHE_USED, &cur, &high, 0) != SQLITE_OK ||
		    cur > ps->cache_max)
			goto decline;
		/* A number, not OFF: inside a transaction SQLite applies only the threshold
		 * (in pages) at once, the on/off switch at the next autocommit. */
		if (one_rowid(main, "PRAGMA cache_spill", &lo) != 1)
			goto decline;
		ps->old_spill = (int)lo;
		ps->spill_raised = true;
		if (sqlite3_exec(main, "PRAGMA cache_spill = 2147483647", NULL, NULL, NULL) != SQLITE_OK)
			goto decline;
	} else {
		if (sqlite3_exec(main, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
			goto decline;
		ps->began = true;
	}
	/* the first read takes the lock the transaction keeps until pscan_stop */
	if (rowid_range(main, &lo, &hi) != 1)
		goto decline;	/* empty, or an error the single-thread scan will report */
	if (set == 0 && (uint64_t)hi - (uint64_t)lo < PSCAN_MIN_SPAN - 1)
		goto decline;
	if (stat(path, &id) != 0 || moved(main) || !path_is(path, &id))
		goto decline;
	ps->dec = calloc((size_t)threads, sizeof(*ps->dec));
	ps->nchunks = 2 * (int)threads + 2;
	ps->chunks = calloc((size_t)ps->nchunks, sizeof(*ps->chunks));
	if (!ps->dec || !ps->chunks)
		goto decline;
	for (int i = 0; i < ps->nchunks; i++) {
		ps->chunks[i].ev = malloc(sizeof(struct tdb_event) * (size_t)chunk_rows);
		if (!ps->chunks[i].ev)
			goto decline;
	}
	ps->nthreads = (int)threads;
	for (int i = 0; i < ps->nthreads; i++) {
		ps->dec[i].ps = ps;
		if (open_sibling(ps, &ps->dec[i], path, &id))
			goto decline;
	}
	ps->next_start = lo;
	ps->have_next = true;
	ps->start_ns = clock_ns(CLOCK_MONOTONIC);
	for (int i = 0; i < ps->nthreads; i++) {
		if (pthread_create(&ps->dec[i].thread, NULL, decoder_main, &ps->dec[i]) != 0)
			goto decline;
		ps->dec[i].started = true;
	}
	return ps;
decline:
	pscan_stop(ps);
	return NULL;
}
