/* SPDX-License-Identifier: MIT */
/*
 * writeguard - the journal in memory and the disk reserve of a capture
 * (interface in writeguard.h).
 *
 * Why the journal in memory: tracewriter writes without a rollback journal; a
 * commit that fails half-way (a full disk, a quota, EIO) then leaves pages of
 * the committed state pointing at pages never written (measured on a full
 * tmpfs: "database disk image is malformed"). With the journal in memory SQLite
 * rolls the failed transaction back to the last commit, at no disk cost: an
 * append transaction changes few existing pages (the b-tree's right edge, page
 * 1), and pages past the old end of the file are never journaled. The commit
 * also truncates the file back, and the reserve is released so that the
 * closing meta fits.
 */
#include <fcntl.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tracewriter.h"
#include "writeguard.h"

int wg_exec(sqlite3 *db, const char *sql, char *err, size_t len)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(err, len, "%s", msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -1;
}

/* tw_create() left a transaction open: commit it, switch, open the next. */
int wg_journal_in_memory(struct tw *w, char *err, size_t len)
{
	sqlite3 *db = tw_sqlite(w);
	sqlite3_stmt *st;
	int ok = 0;

	if (wg_exec(db, "COMMIT", err, len))
		return -1;
	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = MEMORY", -1, &st, NULL) == SQLITE_OK) {
		const unsigned char *mode;

		ok = sqlite3_step(st) == SQLITE_ROW && (mode = sqlite3_column_text(st, 0)) &&
		     strcmp((const char *)mode, "memory") == 0;
		sqlite3_finalize(st);
	}
	if (!ok) {
		snprintf(err, len, "SQLite refused journal_mode MEMORY: %s", sqlite3_errmsg(db));
		return -1;
	}
	return wg_exec(db, "BEGIN", err, len);
}

/* -1 when it cannot be had (no O_TMPFILE there, or not even that much space): the
 * capture goes on without it. */
int wg_reserve_open(const char *out)
{
	char *copy = strdup(out);
	int fd = -1;

	if (!copy)
		return -1;
	fd = open(dirname(copy), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	free(copy);
	if (fd >= 0 && posix_fallocate(fd, 0, WG_RESERVE_BYTES) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

void wg_reserve_release(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}
