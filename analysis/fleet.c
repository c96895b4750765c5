/* SPDX-License-Identifier: MIT */
/*
 * fleet - see fleet.h. Quartiles are the linear interpolation between order
 * statistics (h = (n - 1) p), so that one host gives its own value for all five.
 */
#include "fleet.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "outdir.h"
#include "plot.h"
#include "util.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append @s (taken) to the list; -1 out of memory. */
static int push(char ***v, size_t *n, size_t *cap, char *s)
{
	if (!s)
		return -1;
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		char **p = realloc(*v, ncap * sizeof *p);

		if (!p) {
			free(s);
			return -1;
		}
		*v = p;
		*cap = ncap;
	}
	(*v)[(*n)++] = s;
	return 0;
}

/* DIR's *.db regular files (not recursive), sorted by name (bytes). Exit code. */
static int list_dir(const char *dir, char ***v, size_t *n, size_t *cap)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t nn = 0, nc = 0;
	struct dirent *e;
	int rc = 0;

	if (!d) {
		char b[4200];

		tlb_msg("cannot read %s: %s", term_safe(dir, b, sizeof b), strerror(errno));
		return EXIT_BAD_INPUT;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		char *p;
		struct stat st;

		if (len < 4 || strcmp(e->d_name + len - 3, ".db") != 0)
			continue;
		if (asprintf(&p, "%s/%s", dir, e->d_name) < 0) {
			rc = EXIT_RUN_FAILED;
			break;
		}
		/* regular files only, never through a link (as fleet-db.sh's find -type f) */
		if (lstat(p, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		if (push(&names, &nn, &nc, p) < 0) {
			rc = EXIT_RUN_FAILED;
			break;
		}
	}
	closedir(d);
	if (rc == 0)
		qsort(names, nn, sizeof *names, cmp_str);
	for (size_t i = 0; i < nn; i++)
		if (rc == 0 && push(v, n, cap, names[i]) < 0)
			rc = EXIT_RUN_FAILED;
		else if (rc != 0)
			free(names[i]);
	free(names);
	if (rc)
		tlb_msg("cannot list %s: %s", dir, strerror(ENOMEM));
	return rc;
}

/* "a=1, c=0, b=1" sorted by item into @out. */
static void sort_options(const char *in, char *out, size_t len)
{
	char copy[512], *items[64], *save = NULL;
	size_t n = 0, w = 0;

	snprintf(copy, sizeof copy, "%s", in);
	for (char *t = strtok_r(copy, ",", &save); t && n < 64; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ')
			t++;
		if (*t)
			items[n++] = t;
	}
	qsort(items, n, sizeof *items, cmp_str);
	out[0] = '\0';
	for (size_t i = 0; i < n && w < len; i++)
		w += (size_t)snprintf(out + w, len - w, "%s%s", i ? ", " : "", items[i]);
}

/* The host's name: meta host, else the file name without .db. */
static char *host_name(const struct rs_capture *c, const char *path)
{
	const char *h = c ? rs_meta(c, "host") : NULL;
	const char *base = strrchr(path, '/');
	size_t n;

	if (h && *h)
		return strdup(h);
	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 3 && strcmp(base + n - 3, ".db") == 0)
		n -= 3;
	return strndup(base, n);
}

