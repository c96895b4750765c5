/* SPDX-License-Identifier: MIT */
/*
 * metrics - the counts replay-model.md names, in its order.
 *
 * One struct metrics per (policy, VM) total, per (policy, VM) open series
 * bucket, and for each "all" row. The names are the contract: JSON keys, CSV
 * header, DB columns of replay_total / replay_series. M_CYCLES is filled by
 * machine_cycles() from the other counts when a row is emitted, since cycles
 * are linear in the counts and no decision depends on them.
 *
 * Interface:
 *   metric_names[]     the names, in order
 *   metrics_add()      a += b
 *   metrics_zero()     is every count zero?
 */
#ifndef TLB_REPLAY_METRICS_H
#define TLB_REPLAY_METRICS_H

#include <stdbool.h>
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

struct metrics {
	int64_t v[NMETRICS];	/* indexed by enum metric */
};

extern const char *const metric_names[NMETRICS];

static inline void metrics_add(struct metrics *a, const struct metrics *b)
{
	for (int i = 0; i < NMETRICS; i++)
		a->v[i] += b->v[i];
}

static inline bool metrics_zero(const struct metrics *m)
{
	for (int i = 0; i < NMETRICS; i++)
		if (m->v[i])
			return false;
	return true;
}

#endif
