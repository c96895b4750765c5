/* SPDX-License-Identifier: MIT */
/*
 * scratchdb.h - scratch SQLite files for the C test programs that build their own
 * trace DBs with SQL (tracedb_test, pscan_test): the scratch directory given on the
 * command line, paths in it, and SQL run on a file.
 *   scratch_main()  the usage check and the directory: 0, or the exit status
 *   path_in()       DIR/NAME (four buffers in turn: up to four paths in one call)
 *   sql()           run @text on @path (no fsync); the SQLite result code
 */
#ifndef TLB_SCRATCHDB_H
#define TLB_SCRATCHDB_H
#include <sqlite3.h>
#include <stdio.h>

static char scratch_dir[512];

static inline int scratch_main(int argc, char **argv, const char *prog)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s SCRATCH_DIR\n", prog);
		return 2;
	}
	snprintf(scratch_dir, sizeof(scratch_dir), "%s", argv[1]);
	return 0;
}

static inline const char *path_in(const char *name)
{
	static char buf[4][600];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", scratch_dir, name);
	return buf[k];
}

static inline int sql(const char *path, const char *text)
{
	sqlite3 *db;
	int rc = sqlite3_open(path, &db);

	/* no fsync: scratch files */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA synchronous = OFF", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, text, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		printf("# sql on %s: %s\n", path, sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc;
}
#endif