/* The summary of one loaded capture into @h. */
static int summarize(struct fleet_host *h, const struct rs_capture *c, double factor)
{
	struct verdict v;
	struct sens s;
	char opts[512];
	const struct rs_run *r0 = &c->runs[0];

	verdict_compute(c, &v);
	if (sens_compute(c, factor, &s) < 0)
		return -1;
	if (v.kind != VERDICT_OK)
		s.usable = false;
	h->nruns_stored = c->nruns_stored;
	h->kind = v.kind;
	h->best = -1;
	snprintf(h->machine, sizeof h->machine, "%s", r0->machine);
	h->tpc = r0->tpc;
	snprintf(h->vcores, sizeof h->vcores, "%s", r0->vcores);
	sort_options(rs_options_union(c, opts, sizeof opts), h->options, sizeof h->options);
	for (int k = 0; k < NCOSTS; k++)
		h->costs[k] = (r0->costs.have & (1u << k)) ? r0->costs.v[k] : -1.0;
	snprintf(h->key, sizeof h->key, "%s|%s", r0->signature, h->options);
	for (size_t i = 0; i < c->nruns && h->npols < FLEET_MAX_POLICIES; i++) {
		struct fleet_pol *p = &h->pols[h->npols++];
		const struct rs_run *r = &c->runs[i];

		snprintf(p->policy, sizeof p->policy, "%s", r->policy);
		p->run = r->id;
		p->cycles = r->all.m[M_CYCLES];
		p->exposures = r->all.m[M_STALE_EXPOSURES];
		p->full_flushes = r->all.m[M_FULL_FLUSHES];
		p->safe = p->exposures == 0;
		p->x_floor = p->safe ? verdict_x_floor(c, &v, i) : 0.0;
		if ((int)i == v.best)
			h->best = (int)h->npols - 1;
	}
	if (v.kind != VERDICT_OK)
		h->best = -1;	/* v.best is only a verdict when there is one */
	h->has_floor = v.floor >= 0;
	verdict_line(c, &v, h->verdict, sizeof h->verdict);
	h->sweep_ok = s.usable;
	for (int k = 0; s.usable && k < CM_NSWEEPS; k++) {
		const struct sens_sweep *w = &s.sweep[k];

		sens_describe(c, w, h->sweep[k], sizeof h->sweep[k]);
		h->sweep_max[k] = w->x_max;
		/* stretched: the range was widened past F x the estimate to show the flip */
		h->sweep_flips[k] = w->nsegs > 1 && !w->stretched;
		h->flips |= h->sweep_flips[k];
	}
	sens_free(&s);
	return 0;
}

static const struct fleet *sort_fl;

static int by_name(const void *pa, const void *pb)
{
	const struct fleet_host *a = &sort_fl->hosts[*(const size_t *)pa];
	const struct fleet_host *b = &sort_fl->hosts[*(const size_t *)pb];
	int c = strcmp(a->name, b->name);

	return c ? c : strcmp(a->path, b->path);
}

static int by_size(const void *pa, const void *pb)
{
	const struct fleet_group *a = pa, *b = pb;

	if (a->nhosts != b->nhosts)
		return a->nhosts > b->nhosts ? -1 : 1;
	return by_name(&a->hosts[0], &b->hosts[0]);
}

static double quantile(const double *v, size_t n, double p)
{
	double h = (double)(n - 1) * p, f = floor(h);
	size_t i = (size_t)f;

	return i + 1 < n ? v[i] + (h - f) * (v[i + 1] - v[i]) : v[i];
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return a < b ? -1 : a > b;
}

const struct fleet_pol *fleet_pol(const struct fleet_host *h, const char *p)
{
	for (size_t i = 0; i < h->npols; i++)
		if (strcmp(h->pols[i].policy, p) == 0)
			return &h->pols[i];
	return NULL;
}

static int group_stats(struct fleet *fl, struct fleet_group *g)
{
	double *xs = malloc((g->nhosts ? g->nhosts : 1) * sizeof *xs);

	if (!xs)
		return -1;
	for (size_t k = 0; k < RS_NPOLICIES; k++) {
		struct fleet_stat *s = &g->stat[k];

		memset(s, 0, sizeof *s);
		for (size_t j = 0; j < g->nhosts; j++) {
			const struct fleet_host *h = &fl->hosts[g->hosts[j]];
			const struct fleet_pol *p = fleet_pol(h, rs_policies[k]);

			if (!p)
				s->nabsent++;
			else if (!p->safe)
				s->nunsafe++;
			else
				s->nsafe++;
			if (p && h->best >= 0 && &h->pols[h->best] == p)
				s->ncheapest++;
			if (p && p->safe && p->x_floor > 0)
				xs[s->nx++] = p->x_floor;
		}
		if (s->nx) {
			qsort(xs, s->nx, sizeof *xs, cmp_double);
			s->min = xs[0];
			s->q1 = quantile(xs, s->nx, 0.25);
			s->median = quantile(xs, s->nx, 0.5);
			s->q3 = quantile(xs, s->nx, 0.75);
			s->max = xs[s->nx - 1];
		}
	}
	free(xs);
	return 0;
}

