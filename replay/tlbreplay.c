/* SPDX-License-Identifier: MIT */
/*
 * tlbreplay - replay a trace DB through the TLB-invalidation policies.
 *
 * What it owns: the command line (policies, machine, threads per core, -j,
 * costs, named options, output format, --store and its bucket width,
 * --timeline) and the order of the work: group the arguments into traces
 * (traceset.c: the parts of a rotated capture are one; several traces run in
 * child processes, jobs.c, each maybe skipped as stored, resume.c), open and
 * check the trace (tracedb),
 * settle each setting's machine and where its T comes from (one setting, or
 * every -m x -t combination: settings.c), start the store's transaction and
 * the timeline if asked, run the engine (one pass, or three with optimal; one
 * engine per setting, fed by one scan: multirun.c), finish the timeline,
 * print (several settings: multiout.c), then commit. Exit codes: 0 done, 1 the
 * run failed (memory, writing results, stdout), 2 bad usage or bad input
 * (nothing is written then).
 *
 * Interface: main() only; the work is in engine.c, store.c, output.c.
 */
#include <getopt.h>
#include <sqlite3.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acc.h"
#include "bucket.h"
#include "engine.h"
#include "filter.h"
#include "jobs.h"
#include "machine.h"
#include "multiout.h"
#include "multirun.h"
#include "options.h"
#include "output.h"
#include "policy.h"
#include "resume.h"
#include "settings.h"
#include "store.h"
#include "timeline.h"
#include "traceset.h"
#include "tracedb.h"
#include "util.h"

#define DEFAULT_POLICIES "old,new,modern,tracked,optimal"

/* long-only options */
enum { OPT_FORMAT = 1000, OPT_SORT, OPT_VM, OPT_VCPU, OPT_FROM, OPT_TO, OPT_TIMELINE };

