/* SPDX-License-Identifier: MIT */
/*
 * outdir - where a report is written, without writing anywhere else.
 *
 * What it owns: the output directory's life. Users run tlbreport as root in
 * directories others can write (/tmp), so nothing may be written through a
 * link someone planted, and nothing of someone else's may be replaced:
 *   - the parent of the output directory must exist (no parent is created);
 *   - the report is built in a fresh private directory made with mkdtemp()
 *     beside the target (PARENT/.tlbreport-XXXXXX, mode 0700); every file in
 *     it is created with O_CREAT|O_EXCL|O_NOFOLLOW, and gnuplot runs in it;
 *   - it lists what it holds in .tlbreport-manifest, the mark of a report of
 *     ours;
 *   - then it takes the target's place: renamed there (renameat2
 *     RENAME_NOREPLACE) when the target does not exist, or moved in entry by
 *     entry with RENAME_NOREPLACE when the target is an empty directory of
 *     the invoking user, or, with --force, a directory of the invoking user
 *     holding our manifest: the files that manifest lists are removed first
 *     (unlinkat, never following a link; anything else in it is kept).
 *   - An existing target that is a link, not a directory, not the invoking
 *     user's, or a non-empty directory without our manifest, is refused; an
 *     earlier report of ours without --force is refused too.
 *   A failure anywhere removes the private directory and leaves the target
 *   as it was.
 *
 * Interface:
 *   od_begin()   check the target and make the private directory; exit code (0, 1, 2)
 *   od_mkdir()   a fresh subdirectory (never an existing one)
 *   od_fopen()   a fresh file for writing (O_EXCL|O_NOFOLLOW), or NULL with errno
 *   od_open_fd() the same as a file descriptor, for a child's output
 *   od_commit()  manifest, then into place; 0 or -1 with a message
 *   od_abort()   remove the private directory (after a failure)
 *
 * Order of calls: od_begin, writes under od->tmp, od_commit or od_abort.
 */
#ifndef TLB_OUTDIR_H
#define TLB_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define OD_MANIFEST ".tlbreport-manifest"

struct outdir {
	char target[4096];		/* the directory the user named */
	char tmp[4096];			/* the private directory we build in */
	bool exists;			/* target existed (empty, or ours with --force) */
	bool made;			/* tmp was created */
};

int od_begin(struct outdir *od, const char *target, bool force, char *err, size_t errlen);
int od_mkdir(const char *path);
FILE *od_fopen(const char *path);
int od_open_fd(const char *path);
int od_commit(struct outdir *od, char *err, size_t errlen);
void od_abort(struct outdir *od);

#endif
