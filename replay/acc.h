/* SPDX-License-Identifier: MIT */
/*
 * acc - one policy's running totals over all VMs, checked for int64 overflow.
 *
 * What it owns: the guarantee that no count, no cycle figure and no sum over
 * VMs of a replay ever wraps (issue 9 item 8). Every sequence a policy issues
 * is added here first, with overflow checks, and only then to the VM's own
 * counts. A VM's counts, a series bucket and every "all" row are sums of
 * non-negative parts of these totals, so when the totals fit in int64 every
 * one of them does, and so does each term and partial sum of model_cycles()
 * (common/model.c): the totals also keep the two coefficients it doubles or
 * adds (tlbiel_flush + tlbiel_inval, 2 x sequences) and the cycles themselves,
 * computed as the sequences happen. An overflow sets a sticky flag; the engine
 * tests it after each event and refuses the row that caused it (exit 2).
 *
 * Interface:
 *   acc_costs()    the per-sequence constants from a machine; -1 when one
 *                  sequence alone costs more than int64 (the costs are unusable)
 *   acc_flush()    a full flush
 *   acc_local()    a local sequence of n
 *   acc_global()   @seqs global sequences of @n each
 */
#ifndef TLB_REPLAY_ACC_H
#define TLB_REPLAY_ACC_H

#include <stdbool.h>
#include <stdint.h>

#include "machine.h"
#include "metrics.h"

struct acc {
	int64_t v[NMETRICS];	/* totals over all VMs (M_CYCLES kept as it goes) */
	int64_t tlbiel;		/* tlbiel_flush + tlbiel_inval: model_cycles' tlbiel coefficient */
	int64_t ptesync;	/* 2 x (full flushes + local seqs + global seqs) */
	bool overflow;		/* a total went past INT64_MAX: the run is refused */
	/* per-sequence constants (acc_costs) */
	int64_t sets, tlbiel_cost, tlbie_cost;
	int64_t flush_cost;	/* 2 ptesync + sets x tlbiel + flush_refill */
	int64_t local_base;	/* 2 ptesync */
	int64_t global_base;	/* lock + 2 ptesync + eieio + tlbsync */
};

int acc_costs(struct acc *a, const struct machine *m);

static inline bool acc_add(int64_t *x, int64_t d)
{
	return __builtin_add_overflow(*x, d, x);
}

/* 0 if added, -1 on overflow (the flag is set, the totals are then meaningless). */
static inline int acc_flush(struct acc *a)
{
	if (acc_add(&a->v[M_FULL_FLUSHES], 1) | acc_add(&a->v[M_TLBIEL_FLUSH], a->sets) |
	    acc_add(&a->tlbiel, a->sets) | acc_add(&a->ptesync, 2) |
	    acc_add(&a->v[M_CYCLES], a->flush_cost))
		return a->overflow = true, -1;
	return 0;
}

static inline int acc_local(struct acc *a, int64_t n)
{
	int64_t c;

	if (__builtin_mul_overflow(n, a->tlbiel_cost, &c) | acc_add(&c, a->local_base) |
	    acc_add(&a->v[M_TLBIEL_INVAL], n) | acc_add(&a->v[M_LOCAL_SEQS], 1) |
	    acc_add(&a->tlbiel, n) | acc_add(&a->ptesync, 2) | acc_add(&a->v[M_CYCLES], c))
		return a->overflow = true, -1;
	return 0;
}

static inline int acc_global(struct acc *a, int64_t seqs, int64_t n)
{
	int64_t c, tl, ps;

	if (__builtin_mul_overflow(n, a->tlbie_cost, &c) | acc_add(&c, a->global_base) |
	    __builtin_mul_overflow(c, seqs, &c) | __builtin_mul_overflow(n, seqs, &tl) |
	    __builtin_mul_overflow(seqs, 2, &ps) |
	    acc_add(&a->v[M_TLBIE], tl) | acc_add(&a->v[M_TLBIE_SEQS], seqs) |
	    acc_add(&a->ptesync, ps) | acc_add(&a->v[M_CYCLES], c))
		return a->overflow = true, -1;
	return 0;
}

#endif