static void usage(FILE *f)
{
	fprintf(f,
"tlbreplay - replay a trace through the KVM-HV TLB-invalidation policies of POWER\n"
"\n"
"Reads a schema-v1 trace DB once (three times when optimal is chosen) and, for\n"
"every chosen policy, counts full TLB flushes, tlbiel, tlbie broadcasts, modeled\n"
"cycles and stale-TLB exposures, per VM and over all VMs.\n"
"\n"
"POLICIES (what each models) of HPT (hash MMU) guests:\n"
"    old       Linux <= v3.7: per-thread last_vcpu flush on entry, H_LOCAL honoured\n"
"    new       Linux v3.8 (commit 1b400ba0cd): need_tlb_flush mask, global_invalidates,\n"
"              H_BULK_REMOVE unchanged\n"
"    modern    later hash-MMU kernels: as new, H_BULK_REMOVE through global_invalidates\n"
"    tracked   a policy a kernel could run: a per-VM mask of the cores that ran the VM,\n"
"              local when only the invalidating core holds it (was 'oracle', still\n"
"              accepted)\n"
"    optimal   no kernel: the cheapest schedule with no stale exposure for this very\n"
"              trace, per VM by a minimum cut over the whole trace; the floor every\n"
"              safe policy is measured against (reads the trace three times)\n"
"for radix guests (POWER9; not in the default list):\n"
"    radix     Linux v6.1 kvmppc_prepare_radix_vcpu: a vcpu moving to another core\n"
"              makes its previous core flush at its next entry\n"
"The others model hash-MMU (HPT) guests. A trace whose table vm_mmu says a VM's MMU\n"
"gets no rows of the other MMU's policies for that VM (each all row sums the VMs it\n"
"has); without it every policy is replayed on every VM.\n"
"A trace with kernel_flush events (the kernel's own flushes) gets a kernel_flushes\n"
"column and per-vcpu lines beside each policy's full flushes.\n"
"\n"
"USAGE:\n"
"    tlbreplay [OPTIONS] TRACE.db\n"
"    tlbreplay [OPTIONS] PART.1.db PART.2.db ...   the parts of one rotated capture\n"
"    tlbreplay -j N [OPTIONS] TRACE ...            independent traces, N at a time\n"
"\n"
"SEVERAL FILES: consecutive parts of one capture (tlbcollect --rotate: meta capture_id,\n"
"part) given in order are one trace, replayed as the unsplit capture; --store writes\n"
"into the first part. Several traces need -j N: each replays in its own process, its\n"
"output printed in argument order (csv: a leading trace column; json: an array); with\n"
"--store, a trace whose stored runs have the same digest and parameters is skipped, so\n"
"the same command resumes a killed batch. Exit status: the worst of the traces'.\n"
"\n"
"OPTIONS:\n"
"  -P, --policy LIST          policies, in output order (default %s)\n"
"  -m, --machine NAME[,NAME...]  power7 | power8 | power9-hash (default power7);\n"
"                             several: each one replayed (SETTINGS below)\n"
"  -t, --threads-per-core T[,T...]  threads per core, 1..64 (default: meta\n"
"                             threads_per_core of a POWER capture, meta machine\n"
"                             ppc*/powerpc* or absent; else the machine profile's);\n"
"                             several: each one replayed (SETTINGS below)\n"
"  -c, --cost NAME=V          override a cost in cycles (repeatable): tlbiel, tlbie,\n"
"                             tlbsync, ptesync, eieio, lock, flush_refill; or sets\n"
"                             (every machine of -m)\n"
"  -O, --option NAME=0|1      a kernel-reading option (repeatable; below; every\n"
"                             machine of -m)\n"
"      --format FMT           table | csv | json (default table)\n"
"      --sort COLUMN          table rows of each policy by COLUMN, largest first\n"
"                             (a metric name, e.g. cycles), or vm (default)\n"
"  -s, --store                write the results into TRACE.db (replay_* tables)\n"
"  -b, --bucket-ms MS         time bucket of the stored series: MS, or with a unit\n"
"                             (200us, 10ms, 1.5s); default: fits the trace, about\n"
"                             50 buckets (its span / 50 up to a 1-2-5 step, >= 1us)\n"
"      --timeline FILE.json   write each policy's decisions, event by event, as a\n"
"                             Chrome/Perfetto trace (ui.perfetto.dev, chrome://tracing);\n"
"                             one setting only\n"
"  -j, --jobs N               replay the traces given N at a time (1..256), one process\n"
"                             each; with --store, skip those already stored\n"
"  -q, --quiet                no progress lines on stderr\n"
"  -h, --help                 this text\n"
"  -V, --version              print \"tlbreplay VERSION\"\n"
"\n"
"FILTERS (not with --store):\n"
"      --vm ID[,ID...]        replay and count only these VMs. Exact: VMs share no\n"
"                             state, so each row is the one of a full replay\n"
"      --vcpu ID[,ID...]      replay every event of the VMs (their vcpus share the\n"
"                             VM's state) but count only the events of these vcpu\n"
"                             ids: their entries with the flushes and exposures on\n"
"                             them, their hcalls with the sequences they issue;\n"
"                             host_inval and hpt_reset (no vcpu) are not counted\n"
"      --from TIME            count only events at or after TIME and\n"
"      --to TIME              before TIME (trace time: 1500000 = ns, or 1.5ms,\n"
"                             200us, 2s). The whole trace is still replayed, so a\n"
"                             window starts warm, in the state the trace had then\n"
"\n"
"SETTINGS: -m and -t lists replay every machine x T combination, machine-major then\n"
"T in the order given (-m power7,power8 -t 2,4: power7 T 2, power7 T 4, power8 T 2,\n"
"power8 T 4), in one scan of the trace (three with optimal) instead of one per\n"
"setting; each setting's results are those of a separate run with that -m and -t.\n"
"Without -t each machine gets T by the rule of -t above. A repeated item is refused.\n"
"-c, -O, -P and the filters apply to every setting. Output with several settings:\n"
"    table  each setting's table, under a line\n"
"           \"== setting I of N: machine M, threads_per_core T ==\"\n"
"    csv    one header; every row led by the columns machine,threads_per_core\n"
"    json   {\"trace\": ..., \"runs\": [each setting's object, as one setting prints it]}\n"
"--store stores each setting's runs, as separate --store runs would (one transaction);\n"
"--timeline takes one setting.\n"
"\n"
"LIMITS: cpu -1..2147483647, vcpu ids 0..2147483647, vm ids 0..2^63-1; every count\n"
"and cycle figure fits in int64 or the row that would make it wrap is refused.\n"
"Memory follows the VMs, vcpus and cores present, not the values of their ids.\n"
"\n"
"MACHINES (costs in cycles; estimates, no published figures exist):\n",
		DEFAULT_POLICIES);
	fprintf(f, "    %-12s %2s", "name", "T");
	for (int c = 0; c < NCOSTS; c++)
		fprintf(f, " %*s", c == COST_FLUSH_REFILL ? 12 : 7, cost_names[c]);
	fprintf(f, "  vcores\n");
	for (int i = 0; i < machine_nprofiles; i++) {
		const struct machine *m = &machine_profiles[i];

		fprintf(f, "    %-12s %2" PRId64, m->name, m->threads_per_core);
		for (int c = 0; c < NCOSTS; c++)
			fprintf(f, " %*" PRId64, c == COST_FLUSH_REFILL ? 12 : 7, m->cost[c]);
		fprintf(f, "  %s\n", machine_vcore_rule_name(m->vcores));
	}
	fprintf(f, "\nKERNEL-READING OPTIONS (default = the spec's reading):\n");
	for (int i = 0; i < NOPTIONS; i++)
		fprintf(f, "    %-29s %d  [%s] %s\n", replay_option_defs[i].name,
			replay_option_defs[i].dflt ? 1 : 0, replay_option_defs[i].policies,
			replay_option_defs[i].help);
	fprintf(f,
"\n"
"EXAMPLES:\n"
"    tlbreplay trace.db                          # compare the five policies, as a table\n"
"    tlbreplay --format json trace.db            # the same as JSON\n"
"    tlbreplay -P old,new -m power8 trace.db     # two policies on a POWER8 model\n"
"    tlbreplay -m power7,power8 -t 1,2,4,8 trace.db  # 8 settings in one scan\n"
"    tlbreplay --vm 3 --from 2s --to 2.5s trace.db  # VM 3, counted over half a second\n"
"    tlbreplay --sort cycles trace.db            # the costliest VMs first\n"
"    tlbreplay --cost tlbie=400 trace.db         # what if a tlbie costs twice as much\n"
"    tlbreplay -O new-hpt-reset-flush=0 trace.db # v3.8 without the reset flush\n"
"    tlbreplay --store trace.db                  # keep results and a series in trace.db\n"
"    tlbreplay --store -b 10ms trace.db          # ... with 10 ms buckets\n"
"    tlbreplay --timeline t.json --policy modern,optimal trace.db  # where modern loses\n"
"    tlbreplay host.1.db host.2.db host.3.db     # the parts of a rotated capture, as one\n"
"    tlbreplay -j 2 --store caps/*.db            # every capture, two at a time; rerun resumes\n");
}

