/* SPDX-License-Identifier: MIT */
/*
 * tlbgen - write a trace database (schema v1) without a POWER host: one of
 * the four problem scenarios of commit 1b400ba0cd (scenario.c), or a seeded
 * parametric workload (workload.c).
 *
 * What it owns: the command line (options, defaults, help, exit codes) and
 * the life of the output file, which goes through common/tracewriter: built
 * under a temporary name and renamed into place at the end, so a failed or
 * interrupted run (SIGINT, SIGTERM, SIGHUP; a file size limit: SIGXFSZ is
 * ignored so that the write fails instead) leaves no file at all.
 *
 * Same arguments, same bytes: no wall-clock time, host name or pid enters
 * the file (start_time only with --start-time), and every random choice
 * comes from the seeded PRNG of prng.c.
 *
 * Exit: 0 written; 1 could not write (or interrupted); 2 bad usage.
 */
#include "hcall.h"
#include "scenario.h"
#include "tracewriter.h"
#include "util.h"
#include "workload.h"

#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *f)
{
	struct workload d;
	char mix[512];
	size_t at = 0;

	workload_defaults(&d);
	/* the default mix, printed from the defaults themselves */
	for (int i = 0; i < d.nmix && at < sizeof(mix); i++) {
		int n = snprintf(mix + at, sizeof(mix) - at, "%s%s=%.0f", i ? "," : "",
				 hcall_name((uint64_t)d.mix_opcode[i]), d.mix_weight[i]);
		if (n > 0)
			at += (size_t)n;
	}
	fprintf(f,
"tlbgen - write a trace database (schema v1) of a generated KVM-HV workload.\n"
"\n"
"Either one of the four problem scenarios of commit 1b400ba0cd (small enough to\n"
"replay by hand), or a parametric workload: VMs whose vcpus run on host cores,\n"
"make hcalls, migrate, while the host pages guest memory and resets HPTs.\n"
"Same arguments and seed, same bytes. The file appears only when complete.\n"
"\n"
"USAGE:\n"
"    tlbgen --scenario NAME -o OUT.db [-f]\n"
"    tlbgen -o OUT.db [WORKLOAD OPTIONS] [-f]\n"
"    tlbgen -l [--format FMT]\n"
"\n"
"OPTIONS:\n"
"  -o, --output FILE         trace database to write (required)\n"
"  -f, --force               replace FILE if it exists (default: refuse)\n"
"      --scenario NAME       write a named problem scenario (see --list)\n"
"  -l, --list                list the scenarios, one line each\n"
"      --format FMT          of --list: table | csv | json (default table)\n"
"      --start-time ISO      meta start_time (e.g. 2026-01-01T00:00:00Z, or 'now';\n"
"                            default: none, so the file does not depend on the clock)\n"
"  -q, --quiet               no progress on stderr for long runs\n"
"  -h, --help                this help\n"
"  -V, --version             print the version\n"
"\n"
"WORKLOAD OPTIONS (rates are per second of trace time):\n"
"      --vms N               VMs (default %" PRId64 ")\n"
"      --vcpus N             vcpus per VM; vcpu i is in vcore i/T (default %" PRId64 ")\n"
"      --cores N             host cores (default %" PRId64 ")\n"
"      --threads N           host threads per core, T (default %" PRId64 ")\n"
"      --events N            events to write, exactly, at least 1 (default %" PRId64 ")\n"
"      --duration-ms N       or: trace length in ms (instead of --events)\n"
"      --seed N              PRNG seed (default %" PRIu64 ")\n"
"      --hcall-rate R        hcalls per vcpu in the guest (default %g)\n"
"      --exit-rate R         guest exits per vcpu (default %g)\n"
"      --mix LIST            hcall weights NAME=W,... (names or numbers; default\n"
"                            %s)\n"
"      --hlocal-fraction F   share of H_REMOVE/H_PROTECT passing H_LOCAL (default %g)\n"
"      --remove-found F      share of H_REMOVE finding a valid HPTE (default %.4f)\n"
"      --protect-found F     share of H_PROTECT finding a valid HPTE (default %.4f)\n"
"      --migration-rate R    moves of a vcore to another core, per vcore (default %g)\n"
"      --host-inval-rate R   host invalidations (paging, aging) per VM (default %g)\n"
"      --hpt-resets N        HPT resets per VM, spread over the trace (default %" PRId64 ")\n"
"      --hcall-cpu MODE      cpu of hcall rows: thread, where the vcpu runs (as a host\n"
"                            capture), or unknown, -1 (as a guest-only capture)\n"
"                            (default thread)\n"
"\n"
"Default rates and mix come from a real 2-vcpu pseries guest (Linux 6.1, hash MMU):\n"
"4532 hcalls/s per vcpu, H_LOCAL never set, 41%% of H_PROTECT not found.\n"
"\n"
"EXAMPLES:\n"
"    tlbgen --list                                   # the four problem scenarios\n"
"    tlbgen --list --format json                     # the same, as JSON\n"
"    tlbgen --scenario hlocal-paging -o hl.db        # old's stale entries, by hand\n"
"    tlbgen -o w.db --events 1000000 --seed 7        # a 1M-event default workload\n"
"    tlbgen -o big.db --events 10000000 --seed 1     # the replay benchmark's input\n"
"    tlbgen -o p.db --duration-ms 500 --vms 4 --vcpus 8 --hlocal-fraction 0.5 \\\n"
"           --host-inval-rate 2000                   # SMP guests using H_LOCAL while paging\n"
"    tlbgen -o m.db --mix H_ENTER=1,H_BULK_REMOVE=3 --hpt-resets 2  # bulk-heavy, 2 resets\n"
"\n"
"Exit status: 0 written, 1 could not write (or interrupted), 2 bad usage.\n",
		d.vms, d.vcpus, d.cores, d.threads, d.events, d.seed, d.hcall_rate, d.exit_rate,
		mix, d.hlocal_fraction, d.remove_found, d.protect_found, d.migration_rate,
		d.host_inval_rate, d.hpt_resets);
}

