/* SPDX-License-Identifier: MIT */
/*
 * fmt - formatting shared by the report writers (see report.h): grouped
 * integers, ratios, seconds, HTML escaping, and the two meta facts a report
 * flags in red (lost events, absent sources). Kept apart so that the HTML,
 * markdown and stdout writers print the same number the same way.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outdir.h"
#include "report.h"
#include "util.h"

const char *fmt_grouped(int64_t v, char *buf, size_t len)
{
	char digits[32];
	int n = snprintf(digits, sizeof digits, "%" PRId64, v);
	size_t o = 0;
	int start = digits[0] == '-' ? 1 : 0;

	for (int i = 0; i < n && o + 4 < len; i++) {
		int left = n - i;

		if (i > start && left % 3 == 0) {
			/* U+2009 THIN SPACE: groups without a separator a locale could misread. */
			buf[o++] = (char)0xe2;
			buf[o++] = (char)0x80;
			buf[o++] = (char)0x89;
		}
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

const char *fmt_ratio(double a, double b, char *buf, size_t len)
{
	if (b == 0.0)
		snprintf(buf, len, "%s", a == 0.0 ? "-" : "inf");
	else
		snprintf(buf, len, "%.3fx", a / b);
	return buf;
}

const char *fmt_seconds(int64_t ns, char *buf, size_t len)
{
	snprintf(buf, len, "%.6f s", (double)ns / 1e9);
	return buf;
}

const char *fmt_num(double v, char *buf, size_t len)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.1f", v);
	return buf;
}

void html_put(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		switch (ch) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		case '`': fputs("&#96;", f); break;
		default:
			/* A control character has no business in a page: shown as U+FFFD. */
			if (ch < 0x20 || ch == 0x7f)
				fputs("&#xfffd;", f);
			else
				fputc(ch, f);
		}
	}
}

void html_put_text(FILE *f, const char *s)
{
	/* Our own multi-line text: escaped, line ends kept. */
	for (; s && *s; s++) {
		if (*s == '\n') {
			fputc('\n', f);
			continue;
		}
		char one[2] = { *s, 0 };

		html_put(f, one);
	}
}

void md_put(FILE *f, const char *s)
{
	/*
	 * CommonMark lets any ASCII punctuation be backslash-escaped, which makes
	 * it literal: no emphasis, code span, link, raw HTML, entity, table cell
	 * end or heading can come out of DB text. The punctuation that means
	 * something only at the start of a line (lists, quotes, rules) is escaped
	 * there. Line ends and control characters become U+FFFD.
	 */
	for (const char *s0 = s; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch == 0x7f)
			fputs("\xef\xbf\xbd", f);
		else if (ch == '_' && s > s0 && isalnum((unsigned char)s[-1]) &&
			 isalnum((unsigned char)s[1]))
			fputc(ch, f);	/* intraword: never emphasis (guest_enter stays readable) */
		else if (ch < 0x80 && (strchr("\"$&'()*<>@[\\]^_`{|}~!#", ch) ||
					(s == s0 && strchr("-+.=:>%", ch))))
			fprintf(f, "\\%c", ch);
		else
			fputc(ch, f);
	}
}

void csv_put(FILE *f, const char *s)
{
	csv_field(f, s);
}

void json_put(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

const char *term_safe(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	if (len == 0)
		return "";
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && n + 1 < len; p++) {
		/* C0 controls, DEL, and the C1 controls (UTF-8 C2 80..C2 9F) start terminal sequences. */
		if (*p < 0x20 || *p == 0x7f) {
			buf[n++] = '?';
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			buf[n++] = '?';
			p++;
		} else {
			buf[n++] = (char)*p;
		}
	}
	buf[n] = '\0';
	return buf;
}

void html_put_list(FILE *f, const char *s)
{
	/* Element text only (not attributes): a <wbr> after each comma lets a list of
	 * tracepoint names wrap between names instead of inside one. */
	for (; s && *s; s++) {
		char one[2] = { *s, 0 };

		html_put(f, one);
		if (*s == ',')
			fputs("<wbr>", f);
	}
}

bool meta_has_lost(const struct rs_capture *c, int64_t *lost)
{
	const char *v = rs_meta(c, "lost_events");
	int64_t n = 0;

	/* The meta's figure, or what the 'lost' events say (--events), whichever is larger. */
	*lost = 0;
	if (v && parse_i64(v, &n) == 0)
		*lost = n;
	if (c->events_read && c->lost_counted > *lost)
		*lost = c->lost_counted;
	return *lost > 0;
}

