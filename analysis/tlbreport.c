/* SPDX-License-Identifier: MIT */
/*
 * tlbreport - the comparison a kernel developer decides from, with plots.
 *
 * What it owns: the command line, the output directory, and the order of
 * work. It reads only the results that `tlbreplay --store` wrote into each
 * trace DB (results.c), computes the cost sensitivity from them
 * (sensitivity.c), writes the gnuplot scripts (figures.c), runs gnuplot,
 * then writes index.html (html.c) and summary.md (summary_md.c), and prints
 * a summary on stdout (stdout_fmt.c).
 *
 * Call order: parse options; rs_load + sens_compute for every DB (any bad
 * input stops before anything is written); one DB: report into DIR; several:
 * each into DIR/LABEL/, then the comparison into DIR; out_summary.
 *
 * Exit: 0 success; 1 a failed run (cannot write, gnuplot failed, SQLite
 * error); 2 bad usage or bad input (not a trace DB, no results stored:
 * "run tlbreplay --store first").
 */
#include <errno.h>
#include <signal.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fleet.h"
#include "outdir.h"
#include "plot.h"
#include "report.h"
#include "util.h"

#define MAX_CAPTURES 64

/*
 * Ctrl-C, SIGTERM, SIGHUP while writing: the handler only records it (no
 * SA_RESTART, so a wait for gnuplot returns); the writing stops at the next
 * step and the private directory is removed, leaving nothing behind.
 */
static void on_signal(int sig)
{
	gp_interrupted = sig;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

struct options {
	const char *outdir;		/* -o */
	bool force;			/* -f: replace an earlier report of ours */
	enum out_format format;		/* --format, -q */
	const char *machine;		/* -m */
	int64_t run_ids[16];		/* --run */
	size_t nrun_ids;
	const char *policies[16];	/* --policy */
	size_t npolicies;
	char *policy_buf;		/* storage of --policy's list */
	double sweep_factor;		/* --sweep-factor */
	int64_t hazards;		/* --hazards */
	int64_t max_points;		/* --max-points */
	int64_t max_vms;		/* --max-vms */
	int64_t jobs;			/* --jobs */
	bool events;			/* --events */
	bool fleet;			/* --fleet: one report over many hosts (fleet.c) */
};

static void usage(FILE *f)
{
	fputs(
"tlbreport - compare TLB invalidation policies from stored replay results, with plots\n"
"\n"
"Reads the results `tlbreplay --store` wrote into each trace DB (not the events,\n"
"unless --events) and writes DIR/index.html (opens from disk) and DIR/summary.md:\n"
"totals per policy with old/new ratios, per-VM bars, cycles and tlbie over time,\n"
"cost sensitivity with the point where the old/new verdict flips, stale-TLB\n"
"exposures and their list, and the capture's meta (lost events and absent sources\n"
"flagged). Plots are made by gnuplot as PNG and SVG; each one's script is kept\n"
"beside it (DIR/plots/NAME.gp).\n"
"Several DBs: each gets DIR/NAME/, and DIR/index.html puts them side by side.\n"
"--fleet: one report over many hosts' captures (a directory gives its *.db files):\n"
"per host the verdict and where it flips, across hosts the distribution of each\n"
"safe policy's distance to optimal, the hosts where a policy is unsafe or the\n"
"verdict flips, and DIR/fleet.db with every capture's stored runs (no replay).\n"
"\n"
"USAGE: tlbreport [OPTIONS] TRACE.db [TRACE.db...]\n"
"       tlbreport --fleet [OPTIONS] CAPTURE.db|DIR [CAPTURE.db|DIR...]\n"
"\n"
"OPTIONS:\n"
"  -o, --output DIR      a new directory for the report; its parent must exist (default: report)\n"
"  -f, --force           replace an earlier report of tlbreport in DIR (only its own files)\n"
"      --format FMT      summary on stdout: table, csv, json, none      (default: table)\n"
"  -m, --machine NAME    report the runs of this machine profile        (default: latest run's)\n"
"      --run ID[,ID...]  exactly these replay_run ids, one per policy\n"
"  -P, --policy LIST     policies to show, in this order                (default: all stored)\n"
"      --sweep-factor F  sweep each cost from 0 to F x its estimate     (default: 10)\n"
"      --hazards N       hazards listed per policy in the report        (default: 50)\n"
"      --max-points N    most points of a time-series plot              (default: 100)\n"
"      --max-vms N       most VMs in the per-VM bars                    (default: 24)\n"
"      --events          also scan the events: counts per kind, lost    (default: off)\n"
"      --fleet           one report over many hosts' stored results     (default: side by side)\n"
"  -j, --jobs N          gnuplot processes at once                      (default: 2)\n"
"  -q, --quiet           nothing on stdout (same as --format none)\n"
"  -h, --help            this help\n"
"  -V, --version         print the version\n"
"\n"
"EXAMPLES:\n"
"  tlbreplay --store trace.db && tlbreport trace.db   # report/index.html, report/summary.md\n"
"  tlbreport -o /tmp/r --format json trace.db         # also the summary as JSON on stdout\n"
"  tlbreport -f -o report trace.db                    # again, replacing the earlier report\n"
"  tlbreport -o week mon.db tue.db wed.db             # three captures side by side\n"
"  tlbreport -m power8 -P old,new t.db                # the power8 runs, old and new only\n"
"  tlbreport --events trace.db                        # check meta against the events too\n"
"  cd report/plots && gnuplot series_cycles.gp        # redraw a plot after editing it\n"
"  tlbreport --fleet -o fleet /shared/tlb             # every host's capture in that directory\n"
"\n"
"Exit status: 0 done, 1 the run failed (write, gnuplot, SQLite), 2 bad usage or input.\n",
	      f);
}

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", tlb_prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s: see --help\n", tlb_prog);
	return EXIT_BAD_INPUT;
}