/* Hosts reported, grouped by parameter set. */
static int make_groups(struct fleet *fl)
{
	fl->groups = calloc(fl->nhosts ? fl->nhosts : 1, sizeof *fl->groups);
	if (!fl->groups)
		return -1;
	for (size_t i = 0; i < fl->nhosts; i++) {
		struct fleet_host *h = &fl->hosts[i];
		size_t g;

		if (h->left_out)
			continue;
		for (g = 0; g < fl->ngroups; g++)
			if (strcmp(fl->hosts[fl->groups[g].hosts[0]].key, h->key) == 0)
				break;
		if (g == fl->ngroups) {
			fl->groups[g].hosts = malloc(fl->nhosts * sizeof(size_t));
			if (!fl->groups[g].hosts)
				return -1;
			fl->ngroups++;
		}
		fl->groups[g].hosts[fl->groups[g].nhosts++] = i;
	}
	sort_fl = fl;
	for (size_t g = 0; g < fl->ngroups; g++)
		qsort(fl->groups[g].hosts, fl->groups[g].nhosts, sizeof(size_t), by_name);
	qsort(fl->groups, fl->ngroups, sizeof *fl->groups, by_size);
	for (size_t g = 0; g < fl->ngroups; g++) {
		for (size_t j = 0; j < fl->groups[g].nhosts; j++)
			fl->hosts[fl->groups[g].hosts[j]].group = g;
		if (group_stats(fl, &fl->groups[g]) < 0)
			return -1;
	}
	return 0;
}

static void free_fleet(struct fleet *fl)
{
	for (size_t i = 0; i < fl->nhosts; i++) {
		free(fl->hosts[i].path);
		free(fl->hosts[i].name);
		free(fl->hosts[i].left_out);
	}
	free(fl->hosts);
	for (size_t g = 0; g < fl->ngroups; g++)
		free(fl->groups[g].hosts);
	free(fl->groups);
}

/* Load every capture: a summary per host, or why it is left out. Exit code (1: memory). */
static int load_all(struct fleet *fl, const struct fleet_options *o, char **paths, size_t n)
{
	fl->hosts = calloc(n ? n : 1, sizeof *fl->hosts);
	if (!fl->hosts)
		return EXIT_RUN_FAILED;
	for (size_t i = 0; i < n; i++) {
		struct fleet_host *h = &fl->hosts[fl->nhosts++];
		bool nothing_fits = false;
		struct rs_options ro = {
			.machine = o->machine, .policies = o->policies, .npolicies = o->npolicies,
			.skip_kernel_flush = true, .totals_only = true, .nothing_fits = &nothing_fits,
		};
		char err[4608];
		int code;
		struct rs_capture *c;

		h->path = paths[i];
		paths[i] = NULL;
		h->tpc = -1;
		c = rs_load(h->path, &ro, &code, err, sizeof err);
		h->name = host_name(c, h->path);
		if (!h->name)
			goto nomem;
		(void)code;	/* a file we cannot read is left out like a bad one: named, exit 2 */
		if (!c) {
			h->bad_input = !nothing_fits;
			if (!(h->left_out = strdup(err)))
				goto nomem;
			fl->nleft++;
			fl->nbad += h->bad_input;
			if (h->bad_input) {
				char a[512], b[4608];

				tlb_msg("cannot use %s: %s (left out of the fleet report)",
					term_safe(h->path, a, sizeof a), term_safe(err, b, sizeof b));
			}
			continue;
		}
		if (summarize(h, c, o->sweep_factor) < 0) {
			rs_free(c);
			goto nomem;
		}
		rs_free(c);
		fl->nreported++;
	}
	return 0;
nomem:
	tlb_msg("cannot load the fleet: %s", strerror(ENOMEM));
	return EXIT_RUN_FAILED;
}

