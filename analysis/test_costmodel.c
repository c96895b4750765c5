/* SPDX-License-Identifier: MIT */
/*
 * test_costmodel - the cost model and the params reader against figures
 * counted by hand (table-driven; ids costmodel-N.M).
 *
 * costmodel-1: cm_cycles on the counts of spec/examples ex1 under the power7
 *   costs of replay-model.md gives the cycles the example states (old
 *   91500, new 45440, oracle 120), whatever the params JSON's nesting.
 * costmodel-2: the sweep lines: a + b x at the stored x equals cm_cycles;
 *   slopes are the counts the swept costs multiply.
 * costmodel-3: crossovers, solved by hand.
 * costmodel-4: params that are not JSON, or lack costs.
 */
#include <math.h>
#include <string.h>

#include "../tests/tap.h"
#include "costmodel.h"
#include "results.h"

struct counts_case {
	const char *id;
	int64_t m[NMETRICS];
	double cycles;			/* stated in spec/examples/ex1-old-per-thread.expected.json */
};

int main(void)
{
	/* events, guest_entries, hcalls, full_flushes, tlbiel_flush, tlbiel_inval,
	 * local_seqs, tlbie, tlbie_seqs, cycles, stale_exposures */
	static const struct counts_case cases[] = {
		{ "old", { 11, 6, 1, 4, 512, 0, 0, 1, 1, 91500, 0 }, 91500 },
		{ "new", { 11, 6, 1, 2, 256, 1, 1, 0, 0, 45440, 0 }, 45440 },
		{ "oracle", { 11, 6, 1, 0, 0, 1, 1, 0, 0, 120, 0 }, 120 },
	};
	static const char *const params[] = {
		/* flat, nested under "costs", and nested with a decoy outside "cost" */
		"{\"tlbiel\":20,\"tlbie\":200,\"tlbsync\":500,\"ptesync\":50,\"eieio\":10,"
		"\"lock\":50,\"flush_refill\":20000,\"sets\":128}",
		"{\"machine\":\"power7\",\"threads_per_core\":4,\"costs\":{\"tlbiel\":20,"
		"\"tlbie\":200,\"tlbsync\":500,\"ptesync\":50,\"eieio\":10,\"lock\":50,"
		"\"flush_refill\":20000,\"sets\":128},\"policies\":[\"old\",\"new\"]}",
		"{\"counts\":{\"tlbie\":99999},\"cost\":{\"tlbiel\":20,\"tlbie\":200,"
		"\"tlbsync\":500,\"ptesync\":50,\"eieio\":10,\"lock\":50,\"flush_refill\":2e4,"
		"\"sets\":128}, \"note\":\"a \\\"quoted\\\" \\u00e9 string\"}",
	};
	char desc[128];

	for (size_t p = 0; p < sizeof params / sizeof params[0]; p++) {
		struct cm_costs c;

		snprintf(desc, sizeof desc, "costmodel-1.%zu.0 params parse", p);
		TAP_OK(desc, cm_costs_from_params(params[p], &c) == 0);
		snprintf(desc, sizeof desc, "costmodel-1.%zu.1 every cost named", p);
		TAP_EQ_I64(desc, (1u << NCOSTS) - 1, c.have);
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			snprintf(desc, sizeof desc, "costmodel-1.%zu.%zu cycles of ex1 %s", p, i + 2,
				 cases[i].id);
			TAP_EQ_I64(desc, cases[i].cycles, llround(cm_cycles(cases[i].m, &c)));
		}
	}

	struct cm_costs c;

	cm_costs_from_params(params[0], &c);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double a, b;

		cm_line(CM_SWEEP_FLUSH_REFILL, cases[i].m, &c, &a, &b);
		snprintf(desc, sizeof desc, "costmodel-2.%zu.1 flush_refill slope = full_flushes (%s)",
			 i, cases[i].id);
		TAP_EQ_I64(desc, cases[i].m[M_FULL_FLUSHES], llround(b));
		snprintf(desc, sizeof desc, "costmodel-2.%zu.2 flush_refill line at 20000 (%s)", i,
			 cases[i].id);
		TAP_EQ_I64(desc, cases[i].cycles, llround(a + b * 20000));
		cm_line(CM_SWEEP_TLBIE_TLBSYNC, cases[i].m, &c, &a, &b);
		/* x = tlbie + tlbsync = 700; tlbie share 2/7, tlbsync 5/7 */
		snprintf(desc, sizeof desc, "costmodel-2.%zu.3 tlbie+tlbsync line at 700 (%s)", i,
			 cases[i].id);
		TAP_EQ_I64(desc, cases[i].cycles, llround(a + b * 700));
		snprintf(desc, sizeof desc, "costmodel-2.%zu.4 tlbie+tlbsync slope x 700 (%s)", i,
			 cases[i].id);
		TAP_EQ_I64(desc, cases[i].m[M_TLBIE] * 200 + cases[i].m[M_TLBIE_SEQS] * 500,
			   llround(b * 700));
	}
	TAP_EQ_I64("costmodel-2.9 x_now tlbie+tlbsync", 700, llround(cm_x_now(CM_SWEEP_TLBIE_TLBSYNC, &c)));
	TAP_EQ_I64("costmodel-2.10 x_now flush_refill", 20000, llround(cm_x_now(CM_SWEEP_FLUSH_REFILL, &c)));

	/* old = 100 + 3x, new = 400 + 1x: equal at x = 150. Parallel: never. Meeting at x<0: never. */
	double x = 0;

	TAP_OK("costmodel-3.1 crossing found", cm_crossover(100, 3, 400, 1, &x));
	TAP_EQ_I64("costmodel-3.2 crossing at 150", 150, llround(x));
	TAP_OK("costmodel-3.3 parallel lines never cross", !cm_crossover(100, 2, 400, 2, &x));
	TAP_OK("costmodel-3.4 a crossing at x < 0 does not count", !cm_crossover(400, 3, 100, 1, &x));

	TAP_OK("costmodel-4.1 not JSON", cm_costs_from_params("{\"tlbie\":", &c) < 0);
	TAP_OK("costmodel-4.2 trailing garbage", cm_costs_from_params("{} x", &c) < 0);
	TAP_OK("costmodel-4.3 bad number", cm_costs_from_params("{\"tlbie\":01}", &c) < 0);
	TAP_OK("costmodel-4.4 empty object parses", cm_costs_from_params("{}", &c) == 0);
	TAP_EQ_I64("costmodel-4.5 and names no cost", 0, c.have);
	return tap_failed();
}
