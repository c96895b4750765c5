/* SPDX-License-Identifier: MIT */
/*
 * report - what the writers of tlbreport share: one loaded capture with its
 * sensitivity and the plots made for it, and the writers' entry points.
 *
 * The writers, one file each:
 *   figures.c     the gnuplot scripts of one capture, and of a comparison
 *   summary_md.c  summary.md of one capture, and of a comparison
 *   html.c        index.html of one capture, and of a comparison
 *   stdout_fmt.c  the summary on stdout: table, csv or json
 *   fmt.c         number and text formatting shared by the writers
 *   kernelflush.c the kernel's own flushes beside the policies', in each shape
 *
 * Order of calls (tlbreport.c): rs_load and sens_compute per capture; then
 * fig_capture (which lists the plot names in the report), then gp_run_all
 * over every plot, then md_capture and html_capture; in compare mode the
 * same per capture into DIR/<label>/, then fig_compare, gp_run_all,
 * md_compare, html_compare into DIR; and finally out_summary.
 */
#ifndef TLB_REPORT_H
#define TLB_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "results.h"
#include "sensitivity.h"
#include "verdict.h"

#define REPORT_MAX_PLOTS 32
#define REPORT_MAX_RUNS 16		/* runs shown per capture (one per policy) */

struct report {
	struct rs_capture *cap;		/* the loaded results */
	struct sens sens;		/* sweeps of this capture */
	struct verdict verdict;		/* safe policies ranked, or why there is no verdict */
	char label[128];		/* short name: file name without .db, made unique */
	char dir[4096];			/* where index.html and summary.md are written (private) */
	char shown[4096];		/* where they end up: the directory the user named */
	char plotdir[4200];		/* dir/plots */
	char *plots[REPORT_MAX_PLOTS];	/* plot names made (stems in plotdir) */
	size_t nplots;
	size_t hazard_list;		/* hazards listed in the HTML and summary.md */
	int max_points;			/* most points of a time series plot */
	int max_vms;			/* most VMs in the per-VM bars */
};

enum out_format { OUT_TABLE, OUT_CSV, OUT_JSON, OUT_NONE };

/* figures.c: write the .gp scripts; names appended to r->plots. 0 or -1. */
int fig_capture(struct report *r, char *err, size_t errlen);
/* Comparison plots into @plotdir (names appended to @names, count @n). */
int fig_compare(struct report *const *reps, size_t nreps, const char *plotdir,
		char **names, size_t *n, char *err, size_t errlen);

/* summary_md.c */
int md_capture(const struct report *r, char *err, size_t errlen);
int md_compare(struct report *const *reps, size_t nreps, const char *dir, char *err,
	       size_t errlen);

/* html.c */
extern const char html_style[];		/* the CSS every page of a report shares */
int html_capture(const struct report *r, const char *up_link, char *err, size_t errlen);
int html_compare(struct report *const *reps, size_t nreps, const char *dir,
		 char *const *plots, size_t nplots, char *err, size_t errlen);

/* kernelflush.c: the kernel's own flushes (kernel_flush events) beside each policy's
 * full_flushes per VM; nothing when the capture has none. */
void kf_html(FILE *f, const struct report *r);
void kf_md(FILE *f, const struct report *r);
void kf_table(FILE *f, const struct report *r);
/* ",\n   \"kernel_flush\": {...}" or null, inside a report's JSON object. */
void kf_json(FILE *f, const struct report *r);

/* stdout_fmt.c: the summary of every capture on @f. */
int out_summary(FILE *f, enum out_format fmt, struct report *const *reps, size_t nreps);

/* fmt.c */
/* Integer with thin-space thousands separators ("12 345 678"), into @buf. */
const char *fmt_grouped(int64_t v, char *buf, size_t len);
/* "a/b" as "2.35x", "-" when b is 0 and a is 0, "inf" when only b is 0. */
const char *fmt_ratio(double a, double b, char *buf, size_t len);
/* Nanoseconds as seconds with enough digits ("12.345678 s"). */
const char *fmt_seconds(int64_t ns, char *buf, size_t len);
/* A cost or cycle value, integer when it is one ("1234", "1234.5"). */
const char *fmt_num(double v, char *buf, size_t len);
/* @s HTML-escaped onto @f. */
void html_put(FILE *f, const char *s);
/* Our own text HTML-escaped with its line ends kept (for <pre>). */
void html_put_text(FILE *f, const char *s);
/* The one-line conclusion across captures (plain text: known policy names only). */
const char *conclusion(struct report *const *reps, size_t n, char *buf, size_t len);
/* docs/replay-model.md into DIR/replay-model.md and DIR/replay-model.html. */
int write_model_doc(const char *dir, char *err, size_t errlen);
/* @s Markdown-escaped (ASCII punctuation backslashed; line ends, controls U+FFFD). */
void md_put(FILE *f, const char *s);
/* @s as one RFC 4180 CSV field. */
void csv_put(FILE *f, const char *s);
/* @s as a JSON string literal (quotes included). */
void json_put(FILE *f, const char *s);
/* @s with control characters (C0, DEL, C1) as '?', for a terminal; into @buf. */
const char *term_safe(const char *s, char *buf, size_t len);
/* @s HTML-escaped, with a line-break opportunity after each comma (element text only). */
void html_put_list(FILE *f, const char *s);
/* true when a meta value says lost events (a number > 0). */
bool meta_has_lost(const struct rs_capture *c, int64_t *lost);
/* the absent sources (meta tracepoints_absent and any other *absent* key), or NULL. */
const char *meta_absent(const struct rs_capture *c, const char **key);
/* Name of a VM for labels: its vm.name, else "vm N". */
const char *vm_label(const struct rs_capture *c, int64_t vm, char *buf, size_t len);
/* Write a fresh @path (O_EXCL|O_NOFOLLOW, see outdir.h) by @fn, then close. */
int write_file(const char *path, int (*fn)(FILE *f, const void *arg), const void *arg,
	       char *err, size_t errlen);

#endif
