/* SPDX-License-Identifier: MIT */
/*
 * reader_impl.h - what reader.c, datfile.c and textfile.c share: the reader
 * object and each format's run/free. Private to collector/import.
 */
#ifndef TLB_IMPORT_READER_IMPL_H
#define TLB_IMPORT_READER_IMPL_H

#include "reader.h"

struct text_state;
struct dat_state;

struct imp_reader {
	struct imp_info info;
	const char *path;		/* for messages */
	FILE *f;			/* text input (owned), NULL for trace.dat */
	struct text_state *text;	/* text: names, the line read ahead */
	struct dat_state *dat;		/* trace.dat: libtracecmd handles */
	int64_t line;			/* text: lines read */
	int64_t offset;			/* text: bytes read */
	uint64_t last_ts;		/* raw ts of the last event (for lost markers) */
};

int text_run(struct imp_reader *r, struct imp_map *m, struct progress *p, char *err, size_t errlen);
void text_free(struct text_state *ts);
int dat_run(struct imp_reader *r, struct imp_map *m, struct progress *p, char *err, size_t errlen);
void dat_free(struct dat_state *ds);
/* datcheck.c: the layout of the trace.dat in @f (@size bytes) before libtracecmd trusts it. */
int dat_check(FILE *f, uint64_t size, char *err, size_t errlen);

#endif
