// SPDX-License-Identifier: MIT
/*
 * fuzz_opts_tlbreplay.c - libFuzzer target: tlbreplay's option parsing
 * (parse_args(): --policy, --machine and --threads-per-core lists, --cost, --option, --vm/--vcpu,
 * --from/--to, --bucket-ms ...), with the argv a fuzz input spells
 * (fuzz_argv.h).
 */
#include "fuzz_argv.h"
#define main tlbreplay_main
#include "../replay/tlbreplay.c"
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[FUZZ_MAX_ARGS + 2], *buf;
	int argc = fuzz_argv(data, size, "tlbreplay", argv, &buf);
	struct engine_config cfg;
	struct replay_filter filter;
	struct replay_args a;

	if (argc < 0)
		return 0;
	tlb_prog = "tlbreplay";
	memset(&cfg, 0, sizeof(cfg));
	filter_init(&filter);
	replay_options_default(&cfg.opt);
	fuzz_getopt_reset();
	if (setjmp(fuzz_exit_jmp) == 0 && parse_args(argc, argv, &cfg, &filter, &a) < 0) {
		/* what main relies on */
		if (!a.path || cfg.npol < 1 || cfg.npol > MAX_POLICIES || a.bucket_ns < 0)
			abort();
		/* the settings (-m x -t): known machines and T 1..64, none repeated;
		 * a timeline only with one setting */
		if (a.set.nprof < 1 || a.set.nprof > SETTINGS_MAX_MACHINES ||
		    a.set.nthreads < 0 || a.set.nthreads > SETTINGS_MAX_THREADS ||
		    (a.timeline_path && settings_count(&a.set) != 1))
			abort();
		for (int i = 0; i < a.set.nprof; i++)
			for (int j = 0; j <= i; j++)
				if (!a.set.prof[i] || (j < i && a.set.prof[i] == a.set.prof[j]))
					abort();
		for (int i = 0; i < a.set.nthreads; i++)
			for (int j = 0; j <= i; j++)
				if (a.set.threads[i] < 1 || a.set.threads[i] > 64 ||
				    (j < i && a.set.threads[i] == a.set.threads[j]))
					abort();
		if ((a.store && filter_active(&filter)) || (filter.window && filter.from >= filter.to))
			abort();
		for (int i = 0; i < cfg.npol; i++)
			for (int j = 0; j < i; j++)
				if (!cfg.pol[i] || cfg.pol[i] == cfg.pol[j])
					abort();
	}
	filter_free(&filter);
	free(buf);
	return 0;
}
