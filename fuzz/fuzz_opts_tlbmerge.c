// SPDX-License-Identifier: MIT
/*
 * fuzz_opts_tlbmerge.c - libFuzzer target: tlbmerge's option parsing
 * (parse_opts(): --offset, --rate, --vm ...), with the argv a fuzz input
 * spells (fuzz_argv.h).
 */
#include "fuzz_argv.h"
#define main tlbmerge_main
#include "../collector/merge/tlbmerge.c"
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[FUZZ_MAX_ARGS + 2], *buf;
	int argc = fuzz_argv(data, size, "tlbmerge", argv, &buf);
	struct opts o;

	if (argc < 0)
		return 0;
	tlb_prog = "tlbmerge";
	fuzz_getopt_reset();
	if (setjmp(fuzz_exit_jmp) == 0)
		parse_opts(argc, argv, &o);
	free(buf);
	return 0;
}
