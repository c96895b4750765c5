/* SPDX-License-Identifier: MIT */
/*
 * costmodel - cycles as a linear function of the machine's costs, and the
 * cost sensitivity sweeps of the report.
 *
 * What it owns: reading the costs in force from a run's params JSON, and
 * the sweeps: how the cycles of each policy
 * move when one cost (or a pair of costs) moves, and where the verdict
 * between two policies flips.
 *
 * Interface:
 *   cm_costs_from_params()  the costs named in a params JSON; 0 or -1 (not JSON)
 *   cm_coefficients()       per-cost multipliers of a row of counts
 *   cm_cycles()             cycles of a row of counts under given costs
 *   cm_line()               cycles = a + b * x when a sweep sets its costs from x
 *   cm_crossover()          x where two lines meet, if it is positive
 *
 * Order of calls: any; all are pure functions.
 *
 * The formula is common/model.h's (the replay computes its cycles with the
 * same coefficients): each cost multiplies one count or a sum of counts, and
 * no policy decision depends on a cost, so a sweep needs the stored counts,
 * never another replay.
 *
 * A sweep sets some costs from one variable x: cost_k = w_k x, the other
 * costs staying as stored. Then cycles(x) = a + b x with a = the cycles with
 * the swept costs at 0 and b = sum of coefficient_k w_k. The "tlbie+tlbsync"
 * sweep keeps the stored ratio between the two (x = tlbie + tlbsync); the
 * "flush_refill" sweep sets flush_refill = x.
 */
#ifndef TLB_COSTMODEL_H
#define TLB_COSTMODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"	/* enum cost_id, cost_names[], the formula */



struct cm_costs {
	double v[NCOSTS];		/* cycles (sets: a count), indexed by enum cost_id */
	unsigned have;			/* bit k set when params named cost k */
};

/* All costs that enter the cycles (every one but sets). */
#define CM_CYCLE_COSTS (((1u << NCOSTS) - 1) & ~(1u << COST_SETS))

enum cm_sweep_kind {
	CM_SWEEP_TLBIE_TLBSYNC,		/* x = tlbie + tlbsync, their stored ratio kept */
	CM_SWEEP_FLUSH_REFILL,		/* x = flush_refill */
	CM_NSWEEPS,
};

extern const char *const cm_sweep_names[CM_NSWEEPS];	/* "tlbie+tlbsync", "flush_refill" */

/*
 * cm_costs_from_params - find the costs in a params JSON object. A cost is
 * any number whose key is a cost name (tlbie, flush_refill, ...), at any
 * depth; a number under a key path containing "cost" wins over one that is
 * not. Returns 0, or -1 when @json is not valid JSON.
 */
int cm_costs_from_params(const char *json, struct cm_costs *out);

/* cm_coefficients - @coef[k] = what cost k multiplies in the counts @m (rs_row.m). */
void cm_coefficients(const int64_t *m, double coef[NCOSTS]);

/* cm_cycles - the cycles of counts @m under @c. */
double cm_cycles(const int64_t *m, const struct cm_costs *c);

/* cm_x_now - the value of the sweep variable under @c. */
double cm_x_now(enum cm_sweep_kind kind, const struct cm_costs *c);

/* cm_line - cycles(x) = *a + *b * x for counts @m under @c, sweep @kind. */
void cm_line(enum cm_sweep_kind kind, const int64_t *m, const struct cm_costs *c,
	     double *a, double *b);

/*
 * cm_crossover - the x > 0 where a1 + b1 x = a2 + b2 x. Returns true with
 * *@x set, false when the lines are parallel or meet at x <= 0.
 */
bool cm_crossover(double a1, double b1, double a2, double b2, double *x);

#endif
