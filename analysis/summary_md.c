/* SPDX-License-Identifier: MIT */
/*
 * summary_md - report/summary.md: the report as text, for a terminal, a
 * ticket or a diff between two days.
 *
 * What it owns: the text form of a capture's report (meta, totals per
 * policy with old/new ratios, the verdict and its sensitivity, every metric
 * per VM, the stale-TLB exposures, the files) and of a comparison.
 *
 * Numbers are plain integers, exactly as stored (no separators, no
 * rounding), so that the file can be checked against `tlbreplay --format
 * json` and read back by scripts; the "Per VM" table has the JSON's shape:
 * one row per policy and VM, "all" for the sum, the metrics in their order.
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "report.h"
#include "util.h"

static void meta_row(FILE *f, const struct rs_capture *c, const char *title, const char *key)
{
	const char *v = rs_meta(c, key);

	fprintf(f, "| %s | ", title);
	md_put(f, v ? v : "(not recorded)");
	fputs(" |\n", f);
}

static void put_header(FILE *f, const struct report *r)
{
	const struct rs_capture *c = r->cap;
	const char *absent_key = NULL, *absent = meta_absent(c, &absent_key);
	int64_t lost;
	bool has_lost = meta_has_lost(c, &lost);

	fprintf(f, "# TLB invalidation policies on %s\n\n", r->label);
	if (has_lost || absent)
		fputs("> **WARNING: this capture is incomplete.** Counts from it are lower bounds.\n\n", f);
	fputs("| trace | |\n|---|---|\n", f);
	fputs("| file | ", f);
	md_put(f, c->path);
	fputs(" |\n", f);
	meta_row(f, c, "host", "host");
	meta_row(f, c, "kernel", "kernel");
	meta_row(f, c, "cpu", "cpu_model");
	meta_row(f, c, "source", "source");
	meta_row(f, c, "start", "start_time");
	meta_row(f, c, "threads per core", "threads_per_core");
	meta_row(f, c, "host threads", "ncpus");
	if (has_lost)
		fprintf(f, "| lost events | **%" PRId64 " (WARNING: events were lost)** |\n", lost);
	else
		meta_row(f, c, "lost events", "lost_events");
	if (absent) {
		fputs("| absent sources | **", f);
		md_put(f, absent);
		fputs(" (WARNING)** |\n", f);
	} else {
		fputs("| absent sources | none |\n", f);
	}
	fputs("| machine | ", f);
	md_put(f, c->runs[0].machine);
	fputs(" |\n| runs |", f);
	for (size_t i = 0; i < c->nruns; i++)
		fprintf(f, "%s %s = run %" PRId64, i ? "," : "", c->runs[i].policy, c->runs[i].id);
	fprintf(f, " (of %zu stored; tlbreplay ", c->nruns_stored);
	md_put(f, c->runs[0].tool_version);
	fputs(", ", f);
	md_put(f, c->runs[0].created);
	fputs(") |\n", f);
	fputs("| VMs |", f);
	if (c->nvmnames == 0)
		fputs(" (table vm is empty)", f);
	for (size_t i = 0; i < c->nvmnames; i++) {
		char label[128];

		fprintf(f, "%s %" PRId64 " (", i ? "," : "", c->vmnames[i].id);
		md_put(f, vm_label(c, c->vmnames[i].id, label, sizeof label));
		fputc(')', f);
	}
	fputs(" |\n\n", f);
	if (c->events_read) {
		fputs("Events in the trace (read with --events):\n\n| kind | events |\n|---|---:|\n", f);
		for (size_t i = 0; i < c->nkinds; i++) {
			fputs("| ", f);
			md_put(f, c->kinds[i].name);
			fprintf(f, " | %" PRId64 " |\n", c->kinds[i].count);
		}
		fprintf(f, "| (lost, sum of the 'lost' events) | %" PRId64 " |\n\n", c->lost_counted);
	}
}

static void put_totals(FILE *f, const struct report *r)
{
	const struct rs_capture *c = r->cap;
	const struct rs_run *o = rs_run_by_policy(c, "old"), *n = rs_run_by_policy(c, "new");
	char buf[32];

	fputs("## Totals over all VMs\n\n| metric |", f);
	for (size_t i = 0; i < c->nruns; i++)
		fprintf(f, " %s |", c->runs[i].policy);
	if (o && n)
		fputs(" old/new |", f);
	fputs("\n|---|", f);
	for (size_t i = 0; i < c->nruns; i++)
		fputs("---:|", f);
	if (o && n)
		fputs("---:|", f);
	fputc('\n', f);
	for (int k = 0; k < NMETRICS; k++) {
		fprintf(f, "| %s |", metric_names[k]);
		for (size_t i = 0; i < c->nruns; i++)
			fprintf(f, " %" PRId64 " |", c->runs[i].all.m[k]);
		if (o && n)
			fprintf(f, " %s |", fmt_ratio((double)o->all.m[k], (double)n->all.m[k], buf,
						      sizeof buf));
		fputc('\n', f);
	}
	fputc('\n', f);
}

static void put_costs(FILE *f, const struct rs_run *run)
{
	char buf[32];
	bool any = false;

	for (int k = 0; k < NCOSTS; k++)
		if (run->costs.have & (1u << k)) {
			fprintf(f, "%s%s %s", any ? ", " : "", cost_names[k],
				fmt_num(run->costs.v[k], buf, sizeof buf));
			any = true;
		}
	if (!any)
		fputs("(none named in params)", f);
}

static void put_sweep(FILE *f, const struct rs_capture *c, const struct sens_sweep *w)
{
	char now[32], max[32], text[1024];

	fprintf(f, "- **%s** (stored %s cycles; swept 0..%s%s): ", cm_sweep_names[w->kind],
		fmt_num(w->x_now, now, sizeof now), fmt_num(w->x_max, max, sizeof max),
		w->stretched ? ", widened to show the flip" : "");
	/* our words and policy names, which rs_load admits only from its known list */
	fputs(sens_describe(c, w, text, sizeof text), f);
	if (w->nsegs > 1 && w->x_now > 0) {
		fputs(" (flip", f);
		for (size_t k = 0; k + 1 < w->nsegs; k++)
			fprintf(f, "%s %.2fx", k ? "," : "", w->segs[k].to / w->x_now);
		fputs(" the stored value)", f);
	}
	fputs(".\n", f);
}

