/* SPDX-License-Identifier: MIT */
/*
 * kernelflush - the kernel's own full TLB flushes beside each policy's, per VM.
 *
 * What it owns: the comparison of a capture's kernel_flush events (counted per
 * VM by results.c from the trace's event table: the powernv harness's kprobes
 * on the kernel's flush path) with each chosen run's full_flushes of the same
 * VM, in the four shapes the report has: HTML, summary.md, the stdout table and
 * the JSON summary. The kernel's count is what really happened; a policy whose
 * full_flushes equal it on every VM it covers predicts the kernel exactly: that
 * is the check of the model (modern for HPT guests, radix for radix guests).
 * Difference = policy - kernel. A policy with no row for a VM (the other MMU,
 * when vm_mmu says which) shows "-" there and is not counted against it.
 *
 * Interface (report.h): kf_html(), kf_md(), kf_table(), kf_json(); each writes
 * nothing when the capture has no kernel_flush events.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define KF_HTML_ROWS 500

static const char KF_WHAT[] =
	"kernel_flush is the kernel's own count of full TLB flushes, from the trace's "
	"kernel_flush events (recorded by the harness's kprobes on the kernel's flush path), "
	"beside each policy's full_flushes of the same VM; difference = policy - kernel. A "
	"policy that predicts the kernel's count exactly on every VM it covers is the check "
	"of the model (modern for hash-MMU guests, radix for radix-MMU guests).";

static int cmp_i64(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

	return a < b ? -1 : a > b;
}

/* The VMs to show: those with kernel_flush events and those any run has a row for,
 * ascending, unique (malloc'ed; *@n). NULL with *@n 0 when there is nothing to show. */
static int64_t *kf_vms(const struct rs_capture *c, size_t *n)
{
	size_t cap = c->nkflush, k = 0;
	int64_t *v;

	*n = 0;
	if (c->nkflush == 0)
		return NULL;
	for (size_t i = 0; i < c->nruns; i++)
		cap += c->runs[i].nvms;
	v = malloc(cap * sizeof *v);
	if (!v)
		return NULL;
	for (size_t i = 0; i < c->nkflush; i++)
		v[k++] = c->kflush[i].vm;
	for (size_t i = 0; i < c->nruns; i++)
		for (size_t j = 0; j < c->runs[i].nvms; j++)
			v[k++] = c->runs[i].vms[j].vm;
	qsort(v, k, sizeof *v, cmp_i64);
	for (size_t i = 0; i < k; i++)
		if (*n == 0 || v[*n - 1] != v[i])
			v[(*n)++] = v[i];
	return v;
}

/* Run @i over every VM it has a row for: VMs equal to the kernel's, VMs compared, and
 * the sums of both sides over those VMs. */
struct kf_match {
	size_t equal, compared;
	int64_t policy_sum, kernel_sum;
};

static struct kf_match kf_match(const struct rs_capture *c, size_t i)
{
	const struct rs_run *run = &c->runs[i];
	struct kf_match m = { 0 };

	for (size_t j = 0; j < run->nvms; j++) {
		int64_t k = rs_kernel_flushes(c, run->vms[j].vm);

		m.compared++;
		m.equal += run->vms[j].m[M_FULL_FLUSHES] == k;
		m.policy_sum += run->vms[j].m[M_FULL_FLUSHES];
		m.kernel_sum += k;
	}
	return m;
}

static const char *mmu_word(const struct rs_capture *c, int64_t vm)
{
	char m = rs_vm_mmu(c, vm);

	return m == 'h' ? "hash" : m == 'r' ? "radix" : "-";
}

static const char *diff_text(int64_t d, char *buf, size_t len)
{
	snprintf(buf, len, d > 0 ? "+%" PRId64 : "%" PRId64, d);
	return buf;
}

/* "modern equals the kernel on 2 of 2 VMs (exact)" per run, joined by "; " (known names). */
static void match_line(FILE *f, const struct rs_capture *c)
{
	for (size_t i = 0; i < c->nruns; i++) {
		struct kf_match m = kf_match(c, i);

		fprintf(f, "%s%s equals the kernel on %zu of %zu VM%s%s", i ? "; " : "",
			c->runs[i].policy, m.equal, m.compared, m.compared == 1 ? "" : "s",
			m.compared > 0 && m.equal == m.compared ? " (exact)" : "");
	}
}

