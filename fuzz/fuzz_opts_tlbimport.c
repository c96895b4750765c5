// SPDX-License-Identifier: MIT
/*
 * fuzz_opts_tlbimport.c - libFuzzer target: tlbimport's option parsing
 * (parse_opts()), with the argv a fuzz input spells (fuzz_argv.h).
 */
#include "fuzz_argv.h"
#define main tlbimport_main
#include "../collector/import/tlbimport.c"
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[FUZZ_MAX_ARGS + 2], *buf;
	int argc = fuzz_argv(data, size, "tlbimport", argv, &buf);
	struct opts o;

	if (argc < 0)
		return 0;
	tlb_prog = "tlbimport";
	fuzz_getopt_reset();
	if (setjmp(fuzz_exit_jmp) == 0 && parse_opts(argc, argv, &o) == 0) {
		if (!o.input || !o.output || o.threads_per_core < 1 || o.threads_per_core > 64)
			abort();
	}
	free(buf);
	return 0;
}
