// SPDX-License-Identifier: MIT
/*
 * fuzz_opts_tlbcollect.c - libFuzzer target: tlbcollect's option parsing
 * (parse_args(), the function main() calls), with the argv a fuzz input
 * spells (fuzz_argv.h). The program's file is included to reach the static
 * function; its main() is renamed and never runs (nothing is loaded).
 */
#include "fuzz_argv.h"
#define main tlbcollect_main
#include "../collector/tlbcollect.c"
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[FUZZ_MAX_ARGS + 2], *buf;
	int argc = fuzz_argv(data, size, "tlbcollect", argv, &buf);
	struct options o;

	if (argc < 0)
		return 0;
	tlb_prog = "tlbcollect";
	fuzz_getopt_reset();
	if (setjmp(fuzz_exit_jmp) == 0 && parse_args(argc, argv, &o) == 0) {
		/* what main() relies on after a successful parse */
		if (!o.list && !o.verify && !o.out)
			abort();
		if (o.duration != 0 && !(o.duration >= MIN_DURATION_S && o.duration <= MAX_DURATION_S))
			abort();
		if (o.npids < 0 || o.npids > MAX_PIDS || o.ring_mb < 1 || o.poll_ms < 1)
			abort();
		if (o.guest && o.kernel_flush)	/* kflush.c is host-only */
			abort();
	}
	free(buf);
	return 0;
}
