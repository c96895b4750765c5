/* SPDX-License-Identifier: MIT */
/*
 * writeguard - what keeps a capture's trace DB whole when the disk fills.
 *
 * What it owns: the capture's rollback journal in memory (a failed commit
 * rolls back to the last one instead of leaving pages pointing at pages never
 * written) and the reserve, disk space held on the output's filesystem by an
 * unnamed O_TMPFILE file and released for the closing meta. tlbcollect uses
 * both for its one output; the rotation (rotate.c) for every part.
 *
 *   wg_exec()             run SQL, the error text in @err
 *   wg_journal_in_memory() switch a tracewriter's DB to journal_mode MEMORY
 *   wg_reserve_open()     hold WG_RESERVE_BYTES on the filesystem of a path; -1 if not
 *   wg_reserve_release()  give them back (NULL-safe on -1)
 */
#ifndef TLBC_WRITEGUARD_H
#define TLBC_WRITEGUARD_H

#include <stddef.h>

struct tw;
struct sqlite3;

#define WG_RESERVE_BYTES (256 * 1024)

int wg_exec(struct sqlite3 *db, const char *sql, char *err, size_t len);
int wg_journal_in_memory(struct tw *w, char *err, size_t len);
int wg_reserve_open(const char *out);
void wg_reserve_release(int *fd);

#endif
