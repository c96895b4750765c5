/* SPDX-License-Identifier: MIT */
/*
 * sensitivity - see sensitivity.h. Every line comes from cm_line() on the
 * run's "all" row under the run's own costs, so a run stored with other
 * costs than its neighbours still moves correctly; only the swept costs are
 * replaced by the common x. The envelope is found without geometry: every
 * crossing of two candidates' lines is a possible flip, and between two
 * consecutive ones the cheapest candidate cannot change, so the interval's
 * midpoint decides it.
 */
#include "sensitivity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"	/* fmt_num */

size_t sens_best_at(const struct sens *s, const double *a, const double *b, double x)
{
	size_t best = (size_t)-1;
	double bc = 0.0;

	/* runs are in report order: on a tie the first one keeps it */
	for (size_t i = 0; i < s->nruns; i++) {
		if (!s->candidate[i])
			continue;
		double ci = a[i] + b[i] * x;

		if (best == (size_t)-1 || ci < bc) {
			best = i;
			bc = ci;
		}
	}
	return best;
}

static void missing_costs(const struct rs_capture *c, char *out, size_t len)
{
	for (size_t i = 0; i < c->nruns; i++) {
		unsigned lack = CM_CYCLE_COSTS & ~c->runs[i].costs.have;

		if (!lack)
			continue;
		int n = snprintf(out, len, "params of run %lld (%s) name no cost for",
				 (long long)c->runs[i].id, c->runs[i].policy);

		for (int k = 0; k < NCOSTS && n > 0 && (size_t)n < len; k++)
			if (lack & (1u << k))
				n += snprintf(out + n, len - (size_t)n, " %s", cost_names[k]);
		return;
	}
}

static int cmp_double(const void *p, const void *q)
{
	double x = *(const double *)p, y = *(const double *)q;

	return (x > y) - (x < y);
}

/*
 * The crossings of candidates' lines in (0, limit), sorted, into @xs (room
 * for n(n-1)/2); returns how many.
 */
static size_t crossings(const struct sens *s, const struct sens_sweep *w, double limit, double *xs)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nruns; i++)
		for (size_t j = i + 1; j < s->nruns; j++) {
			double x;

			if (s->candidate[i] && s->candidate[j] &&
			    cm_crossover(w->a[i], w->b[i], w->a[j], w->b[j], &x) && x < limit)
				xs[n++] = x;
		}
	qsort(xs, n, sizeof *xs, cmp_double);
	return n;
}

/* The segments of the envelope over [0, x_max] from the sorted crossings @xs. */
static void envelope(const struct sens *s, struct sens_sweep *w, const double *xs, size_t nx)
{
	double from = 0.0;

	w->nsegs = 0;
	for (size_t k = 0; k <= nx; k++) {
		double to = k < nx ? fmin(xs[k], w->x_max) : w->x_max;

		if (!(to > from))
			continue;
		size_t best = sens_best_at(s, w->a, w->b, (from + to) / 2);

		if (w->nsegs && w->segs[w->nsegs - 1].best == best) {
			w->segs[w->nsegs - 1].to = to;
		} else {
			struct sens_seg *g = &w->segs[w->nsegs++];

			g->from = from;
			g->to = to;
			g->best = best;
			g->ties = 0;
			for (size_t i = 0; i < s->nruns && i < 64; i++)
				if (i != best && s->candidate[i] && w->a[i] == w->a[best] &&
				    w->b[i] == w->b[best])
					g->ties |= 1ull << i;
		}
		from = to;
		if (to >= w->x_max)
			break;
	}
}

