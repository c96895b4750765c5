/* SPDX-License-Identifier: MIT */
/*
 * reportdb - opening a trace DB that came from another host, for reading its
 * stored results, without trusting its schema.
 *
 * What it owns: the one place tlbreport opens SQLite files (the loader and
 * the hazard list both read through the handle it returns). A trace DB is
 * hostile input: its schema can carry triggers, views named like the tables
 * we read (an endless recursive `meta`), functions in generated columns or
 * defaults. So the handle is opened read-only with SQLITE_DBCONFIG_DEFENSIVE
 * on and SQLITE_DBCONFIG_TRUSTED_SCHEMA off (no SQL function with side
 * effects runs from the schema), and before anything is read the schema is
 * checked: every table tlbreport reads must be an ordinary table (not a view,
 * not a virtual table), and no trigger may sit on one; the first offender is
 * refused by name. Then: tables meta, vm, event_kind and event exist, and
 * meta says schema_version 1.
 *
 * WAL: a DB in WAL mode needs its -shm file; in a directory we cannot write,
 * SQLite cannot make one and says only "unable to open database file". When
 * the file's header says WAL and no -wal file holds unmerged changes, the DB
 * is opened with immutable=1 (nothing can be missed: every page is in the
 * main file); otherwise the message says what is wrong and what to do.
 *
 * Interface:
 *   rdb_open()   the checked handle, or NULL with "why" in @err and *@code 1 or 2
 *   rdb_close()  NULL-safe
 *   rdb_attach() the same file attached read-only (mode=ro URI, the same WAL rule) to a
 *                connection of ours under @name (ours: [a-z_] only, never from a file),
 *                then the same schema checks on that schema; 0, or -1 with "why" and
 *                *@code (detached again). The connection must have been opened with
 *                SQLITE_OPEN_URI, DEFENSIVE on and TRUSTED_SCHEMA off (fleetdb.c).
 *   rdb_detach() DETACH @name (errors ignored: nothing to undo)
 */
#ifndef TLB_REPORTDB_H
#define TLB_REPORTDB_H

#include <stdbool.h>
#include <stddef.h>

struct sqlite3;

/* The tables tlbreport reads (the last one only with --events); checked at open. */
extern const char *const rdb_tables[];
extern const size_t rdb_ntables;

struct sqlite3 *rdb_open(const char *path, int *code, char *err, size_t errlen);
void rdb_close(struct sqlite3 *db);
int rdb_attach(struct sqlite3 *db, const char *path, const char *name, int *code, char *err,
	       size_t errlen);
void rdb_detach(struct sqlite3 *db, const char *name);

#endif
