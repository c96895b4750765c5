// SPDX-License-Identifier: MIT
/*
 * tlbmerge - join a host capture and guest captures into one trace: every
 * guest event gets the host thread its vcpu was running on at that moment.
 *
 * What it owns: the command line, choosing the clock relation of each guest
 * (given, from meta, or estimated), checking a given one, choosing the host
 * VM each guest is, and writing the merged trace in time order.
 *
 * Order: open HOST (placement.h: run intervals per vcpu) -> open each GUEST
 * (its events with a vcpu, as points) -> per guest: relation + check + VM ->
 * tw_create -> meta, vm, vcpu rows -> k-way merge of the host scan and the
 * guest scans (guest ts mapped to host time) -> tw_finish -> summary.
 *
 * The relation: host_ts = a + b * guest_ts, ts being each file's own ns since
 * its start. Sources, in order of preference:
 *   --offset NS [--rate R]      given by the user;
 *   guest meta tb_offset        guest timebase = host timebase + tb_offset (the
 *                               vcore's offset in KVM); needs tb_first and
 *                               timebase_hz in both files (ppc-tb captures);
 *   estimated                   clockfit.h: offset and rate that place the most
 *                               guest events inside their vcpu's run intervals.
 * A given relation is checked against the estimate: if it places clearly fewer
 * events (MERGE_WORSE_BY below the estimate and under MERGE_GOOD), it is wrong:
 * exit 2 and say which offset fits, unless --accept-offset.
 * Guest events outside every run interval of their vcpu keep cpu -1 (counted).
 * Guest events mapped before the host's start shift the whole merged timeline
 * so that ts stays >= 0 (meta merge_shift_ns).
 * The optional table vm_mmu is carried over: the host's rows as they are, a
 * guest's under the host VM it became; two files giving one merged VM
 * different MMUs is exit 2 naming both (mmu_collect).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clockfit.h"
#include "placement.h"
#include "tracedb.h"
#include "tracewriter.h"
#include "util.h"

#define MAX_GUESTS 16
#define MAX_VMS 64
#define MERGE_WORSE_BY 0.05	/* a given relation placing 5 points fewer than the estimate... */
#define MERGE_GOOD 0.95		/* ...and under 95% of the events is wrong */
#define MERGE_VAGUE 0.01	/* equally good offsets over 1% of the guest's span: not determined */
#define MERGE_TS_MAX 4611686018427387904.0	/* 2^62: the times a trace may hold (tracedb.h) */
#define MERGE_TS_MAX_I (INT64_C(1) << 62)

enum fmt { FMT_TABLE, FMT_CSV, FMT_JSON };

struct guest {
	const char *path;
	struct tdb *db;
	struct cf_point *pts;	/* its hcalls with a vcpu (the fit's points), sorted by t */
	size_t npts, cap;
	int64_t events;
	int64_t first_ts;	/* its first event's ts */
	int64_t host_vm;	/* the host VM it is */
	const char *method;	/* option, meta tb_offset, estimated */
	double a, b, coverage, residual_ns;
	struct cf_fit est;	/* the estimate (also when a relation was given) */
	int have_est;
	int64_t placed, unplaced, hc_placed, hc_unplaced;
};

struct opts {
	const char *host, *output;
	int nguests;
	const char *guests[MAX_GUESTS];
	int64_t vms[MAX_GUESTS];
	int nvms;
	bool have_offset, accept, force, quiet;
	double offset, rate;
	enum fmt format;
};