static int parse_count(const char *opt, const char *arg, int64_t min, int64_t *out)
{
	if (parse_i64(arg, out) < 0 || *out < min) {
		fprintf(stderr, "%s: bad value for %s: '%s' (an integer >= %" PRId64 ")\n", tlb_prog,
			opt, arg, min);
		return -1;
	}
	return 0;
}

static int parse_runs(struct options *o, const char *arg)
{
	char *copy = strdup(arg), *save = NULL;

	if (!copy)
		return -1;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (o->nrun_ids == sizeof o->run_ids / sizeof o->run_ids[0] ||
		    parse_i64(t, &o->run_ids[o->nrun_ids]) < 0) {
			free(copy);
			return -1;
		}
		o->nrun_ids++;
	}
	free(copy);
	return o->nrun_ids ? 0 : -1;
}

static int parse_policies(struct options *o, const char *arg)
{
	char *save = NULL;

	free(o->policy_buf);
	o->npolicies = 0;
	o->policy_buf = strdup(arg);
	if (!o->policy_buf)
		return -1;
	for (char *t = strtok_r(o->policy_buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (o->npolicies == sizeof o->policies / sizeof o->policies[0])
			return -1;
		o->policies[o->npolicies++] = t;
	}
	return o->npolicies ? 0 : -1;
}

/* A short, file-name-safe, unique label for capture @k: its file name without .db. */
static void make_label(struct report **reps, size_t k, const char *path)
{
	const char *base = strrchr(path, '/');
	char *l = reps[k]->label;
	size_t n = 0, cap = sizeof reps[k]->label - 8;

	base = base ? base + 1 : path;
	for (const char *s = base; *s && n < cap; s++)
		l[n++] = (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
				 *s)) ? *s : '_';
	l[n] = '\0';
	if (n > 3 && strcmp(l + n - 3, ".db") == 0)
		l[n -= 3] = '\0';
	if (n == 0 || strcmp(l, ".") == 0 || strcmp(l, "..") == 0 || strcmp(l, "plots") == 0)
		snprintf(l, sizeof reps[k]->label, "capture");
	size_t stem = strlen(l);

	for (int suffix = 2;; suffix++) {
		bool clash = false;

		for (size_t j = 0; j < k; j++)
			if (strcmp(reps[j]->label, l) == 0)
				clash = true;
		if (!clash)
			break;
		snprintf(l + stem, sizeof reps[k]->label - stem, "-%d", suffix);
	}
}