/* Does meta `machine` name a POWER host (ppc*, powerpc*), or is it absent? */
static bool capture_is_power(const char *machine)
{
	return !machine || strncmp(machine, "ppc", 3) == 0 || strncmp(machine, "powerpc", 7) == 0;
}

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", tlb_prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'tlbreplay --help'.\n");
	return EXIT_BAD_INPUT;
}

/* A bad -m or -t list: "cannot use OPTION 'LIST': WHY" (settings.h says why). */
static int list_usage(const char *option, const char *list, const char *why)
{
	fprintf(stderr, "%s: cannot use %s '%s': %s\nTry 'tlbreplay --help'.\n", tlb_prog,
		option, list, why);
	return EXIT_BAD_INPUT;
}

/* Parse "old,new" into cfg->pol; 0, or -1 with the reason in @why. */
static int parse_policies(struct engine_config *cfg, char *list, char *why, size_t len)
{
	cfg->npol = 0;
	if (!*list || list[strlen(list) - 1] == ',' || strstr(list, ",,") || *list == ',') {
		snprintf(why, len, "'%s' has an empty name", list);
		return -1;
	}
	for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		const struct policy_ops *p = policy_by_name(tok);

		if (p && strcmp(tok, "oracle") == 0)
			tlb_msg("note: policy 'oracle' is now called 'tracked' (the floor is 'optimal')");
		if (!p) {
			size_t n = (size_t)snprintf(why, len, "'%s' is not a policy (", tok);

			for (int i = 0; policy_all[i] && n < len; i++)
				n += (size_t)snprintf(why + n, len - n, "%s%s", i ? ", " : "",
						      policy_all[i]->name);
			if (n < len)
				snprintf(why + n, len - n, ")");
			return -1;
		}
		for (int i = 0; i < cfg->npol; i++)
			if (cfg->pol[i] == p) {
				snprintf(why, len, "'%s' is repeated", tok);
				return -1;
			}
		if (cfg->npol == MAX_POLICIES) {
			snprintf(why, len, "more than %d policies", MAX_POLICIES);
			return -1;
		}
		cfg->pol[cfg->npol++] = p;
	}
	return 0;
}

