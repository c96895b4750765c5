/* SPDX-License-Identifier: MIT */
/*
 * figures - the gnuplot scripts of a report (see report.h and plot.h).
 *
 * What it owns: which plots a report has, their data and their wording:
 *   cycles_by_policy       modeled cycles over all VMs, one bar per policy
 *   vm_full_flushes, vm_tlbie, vm_cycles
 *                          per-VM grouped bars, one bar per policy
 *   series_cycles, series_tlbie
 *                          per time bucket, one line per policy
 *   stale_exposures        cumulative stale-TLB exposures over time per policy
 *   sens_tlbie_tlbsync, sens_flush_refill
 *                          cycles of every policy as one cost sweeps, the
 *                          stored estimate and the old/new crossover marked
 *   sens_map               old/new over both costs at once, the flip line drawn
 *   cmp_cycles, cmp_full_flushes, cmp_tlbie, cmp_stale, cmp_ratio
 *                          compare mode: one group per capture
 * A plot whose data do not exist (no series stored, no sweep possible) is
 * not made; the writers check r->plots by name.
 *
 * Time series: the replay's buckets (replay_run.bucket_ns wide) are summed
 * into at most r->max_points bins of a whole number of buckets, so a long
 * capture stays readable and the plot's title gives the bin width. Buckets
 * absent from replay_series count as 0 (a writer may store only non-empty
 * buckets).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "report.h"

static const struct gp_size SIZE_WIDE = { 1000, 420 };
static const struct gp_size SIZE_BARS = { 1000, 400 };
static const struct gp_size SIZE_SMALL = { 760, 360 };

static int add_plot(char **names, size_t *n, const char *name, char *err, size_t errlen)
{
	if (*n >= REPORT_MAX_PLOTS) {
		snprintf(err, errlen, "too many plots");
		return -1;
	}
	names[*n] = strdup(name);
	if (!names[*n]) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	(*n)++;
	return 0;
}

static int finish(FILE *f, const char *dir, const char *name, char **names, size_t *n,
		  char *err, size_t errlen)
{
	if (gp_end(f) < 0) {
		snprintf(err, errlen, "%s/%s.gp: cannot write: %s", dir, name, strerror(errno));
		return -1;
	}
	return add_plot(names, n, name, err, errlen);
}

/* A human bin width: "250 ms", "2 s", "40 us". */
static void width_text(int64_t ns, char *buf, size_t len)
{
	if (ns >= 1000000000 && ns % 1000000000 == 0)
		snprintf(buf, len, "%" PRId64 " s", ns / 1000000000);
	else if (ns >= 1000000 && ns % 1000000 == 0)
		snprintf(buf, len, "%" PRId64 " ms", ns / 1000000);
	else if (ns >= 1000 && ns % 1000 == 0)
		snprintf(buf, len, "%" PRId64 " us", ns / 1000);
	else if (ns >= 1000000)
		snprintf(buf, len, "%.3g ms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%" PRId64 " ns", ns);
}

/*
 * Tick labels for a y axis whose data reach @maxv: plain integers for small
 * counts (a count axis never shows "0.5" when it is small enough to step by
 * 1), engineering notation (1.2M) for large ones.
 */
static void y_format(FILE *f, double maxv)
{
	if (maxv <= 0)		/* all zero: say so on a 0..1 axis, without gnuplot's warning */
		fputs("set yrange [0:1]\nset ytics 1\nset format y '%g'\n", f);
	else if (maxv <= 8)
		fputs("set ytics 1\nset format y '%g'\n", f);
	else if (maxv < 10000)
		fputs("set format y '%g'\n", f);
	else
		fputs("set format y '%.1s%c'\n", f);
}

/*
 * A y axis for values from @minpos (the smallest value > 0) to @maxv: a log
 * scale when they span more than 100x (else the small ones are invisible
 * beside the big ones), otherwise linear from 0. Returns whether it is log.
 */
static bool y_axis(FILE *f, double minpos, double maxv)
{
	if (minpos > 0 && maxv / minpos > 100.0) {
		/* a decade below the smallest bar, so that it still shows */
		double lo = pow(10.0, floor(log10(minpos / 3.0)));

		fprintf(f, "set logscale y 10\nset yrange [%.6g:*]\nset format y '%%.0s%%c'\n"
			"set grid ytics mytics\n", lo);
		return true;
	}
	fputs("set yrange [0:*]\n", f);
	y_format(f, maxv);
	return false;
}

static bool is_optimal(const char *p)
{
	return strcmp(p, "optimal") == 0;
}

static const char *dash(const char *p)
{
	return is_optimal(p) ? " dt 2" : "";
}

/*
 * The plot command's per-policy terms: "$data using 1:COL with STYLE ...".
 * The lines are drawn in reverse order, each a little wider than the next, so
 * that a policy whose line coincides with another's still shows as a border
 * around it; and the legend says so: same[i] >= 0 when run i's data equal
 * run same[i]'s ("tracked (same as new)"). The legend comes first, from NaN
 * terms in the usual order. With @skip_optimal, optimal is not drawn.
 */
static void policy_terms(FILE *f, const struct rs_capture *c, const char *block,
			 const char *style, int first_col, const int *same, bool skip_optimal)
{
	bool first = true;

	for (size_t i = 0; i < c->nruns; i++) {
		const char *p = c->runs[i].policy;

		if (skip_optimal && is_optimal(p))
			continue;
		fprintf(f, "%sNaN with lines lw 2 lc rgb '%s'%s title '%s", first ? "" : ", \\\n       ",
			gp_policy_color(p, i), dash(p), p);
		if (same && same[i] >= 0)
			fprintf(f, " (same as %s)", c->runs[same[i]].policy);
		fputc('\'', f);
		first = false;
	}
	for (size_t i = c->nruns; i-- > 0;) {
		const char *p = c->runs[i].policy;

		if (skip_optimal && is_optimal(p))
			continue;
		fprintf(f, ", \\\n       $%s using 1:%zu with %s lw %.1f lc rgb '%s'%s notitle", block,
			(size_t)first_col + i, style, 1.5 + 0.6 * (double)i, gp_policy_color(p, i),
			dash(p));
	}
}

