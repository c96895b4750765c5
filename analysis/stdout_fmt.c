/* SPDX-License-Identifier: MIT */
/*
 * stdout_fmt - the summary tlbreport prints on stdout after writing a report.
 *
 * What it owns: three shapes of the same facts, per capture: the totals of
 * every chosen run (all VMs) and the old/new verdict with its crossovers.
 *   table  aligned columns for a terminal, then where the report is
 *   csv    header "trace,policy,run,machine,<metrics>,safe,x_floor,old_new_cycles,
 *          cross_tlbie_tlbsync,cross_flush_refill", one row per capture and policy
 *   json   {"reports": [{"trace", "dir", "machine", "lost_events",
 *          "absent_sources", "totals": [{"policy", "run", <metrics>}...],
 *          "params": {"machine", "threads_per_core", "threads_per_core_source",
 *          "vcores", "options", "runs_left_out"},
 *          "verdict": {"line", "cheapest_safe", "floor", "missing",
 *          "safe": [{"policy", "cycles", "x_floor"}], "unsafe": [{"policy",
 *          "stale_exposures"}]},
 *          "kernel_flush": null | {"total", "vms": [{"vm", "kernel", "full_flushes":
 *          {POLICY: n|null}}], "exact": [POLICY...]},
 *          "sweeps": null | {NAME: {"stored", "max", "cheapest": [...]}}}]}
 * Metric names are those of replay-model.md; numbers are exact integers.
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "report.h"

static int64_t run0_tpc(const struct rs_capture *c)
{
	return c->runs[0].tpc;
}

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
	fputs("  vs_floor\n", f);
	for (size_t i = 0; i < c->nruns; i++) {
		const struct rs_run *run = &c->runs[i];
		double x = verdict_x_floor(c, &r->verdict, i);

		fprintf(f, "  %-8s", term_safe(run->policy, buf, sizeof buf));
		for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
			fprintf(f, " %15" PRId64, run->all.m[cols[k]]);
		if (run->all.m[M_STALE_EXPOSURES] > 0)
			fputs("  UNSAFE\n", f);
		else if ((int)i == r->verdict.floor)
			fputs("  floor\n", f);
		else if (x > 0)
			fprintf(f, "  %.2fx\n", x);
		else
			fputs("  -\n", f);
	}
	fprintf(f, "  verdict: %s\n", verdict_line(c, &r->verdict, buf, sizeof buf));
	/* radix stored, or the capture says its VMs' MMUs: which policies apply where */
	if (r->verdict.radix >= 0 || c->nvmmmus > 0)
		fprintf(f, "  mmu: %s\n", term_safe(r->verdict.mmu_note, buf, sizeof buf));
	if (r->verdict.doubt[0])
		fprintf(f, "  WARNING: %s\n", r->verdict.doubt);
	if (r->verdict.tdoubt[0])
		fprintf(f, "  WARNING: %s\n", term_safe(r->verdict.tdoubt, buf, sizeof buf));
	if (run0_tpc(c) >= 0)
		fprintf(f, "  replayed as %s, %" PRId64 " threads/core (T %s%s), costs as stored\n",
			c->runs[0].machine, run0_tpc(c),
			strcmp(c->runs[0].tpc_source, "unknown") == 0 ? "source not recorded" : "from ",
			strcmp(c->runs[0].tpc_source, "unknown") == 0 ? "" : c->runs[0].tpc_source);
	kf_table(f, r);
	if (c->nother_params)
		fprintf(f, "  %zu stored run(s) with other parameters left out (see the report)\n",
			c->nother_params);
	if (s->usable) {
		char text[1024];

		for (int w = 0; w < CM_NSWEEPS; w++)
			fprintf(f, "  cheapest safe as %s moves: %s\n", cm_sweep_names[w],
				term_safe(sens_describe(c, &s->sweep[w], text, sizeof text), buf, sizeof buf));
	}
	fprintf(f, "  report: %s/index.html\n", term_safe(r->shown, buf, sizeof buf));
}

