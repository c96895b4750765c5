/* SPDX-License-Identifier: MIT */
/*
 * clockfit - the relation between a guest capture's clock and its host's:
 * host_ts = a + b * guest_ts (both in ns since each capture's start).
 *
 * What it owns: measuring how well a relation places the guest's events
 * (coverage: the share of guest events that fall while their vcpu's thread
 * ran on the host), and estimating a and b when no one gives them.
 *
 * Interface:
 *   cf_coverage()   share of points placed under (a, b)
 *   cf_estimate()   best (a, b), its coverage, and the residual of the rate fit
 *
 * Algorithm (cf_estimate): a guest event of vcpu V can only happen while V's
 * thread runs on the host, so the right offset puts (nearly) every event inside
 * one of V's run intervals. 1) With b = 1, find the offset that places the
 * most of a sample of the points exactly, by sweeping the ends of every
 * offset range that places each sampled point (no grid, so short run
 * intervals cannot slip between grid points; a coarse grid is the fallback
 * when the sample would need too many ends), then two finer grids over all
 * points around it; the score is the number of points placed, and the answer
 * is the middle of the widest run of best scores (all offsets in it place as
 * well; its middle is the least committed). 2) The rate: split
 * the guest time into CF_WINDOWS windows, find each window's own best offset
 * near the global one, and fit a line offset(t) = a + (b - 1) t by least
 * squares; the residual is the RMS distance of the windows' offsets from it.
 * A guest clock of another rate (the pseries timebase against host ns, a
 * timebase off its nominal frequency) shows up as that slope.
 */
#ifndef TLB_MERGE_CLOCKFIT_H
#define TLB_MERGE_CLOCKFIT_H

#include <stddef.h>
#include <stdint.h>

#include "placement.h"

#define CF_WINDOWS 8
#define CF_MIN_WINDOW_POINTS 20	/* fewer points in a window: it does not vote on the rate */

struct cf_point {
	int64_t t;	/* guest ns */
	int64_t vcpu;
};

struct cf_fit {
	double a, b;		/* host = a + b * guest */
	double coverage;	/* share of points placed, 0..1 */
	double residual_ns;	/* RMS of the windows' offsets around the fitted line */
	double plateau_ns;	/* width of the best-score run of the global offset scan */
	double span_ns;		/* guest time the points span */
	int windows;		/* windows that voted on the rate (0: b fixed at 1) */
};

/* Share of @n points (sorted by t) placed under (a, b) against VM @vm's tracks. */
double cf_coverage(struct placement *pl, int64_t vm, const struct cf_point *pts, size_t n,
		   double a, double b);

/*
 * Estimate (a, b) for VM @vm. @host_first/@host_last bound the host capture.
 * Returns 0, or -1 if there is nothing to fit (no points, or no tracks).
 */
int cf_estimate(struct placement *pl, int64_t vm, const struct cf_point *pts, size_t n,
		int64_t host_first, int64_t host_last, struct cf_fit *out);

#endif