/* What the command line asks for besides the engine's config (parse_args). */
struct replay_args {
	char **paths;			/* the TRACE arguments (traceset.h groups them) */
	int npaths, jobs;		/* jobs: -j N, 0 when not given */
	const char *timeline_path;
	struct settings set;		/* -m x -t: the settings replayed (T 0: the trace's) */
	int64_t bucket_ns;		/* 0: fit the trace */
	const char *costs[64], *options[64];	/* -c and -O, applied to every machine */
	int ncosts, noptions;
	enum out_format fmt;
	int sort;
	bool store, quiet;
	bool several;			/* more than one trace: jobs.c runs them */
};

/* @cfg's machine, costs and options for profile @prof: -1, or the exit code
 * (message said). Every machine of -m gets the same -c and -O. */
static int machine_config(struct engine_config *cfg, const struct machine *prof,
			  const struct replay_args *a)
{
	struct acc probe;

	cfg->m = *prof;
	for (int i = 0; i < a->ncosts; i++)
		if (machine_set_cost(&cfg->m, a->costs[i]))
			return bad_usage("cannot use --cost '%s': not NAME=V with NAME one of tlbiel, tlbie, "
					 "tlbsync, ptesync, eieio, lock, flush_refill, sets and V a "
					 "non-negative integer", a->costs[i]);
	if (acc_costs(&probe, &cfg->m))
		return bad_usage("%s", "cannot use these costs: one flush or sequence would "
				 "cost more than 2^63-1 cycles");
	replay_options_default(&cfg->opt);
	replay_options_machine(&cfg->opt, prof->name);
	for (int i = 0; i < a->noptions; i++)
		if (replay_option_set(&cfg->opt, a->options[i]))
			return bad_usage("cannot use --option '%s': not NAME=0|1 with a NAME of --help",
					 a->options[i]);
	return -1;
}

/* Fill @cfg (machine, costs, options, policies), @filter and @a from the command line,
 * up to the trace (@cfg zeroed with default options, @filter initialised): -1 to go on,
 * or the exit code (messages said). @filter may hold memory whatever it returns. */