static void out_csv_header(FILE *f)
{
	fputs("trace,policy,run,machine", f);
	for (int k = 0; k < NMETRICS; k++)
		fprintf(f, ",%s", metric_names[k]);
	fputs(",safe,x_floor,sweep_tlbie_tlbsync,sweep_flush_refill\n", f);
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
		fprintf(f, ",%d,", c->runs[i].all.m[M_STALE_EXPOSURES] == 0);
		if (verdict_x_floor(c, &r->verdict, i) > 0)
			fprintf(f, "%.4f", verdict_x_floor(c, &r->verdict, i));
		for (int w = 0; w < CM_NSWEEPS; w++) {
			char text[1024];

			fputc(',', f);
			if (s->usable)
				csv_put(f, sens_describe(c, &s->sweep[w], text, sizeof text));
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
	char line[1024];

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
	fputs("   ],\n   \"params\": {\"machine\": ", f);
	json_put(f, c->runs[0].machine);
	fprintf(f, ", \"threads_per_core\": %" PRId64 ", \"threads_per_core_source\": ",
		c->runs[0].tpc);
	json_put(f, c->runs[0].tpc_source);
	fputs(", \"vcores\": ", f);
	json_put(f, c->runs[0].vcores);
	fputs(", \"options\": ", f);
	json_put(f, c->runs[0].options);
	fprintf(f, ", \"runs_left_out\": %zu},\n   \"verdict\": {\"line\": ", c->nother_params);
	json_put(f, verdict_line(c, &r->verdict, line, sizeof line));
	fputs(", \"cheapest_safe\": ", f);
	if (r->verdict.kind == VERDICT_OK)
		json_put(f, c->runs[r->verdict.best].policy);
	else
		fputs("null", f);
	fputs(", \"floor\": ", f);
	if (r->verdict.floor >= 0)
		fprintf(f, "%" PRId64, c->runs[r->verdict.floor].all.m[M_CYCLES]);
	else
		fputs("null", f);
	fputs(", \"missing\": ", f);
	if (r->verdict.kind == VERDICT_OK)
		fputs("null", f);
	else
		json_put(f, r->verdict.missing);
	fputs(", \"safe\": [", f);
	for (size_t k = 0; k < r->verdict.nsafe; k++) {
		size_t i = r->verdict.safe[k];

		fprintf(f, "%s{\"policy\": \"%s\", \"cycles\": %" PRId64 ", \"x_floor\": ",
			k ? ", " : "", c->runs[i].policy, c->runs[i].all.m[M_CYCLES]);
		if (verdict_x_floor(c, &r->verdict, i) > 0)
			fprintf(f, "%.4f}", verdict_x_floor(c, &r->verdict, i));
		else
			fputs("null}", f);
	}
	fputs("], \"unsafe\": [", f);
	for (size_t k = 0; k < r->verdict.nunsafe; k++) {
		size_t i = r->verdict.unsafe[k];

		fprintf(f, "%s{\"policy\": \"%s\", \"stale_exposures\": %" PRId64 "}", k ? ", " : "",
			c->runs[i].policy, c->runs[i].all.m[M_STALE_EXPOSURES]);
	}
	fputs("]}", f);
	kf_json(f, r);
	fputs(",\n   \"sweeps\": ", f);
	if (!s->usable) {
		fputs("null}", f);
	} else {
		/* per sweep: the cheapest safe policy (optimal aside) over [from, to] */
		for (int w = 0; w < CM_NSWEEPS; w++) {
			const struct sens_sweep *sw = &s->sweep[w];

			fprintf(f, "%s\"%s\": {\"stored\": %.6g, \"max\": %.6g, \"cheapest\": [",
				w ? ", " : "{", cm_sweep_names[w], sw->x_now, sw->x_max);
			for (size_t k = 0; k < sw->nsegs; k++) {
				const struct sens_seg *g = &sw->segs[k];

				fprintf(f, "%s{\"policy\": ", k ? ", " : "");
				json_put(f, c->runs[g->best].policy);
				fputs(", \"same\": [", f);
				for (size_t i = 0, n = 0; i < c->nruns && i < 64; i++)
					if (g->ties & (1ull << i)) {
						fputs(n++ ? ", " : "", f);
						json_put(f, c->runs[i].policy);
					}
				fprintf(f, "], \"from\": %.6g, \"to\": %.6g}", g->from, g->to);
			}
			fputs("]}", f);
		}
		fputs("}}", f);
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
