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
 *   (enum metric and metric_names[] are common/model.h's)
 *   metrics_add()      a += b
 *   metrics_zero()     is every count zero?
 */
#ifndef TLB_REPLAY_METRICS_H
#define TLB_REPLAY_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"	/* enum metric, metric_names[] */

struct metrics {
	int64_t v[NMETRICS];	/* indexed by enum metric */
};

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