static void usage(FILE *f)
{
	fprintf(f,
"tlbmerge - join a host trace and guest traces: each guest event gets its host thread\n"
"\n"
"USAGE: tlbmerge [OPTIONS] HOST.db GUEST.db... -o OUT.db\n"
"\n"
"HOST.db is a host capture (tlbcollect, or tlbimport of a host trace.dat): it places\n"
"vcpus on host threads with guest_enter/guest_exit (KVM, or a vcpu thread's switch-in)\n"
"or vcore_run (kvm_hv:kvmppc_run_core). Each GUEST.db is a capture made inside a guest\n"
"(tlbcollect --guest, tlbimport --guest). host_ts = a + b * guest_ts.\n"
"\n"
"OPTIONS:\n"
"  -o, --output FILE       the merged trace database (required)\n"
"  -f, --force             replace FILE if it exists                (default: refuse)\n"
"      --offset NS         a: host ns at guest ns 0, for every guest  (default: meta\n"
"                          tb_offset if both files are ppc-tb captures, else estimated)\n"
"      --rate R            b, with --offset                           (default: 1)\n"
"      --accept-offset     write even when the given offset places clearly fewer guest\n"
"                          events than the estimated one              (default: exit 2)\n"
"      --vm ID             the host VM of the next GUEST, repeatable  (default: the VM\n"
"                          whose vcpu intervals place the guest best)\n"
"      --format FMT        summary as table, csv or json            (default: table)\n"
"  -q, --quiet             no progress on stderr\n"
"  -h, --help              this help\n"
"  -V, --version           print the version\n"
"\n"
"EXAMPLES:\n"
"  tlbmerge host.db guest.db -o merged.db              # estimate offset and rate\n"
"  tlbmerge host.db guest.db -o m.db --offset 1500000  # guest started 1.5 ms after host\n"
"  tlbmerge host.db g1.db g2.db --vm 2 --vm 1 -o m.db  # two guests, VMs named\n"
"  tlbmerge host.db guest.db -o m.db --format json     # summary as JSON\n");
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	enum { O_OFFSET = 256, O_RATE, O_ACCEPT, O_VM, O_FMT };
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "offset", required_argument, NULL, O_OFFSET },
		{ "rate", required_argument, NULL, O_RATE },
		{ "accept-offset", no_argument, NULL, O_ACCEPT },
		{ "vm", required_argument, NULL, O_VM },
		{ "format", required_argument, NULL, O_FMT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int c;
	bool have_rate = false;

	*o = (struct opts){ .rate = 1.0, .format = FMT_TABLE };
	while ((c = getopt_long(argc, argv, "o:fqhV", lo, NULL)) != -1) {
		switch (c) {
		case 'o': o->output = optarg; break;
		case 'f': o->force = true; break;
		case 'q': o->quiet = true; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("tlbmerge %s\n", TLB_VERSION); exit(0);
		case O_OFFSET:
			if (parse_double(optarg, &o->offset) || !(fabs(o->offset) <= MERGE_TS_MAX)) {
				tlb_msg("cannot use --offset %s: a number of ns within +-2^62", optarg);
				return -1;
			}
			o->have_offset = true;
			break;
		case O_RATE:
			if (parse_double(optarg, &o->rate) || !(o->rate > 0.5 && o->rate < 2)) {
				tlb_msg("cannot use --rate %s: a ratio between 0.5 and 2", optarg);
				return -1;
			}
			have_rate = true;
			break;
		case O_ACCEPT: o->accept = true; break;
		case O_VM: {
			int64_t v;

			if (parse_i64(optarg, &v) || v < 1 || o->nvms == MAX_GUESTS) {
				tlb_msg("cannot use --vm %s: a vm id of the host trace (>= 1)", optarg);
				return -1;
			}
			o->vms[o->nvms++] = v;
			break;
		}
		case O_FMT:
			if (!strcmp(optarg, "table")) o->format = FMT_TABLE;
			else if (!strcmp(optarg, "csv")) o->format = FMT_CSV;
			else if (!strcmp(optarg, "json")) o->format = FMT_JSON;
			else {
				tlb_msg("cannot use --format %s: table, csv or json", optarg);
				return -1;
			}
			break;
		default:
			return -1;
		}
	}
	if (have_rate && !o->have_offset) {
		tlb_msg("cannot use --rate without --offset");
		return -1;
	}
	if (argc - optind < 2) {
		tlb_msg("cannot run: need HOST.db and at least one GUEST.db (see --help)");
		return -1;
	}
	if (argc - optind - 1 > MAX_GUESTS) {
		tlb_msg("cannot run: more than %d guests", MAX_GUESTS);
		return -1;
	}
	if (!o->output) {
		tlb_msg("cannot run: no output given: -o OUT.db (see --help)");
		return -1;
	}
	o->host = argv[optind];
	for (int i = optind + 1; i < argc; i++)
		o->guests[o->nguests++] = argv[i];
	if (o->nvms > o->nguests) {
		tlb_msg("cannot use %d --vm for %d guests", o->nvms, o->nguests);
		return -1;
	}
	return 0;
}

/* ---- reading ---- */

struct host {
	struct tdb *db;
	struct placement *pl;
	int64_t first, last, events;
	int64_t vms[MAX_VMS];
	int nvms;
};

/*
 * Times a merge maps and shifts: strictly within +-2^62 ns (146 years), so that any
 * difference of two, and a time plus the shift, fits in 64 bits. A capture's clock
 * never reaches them; a row that does is forged.
 */
static bool ts_beyond(const char *path, const struct tdb_event *ev)
{
	if (ev->ts > -MERGE_TS_MAX_I && ev->ts < MERGE_TS_MAX_I)
		return false;
	tlb_msg("cannot merge %s: event rowid %" PRId64 ": ts %" PRId64 " is beyond +-2^62 ns, "
		"which no capture's clock reaches", path, ev->rowid, ev->ts);
	return true;
}