/* A JSON string literal of @s (the summaries are plain ASCII; escape what JSON requires). */
static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void list_scenarios(const char *format)
{
	int width = 0;

	if (strcmp(format, "csv") == 0) {
		printf("name,events,summary\n");
		for (int i = 0; i < scenario_count(); i++) {
			const struct scenario *s = scenario_at(i);

			/* summaries hold commas: quote them (they hold no double quotes) */
			printf("%s,%d,\"%s\"\n", scenario_name(s), scenario_nevents(s), scenario_summary(s));
		}
		return;
	}
	if (strcmp(format, "json") == 0) {
		printf("[");
		for (int i = 0; i < scenario_count(); i++) {
			const struct scenario *s = scenario_at(i);

			printf("%s\n {\"name\": ", i ? "," : "");
			json_string(scenario_name(s));
			printf(", \"events\": %d, \"summary\": ", scenario_nevents(s));
			json_string(scenario_summary(s));
			printf("}");
		}
		printf("\n]\n");
		return;
	}
	for (int i = 0; i < scenario_count(); i++) {
		int n = (int)strlen(scenario_name(scenario_at(i)));

		if (n > width)
			width = n;
	}
	for (int i = 0; i < scenario_count(); i++) {
		const struct scenario *s = scenario_at(i);

		printf("%-*s  %3d events  %s\n", width, scenario_name(s), scenario_nevents(s),
		       scenario_summary(s));
	}
}

enum {
	OPT_SCENARIO = 256, OPT_START_TIME, OPT_VMS, OPT_VCPUS,
	OPT_CORES, OPT_THREADS, OPT_EVENTS, OPT_DURATION, OPT_SEED, OPT_HCALL_RATE,
	OPT_EXIT_RATE, OPT_MIX, OPT_HLOCAL, OPT_REMOVE_FOUND, OPT_PROTECT_FOUND,
	OPT_MIGRATION, OPT_HOST_INVAL, OPT_HPT_RESETS, OPT_FORMAT, OPT_HCALL_CPU,
};

static const struct option options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "force", no_argument, NULL, 'f' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "scenario", required_argument, NULL, OPT_SCENARIO },
	{ "list", no_argument, NULL, 'l' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "start-time", required_argument, NULL, OPT_START_TIME },
	{ "version", no_argument, NULL, 'V' },
	{ "vms", required_argument, NULL, OPT_VMS },
	{ "vcpus", required_argument, NULL, OPT_VCPUS },
	{ "cores", required_argument, NULL, OPT_CORES },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "events", required_argument, NULL, OPT_EVENTS },
	{ "duration-ms", required_argument, NULL, OPT_DURATION },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "hcall-rate", required_argument, NULL, OPT_HCALL_RATE },
	{ "exit-rate", required_argument, NULL, OPT_EXIT_RATE },
	{ "mix", required_argument, NULL, OPT_MIX },
	{ "hlocal-fraction", required_argument, NULL, OPT_HLOCAL },
	{ "remove-found", required_argument, NULL, OPT_REMOVE_FOUND },
	{ "protect-found", required_argument, NULL, OPT_PROTECT_FOUND },
	{ "migration-rate", required_argument, NULL, OPT_MIGRATION },
	{ "host-inval-rate", required_argument, NULL, OPT_HOST_INVAL },
	{ "hpt-resets", required_argument, NULL, OPT_HPT_RESETS },
	{ "hcall-cpu", required_argument, NULL, OPT_HCALL_CPU },
	{ NULL, 0, NULL, 0 },
};