/* same[i] = the first j < i whose @n values equal run i's, else -1. */
static void find_same(const struct rs_capture *c, double *const *cols, size_t n, int *same)
{
	for (size_t i = 0; i < c->nruns; i++) {
		same[i] = -1;
		for (size_t j = 0; j < i && same[i] < 0; j++)
			if (memcmp(cols[i], cols[j], n * sizeof **cols) == 0)
				same[i] = (int)j;
	}
}

/* --- cycles by policy ---------------------------------------------------------- */

static int fig_cycles_by_policy(struct report *r, char *err, size_t errlen)
{
	const struct rs_capture *c = r->cap;
	const char *name = "cycles_by_policy";
	char src[512], esc[128];
	FILE *f;

	gp_escape(c->path, src, sizeof src);
	f = gp_begin(r->plotdir, name, "Modeled cycles per policy, all VMs", src, SIZE_SMALL,
		     err, errlen);
	if (!f)
		return -1;
	gp_data_begin(f, "data");
	fputs("# policy cycles color\n", f);
	for (size_t i = 0; i < c->nruns; i++) {
		/* the colour as gnuplot's "rgb variable" integer (0xRRGGBB) */
		gp_escape(c->runs[i].policy, esc, sizeof esc);
		fprintf(f, "\"%s\" %" PRId64 " %ld\n", esc, c->runs[i].all.m[M_CYCLES],
			strtol(gp_policy_color(c->runs[i].policy, i) + 1, NULL, 16));
	}
	gp_data_end(f);
	gp_escape(c->runs[0].machine, esc, sizeof esc);
	fprintf(f, "set title 'Modeled cycles per policy (all VMs, machine %s)'\n", esc);
	{
		double lo = 0, hi = 0;

		for (size_t i = 0; i < c->nruns; i++) {
			double v = (double)c->runs[i].all.m[M_CYCLES];

			hi = fmax(hi, v);
			if (v > 0 && (lo == 0 || v < lo))
				lo = v;
		}
		if (y_axis(f, lo, hi))
			fputs("set ylabel 'cycles (log scale)'\n", f);
		else
			fputs("set ylabel 'cycles'\nset format y '%.1s%c'\n", f);
	}
	fputs("set offsets 0, 0, graph 0.12, 0\n"
	      "set style data boxes\n"
	      "set boxwidth 0.6\n"
	      "set xtics scale 0\n"
	      "unset key\n", f);
	gp_render_begin(f, name, SIZE_SMALL);
	fputs("$data using 0:2:3:xtic(1) with boxes lc rgb variable, \\\n"
	      "       $data using 0:2:(gprintf('%.1s%c', $2)) with labels offset 0,0.8 textcolor rgb '#222222'",
	      f);
	gp_render_end(f);
	return finish(f, r->plotdir, name, r->plots, &r->nplots, err, errlen);
}

/* --- per-VM grouped bars ------------------------------------------------------- */

struct vm_pick {
	int64_t vm;			/* vm.id */
	int64_t key;			/* largest cycles over the runs: the sort key */
};

static int vm_pick_cmp(const void *pa, const void *pb)
{
	const struct vm_pick *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key > b->key ? -1 : 1;
	return a->vm < b->vm ? -1 : a->vm > b->vm;
}

static int vm_id_cmp(const void *pa, const void *pb)
{
	const struct vm_pick *a = pa, *b = pb;

	return a->vm < b->vm ? -1 : a->vm > b->vm;
}

/* The VMs of every run, the max_vms largest by cycles, in id order (n log n in the VMs). */
static struct vm_pick *pick_vms(const struct report *r, size_t *n, size_t *total)
{
	const struct rs_capture *c = r->cap;
	size_t cap = 0, all = 0, cnt = 0;
	struct vm_pick *v = NULL;

	for (size_t i = 0; i < c->nruns; i++)
		cap += c->runs[i].nvms;
	v = calloc(cap ? cap : 1, sizeof *v);
	if (!v)
		return NULL;
	for (size_t i = 0; i < c->nruns; i++)
		for (size_t j = 0; j < c->runs[i].nvms; j++)
			v[all++] = (struct vm_pick){ .vm = c->runs[i].vms[j].vm,
						     .key = c->runs[i].vms[j].m[M_CYCLES] };
	/* One entry per VM, keyed by its largest cycles over the runs. */
	qsort(v, all, sizeof *v, vm_id_cmp);
	for (size_t k = 0; k < all; k++) {
		if (cnt > 0 && v[cnt - 1].vm == v[k].vm) {
			if (v[k].key > v[cnt - 1].key)
				v[cnt - 1].key = v[k].key;
			continue;
		}
		v[cnt++] = v[k];
	}
	*total = cnt;
	qsort(v, cnt, sizeof *v, vm_pick_cmp);
	if (cnt > (size_t)r->max_vms)
		cnt = (size_t)r->max_vms;
	qsort(v, cnt, sizeof *v, vm_id_cmp);
	*n = cnt;
	return v;
}

