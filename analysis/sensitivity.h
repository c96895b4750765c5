/* SPDX-License-Identifier: MIT */
/*
 * sensitivity - does the verdict hold when the cost estimates are wrong?
 *
 * What it owns: for one capture, the two sweeps of the report (tlbie+tlbsync
 * and flush_refill), each as one line cycles = a + b x per chosen run (from
 * costmodel), the value the stored parameters give x, the range plotted,
 * and, over that range, which SAFE policy is the cheapest: the lower
 * envelope of the candidates' lines, as segments [from, to] each with its
 * cheapest policy, the flip points between them. A candidate is a stored
 * run with no stale exposure that is not `optimal` nor `radix` (radix models
 * radix-MMU guests, never ranked with the hash policies; optimal's decisions depend on
 * the costs, so its line at other costs would only be an upper bound: the
 * report says so). An unsafe policy is never a candidate: it is never
 * called the cheapest, whatever it costs. It also checks the model against
 * the replay: the cycles recomputed from the stored counts and costs must
 * equal the stored cycles.
 *
 * Interface:
 *   sens_compute()    fill a struct sens for a capture; 0, or -1 (out of memory)
 *   sens_free()       NULL-safe on the arrays
 *   sens_best_at()    the cheapest candidate (run index) at x of a sweep
 *   sens_describe()   "modern up to 1400 cycles, then tracked" (names from the
 *                     DB: the caller escapes the text for its format)
 *
 * Order of calls: sens_compute, reads, sens_free.
 *
 * Range: 0 to @factor times the stored value (the estimates have no
 * published basis; an order of magnitude either way is the honest doubt).
 * When the cheapest policy does not change within that range but does
 * within 1000 times the stored value, the range is stretched to show the
 * first flip (x_max = 1.25 x_flip) and stretched is set.
 *
 * Ties: candidates whose lines are identical (same a and b: the same counts
 * where the sweep matters) are one segment; the first in report order names
 * it and the others are in its ties mask ("new = tracked").
 */
#ifndef TLB_SENSITIVITY_H
#define TLB_SENSITIVITY_H

#include <stdbool.h>
#include <stddef.h>

#include "costmodel.h"
#include "results.h"

struct sens_seg {
	double from, to;		/* x range, from < to (to = x_max for the last) */
	size_t best;			/* index in capture->runs of the cheapest */
	unsigned long long ties;	/* bit i: run i's line is the same as best's */
};

struct sens_sweep {
	enum cm_sweep_kind kind;	/* which costs move */
	double x_now;			/* the sweep variable at the stored costs */
	double x_max;			/* right end of the range (left end is 0) */
	bool stretched;			/* x_max was widened to show a flip */
	double *a, *b;			/* per chosen run: cycles = a + b x */
	struct sens_seg *segs;		/* the cheapest safe policy over [0, x_max] */
	size_t nsegs;			/* >= 1; nsegs - 1 flips, at segs[k].to */
};

struct sens {
	bool usable;			/* a safe candidate stored, every cost known */
	char why_not[256];		/* when !usable: what is missing */
	size_t nruns;			/* capture->nruns: the length of every per-run array */
	bool *candidate;		/* per run: safe and not optimal */
	size_t ncandidates;
	double check_err;		/* max |recomputed - stored| cycles over runs */
	int64_t check_run;		/* run with the largest difference */
	struct sens_sweep sweep[CM_NSWEEPS];
};

int sens_compute(const struct rs_capture *c, double factor, struct sens *out);
void sens_free(struct sens *s);
size_t sens_best_at(const struct sens *s, const double *a, const double *b, double x);
const char *sens_describe(const struct rs_capture *c, const struct sens_sweep *w,
			  char *buf, size_t len);

#endif