static int read_host(struct host *h, const char *path)
{
	char err[512];
	struct tdb_event ev;
	int rc;

	h->db = tdb_open(path, TDB_READONLY, err, sizeof(err));
	if (!h->db) {
		tlb_msg("cannot open %s", err);
		return EXIT_BAD_INPUT;
	}
	h->pl = pl_new();
	if (!h->pl || tdb_scan_begin(h->db)) {
		tlb_msg("cannot read %s: %s", path, h->pl ? tdb_error(h->db) : strerror(errno));
		return EXIT_RUN_FAILED;
	}
	h->first = INT64_MAX;
	h->last = INT64_MIN;
	while ((rc = tdb_scan_next(h->db, &ev)) == 1) {
		int r = 0;

		if (ts_beyond(path, &ev))
			return EXIT_BAD_INPUT;

		if (!h->events++)
			h->first = ev.ts;
		h->last = ev.ts;
		if (ev.kind == TDB_GUEST_ENTER && ev.vcpu >= 0 && ev.cpu >= 0)
			r = pl_enter(h->pl, ev.vm, ev.vcpu, ev.cpu, ev.ts);
		else if (ev.kind == TDB_GUEST_EXIT && ev.vcpu >= 0)
			r = pl_exit(h->pl, ev.vm, ev.vcpu, ev.ts);
		else if (ev.kind == TDB_OTHER && ev.cpu >= 0) {
			/* vcore_run: runner_vcpu, n_runnable, where (0 enter, 1 exit), tgid */
			const char *name = tdb_kind_name(h->db, ev.kind_id);

			if (name && !strcmp(name, "vcore_run"))
				r = ev.a[2] == 0 ? pl_enter(h->pl, ev.vm, ev.a[0], ev.cpu, ev.ts)
						 : pl_exit(h->pl, ev.vm, ev.a[0], ev.ts);
		}
		if (r) {
			tlb_msg("cannot keep the placement of %s: out of memory", path);
			return EXIT_RUN_FAILED;
		}
	}
	tdb_scan_end(h->db);
	if (rc < 0) {
		tlb_msg("cannot read %s", tdb_error(h->db));
		return EXIT_BAD_INPUT;
	}
	if (!h->events) {
		tlb_msg("cannot merge: %s has no events", path);
		return EXIT_BAD_INPUT;
	}
	if (pl_close_all(h->pl, h->last)) {
		tlb_msg("cannot keep the placement of %s: out of memory", path);
		return EXIT_RUN_FAILED;
	}
	h->nvms = pl_vms(h->pl, h->vms, MAX_VMS);
	return 0;
}

static int read_guest(struct guest *g)
{
	char err[512];
	struct tdb_event ev;
	int rc;

	g->db = tdb_open(g->path, TDB_READONLY, err, sizeof(err));
	if (!g->db) {
		tlb_msg("cannot open %s", err);
		return EXIT_BAD_INPUT;
	}
	if (tdb_scan_begin(g->db)) {
		tlb_msg("cannot read %s", tdb_error(g->db));
		return EXIT_RUN_FAILED;
	}
	while ((rc = tdb_scan_next(g->db, &ev)) == 1) {
		if (ts_beyond(g->path, &ev))
			return EXIT_BAD_INPUT;
		if (!g->events++)
			g->first_ts = ev.ts;
		if (ev.kind != TDB_HCALL || ev.vcpu < 0)
			continue;
		if (g->npts == g->cap) {
			size_t nc = g->cap ? g->cap * 2 : 4096;
			struct cf_point *np = realloc(g->pts, nc * sizeof(*np));

			if (!np) {
				tlb_msg("cannot keep the hcalls of %s: out of memory", g->path);
				return EXIT_RUN_FAILED;
			}
			g->pts = np;
			g->cap = nc;
		}
		g->pts[g->npts++] = (struct cf_point){ ev.ts, ev.vcpu };
	}
	tdb_scan_end(g->db);
	if (rc < 0) {
		tlb_msg("cannot read %s", tdb_error(g->db));
		return EXIT_BAD_INPUT;
	}
	if (!g->npts) {
		tlb_msg("cannot merge %s: it has no hcall with a vcpu (is it a guest capture?)", g->path);
		return EXIT_BAD_INPUT;
	}
	return 0;
}

/* Relation from meta tb_offset: both files count the timebase (ppc-tb). */
static int from_tb_offset(struct host *h, struct guest *g, double *a)
{
	const char *off = tdb_meta(g->db, "tb_offset");
	const char *gtb = tdb_meta(g->db, "tb_first"), *htb = tdb_meta(h->db, "tb_first");
	const char *hz = tdb_meta(g->db, "timebase_hz");
	int64_t o, gf, hf;
	double f;

	int64_t d;

	if (!off || !gtb || !htb || !hz)
		return -1;
	if (parse_i64(off, &o) || parse_i64(gtb, &gf) || parse_i64(htb, &hf) ||
	    parse_double(hz, &f) || !isfinite(f) || f < 1 ||
	    __builtin_sub_overflow(gf, o, &d) || __builtin_sub_overflow(d, hf, &d)) {
		tlb_msg("cannot use meta tb_offset of %s: tb_offset '%s', tb_first '%s' (host '%s') and "
			"timebase_hz '%s' are not integers whose difference fits in 64 bits and a rate",
			g->path, off, gtb, htb, hz);
		return -2;
	}
	/* guest tb = host tb + tb_offset: host_ns = (gf + g_ns*f/1e9 - o - hf) * 1e9/f */
	*a = (double)d * 1e9 / f;
	if (!(fabs(*a) <= MERGE_TS_MAX)) {
		tlb_msg("cannot use meta tb_offset of %s: it puts the guest %.0f ns from the host, "
			"beyond +-2^62", g->path, *a);
		return -2;
	}
	return 0;
}

