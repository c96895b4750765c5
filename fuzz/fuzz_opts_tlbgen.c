// SPDX-License-Identifier: MIT
/*
 * fuzz_opts_tlbgen.c - libFuzzer target: tlbgen's option parsing
 * (parse_args(): --start-time, --mix, the workload numbers ...), with the
 * argv a fuzz input spells (fuzz_argv.h).
 */
#include "fuzz_argv.h"
#define main tlbgen_main
#include "../generator/tlbgen.c"
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[FUZZ_MAX_ARGS + 2], *buf;
	int argc = fuzz_argv(data, size, "tlbgen", argv, &buf);
	struct gen_args a;

	if (argc < 0)
		return 0;
	tlb_prog = "tlbgen";
	fuzz_getopt_reset();
	if (setjmp(fuzz_exit_jmp) == 0 && parse_args(argc, argv, &a) < 0) {
		/* what main relies on: a start time is ours and whole; options only */
		if (a.p.start_time && (a.p.start_time != a.start_time ||
				       strnlen(a.start_time, sizeof(a.start_time)) == sizeof(a.start_time)))
			abort();
		if (optind != argc || (a.p.events <= 0 && a.p.events != -1))
			abort();
	}
	free(buf);
	return 0;
}
