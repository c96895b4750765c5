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

const char *const cm_cost_names[CM_NCOSTS] = {
	[CM_TLBIEL] = "tlbiel",
	[CM_TLBIE] = "tlbie",
	[CM_TLBSYNC] = "tlbsync",
	[CM_PTESYNC] = "ptesync",
	[CM_EIEIO] = "eieio",
	[CM_LOCK] = "lock",
	[CM_FLUSH_REFILL] = "flush_refill",
	[CM_SETS] = "sets",
};

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
	for (int k = 0; k < CM_NCOSTS; k++) {
		if (strcmp(last, cm_cost_names[k]) != 0)
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

void cm_coefficients(const int64_t *m, double coef[CM_NCOSTS])
{
	double seqs_g = (double)m[RS_TLBIE_SEQS];

	coef[CM_TLBIEL] = (double)m[RS_TLBIEL_FLUSH] + (double)m[RS_TLBIEL_INVAL];
	coef[CM_TLBIE] = (double)m[RS_TLBIE];
	coef[CM_TLBSYNC] = seqs_g;
	coef[CM_PTESYNC] = 2.0 * ((double)m[RS_FULL_FLUSHES] + (double)m[RS_LOCAL_SEQS] + seqs_g);
	coef[CM_EIEIO] = seqs_g;
	coef[CM_LOCK] = seqs_g;
	coef[CM_FLUSH_REFILL] = (double)m[RS_FULL_FLUSHES];
	coef[CM_SETS] = 0.0;	/* already inside tlbiel_flush */
}

double cm_cycles(const int64_t *m, const struct cm_costs *c)
{
	double coef[CM_NCOSTS], sum = 0.0;

	cm_coefficients(m, coef);
	for (int k = 0; k < CM_NCOSTS; k++)
		sum += coef[k] * c->v[k];
	return sum;
}

/* The weights w_k of a sweep: cost_k = w_k * x. */
static void sweep_weights(enum cm_sweep_kind kind, const struct cm_costs *c, double w[CM_NCOSTS])
{
	memset(w, 0, sizeof(double) * CM_NCOSTS);
	if (kind == CM_SWEEP_FLUSH_REFILL) {
		w[CM_FLUSH_REFILL] = 1.0;
		return;
	}
	double sum = c->v[CM_TLBIE] + c->v[CM_TLBSYNC];

	/* Keep the stored split between the two; an even split if both are 0. */
	w[CM_TLBIE] = sum > 0 ? c->v[CM_TLBIE] / sum : 0.5;
	w[CM_TLBSYNC] = 1.0 - w[CM_TLBIE];
}

double cm_x_now(enum cm_sweep_kind kind, const struct cm_costs *c)
{
	if (kind == CM_SWEEP_FLUSH_REFILL)
		return c->v[CM_FLUSH_REFILL];
	return c->v[CM_TLBIE] + c->v[CM_TLBSYNC];
}

void cm_line(enum cm_sweep_kind kind, const int64_t *m, const struct cm_costs *c,
	     double *a, double *b)
{
	double coef[CM_NCOSTS], w[CM_NCOSTS];
	double fixed = 0.0, slope = 0.0;

	cm_coefficients(m, coef);
	sweep_weights(kind, c, w);
	for (int k = 0; k < CM_NCOSTS; k++) {
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