static int fig_vm_bars(struct report *r, enum metric metric, const char *name,
		       const char *ylabel, char *err, size_t errlen)
{
	const struct rs_capture *c = r->cap;
	size_t n, total;
	struct vm_pick *v = pick_vms(r, &n, &total);
	char src[512], what[160], label[128], esc[256];
	FILE *f;

	if (!v) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	if (n == 0) {
		free(v);
		return 0;
	}
	gp_escape(c->path, src, sizeof src);
	snprintf(what, sizeof what, "Per-VM %s, one bar per policy", rs_metric_titles[metric]);
	f = gp_begin(r->plotdir, name, what, src, SIZE_BARS, err, errlen);
	if (!f) {
		free(v);
		return -1;
	}
	double maxv = 0, minpos = 0;
	size_t longest = 0;

	gp_data_begin(f, "data");
	fputs("# vm", f);
	for (size_t i = 0; i < c->nruns; i++)
		fprintf(f, " %s", c->runs[i].policy);
	fputc('\n', f);
	for (size_t k = 0; k < n; k++) {
		gp_escape(vm_label(c, v[k].vm, label, sizeof label), esc, sizeof esc);
		/*
		 * A tick label fits under its group: a long name keeps its start and its
		 * end, where names of one family differ ("customer-d...replica-19"); the
		 * HTML has them whole.
		 */
		size_t len = strlen(esc);

		if (len > 24) {
			memmove(esc + 13, esc + len - 11, 12);
			memcpy(esc + 10, "...", 3);
		}
		longest = strlen(esc) > longest ? strlen(esc) : longest;
		fprintf(f, "\"%s\"", esc);
		for (size_t i = 0; i < c->nruns; i++) {
			const int64_t *m = rs_vm_metrics(&c->runs[i], v[k].vm);
			double x = m ? (double)m[metric] : 0;

			fprintf(f, " %" PRId64, m ? m[metric] : 0);
			maxv = fmax(maxv, x);
			if (x > 0 && (minpos == 0 || x < minpos))
				minpos = x;
		}
		fputc('\n', f);
	}
	gp_data_end(f);
	if (total > n)
		fprintf(f, "set title \"Per VM: %s (the %zu of %zu VMs with the most cycles)\"\n",
			rs_metric_titles[metric], n, total);
	else
		fprintf(f, "set title \"Per VM: %s\"\n", rs_metric_titles[metric]);
	/* Labels turn when they would not fit side by side; the margin below makes room. */
	bool turn = n * (longest + 2) > 110;

	fprintf(f, "set ylabel '%s%s'\n"
		"set style data histograms\n"
		"set style histogram clustered gap 1\n"
		"set boxwidth 0.9 relative\n"
		"set xtics scale 0%s\n", ylabel, minpos > 0 && maxv / minpos > 100 ? " (log scale)" : "",
		turn ? " rotate by 40 right" : "");
	/* Turned by 40 degrees a label of L characters drops about 0.3 L lines and reaches
	 * about 0.8 L characters left of its tick: the margins make that room. */
	if (turn)
		fprintf(f, "set bmargin %zu\nset lmargin %zu\n", 2 + (longest * 30) / 100,
			longest * 8 / 10 > 10 ? longest * 8 / 10 : 10);
	y_axis(f, minpos, maxv);
	gp_render_begin(f, name, SIZE_BARS);
	for (size_t i = 0; i < c->nruns; i++) {
		const char *p = c->runs[i].policy;

		gp_escape(p, esc, sizeof esc);
		fprintf(f, "%s$data using %zu%s lc rgb '%s' title \"%s\"", i ? ", \\\n       " : "",
			i + 2, i == 0 ? ":xtic(1)" : "", gp_policy_color(p, i), esc);
	}
	gp_render_end(f);
	free(v);
	return finish(f, r->plotdir, name, r->plots, &r->nplots, err, errlen);
}

/* --- time series --------------------------------------------------------------- */

struct binning {
	int64_t t0;			/* start of the first bin, ns */
	int64_t width;			/* bin width, ns (a whole number of buckets) */
	size_t nbins;
};

/* Bucket width of the capture's series: bucket_ns of a run, else the smallest gap. */
static int64_t bucket_width(const struct rs_capture *c)
{
	int64_t w = 0;

	for (size_t i = 0; i < c->nruns; i++)
		if (c->runs[i].bucket_ns > w)
			w = c->runs[i].bucket_ns;
	if (w > 0)
		return w;
	for (size_t i = 0; i < c->nruns; i++)
		for (size_t j = 1; j < c->runs[i].nseries; j++) {
			int64_t d = c->runs[i].series[j].vm - c->runs[i].series[j - 1].vm;

			if (d > 0 && (w == 0 || d < w))
				w = d;
		}
	return w > 0 ? w : 1;
}

static bool make_binning(const struct report *r, struct binning *b)
{
	const struct rs_capture *c = r->cap;
	int64_t lo = INT64_MAX, hi = INT64_MIN, w = bucket_width(c);

	for (size_t i = 0; i < c->nruns; i++)
		if (c->runs[i].nseries) {
			if (c->runs[i].series[0].vm < lo)
				lo = c->runs[i].series[0].vm;
			if (c->runs[i].series[c->runs[i].nseries - 1].vm > hi)
				hi = c->runs[i].series[c->runs[i].nseries - 1].vm;
		}
	if (lo > hi)
		return false;
	/* Bins aligned on bucket boundaries, starting at the first bucket. */
	uint64_t buckets = (uint64_t)((hi - lo) / w) + 1;
	uint64_t group = (buckets + (uint64_t)r->max_points - 1) / (uint64_t)r->max_points;

	if (group == 0)
		group = 1;
	b->t0 = lo;
	b->width = w * (int64_t)group;
	b->nbins = (size_t)((buckets + group - 1) / group);
	return true;
}

/* Sum of metric @m of run @i into bins (calloc'ed nbins doubles), optionally cumulative. */
static double *bin_series(const struct rs_run *run, const struct binning *b, enum metric m,
			  bool cumulative)
{
	double *v = calloc(b->nbins, sizeof *v);

	if (!v)
		return NULL;
	for (size_t j = 0; j < run->nseries; j++) {
		int64_t k = (run->series[j].vm - b->t0) / b->width;

		if (k >= 0 && (size_t)k < b->nbins)
			v[k] += (double)run->series[j].m[m];
	}
	if (cumulative)
		for (size_t k = 1; k < b->nbins; k++)
			v[k] += v[k - 1];
	return v;
}

