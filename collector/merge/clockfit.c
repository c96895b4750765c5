// SPDX-License-Identifier: MIT
/*
 * clockfit.c - offset and rate between a guest clock and its host's (see
 * clockfit.h for the algorithm).
 */
#include <math.h>
#include <stdlib.h>

#include "clockfit.h"

#define GRID_COARSE 2000	/* offsets tried over the whole range */
#define GRID_FINE 400		/* offsets tried around the best, twice */
#define SAMPLE_COARSE 4000	/* points scored in the coarse scan */
#define SAMPLE_FINE 20000	/* points scored in the fine scans */

struct scorer {
	struct placement *pl;
	int64_t vm;
	const struct cf_point *pts;
	size_t n;
	/* track of each vcpu id, resolved once (ids beyond MAXV are looked up each time) */
	struct pl_track *tr[256];
	int have[256];
};

static const struct pl_track *track_of(struct scorer *s, int64_t vcpu)
{
	if (vcpu >= 0 && vcpu < 256) {
		if (!s->have[vcpu]) {
			s->tr[vcpu] = pl_track(s->pl, s->vm, vcpu);
			s->have[vcpu] = 1;
		}
		return s->tr[vcpu];
	}
	return pl_track(s->pl, s->vm, vcpu);
}

/* Points placed among every @stride-th point of [from, to). */
static int64_t score(struct scorer *s, size_t from, size_t to, size_t stride, double a, double b)
{
	int64_t hits = 0;

	for (size_t i = from; i < to; i += stride) {
		int64_t h = (int64_t)llround(a + b * (double)s->pts[i].t);

		hits += pl_cpu_at(track_of(s, s->pts[i].vcpu), h) >= 0;
	}
	return hits;
}

double cf_coverage(struct placement *pl, int64_t vm, const struct cf_point *pts, size_t n,
		   double a, double b)
{
	struct scorer s = { .pl = pl, .vm = vm, .pts = pts, .n = n };

	if (!n)
		return 0;
	return (double)score(&s, 0, n, 1, a, b) / (double)n;
}

/*
 * Best offset in [lo, hi] over @steps + 1 grid points, for points [from, to)
 * sampled to about @sample; the middle of the widest run of best scores.
 * @width gets that run's width.
 */
static double scan(struct scorer *s, size_t from, size_t to, size_t sample, double lo, double hi,
		   int steps, double *width, int64_t *best_score)
{
	size_t stride = (to - from) / sample + 1;
	double step = (hi - lo) / steps;
	int64_t best = -1;
	int run = 0, best_run = 0, best_end = 0;

	for (int i = 0; i <= steps; i++) {
		int64_t sc = score(s, from, to, stride, lo + step * i, 1.0);

		if (sc > best) {
			best = sc;
			run = 1;
			best_run = 1;
			best_end = i;
		} else if (sc == best) {
			run++;
			if (run > best_run) {
				best_run = run;
				best_end = i;
			}
		} else {
			run = 0;
		}
	}
	*width = step * (best_run - 1);
	*best_score = best;
	return lo + step * (best_end - (best_run - 1) / 2.0);
}

/* Two finer scans around @a, whose best run was @width wide on a grid of @step. */
static double refine(struct scorer *s, size_t from, size_t to, double a, double *width,
		     double step)
{
	int64_t sc;

	for (int level = 0; level < 2; level++) {
		double half = *width / 2 + 2 * step;

		a = scan(s, from, to, SAMPLE_FINE, a - half, a + half, GRID_FINE, width, &sc);
		step = 2 * half / GRID_FINE;
	}
	return a;
}

/* Three scans: the whole range, then twice around the best at finer steps. */
static double best_offset(struct scorer *s, size_t from, size_t to, double lo, double hi,
			  double *width, size_t first_sample, int first_steps)
{
	int64_t sc;
	double a = scan(s, from, to, first_sample, lo, hi, first_steps, width, &sc);

	return refine(s, from, to, a, width, (hi - lo) / first_steps);
}

struct edge {
	double x;	/* an offset */
	int d;		/* +1: a point's placing range starts here, -1: it ends */
};

static int cmp_edge(const void *pa, const void *pb)
{
	const struct edge *a = pa, *b = pb;

	if (a->x != b->x)
		return a->x < b->x ? -1 : 1;
	return a->d - b->d;	/* [s, e): an end before a start at the same offset */
}

/*
 * sweep_offset - the offset (b = 1) that places the most of a sample of the
 * points, with no grid. Point t of vcpu V is placed by every offset in
 * [s - t, e - t) for each run interval [s, e) of V; sorting those ranges' ends
 * and sweeping them counts, at every offset, the points it places. A grid can
 * step over the right offset when run intervals are short (QEMU's TCG threads
 * switch every millisecond or so); the sweep cannot. Returns NAN when the
 * sample would need more than SWEEP_MAX_EDGES ends (then the grid is used).
 */
#define SWEEP_SAMPLE 200
#define SWEEP_MAX_EDGES (8u << 20)

