/* SPDX-License-Identifier: MIT */
/*
 * fleet_pages - what tlbreport --fleet writes for people: DIR/index.html, DIR/summary.md
 * and the summary on stdout (table, csv, json).
 *
 * What it owns: the fleet's words and tables, in the same order in every shape: the
 * fleet summary (per parameter set: hosts, the cheapest safe policy's count, hosts with
 * an unsafe policy, hosts whose verdict flips), then per parameter set its parameters,
 * the box plot, the distribution of each safe policy's distance to the floor, the hosts
 * where each policy is unsafe, the hosts whose verdict flips within the cost ranges and
 * the per-host table; then the captures left out with why; then fleet.db.
 *
 * Host names and file paths come from the captures and the command line: every one goes
 * through html_put / md_put / term_safe / csv_put / json_put (fmt.c). Policy names are
 * known ones (results.c refuses any other), the verdict and sweep texts are ours.
 */
#include <inttypes.h>
#include <string.h>

#include "fleet.h"
#include "plot.h"
#include "util.h"

static const char FLEET_TERMS[] =
	"Each host's verdict is the single report's: the cheapest safe policy a kernel can "
	"run (safe = no stale-TLB exposure), each safe policy's distance to the floor "
	"(optimal, the cheapest safe schedule for that very trace: 1.00x is the floor), and "
	"the unsafe policies with their exposures. A verdict flips when the cheapest safe "
	"policy changes as a cost moves from 0 to the sweep factor times its estimate. Hosts "
	"are compared only within one parameter set (machine, threads per core, vcores, the "
	"costs, the options of their latest runs); another set is shown apart, never mixed.";