static int write_all(struct fleet *fl, const struct fleet_options *o)
{
	char plotdir[4200], err[4608], dbpath[4200];
	char *names[64];
	size_t nn = 0;
	int rc = 0;

	snprintf(plotdir, sizeof plotdir, "%s/plots", fl->dir);
	snprintf(dbpath, sizeof dbpath, "%s/%s", fl->dir, fl->dbname);
	if (od_mkdir(plotdir) < 0) {
		tlb_msg("cannot create %s: %s", plotdir, strerror(errno));
		return EXIT_RUN_FAILED;
	}
	if (fleetdb_write(fl, dbpath, err, sizeof err) < 0) {
		tlb_msg("cannot write fleet.db: %s", err);
		rc = EXIT_RUN_FAILED;
	} else if (fleet_plots(fl, plotdir, names, &nn, err, sizeof err) < 0) {
		tlb_msg("cannot write the fleet plot scripts: %s", err);
		rc = EXIT_RUN_FAILED;
	} else if (gp_run_all(plotdir, names, nn, o->jobs, err, sizeof err) < 0) {
		tlb_msg("cannot draw the fleet plots: %s", err);
		rc = EXIT_RUN_FAILED;
	} else if (write_model_doc(fl->dir, err, sizeof err) < 0) {
		tlb_msg("cannot write the model's page: %s", err);
		rc = EXIT_RUN_FAILED;
	} else if (fleet_md(fl, err, sizeof err) < 0) {
		tlb_msg("cannot write summary.md: %s", err);
		rc = EXIT_RUN_FAILED;
	} else if (fleet_html(fl, err, sizeof err) < 0) {
		tlb_msg("cannot write index.html: %s", err);
		rc = EXIT_RUN_FAILED;
	}
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	return rc;
}

int fleet_run(const struct fleet_options *o, char *const *args, size_t nargs)
{
	struct fleet fl = { .sweep_factor = o->sweep_factor };
	struct outdir od = { .made = false };
	char **paths = NULL, err[4608], b[4608];
	size_t n = 0, cap = 0;
	int rc = 0;

	snprintf(fl.dbname, sizeof fl.dbname, "fleet.db");
	for (size_t i = 0; i < nargs; i++) {
		struct stat st;

		if (stat(args[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if ((rc = list_dir(args[i], &paths, &n, &cap)) != 0)
				goto out;
		} else if (push(&paths, &n, &cap, strdup(args[i])) < 0) {
			tlb_msg("cannot list the captures: %s", strerror(ENOMEM));
			rc = EXIT_RUN_FAILED;
			goto out;
		}
	}
	if (n == 0) {
		tlb_msg("%s", "no capture given (a directory gives its *.db files)");
		rc = EXIT_BAD_INPUT;
		goto out;
	}
	if ((rc = load_all(&fl, o, paths, n)) != 0)
		goto out;
	if (fl.nreported == 0) {
		tlb_msg("no capture to report on: each of the %zu was left out (run tlbreplay "
			"--store on them first)", fl.nhosts);
		for (size_t i = 0; i < fl.nhosts; i++)
			tlb_msg("  %s: %s", term_safe(fl.hosts[i].path, b, 512),
				term_safe(fl.hosts[i].left_out, err, sizeof err));
		rc = EXIT_BAD_INPUT;
		goto out;
	}
	if (make_groups(&fl) < 0) {
		tlb_msg("cannot group the hosts: %s", strerror(ENOMEM));
		rc = EXIT_RUN_FAILED;
		goto out;
	}
	rc = od_begin(&od, o->outdir, o->force, err, sizeof err);
	if (rc) {
		tlb_msg("%s", term_safe(err, b, sizeof b));
		goto out;
	}
	snprintf(fl.dir, sizeof fl.dir, "%s", od.tmp);
	snprintf(fl.shown, sizeof fl.shown, "%s", od.target);
	rc = write_all(&fl, o);
	if (gp_interrupted) {
		tlb_msg("interrupted by signal %d: nothing written", (int)gp_interrupted);
		rc = 128 + (int)gp_interrupted;
		goto out;
	}
	if (rc)
		goto out;
	if (od_commit(&od, err, sizeof err) < 0) {
		tlb_msg("%s", term_safe(err, b, sizeof b));
		rc = EXIT_RUN_FAILED;
		goto out;
	}
	if (fleet_stdout(stdout, o->format, &fl) < 0 || fflush(stdout) != 0) {
		tlb_msg("cannot write the summary: %s", strerror(errno));
		rc = EXIT_RUN_FAILED;
		goto out;
	}
	rc = fl.nbad ? EXIT_BAD_INPUT : 0;
out:
	od_abort(&od);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free_fleet(&fl);
	return rc;
}