static int fig_series(struct report *r, enum metric metric, const char *name,
		      bool cumulative, char *err, size_t errlen)
{
	const struct rs_capture *c = r->cap;
	struct binning b;
	double **cols;
	char src[512], what[200], wtext[32];
	FILE *f;
	int rc = -1;

	if (!make_binning(r, &b))
		return 0;
	cols = calloc(c->nruns, sizeof *cols);
	if (!cols) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	for (size_t i = 0; i < c->nruns; i++)
		if (!(cols[i] = bin_series(&c->runs[i], &b, metric, cumulative))) {
			snprintf(err, errlen, "%s", strerror(ENOMEM));
			goto out;
		}
	width_text(b.width, wtext, sizeof wtext);
	gp_escape(c->path, src, sizeof src);
	if (cumulative)
		snprintf(what, sizeof what, "Cumulative %s over time, one line per policy",
			 rs_metric_titles[metric]);
	else
		snprintf(what, sizeof what, "%s per %s bin over time, one line per policy",
			 rs_metric_titles[metric], wtext);
	f = gp_begin(r->plotdir, name, what, src, SIZE_WIDE, err, errlen);
	if (!f)
		goto out;
	gp_data_begin(f, "data");
	fputs("# seconds_since_capture_start", f);
	for (size_t i = 0; i < c->nruns; i++)
		fprintf(f, " %s", c->runs[i].policy);
	fputc('\n', f);
	double maxv = 0, minpos = 0;

	/* A cumulative count is the total at the end of its bin; it starts at 0. */
	if (cumulative) {
		fprintf(f, "%.9g", (double)b.t0 / 1e9);
		for (size_t i = 0; i < c->nruns; i++)
			fputs(" 0", f);
		fputc('\n', f);
	}
	for (size_t k = 0; k < b.nbins; k++) {
		/* in double: bin edges past INT64_MAX cannot wrap */
		fprintf(f, "%.9g", ((double)b.t0 + (double)((int64_t)k + cumulative) * (double)b.width) / 1e9);
		for (size_t i = 0; i < c->nruns; i++) {
			fprintf(f, " %.0f", cols[i][k]);
			if (cols[i][k] > maxv)
				maxv = cols[i][k];
			if (cols[i][k] > 0 && (minpos == 0 || cols[i][k] < minpos))
				minpos = cols[i][k];
		}
		fputc('\n', f);
	}
	/* A bin's count holds over the whole bin: the steps end at the end of the last one. */
	if (!cumulative && b.nbins > 0) {
		fprintf(f, "%.9g", ((double)b.t0 + (double)b.nbins * (double)b.width) / 1e9);
		for (size_t i = 0; i < c->nruns; i++)
			fprintf(f, " %.0f", cols[i][b.nbins - 1]);
		fputs("  # the end of the last bin\n", f);
	}
	gp_data_end(f);
	int same[REPORT_MAX_RUNS];

	find_same(c, cols, b.nbins, same);
	if (cumulative)
		fprintf(f, "set title '%s so far (cumulative, all VMs, at the end of each %s bin)'\n"
			"set ylabel 'exposures (total so far)'\n", rs_metric_titles[metric], wtext);
	else if (b.nbins < 10)
		fprintf(f, "set title '%s per %s bin (all VMs; only %zu bucket%s stored: "
			"tlbreplay -b MS for more)'\nset ylabel '%s per %s'\n", rs_metric_titles[metric],
			wtext, b.nbins, b.nbins == 1 ? "" : "s",
			metric == M_CYCLES ? "cycles" : metric_names[metric], wtext);
	else
		fprintf(f, "set title '%s per %s bin (all VMs)'\n"
			"set ylabel '%s per %s'\n", rs_metric_titles[metric], wtext,
			metric == M_CYCLES ? "cycles" : metric_names[metric], wtext);
	fputs("set xlabel 'time since capture start (s)'\n"
	      "set format x '%g'\n", f);
	/* Bins of one policy can dwarf another's: log scale past 100x (empty bins drop out). */
	if (!cumulative && y_axis(f, minpos, maxv))
		fputs("set label 9 'log scale: empty bins not drawn' "
		      "at graph 1, graph 1.02 right font ',9' textcolor rgb '#555555'\n", f);
	else if (cumulative)
		fputs("set yrange [0:*]\n", f), y_format(f, maxv);
	gp_render_begin(f, name, SIZE_WIDE);
	policy_terms(f, c, "data", "steps", 2, same, false);
	gp_render_end(f);
	rc = finish(f, r->plotdir, name, r->plots, &r->nplots, err, errlen);
out:
	for (size_t i = 0; i < c->nruns; i++)
		free(cols[i]);
	free(cols);
	return rc;
}

/*
 * Cumulative exposures stepping at their exact times (replay_hazard.ts), one
 * data block per policy: (start, 0), then (ts_k, k) for the k-th exposure,
 * then (end, total). Used when every run's hazards are loaded; otherwise
 * fig_series() draws them per bin.
 */