/* Is every comma-separated item of @list a kvm_hv: tracepoint? */
static bool only_kvm_hv(const char *list)
{
	for (const char *p = list; p && *p;) {
		while (*p == ' ')
			p++;
		if (strncmp(p, "kvm_hv:", 7) != 0)
			return false;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return true;
}

const char *meta_absent(const struct rs_capture *c, const char **key)
{
	for (size_t i = 0; i < c->nmeta; i++) {
		const char *v = c->meta[i].value;

		if (!strstr(c->meta[i].key, "absent"))
			continue;
		/* An empty list, "none" or "0" says nothing is absent. */
		if (!*v || strcmp(v, "none") == 0 || strcmp(v, "0") == 0 || strcmp(v, "[]") == 0)
			continue;
		if (!capture_on_power(c) && only_kvm_hv(v))
			continue;	/* POWER-only tracepoints cannot exist on another host */
		if (key)
			*key = c->meta[i].key;
		return v;
	}
	return NULL;
}

const char *vm_label(const struct rs_capture *c, int64_t vm, char *buf, size_t len)
{
	const char *name = rs_vm_name(c, vm);

	if (name && *name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "vm %" PRId64, vm);
	return buf;
}

int write_file(const char *path, int (*fn)(FILE *f, const void *arg), const void *arg,
	       char *err, size_t errlen)
{
	FILE *f = od_fopen(path);
	int rc, bad;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = fn(f, arg);
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
		return -1;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		return -1;
	}
	return 0;
}

extern const char tlb_replay_model_md[];	/* docs/replay-model.md, compiled in */

static int put_model_md(FILE *f, const void *arg)
{
	(void)arg;
	fputs(tlb_replay_model_md, f);
	return 0;
}

static int put_model_html(FILE *f, const void *arg)
{
	(void)arg;
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<title>The replay model</title>\n<style>body{font:14px/1.5 'DejaVu Sans',"
		"sans-serif;max-width:980px;margin:20px auto;padding:0 20px;color:#1b1b1b}"
		"pre{white-space:pre-wrap;font:13px/1.5 'DejaVu Sans Mono',monospace}</style>"
		"</head>\n<body><p><a href=\"index.html\">&larr; the report</a> &middot; "
		"<a href=\"replay-model.md\">as Markdown</a> (the project's "
		"docs/replay-model.md, tlbreport %s)</p>\n<pre>", TLB_VERSION);
	html_put_text(f, tlb_replay_model_md);
	fputs("</pre></body></html>\n", f);
	return 0;
}

int write_model_doc(const char *dir, char *err, size_t errlen)
{
	char path[4200];

	snprintf(path, sizeof path, "%s/replay-model.md", dir);
	if (write_file(path, put_model_md, NULL, err, errlen) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/replay-model.html", dir);
	return write_file(path, put_model_html, NULL, err, errlen);
}

const char *conclusion(struct report *const *reps, size_t n, char *buf, size_t len)
{
	const char *names[REPORT_MAX_RUNS * 4];
	size_t count[REPORT_MAX_RUNS * 4] = { 0 }, nn = 0, none = 0, used;
	double lo[REPORT_MAX_RUNS * 4], hi[REPORT_MAX_RUNS * 4];
	bool mixed = false;

	for (size_t k = 0; k < n; k++) {
		const struct verdict *v = &reps[k]->verdict;
		const struct rs_capture *c = reps[k]->cap;

		if (k > 0) {
			const struct rs_run *a = &reps[0]->cap->runs[0], *b = &c->runs[0];
			const char *sa = strchr(a->signature, '|'), *sb = strchr(b->signature, '|');

			/* machine, T, vcores, costs, options: all but the trace itself */
			if (strcmp(a->machine, b->machine) != 0 || !sa || !sb || strcmp(sa, sb) != 0)
				mixed = true;
		}
		if (v->kind != VERDICT_OK) {
			none++;
			continue;
		}
		const char *p = c->runs[v->best].policy;
		double x = verdict_x_floor(c, v, (size_t)v->best);
		size_t j;

		for (j = 0; j < nn && strcmp(names[j], p) != 0; j++)
			;
		if (j == nn) {
			if (nn == sizeof names / sizeof names[0])
				continue;
			names[nn] = p;
			lo[nn] = hi[nn] = x;
			nn++;
		}
		count[j]++;
		if (x > 0 && (lo[j] == 0 || x < lo[j]))
			lo[j] = x;
		if (x > hi[j])
			hi[j] = x;
	}
	used = (size_t)snprintf(buf, len, "Across %zu captures: ", n);
	if (nn == 0 && used < len)
		used += (size_t)snprintf(buf + used, len - used, "no verdict in any");
	for (size_t j = 0; j < nn && used < len; j++) {
		used += (size_t)snprintf(buf + used, len - used, "%s%s is the cheapest safe policy in %zu",
					 j ? "; " : "", names[j], count[j]);
		if (used < len && hi[j] > 0)
			used += (size_t)snprintf(buf + used, len - used, lo[j] == hi[j] ?
						 " (%.2fx the floor)" : " (%.2fx to %.2fx the floor)",
						 lo[j], hi[j]);
	}
	if (none && used < len)
		used += (size_t)snprintf(buf + used, len - used, "; %zu without a verdict (see each)", none);
	if (mixed && used < len)
		used += (size_t)snprintf(buf + used, len - used, ". They were replayed with different "
					 "parameters (machine, T, vcores, costs or options): compare "
					 "policies within a capture, not captures with each other");
	if (used < len)
		snprintf(buf + used, len - used, ".");
	return buf;
}
