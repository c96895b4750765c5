// SPDX-License-Identifier: MIT
/*
 * reader.c - opens an input of tlbimport and dispatches to its format.
 *
 * What it owns: the format decision. A trace.dat starts with the bytes
 * 0x17 0x08 0x44 "tracing" (trace-cmd's magic); anything else is read as
 * tracefs text, which textfile.c refuses when it is not. An empty input is
 * bad input, and so is a SQLite file (a trace DB already: nothing to
 * import), a directory, a missing file. A trace.dat's layout is checked (datcheck.c) before libtracecmd
 * opens it. Interface: reader.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reader_impl.h"
#include "tracedb.h"

static const unsigned char dat_magic[10] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g' };
static const unsigned char sqlite_magic[16] = "SQLite format 3";	/* with its NUL */

struct imp_reader *imp_open(const char *path, char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	unsigned char head[16];
	struct stat sb;
	size_t got;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, errno == ENOENT ? "no such file" : strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: a directory, not a trace.dat or a tracefs text file", path);
		fclose(f);
		return NULL;
	}
	got = fread(head, 1, sizeof(dat_magic), f);
	if (got == sizeof(dat_magic) && f != stdin)
		got += fread(head + got, 1, sizeof(head) - got, f);
	if (got >= sizeof(dat_magic) && !memcmp(head, sqlite_magic, got)) {	/* stdin: 10 bytes */
		char why[256];
		struct tdb *db = f != stdin ? tdb_open(path, TDB_READONLY, why, sizeof(why)) : NULL;

		if (db || f == stdin)
			snprintf(err, errlen, "%s: already a trace DB%s: nothing to import (tlbreplay "
				 "reads it as it is)", path, db ? "" : " (a SQLite file)");
		else
			snprintf(err, errlen, "%s: a SQLite file but not a trace DB, and not a trace.dat "
				 "or tracefs text", path);
		tdb_close(db);
		if (f != stdin)
			fclose(f);
		return NULL;
	}
	if (got == 0) {
		snprintf(err, errlen, "%s: empty file (0 bytes): not a trace", path);
		if (f != stdin)
			fclose(f);
		return NULL;
	}
	if (got >= sizeof(dat_magic) && !memcmp(head, dat_magic, sizeof(dat_magic)) && f != stdin) {
		struct stat sb;
		char why[256];

		/* what libtracecmd would trust unchecked (datcheck.c) */
		if (fstat(fileno(f), &sb) != 0 || dat_check(f, (uint64_t)sb.st_size, why, sizeof(why))) {
			snprintf(err, errlen, "%s: not a valid trace.dat: %s", path, why);
			fclose(f);
			return NULL;
		}
		fclose(f);
		return imp_open_dat(path, err, errlen);
	}
	if (got >= 3 && !memcmp(head, dat_magic, 3)) {
		snprintf(err, errlen, "%s: byte 3: a trace.dat magic with a bad signature%s", path,
			 f == stdin ? " (trace.dat cannot be read from stdin)" : "");
		if (f != stdin)
			fclose(f);
		return NULL;
	}
	if (f == stdin) {	/* cannot seek a pipe: put the bytes back one by one */
		for (size_t i = got; i > 0; i--)
			if (ungetc(head[i - 1], f) == EOF) {
				snprintf(err, errlen, "%s: cannot re-read the first bytes", path);
				return NULL;
			}
	} else {
		rewind(f);
	}
	return imp_open_text(f, path, err, errlen);
}

const struct imp_info *imp_info(const struct imp_reader *r)
{
	return &r->info;
}

int imp_run(struct imp_reader *r, struct imp_map *m, struct progress *p, char *err, size_t errlen)
{
	return r->dat ? dat_run(r, m, p, err, errlen) : text_run(r, m, p, err, errlen);
}

void imp_close(struct imp_reader *r)
{
	if (!r)
		return;
	if (r->f && r->f != stdin)
		fclose(r->f);
	text_free(r->text);
	dat_free(r->dat);
	free(r);
}
