/* SPDX-License-Identifier: MIT */
/*
 * model - the vocabulary of replay-model.md shared by the replay and the report:
 * the metric names (JSON keys, CSV header, replay_total / replay_series columns),
 * the machine cost names (--cost NAME=V, params JSON), and the one statement of
 * how the costs turn counts into cycles.
 *
 * Interface:
 *   metric_names[], cost_names[]   the names, in the spec's order
 *   model_cost_coefficients()      what count each cost multiplies
 *   model_cycles()                 cycles of a row of counts under integer costs
 *
 * The formula (replay-model.md, "Sequences and their cost"): a full flush is
 * ptesync + sets x tlbiel + ptesync + flush_refill; a local sequence of n is
 * ptesync + n x tlbiel + ptesync; a global one lock + ptesync + n x tlbie + eieio
 * + tlbsync + ptesync. Summed over a run, each cost appears once per count it
 * multiplies (sets only through tlbiel_flush). No policy decision depends on a
 * cost, so cycles are linear in the costs: the report sweeps them from stored
 * counts with these same coefficients, and never replays again.
 */
#ifndef TLB_MODEL_H
#define TLB_MODEL_H

#include <stdint.h>

enum metric {
	M_EVENTS,		/* events of the VM, every kind the replay knows */
	M_GUEST_ENTRIES,	/* guest_enter events */
	M_HCALLS,		/* hcall events, invalidating or not */
	M_FULL_FLUSHES,		/* full TLB flushes of one core for one VM */
	M_TLBIEL_FLUSH,		/* tlbiel issued by those flushes (sets each) */
	M_TLBIEL_INVAL,		/* tlbiel issued by local invalidation sequences */
	M_LOCAL_SEQS,		/* local (tlbiel) invalidation sequences */
	M_TLBIE,		/* tlbie broadcasts */
	M_TLBIE_SEQS,		/* global (tlbie) sequences */
	M_CYCLES,		/* modeled cost, from the counts above */
	M_STALE_EXPOSURES,	/* entries on a stale core with no flush on that entry */
	NMETRICS,
};

enum cost_id {
	COST_TLBIEL,
	COST_TLBIE,
	COST_TLBSYNC,
	COST_PTESYNC,
	COST_EIEIO,
	COST_LOCK,
	COST_FLUSH_REFILL,
	COST_SETS,		/* sets per full flush: a count, not cycles */
	NCOSTS,
};

extern const char *const metric_names[NMETRICS];
extern const char *const cost_names[NCOSTS];

/* model_cost_coefficients - @coef[k] = the count cost k multiplies in @m (0 for sets). */
void model_cost_coefficients(const int64_t m[NMETRICS], int64_t coef[NCOSTS]);

/* model_cycles - sum over costs of coefficient x @cost[k] (cost[COST_SETS] unused). */
int64_t model_cycles(const int64_t m[NMETRICS], const int64_t cost[NCOSTS]);

#endif
