/* SPDX-License-Identifier: MIT */
/* acc - checked totals of a policy (see acc.h). */
#include "acc.h"

#include <string.h>

int acc_costs(struct acc *a, const struct machine *m)
{
	const int64_t *k = m->cost;
	int64_t two_ptesync, x;
	bool bad = false;

	memset(a, 0, sizeof(*a));
	a->sets = k[COST_SETS];
	a->tlbiel_cost = k[COST_TLBIEL];
	a->tlbie_cost = k[COST_TLBIE];
	bad |= __builtin_mul_overflow(k[COST_PTESYNC], 2, &two_ptesync);
	a->local_base = two_ptesync;
	bad |= __builtin_mul_overflow(k[COST_SETS], k[COST_TLBIEL], &x);
	bad |= acc_add(&x, two_ptesync);
	bad |= acc_add(&x, k[COST_FLUSH_REFILL]);
	a->flush_cost = x;
	x = k[COST_LOCK];
	bad |= acc_add(&x, two_ptesync);
	bad |= acc_add(&x, k[COST_EIEIO]);
	bad |= acc_add(&x, k[COST_TLBSYNC]);
	a->global_base = x;
	/* one global sequence of the largest hcall n (4) must fit as well */
	bad |= __builtin_mul_overflow(k[COST_TLBIE], 4, &x) || acc_add(&x, a->global_base);
	return bad ? -1 : 0;
}