static void free_report(struct report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nplots; i++)
		free(r->plots[i]);
	sens_free(&r->sens);
	rs_free(r->cap);
	free(r);
}

/* Everything of one capture into r->dir. Returns an exit code. */
static int write_report(struct report *r, const struct options *o, const char *up_link)
{
	char err[4608], csv[4200];

	if (od_mkdir(r->plotdir) < 0) {
		tlb_msg("cannot create %s: %s", r->plotdir, strerror(errno));
		return EXIT_RUN_FAILED;
	}
	if (fig_capture(r, err, sizeof err) < 0) {
		tlb_msg("cannot write the plot scripts: %s", err);
		return EXIT_RUN_FAILED;
	}
	if (gp_run_all(r->plotdir, r->plots, r->nplots, (int)o->jobs, err, sizeof err) < 0) {
		tlb_msg("cannot draw the plots: %s", err);
		return EXIT_RUN_FAILED;
	}
	snprintf(csv, sizeof csv, "%s/hazards.csv", r->dir);
	if (rs_write_hazards_csv(r->cap, csv, err, sizeof err) < 0) {
		tlb_msg("cannot write the hazard list: %s", err);
		return EXIT_RUN_FAILED;
	}
	if (write_model_doc(r->dir, err, sizeof err) < 0) {
		tlb_msg("cannot write the model's page: %s", err);
		return EXIT_RUN_FAILED;
	}
	if (md_capture(r, err, sizeof err) < 0) {
		tlb_msg("cannot write summary.md: %s", err);
		return EXIT_RUN_FAILED;
	}
	if (html_capture(r, up_link, err, sizeof err) < 0) {
		tlb_msg("cannot write index.html: %s", err);
		return EXIT_RUN_FAILED;
	}
	return 0;
}

static int write_comparison(struct report **reps, size_t n, const struct options *o,
			    const char *dir)
{
	char plotdir[4200], err[4608];
	char *names[REPORT_MAX_PLOTS];
	size_t nn = 0;
	int rc = 0;

	snprintf(plotdir, sizeof plotdir, "%s/plots", dir);
	if (od_mkdir(plotdir) < 0) {
		tlb_msg("cannot create %s: %s", plotdir, strerror(errno));
		return EXIT_RUN_FAILED;
	}
	if (fig_compare(reps, n, plotdir, names, &nn, err, sizeof err) < 0) {
		tlb_msg("cannot write the comparison plot scripts: %s", err);
		rc = EXIT_RUN_FAILED;
	} else if (gp_run_all(plotdir, names, nn, (int)o->jobs, err, sizeof err) < 0) {
		tlb_msg("cannot draw the comparison plots: %s", err);
		rc = EXIT_RUN_FAILED;
	} else if (write_model_doc(dir, err, sizeof err) < 0) {
		tlb_msg("cannot write the model's page: %s", err);
		rc = EXIT_RUN_FAILED;
	} else if (md_compare(reps, n, dir, err, sizeof err) < 0) {
		tlb_msg("cannot write summary.md: %s", err);
		rc = EXIT_RUN_FAILED;
	} else if (html_compare(reps, n, dir, names, nn, err, sizeof err) < 0) {
		tlb_msg("cannot write index.html: %s", err);
		rc = EXIT_RUN_FAILED;
	}
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	return rc;
}

