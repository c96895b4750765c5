// SPDX-License-Identifier: MIT
/*
 * fuzz_import.c - libFuzzer target for tlbimport's readers (make fuzz).
 *
 * Each input is written to a memfd and opened by path (/proc/self/fd/N), as
 * tlbimport opens a file: the format is detected from its first bytes, so one
 * target covers the trace.dat reader (libtracecmd + our field access) and the
 * tracefs text parser, and both feed the real mapper. Rows go to a counting
 * sink instead of SQLite: the writer is not what is fuzzed, and speed is.
 * Corpus: the trace.dat and text samples of samples/tracedat (fuzz/run.sh copies them).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "reader.h"

static int64_t rows;

static int count_event(void *ctx, int64_t ts, int64_t cpu, int64_t vm, int64_t vcpu, int kind,
		       const int64_t *a, int nargs)
{
	(void)ctx; (void)ts; (void)cpu; (void)vm; (void)vcpu; (void)kind; (void)a; (void)nargs;
	rows++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[512];
	int fd = memfd_create("fuzz", 0);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct imp_reader *r = imp_open(path, err, sizeof(err));

	if (r) {
		const struct imp_info *in = imp_info(r);
		struct imp_options o = { .guest = size & 1, .ticks = in->clock_is_ticks,
					 .timebase_hz = 512000000, .bulk_n_unknown = 4 };
		struct imp_sink sink = { count_event, NULL, NULL, NULL };
		struct imp_map *m = imp_map_init(&o, &sink);

		if (m) {
			if (imp_run(r, m, NULL, err, sizeof(err)) == 0)
				imp_map_finish(m);
			imp_map_free(m);
		}
		imp_close(r);
	}
	close(fd);
	return 0;
}