static int parse_args(int argc, char **argv, struct engine_config *cfg,
		      struct replay_filter *filter, struct replay_args *a)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'P' },
		{ "machine", required_argument, NULL, 'm' },
		{ "threads-per-core", required_argument, NULL, 't' },
		{ "cost", required_argument, NULL, 'c' },
		{ "option", required_argument, NULL, 'O' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "vm", required_argument, NULL, OPT_VM },
		{ "vcpu", required_argument, NULL, OPT_VCPU },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "store", no_argument, NULL, 's' },
		{ "bucket-ms", required_argument, NULL, 'b' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "timeline", required_argument, NULL, OPT_TIMELINE },
		{ "jobs", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	char *policies = NULL;
	const char *machine = NULL;
	bool oom;
	char err[768];
	int c;

	memset(a, 0, sizeof(*a));
	settings_init(&a->set);
	a->fmt = OUT_TABLE;
	a->sort = SORT_BY_VM;
	while ((c = getopt_long(argc, argv, "P:m:t:c:O:sb:j:qhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'P':
			policies = optarg;
			break;
		case 'm':
			machine = optarg;
			break;
		case 't':
			if (settings_threads(&a->set, optarg, err, sizeof(err)))
				return list_usage("--threads-per-core", optarg, err);
			break;
		case 'c':
			if (a->ncosts == (int)(sizeof(a->costs) / sizeof(*a->costs)))
				return bad_usage("cannot use --cost '%s': more than 64 --cost options", optarg);
			a->costs[a->ncosts++] = optarg;
			break;
		case 'O':
			if (a->noptions == (int)(sizeof(a->options) / sizeof(*a->options)))
				return bad_usage("cannot use --option '%s': more than 64 --option options", optarg);
			a->options[a->noptions++] = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "table") == 0)
				a->fmt = OUT_TABLE;
			else if (strcmp(optarg, "csv") == 0)
				a->fmt = OUT_CSV;
			else if (strcmp(optarg, "json") == 0)
				a->fmt = OUT_JSON;
			else
				return bad_usage("cannot use --format '%s': not table, csv or json", optarg);
			break;
		case OPT_SORT:
			a->sort = output_sort_key(optarg);
			if (a->sort == -2)
				return bad_usage("cannot use --sort '%s': not vm or a metric name "
						 "(events, guest_entries, ..., cycles, stale_exposures)", optarg);
			break;
		case OPT_VM:
		case OPT_VCPU:
			if (filter_parse_ids(c == OPT_VM ? &filter->vms : &filter->vcpus, optarg, &oom)) {
				filter_free(filter);
				if (oom) {
					tlb_msg("cannot replay: out of memory");
					return EXIT_RUN_FAILED;
				}
				return bad_usage(c == OPT_VM ? "cannot use --vm '%s': not ID[,ID...] of "
						 "non-negative integers" : "cannot use --vcpu '%s': not "
						 "ID[,ID...] of non-negative integers", optarg);
			}
			break;
		case OPT_FROM:
		case OPT_TO:
			if (filter_parse_time(optarg, c == OPT_FROM ? &filter->from : &filter->to)) {
				filter_free(filter);
				return bad_usage(c == OPT_FROM ? "cannot use --from '%s': not a time "
						 "(ns, or with a unit: 1.5s, 200ms, 30us, 10ns)"
						 : "cannot use --to '%s': not a time (ns, or with a unit: "
						 "1.5s, 200ms, 30us, 10ns)", optarg);
			}
			filter->window = true;
			break;
		case 's':
			a->store = true;
			break;
		case 'b':
			if (bucket_parse(optarg, &a->bucket_ns))
				return bad_usage("cannot use --bucket-ms '%s': not a positive number of "
						 "ms, or a time with a unit (200us, 10ms, 1.5s)", optarg);
			break;
		case 'q':
			a->quiet = true;
			break;
		case 'j': {
			int64_t j;

			if (parse_i64(optarg, &j) || j < 1 || j > JOBS_MAX)
				return bad_usage("cannot use --jobs '%s': not an integer 1..256", optarg);
			a->jobs = (int)j;
			break;
		}
		case OPT_TIMELINE:
			a->timeline_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("tlbreplay %s\n", TLB_VERSION);
			return 0;
		default:
			fprintf(stderr, "Try 'tlbreplay --help'.\n");
			return EXIT_BAD_INPUT;
		}
	}
	if (filter->window && filter->from >= filter->to) {
		filter_free(filter);
		return bad_usage("%s", "cannot use --from/--to: the window is empty (--from must be before --to)");
	}
	if (a->store && filter_active(filter)) {
		filter_free(filter);
		return bad_usage("%s", "cannot use --store with --vm, --vcpu, --from or --to: stored "
				 "results are always of the whole trace");
	}
	if (optind >= argc)
		return bad_usage("%s", "cannot replay: no TRACE.db given");
	a->paths = argv + optind;
	a->npaths = argc - optind;

	if (machine && settings_machines(&a->set, machine, err, sizeof(err)))
		return list_usage("--machine", machine, err);
	if (a->timeline_path && settings_count(&a->set) > 1)
		return bad_usage("%s", "cannot use --timeline with several settings (-m or -t lists): "
				 "a timeline is of one machine and T");
	for (int i = 0; i < a->set.nprof; i++) {
		int r = machine_config(cfg, a->set.prof[i], a);

		if (r >= 0)
			return r;
	}
	{
		char dflt[] = DEFAULT_POLICIES;

		if (parse_policies(cfg, policies ? policies : dflt, err, sizeof(err)))
			return bad_usage("cannot use --policy: %s", err);
	}
	return -1;
}

/* Where T comes from for a setting of profile @prof and T @threads (0: not
 * given): the option, the meta of a POWER capture, or the profile. 0, or the
 * exit code (message said). */