/* Fill @o from the command line: -1 to go on, or the exit code (messages said; @o's
 * memory freed then). */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'F' },
		{ "machine", required_argument, NULL, 'm' },
		{ "run", required_argument, NULL, 'R' },
		{ "policy", required_argument, NULL, 'P' },
		{ "sweep-factor", required_argument, NULL, 'S' },
		{ "hazards", required_argument, NULL, 'H' },
		{ "max-points", required_argument, NULL, 'X' },
		{ "max-vms", required_argument, NULL, 'v' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "events", no_argument, NULL, 'E' },
		{ "fleet", no_argument, NULL, 'L' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int c;

	*o = (struct options){
		.outdir = "report", .format = OUT_TABLE, .sweep_factor = 10.0, .hazards = 50,
		.max_points = 100, .max_vms = 24, .jobs = 2,
	};
	while ((c = getopt_long(argc, argv, "o:fm:P:j:qhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->outdir = optarg;
			break;
		case 'f':
			o->force = true;
			break;
		case 'q':
			o->format = OUT_NONE;
			break;
		case 'F':
			if (strcmp(optarg, "table") == 0)
				o->format = OUT_TABLE;
			else if (strcmp(optarg, "csv") == 0)
				o->format = OUT_CSV;
			else if (strcmp(optarg, "json") == 0)
				o->format = OUT_JSON;
			else if (strcmp(optarg, "none") == 0)
				o->format = OUT_NONE;
			else
				return bad_usage("unknown --format '%s' (table, csv, json, none)", optarg);
			break;
		case 'm':
			o->machine = optarg;
			break;
		case 'E':
			o->events = true;
			break;
		case 'L':
			o->fleet = true;
			break;
		case 'R':
			if (parse_runs(o, optarg) < 0)
				return bad_usage("bad --run '%s' (run ids, comma-separated, at most 16)",
						 optarg);
			break;
		case 'P':
			if (parse_policies(o, optarg) < 0)
				return bad_usage("bad --policy '%s' (names, comma-separated, at most 16)",
						 optarg);
			break;
		case 'S':
			if (parse_double(optarg, &o->sweep_factor) < 0 || !(o->sweep_factor >= 1.0) ||
			    o->sweep_factor > 1e6)
				return bad_usage("bad --sweep-factor '%s' (a number from 1 to 1e6)", optarg);
			break;
		case 'H':
		case 'X':
		case 'v':
		case 'j': {
			int64_t *dst = c == 'H' ? &o->hazards : c == 'X' ? &o->max_points
				       : c == 'v' ? &o->max_vms : &o->jobs;
			int64_t min = c == 'H' ? 0 : c == 'X' ? 2 : 1;

			if (parse_count(c == 'H' ? "--hazards" : c == 'X' ? "--max-points"
					: c == 'v' ? "--max-vms" : "--jobs", optarg, min, dst) < 0 ||
			    *dst > 1000000)
				return EXIT_BAD_INPUT;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("tlbreport %s\n", TLB_VERSION);
			return 0;
		default:
			fprintf(stderr, "%s: see --help\n", tlb_prog);
			return EXIT_BAD_INPUT;
		}
	}
	if (optind >= argc)
		return bad_usage("%s", "no trace DB given");
	if (o->fleet && o->nrun_ids)
		return bad_usage("%s", "--run names runs of one DB; --fleet takes each host's latest");
	if (o->fleet && o->events)
		return bad_usage("%s", "--fleet reads stored results only: no --events");
	if (o->fleet)
		return -1;	/* no limit on the number of captures */
	if ((size_t)(argc - optind) > MAX_CAPTURES)
		return bad_usage("%s", "too many trace DBs (at most 64)");
	if (o->nrun_ids && argc - optind > 1)
		return bad_usage("%s", "--run names runs of one DB; give one trace DB with it");
	return -1;
}

int main(int argc, char **argv)
{
	struct options o;
	struct report *reps[MAX_CAPTURES] = { 0 };
	struct outdir od = { .made = false };
	size_t n = 0;
	int rc;

	tlb_prog = "tlbreport";
	rc = parse_args(argc, argv, &o);
	if (rc >= 0) {
		free(o.policy_buf);
		return rc;
	}
	rc = 0;
	if (o.fleet) {
		struct fleet_options fo = {
			.outdir = o.outdir, .force = o.force, .format = o.format, .machine = o.machine,
			.policies = o.policies, .npolicies = o.npolicies,
			.sweep_factor = o.sweep_factor, .jobs = (int)o.jobs,
		};

		catch_signals();
		rc = fleet_run(&fo, argv + optind, (size_t)(argc - optind));
		free(o.policy_buf);
		return rc;
	}

	/* Load everything first: bad input stops before a file is written. */
	for (int i = optind; i < argc; i++) {
		struct rs_options ro = {
			.machine = o.machine, .run_ids = o.run_ids, .nrun_ids = o.nrun_ids,
			.policies = o.policies, .npolicies = o.npolicies,
			.hazard_limit = (size_t)o.hazards, .read_events = o.events,
		};
		char err[4608];
		int code;
		struct report *r = calloc(1, sizeof *r);

		if (!r) {
			tlb_msg("cannot report on %s: %s", argv[i], strerror(ENOMEM));
			rc = EXIT_RUN_FAILED;
			goto out;
		}
		reps[n++] = r;
		r->cap = rs_load(argv[i], &ro, &code, err, sizeof err);
		if (!r->cap) {
			char a[512], b[4608];

			/* The reason may quote the DB: no control sequence reaches the terminal. */
			tlb_msg("cannot report on %s: %s", term_safe(argv[i], a, sizeof a),
				term_safe(err, b, sizeof b));
			rc = code;
			goto out;
		}
		if (sens_compute(r->cap, o.sweep_factor, &r->sens) < 0) {
			tlb_msg("cannot compute the cost sensitivity: %s", strerror(ENOMEM));
			rc = EXIT_RUN_FAILED;
			goto out;
		}
		verdict_compute(r->cap, &r->verdict);
		if (r->verdict.kind != VERDICT_OK && r->sens.usable) {
			/* a sweep would name a cheapest policy where the report names none */
			r->sens.usable = false;
			snprintf(r->sens.why_not, sizeof r->sens.why_not, "%s",
				 "there is no verdict to test (see above)");
		}
		r->hazard_list = (size_t)o.hazards;
		r->max_points = (int)o.max_points;
		r->max_vms = (int)o.max_vms;
		make_label(reps, n - 1, argv[i]);
	}
	{
		char err[4608];

		catch_signals();
		rc = od_begin(&od, o.outdir, o.force, err, sizeof err);
		if (rc) {
			char b[4608];

			tlb_msg("%s", term_safe(err, b, sizeof b));
			goto out;
		}
	}
	for (size_t k = 0; k < n; k++) {
		struct report *r = reps[k];
		int w, v;

		if (n == 1) {
			w = snprintf(r->dir, sizeof r->dir, "%s", od.tmp);
			v = snprintf(r->shown, sizeof r->shown, "%s", od.target);
		} else {
			w = snprintf(r->dir, sizeof r->dir, "%s/%s", od.tmp, r->label);
			v = snprintf(r->shown, sizeof r->shown, "%s/%s", od.target, r->label);
		}
		if (w < 0 || v < 0 || (size_t)w + 8 >= sizeof r->dir || (size_t)v >= sizeof r->shown) {
			tlb_msg("cannot use output directory %s: %s", o.outdir, strerror(ENAMETOOLONG));
			rc = EXIT_BAD_INPUT;
			goto out;
		}
		if (n > 1 && od_mkdir(r->dir) < 0) {
			tlb_msg("cannot create %s: %s", r->shown, strerror(errno));
			rc = EXIT_RUN_FAILED;
			goto out;
		}
		snprintf(r->plotdir, sizeof r->plotdir, "%s/plots", r->dir);
		rc = write_report(r, &o, n > 1 ? "../index.html" : NULL);
		if (gp_interrupted)
			goto interrupted;
		if (rc)
			goto out;
	}
	if (n > 1 && (rc = write_comparison(reps, n, &o, od.tmp)) != 0)
		goto out;
	if (gp_interrupted)
		goto interrupted;
	{
		char err[4608], b[4608];

		if (od_commit(&od, err, sizeof err) < 0) {
			tlb_msg("%s", term_safe(err, b, sizeof b));
			rc = EXIT_RUN_FAILED;
			goto out;
		}
	}
	if (out_summary(stdout, o.format, reps, n) < 0 || fflush(stdout) != 0) {
		tlb_msg("cannot write the summary: %s", strerror(errno));
		rc = EXIT_RUN_FAILED;
		goto out;
	}
	if (n > 1 && o.format == OUT_TABLE) {
		char b[4200];

		printf("comparison: %s/index.html\n", term_safe(od.target, b, sizeof b));
	}
	goto out;
interrupted:
	tlb_msg("interrupted by signal %d: nothing written", (int)gp_interrupted);
	rc = 128 + (int)gp_interrupted;
out:
	od_abort(&od);	/* nothing when the report is in place */
	for (size_t k = 0; k < n; k++)
		free_report(reps[k]);
	free(o.policy_buf);
	return rc;
}
