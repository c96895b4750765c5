/* SPDX-License-Identifier: MIT */
/*
 * stdout_fmt - the summary tlbreport prints on stdout after writing a report.
 *
 * What it owns: three shapes of the same facts, per capture: the totals of
 * every chosen run (all VMs) and the old/new verdict with its crossovers.
 *   table  aligned columns for a terminal, then where the report is
 *   csv    header "trace,policy,run,machine,<metrics>,old_new_cycles,
 *          cross_tlbie_tlbsync,cross_flush_refill", one row per capture and policy
 *   json   {"reports": [{"trace", "dir", "machine", "lost_events",
 *          "absent_sources", "totals": [{"policy", "run", <metrics>}...],
 *          "verdict": {"cheaper", "old_new_cycles", "crossover": {NAME: x|null}}}]}
 * Metric names are those of replay-model.md; numbers are exact integers.
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "report.h"

static void out_table(FILE *f, const struct report *r)
{
	const struct rs_capture *c = r->cap;
	const struct sens *s = &r->sens;
	static const enum metric cols[] = { M_FULL_FLUSHES, M_TLBIEL_FLUSH, M_TLBIEL_INVAL,
					       M_TLBIE, M_TLBIE_SEQS, M_CYCLES, M_STALE_EXPOSURES };
	int64_t lost;
	const char *absent = meta_absent(c, NULL);
	char buf[4200];

	/* Every string from the DB or the command line goes through term_safe(). */
	fprintf(f, "%s", term_safe(c->path, buf, sizeof buf));
	fprintf(f, " (machine %s)\n", term_safe(c->runs[0].machine, buf, sizeof buf));
	if (meta_has_lost(c, &lost))
		fprintf(f, "  WARNING: %" PRId64 " events lost: counts are lower bounds\n", lost);
	if (absent)
		fprintf(f, "  WARNING: sources absent: %s\n", term_safe(absent, buf, sizeof buf));
	fprintf(f, "  %-8s", "policy");
	for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
		fprintf(f, " %15s", metric_names[cols[k]]);
	fputc('\n', f);
	for (size_t i = 0; i < c->nruns; i++) {
		fprintf(f, "  %-8s", term_safe(c->runs[i].policy, buf, sizeof buf));
		for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
			fprintf(f, " %15" PRId64, c->runs[i].all.m[cols[k]]);
		fputc('\n', f);
	}
	if (s->usable) {
		fprintf(f, "  old/new cycles %.3f", s->ratio_now);
		for (int w = 0; w < CM_NSWEEPS; w++) {
			if (s->sweep[w].crosses)
				fprintf(f, "; %s: flips at %.0f", cm_sweep_names[w], round(s->sweep[w].x_cross));
			else
				fprintf(f, "; %s: never flips", cm_sweep_names[w]);
		}
		fputc('\n', f);
	}
	fprintf(f, "  report: %s/index.html\n", term_safe(r->shown, buf, sizeof buf));
}

static void out_csv_header(FILE *f)
{
	fputs("trace,policy,run,machine", f);
	for (int k = 0; k < NMETRICS; k++)
		fprintf(f, ",%s", metric_names[k]);
	fputs(",old_new_cycles,cross_tlbie_tlbsync,cross_flush_refill\n", f);
}

static void out_csv(FILE *f, const struct report *r)
{
	const struct rs_capture *c = r->cap;
	const struct sens *s = &r->sens;

	for (size_t i = 0; i < c->nruns; i++) {
		csv_put(f, c->path);
		fputc(',', f);
		csv_put(f, c->runs[i].policy);
		fprintf(f, ",%" PRId64 ",", c->runs[i].id);
		csv_put(f, c->runs[i].machine);
		for (int k = 0; k < NMETRICS; k++)
			fprintf(f, ",%" PRId64, c->runs[i].all.m[k]);
		if (s->usable) {
			fprintf(f, ",%.6f", s->ratio_now);
			for (int w = 0; w < CM_NSWEEPS; w++)
				if (s->sweep[w].crosses)
					fprintf(f, ",%.3f", s->sweep[w].x_cross);
				else
					fputc(',', f);
		} else {
			fputs(",,,", f);
		}
		fputc('\n', f);
	}
}

static void out_json(FILE *f, const struct report *r, bool last)
{
	const struct rs_capture *c = r->cap;
	const struct sens *s = &r->sens;
	const char *absent = meta_absent(c, NULL);
	int64_t lost;

	meta_has_lost(c, &lost);
	fputs("  {\"trace\": ", f);
	json_put(f, c->path);
	fputs(", \"dir\": ", f);
	json_put(f, r->shown);
	fputs(", \"machine\": ", f);
	json_put(f, c->runs[0].machine);
	fprintf(f, ", \"lost_events\": %" PRId64 ", \"absent_sources\": ", lost);
	if (absent)
		json_put(f, absent);
	else
		fputs("null", f);
	fputs(",\n   \"totals\": [\n", f);
	for (size_t i = 0; i < c->nruns; i++) {
		fputs("    {\"policy\": ", f);
		json_put(f, c->runs[i].policy);
		fprintf(f, ", \"run\": %" PRId64, c->runs[i].id);
		for (int k = 0; k < NMETRICS; k++)
			fprintf(f, ", \"%s\": %" PRId64, metric_names[k], c->runs[i].all.m[k]);
		fprintf(f, "}%s\n", i + 1 < c->nruns ? "," : "");
	}
	fputs("   ],\n   \"verdict\": ", f);
	if (!s->usable) {
		fputs("null}", f);
	} else {
		fputs("{\"cheaper\": ", f);
		json_put(f, sens_cheaper(s, &s->sweep[0], s->sweep[0].x_now));
		fprintf(f, ", \"old_new_cycles\": %.6f, \"crossover\": {", s->ratio_now);
		for (int w = 0; w < CM_NSWEEPS; w++) {
			fprintf(f, "%s\"%s\": ", w ? ", " : "", cm_sweep_names[w]);
			if (s->sweep[w].crosses)
				fprintf(f, "%.3f", s->sweep[w].x_cross);
			else
				fputs("null", f);
		}
		fputs("}}}", f);
	}
	fputs(last ? "\n" : ",\n", f);
}

int out_summary(FILE *f, enum out_format fmt, struct report *const *reps, size_t nreps)
{
	if (fmt == OUT_NONE)
		return 0;
	if (fmt == OUT_CSV)
		out_csv_header(f);
	if (fmt == OUT_JSON)
		fputs("{\"reports\": [\n", f);
	for (size_t k = 0; k < nreps; k++) {
		if (fmt == OUT_TABLE)
			out_table(f, reps[k]);
		else if (fmt == OUT_CSV)
			out_csv(f, reps[k]);
		else
			out_json(f, reps[k], k + 1 == nreps);
	}
	if (fmt == OUT_JSON)
		fputs("]}\n", f);
	return ferror(f) ? -1 : 0;
}