static void put_params(FILE *f, const struct report *r)
{
	const struct rs_capture *c = r->cap;
	const struct rs_run *run = &c->runs[0];
	char opts[1024];

	fputs("## Replayed as\n\n| parameter | value |\n|---|---|\n| machine | ", f);
	md_put(f, run->machine);
	fputs(" |\n| threads per core | ", f);
	if (run->tpc >= 0)
		fprintf(f, "%" PRId64 " (%s)", run->tpc, verdict_tpc_source(run->tpc_source));
	else
		fputs("not recorded", f);
	fputs(" |\n| vcores | ", f);
	md_put(f, run->vcores[0] ? run->vcores : "not recorded");
	fputs(" |\n| costs (cycles, estimates) | ", f);
	put_costs(f, run);
	fputs(" |\n| options | ", f);
	md_put(f, rs_options_union(c, opts, sizeof opts)[0] ? opts : "none recorded");
	fputs(" |\n\nEvery run shown was made with these parameters.", f);
	if (c->nother_params > 0) {
		fprintf(f, " **%zu other stored run%s of this trace, made with other parameters, "
			"%s left out** (never compared with these):", c->nother_params,
			c->nother_params == 1 ? "" : "s", c->nother_params == 1 ? "is" : "are");
		for (size_t i = 0; i < c->nother_params && i < 16; i++) {
			fprintf(f, "%s run %" PRId64 " (", i ? "," : "", c->other_params[i]);
			md_put(f, c->other_why[i]);
			fputs(" differ)", f);
		}
		fputs("; report them with --run.", f);
	}
	fputs("\n\n", f);
}