static const char *option_name(int c)
{
	for (const struct option *o = options; o->name; o++)
		if (o->val == c)
			return o->name;
	return "?";
}

/* An ISO 8601 UTC time as the schema recommends: YYYY-MM-DDTHH:MM:SS[.frac]Z. */
static bool iso8601_ok(const char *s)
{
	const char *shape = "dddd-dd-ddTdd:dd:dd";
	size_t i;

	for (i = 0; shape[i]; i++) {
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return false;
	}
	if (s[i] == '.') {
		if (s[++i] < '0' || s[i] > '9')
			return false;
		while (s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return s[i] == 'Z' && s[i + 1] == '\0';
}

/* What the command line asks for (parse_args). */
struct gen_args {
	struct workload p;
	const char *out, *scenario, *format;
	bool force, quiet, list, workload_opt;
	char start_time[64];	/* p.start_time points here */
};

/* Fill @a from the command line: -1 to go on, or the exit code (messages said). */
static int parse_args(int argc, char **argv, struct gen_args *a)
{
	bool events_given = false, duration_given = false;
	char err[512];
	int c;

	memset(a, 0, sizeof(*a));
	opterr = 0;	/* our own message, in the project's form */
	workload_defaults(&a->p);
	while ((c = getopt_long(argc, argv, "o:fqhlV", options, NULL)) != -1) {
		int64_t i64 = 0;
		uint64_t u64 = 0;
		double d = 0;
		bool bad = false;

		switch (c) {
		case 'o': a->out = optarg; continue;
		case 'f': a->force = true; continue;
		case 'q': a->quiet = true; continue;
		case 'h': usage(stdout); return 0;
		case 'V': printf("tlbgen %s\n", TLB_VERSION); return 0;
		case OPT_SCENARIO: a->scenario = optarg; continue;
		case 'l': a->list = true; continue;
		case OPT_FORMAT:
			if (strcmp(optarg, "table") && strcmp(optarg, "csv") && strcmp(optarg, "json")) {
				tlb_msg("cannot use --format '%s': table, csv or json", optarg);
				return EXIT_BAD_INPUT;
			}
			a->format = optarg;
			continue;
		case OPT_START_TIME:
			if (strcmp(optarg, "now") == 0) {
				iso8601_now(a->start_time, sizeof(a->start_time));
			} else if (iso8601_ok(optarg) && strlen(optarg) < sizeof(a->start_time)) {
				strcpy(a->start_time, optarg);
			} else {
				tlb_msg("cannot use --start-time '%s': not 'now' nor YYYY-MM-DDTHH:MM:SSZ",
					optarg);
				return EXIT_BAD_INPUT;
			}
			a->p.start_time = a->start_time;
			continue;
		case '?':
			tlb_msg("cannot use option '%s': unknown, or its value is missing (see --help)",
				argv[optind - 1]);
			return EXIT_BAD_INPUT;
		default: break;
		}
		/* the rest are workload options */
		a->workload_opt = true;
		switch (c) {
		case OPT_VMS: bad = parse_i64(optarg, &i64); a->p.vms = i64; break;
		case OPT_VCPUS: bad = parse_i64(optarg, &i64); a->p.vcpus = i64; break;
		case OPT_CORES: bad = parse_i64(optarg, &i64); a->p.cores = i64; break;
		case OPT_THREADS: bad = parse_i64(optarg, &i64); a->p.threads = i64; break;
		case OPT_HPT_RESETS: bad = parse_i64(optarg, &i64); a->p.hpt_resets = i64; break;
		case OPT_EVENTS:
			if (parse_i64(optarg, &i64) || i64 <= 0) {
				/* an empty trace replays to nothing: a mistake, not a result */
				tlb_msg("cannot use --events '%s': a number of events, at least 1", optarg);
				return EXIT_BAD_INPUT;
			}
			a->p.events = i64;
			events_given = true;
			break;
		case OPT_DURATION:
			bad = parse_i64(optarg, &i64) || i64 <= 0;
			a->p.duration_ms = i64;
			duration_given = true;
			break;
		case OPT_SEED: bad = parse_u64(optarg, &u64); a->p.seed = u64; break;
		case OPT_HCALL_RATE: bad = parse_double(optarg, &d); a->p.hcall_rate = d; break;
		case OPT_EXIT_RATE: bad = parse_double(optarg, &d); a->p.exit_rate = d; break;
		case OPT_HLOCAL: bad = parse_double(optarg, &d); a->p.hlocal_fraction = d; break;
		case OPT_REMOVE_FOUND: bad = parse_double(optarg, &d); a->p.remove_found = d; break;
		case OPT_PROTECT_FOUND: bad = parse_double(optarg, &d); a->p.protect_found = d; break;
		case OPT_MIGRATION: bad = parse_double(optarg, &d); a->p.migration_rate = d; break;
		case OPT_HOST_INVAL: bad = parse_double(optarg, &d); a->p.host_inval_rate = d; break;
		case OPT_HCALL_CPU:
			if (strcmp(optarg, "thread") && strcmp(optarg, "unknown")) {
				tlb_msg("cannot use --hcall-cpu '%s': thread or unknown", optarg);
				return EXIT_BAD_INPUT;
			}
			a->p.hcall_cpu_unknown = strcmp(optarg, "unknown") == 0;
			break;
		case OPT_MIX:
			if (workload_set_mix(&a->p, optarg, err, sizeof(err))) {
				tlb_msg("cannot use --mix: %s", err);
				return EXIT_BAD_INPUT;
			}
			break;
		default:
			tlb_msg("cannot use option '%s' (see --help)", argv[optind - 1]);
			return EXIT_BAD_INPUT;
		}
		if (bad) {
			tlb_msg("cannot use --%s '%s': not a valid number", option_name(c), optarg);
			return EXIT_BAD_INPUT;
		}
	}
	if (optind < argc) {
		tlb_msg("cannot use argument '%s': tlbgen takes options only (see --help)", argv[optind]);
		return EXIT_BAD_INPUT;
	}
	/* --duration-ms alone replaces the default event count; both is refused by the check */
	if (duration_given && !events_given)
		a->p.events = -1;
	return -1;
}

int main(int argc, char **argv)
{
	struct gen_args a;
	struct workload p;
	const char *out, *scenario, *format;
	bool force, quiet, list, workload_opt;
	char err[512];
	struct tw *w;
	int rc;

	tlb_prog = "tlbgen";
	rc = parse_args(argc, argv, &a);
	if (rc >= 0)
		return rc;
	p = a.p;
	out = a.out;
	scenario = a.scenario;
	format = a.format;
	force = a.force;
	quiet = a.quiet;
	list = a.list;
	workload_opt = a.workload_opt;
	if (list) {
		if (scenario || out || workload_opt) {
			tlb_msg("cannot use --list with other options");
			return EXIT_BAD_INPUT;
		}
		list_scenarios(format ? format : "table");
		return 0;
	}
	if (format) {
		tlb_msg("cannot use --format without --list: tlbgen's output is the trace file");
		return EXIT_BAD_INPUT;
	}
	if (!out) {
		tlb_msg("cannot write: no output file (-o FILE; see --help)");
		return EXIT_BAD_INPUT;
	}
	if (scenario) {
		const struct scenario *s = scenario_find(scenario);

		if (!s) {
			tlb_msg("cannot find scenario '%s' (tlbgen --list shows them)", scenario);
			return EXIT_BAD_INPUT;
		}
		if (workload_opt) {
			tlb_msg("cannot use workload options with --scenario %s: a scenario is fixed",
				scenario);
			return EXIT_BAD_INPUT;
		}
		w = tw_create(out, "generated", force ? TW_FORCE : 0, err, sizeof(err));
		if (!w) {
			tlb_msg("%s", err);
			return EXIT_RUN_FAILED;
		}
		if (scenario_write(s, w) || (p.start_time && tw_meta(w, "start_time", p.start_time))) {
			tlb_msg("%s (scenario %s)", tw_error(w), scenario);
			tw_abort(w);
			return EXIT_RUN_FAILED;
		}
		return tw_finish(w) ? EXIT_RUN_FAILED : 0;
	}
	if (workload_check(&p, err, sizeof(err))) {
		tlb_msg("cannot generate: %s", err);
		return EXIT_BAD_INPUT;
	}
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		/* past a file size limit, let write() fail (EFBIG) so the writer can clean up */
		sa.sa_handler = SIG_IGN;
		sigaction(SIGXFSZ, &sa, NULL);
	}
	w = tw_create(out, "generated", force ? TW_FORCE : 0, err, sizeof(err));
	if (!w) {
		tlb_msg("%s", err);
		return EXIT_RUN_FAILED;
	}
	rc = workload_write(&p, w, &stop_requested, !quiet && isatty(STDERR_FILENO), err, sizeof(err));
	if (rc) {
		if (err[0])
			tlb_msg("cannot write %s: %s", out, err);
		else
			tlb_msg("%s", tw_error(w));	/* "OUT: cannot write: why" */
		tw_abort(w);
		return EXIT_RUN_FAILED;
	}
	return tw_finish(w) ? EXIT_RUN_FAILED : 0;
}
