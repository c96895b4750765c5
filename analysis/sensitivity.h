/* SPDX-License-Identifier: MIT */
/*
 * sensitivity - does the verdict between old and new hold when the cost
 * estimates are wrong?
 *
 * What it owns: for one capture, the two sweeps of the report (tlbie+tlbsync
 * and flush_refill), each as one line cycles = a + b x per chosen run (from
 * costmodel), the value the stored parameters give x, the range plotted,
 * and the crossover of old and new where the cheaper policy changes. It
 * also checks the model against the replay: the cycles recomputed from the
 * stored counts and costs must equal the stored cycles.
 *
 * Interface:
 *   sens_compute()    fill a struct sens for a capture; 0, or -1 (out of memory)
 *   sens_free()       NULL-safe on the lines
 *   sens_cheaper()    "old", "new" or "neither" at x for a sweep (old vs new)
 *
 * Order of calls: sens_compute, reads, sens_free.
 *
 * Range: 0 to @factor times the stored value (the estimates have no
 * published basis; an order of magnitude either way is the honest doubt).
 * When old and new cross beyond that but within 1000 times the stored
 * value, the range is stretched to show the crossing (x_max = 1.25 x_cross)
 * and stretched is set.
 */
#ifndef TLB_SENSITIVITY_H
#define TLB_SENSITIVITY_H

#include <stdbool.h>
#include <stddef.h>

#include "costmodel.h"
#include "results.h"

struct sens_sweep {
	enum cm_sweep_kind kind;	/* which costs move */
	double x_now;			/* the sweep variable at the stored costs */
	double x_max;			/* right end of the range (left end is 0) */
	bool stretched;			/* x_max was widened to show the crossing */
	double *a, *b;			/* per chosen run: cycles = a + b x */
	bool crosses;			/* old and new meet at some x > 0 */
	double x_cross;			/* where (when crosses) */
	bool cross_in_range;		/* x_cross <= x_max */
	const char *below;		/* cheaper of old/new for x < x_cross (or everywhere) */
	const char *above;		/* cheaper for x > x_cross (when crosses) */
};

struct sens {
	bool usable;			/* old and new stored, every cost known */
	char why_not[256];		/* when !usable: what is missing */
	size_t iold, inew;		/* indexes of old and new in capture->runs */
	double ratio_now;		/* cycles old / new at the stored costs */
	double check_err;		/* max |recomputed - stored| cycles over runs */
	int64_t check_run;		/* run with the largest difference */
	struct sens_sweep sweep[CM_NSWEEPS];
};

int sens_compute(const struct rs_capture *c, double factor, struct sens *out);
void sens_free(struct sens *s);
const char *sens_cheaper(const struct sens *s, const struct sens_sweep *w, double x);

#endif