static void put_verdict(FILE *f, const struct report *r)
{
	const struct rs_capture *c = r->cap;
	const struct verdict *v = &r->verdict;
	const struct sens *s = &r->sens;

	fputs("## Verdict\n\n", f);
	if (v->doubt[0])
		fprintf(f, "> **WARNING: %s.**\n\n", v->doubt);
	if (v->tdoubt[0]) {
		fputs("> **WARNING (threads per core)**: ", f);
		md_put(f, v->tdoubt);
		fputs(".\n\n", f);
	}
	if (v->kind != VERDICT_OK) {
		fprintf(f, "**No verdict**: %s.\n\n", v->missing);
	} else {
		const struct rs_run *b = &c->runs[v->best];

		fprintf(f, "**%s is the cheapest safe policy**: %" PRId64 " cycles", b->policy,
			b->all.m[M_CYCLES]);
		if (v->floor >= 0)
			fprintf(f, ", %.2fx the floor (optimal, %" PRId64 " cycles).\n\n",
				verdict_x_floor(c, v, (size_t)v->best), c->runs[v->floor].all.m[M_CYCLES]);
		else
			fputs(" (optimal, the floor, was not replayed).\n\n", f);
		fputs("| safe policy | cycles | x the floor |\n|---|---:|---:|\n", f);
		for (size_t k = 0; k < v->nsafe; k++) {
			const struct rs_run *run = &c->runs[v->safe[k]];

			fprintf(f, "| %s | %" PRId64 " | ", run->policy, run->all.m[M_CYCLES]);
			if ((int)v->safe[k] == v->floor)
				fputs("the floor |\n", f);
			else if (v->floor >= 0 && verdict_x_floor(c, v, v->safe[k]) > 0)
				fprintf(f, "%.2fx |\n", verdict_x_floor(c, v, v->safe[k]));
			else
				fputs("- |\n", f);
		}
		fputc('\n', f);
	}
	if (v->nunsafe) {
		fputs("**Unsafe** (stale-TLB exposures: never a candidate, whatever it costs):\n\n"
		      "| unsafe policy | stale exposures | cycles |\n|---|---:|---:|\n", f);
		for (size_t k = 0; k < v->nunsafe; k++) {
			const struct rs_run *run = &c->runs[v->unsafe[k]];

			fprintf(f, "| %s | %" PRId64 " | %" PRId64 " |\n", run->policy,
				run->all.m[M_STALE_EXPOSURES], run->all.m[M_CYCLES]);
		}
		fputc('\n', f);
	}
	/* which MMU each policy models (verdict.c; our words, known policy names, numbers) */
	fputs(v->mmu_note, f);
	fputs("\n\n", f);
	fputs("Terms: *safe* = no stale-TLB exposure (a guest entry on a core that may still hold "
	      "a translation the guest invalidated: a correctness hazard, not a cost); *cycles* = "
	      "the modeled cost, the sum of each flush and invalidation sequence's cost "
	      "(estimates); *the floor* = optimal, the cheapest safe schedule for this very trace, "
	      "decided with the whole trace (no kernel can run it). The model: "
	      "[replay-model.md](replay-model.md).\n\n", f);
	put_params(f, r);
	fputs("## Cost sensitivity\n\n", f);
	if (!s->usable) {
		/* Our own words; the only names in them are known policies and costs. */
		fputs("No sweep: ", f);
		fputs(s->why_not, f);
		fputs(".\n\n", f);
		return;
	}
	fputs("Which safe policy (no stale exposure; optimal aside) costs the fewest cycles as "
	      "one cost moves, the others as stored, and where that flips. An unsafe policy is "
	      "never named, whatever it costs", f);
	for (size_t i = 0, n = 0; i < c->nruns; i++)
		if (c->runs[i].all.m[M_STALE_EXPOSURES] > 0)
			fprintf(f, "%s%s", n++ ? ", " : " (here: ", c->runs[i].policy);
	for (size_t i = 0; i < c->nruns; i++)
		if (c->runs[i].all.m[M_STALE_EXPOSURES] > 0) {
			fputc(')', f);
			break;
		}
	fputs(".\n\n", f);
	for (int k = 0; k < CM_NSWEEPS; k++)
		put_sweep(f, c, &s->sweep[k]);
	fputs("\noptimal is left out of the sweeps: its decisions depend on the costs, so its "
	      "cycles recomputed from the stored counts at other costs would only be an upper "
	      "bound (it would choose differently there).\n\n", f);
	if (s->check_err < 0.5)
		fputs("Model check: the cycles recomputed from the stored counts and costs equal the "
		      "stored cycles for every run.\n\n", f);
	else
		fprintf(f, "**Model check failed**: run %" PRId64 "'s stored cycles differ from the "
			"cost formula by %.0f cycles; its params may not hold the costs in force, "
			"and the sweep is off by as much.\n\n", s->check_run, s->check_err);
}

static void put_per_vm(FILE *f, const struct report *r)
{
	const struct rs_capture *c = r->cap;

	fputs("## Per VM: every metric\n\n| policy | vm |", f);
	for (int k = 0; k < NMETRICS; k++)
		fprintf(f, " %s |", metric_names[k]);
	fputs("\n|---|---|", f);
	for (int k = 0; k < NMETRICS; k++)
		fputs("---:|", f);
	fputc('\n', f);
	for (size_t i = 0; i < c->nruns; i++) {
		const struct rs_run *run = &c->runs[i];

		for (size_t j = 0; j <= run->nvms; j++) {
			const struct rs_row *row = j < run->nvms ? &run->vms[j] : &run->all;

			if (j < run->nvms)
				fprintf(f, "| %s | %" PRId64 " |", run->policy, row->vm);
			else
				fprintf(f, "| %s | all |", run->policy);
			for (int k = 0; k < NMETRICS; k++)
				fprintf(f, " %" PRId64 " |", row->m[k]);
			fputc('\n', f);
		}
	}
	fputc('\n', f);
}

