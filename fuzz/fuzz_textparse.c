// SPDX-License-Identifier: MIT
/*
 * fuzz_textparse.c - libFuzzer target: the small text formats the programs
 * read from their command lines and from trace DBs, each through the
 * function the program calls. The first byte picks the parser, the rest is
 * the text (NUL-terminated):
 *   0  tlbgen --mix LIST            workload_set_mix(), then workload_check()
 *   1  tlbreplay --option NAME=0|1  replay_option_set()
 *   2  tlbreplay --cost NAME=V      machine_set_cost() on the power8 profile
 *   3  tlbreplay --machine NAME     machine_profile()
 *   4  tlbreport: replay_run.params (JSON from the DB)  json_scan_numbers()
 *   5  tlbreport: the costs in those params             cm_costs_from_params()
 *   6  hcall names (--mix, tlbimport's text)            hcall_by_name()
 *   7  numbers of every option: parse_i64, parse_u64, parse_double
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "costmodel.h"
#include "hcall.h"
#include "jsonscan.h"
#include "machine.h"
#include "options.h"
#include "util.h"
#include "workload.h"

static void number(void *ctx, const char *path, double v)
{
	(void)ctx;
	(void)v;
	if (!path)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512], *s;

	if (size < 1)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	tlb_prog = "fuzz";
	switch (data[0] % 8) {
	case 0: {
		struct workload w;

		workload_defaults(&w);
		if (workload_set_mix(&w, s, err, sizeof(err)) == 0)
			(void)workload_check(&w, err, sizeof(err));
		break;
	}
	case 1: {
		struct replay_options o;

		replay_options_default(&o);
		(void)replay_option_set(&o, s);
		break;
	}
	case 2: {
		const struct machine *p = machine_profile("power8");

		if (p) {
			struct machine m = *p;

			(void)machine_set_cost(&m, s);
		}
		break;
	}
	case 3:
		(void)machine_profile(s);
		break;
	case 4:
		(void)json_scan_numbers(s, number, NULL);
		break;
	case 5: {
		struct cm_costs c;

		(void)cm_costs_from_params(s, &c);
		break;
	}
	case 6:
		(void)hcall_by_name(s);
		break;
	default: {
		int64_t i;
		uint64_t u;
		double d;

		(void)parse_i64(s, &i);
		(void)parse_u64(s, &u);
		(void)parse_double(s, &d);
		break;
	}
	}
	free(s);
	return 0;
}
