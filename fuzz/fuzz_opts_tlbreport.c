// SPDX-License-Identifier: MIT
/*
 * fuzz_opts_tlbreport.c - libFuzzer target: tlbreport's option parsing
 * (parse_args(): parse_runs, parse_policies, parse_count, --sweep-factor
 * ...), with the argv a fuzz input spells (fuzz_argv.h). Whatever it
 * returns, o.policy_buf is all it leaves to free (LeakSanitizer checks).
 */
#include "fuzz_argv.h"
#define main tlbreport_main
#include "../analysis/tlbreport.c"
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[FUZZ_MAX_ARGS + 2], *buf;
	int argc = fuzz_argv(data, size, "tlbreport", argv, &buf);
	struct options o = { 0 };

	if (argc < 0)
		return 0;
	tlb_prog = "tlbreport";
	fuzz_getopt_reset();
	if (setjmp(fuzz_exit_jmp) == 0 && parse_args(argc, argv, &o) < 0) {
		/* what main relies on */
		if (optind >= argc || (!o.fleet && (size_t)(argc - optind) > MAX_CAPTURES))
			abort();
		if (o.fleet && (o.nrun_ids || o.events))	/* --fleet: stored results only */
			abort();
		if (o.nrun_ids > 16 || o.npolicies > 16 || (o.nrun_ids && argc - optind > 1))
			abort();
		if (!(o.sweep_factor >= 1.0 && o.sweep_factor <= 1e6) || o.hazards < 0 ||
		    o.max_points < 2 || o.max_vms < 1 || o.jobs < 1 || o.jobs > 1000000)
			abort();
		for (size_t i = 0; i < o.npolicies; i++)
			if (!*o.policies[i])
				abort();
	}
	free(o.policy_buf);
	free(buf);
	return 0;
}