static double sweep_offset(struct scorer *s, double lo, double hi, double *width)
{
	size_t stride = s->n / SWEEP_SAMPLE + 1, nedge = 0, cap = 0;
	struct edge *e = NULL;
	double best_x = NAN, best_w = 0;
	int cur = 0, best = 0;

	for (size_t i = 0; i < s->n; i += stride) {
		const struct pl_track *tr = track_of(s, s->pts[i].vcpu);
		double t = (double)s->pts[i].t;

		if (!tr)
			continue;
		if (nedge + 2 * tr->n > SWEEP_MAX_EDGES) {
			free(e);
			return NAN;
		}
		if (nedge + 2 * tr->n > cap) {
			size_t ncap = (nedge + 2 * tr->n) * 2;
			struct edge *ne = realloc(e, ncap * sizeof(*e));

			if (!ne) {
				free(e);
				return NAN;
			}
			e = ne;
			cap = ncap;
		}
		for (size_t k = 0; k < tr->n; k++) {
			double x0 = (double)tr->iv[k].start - t, x1 = (double)tr->iv[k].end - t;

			if (x1 <= lo || x0 >= hi)
				continue;
			e[nedge++] = (struct edge){ x0 < lo ? lo : x0, +1 };
			e[nedge++] = (struct edge){ x1 > hi ? hi : x1, -1 };
		}
	}
	qsort(e, nedge, sizeof(*e), cmp_edge);
	/* The widest range of offsets that place the most points; its middle. */
	for (size_t k = 0; k < nedge; k++) {
		cur += e[k].d;
		if (e[k].d > 0 && k + 1 < nedge && cur >= best) {
			double w = e[k + 1].x - e[k].x;

			if (cur > best || w > best_w) {
				best = cur;
				best_w = w;
				best_x = e[k].x + w / 2;
			}
		}
	}
	free(e);
	*width = best_w;
	return best_x;
}

int cf_estimate(struct placement *pl, int64_t vm, const struct cf_point *pts, size_t n,
		int64_t host_first, int64_t host_last, struct cf_fit *out)
{
	struct scorer s = { .pl = pl, .vm = vm, .pts = pts, .n = n };

	if (!n || host_last <= host_first)
		return -1;
	double g0 = (double)pts[0].t, g1 = (double)pts[n - 1].t;
	double span = g1 - g0 > 1 ? g1 - g0 : 1;
	/* every offset that makes the two captures overlap at all */
	double lo = (double)host_first - g1, hi = (double)host_last - g0;
	double width;

	double swept = sweep_offset(&s, lo, hi, &width);

	if (isnan(swept))
		out->a = best_offset(&s, 0, n, lo, hi, &width, SAMPLE_COARSE, GRID_COARSE);
	else	/* every point now: the sweep saw a sample */
		out->a = refine(&s, 0, n, swept, &width, 1e5);
	out->b = 1.0;
	out->plateau_ns = width;
	out->windows = 0;
	out->residual_ns = 0;

	/* The rate: each window's own offset near the global one, then a line through them. */
	double tk[CF_WINDOWS], ak[CF_WINDOWS];
	int nk = 0;
	double reach = 0.01 * span + 1e6;	/* a rate off by 1% plus 1 ms */
	size_t from = 0;

	for (int k = 0; k < CF_WINDOWS; k++) {
		double wend = g0 + span * (k + 1) / CF_WINDOWS;
		size_t to = from;

		while (to < n && ((double)pts[to].t < wend || k == CF_WINDOWS - 1))
			to++;
		if (to - from >= CF_MIN_WINDOW_POINTS) {
			double w;

			/* a narrow range: the fine grid's steps suffice for its first scan */
			ak[nk] = best_offset(&s, from, to, out->a - reach, out->a + reach, &w, SAMPLE_FINE,
					     GRID_FINE);
			tk[nk] = ((double)pts[from].t + (double)pts[to - 1].t) / 2;
			nk++;
		}
		from = to;
	}
	if (nk >= 2) {
		double mt = 0, ma = 0, stt = 0, sta = 0;

		for (int i = 0; i < nk; i++) {
			mt += tk[i];
			ma += ak[i];
		}
		mt /= nk;
		ma /= nk;
		for (int i = 0; i < nk; i++) {
			stt += (tk[i] - mt) * (tk[i] - mt);
			sta += (tk[i] - mt) * (ak[i] - ma);
		}
		double slope = stt > 0 ? sta / stt : 0;
		double a = ma - slope * mt, b = 1.0 + slope;

		/* Keep the line only if it places at least as well as the constant offset. */
		if (b > 0 && cf_coverage(pl, vm, pts, n, a, b) >= cf_coverage(pl, vm, pts, n, out->a, 1.0)) {
			out->a = a;
			out->b = b;
		}
		double ss = 0;

		for (int i = 0; i < nk; i++) {
			double d = ak[i] - (out->a + (out->b - 1.0) * tk[i]);

			ss += d * d;
		}
		out->residual_ns = sqrt(ss / nk);
		out->windows = nk;
	}
	out->coverage = cf_coverage(pl, vm, pts, n, out->a, out->b);
	out->span_ns = span;
	return 0;
}
