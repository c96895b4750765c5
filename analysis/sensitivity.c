/* SPDX-License-Identifier: MIT */
/*
 * sensitivity - see sensitivity.h. Every line comes from cm_line() on the
 * run's "all" row under the run's own costs, so a run stored with other
 * costs than its neighbours still moves correctly; only the swept costs are
 * replaced by the common x.
 */
#include "sensitivity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sens_cheaper(const struct sens *s, const struct sens_sweep *w, double x)
{
	size_t o = s->iold, n = s->inew;
	double co = w->a[o] + w->b[o] * x, cn = w->a[n] + w->b[n] * x;

	if (co < cn)
		return "old";
	if (cn < co)
		return "new";
	return "neither";
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

int sens_compute(const struct rs_capture *c, double factor, struct sens *s)
{
	bool have_old = false, have_new = false, costs_ok = true;

	memset(s, 0, sizeof *s);
	s->check_run = -1;
	for (size_t i = 0; i < c->nruns; i++) {
		const struct rs_run *r = &c->runs[i];

		if (strcmp(r->policy, "old") == 0)
			have_old = true, s->iold = i;
		if (strcmp(r->policy, "new") == 0)
			have_new = true, s->inew = i;
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
	if (!have_old || !have_new) {
		snprintf(s->why_not, sizeof s->why_not,
			 "the sweep compares old with new, and %s was not replayed "
			 "(tlbreplay --store --policy old,new,...)", have_old ? "new" : "old");
		return 0;
	}
	const struct rs_run *ro = &c->runs[s->iold], *rn = &c->runs[s->inew];

	s->ratio_now = rn->all.m[M_CYCLES] ? (double)ro->all.m[M_CYCLES] /
					      (double)rn->all.m[M_CYCLES] : 0.0;
	for (int k = 0; k < CM_NSWEEPS; k++) {
		struct sens_sweep *w = &s->sweep[k];

		w->kind = (enum cm_sweep_kind)k;
		w->a = calloc(c->nruns, sizeof *w->a);
		w->b = calloc(c->nruns, sizeof *w->b);
		if (!w->a || !w->b) {
			sens_free(s);
			return -1;
		}
		for (size_t i = 0; i < c->nruns; i++)
			cm_line(w->kind, c->runs[i].all.m, &c->runs[i].costs, &w->a[i], &w->b[i]);
		w->x_now = cm_x_now(w->kind, &ro->costs);
		w->x_max = w->x_now > 0 ? w->x_now * factor : factor;
		w->crosses = cm_crossover(w->a[s->iold], w->b[s->iold], w->a[s->inew],
					  w->b[s->inew], &w->x_cross);
		if (w->crosses && w->x_cross > w->x_max &&
		    w->x_cross <= (w->x_now > 0 ? w->x_now : 1.0) * 1000.0) {
			w->x_max = w->x_cross * 1.25;
			w->stretched = true;
		}
		w->cross_in_range = w->crosses && w->x_cross <= w->x_max;
		if (w->crosses) {
			w->below = sens_cheaper(s, w, w->x_cross / 2);
			w->above = sens_cheaper(s, w, w->x_cross * 2);
		} else {
			w->below = sens_cheaper(s, w, w->x_now > 0 ? w->x_now : 1.0);
			w->above = w->below;
		}
	}
	s->usable = true;
	return 0;
}

void sens_free(struct sens *s)
{
	for (int k = 0; k < CM_NSWEEPS; k++) {
		free(s->sweep[k].a);
		free(s->sweep[k].b);
		s->sweep[k].a = s->sweep[k].b = NULL;
	}
}