void kf_html(FILE *f, const struct report *r)
{
	const struct rs_capture *c = r->cap;
	size_t nv;
	int64_t *vms = kf_vms(c, &nv);
	char label[128], buf[32];

	if (!vms)
		return;
	fputs("<h2 id=\"kernel-flush\">The kernel's own flushes</h2>\n<p>", f);
	html_put(f, KF_WHAT);
	fputs("</p>\n<p class=\"lead\">", f);
	match_line(f, c);
	fputs(".</p>\n<table><tr><th>vm</th><th>mmu</th><th class=\"n\">kernel_flush (the "
	      "kernel)</th>", f);
	for (size_t i = 0; i < c->nruns; i++)
		fprintf(f, "<th class=\"n\">%s full_flushes</th><th class=\"n\">difference</th>",
			c->runs[i].policy);
	fputs("</tr>\n", f);
	for (size_t j = 0; j < nv && j < KF_HTML_ROWS; j++) {
		int64_t k = rs_kernel_flushes(c, vms[j]);

		fputs("<tr><td>", f);
		html_put(f, vm_label(c, vms[j], label, sizeof label));
		fprintf(f, "</td><td>%s</td><td class=\"n\">%" PRId64 "</td>", mmu_word(c, vms[j]), k);
		for (size_t i = 0; i < c->nruns; i++) {
			const int64_t *m = rs_vm_metrics(&c->runs[i], vms[j]);

			if (!m)
				fputs("<td class=\"n\">-</td><td class=\"n\">-</td>", f);
			else
				fprintf(f, "<td class=\"n\">%" PRId64 "</td><td class=\"n%s\">%s</td>",
					m[M_FULL_FLUSHES], m[M_FULL_FLUSHES] == k ? " good" : " bad",
					diff_text(m[M_FULL_FLUSHES] - k, buf, sizeof buf));
		}
		fputs("</tr>\n", f);
	}
	if (nv > KF_HTML_ROWS)
		fprintf(f, "<tr><td colspan=\"%zu\" class=\"none\">%zu more VMs: every row is in "
			"<a href=\"summary.md\">summary.md</a></td></tr>\n", 3 + 2 * c->nruns,
			nv - KF_HTML_ROWS);
	fprintf(f, "<tr class=\"all\"><td>all</td><td></td><td class=\"n\">%" PRId64 "</td>",
		c->kflush_total);
	for (size_t i = 0; i < c->nruns; i++) {
		struct kf_match m = kf_match(c, i);

		fprintf(f, "<td class=\"n\">%" PRId64 "</td><td class=\"n\">%s</td>", m.policy_sum,
			diff_text(m.policy_sum - m.kernel_sum, buf, sizeof buf));
	}
	fputs("</tr>\n</table>\n<p class=\"sub\">all: each policy's sum over the VMs it has rows "
	      "for, its difference against the kernel's count on those same VMs.</p>\n", f);
	free(vms);
}