static void put_hazards(FILE *f, const struct report *r)
{
	const struct rs_capture *c = r->cap;
	size_t listed = 0;

	fputs("## Stale-TLB exposures\n\nAn exposure is a guest entry on a core that may still "
	      "hold translations the guest invalidated (replay-model.md).\n\n"
	      "| policy | exposures | stored hazards |\n|---|---:|---:|\n", f);
	for (size_t i = 0; i < c->nruns; i++)
		fprintf(f, "| %s | %" PRId64 " | %" PRId64 " |\n", c->runs[i].policy,
			c->runs[i].all.m[M_STALE_EXPOSURES], c->runs[i].hazards_total);
	fputc('\n', f);
	for (size_t i = 0; i < c->nruns; i++)
		listed += c->runs[i].nhazards < r->hazard_list ? c->runs[i].nhazards : r->hazard_list;
	if (listed == 0) {
		fputs("No hazards stored.\n\n", f);
		return;
	}
	fprintf(f, "Earliest hazards (up to %zu per policy; all of them: hazards.csv):\n\n"
		"| policy | time (s) | vm | vcpu | core | stale since (s) | exposed for (us) |\n"
		"|---|---:|---:|---:|---:|---:|---:|\n", r->hazard_list);
	for (size_t i = 0; i < c->nruns; i++) {
		const struct rs_run *run = &c->runs[i];

		for (size_t j = 0; j < run->nhazards && j < r->hazard_list; j++) {
			const struct rs_hazard *h = &run->hazards[j];

			fprintf(f, "| %s | %.9f | %" PRId64 " | ", run->policy, (double)h->ts / 1e9, h->vm);
			if (h->vcpu >= 0)
				fprintf(f, "%" PRId64, h->vcpu);
			else
				fputs("-", f);
			fprintf(f, " | %" PRId64 " | %.9f | %.3f |\n", h->core,
				(double)h->marked_ts / 1e9, (double)(h->ts - h->marked_ts) / 1e3);
		}
	}
	fputc('\n', f);
}

static void put_files(FILE *f, const struct report *r)
{
	fputs("## Files\n\n- index.html: this report with its plots (open it from disk)\n", f);
	for (size_t i = 0; i < r->nplots; i++)
		fprintf(f, "- plots/%s.png, plots/%s.svg (script: plots/%s.gp)\n", r->plots[i],
			r->plots[i], r->plots[i]);
	fputs("- hazards.csv: every stored hazard of the reported runs\n", f);
	fprintf(f, "\nWritten by tlbreport %s.\n", TLB_VERSION);
}

static int write_capture(FILE *f, const void *arg)
{
	const struct report *r = arg;

	put_header(f, r);
	put_totals(f, r);
	put_verdict(f, r);
	put_per_vm(f, r);
	kf_md(f, r);
	put_hazards(f, r);
	put_files(f, r);
	return 0;
}

int md_capture(const struct report *r, char *err, size_t errlen)
{
	char path[4200];

	snprintf(path, sizeof path, "%s/summary.md", r->dir);
	return write_file(path, write_capture, r, err, errlen);
}

/* --- compare mode -------------------------------------------------------------- */

struct cmp_arg {
	struct report *const *reps;	/* the captures */
	size_t nreps;
};

static void cmp_field(FILE *f, const struct rs_capture *c, const char *key)
{
	const char *v = rs_meta(c, key);

	fputc(' ', f);
	md_put(f, v ? v : "-");
	fputs(" |", f);
}

