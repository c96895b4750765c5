/* SPDX-License-Identifier: MIT */
/*
 * reader - the two inputs of tlbimport behind one interface: a trace-cmd
 * trace.dat (datfile.c, through libtracecmd + libtraceevent) and the text of
 * a tracefs `trace` / `trace_pipe` file (textfile.c).
 *
 * Interface:
 *   imp_open()        detect the format from the first bytes and open (NULL + message on bad input)
 *   imp_info()        what the input says about itself (clock, cpus, version, ...)
 *   imp_run()         feed every event to a mapper, in time order; 0, or -1 + message
 *   imp_close()       NULL-safe
 *
 * Call order: open, info, (configure the mapper from info), run, close.
 * Errors name the file and where: a byte offset or a line number.
 */
#ifndef TLB_IMPORT_READER_H
#define TLB_IMPORT_READER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mapper.h"
#include "util.h"

struct imp_info {
	const char *format;		/* "trace.dat" or "tracefs-text" */
	char clock[32];			/* trace clock name, "" if the input does not say */
	bool clock_is_ticks;		/* the input's timestamps are counter ticks */
	int ncpus;			/* cpus the input declares, 0 unknown */
	int file_version;		/* trace.dat version, 0 for text */
	char compression[32];		/* trace.dat compression, "none" */
	bool big_endian;		/* trace.dat recorded on a big-endian machine */
	int long_size;			/* trace.dat: 4 or 8, 0 text */
	char uname[160];		/* trace.dat: uname of the recording machine */
	int64_t header_lost;		/* text: entries-written - entries-in-buffer, -1 unknown */
	int buffers;			/* trace.dat: buffers read (top + instances) */
	int64_t stats_read;		/* trace.dat: sum of the saved cpu stats' "read events", -1 none */
	int64_t stats_lost;		/* trace.dat: sum of their "overrun" + "dropped events" */
};

struct imp_reader;

/* @path "-" reads text from stdin. */
struct imp_reader *imp_open(const char *path, char *err, size_t errlen);
const struct imp_info *imp_info(const struct imp_reader *r);
int imp_run(struct imp_reader *r, struct imp_map *m, struct progress *p, char *err, size_t errlen);
void imp_close(struct imp_reader *r);

/* The two formats (reader.c dispatches). */
struct imp_reader *imp_open_dat(const char *path, char *err, size_t errlen);
struct imp_reader *imp_open_text(FILE *f, const char *path, char *err, size_t errlen);

#endif