const char *fleet_group_params(const struct fleet *fl, size_t g, char *buf, size_t len)
{
	const struct fleet_host *h = &fl->hosts[fl->groups[g].hosts[0]];
	size_t n = (size_t)snprintf(buf, len, "machine %s, ", h->machine);
	char num[64];

	if (h->tpc >= 0 && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%" PRId64 " threads per core, ", h->tpc);
	if (n < len)
		n += (size_t)snprintf(buf + n, len - n, "vcores %s, costs", h->vcores[0] ? h->vcores
				      : "not recorded");
	for (int k = 0; k < NCOSTS && n < len; k++)
		if (h->costs[k] >= 0)
			n += (size_t)snprintf(buf + n, len - n, " %s=%s", cost_names[k],
					      fmt_num(h->costs[k], num, sizeof num));
	if (n < len)
		snprintf(buf + n, len - n, ", options: %s", h->options[0] ? h->options : "none");
	return buf;
}

/* The cell of policy @p on host @h: "1.10x", "the floor", "safe", "unsafe (N)", "-". */
static const char *cell(const struct fleet_host *h, const char *p, char *buf, size_t len)
{
	const struct fleet_pol *q = fleet_pol(h, p);

	if (!q)
		snprintf(buf, len, "-");
	else if (!q->safe)
		snprintf(buf, len, "unsafe (%" PRId64 ")", q->exposures);
	else if (strcmp(p, "optimal") == 0)
		snprintf(buf, len, "the floor");
	else if (q->x_floor > 0)
		snprintf(buf, len, "%.2fx", q->x_floor);
	else
		snprintf(buf, len, "safe");
	return buf;
}

/* The policies any host of group @g has, in display order: a bit per rs_policies. */
static unsigned group_policies(const struct fleet *fl, size_t g)
{
	unsigned m = 0;

	for (size_t k = 0; k < RS_NPOLICIES; k++) {
		const struct fleet_stat *s = &fl->groups[g].stat[k];

		if (s->nsafe || s->nunsafe)
			m |= 1u << k;
	}
	return m;
}

static const char *cheapest_counts(const struct fleet *fl, size_t g, char *buf, size_t len)
{
	size_t n = 0, none = fl->groups[g].nhosts;

	buf[0] = '\0';
	for (size_t k = 0; k < RS_NPOLICIES && n < len; k++) {
		size_t c = fl->groups[g].stat[k].ncheapest;

		if (c) {
			n += (size_t)snprintf(buf + n, len - n, "%s%s on %zu", n ? ", " : "",
					      rs_policies[k], c);
			none -= c;
		}
	}
	if (none && n < len)
		snprintf(buf + n, len - n, "%sno verdict on %zu", n ? ", " : "", none);
	return buf;
}

static size_t count_unsafe_hosts(const struct fleet *fl, size_t g)
{
	size_t n = 0;

	for (size_t j = 0; j < fl->groups[g].nhosts; j++) {
		const struct fleet_host *h = &fl->hosts[fl->groups[g].hosts[j]];

		for (size_t i = 0; i < h->npols; i++)
			if (!h->pols[i].safe) {
				n++;
				break;
			}
	}
	return n;
}

static size_t count_flip_hosts(const struct fleet *fl, size_t g)
{
	size_t n = 0;

	for (size_t j = 0; j < fl->groups[g].nhosts; j++)
		n += fl->hosts[fl->groups[g].hosts[j]].flips;
	return n;
}

/* ------------------------------------------------------------------ HTML */

static void h_host(FILE *f, const struct fleet_host *h)
{
	html_put(f, h->name);
}

static void h_summary(FILE *f, const struct fleet *fl)
{
	char buf[1024];

	fputs("<h2 id=\"summary\">Fleet summary</h2>\n<table><tr><th>parameter set</th>"
	      "<th class=\"n\">hosts</th><th>cheapest safe policy</th><th class=\"n\">hosts with "
	      "an unsafe policy</th><th class=\"n\">hosts whose verdict flips</th></tr>\n", f);
	for (size_t g = 0; g < fl->ngroups; g++) {
		fprintf(f, "<tr><td><a href=\"#set-%zu\">%zu</a></td><td class=\"n\">%zu</td><td>", g + 1,
			g + 1, fl->groups[g].nhosts);
		html_put(f, cheapest_counts(fl, g, buf, sizeof buf));
		fprintf(f, "</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td></tr>\n",
			count_unsafe_hosts(fl, g), count_flip_hosts(fl, g));
	}
	fprintf(f, "<tr class=\"all\"><td>left out</td><td class=\"n\">%zu</td><td colspan=\"3\">"
		"<a href=\"#left-out\">why</a></td></tr>\n</table>\n", fl->nleft);
}

static void h_group(FILE *f, const struct fleet *fl, size_t g)
{
	const struct fleet_group *gr = &fl->groups[g];
	unsigned pm = group_policies(fl, g);
	char buf[2048];

	fprintf(f, "<h2 id=\"set-%zu\">Parameter set %zu: %zu host%s</h2>\n<div class=\"params\">",
		g + 1, g + 1, gr->nhosts, gr->nhosts == 1 ? "" : "s");
	html_put(f, fleet_group_params(fl, g, buf, sizeof buf));
	fputs("</div>\n", f);
	if (gr->plot[0])
		fprintf(f, "<figure><a href=\"plots/%s.png\"><img src=\"plots/%s.svg\" alt=\"distance "
			"to the floor per policy\"></a><figcaption>Each safe policy's cycles over "
			"optimal's, over the hosts of this set that have a floor: box = quartiles, "
			"whiskers = min and max, black bar = median &middot; <a href=\"plots/%s.png\">"
			"PNG</a> &middot; <a href=\"plots/%s.svg\">SVG</a> &middot; <a href=\"plots/%s.gp\">"
			"gnuplot script</a></figcaption></figure>\n", gr->plot, gr->plot, gr->plot,
			gr->plot, gr->plot);
	else
		fputs("<p class=\"none\">No box plot: no host of this set has optimal (the floor) "
		      "stored and safe.</p>\n", f);
	fputs("<h3>Distance to the floor, over hosts</h3>\n<table><tr><th>policy</th>"
	      "<th class=\"n\">cheapest on</th><th class=\"n\">safe on</th><th class=\"n\">unsafe "
	      "on</th><th class=\"n\">not stored</th><th class=\"n\">min</th><th class=\"n\">q1</th>"
	      "<th class=\"n\">median</th><th class=\"n\">q3</th><th class=\"n\">max</th></tr>\n", f);
	for (size_t k = 0; k < RS_NPOLICIES; k++) {
		const struct fleet_stat *s = &gr->stat[k];

		if (!(pm & (1u << k)))
			continue;
		fprintf(f, "<tr><td><span class=\"sw\" style=\"background:%s\"></span>%s</td>"
			"<td class=\"n\">%zu</td><td class=\"n\">%zu</td><td class=\"n%s\">%zu</td>"
			"<td class=\"n\">%zu</td>", gp_policy_color(rs_policies[k], k),
			rs_policies[k], s->ncheapest, s->nsafe, s->nunsafe ? " bad" : "",
			s->nunsafe, s->nabsent);
		if (s->nx)
			fprintf(f, "<td class=\"n\">%.2fx</td><td class=\"n\">%.2fx</td><td class=\"n\">"
				"%.2fx</td><td class=\"n\">%.2fx</td><td class=\"n\">%.2fx</td></tr>\n",
				s->min, s->q1, s->median, s->q3, s->max);
		else
			fputs("<td class=\"n\" colspan=\"5\">-</td></tr>\n", f);
	}
	fputs("</table>\n<h3>Hosts where a policy is unsafe</h3>\n", f);
	bool any = false;

	for (size_t k = 0; k < RS_NPOLICIES; k++) {
		if (!gr->stat[k].nunsafe)
			continue;
		fprintf(f, "%s<li><b>%s</b> (%zu): ", any ? "" : "<ul>\n", rs_policies[k],
			gr->stat[k].nunsafe);
		any = true;
		for (size_t j = 0, n = 0; j < gr->nhosts; j++) {
			const struct fleet_host *h = &fl->hosts[gr->hosts[j]];
			const struct fleet_pol *p = fleet_pol(h, rs_policies[k]);

			if (!p || p->safe)
				continue;
			fputs(n++ ? ", " : "", f);
			h_host(f, h);
			fprintf(f, " (%" PRId64 " exposure%s)", p->exposures, p->exposures == 1 ? "" : "s");
		}
		fputs("</li>\n", f);
	}
	fputs(any ? "</ul>\n" : "<p class=\"none\">None: every stored policy is safe on every "
	      "host of this set.</p>\n", f);
	fprintf(f, "<h3>Hosts whose verdict flips within the cost ranges</h3>\n");
	any = false;
	for (size_t j = 0; j < gr->nhosts; j++) {
		const struct fleet_host *h = &fl->hosts[gr->hosts[j]];

		if (!h->flips)
			continue;
		fputs(any ? "" : "<ul>\n", f);
		any = true;
		fputs("<li>", f);
		h_host(f, h);
		for (int k = 0, n = 0; k < CM_NSWEEPS; k++)
			if (h->sweep_flips[k]) {
				fprintf(f, "%s as %s moves (0 to %.0f cycles): ", n++ ? ";" : ":",
					cm_sweep_names[k], h->sweep_max[k]);
				html_put(f, h->sweep[k]);
			}
		fputs("</li>\n", f);
	}
	fprintf(f, any ? "</ul>\n" : "<p class=\"none\">None: on every host of this set the "
		"cheapest safe policy holds over both ranges (0 to %g times each estimate).</p>\n",
		fl->sweep_factor);
	fputs("<h3>Per host</h3>\n<table><tr><th>host</th><th>file</th><th>cheapest safe</th>", f);
	for (size_t k = 0; k < RS_NPOLICIES; k++)
		if (pm & (1u << k))
			fprintf(f, "<th class=\"n\">%s</th>", rs_policies[k]);
	fputs("<th>flips</th></tr>\n", f);
	for (size_t j = 0; j < gr->nhosts; j++) {
		const struct fleet_host *h = &fl->hosts[gr->hosts[j]];

		fputs("<tr><td>", f);
		h_host(f, h);
		fputs("</td><td>", f);
		html_put_list(f, h->path);
		fputs("</td><td>", f);
		if (h->best >= 0)
			fputs(h->pols[h->best].policy, f);
		else {
			fputs("<span class=\"bad\" title=\"", f);
			html_put(f, h->verdict);
			fputs("\">no verdict</span>", f);
		}
		fputs("</td>", f);
		for (size_t k = 0; k < RS_NPOLICIES; k++) {
			const struct fleet_pol *p = fleet_pol(h, rs_policies[k]);

			if (!(pm & (1u << k)))
				continue;
			fprintf(f, "<td class=\"n%s\">%s</td>", p && !p->safe ? " bad" : "",
				cell(h, rs_policies[k], buf, sizeof buf));
		}
		fprintf(f, "<td>%s</td></tr>\n", h->flips ? "<b>yes</b>" : h->sweep_ok ? "no" : "-");
	}
	fputs("</table>\n", f);
}

static void h_left(FILE *f, const struct fleet *fl)
{
	fputs("<h2 id=\"left-out\">Left out</h2>\n", f);
	if (!fl->nleft) {
		fputs("<p class=\"none\">None: every capture given is in the report.</p>\n", f);
		return;
	}
	fputs("<p>Not in the report (nothing was replayed: a capture without stored results "
	      "needs <code>tlbreplay --store</code> first).</p>\n<table><tr><th>host</th>"
	      "<th>file</th><th>why</th></tr>\n", f);
	for (size_t i = 0; i < fl->nhosts; i++) {
		const struct fleet_host *h = &fl->hosts[i];

		if (!h->left_out)
			continue;
		fputs("<tr><td>", f);
		h_host(f, h);
		fputs("</td><td>", f);
		html_put_list(f, h->path);
		fprintf(f, "</td><td%s>", h->bad_input ? " class=\"bad\"" : "");
		html_put(f, h->left_out);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void h_db(FILE *f, const struct fleet *fl)
{
	fputs("<h2 id=\"fleet-db\">fleet.db</h2>\n<p><a href=\"fleet.db\">fleet.db</a> holds every "
	      "capture's stored results (each capture attached read-only, no replay): ", f);
	html_put(f, fl->dbnote);
	fputs(". Tables <code>capture</code>, <code>replay_run</code>, <code>replay_total</code> "
	      "(each row with its capture and host), <code>verdict</code> (each reported host's, as "
	      "above) and the view <code>fleet_total</code> (every run's all-VM totals).</p>\n"
	      "<pre>sqlite3 fleet.db \"SELECT host, policy, cycles, stale_exposures FROM fleet_total "
	      "ORDER BY host, policy\"</pre>\n", f);
}

static int write_html(FILE *f, const void *arg)
{
	const struct fleet *fl = arg;

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>"
		"tlbreport: fleet of %zu captures</title>\n<meta name=\"generator\" content=\"tlbreport "
		"%s\">\n<style>\n%s</style></head>\n<body><main>\n", fl->nhosts, TLB_VERSION,
		html_style);
	fprintf(f, "<h1>Fleet: %zu captures, %zu host%s reported in %zu parameter set%s</h1>\n",
		fl->nhosts, fl->nreported, fl->nreported == 1 ? "" : "s", fl->ngroups, fl->ngroups == 1 ? "" : "s");
	fputs("<nav><a href=\"#summary\">summary</a>", f);
	for (size_t g = 0; g < fl->ngroups && g < 20; g++)
		fprintf(f, "<a href=\"#set-%zu\">set %zu</a>", g + 1, g + 1);
	fputs("<a href=\"#left-out\">left out</a><a href=\"#fleet-db\">fleet.db</a>"
	      "<a href=\"replay-model.html\">the model</a></nav>\n", f);
	if (fl->nbad)
		fprintf(f, "<div class=\"alert\">%zu capture%s could not be read as a trace DB and "
			"%s left out: see <a href=\"#left-out\">left out</a>.</div>\n", fl->nbad,
			fl->nbad == 1 ? "" : "s", fl->nbad == 1 ? "is" : "are");
	fputs("<p class=\"terms\">", f);
	html_put(f, FLEET_TERMS);
	fputs("</p>\n", f);
	h_summary(f, fl);
	for (size_t g = 0; g < fl->ngroups; g++)
		h_group(f, fl, g);
	h_left(f, fl);
	h_db(f, fl);
	fprintf(f, "<footer>Written by tlbreport %s from the stored results of each capture "
		"(tlbreplay --store). Text form: <a href=\"summary.md\">summary.md</a>.</footer>\n"
		"</main></body></html>\n", TLB_VERSION);
	return ferror(f) ? -1 : 0;
}

int fleet_html(const struct fleet *fl, char *err, size_t errlen)
{
	char path[4200];

	snprintf(path, sizeof path, "%s/index.html", fl->dir);
	return write_file(path, write_html, fl, err, errlen);
}

/* ------------------------------------------------------------------ Markdown */

static void m_group(FILE *f, const struct fleet *fl, size_t g)
{
	const struct fleet_group *gr = &fl->groups[g];
	unsigned pm = group_policies(fl, g);
	char buf[2048];
	bool any = false;

	fprintf(f, "## Parameter set %zu: %zu host%s\n\n", g + 1, gr->nhosts, gr->nhosts == 1 ? "" : "s");
	md_put(f, fleet_group_params(fl, g, buf, sizeof buf));
	fputs("\n\n", f);
	if (gr->plot[0])
		fprintf(f, "![distance to the floor per policy](plots/%s.svg)\n\n", gr->plot);
	fputs("Distance to the floor (cycles over optimal's), over hosts:\n\n| policy | cheapest on | "
	      "safe on | unsafe on | not stored | min | q1 | median | q3 | max |\n"
	      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n", f);
	for (size_t k = 0; k < RS_NPOLICIES; k++) {
		const struct fleet_stat *s = &gr->stat[k];

		if (!(pm & (1u << k)))
			continue;
		fprintf(f, "| %s | %zu | %zu | %zu | %zu |", rs_policies[k], s->ncheapest,
			s->nsafe, s->nunsafe, s->nabsent);
		if (s->nx)
			fprintf(f, " %.2fx | %.2fx | %.2fx | %.2fx | %.2fx |\n", s->min, s->q1, s->median,
				s->q3, s->max);
		else
			fputs(" - | - | - | - | - |\n", f);
	}
	fputs("\nHosts where a policy is unsafe:\n\n", f);
	for (size_t k = 0; k < RS_NPOLICIES; k++) {
		if (!gr->stat[k].nunsafe)
			continue;
		any = true;
		fprintf(f, "- **%s** (%zu): ", rs_policies[k], gr->stat[k].nunsafe);
		for (size_t j = 0, n = 0; j < gr->nhosts; j++) {
			const struct fleet_host *h = &fl->hosts[gr->hosts[j]];
			const struct fleet_pol *p = fleet_pol(h, rs_policies[k]);

			if (!p || p->safe)
				continue;
			fputs(n++ ? ", " : "", f);
			md_put(f, h->name);
			fprintf(f, " (%" PRId64 " exposure%s)", p->exposures, p->exposures == 1 ? "" : "s");
		}
		fputc('\n', f);
	}
	if (!any)
		fputs("None: every stored policy is safe on every host of this set.\n", f);
	fputs("\nHosts whose verdict flips within the cost ranges:\n\n", f);
	any = false;
	for (size_t j = 0; j < gr->nhosts; j++) {
		const struct fleet_host *h = &fl->hosts[gr->hosts[j]];

		if (!h->flips)
			continue;
		any = true;
		fputs("- ", f);
		md_put(f, h->name);
		for (int k = 0, n = 0; k < CM_NSWEEPS; k++)
			if (h->sweep_flips[k])
				fprintf(f, "%s as %s moves (0 to %.0f cycles): %s", n++ ? ";" : ":",
					cm_sweep_names[k], h->sweep_max[k], h->sweep[k]);
		fputc('\n', f);
	}
	if (!any)
		fprintf(f, "None: on every host of this set the cheapest safe policy holds over both "
			"ranges (0 to %g times each estimate).\n", fl->sweep_factor);
	fputs("\nPer host:\n\n| host | file | cheapest safe |", f);
	for (size_t k = 0; k < RS_NPOLICIES; k++)
		if (pm & (1u << k))
			fprintf(f, " %s |", rs_policies[k]);
	fputs(" flips |\n|---|---|---|", f);
	for (size_t k = 0; k < RS_NPOLICIES; k++)
		if (pm & (1u << k))
			fputs("---:|", f);
	fputs("---|\n", f);
	for (size_t j = 0; j < gr->nhosts; j++) {
		const struct fleet_host *h = &fl->hosts[gr->hosts[j]];

		fputs("| ", f);
		md_put(f, h->name);
		fputs(" | ", f);
		md_put(f, h->path);
		fprintf(f, " | %s |", h->best >= 0 ? h->pols[h->best].policy : "no verdict");
		for (size_t k = 0; k < RS_NPOLICIES; k++)
			if (pm & (1u << k))
				fprintf(f, " %s |", cell(h, rs_policies[k], buf, sizeof buf));
		fprintf(f, " %s |\n", h->flips ? "yes" : h->sweep_ok ? "no" : "-");
	}
	fputc('\n', f);
}

static int write_md(FILE *f, const void *arg)
{
	const struct fleet *fl = arg;
	char buf[1024];

	fprintf(f, "# Fleet: %zu captures, %zu host%s reported in %zu parameter set%s\n\n",
		fl->nhosts, fl->nreported, fl->nreported == 1 ? "" : "s", fl->ngroups, fl->ngroups == 1 ? "" : "s");
	fprintf(f, "%s\n\n## Fleet summary\n\n| parameter set | hosts | cheapest safe policy | "
		"hosts with an unsafe policy | hosts whose verdict flips |\n|---|---:|---|---:|---:|\n",
		FLEET_TERMS);
	for (size_t g = 0; g < fl->ngroups; g++)
		fprintf(f, "| %zu | %zu | %s | %zu | %zu |\n", g + 1, fl->groups[g].nhosts,
			cheapest_counts(fl, g, buf, sizeof buf), count_unsafe_hosts(fl, g),
			count_flip_hosts(fl, g));
	fprintf(f, "| left out | %zu | | | |\n\n", fl->nleft);
	for (size_t g = 0; g < fl->ngroups; g++)
		m_group(f, fl, g);
	fputs("## Left out\n\n", f);
	if (!fl->nleft)
		fputs("None: every capture given is in the report.\n\n", f);
	else
		fputs("Not in the report (nothing was replayed: a capture without stored results needs "
		      "`tlbreplay --store` first).\n\n| host | file | why |\n|---|---|---|\n", f);
	for (size_t i = 0; i < fl->nhosts; i++) {
		const struct fleet_host *h = &fl->hosts[i];

		if (!h->left_out)
			continue;
		fputs("| ", f);
		md_put(f, h->name);
		fputs(" | ", f);
		md_put(f, h->path);
		fputs(" | ", f);
		md_put(f, h->left_out);
		fputs(" |\n", f);
	}
	fprintf(f, "%s## fleet.db\n\n[fleet.db](fleet.db): every capture's stored results (each "
		"capture attached read-only, no replay): %s. Tables capture, replay_run, replay_total "
		"(each row with its capture and host), verdict, and the view fleet_total.\n",
		fl->nleft ? "\n" : "", fl->dbnote);
	return ferror(f) ? -1 : 0;
}

int fleet_md(const struct fleet *fl, char *err, size_t errlen)
{
	char path[4200];

	snprintf(path, sizeof path, "%s/summary.md", fl->dir);
	return write_file(path, write_md, fl, err, errlen);
}

/* ------------------------------------------------------------------ stdout */

static void out_table(FILE *f, const struct fleet *fl)
{
	char a[512], b[4608], buf[64];

	fprintf(f, "fleet: %zu captures, %zu host%s reported in %zu parameter set%s, %zu left out\n",
		fl->nhosts, fl->nreported, fl->nreported == 1 ? "" : "s", fl->ngroups, fl->ngroups == 1 ? "" : "s", fl->nleft);
	for (size_t g = 0; g < fl->ngroups; g++) {
		const struct fleet_group *gr = &fl->groups[g];

		fprintf(f, "set %zu (%s): %zu host%s\n", g + 1,
			term_safe(fleet_group_params(fl, g, b, sizeof b), a, sizeof a), gr->nhosts,
			gr->nhosts == 1 ? "" : "s");
		fprintf(f, "  %-20s %-28s %-9s %9s  %-5s  %s\n", "host", "file", "cheapest", "vs_floor",
			"flips", "unsafe");
		for (size_t j = 0; j < gr->nhosts; j++) {
			const struct fleet_host *h = &fl->hosts[gr->hosts[j]];

			/* the file too: hosts may share a name (meta host of copied captures) */
			fprintf(f, "  %-20s ", term_safe(h->name, a, 64));
			fprintf(f, "%-28s %-9s %9s  %-5s ", term_safe(h->path, a, sizeof a),
				h->best >= 0 ? h->pols[h->best].policy : "none",
				h->best >= 0 ? cell(h, h->pols[h->best].policy, buf, sizeof buf) : "-",
				h->flips ? "yes" : h->sweep_ok ? "no" : "-");
			for (size_t i = 0, n = 0; i < h->npols; i++)
				if (!h->pols[i].safe)
					fprintf(f, "%s%s(%" PRId64 ")", n++ ? ", " : " ", h->pols[i].policy,
						h->pols[i].exposures);
			fputc('\n', f);
		}
	}
	for (size_t i = 0; i < fl->nhosts; i++)
		if (fl->hosts[i].left_out)
			fprintf(f, "left out: %s (%s): %s\n", term_safe(fl->hosts[i].name, a, 128),
				term_safe(fl->hosts[i].path, b, 1024),
				term_safe(fl->hosts[i].left_out, b + 1024, sizeof b - 1024));
	fprintf(f, "fleet.db: %s/fleet.db (%s)\n", term_safe(fl->shown, a, sizeof a), fl->dbnote);
	fprintf(f, "report: %s/index.html\n", term_safe(fl->shown, a, sizeof a));
}

static void out_csv(FILE *f, const struct fleet *fl)
{
	fputs("host,file,param_set,policy,run,cycles,stale_exposures,safe,x_floor,cheapest,flips,"
	      "left_out\n", f);
	for (size_t i = 0; i < fl->nhosts; i++) {
		const struct fleet_host *h = &fl->hosts[i];

		for (size_t k = 0; k < (h->left_out ? 1 : h->npols); k++) {
			csv_put(f, h->name);
			fputc(',', f);
			csv_put(f, h->path);
			if (h->left_out) {
				fputs(",,,,,,,,,,", f);
				csv_put(f, h->left_out);
				fputc('\n', f);
				continue;
			}
			const struct fleet_pol *p = &h->pols[k];

			fprintf(f, ",%zu,%s,%" PRId64 ",%" PRId64 ",%" PRId64 ",%d,", h->group + 1,
				p->policy, p->run, p->cycles, p->exposures, p->safe);
			if (p->x_floor > 0)
				fprintf(f, "%.4f", p->x_floor);
			fprintf(f, ",%d,%d,\n", h->best >= 0 && &h->pols[h->best] == p, h->flips);
		}
	}
}

static void out_json(FILE *f, const struct fleet *fl)
{
	fputs("{\"fleet\": {\"dir\": ", f);
	json_put(f, fl->shown);
	fprintf(f, ", \"captures\": %zu, \"reported\": %zu, \"left_out_count\": %zu,\n \"hosts\": [",
		fl->nhosts, fl->nreported, fl->nleft);
	for (size_t i = 0, n = 0; i < fl->nhosts; i++) {
		const struct fleet_host *h = &fl->hosts[i];

		if (h->left_out)
			continue;
		fputs(n++ ? ",\n  {\"host\": " : "\n  {\"host\": ", f);
		json_put(f, h->name);
		fputs(", \"file\": ", f);
		json_put(f, h->path);
		fprintf(f, ", \"param_set\": %zu, \"cheapest\": ", h->group + 1);
		if (h->best >= 0)
			fprintf(f, "\"%s\"", h->pols[h->best].policy);
		else
			fputs("null", f);
		fprintf(f, ", \"flips\": %s, \"verdict\": ", h->flips ? "true" : "false");
		json_put(f, h->verdict);
		fputs(", \"policies\": [", f);
		for (size_t k = 0; k < h->npols; k++) {
			const struct fleet_pol *p = &h->pols[k];

			fprintf(f, "%s{\"policy\": \"%s\", \"run\": %" PRId64 ", \"cycles\": %" PRId64
				", \"stale_exposures\": %" PRId64 ", \"x_floor\": ", k ? ", " : "",
				p->policy, p->run, p->cycles, p->exposures);
			if (p->x_floor > 0)
				fprintf(f, "%.4f}", p->x_floor);
			else
				fputs("null}", f);
		}
		fputs("]}", f);
	}
	fputs("],\n \"left_out\": [", f);
	for (size_t i = 0, n = 0; i < fl->nhosts; i++) {
		const struct fleet_host *h = &fl->hosts[i];

		if (!h->left_out)
			continue;
		fputs(n++ ? ", {\"host\": " : "{\"host\": ", f);
		json_put(f, h->name);
		fputs(", \"file\": ", f);
		json_put(f, h->path);
		fputs(", \"why\": ", f);
		json_put(f, h->left_out);
		fprintf(f, ", \"bad_input\": %s}", h->bad_input ? "true" : "false");
	}
	fputs("],\n \"param_sets\": [", f);
	for (size_t g = 0; g < fl->ngroups; g++) {
		char buf[2048];

		fprintf(f, "%s{\"set\": %zu, \"hosts\": %zu, \"params\": ", g ? ",\n  " : "\n  ", g + 1,
			fl->groups[g].nhosts);
		json_put(f, fleet_group_params(fl, g, buf, sizeof buf));
		fputs(", \"distance\": {", f);
		for (size_t k = 0, n = 0; k < RS_NPOLICIES; k++) {
			const struct fleet_stat *s = &fl->groups[g].stat[k];

			if (!s->nsafe && !s->nunsafe)
				continue;
			fprintf(f, "%s\"%s\": {\"cheapest\": %zu, \"safe\": %zu, \"unsafe\": %zu, "
				"\"hosts_with_floor\": %zu", n++ ? ", " : "", rs_policies[k],
				s->ncheapest, s->nsafe, s->nunsafe, s->nx);
			if (s->nx)
				fprintf(f, ", \"min\": %.4f, \"q1\": %.4f, \"median\": %.4f, \"q3\": %.4f, "
					"\"max\": %.4f", s->min, s->q1, s->median, s->q3, s->max);
			fputc('}', f);
		}
		fputs("}}", f);
	}
	fputs("]}}\n", f);
}

int fleet_stdout(FILE *f, enum out_format fmt, const struct fleet *fl)
{
	if (fmt == OUT_TABLE)
		out_table(f, fl);
	else if (fmt == OUT_CSV)
		out_csv(f, fl);
	else if (fmt == OUT_JSON)
		out_json(f, fl);
	return ferror(f) ? -1 : 0;
}