static int write_compare(FILE *f, const void *arg)
{
	const struct cmp_arg *a = arg;
	char text[1024];

	char line[2048];

	fprintf(f, "# TLB invalidation policies: %zu captures compared\n\n", a->nreps);
	fprintf(f, "**%s** (terms: [replay-model.md](replay-model.md))\n\n",
		conclusion(a->reps, a->nreps, line, sizeof line));
	fputs("| capture | host | kernel | cpu | start | lost events | absent sources | machine |\n"
	      "|---|---|---|---|---|---:|---|---|\n", f);
	for (size_t k = 0; k < a->nreps; k++) {
		const struct rs_capture *c = a->reps[k]->cap;
		const char *absent = meta_absent(c, NULL);
		int64_t lost;
		bool has_lost = meta_has_lost(c, &lost);

		fprintf(f, "| [%s](%s/index.html) |", a->reps[k]->label, a->reps[k]->label);
		cmp_field(f, c, "host");
		cmp_field(f, c, "kernel");
		cmp_field(f, c, "cpu_model");
		cmp_field(f, c, "start_time");
		if (!rs_meta(c, "lost_events"))
			fputs(" - |", f);
		else
			fprintf(f, has_lost ? " **%" PRId64 "** |" : " %" PRId64 " |", lost);
		fputc(' ', f);
		if (absent) {
			fputs("**", f);
			md_put(f, absent);
			fputs("**", f);
		} else {
			fputs("none", f);
		}
		fputs(" | ", f);
		md_put(f, c->runs[0].machine);
		fputs(" |\n", f);
	}
	fputs("\n## Cycles and counts (all VMs)\n\n"
	      "| capture | policy | full_flushes | tlbie | tlbie_seqs | cycles | stale_exposures |\n"
	      "|---|---|---:|---:|---:|---:|---:|\n", f);
	for (size_t k = 0; k < a->nreps; k++) {
		const struct rs_capture *c = a->reps[k]->cap;

		for (size_t i = 0; i < c->nruns; i++) {
			const int64_t *m = c->runs[i].all.m;

			fprintf(f, "| %s | %s | %" PRId64 " | %" PRId64 " | %" PRId64 " | %" PRId64
				" | %" PRId64 " |\n", a->reps[k]->label, c->runs[i].policy,
				m[M_FULL_FLUSHES], m[M_TLBIE], m[M_TLBIE_SEQS], m[M_CYCLES],
				m[M_STALE_EXPOSURES]);
		}
	}
	fputs("\n## Verdicts\n\n| capture | replayed as | verdict | unsafe (exposures) | "
	      "cheapest safe as tlbie+tlbsync moves | cheapest safe as flush_refill moves |\n"
	      "|---|---|---|---|---|---|\n", f);
	for (size_t k = 0; k < a->nreps; k++) {
		const struct sens *s = &a->reps[k]->sens;
		const struct rs_capture *c = a->reps[k]->cap;
		const struct verdict *v = &a->reps[k]->verdict;

		fprintf(f, "| %s | ", a->reps[k]->label);
		md_put(f, c->runs[0].machine);
		if (c->runs[0].tpc >= 0)
			fprintf(f, ", T %" PRId64 " (%s)", c->runs[0].tpc, c->runs[0].tpc_source);
		fputs(" | ", f);
		if (v->kind != VERDICT_OK)
			fputs(v->kind == VERDICT_NO_ENTRIES ? "no verdict: no guest entries" :
			      v->kind == VERDICT_NO_INVALIDATIONS ? "no verdict: no invalidations" :
			      "no verdict: no safe policy", f);
		else if (v->floor >= 0)
			fprintf(f, "%s, %.2fx the floor", c->runs[v->best].policy,
				verdict_x_floor(c, v, (size_t)v->best));
		else
			fprintf(f, "%s (no floor replayed)", c->runs[v->best].policy);
		fputs(" |", f);
		for (size_t u = 0; u < v->nunsafe; u++)
			fprintf(f, "%s %s (%" PRId64 ")", u ? "," : "", c->runs[v->unsafe[u]].policy,
				c->runs[v->unsafe[u]].all.m[M_STALE_EXPOSURES]);
		fputs(v->nunsafe ? " |" : " none |", f);
		if (!s->usable) {
			fputs(" - | - |\n", f);
			continue;
		}
		for (int w = 0; w < CM_NSWEEPS; w++) {
			fputc(' ', f);
			fputs(sens_describe(c, &s->sweep[w], text, sizeof text), f);	/* known names */
			fputs(" |", f);
		}
		fputc('\n', f);
	}
	fprintf(f, "\nEach capture's full report: CAPTURE/index.html and CAPTURE/summary.md.\n"
		"\nWritten by tlbreport %s.\n", TLB_VERSION);
	return 0;
}

int md_compare(struct report *const *reps, size_t nreps, const char *dir, char *err, size_t errlen)
{
	char path[4200];
	struct cmp_arg a = { reps, nreps };

	snprintf(path, sizeof path, "%s/summary.md", dir);
	return write_file(path, write_compare, &a, err, errlen);
}
