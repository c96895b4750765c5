/* SPDX-License-Identifier: MIT */
/* model - names and the cost formula of replay-model.md (see model.h). */
#include "model.h"

const char *const metric_names[NMETRICS] = {
	[M_EVENTS] = "events",
	[M_GUEST_ENTRIES] = "guest_entries",
	[M_HCALLS] = "hcalls",
	[M_FULL_FLUSHES] = "full_flushes",
	[M_TLBIEL_FLUSH] = "tlbiel_flush",
	[M_TLBIEL_INVAL] = "tlbiel_inval",
	[M_LOCAL_SEQS] = "local_seqs",
	[M_TLBIE] = "tlbie",
	[M_TLBIE_SEQS] = "tlbie_seqs",
	[M_CYCLES] = "cycles",
	[M_STALE_EXPOSURES] = "stale_exposures",
};

const char *const cost_names[NCOSTS] = {
	[COST_TLBIEL] = "tlbiel",
	[COST_TLBIE] = "tlbie",
	[COST_TLBSYNC] = "tlbsync",
	[COST_PTESYNC] = "ptesync",
	[COST_EIEIO] = "eieio",
	[COST_LOCK] = "lock",
	[COST_FLUSH_REFILL] = "flush_refill",
	[COST_SETS] = "sets",
};

void model_cost_coefficients(const int64_t m[NMETRICS], int64_t coef[NCOSTS])
{
	int64_t global_seqs = m[M_TLBIE_SEQS];

	coef[COST_TLBIEL] = m[M_TLBIEL_FLUSH] + m[M_TLBIEL_INVAL];
	coef[COST_TLBIE] = m[M_TLBIE];
	coef[COST_TLBSYNC] = global_seqs;
	coef[COST_PTESYNC] = 2 * (m[M_FULL_FLUSHES] + m[M_LOCAL_SEQS] + global_seqs);
	coef[COST_EIEIO] = global_seqs;
	coef[COST_LOCK] = global_seqs;
	coef[COST_FLUSH_REFILL] = m[M_FULL_FLUSHES];
	coef[COST_SETS] = 0;	/* already inside tlbiel_flush */
}

int64_t model_cycles(const int64_t m[NMETRICS], const int64_t cost[NCOSTS])
{
	int64_t coef[NCOSTS], cycles = 0;

	model_cost_coefficients(m, coef);
	for (int k = 0; k < NCOSTS; k++)
		if (k != COST_SETS)
			cycles += coef[k] * cost[k];
	return cycles;
}