static int fig_exposures(struct report *r, const char *name, char *err, size_t errlen)
{
	const struct rs_capture *c = r->cap;
	struct binning b;
	int64_t t0 = INT64_MAX, t1 = INT64_MIN, maxv = 0;
	int same[REPORT_MAX_RUNS];
	char src[512];
	FILE *f;

	for (size_t i = 0; i < c->nruns; i++) {
		const struct rs_run *run = &c->runs[i];

		if (run->nhazard_ts != (size_t)run->hazards_total)
			return fig_series(r, M_STALE_EXPOSURES, name, true, err, errlen);
		if (run->nhazard_ts) {
			t0 = run->hazard_ts[0] < t0 ? run->hazard_ts[0] : t0;
			t1 = run->hazard_ts[run->nhazard_ts - 1] > t1 ? run->hazard_ts[run->nhazard_ts - 1] : t1;
		}
		maxv = run->hazards_total > maxv ? run->hazards_total : maxv;
	}
	if (make_binning(r, &b)) {
		t0 = b.t0 < t0 ? b.t0 : t0;
		/* the end of the last bin, in double: no int64 step can overflow here */
		double end = (double)b.t0 + (double)b.nbins * (double)b.width;

		t1 = end > (double)t1 ? (int64_t)fmin(end, 9.2e18) : t1;
	}
	if (t0 > t1)
		return 0;	/* no series and no hazard: nothing to draw */
	for (size_t i = 0; i < c->nruns; i++) {
		same[i] = -1;
		for (size_t j = 0; j < i && same[i] < 0; j++)
			if (c->runs[i].nhazard_ts == c->runs[j].nhazard_ts &&
			    (c->runs[i].nhazard_ts == 0 ||
			     memcmp(c->runs[i].hazard_ts, c->runs[j].hazard_ts,
				    c->runs[i].nhazard_ts * sizeof *c->runs[i].hazard_ts) == 0))
				same[i] = (int)j;
	}
	gp_escape(c->path, src, sizeof src);
	f = gp_begin(r->plotdir, name, "Cumulative stale-TLB exposures, stepping at the time of each",
		     src, SIZE_WIDE, err, errlen);
	if (!f)
		return -1;
	for (size_t i = 0; i < c->nruns; i++) {
		const struct rs_run *run = &c->runs[i];
		char block[32];

		snprintf(block, sizeof block, "e%zu", i);
		gp_data_begin(f, block);
		fprintf(f, "# %s: seconds since capture start, exposures so far\n%.9f 0\n", run->policy,
			(double)t0 / 1e9);
		for (size_t k = 0; k < run->nhazard_ts; k++)
			fprintf(f, "%.9f %zu\n", (double)run->hazard_ts[k] / 1e9, k + 1);
		fprintf(f, "%.9f %zu\n", (double)t1 / 1e9, run->nhazard_ts);
		gp_data_end(f);
	}
	fputs("set title 'stale-TLB exposures so far (cumulative, all VMs; each step is one exposure, "
	      "at its time)'\nset ylabel 'exposures (total so far)'\n"
	      "set xlabel 'time since capture start (s)'\nset yrange [0:*]\nset format x '%g'\n", f);
	y_format(f, (double)maxv);
	gp_render_begin(f, name, SIZE_WIDE);
	for (size_t i = 0; i < c->nruns; i++) {
		const char *p = c->runs[i].policy;

		fprintf(f, "%sNaN with lines lw 2 lc rgb '%s'%s title '%s", i ? ", \\\n       " : "",
			gp_policy_color(p, i), dash(p), p);
		if (same[i] >= 0)
			fprintf(f, " (same as %s)", c->runs[same[i]].policy);
		fputc('\'', f);
	}
	for (size_t i = c->nruns; i-- > 0;)
		fprintf(f, ", \\\n       $e%zu using 1:2 with steps lw %.1f lc rgb '%s'%s notitle", i,
			1.5 + 0.6 * (double)i, gp_policy_color(c->runs[i].policy, i),
			dash(c->runs[i].policy));
	gp_render_end(f);
	return finish(f, r->plotdir, name, r->plots, &r->nplots, err, errlen);
}

/* --- cost sensitivity ---------------------------------------------------------- */

static int fig_sensitivity(struct report *r, enum cm_sweep_kind kind, const char *name,
			   char *err, size_t errlen)
{
	const struct rs_capture *c = r->cap;
	const struct sens *s = &r->sens;
	const struct sens_sweep *w = &s->sweep[kind];
	const int npts = 101;
	char src[512], what[200], xbuf[64];
	FILE *f;

	int same[REPORT_MAX_RUNS];

	if (!s->usable)
		return 0;
	for (size_t i = 0; i < c->nruns; i++) {
		same[i] = -1;
		for (size_t j = 0; j < i && same[i] < 0; j++)
			if (w->a[i] == w->a[j] && w->b[i] == w->b[j] && !is_optimal(c->runs[j].policy))
				same[i] = (int)j;
	}
	gp_escape(c->path, src, sizeof src);
	snprintf(what, sizeof what, "Cost sensitivity: modeled cycles as the %s cost sweeps "
		 "0..%s cycles", cm_sweep_names[kind], fmt_num(w->x_max, xbuf, sizeof xbuf));
	f = gp_begin(r->plotdir, name, what, src, SIZE_WIDE, err, errlen);
	if (!f)
		return -1;
	fputs("# Each policy's cycles are linear in the costs: cycles = a + b * x, from the\n"
	      "# stored counts and the run's params (no replay). Columns: x, then cycles per policy.\n"
	      "# optimal is not drawn: its decisions depend on the costs, so this line would only\n"
	      "# be an upper bound of its cycles at other costs.\n", f);
	gp_data_begin(f, "data");
	fputs("# x", f);
	for (size_t i = 0; i < c->nruns; i++)
		fprintf(f, " %s", c->runs[i].policy);
	fputc('\n', f);
	for (int k = 0; k < npts; k++) {
		double x = w->x_max * k / (npts - 1);

		fprintf(f, "%.6g", x);
		for (size_t i = 0; i < c->nruns; i++)
			fprintf(f, " %.6g", w->a[i] + w->b[i] * x);
		fputc('\n', f);
	}
	gp_data_end(f);
	if (kind == CM_SWEEP_TLBIE_TLBSYNC)
		fputs("set title \"Cost sensitivity: tlbie + tlbsync cost (their stored ratio kept)\"\n"
		      "set xlabel 'tlbie + tlbsync cost (cycles)'\n", f);
	else
		fputs("set title \"Cost sensitivity: flush_refill cost (TLB refill after a full flush)\"\n"
		      "set xlabel 'flush_refill cost (cycles per full flush)'\n", f);
	fprintf(f, "set ylabel 'modeled cycles (all VMs)'\n"
		"set xrange [0:%.6g]\n"
		"set yrange [0:*]\n"
		"set format x '%s'\n"
		"set style textbox opaque noborder\n", w->x_max, w->x_max < 10000 ? "%g" : "%.1s%c");
	{
		double maxv = 0;

		for (size_t i = 0; i < c->nruns; i++)
			if (!is_optimal(c->runs[i].policy))
				maxv = fmax(maxv, fmax(w->a[i], w->a[i] + w->b[i] * w->x_max));
		y_format(f, maxv);
	}
	/* A label right of its line when it has room there, else left of it: never cut off. */
	bool now_left = w->x_now > 0.6 * w->x_max;

	fprintf(f, "# the stored estimate\n"
		"set arrow 1 from %.6g, graph 0 to %.6g, graph 1 nohead dt 3 lw 1.5 lc rgb '#555555'\n"
		"set label 1 'stored estimate: %s' at %.6g, graph 0.96 offset %s,0 %s boxed textcolor rgb '#555555'\n",
		w->x_now, w->x_now, fmt_num(w->x_now, xbuf, sizeof xbuf), w->x_now,
		now_left ? "-0.6" : "0.6", now_left ? "right" : "left");
	/* Only safe policies (no stale exposure, not optimal) can be the cheapest: an
	 * unsafe line may run below them and is still never named. */
	if (w->nsegs == 1) {
		/* in the title: a label inside the plot would sit on the highest line */
		fprintf(f, "set title \"%s\\ncheapest safe policy throughout: %s\"\n",
			kind == CM_SWEEP_TLBIE_TLBSYNC ? "Cost sensitivity: tlbie + tlbsync cost (their "
			"stored ratio kept)" : "Cost sensitivity: flush_refill cost (TLB refill after a "
			"full flush)", c->runs[w->segs[0].best].policy);
	} else {
		fputs("# where the cheapest safe policy changes: the verdict flips\n", f);
		for (size_t k = 0; k + 1 < w->nsegs; k++) {
			double x = w->segs[k].to, y = w->a[w->segs[k].best] + w->b[w->segs[k].best] * x;
			bool left = x > 0.45 * w->x_max;

			fprintf(f, "set arrow %zu from %.6g, graph 0 to %.6g, graph 1 nohead lw 2 lc rgb '#b00020'\n"
				"set object %zu circle at %.6g, %.6g size char 0.6 fc rgb '#b00020' fs solid front\n"
				"set label %zu 'at %s: %s cheapest below, %s above' at %.6g, graph %.2f "
				"offset %s,0 %s boxed textcolor rgb '#b00020' front\n",
				k + 2, x, x, k + 1, x, y, k + 2, fmt_num(round(x), xbuf, sizeof xbuf),
				c->runs[w->segs[k].best].policy, c->runs[w->segs[k + 1].best].policy,
				x, 0.86 - 0.08 * (double)(k % 6), left ? "-0.6" : "0.6",
				left ? "right" : "left");
		}
	}
	gp_render_begin(f, name, SIZE_WIDE);
	policy_terms(f, c, "data", "lines", 2, same, true);
	gp_render_end(f);
	return finish(f, r->plotdir, name, r->plots, &r->nplots, err, errlen);
}

