/* SPDX-License-Identifier: MIT */
/*
 * costmodel - see costmodel.h for the formulas. The coefficients are the
 * whole model: cm_cycles() and cm_line() are both sums of coefficient x cost,
 * so the report's sweep and its check of the stored cycles can never
 * disagree with each other.
 */
#include "costmodel.h"

#include <string.h>

#include "jsonscan.h"
#include "results.h"


const char *const cm_sweep_names[CM_NSWEEPS] = {
	[CM_SWEEP_TLBIE_TLBSYNC] = "tlbie+tlbsync",
	[CM_SWEEP_FLUSH_REFILL] = "flush_refill",
};

struct params_walk {
	struct cm_costs *out;		/* filled in */
	unsigned from_cost_path;	/* bit k: cost k came from a path with "cost" */
};

static void params_number(void *ctx, const char *path, double value)
{
	struct params_walk *pw = ctx;
	const char *last = strrchr(path, '.');
	bool costy = strstr(path, "cost") != NULL;

	last = last ? last + 1 : path;
	for (int k = 0; k < NCOSTS; k++) {
		if (strcmp(last, cost_names[k]) != 0)
			continue;
		/* A cost under a "cost..." key beats one elsewhere. */
		if ((pw->from_cost_path & (1u << k)) && !costy)
			return;
		pw->out->v[k] = value;
		pw->out->have |= 1u << k;
		if (costy)
			pw->from_cost_path |= 1u << k;
		return;
	}
}

int cm_costs_from_params(const char *json, struct cm_costs *out)
{
	struct params_walk pw = { .out = out };

	memset(out, 0, sizeof *out);
	return json_scan_numbers(json, params_number, &pw);
}

void cm_coefficients(const int64_t *m, double coef[NCOSTS])
{
	int64_t c[NCOSTS];

	model_cost_coefficients(m, c);
	for (int k = 0; k < NCOSTS; k++)
		coef[k] = (double)c[k];
}

double cm_cycles(const int64_t *m, const struct cm_costs *c)
{
	double coef[NCOSTS], sum = 0.0;

	cm_coefficients(m, coef);
	for (int k = 0; k < NCOSTS; k++)
		sum += coef[k] * c->v[k];
	return sum;
}

/* The weights w_k of a sweep: cost_k = w_k * x. */
static void sweep_weights(enum cm_sweep_kind kind, const struct cm_costs *c, double w[NCOSTS])
{
	memset(w, 0, sizeof(double) * NCOSTS);
	if (kind == CM_SWEEP_FLUSH_REFILL) {
		w[COST_FLUSH_REFILL] = 1.0;
		return;
	}
	double sum = c->v[COST_TLBIE] + c->v[COST_TLBSYNC];

	/* Keep the stored split between the two; an even split if both are 0. */
	w[COST_TLBIE] = sum > 0 ? c->v[COST_TLBIE] / sum : 0.5;
	w[COST_TLBSYNC] = 1.0 - w[COST_TLBIE];
}

double cm_x_now(enum cm_sweep_kind kind, const struct cm_costs *c)
{
	if (kind == CM_SWEEP_FLUSH_REFILL)
		return c->v[COST_FLUSH_REFILL];
	return c->v[COST_TLBIE] + c->v[COST_TLBSYNC];
}

void cm_line(enum cm_sweep_kind kind, const int64_t *m, const struct cm_costs *c,
	     double *a, double *b)
{
	double coef[NCOSTS], w[NCOSTS];
	double fixed = 0.0, slope = 0.0;

	cm_coefficients(m, coef);
	sweep_weights(kind, c, w);
	for (int k = 0; k < NCOSTS; k++) {
		if (w[k] != 0.0)
			slope += coef[k] * w[k];
		else
			fixed += coef[k] * c->v[k];
	}
	*a = fixed;
	*b = slope;
}

bool cm_crossover(double a1, double b1, double a2, double b2, double *x)
{
	double db = b1 - b2;

	if (db == 0.0)
		return false;
	double at = (a2 - a1) / db;

	if (!(at > 0.0))
		return false;
	*x = at;
	return true;
}