void kf_md(FILE *f, const struct report *r)
{
	const struct rs_capture *c = r->cap;
	size_t nv;
	int64_t *vms = kf_vms(c, &nv);
	char buf[32];

	if (!vms)
		return;
	fprintf(f, "## The kernel's own flushes\n\n%s\n\n", KF_WHAT);
	match_line(f, c);
	fputs(".\n\n| vm | mmu | kernel_flush (the kernel) |", f);
	for (size_t i = 0; i < c->nruns; i++)
		fprintf(f, " %s full_flushes | difference |", c->runs[i].policy);
	fputs("\n|---|---|---:|", f);
	for (size_t i = 0; i < c->nruns; i++)
		fputs("---:|---:|", f);
	fputc('\n', f);
	for (size_t j = 0; j < nv; j++) {
		int64_t k = rs_kernel_flushes(c, vms[j]);

		fprintf(f, "| %" PRId64 " | %s | %" PRId64 " |", vms[j], mmu_word(c, vms[j]), k);
		for (size_t i = 0; i < c->nruns; i++) {
			const int64_t *m = rs_vm_metrics(&c->runs[i], vms[j]);

			if (!m)
				fputs(" - | - |", f);
			else
				fprintf(f, " %" PRId64 " | %s |", m[M_FULL_FLUSHES],
					diff_text(m[M_FULL_FLUSHES] - k, buf, sizeof buf));
		}
		fputc('\n', f);
	}
	fprintf(f, "| all | | %" PRId64 " |", c->kflush_total);
	for (size_t i = 0; i < c->nruns; i++) {
		struct kf_match m = kf_match(c, i);

		fprintf(f, " %" PRId64 " | %s |", m.policy_sum,
			diff_text(m.policy_sum - m.kernel_sum, buf, sizeof buf));
	}
	fputs("\n\nall: each policy's sum over the VMs it has rows for, its difference against "
	      "the kernel's count on those same VMs.\n\n", f);
	free(vms);
}

void kf_table(FILE *f, const struct report *r)
{
	const struct rs_capture *c = r->cap;
	size_t nv;
	int64_t *vms = kf_vms(c, &nv);
	char buf[32];

	if (!vms)
		return;
	fputs("  kernel_flush (the kernel's own full flushes, the harness's kprobes) beside each "
	      "policy's full_flushes, per VM (difference = policy - kernel):\n", f);
	fprintf(f, "    %-6s %-6s %12s", "vm", "mmu", "kernel_flush");
	for (size_t i = 0; i < c->nruns; i++)
		fprintf(f, " %16s", c->runs[i].policy);
	fputc('\n', f);
	for (size_t j = 0; j < nv; j++) {
		int64_t k = rs_kernel_flushes(c, vms[j]);

		fprintf(f, "    %-6" PRId64 " %-6s %12" PRId64, vms[j], mmu_word(c, vms[j]), k);
		for (size_t i = 0; i < c->nruns; i++) {
			const int64_t *m = rs_vm_metrics(&c->runs[i], vms[j]);
			char cell[64];

			if (!m)
				snprintf(cell, sizeof cell, "-");
			else
				snprintf(cell, sizeof cell, "%" PRId64 " (%s)", m[M_FULL_FLUSHES],
					 diff_text(m[M_FULL_FLUSHES] - k, buf, sizeof buf));
			fprintf(f, " %16s", cell);
		}
		fputc('\n', f);
	}
	fputs("  kernel check: ", f);
	match_line(f, c);
	fputc('\n', f);
	free(vms);
}

void kf_json(FILE *f, const struct report *r)
{
	const struct rs_capture *c = r->cap;
	size_t nv;
	int64_t *vms = kf_vms(c, &nv);

	fputs(",\n   \"kernel_flush\": ", f);
	if (!vms) {
		fputs("null", f);
		return;
	}
	fprintf(f, "{\"total\": %" PRId64 ", \"vms\": [", c->kflush_total);
	for (size_t j = 0; j < nv; j++) {
		fprintf(f, "%s{\"vm\": %" PRId64 ", \"kernel\": %" PRId64 ", \"full_flushes\": {",
			j ? ", " : "", vms[j], rs_kernel_flushes(c, vms[j]));
		for (size_t i = 0; i < c->nruns; i++) {
			const int64_t *m = rs_vm_metrics(&c->runs[i], vms[j]);

			fprintf(f, "%s\"%s\": ", i ? ", " : "", c->runs[i].policy);
			if (m)
				fprintf(f, "%" PRId64, m[M_FULL_FLUSHES]);
			else
				fputs("null", f);
		}
		fputs("}}", f);
	}
	fputs("], \"exact\": [", f);
	for (size_t i = 0, n = 0; i < c->nruns; i++) {
		struct kf_match m = kf_match(c, i);

		if (m.compared > 0 && m.equal == m.compared)
			fprintf(f, "%s\"%s\"", n++ ? ", " : "", c->runs[i].policy);
	}
	fputs("]}", f);
	free(vms);
}