/*
 * The verdict map: both costs wrong at once. With tlbie+tlbsync = x and
 * flush_refill = y, each policy's cycles are a0 + b0 x + b1 (y - y_now)
 * (sweep 0's line, moved by sweep 1's slope), so the cheapest safe policy is
 * known at every point without a replay; where two of them cost the same is
 * a straight line D0 + Dx x + Dy y = 0, drawn only where those two are the
 * cheapest (the script's m(x, y) is the cheapest safe cost).
 */
static int fig_sens_map(struct report *r, char *err, size_t errlen)
{
	const struct rs_capture *c = r->cap;
	const struct sens *s = &r->sens;
	const char *name = "sens_map";
	const int n = 61;
	char src[512], what[200], xb[64], yb[64];
	double A[REPORT_MAX_RUNS], B[REPORT_MAX_RUNS], C[REPORT_MAX_RUNS], rowa[REPORT_MAX_RUNS];
	bool shown[REPORT_MAX_RUNS] = { false }, meet[REPORT_MAX_RUNS][REPORT_MAX_RUNS];
	size_t prev_row[61], nr = c->nruns;
	FILE *f;

	/* rs_load keeps one run per known policy: never more than the arrays hold */
	if (!s->usable || c->nruns > REPORT_MAX_RUNS)
		return 0;
	const struct sens_sweep *sx = &s->sweep[CM_SWEEP_TLBIE_TLBSYNC];
	const struct sens_sweep *sy = &s->sweep[CM_SWEEP_FLUSH_REFILL];
	double y_now = sy->x_now;

	memset(meet, 0, sizeof meet);
	for (size_t i = 0; i < nr; i++) {
		A[i] = sx->a[i] - sy->b[i] * y_now;
		B[i] = sx->b[i];
		C[i] = sy->b[i];
	}
	gp_escape(c->path, src, sizeof src);
	snprintf(what, sizeof what, "Verdict map: the cheapest safe policy as tlbie+tlbsync (0..%s) "
		 "and flush_refill (0..%s) both move", fmt_num(sx->x_max, xb, sizeof xb),
		 fmt_num(sy->x_max, yb, sizeof yb));
	f = gp_begin(r->plotdir, name, what, src, SIZE_WIDE, err, errlen);
	if (!f)
		return -1;
	fputs("# cycles(x, y) = A + Bx x + By y per policy, x = tlbie + tlbsync, y = flush_refill.\n"
	      "# Only safe policies (no stale exposure) other than optimal are candidates.\n", f);
	for (size_t i = 0; i < nr; i++)
		if (s->candidate[i])
			fprintf(f, "c%zu(x, y) = %.9g + %.9g * x + %.9g * y   # %s\n", i, A[i], B[i], C[i],
				c->runs[i].policy);
	fputs("min2(a, b) = a < b ? a : b\nm(x, y) = ", f);
	{
		size_t seen = 0;

		for (size_t i = 0; i < nr; i++)
			if (s->candidate[i])
				fprintf(f, ++seen < s->ncandidates ? "min2(c%zu(x, y), " : "c%zu(x, y)", i);
		for (size_t k = 1; k < seen; k++)
			fputc(')', f);
		fputc('\n', f);
	}
	fputs("# Columns: x, y, the index of the cheapest safe policy.\n", f);
	gp_data_begin(f, "map");
	for (int j = 0; j < n; j++) {
		double y = sy->x_max * j / (n - 1);

		for (size_t i = 0; i < nr; i++)
			rowa[i] = A[i] + C[i] * y;
		for (int i = 0; i < n; i++) {
			double x = sx->x_max * i / (n - 1);
			size_t best = sens_best_at(s, rowa, B, x);

			/* pairs that are neighbours on the grid share a boundary line */
			if (i > 0 && prev_row[i - 1] != best)
				meet[prev_row[i - 1]][best] = meet[best][prev_row[i - 1]] = true;
			if (j > 0 && prev_row[i] != best)
				meet[prev_row[i]][best] = meet[best][prev_row[i]] = true;
			prev_row[i] = best;
			shown[best] = true;
			fprintf(f, "%.6g %.6g %zu\n", x, y, best);
		}
		fputc('\n', f);
	}
	gp_data_end(f);
	fprintf(f, "set title 'The cheapest safe policy when both cost estimates are wrong'\n"
		"set xlabel 'tlbie + tlbsync cost (cycles)'\n"
		"set ylabel 'flush_refill cost (cycles per full flush)'\n"
		"set xrange [0:%.6g]\nset yrange [0:%.6g]\n"
		"set format x '%s'\nset format y '%s'\n"
		"set cbrange [-0.5:%zu.5]\nunset colorbox\nset palette defined (",
		sx->x_max, sy->x_max, sx->x_max < 10000 ? "%g" : "%.1s%c",
		sy->x_max < 10000 ? "%g" : "%.1s%c", nr - 1);
	for (size_t i = 0; i < nr; i++)
		fprintf(f, "%s%zu '%s', %zu '%s'", i ? ", " : "", i, gp_policy_color(c->runs[i].policy, i),
			i + 1, gp_policy_color(c->runs[i].policy, i));
	fprintf(f, ")\nset grid front\nset key outside right top\nset style textbox opaque noborder\n"
		"set samples 500\n"
		"set object 1 circle at %.6g, %.6g size char 0.5 fc rgb '#111111' fs solid front\n"
		"set label 1 'stored estimates' at %.6g, %.6g offset 1,0.6 left boxed front\n",
		sx->x_now, y_now, sx->x_now, y_now);
	int arrows = 0;

	for (size_t i = 0; i < nr; i++)
		for (size_t k = i + 1; k < nr; k++) {
			double d0 = A[i] - A[k], dx = B[i] - B[k], dy = C[i] - C[k];

			if (!meet[i][k])
				continue;
			if (dy != 0.0)
				fprintf(f, "flip_%s_%s(x) = -(%.9g + %.9g * x) / %.9g   # %s = %s on this line\n"
					"edge_%s_%s(x) = abs(c%zu(x, flip_%s_%s(x)) - m(x, flip_%s_%s(x))) <= "
					"1e-9 * abs(m(x, flip_%s_%s(x))) + 1e-6 ? flip_%s_%s(x) : NaN\n",
					c->runs[i].policy, c->runs[k].policy, d0, dx, dy,
					c->runs[i].policy, c->runs[k].policy,
					c->runs[i].policy, c->runs[k].policy, i,
					c->runs[i].policy, c->runs[k].policy, c->runs[i].policy,
					c->runs[k].policy, c->runs[i].policy, c->runs[k].policy,
					c->runs[i].policy, c->runs[k].policy);
			else if (dx != 0.0 && -d0 / dx > 0)
				fprintf(f, "# %s = %s at x = %.6g whatever y\n"
					"set arrow %d from %.6g, graph 0 to %.6g, graph 1 nohead lw 2 dt 2 "
					"lc rgb '#111111' front\n", c->runs[i].policy, c->runs[k].policy,
					-d0 / dx, 10 + arrows++, -d0 / dx, -d0 / dx);
		}
	gp_render_begin(f, name, SIZE_WIDE);
	fputs("$map using 1:2:3 with image notitle", f);
	for (size_t i = 0; i < nr; i++)
		if (shown[i])
			fprintf(f, ", \\\n       NaN with boxes fs solid 1.0 lc rgb '%s' title '%s'",
				gp_policy_color(c->runs[i].policy, i), c->runs[i].policy);
	for (size_t i = 0; i < nr; i++)
		for (size_t k = i + 1; k < nr; k++)
			if (meet[i][k] && C[i] != C[k])
				fprintf(f, ", \\\n       edge_%s_%s(x) with lines lw 2 dt 2 lc rgb '#111111' "
					"notitle", c->runs[i].policy, c->runs[k].policy);
	gp_render_end(f);
	return finish(f, r->plotdir, name, r->plots, &r->nplots, err, errlen);
}