static int relate(struct opts *o, struct host *h, struct guest *g, int idx, const int64_t *taken, int ntaken)
{
	double a_given = 0, b_given = 1;
	const char *given = NULL;

	if (o->have_offset) {
		a_given = o->offset;
		b_given = o->rate;
		given = "option";
	} else {
		int r = from_tb_offset(h, g, &a_given);

		if (r == -2)
			return EXIT_BAD_INPUT;
		if (r == 0)
			given = "meta tb_offset";
	}
	/* Candidate VMs: the one named, else every host VM not yet taken. */
	int64_t cand[MAX_VMS];
	int nc = 0;

	if (idx < o->nvms) {
		cand[nc++] = o->vms[idx];
	} else {
		for (int i = 0; i < h->nvms; i++) {
			bool t = false;

			for (int j = 0; j < ntaken; j++)
				t |= taken[j] == h->vms[i];
			if (!t)
				cand[nc++] = h->vms[i];
		}
	}
	if (!nc) {
		tlb_msg("cannot merge %s: %s places no vcpu on a host thread (no guest_enter, "
			"vcore_run, or vcpu thread switches)%s", g->path, o->host,
			h->nvms ? "; every host VM is already taken by another guest" : "");
		return EXIT_BAD_INPUT;
	}
	double best = -1;

	for (int i = 0; i < nc; i++) {
		struct cf_fit f = { 0 };
		int ok = cf_estimate(h->pl, cand[i], g->pts, g->npts, h->first, h->last, &f) == 0;
		double cov = given ? cf_coverage(h->pl, cand[i], g->pts, g->npts, a_given, b_given)
				   : (ok ? f.coverage : 0);

		if (cov > best || (cov == best && ok && f.coverage > g->est.coverage)) {
			best = cov;
			g->host_vm = cand[i];
			g->est = f;
			g->have_est = ok;
		}
	}
	if (given) {
		g->method = given;
		g->a = a_given;
		g->b = b_given;
		g->coverage = best;
		g->residual_ns = 0;
		if (g->have_est && g->coverage < g->est.coverage - MERGE_WORSE_BY && g->coverage < MERGE_GOOD) {
			fprintf(stderr, "%s: the offset looks wrong for %s: %.1f ns (%s) places %.1f%% of "
				"its hcalls while their vcpu ran; %.1f ns (rate %.9f) places %.1f%%\n",
				tlb_prog, g->path, a_given, given, 100 * g->coverage, g->est.a, g->est.b,
				100 * g->est.coverage);
			if (!o->accept) {
				tlb_msg("cannot merge with a wrong offset (use the estimate: drop --offset, "
					"or --offset %.0f; or --accept-offset)", g->est.a);
				return EXIT_BAD_INPUT;
			}
		}
	} else {
		if (!g->have_est) {
			tlb_msg("cannot estimate the clock offset of %s: nothing to align", g->path);
			return EXIT_BAD_INPUT;
		}
		if (g->est.plateau_ns > MERGE_VAGUE * g->est.span_ns)
			fprintf(stderr, "%s: the clock offset of %s is not determined: offsets over %.0f ns "
				"place its events equally well (does the host capture have guest exits?); "
				"placement is then only where each vcpu last entered\n", tlb_prog, g->path,
				g->est.plateau_ns);
		g->method = "estimated";
		g->a = g->est.a;
		g->b = g->est.b;
		g->coverage = g->est.coverage;
		g->residual_ns = g->est.residual_ns;
	}
	return 0;
}

/* ---- writing ---- */

/* Output kind id of a file's kind, through a small cache. */
struct kind_map {
	int64_t in[64], out[64];
	int n;
};