static int settle_threads(struct engine_config *cfg, const struct machine *prof, int64_t threads,
			  struct tdb *db, const char *path)
{
	cfg->m.tpc_source = "option";
	if (threads == 0) {
		const char *t = tdb_meta(db, "threads_per_core");

		if (t && (parse_i64(t, &threads) || threads < 1 || threads > 64)) {
			tlb_msg("cannot read trace %s: meta threads_per_core is '%s', not an "
				"integer 1..64", path, t);
			return EXIT_BAD_INPUT;
		}
		cfg->m.tpc_source = "meta";
		/* only a POWER host's layout says anything about POWER SMT */
		if (!t || !capture_is_power(tdb_meta(db, "machine"))) {
			threads = prof->threads_per_core;
			cfg->m.tpc_source = "profile";
		}
	}
	cfg->m.threads_per_core = threads;
	return 0;
}

/* One trace's replay (in this process, or in a child of jobs.c): open its parts,
 * settle each setting's T and the bucket, skip it when -j finds it stored, store,
 * run, print. */
static int replay_trace(const struct trace *t, const struct engine_config *cfg,
			const struct replay_args *a, struct replay_filter *filter)
{
	struct engine_config *cfgs = NULL;	/* one per setting (-m x -t) */
	const char *path = t->paths[0], *timeline_path = a->timeline_path;
	struct trace_open to;
	struct timeline *tl = NULL;
	int64_t bucket_ns = a->bucket_ns;
	bool store = a->store;
	int nset = 0, failed;
	struct tdb *db;
	struct engine **es = NULL;
	struct store **sts = NULL;
	char err[1024], extra[256];
	int rc;

	rc = trace_open(t, store, store && bucket_ns == 0, &to, err, sizeof(err));
	if (rc) {
		tlb_msg("%s", err);
		return rc;
	}
	db = to.dbs[0];
	rc = EXIT_RUN_FAILED;
	trace_params(t, extra, sizeof(extra));
	nset = settings_count(&a->set);
	cfgs = calloc((size_t)nset, sizeof(*cfgs));
	es = calloc((size_t)nset, sizeof(*es));
	sts = calloc((size_t)nset, sizeof(*sts));
	if (!cfgs || !es || !sts) {
		tlb_msg("cannot replay %s: out of memory", path);
		goto out;
	}
	for (int i = 0; i < nset; i++) {
		const struct machine *prof;
		int64_t threads;

		settings_get(&a->set, i, &prof, &threads);
		cfgs[i] = *cfg;
		machine_config(&cfgs[i], prof, a);	/* checked by parse_args */
		/* the parts have one threads_per_core (traceset.h) */
		if (settle_threads(&cfgs[i], prof, threads, db, path)) {
			rc = EXIT_BAD_INPUT;
			goto out;
		}
	}
	/* a span wider than int64 (ts of both signs) gets the widest step */
	if (store && bucket_ns == 0)
		bucket_ns = bucket_fit(!to.has_events ? 0 : to.last_ts >= 0 &&
				       to.first_ts < to.last_ts - INT64_MAX
				       ? INT64_MAX : to.last_ts - to.first_ts);
	for (int i = 0; i < nset; i++) {
		cfgs[i].bucket_ns = store ? bucket_ns : 0;
		cfgs[i].digest = store;
		cfgs[i].progress = !a->quiet && !a->several;
		cfgs[i].filter = filter_active(filter) ? filter : NULL;
	}
	if (store && a->jobs) {
		char why[512];
		int r = resume_stored(to.dbs, to.n, cfgs, nset, extra, why, sizeof(why));

		if (r < 0) {
			tlb_msg("cannot read trace %s: %s", path, why);
			rc = EXIT_BAD_INPUT;
			goto out;
		}
		if (r == 1) {
			tlb_msg("skipped %s: %s", t->name, why);
			rc = 0;
			goto out;
		}
	}

	/* the first store begins the transaction, the others join it (store.h) */
	for (int i = 0; store && i < nset; i++) {
		sts[i] = store_begin(db, &cfgs[i], extra, err, sizeof(err));
		if (!sts[i]) {
			tlb_msg("cannot store results in %s: %s", path, err);
			rc = EXIT_RUN_FAILED;
			goto out;
		}
		cfgs[i].sink = store_sink(sts[i]);
	}
	if (timeline_path) {	/* one setting only (parse_args) */
		tl = timeline_open(timeline_path, &cfgs[0], err, sizeof(err));
		if (!tl) {
			tlb_msg("cannot write the timeline %s: %s", timeline_path, err);
			rc = EXIT_RUN_FAILED;
			goto out;
		}
		cfgs[0].observer = timeline_observer(tl);
	}
	for (int i = 0; i < nset; i++) {
		es[i] = engine_new(&cfgs[i]);
		if (!es[i]) {
			tlb_msg("cannot replay %s: out of memory", path);
			goto out;
		}
	}
	/* one engine, or one per setting fed by the same scan */
	rc = multirun_run(es, nset, to.dbs, to.n, cfgs[0].progress, &failed, err, sizeof(err));
	if (rc && failed >= 0 && nset > 1)
		snprintf(err + strlen(err), sizeof(err) - strlen(err),
			 " (setting machine %s, threads_per_core %" PRId64 ")",
			 cfgs[failed].m.name, cfgs[failed].m.threads_per_core);
	if (rc) {
		char terr[768];

		/* a timeline that failed says why (its file and errno), not the engine */
		if (tl && timeline_close(tl, false, terr, sizeof(terr)))
			tlb_msg("cannot write the timeline %s", terr);
		else
			tlb_msg("cannot replay %s", err);
		tl = NULL;
		goto out;
	}
	if (tl) {
		int r = timeline_close(tl, true, err, sizeof(err));

		tl = NULL;
		if (r) {
			tlb_msg("cannot write the timeline %s", err);
			rc = EXIT_RUN_FAILED;
			goto out;
		}
	}
	/* the joined stores first, the one that commits last */
	for (int i = nset - 1; store && i >= 0; i--) {
		int r = store_finish(sts[i], es[i], err, sizeof(err));

		sts[i] = NULL;
		if (r) {
			tlb_msg("cannot store results in %s: %s", path, err);
			rc = EXIT_RUN_FAILED;
			goto out;
		}
	}
	if (nset == 1 ? output_results(stdout, a->fmt, t->name, &cfgs[0], es[0], db, a->sort)
		      : multiout_results(stdout, a->fmt, t->name, cfgs, es, nset, db, a->sort)) {
		tlb_msg("cannot write the results: stdout failed or out of memory");
		rc = EXIT_RUN_FAILED;
		goto out;
	}
	if (a->fmt != OUT_TABLE)
		output_notes(es[0], db);	/* facts of the trace: the same in every setting */
	rc = 0;
out:
	timeline_close(tl, false, err, sizeof(err));	/* a failed run: no half timeline */
	for (int i = nset - 1; sts && i >= 0; i--)	/* the one that began the transaction last */
		store_abort(sts[i]);
	for (int i = 0; es && i < nset; i++)
		engine_free(es[i]);
	free(sts);
	free(es);
	free(cfgs);
	trace_close(&to);
	return rc;
}