int sens_compute(const struct rs_capture *c, double factor, struct sens *s)
{
	bool costs_ok = true;
	const struct rs_run *ref = NULL;
	double *xs = NULL;

	memset(s, 0, sizeof *s);
	s->check_run = -1;
	s->nruns = c->nruns;
	s->candidate = calloc(c->nruns ? c->nruns : 1, sizeof *s->candidate);
	if (!s->candidate)
		return -1;
	for (size_t i = 0; i < c->nruns; i++) {
		const struct rs_run *r = &c->runs[i];

		/* radix models other guests (radix-MMU VMs): never the cheapest of the hash
		 * policies, as verdict.c never ranks it with them */
		if (r->all.m[M_STALE_EXPOSURES] == 0 && strcmp(r->policy, "optimal") != 0 &&
		    rs_policy_mmu(r->policy) == 'h') {
			s->candidate[i] = true;
			s->ncandidates++;
			if (!ref)
				ref = r;
		}
		if ((r->costs.have & CM_CYCLE_COSTS) != CM_CYCLE_COSTS) {
			costs_ok = false;
			continue;
		}
		double diff = fabs(cm_cycles(r->all.m, &r->costs) - (double)r->all.m[M_CYCLES]);

		if (s->check_run < 0 || diff > s->check_err) {
			s->check_err = diff;
			s->check_run = r->id;
		}
	}
	if (!costs_ok) {
		missing_costs(c, s->why_not, sizeof s->why_not);
		return 0;
	}
	if (!ref) {
		snprintf(s->why_not, sizeof s->why_not,
			 "the sweep names the cheapest safe policy, and no policy other than "
			 "optimal was replayed without stale exposures (tlbreplay --store "
			 "--policy old,new,modern,tracked,...)");
		return 0;
	}
	xs = malloc(sizeof *xs * (c->nruns * c->nruns / 2 + 1));
	if (!xs)
		goto oom;
	for (int k = 0; k < CM_NSWEEPS; k++) {
		struct sens_sweep *w = &s->sweep[k];
		size_t nx;

		w->kind = (enum cm_sweep_kind)k;
		w->a = calloc(c->nruns, sizeof *w->a);
		w->b = calloc(c->nruns, sizeof *w->b);
		/* one piece per interval between crossings at most */
		w->segs = calloc(c->nruns * c->nruns / 2 + 1, sizeof *w->segs);
		if (!w->a || !w->b || !w->segs)
			goto oom;
		for (size_t i = 0; i < c->nruns; i++)
			cm_line(w->kind, c->runs[i].all.m, &c->runs[i].costs, &w->a[i], &w->b[i]);
		w->x_now = cm_x_now(w->kind, &ref->costs);
		w->x_max = w->x_now > 0 ? w->x_now * factor : factor;
		nx = crossings(s, w, (w->x_now > 0 ? w->x_now : 1.0) * 1000.0, xs);
		envelope(s, w, xs, nx);
		if (w->nsegs == 1) {
			/* no flip in range: widen it to the first flip, if one is near enough */
			double x_max = w->x_max;

			for (size_t j = 0; j < nx; j++)
				if (xs[j] > x_max &&
				    sens_best_at(s, w->a, w->b, xs[j] * 1.001) != w->segs[0].best) {
					w->x_max = xs[j] * 1.25;
					w->stretched = true;
					envelope(s, w, xs, nx);
					break;
				}
		}
	}
	free(xs);
	s->usable = true;
	return 0;
oom:
	free(xs);
	sens_free(s);
	return -1;
}

const char *sens_describe(const struct rs_capture *c, const struct sens_sweep *w,
			  char *buf, size_t len)
{
	size_t n = 0;
	char num[64];

	buf[0] = 0;
	for (size_t k = 0; k < w->nsegs && n < len; k++) {
		const struct sens_seg *g = &w->segs[k];

		n += (size_t)snprintf(buf + n, len - n, "%s%s", k ? ", then " : "",
				      c->runs[g->best].policy);
		for (size_t i = 0; i < c->nruns && i < 64 && n < len; i++)
			if (g->ties & (1ull << i))
				n += (size_t)snprintf(buf + n, len - n, " = %s", c->runs[i].policy);
		if (n >= len)
			break;
		if (w->nsegs == 1)
			n += (size_t)snprintf(buf + n, len - n, " throughout (0..%s cycles)",
					      fmt_num(w->x_max, num, sizeof num));
		else if (k + 1 < w->nsegs)
			n += (size_t)snprintf(buf + n, len - n, " up to %s cycles",
					      fmt_num(round(g->to), num, sizeof num));
	}
	return buf;
}

void sens_free(struct sens *s)
{
	for (int k = 0; k < CM_NSWEEPS; k++) {
		free(s->sweep[k].a);
		free(s->sweep[k].b);
		free(s->sweep[k].segs);
		s->sweep[k].a = s->sweep[k].b = NULL;
		s->sweep[k].segs = NULL;
	}
	free(s->candidate);
	s->candidate = NULL;
}
