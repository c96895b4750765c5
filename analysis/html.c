/* SPDX-License-Identifier: MIT */
/*
 * html - report/index.html: the page a kernel developer decides from.
 *
 * What it owns: the HTML of one capture's report and of a comparison. The
 * page is self-contained: inline CSS, no script, no font or file from the
 * network; plots are the SVG files beside it (plots/NAME.svg) with links to
 * the PNG and to the gnuplot script, so it opens from disk in any browser.
 *
 * Interface (report.h): html_capture(), html_compare().
 *
 * Layout, top to bottom: title and trace meta (red banner when events were
 * lost or sources absent), the verdict in one sentence with its sensitivity,
 * totals table (every metric, each policy, old/new), per-VM bars and table,
 * time series, cost sensitivity, stale-TLB exposures with the hazard list,
 * the runs reported (parameters as stored), the files. A plot that was not
 * made (no series stored, no sweep possible) is replaced by the reason.
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "plot.h"
#include "report.h"
#include "util.h"

const char html_style[] =
	"body{font:14px/1.45 'DejaVu Sans',system-ui,sans-serif;color:#1b1b1b;background:#f6f7f9;"
	"margin:0}\n"
	"main{max-width:1060px;margin:0 auto;padding:18px 22px 40px;background:#fff;"
	"box-shadow:0 0 0 1px #e4e6ea}\n"
	"h1{font-size:22px;margin:4px 0 2px}h2{font-size:17px;margin:28px 0 8px;"
	"padding-bottom:4px;border-bottom:2px solid #e4e6ea}\n"
	".sub{color:#5a6270;font-size:12.5px}\n"
	".alert{background:#fdecea;border:1px solid #d93025;color:#a50e0e;padding:9px 12px;"
	"margin:12px 0;border-radius:4px;font-weight:600;overflow-wrap:anywhere}\n"
	".meta{display:grid;grid-template-columns:repeat(4,1fr);gap:6px 14px;margin:12px 0}\n"
	".meta div{border-left:3px solid #d0d4da;padding:2px 8px}.meta b{display:block;"
	"font-size:11px;color:#5a6270;font-weight:normal;text-transform:uppercase;"
	"letter-spacing:.04em}\n"
	".meta .bad{border-left-color:#d93025;color:#a50e0e;font-weight:600}\n"
	/* Source lists are comma-joined tracepoint names with no spaces: let them wrap. */
	".meta div,td{overflow-wrap:break-word}\n"
	"nav{margin:10px 0;font-size:13px}nav a{margin-right:14px;color:#1f5fa8;"
	"text-decoration:none}\n"
	".verdict{background:#eef4fb;border-left:4px solid #1f77b4;padding:10px 14px;"
	"margin:12px 0;font-size:15px}\n"
	".verdict.flip{background:#fff4e5;border-left-color:#e8710a}\n"
	".params{font-size:13px;margin:8px 0;padding:6px 10px;background:#f6f7f9;"
	"border-left:3px solid #d0d4da;overflow-wrap:anywhere}\n"
	".terms{font-size:12.5px;color:#3a4250;margin:4px 0 10px}\n"
	".lead{font-size:16px;font-weight:600;margin:10px 0}\n"
	"table{border-collapse:collapse;margin:8px 0 4px;font-size:13px}\n"
	"th,td{padding:3px 9px;border-bottom:1px solid #e4e6ea;text-align:left}\n"
	"th{background:#f1f3f5;font-weight:600}td.n,th.n{text-align:right;"
	"font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"tr.all td{font-weight:600;border-top:1px solid #b9bec6}\n"
	".sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;"
	"vertical-align:-1px}\n"
	"figure{margin:12px 0 18px}figure img{width:100%;max-width:1000px;border:1px solid #e4e6ea}\n"
	"figcaption{font-size:12.5px;color:#5a6270}figcaption a{color:#1f5fa8}\n"
	".none{color:#5a6270;font-style:italic}\n"
	"code,pre{font:12px 'DejaVu Sans Mono',monospace}pre{white-space:pre-wrap;"
	"word-break:break-all;background:#f6f7f9;padding:6px;margin:0}\n"
	"details{margin:6px 0}summary{cursor:pointer;color:#1f5fa8}\n"
	".bad{color:#a50e0e;font-weight:600}.good{color:#1a7f37}\n"
	"footer{margin-top:30px;font-size:12px;color:#5a6270}\n";

static bool has_plot(const struct report *r, const char *name)
{
	for (size_t i = 0; i < r->nplots; i++)
		if (strcmp(r->plots[i], name) == 0)
			return true;
	return false;
}

static void figure(FILE *f, const char *prefix, const char *name, const char *alt,
		   const char *caption)
{
	fprintf(f, "<figure><a href=\"%splots/%s.png\"><img src=\"%splots/%s.svg\" alt=\"",
		prefix, name, prefix, name);
	html_put(f, alt);
	fputs("\"></a><figcaption>", f);
	html_put(f, caption);
	fprintf(f, " &middot; <a href=\"%splots/%s.png\">PNG</a> &middot; "
		"<a href=\"%splots/%s.svg\">SVG</a> &middot; <a href=\"%splots/%s.gp\">gnuplot "
		"script</a></figcaption></figure>\n", prefix, name, prefix, name, prefix, name);
}

static void figure_or(FILE *f, const struct report *r, const char *name, const char *alt,
		      const char *caption, const char *why_not)
{
	if (has_plot(r, name)) {
		figure(f, "", name, alt, caption);
		return;
	}
	fputs("<p class=\"none\">", f);
	html_put(f, why_not);
	fputs("</p>\n", f);
}

static void swatch(FILE *f, const char *policy, size_t i)
{
	fprintf(f, "<span class=\"sw\" style=\"background:%s\"></span>", gp_policy_color(policy, i));
	html_put(f, policy);
}

static void num_cell(FILE *f, int64_t v)
{
	char buf[64];

	fprintf(f, "<td class=\"n\">%s</td>", fmt_grouped(v, buf, sizeof buf));
}

static void meta_item(FILE *f, const char *title, const char *value, bool bad)
{
	fprintf(f, "<div%s><b>", bad ? " class=\"bad\"" : "");
	html_put(f, title);
	fputs("</b>", f);
	html_put_list(f, value && *value ? value : "not recorded");
	fputs("</div>\n", f);
}

static void put_meta(FILE *f, const struct report *r)
{
	const struct rs_capture *c = r->cap;
	const char *absent = meta_absent(c, NULL);
	int64_t lost;
	bool has_lost = meta_has_lost(c, &lost);
	char buf[64], tpc[64];

	if (has_lost || absent) {
		fputs("<div class=\"alert\">Incomplete capture: ", f);
		if (has_lost)
			fprintf(f, "%s events were lost%s", fmt_grouped(lost, buf, sizeof buf),
				absent ? "; " : "");
		if (absent) {
			fputs("sources absent: ", f);
			html_put_list(f, absent);
		}
		fputs(". Every count below is a lower bound, and the verdict may not hold.</div>\n", f);
	}
	fputs("<div class=\"meta\">\n", f);
	meta_item(f, "host", rs_meta(c, "host"), false);
	meta_item(f, "kernel", rs_meta(c, "kernel"), false);
	meta_item(f, "cpu", rs_meta(c, "cpu_model"), false);
	meta_item(f, "source", rs_meta(c, "source"), false);
	meta_item(f, "start", rs_meta(c, "start_time"), false);
	snprintf(tpc, sizeof tpc, "%s threads, %s per core",
		 rs_meta(c, "ncpus") ? rs_meta(c, "ncpus") : "?",
		 rs_meta(c, "threads_per_core") ? rs_meta(c, "threads_per_core") : "?");
	meta_item(f, "host threads", tpc, false);
	if (has_lost)
		meta_item(f, "lost events", fmt_grouped(lost, buf, sizeof buf), true);
	else
		meta_item(f, "lost events", rs_meta(c, "lost_events") ? rs_meta(c, "lost_events")
								       : "not recorded", false);
	meta_item(f, "absent sources", absent ? absent : "none", absent != NULL);
	fputs("</div>\n", f);
	if (c->events_read) {
		int64_t total = 0;

		for (size_t i = 0; i < c->nkinds; i++)
			total += c->kinds[i].count;
		fprintf(f, "<details open><summary>events in the trace (read with --events): %s"
			"</summary><table><tr><th>kind</th><th class=\"n\">events</th></tr>\n",
			fmt_grouped(total, buf, sizeof buf));
		for (size_t i = 0; i < c->nkinds; i++) {
			fputs("<tr><td>", f);
			html_put(f, c->kinds[i].name);
			fputs("</td>", f);
			num_cell(f, c->kinds[i].count);
			fputs("</tr>\n", f);
		}
		fprintf(f, "<tr><td%s>events lost (sum of the 'lost' events)</td>",
			c->lost_counted ? " class=\"bad\"" : "");
		num_cell(f, c->lost_counted);
		fputs("</tr></table></details>\n", f);
	}
	fputs("<details><summary>all meta keys</summary><table>\n", f);
	for (size_t i = 0; i < c->nmeta; i++) {
		fputs("<tr><th>", f);
		html_put(f, c->meta[i].key);
		fputs("</th><td><code>", f);
		html_put(f, c->meta[i].value);
		fputs("</code></td></tr>\n", f);
	}
	fputs("</table></details>\n", f);
}

/* Machine, T and where it came from, vcores, costs, options: the parameters of every run shown. */
static void put_params(FILE *f, const struct report *r)
{
	const struct rs_capture *c = r->cap;
	const struct rs_run *run = &c->runs[0];
	char buf[64], opts[1024];

	fputs("<div class=\"params\"><b>Replayed as</b> machine <b>", f);
	html_put(f, run->machine);
	fputs("</b>, ", f);
	if (run->tpc >= 0)
		fprintf(f, "<b>%" PRId64 " threads per core</b> (%s)", run->tpc,
			verdict_tpc_source(run->tpc_source));
	else
		fputs("threads per core not recorded", f);
	if (run->vcores[0]) {
		fputs(", vcores ", f);
		html_put(f, run->vcores);
	}
	fputs("; costs in cycles (estimates): ", f);
	for (int k = 0; k < NCOSTS; k++)
		if (run->costs.have & (1u << k))
			fprintf(f, "%s<code>%s</code> %s", k ? ", " : "", cost_names[k],
				fmt_num(run->costs.v[k], buf, sizeof buf));
	fputs("; options: ", f);
	html_put(f, rs_options_union(c, opts, sizeof opts)[0] ? opts : "none recorded");
	fputs(". Every run shown was made with these same parameters.", f);
	if (c->nother_params > 0) {
		fprintf(f, " <span class=\"bad\">%zu other stored run%s of this trace, made with other "
			"parameters, %s left out (never compared with these):", c->nother_params,
			c->nother_params == 1 ? "" : "s", c->nother_params == 1 ? "is" : "are");
		for (size_t i = 0; i < c->nother_params && i < 16; i++) {
			fprintf(f, "%s run %" PRId64 " (", i ? "," : "", c->other_params[i]);
			html_put(f, c->other_why[i]);
			fputs(" differ)", f);
		}
		fputs(". Report them with <code>--run</code>.</span>", f);
	}
	fputs("</div>\n", f);
}

static void put_verdict(FILE *f, const struct report *r)
{
	const struct rs_capture *c = r->cap;
	const struct verdict *v = &r->verdict;
	const struct sens *s = &r->sens;
	char a[64], b[64];

	if (v->doubt[0]) {
		fputs("<div class=\"alert\">", f);
		html_put(f, v->doubt);
		fputs(".</div>\n", f);
	}
	if (v->tdoubt[0]) {
		fputs("<div class=\"alert\">Threads per core: ", f);
		html_put(f, v->tdoubt);
		fputs(".</div>\n", f);
	}
	if (v->kind != VERDICT_OK) {
		fputs("<div class=\"verdict flip\"><b>No verdict</b>: ", f);
		html_put(f, v->missing);
		fputs(".</div>\n", f);
	} else {
		const struct rs_run *best = &c->runs[v->best];

		fputs("<div class=\"verdict\"><b>", f);
		html_put(f, best->policy);
		fprintf(f, " is the cheapest safe policy</b>: %s modeled cycles",
			fmt_grouped(best->all.m[M_CYCLES], a, sizeof a));
		if (v->floor >= 0)
			fprintf(f, ", <b>%.2fx the floor</b> (optimal: %s cycles)",
				verdict_x_floor(c, v, (size_t)v->best),
				fmt_grouped(c->runs[v->floor].all.m[M_CYCLES], b, sizeof b));
		else
			fputs(" (optimal, the floor, was not replayed: tlbreplay --store "
			      "--policy ...,optimal)", f);
		fputs(".<br>Safe policies by cycles: ", f);
		for (size_t k = 0; k < v->nsafe; k++) {
			const struct rs_run *run = &c->runs[v->safe[k]];

			fputs(k ? " &middot; " : "", f);
			html_put(f, run->policy);
			fprintf(f, " %s", fmt_grouped(run->all.m[M_CYCLES], a, sizeof a));
			if ((int)v->safe[k] == v->floor)
				fputs(" (the floor)", f);
			else if (v->floor >= 0 && verdict_x_floor(c, v, v->safe[k]) > 0)
				fprintf(f, " (%.2fx the floor)", verdict_x_floor(c, v, v->safe[k]));
		}
		fputs(".", f);
	}
	for (size_t k = 0; k < v->nunsafe; k++) {
		const struct rs_run *run = &c->runs[v->unsafe[k]];

		fputs(k ? "; " : "<br><span class=\"bad\">Unsafe, never a candidate whatever it costs: ", f);
		html_put(f, run->policy);
		fprintf(f, " (%s stale-TLB exposure%s, %s cycles)",
			fmt_grouped(run->all.m[M_STALE_EXPOSURES], a, sizeof a),
			run->all.m[M_STALE_EXPOSURES] == 1 ? "" : "s",
			fmt_grouped(run->all.m[M_CYCLES], b, sizeof b));
	}
	if (v->nunsafe)
		fputs(".</span>", f);
	if (s->usable) {
		char text[1024];

		fputs("<br>If the cost estimates are wrong, the cheapest safe policy (optimal aside; "
		      "recomputed from the stored counts) as ", f);
		for (int k = 0; k < CM_NSWEEPS; k++) {
			const struct sens_sweep *w = &s->sweep[k];

			fprintf(f, "the %s cost moves: <span class=\"%s\">", cm_sweep_names[k],
				w->nsegs > 1 ? "bad" : "good");
			html_put(f, sens_describe(c, w, text, sizeof text));
			fputs("</span>", f);
			if (w->nsegs > 1 && w->x_now > 0) {
				fputs(" (flip", f);
				for (size_t g = 0; g + 1 < w->nsegs; g++)
					fprintf(f, "%s %.2fx", g ? "," : "", w->segs[g].to / w->x_now);
				fprintf(f, " the estimate of %s)", fmt_num(w->x_now, a, sizeof a));
			}
			fputs(k + 1 < CM_NSWEEPS ? "; " : ".", f);
		}
	}
	fputs("</div>\n<p class=\"terms\"><b>Terms</b>: <i>safe</i> = no stale-TLB exposure "
	      "(a guest entry on a core that may still hold a translation the guest "
	      "invalidated: a correctness hazard, not a cost); <i>cycles</i> = the modeled cost, "
	      "the sum of each flush and invalidation sequence's cost (estimates); "
	      "<i>the floor</i> = <code>optimal</code>, the cheapest safe schedule for this very "
	      "trace, decided with the whole trace (no kernel can run it: it says how far each "
	      "policy is from the best possible). The model in full: "
	      "<a href=\"replay-model.html\">replay-model.html</a>.</p>\n", f);
	/* which MMU each policy models (verdict.c: radix is never ranked with the hash ones) */
	fputs("<p class=\"terms\">", f);
	html_put(f, v->mmu_note);
	fputs("</p>\n", f);
}

static void put_totals(FILE *f, const struct report *r)
{
	const struct rs_capture *c = r->cap;
	const struct rs_run *o = rs_run_by_policy(c, "old"), *n = rs_run_by_policy(c, "new");
	char buf[32];

	fputs("<h2 id=\"totals\">Totals over all VMs</h2>\n<table><tr><th>metric</th>", f);
	for (size_t i = 0; i < c->nruns; i++) {
		fputs("<th class=\"n\">", f);
		swatch(f, c->runs[i].policy, i);
		fputs("</th>", f);
	}
	if (o && n)
		fputs("<th class=\"n\">old / new</th>", f);
	fputs("</tr>\n", f);
	for (int k = 0; k < NMETRICS; k++) {
		fprintf(f, "<tr><td>%s <code>%s</code></td>", rs_metric_titles[k], metric_names[k]);
		for (size_t i = 0; i < c->nruns; i++)
			num_cell(f, c->runs[i].all.m[k]);
		if (o && n)
			fprintf(f, "<td class=\"n\">%s</td>",
				fmt_ratio((double)o->all.m[k], (double)n->all.m[k], buf, sizeof buf));
		fputs("</tr>\n", f);
	}
	/* The verdict in the table: each policy against the floor, the unsafe ones in red. */
	fputs("<tr class=\"all\"><td>against the floor (optimal)</td>", f);
	for (size_t i = 0; i < c->nruns; i++) {
		double x = verdict_x_floor(c, &r->verdict, i);

		if (c->runs[i].all.m[M_STALE_EXPOSURES] > 0)
			fputs("<td class=\"n bad\">unsafe</td>", f);
		else if ((int)i == r->verdict.floor)
			fputs("<td class=\"n\">the floor</td>", f);
		else if (x > 0)
			fprintf(f, "<td class=\"n\">%.2fx</td>", x);
		else
			fputs("<td class=\"n\">-</td>", f);
	}
	fputs(o && n ? "<td></td></tr>\n" : "</tr>\n", f);
	fputs("</table>\n", f);
	figure_or(f, r, "cycles_by_policy", "modeled cycles per policy",
		  "Modeled cycles over all VMs, per policy (cycles: the sum of the sequence costs, "
		  "see replay-model.html).", "No runs to plot.");
}

static void put_per_vm(FILE *f, const struct report *r)
{
	const struct rs_capture *c = r->cap;
	char label[128];

	fputs("<h2 id=\"per-vm\">Per VM</h2>\n", f);
	figure_or(f, r, "vm_full_flushes", "full flushes per VM",
		  "Full TLB flushes (all sets of a core) per VM, one bar per policy.",
		  "No per-VM rows stored.");
	figure_or(f, r, "vm_tlbie", "tlbie per VM",
		  "tlbie instructions (broadcast to every core) per VM, one bar per policy.",
		  "No per-VM rows stored.");
	figure_or(f, r, "vm_cycles", "cycles per VM",
		  "Modeled cycles per VM, one bar per policy.", "No per-VM rows stored.");
	fputs("<details><summary>every metric per VM and policy</summary>\n<table><tr>"
	      "<th>policy</th><th>vm</th>", f);
	for (int k = 0; k < NMETRICS; k++)
		fprintf(f, "<th class=\"n\">%s</th>", metric_names[k]);
	fputs("</tr>\n", f);
	for (size_t i = 0; i < c->nruns; i++) {
		const struct rs_run *run = &c->runs[i];

		for (size_t j = 0; j <= run->nvms; j++) {
			const struct rs_row *row = j < run->nvms ? &run->vms[j] : &run->all;

			/* A page stays a page: past 500 VMs per policy, summary.md has the rows. */
			if (j < run->nvms && j >= 500) {
				if (j == 500)
					fprintf(f, "<tr><td colspan=\"%d\" class=\"none\">%zu more VMs: "
						"every row is in <a href=\"summary.md\">summary.md</a></td></tr>\n",
						NMETRICS + 2, run->nvms - 500);
				continue;
			}
			fputs(j < run->nvms ? "<tr><td>" : "<tr class=\"all\"><td>", f);
			swatch(f, run->policy, i);
			fputs("</td><td>", f);
			if (j < run->nvms)
				html_put(f, vm_label(c, row->vm, label, sizeof label));
			else
				fputs("all", f);
			fputs("</td>", f);
			for (int k = 0; k < NMETRICS; k++)
				num_cell(f, row->m[k]);
			fputs("</tr>\n", f);
		}
	}
	fputs("</table></details>\n", f);
}

static void put_time(FILE *f, const struct report *r)
{
	fputs("<h2 id=\"time\">Over time</h2>\n", f);
	figure_or(f, r, "series_cycles", "cycles over time",
		  "Modeled cycles per time bin over all VMs, one line per policy (optimal dashed).",
		  "No time series stored (replay_series is empty for these runs).");
	figure_or(f, r, "series_tlbie", "tlbie over time",
		  "tlbie instructions per time bin over all VMs, one line per policy.",
		  "No time series stored.");
}

static void put_sensitivity(FILE *f, const struct report *r)
{
	const struct sens *s = &r->sens;
	const struct rs_run *o = NULL;
	char buf[64];

	fputs("<h2 id=\"sensitivity\">Cost sensitivity</h2>\n<p>No published cycle costs exist "
	      "for these instructions: the stored ones are estimates. No decision of old, new, "
	      "modern or tracked depends on a cost, so their cycles are a straight line in any "
	      "one cost, recomputed here from the stored counts and the run's parameters (no "
	      "replay). Over each range the sweep names the cheapest <i>safe</i> policy (no "
	      "stale exposure: an unsafe one is never named, whatever it costs); a red mark is "
	      "where that changes. <b>optimal is left out "
	      "of the sweeps</b>: its decisions depend on the costs, so at other costs it would "
	      "choose differently, and its cycles recomputed from the stored counts would only "
	      "be an upper bound.</p>\n", f);
	if (!s->usable) {
		fputs("<p class=\"none\">No sweep: ", f);
		html_put(f, s->why_not);
		fputs(".</p>\n", f);
		return;
	}
	for (size_t i = 0; i < r->cap->nruns && !o; i++)
		if (s->candidate[i])
			o = &r->cap->runs[i];
	fputs("<p>Stored costs (cycles): ", f);
	for (int k = 0; k < NCOSTS; k++)
		fprintf(f, "%s<code>%s</code> %s", k ? ", " : "", cost_names[k],
			fmt_num(o->costs.v[k], buf, sizeof buf));
	fputs(".", f);
	if (s->check_err < 0.5)
		fputs(" <span class=\"good\">Model check: recomputed cycles equal the stored cycles "
		      "for every run.</span>", f);
	else
		fprintf(f, " <span class=\"bad\">Model check failed: run %" PRId64 "'s stored cycles "
			"differ from the formula by %.0f; its params may not hold the costs in "
			"force.</span>", s->check_run, s->check_err);
	fputs("</p>\n", f);
	figure_or(f, r, "sens_tlbie_tlbsync", "sensitivity to tlbie+tlbsync cost",
		  "Cycles of each policy as the cost of tlbie + tlbsync (the broadcast and its "
		  "wait) moves from 0 to well past the estimate; their stored ratio is kept.",
		  "No sweep.");
	figure_or(f, r, "sens_flush_refill", "sensitivity to flush_refill cost",
		  "Cycles of each policy as the cost of refilling the TLB after a full flush "
		  "moves.", "No sweep.");
	figure_or(f, r, "sens_map", "verdict map over both costs",
		  "Both estimates wrong at once: the cheapest safe policy over the two ranges "
		  "above, in its colour; a dashed line is where two of them cost the same, the "
		  "dot the stored estimates.", "No sweep.");
}

static void put_stale(FILE *f, const struct report *r)
{
	const struct rs_capture *c = r->cap;
	size_t listed = 0;

	fputs("<h2 id=\"stale\">Stale-TLB exposures</h2>\n<p>An exposure is a guest entry on a "
	      "core that may still hold translations the guest has invalidated: a correctness "
	      "hazard, not a cost. Counted for every policy, optimal included.</p>\n"
	      "<table><tr><th>policy</th><th class=\"n\">exposures</th>"
	      "<th class=\"n\">stored hazards</th></tr>\n", f);
	for (size_t i = 0; i < c->nruns; i++) {
		fputs("<tr><td>", f);
		swatch(f, c->runs[i].policy, i);
		fputs("</td>", f);
		num_cell(f, c->runs[i].all.m[M_STALE_EXPOSURES]);
		num_cell(f, c->runs[i].hazards_total);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	figure_or(f, r, "stale_exposures", "stale exposures over time",
		  "Stale-TLB exposures so far (cumulative), one line per policy.",
		  "No time series stored.");
	for (size_t i = 0; i < c->nruns; i++)
		listed += c->runs[i].nhazards < r->hazard_list ? c->runs[i].nhazards : r->hazard_list;
	if (listed == 0) {
		fputs("<p class=\"none\">No hazards stored: no policy exposed a stale TLB entry.</p>\n", f);
		return;
	}
	fprintf(f, "<details%s><summary>earliest hazards (up to %zu per policy; all of them in "
		"<a href=\"hazards.csv\">hazards.csv</a>)</summary>\n<table><tr><th>policy</th>"
		"<th class=\"n\">time (s)</th><th>vm</th><th class=\"n\">vcpu</th>"
		"<th class=\"n\">core</th><th class=\"n\">stale since (s)</th>"
		"<th class=\"n\">exposed for (&micro;s)</th></tr>\n",
		listed <= 40 ? " open" : "", r->hazard_list);
	for (size_t i = 0; i < c->nruns; i++) {
		const struct rs_run *run = &c->runs[i];
		char label[128];

		for (size_t j = 0; j < run->nhazards && j < r->hazard_list; j++) {
			const struct rs_hazard *h = &run->hazards[j];

			fputs("<tr><td>", f);
			swatch(f, run->policy, i);
			fprintf(f, "</td><td class=\"n\">%.9f</td><td>", (double)h->ts / 1e9);
			html_put(f, vm_label(c, h->vm, label, sizeof label));
			fputs("</td>", f);
			if (h->vcpu >= 0)
				fprintf(f, "<td class=\"n\">%" PRId64 "</td>", h->vcpu);
			else
				fputs("<td class=\"n\">-</td>", f);
			fprintf(f, "<td class=\"n\">%" PRId64 "</td><td class=\"n\">%.9f</td>"
				"<td class=\"n\">%.3f</td></tr>\n", h->core, (double)h->marked_ts / 1e9,
				(double)(h->ts - h->marked_ts) / 1e3);
		}
	}
	fputs("</table></details>\n", f);
}

static void put_runs(FILE *f, const struct report *r)
{
	const struct rs_capture *c = r->cap;

	fprintf(f, "<h2 id=\"runs\">Runs reported</h2>\n<p>%zu of the %zu runs stored in this "
		"trace (choose others with <code>--run</code> or <code>--machine</code>).</p>\n"
		"<table><tr><th>run</th><th>policy</th><th>machine</th><th class=\"n\">T</th><th>created</th>"
		"<th>tlbreplay</th><th>bucket</th><th>parameters</th></tr>\n", c->nruns,
		c->nruns_stored);
	for (size_t i = 0; i < c->nruns; i++) {
		const struct rs_run *run = &c->runs[i];

		fprintf(f, "<tr><td class=\"n\">%" PRId64 "</td><td>", run->id);
		swatch(f, run->policy, i);
		fputs("</td><td>", f);
		html_put(f, run->machine);
		if (run->tpc >= 0)
			fprintf(f, "</td><td class=\"n\">%" PRId64 " (%s)</td><td>", run->tpc, run->tpc_source);
		else
			fputs("</td><td class=\"n\">-</td><td>", f);
		html_put(f, run->created);
		fputs("</td><td>", f);
		html_put(f, run->tool_version);
		fprintf(f, "</td><td class=\"n\">%.6g ms</td><td><details><summary>params, digest"
			"</summary><pre>", (double)run->bucket_ns / 1e6);
		html_put(f, run->params);
		fputs("\n\ndigest ", f);
		html_put(f, run->digest);
		fputs("</pre></details></td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

struct cap_arg {
	const struct report *r;		/* the capture */
	const char *up_link;		/* link back to a comparison page, or NULL */
};

static int write_capture(FILE *f, const void *arg)
{
	const struct cap_arg *a = arg;
	const struct report *r = a->r;
	const struct rs_capture *c = r->cap;

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>tlbreport: ", f);
	html_put(f, r->label);
	fprintf(f, "</title>\n<meta name=\"generator\" content=\"tlbreport %s\">\n<style>\n%s</style>"
		"</head>\n<body><main>\n", TLB_VERSION, html_style);
	if (a->up_link)
		fprintf(f, "<div class=\"sub\"><a href=\"%s\">&larr; comparison of all captures</a></div>\n",
			a->up_link);
	fputs("<h1>TLB invalidation policies: ", f);
	html_put(f, r->label);
	fputs("</h1>\n<div class=\"sub\">trace <code>", f);
	html_put(f, c->path);
	fputs("</code> &middot; machine <b>", f);
	html_put(f, c->runs[0].machine);
	fputs("</b> &middot; replayed by tlbreplay ", f);
	html_put(f, c->runs[0].tool_version);
	fputs(" &middot; costs in modeled cycles (estimates)</div>\n", f);
	{
		char line[1024];

		/* The conclusion first, in one line; the reasons follow. */
		fprintf(f, "<p class=\"lead%s\">", r->verdict.kind == VERDICT_OK ? "" : " bad");
		html_put(f, verdict_line(c, &r->verdict, line, sizeof line));
		fputs(".</p>\n", f);
	}
	put_meta(f, r);
	put_params(f, r);
	fputs("<nav><a href=\"#totals\">Totals</a><a href=\"#per-vm\">Per VM</a><a href=\"#time\">"
	      "Over time</a><a href=\"#sensitivity\">Cost sensitivity</a><a href=\"#stale\">"
	      "Stale TLB</a><a href=\"#runs\">Runs</a><a href=\"summary.md\">summary.md</a></nav>\n", f);
	put_verdict(f, r);
	put_totals(f, r);
	put_per_vm(f, r);
	kf_html(f, r);
	put_time(f, r);
	put_sensitivity(f, r);
	put_stale(f, r);
	put_runs(f, r);
	fprintf(f, "<footer>Written by tlbreport %s. Each plot's data and style are in its "
		"gnuplot script beside it (plots/NAME.gp): edit and run <code>gnuplot NAME.gp</code> "
		"in plots/ to redraw. Text form: <a href=\"summary.md\">summary.md</a>.</footer>\n"
		"</main></body></html>\n", TLB_VERSION);
	return 0;
}

int html_capture(const struct report *r, const char *up_link, char *err, size_t errlen)
{
	char path[4200];
	struct cap_arg a = { r, up_link };

	snprintf(path, sizeof path, "%s/index.html", r->dir);
	return write_file(path, write_capture, &a, err, errlen);
}

/* --- compare mode -------------------------------------------------------------- */

struct cmp_arg {
	struct report *const *reps;	/* captures */
	size_t nreps;
	char *const *plots;		/* comparison plots made */
	size_t nplots;
};

static bool cmp_has(const struct cmp_arg *a, const char *name)
{
	for (size_t i = 0; i < a->nplots; i++)
		if (strcmp(a->plots[i], name) == 0)
			return true;
	return false;
}

static void cmp_meta_cell(FILE *f, const struct rs_capture *c, const char *key)
{
	fputs("<td>", f);
	html_put(f, rs_meta(c, key) ? rs_meta(c, key) : "-");
	fputs("</td>", f);
}

static int write_compare(FILE *f, const void *arg)
{
	const struct cmp_arg *a = arg;
	char buf[1024];

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<title>tlbreport: %zu captures compared</title>\n<meta name=\"generator\" "
		"content=\"tlbreport %s\">\n<style>\n%s</style></head>\n<body><main>\n"
		"<h1>TLB invalidation policies: %zu captures compared</h1>\n<div class=\"sub\">"
		"costs in modeled cycles (estimates); each capture's full report is linked by "
		"its name</div>\n", a->nreps, TLB_VERSION, html_style, a->nreps);
	{
		char line[2048];

		fputs("<div class=\"verdict\"><b>", f);
		html_put(f, conclusion(a->reps, a->nreps, line, sizeof line));
		fputs("</b> <a href=\"replay-model.html\">What safe, the floor and cycles mean</a>."
		      "</div>\n", f);
	}
	for (size_t k = 0; k < a->nreps; k++) {
		int64_t lost;

		if (meta_has_lost(a->reps[k]->cap, &lost) || meta_absent(a->reps[k]->cap, NULL)) {
			fputs("<div class=\"alert\">Some captures are incomplete (lost events or absent "
			      "sources, in red below): their counts are lower bounds.</div>\n", f);
			break;
		}
	}
	fputs("<h2>Captures</h2>\n<table><tr><th>capture</th><th>host</th><th>kernel</th>"
	      "<th>cpu</th><th>start</th><th class=\"n\">lost events</th><th>absent sources</th>"
	      "<th>machine</th></tr>\n", f);
	for (size_t k = 0; k < a->nreps; k++) {
		const struct report *r = a->reps[k];
		const struct rs_capture *c = r->cap;
		const char *absent = meta_absent(c, NULL);
		int64_t lost;
		bool has_lost = meta_has_lost(c, &lost);

		fprintf(f, "<tr><td><a href=\"%s/index.html\">", r->label);
		html_put(f, r->label);
		fputs("</a></td>", f);
		cmp_meta_cell(f, c, "host");
		cmp_meta_cell(f, c, "kernel");
		cmp_meta_cell(f, c, "cpu_model");
		cmp_meta_cell(f, c, "start_time");
		fprintf(f, "<td class=\"n%s\">%s</td><td%s>", has_lost ? " bad" : "",
			rs_meta(c, "lost_events") ? fmt_grouped(lost, buf, sizeof buf) : "-",
			absent ? " class=\"bad\"" : "");
		html_put_list(f, absent ? absent : "none");
		fputs("</td><td>", f);
		html_put(f, c->runs[0].machine);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n<h2>Verdicts</h2>\n<table><tr><th>capture</th><th>replayed as</th>"
	      "<th>cheapest safe policy</th><th class=\"n\">x the floor</th>"
	      "<th>unsafe (stale-TLB exposures)</th>"
	      "<th>cheapest safe as tlbie+tlbsync moves</th>"
	      "<th>cheapest safe as flush_refill moves</th></tr>\n", f);
	for (size_t k = 0; k < a->nreps; k++) {
		const struct report *r = a->reps[k];
		const struct sens *s = &r->sens;
		const struct rs_capture *c = r->cap;
		const struct verdict *v = &r->verdict;
		const struct rs_run *r0 = &c->runs[0];

		fprintf(f, "<tr><td><a href=\"%s/index.html\">", r->label);
		html_put(f, r->label);
		fputs("</a></td><td>", f);
		html_put(f, r0->machine);
		if (r0->tpc >= 0)
			fprintf(f, ", T %" PRId64 " (%s)", r0->tpc, r0->tpc_source);
		fputs("</td>", f);
		if (v->kind != VERDICT_OK) {
			fputs("<td colspan=\"2\" class=\"none\">no verdict: ", f);
			html_put(f, v->kind == VERDICT_NO_ENTRIES ? "no guest entries (merge with a host "
				 "capture)" : v->kind == VERDICT_NO_INVALIDATIONS ? "no invalidations "
				 "(merge with a guest capture)" : "no safe policy");
			fputs("</td>", f);
		} else {
			fputs("<td><b>", f);
			html_put(f, c->runs[v->best].policy);
			fputs("</b></td>", f);
			if (v->floor >= 0)
				fprintf(f, "<td class=\"n\">%.2fx</td>",
					verdict_x_floor(c, v, (size_t)v->best));
			else
				fputs("<td class=\"n\">-</td>", f);
		}
		fputs("<td>", f);
		for (size_t u = 0; u < v->nunsafe; u++) {
			fprintf(f, "%s<span class=\"bad\">", u ? ", " : "");
			html_put(f, c->runs[v->unsafe[u]].policy);
			fprintf(f, " (%" PRId64 ")</span>", c->runs[v->unsafe[u]].all.m[M_STALE_EXPOSURES]);
		}
		fputs(v->nunsafe ? "</td>" : "none</td>", f);
		if (!s->usable) {
			fputs("<td colspan=\"2\" class=\"none\">", f);
			html_put(f, s->why_not);
			fputs("</td></tr>\n", f);
			continue;
		}
		for (int w = 0; w < CM_NSWEEPS; w++) {
			fprintf(f, "<td class=\"%s\">", s->sweep[w].nsegs > 1 ? "bad" : "good");
			html_put(f, sens_describe(c, &s->sweep[w], buf, sizeof buf));
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n<h2>Side by side</h2>\n", f);
	static const struct {
		const char *name, *caption;
	} figs[] = {
		{ "cmp_ratio", "Cycles old / new per capture: above the dashed line at 1, new is cheaper." },
		{ "cmp_cycles", "Modeled cycles per capture, one bar per policy." },
		{ "cmp_full_flushes", "Full TLB flushes per capture, one bar per policy." },
		{ "cmp_tlbie", "tlbie instructions per capture, one bar per policy." },
		{ "cmp_stale", "Stale-TLB exposures per capture, one bar per policy." },
	};
	for (size_t i = 0; i < sizeof figs / sizeof figs[0]; i++)
		if (cmp_has(a, figs[i].name))
			figure(f, "", figs[i].name, figs[i].caption, figs[i].caption);
	fprintf(f, "<footer>Written by tlbreport %s. Text form: <a href=\"summary.md\">summary.md"
		"</a>.</footer>\n</main></body></html>\n", TLB_VERSION);
	return 0;
}

int html_compare(struct report *const *reps, size_t nreps, const char *dir, char *const *plots,
		 size_t nplots, char *err, size_t errlen)
{
	char path[4200];
	struct cmp_arg a = { reps, nreps, plots, nplots };

	snprintf(path, sizeof path, "%s/index.html", dir);
	return write_file(path, write_compare, &a, err, errlen);
}