/* What a child of jobs.c runs: the i-th trace. */
struct job_ctx {
	const struct traceset *ts;
	const struct engine_config *cfg;
	const struct replay_args *a;
	struct replay_filter *filter;
};

static int run_job(void *arg, int i)
{
	struct job_ctx *c = arg;

	return replay_trace(&c->ts->t[i], c->cfg, c->a, c->filter);
}

int main(int argc, char **argv)
{
	struct engine_config cfg;
	static struct replay_filter filter;	/* static: reachable at every exit */
	static struct traceset ts;
	struct replay_args a;
	char err[2048];
	int rc;

	tlb_prog = "tlbreplay";
	/* One thread uses each connection: SQLite's per-call connection mutex is
	 * pure cost in the scan (about a fifth of the time per row). */
	sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
	memset(&cfg, 0, sizeof(cfg));
	filter_init(&filter);
	replay_options_default(&cfg.opt);
	rc = parse_args(argc, argv, &cfg, &filter, &a);
	if (rc >= 0)
		return rc;
	rc = traceset_group(a.paths, a.npaths, a.jobs > 0, &ts, err, sizeof(err));
	if (rc) {
		tlb_msg("%s", err);
		filter_free(&filter);
		return rc;
	}
	a.several = ts.n > 1;
	if (a.several && a.timeline_path) {
		tlb_msg("cannot use --timeline with several traces: it writes one file");
		rc = EXIT_BAD_INPUT;
	} else if (!a.several) {
		rc = replay_trace(&ts.t[0], &cfg, &a, &filter);
	} else {
		struct job_ctx c = { &ts, &cfg, &a, &filter };

		rc = jobs_run(&ts, a.jobs, a.fmt, a.quiet, run_job, &c);
	}
	traceset_free(&ts);
	filter_free(&filter);
	return rc;
}