int fig_capture(struct report *r, char *err, size_t errlen)
{
	if (fig_cycles_by_policy(r, err, errlen) < 0 ||
	    fig_vm_bars(r, M_FULL_FLUSHES, "vm_full_flushes", "full flushes", err, errlen) < 0 ||
	    fig_vm_bars(r, M_TLBIE, "vm_tlbie", "tlbie instructions", err, errlen) < 0 ||
	    fig_vm_bars(r, M_CYCLES, "vm_cycles", "modeled cycles", err, errlen) < 0 ||
	    fig_series(r, M_CYCLES, "series_cycles", false, err, errlen) < 0 ||
	    fig_series(r, M_TLBIE, "series_tlbie", false, err, errlen) < 0 ||
	    fig_exposures(r, "stale_exposures", err, errlen) < 0 ||
	    fig_sensitivity(r, CM_SWEEP_TLBIE_TLBSYNC, "sens_tlbie_tlbsync", err, errlen) < 0 ||
	    fig_sensitivity(r, CM_SWEEP_FLUSH_REFILL, "sens_flush_refill", err, errlen) < 0 ||
	    fig_sens_map(r, err, errlen) < 0)
		return -1;
	return 0;
}

/* --- compare mode -------------------------------------------------------------- */

/* The policies of every capture, in rank order, without repeats. */
static size_t union_policies(struct report *const *reps, size_t nreps, const char **out,
			     size_t max)
{
	size_t n = 0;

	for (size_t k = 0; k < nreps; k++)
		for (size_t i = 0; i < reps[k]->cap->nruns; i++) {
			const char *p = reps[k]->cap->runs[i].policy;
			size_t j;

			for (j = 0; j < n && strcmp(out[j], p) != 0; j++)
				;
			if (j == n && n < max)
				out[n++] = p;
		}
	/* insertion sort by rank: n is small */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && rs_policy_rank(out[j]) < rs_policy_rank(out[j - 1]); j--) {
			const char *t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

static int fig_cmp_metric(struct report *const *reps, size_t nreps, const char *plotdir,
			  enum metric metric, const char *name, char **names, size_t *nn,
			  char *err, size_t errlen)
{
	const char *pol[16];
	size_t np = union_policies(reps, nreps, pol, 16);
	char what[160], esc[256];
	FILE *f;

	snprintf(what, sizeof what, "Compare captures: %s (all VMs), one bar per policy",
		 rs_metric_titles[metric]);
	f = gp_begin(plotdir, name, what, "several trace DBs (see index.html)", SIZE_BARS, err,
		     errlen);
	if (!f)
		return -1;
	double maxv = 0, minpos = 0;

	gp_data_begin(f, "data");
	fputs("# capture", f);
	for (size_t p = 0; p < np; p++)
		fprintf(f, " %s", pol[p]);
	fputc('\n', f);
	for (size_t k = 0; k < nreps; k++) {
		gp_escape(reps[k]->label, esc, sizeof esc);
		fprintf(f, "\"%s\"", esc);
		for (size_t p = 0; p < np; p++) {
			const struct rs_run *run = rs_run_by_policy(reps[k]->cap, pol[p]);

			/* A policy a capture lacks is missing data, not zero. */
			if (run) {
				double x = (double)run->all.m[metric];

				fprintf(f, " %" PRId64, run->all.m[metric]);
				maxv = fmax(maxv, x);
				if (x > 0 && (minpos == 0 || x < minpos))
					minpos = x;
			} else
				fputs(" NaN", f);
		}
		fputc('\n', f);
	}
	gp_data_end(f);
	fprintf(f, "set title \"%s per capture (all VMs)\"\n"
		"set ylabel '%s%s'\n"
		"set style data histograms\n"
		"set style histogram clustered gap 1\n"
		"set boxwidth 0.9 relative\n"
		"set xtics scale 0%s\n", rs_metric_titles[metric], rs_metric_titles[metric],
		minpos > 0 && maxv / minpos > 100 ? " (log scale)" : "",
		nreps > 6 ? " rotate by 30 right" : "");
	if (nreps > 6)
		fputs("set bmargin 7\n", f);
	y_axis(f, minpos, maxv);
	gp_render_begin(f, name, SIZE_BARS);
	for (size_t p = 0; p < np; p++) {
		gp_escape(pol[p], esc, sizeof esc);
		fprintf(f, "%s$data using %zu%s lc rgb '%s' title \"%s\"", p ? ", \\\n       " : "",
			p + 2, p == 0 ? ":xtic(1)" : "", gp_policy_color(pol[p], p), esc);
	}
	gp_render_end(f);
	return finish(f, plotdir, name, names, nn, err, errlen);
}

static int fig_cmp_ratio(struct report *const *reps, size_t nreps, const char *plotdir,
			 char **names, size_t *nn, char *err, size_t errlen)
{
	const char *name = "cmp_ratio";
	char esc[256];
	FILE *f = gp_begin(plotdir, name, "Compare captures: cycles old / new", 
			   "several trace DBs (see index.html)", SIZE_SMALL, err, errlen);

	if (!f)
		return -1;
	gp_data_begin(f, "data");
	fputs("# capture old_over_new_cycles\n", f);
	for (size_t k = 0; k < nreps; k++) {
		const struct rs_run *o = rs_run_by_policy(reps[k]->cap, "old");
		const struct rs_run *n = rs_run_by_policy(reps[k]->cap, "new");

		gp_escape(reps[k]->label, esc, sizeof esc);
		if (o && n && n->all.m[M_CYCLES] > 0)
			fprintf(f, "\"%s\" %.6g\n", esc,
				(double)o->all.m[M_CYCLES] / (double)n->all.m[M_CYCLES]);
		else
			fprintf(f, "\"%s\" NaN\n", esc);
	}
	gp_data_end(f);
	fputs("set title \"Cycles old / new per capture (above 1: new needs fewer cycles)\"\n"
	      "set ylabel 'old / new (cycles)'\n"
	      "set yrange [0:*]\n"
	      "set format y '%g'\n"
	      "set style data boxes\n"
	      "set boxwidth 0.6\n"
	      "set xtics scale 0\n"
	      "unset key\n"
	      "set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb '#333333'\n", f);
	gp_render_begin(f, name, SIZE_SMALL);
	fputs("$data using 0:2:xtic(1) with boxes lc rgb '#1f77b4', \\\n"
	      "       $data using 0:2:(sprintf('%.2fx', $2)) with labels offset 0,0.8", f);
	gp_render_end(f);
	return finish(f, plotdir, name, names, nn, err, errlen);
}

int fig_compare(struct report *const *reps, size_t nreps, const char *plotdir, char **names,
		size_t *n, char *err, size_t errlen)
{
	if (fig_cmp_metric(reps, nreps, plotdir, M_CYCLES, "cmp_cycles", names, n, err, errlen) < 0 ||
	    fig_cmp_metric(reps, nreps, plotdir, M_FULL_FLUSHES, "cmp_full_flushes", names, n, err,
			   errlen) < 0 ||
	    fig_cmp_metric(reps, nreps, plotdir, M_TLBIE, "cmp_tlbie", names, n, err, errlen) < 0 ||
	    fig_cmp_metric(reps, nreps, plotdir, M_STALE_EXPOSURES, "cmp_stale", names, n, err,
			   errlen) < 0 ||
	    fig_cmp_ratio(reps, nreps, plotdir, names, n, err, errlen) < 0)
		return -1;
	return 0;
}