static int64_t out_kind(struct tw *w, struct tdb *db, struct kind_map *km, const struct tdb_event *ev)
{
	if (ev->kind != TDB_OTHER)
		return tw_kind_id(w, ev->kind);
	for (int i = 0; i < km->n; i++)
		if (km->in[i] == ev->kind_id)
			return km->out[i];
	/* A kind of a producer's own: copy its name and argument names. */
	sqlite3_stmt *st;
	int64_t id = -1;

	if (sqlite3_prepare_v2(tdb_sqlite(db), "SELECT name, a0, a1, a2, a3 FROM event_kind WHERE id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, ev->kind_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = tw_kind(w, (const char *)sqlite3_column_text(st, 0),
			     (const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2),
			     (const char *)sqlite3_column_text(st, 3), (const char *)sqlite3_column_text(st, 4));
	sqlite3_finalize(st);
	if (id >= 0 && km->n < 64) {
		km->in[km->n] = ev->kind_id;
		km->out[km->n++] = id;
	}
	return id;
}

static int nargs_of(const struct tdb_event *ev)
{
	int n = 4;

	while (n > 0 && (ev->nulls & (TDB_NULL_A0 << (n - 1))))
		n--;
	return n;
}

/* Column @c of the row: an integer, or (when @nullable) NULL read as -1; else -1 returned. */
static int int_col(sqlite3_stmt *st, int c, bool nullable, int64_t *out)
{
	int type = sqlite3_column_type(st, c);

	if (type == SQLITE_NULL && nullable) {
		*out = -1;
		return 0;
	}
	if (type != SQLITE_INTEGER)
		return -1;
	*out = sqlite3_column_int64(st, c);
	return 0;
}

/* vm rows (id, name, pid, lpid) or vcpu rows (vm, id, tid, name), type-checked. */
static int copy_rows(struct tw *w, struct tdb *db, const char *table, int64_t vm_override,
		     char *err, size_t errlen)
{
	bool is_vm = strcmp(table, "vm") == 0;
	const char *sql = is_vm ? "SELECT rowid, id, name, pid, lpid FROM vm"
				: "SELECT rowid, vm, id, tid, name FROM vcpu";
	sqlite3_stmt *st;
	int rc = 0, step;

	if (sqlite3_prepare_v2(tdb_sqlite(db), sql, -1, &st, NULL) != SQLITE_OK)
		return 0;	/* a file without the table (vcpu is optional): nothing to copy */
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t c1, c2, c3;
		const char *name;

		c2 = -1;
		if (int_col(st, 1, false, &c1) || (!is_vm && int_col(st, 2, false, &c2)) ||
		    int_col(st, 3, true, &c3)) {
			snprintf(err, errlen, "%s: %s rowid %lld: %s", tdb_path(db), table,
				 (long long)sqlite3_column_int64(st, 0),
				 is_vm ? "id is not an integer, or pid not an integer or NULL"
				       : "vm or id is not an integer, or tid not an integer or NULL");
			sqlite3_finalize(st);
			return EXIT_BAD_INPUT;
		}
		if (is_vm) {
			int64_t lp;

			if (int_col(st, 4, true, &lp)) {
				snprintf(err, errlen, "%s: vm rowid %lld: lpid is not an integer or NULL",
					 tdb_path(db), (long long)sqlite3_column_int64(st, 0));
				sqlite3_finalize(st);
				return EXIT_BAD_INPUT;
			}
			name = (const char *)sqlite3_column_text(st, 2);
			rc = tw_vm(w, c1, name, c3, lp);
		} else {
			name = (const char *)sqlite3_column_text(st, 4);
			rc = tw_vcpu(w, vm_override ? vm_override : c1, c2, c3, name);
		}
		if (rc) {
			snprintf(err, errlen, "%s", tw_error(w));
			sqlite3_finalize(st);
			return EXIT_RUN_FAILED;
		}
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) {
		snprintf(err, errlen, "%s: cannot read table %s: %s", tdb_path(db), table,
			 sqlite3_errmsg(tdb_sqlite(db)));
		return EXIT_BAD_INPUT;
	}
	return 0;
}

static int copy_meta(struct tw *w, struct tdb *db, const char *prefix)
{
	static const char *const skip[] = { "schema_version", "source", "event_order", "event_count",
					    "tool_version" };
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(tdb_sqlite(db), "SELECT key, value FROM meta ORDER BY key", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		const char *v = (const char *)sqlite3_column_text(st, 1);
		bool s;
		char key[160];

		if (!k)
			continue;	/* a NULL key names nothing (SQLite allows it in a foreign file) */
		s = !strncmp(k, "events_", 7);

		for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
			s |= !strcmp(k, skip[i]);
		if (s && !*prefix)
			continue;
		snprintf(key, sizeof(key), "%s%s", prefix, k);
		rc = tw_meta(w, key, v ? v : "");
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- vm_mmu ---- */

struct mmu_row {
	int64_t vm;		/* in the merged file */
	const char *mmu;	/* "hash" or "radix" (static) */
	const char *path;	/* the file that says so */
	int64_t file_vm;	/* its vm id in that file */
};

/* Append @db's vm_mmu rows (tdb_open checked them), under @as_vm when > 0; exit 2 when a
 * row contradicts one already there for the same merged VM. */
static int mmu_add(struct mmu_row **rows, size_t *n, struct tdb *db, int64_t as_vm)
{
	sqlite3_stmt *st;
	int step;

	if (sqlite3_prepare_v2(tdb_sqlite(db), "SELECT vm FROM vm_mmu ORDER BY vm", -1, &st,
			       NULL) != SQLITE_OK)
		return 0;	/* optional: a file without the table says nothing */
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t fvm = sqlite3_column_int64(st, 0), vm = as_vm > 0 ? as_vm : fvm;
		enum tdb_mmu m = tdb_vm_mmu(db, fvm);
		const char *mmu = tdb_mmu_names[m];
		struct mmu_row *r;
		size_t i;

		if (m == TDB_MMU_UNKNOWN)
			continue;
		for (i = 0; i < *n && (*rows)[i].vm != vm; i++)
			;
		if (i < *n) {
			const struct mmu_row *o = &(*rows)[i];

			if (strcmp(o->mmu, mmu) != 0) {
				tlb_msg("cannot merge: merged vm %" PRId64 " would have two MMUs: %s says "
					"%s (its vm %" PRId64 "), %s says %s (its vm %" PRId64 ")", vm,
					o->path, o->mmu, o->file_vm, tdb_path(db), mmu, fvm);
				sqlite3_finalize(st);
				return EXIT_BAD_INPUT;
			}
			continue;
		}
		r = realloc(*rows, (*n + 1) * sizeof(*r));
		if (!r) {
			tlb_msg("cannot keep the vm_mmu rows: out of memory");
			sqlite3_finalize(st);
			return EXIT_RUN_FAILED;
		}
		*rows = r;
		r[(*n)++] = (struct mmu_row){ vm, mmu, tdb_path(db), fvm };
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) {
		tlb_msg("cannot read table vm_mmu of %s: %s", tdb_path(db), sqlite3_errmsg(tdb_sqlite(db)));
		return EXIT_BAD_INPUT;
	}
	return 0;
}

/* The merged file's vm_mmu rows, checked before anything is written. */
static int mmu_collect(struct host *h, struct guest *gs, int ng, struct mmu_row **rows, size_t *n)
{
	int rc = mmu_add(rows, n, h->db, 0);

	for (int i = 0; !rc && i < ng; i++)
		rc = mmu_add(rows, n, gs[i].db, gs[i].host_vm);
	return rc;
}

static int mmu_write(struct tw *w, const struct mmu_row *rows, size_t n)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (!n)
		return 0;
	if (sqlite3_prepare_v2(tw_sqlite(w), "INSERT INTO vm_mmu(vm, mmu) VALUES (?, ?)", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	for (size_t i = 0; i < n && !rc; i++) {
		sqlite3_bind_int64(st, 1, rows[i].vm);
		sqlite3_bind_text(st, 2, rows[i].mmu, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Host time of guest time @ts, or -1 when it falls beyond +-2^62 (no relation can mean that). */
static int map_ts(const struct guest *g, int64_t ts, int64_t *out)
{
	double x = g->a + g->b * (double)ts;

	if (!(fabs(x) <= MERGE_TS_MAX))
		return -1;
	*out = (int64_t)llround(x);
	return 0;
}

struct stream {
	struct tdb *db;
	struct guest *g;	/* NULL for the host */
	struct tdb_event ev;
	int64_t ts;		/* the event's time in the merged file */
	int live;
	struct kind_map km;
};

static int advance(struct stream *s, int64_t shift, char *err, size_t errlen)
{
	int rc = tdb_scan_next(s->db, &s->ev);

	if (rc < 0) {
		snprintf(err, errlen, "%s", tdb_error(s->db));
		return -1;
	}
	s->live = rc == 1;
	if (s->live) {
		int64_t t = s->ev.ts;

		if ((s->g && map_ts(s->g, s->ev.ts, &t)) || t > MERGE_TS_MAX_I - shift) {
			snprintf(err, errlen, "%s: event rowid %lld: ts %lld is %.0f ns in the merged "
				 "time (offset %.1f ns, rate %.12f, shift %lld ns), beyond 2^62",
				 tdb_path(s->db), (long long)s->ev.rowid, (long long)s->ev.ts,
				 s->g ? s->g->a + s->g->b * (double)s->ev.ts + (double)shift
				      : (double)t + (double)shift,
				 s->g ? s->g->a : 0.0, s->g ? s->g->b : 1.0, (long long)shift);
			return -1;
		}
		s->ts = t + shift;
	}
	return 0;
}

static int write_merged(struct opts *o, struct host *h, struct guest *gs, int ng, int64_t shift,
			const struct mmu_row *mmus, size_t nmmus, struct progress *pr, char *err,
			size_t errlen)
{
	struct stream st[MAX_GUESTS + 1];
	int ns = 0;
	char key[96];
	struct tw *w = tw_create(o->output, "merged", o->force ? TW_FORCE : 0, err, errlen);

	if (!w)
		return EXIT_RUN_FAILED;
	memset(st, 0, sizeof(st));
	int crc;

	if (copy_meta(w, h->db, ""))
		goto write_failed;
	if ((crc = copy_rows(w, h->db, "vm", 0, err, errlen)) ||
	    (crc = copy_rows(w, h->db, "vcpu", 0, err, errlen))) {
		tw_abort(w);
		return crc;
	}
	if (mmu_write(w, mmus, nmmus)) {
		snprintf(err, errlen, "%s: cannot write vm_mmu: %s", o->output,
			 sqlite3_errmsg(tw_sqlite(w)));
		tw_abort(w);
		return EXIT_RUN_FAILED;
	}
	for (int i = 0; i < ng; i++) {
		snprintf(key, sizeof(key), "guest%d.", i + 1);
		if (copy_meta(w, gs[i].db, key))
			goto write_failed;
		if ((crc = copy_rows(w, gs[i].db, "vcpu", gs[i].host_vm, err, errlen))) {
			tw_abort(w);
			return crc;
		}
	}
	st[ns++] = (struct stream){ .db = h->db };
	for (int i = 0; i < ng; i++)
		st[ns++] = (struct stream){ .db = gs[i].db, .g = &gs[i] };
	for (int i = 0; i < ns; i++) {
		if (tdb_scan_begin(st[i].db) || advance(&st[i], shift, err, errlen)) {
			if (!*err)
				snprintf(err, errlen, "%s", tdb_error(st[i].db));
			tw_abort(w);
			return EXIT_BAD_INPUT;
		}
	}
	int64_t done = 0;

	for (;;) {
		int k = -1;

		for (int i = 0; i < ns; i++)	/* host first on ties: it placed the guest */
			if (st[i].live && (k < 0 || st[i].ts < st[k].ts))
				k = i;
		if (k < 0)
			break;
		struct stream *s = &st[k];
		struct tdb_event *ev = &s->ev;
		int64_t cpu = ev->cpu, vm = ev->vm;

		if (s->g) {
			vm = s->g->host_vm;
			if (ev->vcpu >= 0 && cpu < 0) {
				cpu = pl_cpu_at(pl_track(h->pl, vm, ev->vcpu), s->ts - shift);
				bool hc = ev->kind == TDB_HCALL;

				if (cpu >= 0) {
					s->g->placed++;
					s->g->hc_placed += hc;
				} else {
					s->g->unplaced++;
					s->g->hc_unplaced += hc;
				}
			}
		}
		int64_t kid = out_kind(w, s->db, &s->km, ev);

		if (kid < 0 || tw_event(w, s->ts, cpu, vm, (ev->nulls & TDB_NULL_VCPU) ? -1 : ev->vcpu, kid,
					ev->a, nargs_of(ev)))
			goto write_failed;
		if ((++done & 0xffff) == 0)
			progress_tick(pr, done);
		if (advance(s, shift, err, errlen)) {
			tw_abort(w);
			return EXIT_BAD_INPUT;
		}
	}
	progress_done(pr, done);
	for (int i = 0; i < ns; i++)
		tdb_scan_end(st[i].db);
	int rc = 0;

	rc |= tw_meta(w, "merge_host", o->host);
	rc |= tw_meta_int(w, "merge_guests", ng);
	rc |= tw_meta_int(w, "merge_shift_ns", shift);
	rc |= tw_meta(w, "merge_relation", "host_ts = offset_ns + rate * guest_ts (each file's own ns)");
	for (int i = 0; i < ng && !rc; i++) {
		struct guest *g = &gs[i];
		char v[64];
#define GMETA(name, ...) do { snprintf(key, sizeof(key), "merge_guest%d_%s", i + 1, name); \
		snprintf(v, sizeof(v), __VA_ARGS__); rc |= tw_meta(w, key, v); } while (0)
		rc |= (snprintf(key, sizeof(key), "merge_guest%d_file", i + 1), tw_meta(w, key, g->path));
		GMETA("method", "%s", g->method);
		GMETA("host_vm", "%" PRId64, g->host_vm);
		GMETA("offset_ns", "%.1f", g->a);
		GMETA("rate", "%.12f", g->b);
		GMETA("residual_ns", "%.1f", g->residual_ns);
		GMETA("coverage", "%.6f", g->coverage);
		GMETA("placed", "%" PRId64, g->placed);
		GMETA("unplaced", "%" PRId64, g->unplaced);
		GMETA("hcalls_placed", "%" PRId64, g->hc_placed);
		GMETA("hcalls_unplaced", "%" PRId64, g->hc_unplaced);
		if (g->have_est) {
			GMETA("estimate_offset_ns", "%.1f", g->est.a);
			GMETA("estimate_rate", "%.12f", g->est.b);
			GMETA("estimate_coverage", "%.6f", g->est.coverage);
			GMETA("estimate_residual_ns", "%.1f", g->est.residual_ns);
			GMETA("estimate_windows", "%d", g->est.windows);
			GMETA("estimate_plateau_ns", "%.1f", g->est.plateau_ns);
			GMETA("estimate_determined", "%d", g->est.plateau_ns <= MERGE_VAGUE * g->est.span_ns);
		}
#undef GMETA
	}
	int64_t unplaced = 0;

	for (int i = 0; i < ng; i++)
		unplaced += gs[i].unplaced;
	rc |= tw_meta_int(w, "guest_events_unplaced", unplaced);
	if (rc)
		goto write_failed;
	if (tw_finish(w))
		return EXIT_RUN_FAILED;
	return 0;
write_failed:
	snprintf(err, errlen, "%s: %s", o->output, tw_error(w));
	tw_abort(w);
	return EXIT_RUN_FAILED;
}

static void summary(FILE *f, enum fmt fmt, const struct opts *o, const struct host *h,
		    const struct guest *gs, int ng)
{
	if (fmt == FMT_JSON) {
		fprintf(f, "{\"host\": \"%s\", \"host_events\": %" PRId64 ", \"output\": \"%s\", \"guests\": [",
			o->host, h->events, o->output);
		for (int i = 0; i < ng; i++) {
			const struct guest *g = &gs[i];

			fprintf(f, "%s{\"file\": \"%s\", \"events\": %" PRId64 ", \"host_vm\": %" PRId64
				", \"method\": \"%s\", \"offset_ns\": %.1f, \"rate\": %.12f, \"residual_ns\": %.1f"
				", \"coverage\": %.6f, \"placed\": %" PRId64 ", \"unplaced\": %" PRId64
				", \"hcalls_placed\": %" PRId64 ", \"hcalls_unplaced\": %" PRId64,
				i ? ", " : "", g->path, g->events, g->host_vm, g->method, g->a, g->b,
				g->residual_ns, g->coverage, g->placed, g->unplaced, g->hc_placed, g->hc_unplaced);
			if (g->have_est)
				fprintf(f, ", \"estimate\": {\"offset_ns\": %.1f, \"rate\": %.12f, \"coverage\": %.6f"
					", \"residual_ns\": %.1f}", g->est.a, g->est.b, g->est.coverage,
					g->est.residual_ns);
			fputc('}', f);
		}
		fprintf(f, "]}\n");
		return;
	}
	if (fmt == FMT_CSV) {
		fprintf(f, "guest,events,host_vm,method,offset_ns,rate,residual_ns,coverage,placed,unplaced\n");
		for (int i = 0; i < ng; i++) {
			const struct guest *g = &gs[i];

			fprintf(f, "%s,%" PRId64 ",%" PRId64 ",%s,%.1f,%.12f,%.1f,%.6f,%" PRId64 ",%" PRId64 "\n",
				g->path, g->events, g->host_vm, g->method, g->a, g->b, g->residual_ns,
				g->coverage, g->placed, g->unplaced);
		}
		return;
	}
	fprintf(f, "%s (%" PRId64 " events) + %d guest%s -> %s\n", o->host, h->events, ng,
		ng == 1 ? "" : "s", o->output);
	for (int i = 0; i < ng; i++) {
		const struct guest *g = &gs[i];

		fprintf(f, "  %s: %" PRId64 " events as host vm %" PRId64 "\n", g->path, g->events, g->host_vm);
		fprintf(f, "    %-22s %s\n", "relation", g->method);
		fprintf(f, "    %-22s %.1f\n", "offset (ns)", g->a);
		fprintf(f, "    %-22s %.12f\n", "rate", g->b);
		fprintf(f, "    %-22s %.1f\n", "residual (ns)", g->residual_ns);
		fprintf(f, "    %-22s %.2f%%\n", "hcalls placed", 100 * g->coverage);
		fprintf(f, "    %-22s %" PRId64 " placed, %" PRId64 " unplaced (cpu -1)\n", "events with a vcpu",
			g->placed, g->unplaced);
	}
}

int main(int argc, char **argv)
{
	struct opts o;
	struct host h = { 0 };
	struct guest gs[MAX_GUESTS];
	int ret;
	char err[512] = "";
	struct mmu_row *mmus = NULL;
	size_t nmmus = 0;

	tlb_prog = "tlbmerge";
	memset(gs, 0, sizeof(gs));
	if (parse_opts(argc, argv, &o))
		return EXIT_BAD_INPUT;
	ret = read_host(&h, o.host);
	for (int i = 0; !ret && i < o.nguests; i++) {
		gs[i].path = o.guests[i];
		ret = read_guest(&gs[i]);
	}
	int64_t taken[MAX_GUESTS];

	for (int i = 0; !ret && i < o.nguests; i++) {
		ret = relate(&o, &h, &gs[i], i, taken, i);
		taken[i] = gs[i].host_vm;
	}
	if (!ret) {
		/* Guest events mapped before the host's start move everything later. */
		int64_t shift = 0;

		for (int i = 0; i < o.nguests && !ret; i++) {
			int64_t first;

			if (map_ts(&gs[i], gs[i].first_ts, &first)) {
				tlb_msg("cannot merge %s: its first event (ts %" PRId64 ") falls %.0f ns from the "
					"host's start (offset %.1f ns, rate %.12f): beyond +-2^62", gs[i].path,
					gs[i].first_ts, gs[i].a + gs[i].b * (double)gs[i].first_ts, gs[i].a,
					gs[i].b);
				ret = EXIT_BAD_INPUT;
			} else if (-first > shift) {
				shift = -first;
			}
		}
		if (ret)
			goto out;
		ret = mmu_collect(&h, gs, o.nguests, &mmus, &nmmus);
		if (ret)
			goto out;
		struct progress pr;

		progress_init(&pr, "merging", -1, !o.quiet);
		ret = write_merged(&o, &h, gs, o.nguests, shift, mmus, nmmus, &pr, err, sizeof(err));
		if (ret && *err)
			tlb_msg("cannot write the merged trace: %s", err);
		if (!ret)
			summary(stdout, o.format, &o, &h, gs, o.nguests);
	}
out:
	free(mmus);
	for (int i = 0; i < o.nguests; i++) {
		free(gs[i].pts);
		tdb_close(gs[i].db);
	}
	pl_free(h.pl);
	tdb_close(h.db);
	return ret;
}
