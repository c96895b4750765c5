// SPDX-License-Identifier: MIT
/*
 * tlbimport - a trace-cmd trace.dat, or the text of a tracefs trace file, into
 * a trace database of schema v1.
 *
 * What it owns: the command line, the clock decision, the meta it writes, and
 * the summary. Reading is reader.h's (datfile.c, textfile.c), mapping is
 * mapper.h's, writing is common/tracewriter.h's.
 *
 * Order: parse options -> imp_open (format, clock, cpus) -> tw_create ->
 * imp_map_init -> imp_run -> imp_map_finish -> meta -> tw_finish -> summary.
 * Any failure after tw_create aborts the writer: no partial output exists.
 *
 * Timestamps: the first event's raw timestamp becomes 0. Clocks counting ns
 * (local, global, mono, boot, ...) stay ns; counter clocks count ticks, and
 * ppc-tb ticks become ns through the timebase (--timebase-hz). The raw first
 * and last timestamps go to meta (clock_origin, clock_last; tb_first, tb_last
 * for ppc-tb), which is what tlbmerge needs to line two captures up.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "tracewriter.h"
#include "util.h"

#define DEFAULT_TIMEBASE_HZ 512000000ULL	/* POWER timebase (cpuinfo "timebase") */

enum fmt { FMT_TABLE, FMT_CSV, FMT_JSON };

struct opts {
	const char *input, *output, *clock;
	bool guest, force, quiet;
	uint64_t timebase_hz;
	int64_t threads_per_core, bulk_n, tb_offset;
	bool have_tb_offset;
	enum imp_switch_enter sw;
	enum fmt format;
};

static void usage(FILE *f)
{
	fprintf(f,
"tlbimport - import a trace-cmd trace.dat or tracefs text into a trace database (schema v1)\n"
"\n"
"USAGE: tlbimport [OPTIONS] INPUT -o OUT.db\n"
"\n"
"INPUT is a trace.dat (versions 6 and 7, compressed or not, either endianness) or the\n"
"text of a tracefs trace/trace_pipe file ('-' reads text from stdin).\n"
"\n"
"OPTIONS:\n"
"  -o, --output FILE          the trace database to write (required)\n"
"  -f, --force                replace FILE if it exists              (default: refuse)\n"
"  -g, --guest                a capture made inside a guest: vm 1, vcpu = guest cpu, cpu -1\n"
"      --clock NAME           clock of the timestamps (local, mono, ppc-tb, counter, ...)\n"
"                             (default: the one the trace.dat names; text: ppc-tb when\n"
"                             timestamps are integers, else local)\n"
"      --timebase-hz HZ       ticks per second of ppc-tb              (default: 512000000)\n"
"  -t, --threads-per-core N   of the host, for meta                  (default: 1)\n"
"      --tb-offset TICKS      guest timebase - host timebase, stored in meta for tlbmerge\n"
"      --switch-enter WHEN    a vcpu thread's switch-in is its guest_enter: auto|yes|no\n"
"                             (default: auto = until a KVM entry tracepoint fires)\n"
"      --bulk-n N             n of an H_BULK_REMOVE seen without its return words\n"
"                             (tracepoint only; default: 4, the most it can remove)\n"
"      --format FMT           summary as table, csv or json          (default: table)\n"
"  -q, --quiet                no progress on stderr\n"
"  -h, --help                 this help\n"
"  -V, --version              print \"tlbimport VERSION\"\n"
"\n"
"Mapped: powerpc:hcall_entry/exit, hcall kprobe pairs (call probe with op, rb, a1..;\n"
"return probe at call+4 with rc, ret0..), kvm_hv:*, kvm:kvm_entry/exit,\n"
"sched:sched_switch and sched:sched_migrate_task of vcpu threads ('CPU N/KVM|TCG').\n"
"Other events are counted per name in meta (unknown_events) and the summary.\n"
"Text: fields come from key=value pairs, and kvm_hv's 'VCPU N: ...' formats are read\n"
"with their symbolic traps, hcalls and return codes turned back into numbers.\n"
"trace-cmd 3.1 'extract -B' saves the top buffer's clock: say --clock ppc-tb if the\n"
"instance recorded with it.\n"
"\n"
"EXAMPLES:\n"
"  tlbimport host.dat -o host.db                 # a host's trace-cmd recording\n"
"  tlbimport guest.dat -o guest.db -g            # one made inside a pseries guest\n"
"  xz -dc trace.txt.xz | tlbimport - -o g.db --guest --clock ppc-tb   # tracefs text\n"
"  tlbimport host.dat -o host.db --format json   # summary as JSON\n");
}

/*
 * ---- a crash inside the trace libraries ----
 * libtracecmd 1.3 faults on some damaged files (see datfile.c; datcheck.c
 * refuses the known ones before the library sees them). That is bad
 * input, not a bug of ours to dump core on: say so, remove the half-written
 * output, exit 2. Only async-signal-safe calls (write, unlink, _exit) here;
 * the message is made before the crash, the record count appended digit by digit.
 */
static char crash_msg[600];
static char crash_tmp[4096];
static const struct imp_map *crash_map;

static void on_fatal_signal(int sig)
{
	char num[24];
	int n = 0;
	int64_t v = crash_map ? imp_map_stats(crash_map)->read : 0;

	(void)sig;
	do {
		num[sizeof(num) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < (int)sizeof(num) - 1);
	if (crash_tmp[0])
		unlink(crash_tmp);
	if (write(2, crash_msg, strlen(crash_msg)) < 0 ||
	    write(2, num + sizeof(num) - n, (size_t)n) < 0 ||
	    write(2, " events: truncated or corrupted data\n", 37) < 0)
		_exit(EXIT_BAD_INPUT);
	_exit(EXIT_BAD_INPUT);
}

static void catch_library_crashes(const char *input)
{
	struct sigaction sa;

	snprintf(crash_msg, sizeof(crash_msg), "%s: cannot read %s: the trace library crashed after ",
		 tlb_prog, input);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);	/* a division by a size from the file */
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);	/* glibc's heap checks */
}

/* ---- the tracewriter sink ---- */

struct sink_ctx {
	struct tw *w;
	int64_t kind_id[IMP_NKINDS];
};

static int sink_event(void *ctx, int64_t ts, int64_t cpu, int64_t vm, int64_t vcpu, int kind,
		      const int64_t *a, int nargs)
{
	struct sink_ctx *s = ctx;

	return tw_event(s->w, ts, cpu, vm, vcpu, s->kind_id[kind], a, nargs);
}

static int sink_vcpu(void *ctx, int64_t vm, int64_t id, int64_t tid, const char *name)
{
	struct sink_ctx *s = ctx;

	return tw_vcpu(s->w, vm, id, tid, name);
}

static int sink_vm(void *ctx, int64_t id, int64_t pid, const char *how)
{
	struct sink_ctx *s = ctx;
	char name[64];

	snprintf(name, sizeof(name), "%s %" PRId64, how, pid);
	return tw_vm(s->w, id, name, pid, -1);
}

/* ---- options ---- */

static int parse_opts(int argc, char **argv, struct opts *o)
{
	enum { O_CLOCK = 256, O_TB, O_SW, O_BULK, O_FMT, O_TBOFF };
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "guest", no_argument, NULL, 'g' },
		{ "clock", required_argument, NULL, O_CLOCK },
		{ "timebase-hz", required_argument, NULL, O_TB },
		{ "threads-per-core", required_argument, NULL, 't' },
		{ "tb-offset", required_argument, NULL, O_TBOFF },
		{ "switch-enter", required_argument, NULL, O_SW },
		{ "bulk-n", required_argument, NULL, O_BULK },
		{ "format", required_argument, NULL, O_FMT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int c;

	*o = (struct opts){ .timebase_hz = DEFAULT_TIMEBASE_HZ, .threads_per_core = 1,
			    .bulk_n = 4, .sw = IMP_SWITCH_AUTO, .format = FMT_TABLE };
	while ((c = getopt_long(argc, argv, "o:fqhgt:V", lo, NULL)) != -1) {
		switch (c) {
		case 'o': o->output = optarg; break;
		case 'f': o->force = true; break;
		case 'q': o->quiet = true; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("tlbimport %s\n", TLB_VERSION); exit(0);
		case 'g': o->guest = true; break;
		case O_CLOCK: o->clock = optarg; break;
		case O_TB:
			if (parse_u64(optarg, &o->timebase_hz) || o->timebase_hz == 0 ||
			    o->timebase_hz > UINT32_MAX) {
				tlb_msg("cannot use --timebase-hz %s: a frequency in Hz, 1..4294967295", optarg);
				return -1;
			}
			break;
		case 't':
			if (parse_i64(optarg, &o->threads_per_core) || o->threads_per_core < 1 ||
			    o->threads_per_core > 64) {
				tlb_msg("cannot use --threads-per-core %s: 1..64", optarg);
				return -1;
			}
			break;
		case O_TBOFF:
			if (parse_i64(optarg, &o->tb_offset)) {
				tlb_msg("cannot use --tb-offset %s: an integer number of ticks", optarg);
				return -1;
			}
			o->have_tb_offset = true;
			break;
		case O_SW:
			if (!strcmp(optarg, "auto")) o->sw = IMP_SWITCH_AUTO;
			else if (!strcmp(optarg, "yes")) o->sw = IMP_SWITCH_YES;
			else if (!strcmp(optarg, "no")) o->sw = IMP_SWITCH_NO;
			else {
				tlb_msg("cannot use --switch-enter %s: auto, yes or no", optarg);
				return -1;
			}
			break;
		case O_BULK:
			if (parse_i64(optarg, &o->bulk_n) || o->bulk_n < 0 || o->bulk_n > 4) {
				tlb_msg("cannot use --bulk-n %s: 0..4", optarg);
				return -1;
			}
			break;
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
	if (optind != argc - 1) {
		tlb_msg("cannot run: %s (see --help)", optind >= argc ? "no INPUT given" : "more than one INPUT");
		return -1;
	}
	o->input = argv[optind];
	if (!o->output) {
		tlb_msg("cannot run: no output given: -o OUT.db (see --help)");
		return -1;
	}
	return 0;
}

/* ---- meta and summary ---- */

static const char *kind_label(int k)
{
	if (k < TDB_NKINDS)
		return tdb_kind_names[k];
	return k == IMP_KIND_VCORE_RUN ? "vcore_run" : "page_fault";
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* {"name": count, ...} of the unknown events, into a malloc'd string. */
static char *unknown_json(const struct imp_stats *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fputc('{', f);
	for (int i = 0; i < st->nnames; i++) {
		if (i)
			fputs(", ", f);
		json_str(f, st->names[i].name);
		fprintf(f, ": %" PRId64, st->names[i].count);
	}
	if (st->names_overflow)
		fprintf(f, "%s\"(more names)\": %" PRId64, st->nnames ? ", " : "", st->names_overflow);
	fputc('}', f);
	if (fclose(f))
		return NULL;
	return buf;
}

struct skip_reason {
	const char *name;
	int64_t n;
};

static int skip_reasons(const struct imp_stats *st, struct skip_reason *r)
{
	struct skip_reason all[] = {
		{ "not_a_vcpu_thread", st->skip_not_vcpu },
		{ "guest_scheduler", st->skip_guest_sched },
		{ "closed_an_hcall", st->skip_hcall_exit },
		{ "exit_without_call", st->skip_unpaired },
		{ "paired_into_another_row", st->skip_other },
		{ "missing_field", st->skip_no_field },
	};
	int n = 0;

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		r[n++] = all[i];
	return n;
}

static int write_meta(struct tw *w, const struct opts *o, const struct imp_info *in,
		      const struct imp_stats *st, const char *clock, bool ticks)
{
	char buf[64];
	int rc = 0;
	int ncpus = in->ncpus > st->max_cpu + 1 ? in->ncpus : st->max_cpu + 1;
	struct skip_reason sr[8];
	int nsr = skip_reasons(st, sr);
	char *unk = unknown_json(st);

	if (!unk)
		return -1;
	rc |= tw_meta(w, "side", o->guest ? "guest" : "host");
	rc |= tw_meta(w, "input_format", in->format);
	rc |= tw_meta(w, "input_file", o->input);
	rc |= tw_meta_int(w, "threads_per_core", o->threads_per_core);
	rc |= tw_meta_int(w, "ncpus", ncpus > 0 ? ncpus : 1);
	rc |= tw_meta(w, "clock", clock);
	rc |= tw_meta(w, "clock_unit", ticks ? "ticks" : "ns");
	snprintf(buf, sizeof(buf), "%" PRIu64, st->raw_first);
	rc |= tw_meta(w, "clock_origin", buf);
	snprintf(buf, sizeof(buf), "%" PRIu64, st->raw_last);
	rc |= tw_meta(w, "clock_last", buf);
	if (ticks) {
		rc |= tw_meta_int(w, "timebase_hz", (int64_t)o->timebase_hz);
		if (!strcmp(clock, "ppc-tb")) {
			snprintf(buf, sizeof(buf), "%" PRIu64, st->raw_first);
			rc |= tw_meta(w, "tb_first", buf);
			snprintf(buf, sizeof(buf), "%" PRIu64, st->raw_last);
			rc |= tw_meta(w, "tb_last", buf);
		}
	}
	if (o->have_tb_offset)
		rc |= tw_meta_int(w, "tb_offset", o->tb_offset);
	if (in->file_version) {
		rc |= tw_meta_int(w, "tracedat_version", in->file_version);
		rc |= tw_meta(w, "tracedat_compression", in->compression);
		rc |= tw_meta(w, "tracedat_endian", in->big_endian ? "big" : "little");
		rc |= tw_meta_int(w, "tracedat_long_size", in->long_size);
		rc |= tw_meta_int(w, "tracedat_buffers", in->buffers);
		rc |= tw_meta_int(w, "tracedat_stats_read_events", in->stats_read);
		rc |= tw_meta_int(w, "tracedat_stats_lost", in->stats_lost);
		if (in->uname[0])
			rc |= tw_meta(w, "kernel", in->uname);
	}
	rc |= tw_meta_int(w, "events_read", st->read);
	rc |= tw_meta_int(w, "events_written", st->written);
	rc |= tw_meta_int(w, "events_unknown", st->unknown);
	rc |= tw_meta(w, "unknown_events", unk);
	rc |= tw_meta_int(w, "events_skipped", st->skipped);
	for (int i = 0; i < nsr; i++) {
		snprintf(buf, sizeof(buf), "skipped_%s", sr[i].name);
		rc |= tw_meta_int(w, buf, sr[i].n);
	}
	int64_t lost = st->lost + (in->header_lost > 0 ? in->header_lost : 0) + in->stats_lost;

	rc |= tw_meta_int(w, "lost_events", lost);
	rc |= tw_meta_int(w, "lost_markers_unknown_count", st->lost_unknown);
	rc |= tw_meta_int(w, "hcall_with_args", st->hcall_with_args);
	rc |= tw_meta_int(w, "hcall_without_args", st->hcall_no_args);
	rc |= tw_meta_int(w, "hcall_n_assumed", st->hcall_n_assumed);
	rc |= tw_meta_int(w, "hcall_bulk_n_assumed_value", o->bulk_n);
	rc |= tw_meta_int(w, "hcall_open_at_end", st->hcall_open_at_end);
	rc |= tw_meta_int(w, "hcall_rc_mismatch", st->hcall_rc_mismatch);
	rc |= tw_meta_int(w, "ts_went_back", st->ts_back);
	free(unk);
	return rc ? -1 : 0;
}

static void summary(FILE *f, enum fmt fmt, const struct opts *o, const struct imp_info *in,
		    const struct imp_stats *st, const char *clock)
{
	struct skip_reason sr[8];
	int nsr = skip_reasons(st, sr);

	if (fmt == FMT_JSON) {
		fprintf(f, "{\"input\": ");
		json_str(f, o->input);
		fprintf(f, ", \"output\": ");
		json_str(f, o->output);
		fprintf(f, ", \"format\": \"%s\", \"clock\": ", in->format);
		json_str(f, clock);
		fprintf(f, ", \"events_read\": %" PRId64 ", \"events_written\": %" PRId64 ", \"per_kind\": {",
			st->read, st->written);
		for (int k = 0, first = 1; k < IMP_NKINDS; k++) {
			if (!st->per_kind[k])
				continue;
			fprintf(f, "%s\"%s\": %" PRId64, first ? "" : ", ", kind_label(k), st->per_kind[k]);
			first = 0;
		}
		fprintf(f, "}, \"unknown\": %" PRId64 ", \"unknown_by_name\": {", st->unknown);
		for (int i = 0; i < st->nnames; i++) {
			fprintf(f, "%s", i ? ", " : "");
			json_str(f, st->names[i].name);
			fprintf(f, ": %" PRId64, st->names[i].count);
		}
		fprintf(f, "}, \"skipped\": %" PRId64 ", \"skipped_by_reason\": {", st->skipped);
		for (int i = 0; i < nsr; i++)
			fprintf(f, "%s\"%s\": %" PRId64, i ? ", " : "", sr[i].name, sr[i].n);
		fprintf(f, "}, \"lost\": %" PRId64 ", \"hcall_with_args\": %" PRId64
			", \"hcall_without_args\": %" PRId64 ", \"hcall_n_assumed\": %" PRId64 "}\n",
			st->lost, st->hcall_with_args, st->hcall_no_args, st->hcall_n_assumed);
		return;
	}
	if (fmt == FMT_CSV) {
		fprintf(f, "what,name,count\n");
		fprintf(f, "read,,%" PRId64 "\nwritten,,%" PRId64 "\n", st->read, st->written);
		for (int k = 0; k < IMP_NKINDS; k++)
			if (st->per_kind[k])
				fprintf(f, "kind,%s,%" PRId64 "\n", kind_label(k), st->per_kind[k]);
		fprintf(f, "unknown,,%" PRId64 "\n", st->unknown);
		for (int i = 0; i < st->nnames; i++)
			fprintf(f, "unknown,%s,%" PRId64 "\n", st->names[i].name, st->names[i].count);
		fprintf(f, "skipped,,%" PRId64 "\n", st->skipped);
		for (int i = 0; i < nsr; i++)
			if (sr[i].n)
				fprintf(f, "skipped,%s,%" PRId64 "\n", sr[i].name, sr[i].n);
		fprintf(f, "lost,,%" PRId64 "\n", st->lost);
		return;
	}
	fprintf(f, "%s (%s, clock %s) -> %s\n", o->input, in->format, clock, o->output);
	fprintf(f, "  %-28s %12" PRId64 "\n", "events read", st->read);
	fprintf(f, "  %-28s %12" PRId64 "\n", "rows written", st->written);
	for (int k = 0; k < IMP_NKINDS; k++)
		if (st->per_kind[k])
			fprintf(f, "    %-26s %12" PRId64 "\n", kind_label(k), st->per_kind[k]);
	fprintf(f, "  %-28s %12" PRId64 "\n", "skipped (mapped, no row)", st->skipped);
	for (int i = 0; i < nsr; i++)
		if (sr[i].n)
			fprintf(f, "    %-26s %12" PRId64 "\n", sr[i].name, sr[i].n);
	fprintf(f, "  %-28s %12" PRId64 "\n", "unknown events", st->unknown);
	for (int i = 0; i < st->nnames; i++)
		fprintf(f, "    %-26s %12" PRId64 "\n", st->names[i].name, st->names[i].count);
	if (st->hcall_with_args || st->hcall_no_args)
		fprintf(f, "  hcalls with args %" PRId64 ", without %" PRId64 ", n assumed %" PRId64 "\n",
			st->hcall_with_args, st->hcall_no_args, st->hcall_n_assumed);
	fprintf(f, "  lost events: %" PRId64 "%s\n", st->lost,
		st->lost_unknown ? " (and markers of unknown count)" : "");
}

/*
 * ---- the import in a child process ----
 * The fatal-signal handler above cannot help when the library's fault leaves
 * no stack to run it on (a recursion into the guard page) or when it is
 * killed outright: the import runs in a child, and the parent turns a child
 * that died of a signal into exit 2, removing the temporary output the child
 * was writing (tracewriter's PATH.tmp-PID). Cost: one fork and wait, 0.25 ms
 * from clone to wait4 under strace; in wall time not told apart from the
 * machine's noise (30 runs of a tiny import: 19.8/24.1, 44.9/42.7, 24.1/30.3
 * ms per run, with/without the child).
 */
static int import(const struct opts *po);

static volatile pid_t import_child;

/* The parent passes a stop request on to the child, then cleans up after it. */
static void forward_signal(int sig)
{
	if (import_child > 0)
		kill(import_child, sig);
}

static int import_isolated(const struct opts *o)
{
	static const int stops[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	char tmp[4096];
	int status, sig;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return import(o);	/* no child: the in-process handler still applies */
	if (pid == 0)
		exit(import(o));	/* exit, not _exit: stdout's summary is flushed */
	import_child = pid;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward_signal;
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		sigaction(stops[i], &sa, NULL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return EXIT_RUN_FAILED;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	sig = WTERMSIG(status);
	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", o->output, (long)pid);
	unlink(tmp);
	if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
		tlb_msg("cannot import %s: stopped by signal %d; nothing written", o->input, sig);
		return EXIT_RUN_FAILED;
	}
	tlb_msg("cannot read %s: the trace library crashed (signal %d): truncated or "
		"corrupted data", o->input, sig);
	return EXIT_BAD_INPUT;
}

int main(int argc, char **argv)
{
	struct opts o;

	tlb_prog = "tlbimport";
	if (parse_opts(argc, argv, &o))
		return EXIT_BAD_INPUT;
	return import_isolated(&o);
}

static int import(const struct opts *po)
{
	struct opts o = *po;
	char err[512];
	struct imp_reader *r = NULL;
	struct tw *w = NULL;
	struct imp_map *m = NULL;
	struct sink_ctx sc = { 0 };
	int ret = EXIT_BAD_INPUT;

	catch_library_crashes(o.input);
	r = imp_open(o.input, err, sizeof(err));
	if (!r) {
		tlb_msg("cannot read %s", err);
		return EXIT_BAD_INPUT;
	}
	const struct imp_info *in = imp_info(r);
	char clock[32];
	bool ticks;

	if (o.clock) {
		snprintf(clock, sizeof(clock), "%s", o.clock);
		ticks = !strcmp(clock, "ppc-tb") || !strcmp(clock, "counter") || !strcmp(clock, "x86-tsc");
	} else if (in->clock[0]) {
		snprintf(clock, sizeof(clock), "%s", in->clock);
		ticks = in->clock_is_ticks;
	} else {
		/* Text does not name its clock: integer timestamps are POWER timebase ticks here. */
		snprintf(clock, sizeof(clock), "%s", in->clock_is_ticks ? "ppc-tb" : "local");
		ticks = in->clock_is_ticks;
	}
	if (in->file_version == 0 && ticks != in->clock_is_ticks) {
		tlb_msg("cannot use --clock %s: the text's timestamps are %s", clock,
			in->clock_is_ticks ? "integer ticks" : "seconds");
		goto out;
	}
	w = tw_create(o.output, "tracedat", o.force ? TW_FORCE : 0, err, sizeof(err));
	if (!w) {
		tlb_msg("cannot create %s", err);
		ret = EXIT_RUN_FAILED;
		goto out;
	}
	snprintf(crash_tmp, sizeof(crash_tmp), "%s", tw_temp_path(w) ? tw_temp_path(w) : "");
	sc.w = w;
	for (int k = 0; k < TDB_NKINDS; k++)
		sc.kind_id[k] = tw_kind_id(w, (enum tdb_kind)k);
	sc.kind_id[IMP_KIND_VCORE_RUN] = tw_kind(w, "vcore_run", "runner_vcpu", "n_runnable", "where", "tgid");
	sc.kind_id[IMP_KIND_PAGE_FAULT] = tw_kind(w, "page_fault", "ea", "ret", NULL, NULL);
	if (sc.kind_id[IMP_KIND_VCORE_RUN] < 0 || sc.kind_id[IMP_KIND_PAGE_FAULT] < 0) {
		tlb_msg("cannot add event kinds to %s: %s", o.output, tw_error(w));
		ret = EXIT_RUN_FAILED;
		goto out;
	}
	struct imp_options mo = {
		.guest = o.guest, .ticks = ticks, .timebase_hz = o.timebase_hz,
		.switch_enter = o.sw, .bulk_n_unknown = o.bulk_n,
	};
	struct imp_sink sink = { sink_event, sink_vcpu, sink_vm, &sc };

	m = imp_map_init(&mo, &sink);
	crash_map = m;
	if (!m) {
		tlb_msg("cannot allocate the mapper: %s", strerror(errno));
		ret = EXIT_RUN_FAILED;
		goto out;
	}
	if (o.guest && tw_vm(w, 1, "guest", -1, -1)) {
		tlb_msg("cannot write the vm row: %s", tw_error(w));
		ret = EXIT_RUN_FAILED;
		goto out;
	}
	struct progress pr;

	/* trace.dat: records against the saved stats' count; text: bytes against the size */
	if (in->file_version) {
		progress_init(&pr, "events imported", in->stats_read > 0 ? in->stats_read : -1, !o.quiet);
	} else {
		struct stat sb;

		progress_init(&pr, "bytes of text imported",
			      strcmp(o.input, "-") && stat(o.input, &sb) == 0 ? (int64_t)sb.st_size : -1, !o.quiet);
	}
	if (imp_run(r, m, &pr, err, sizeof(err)) || imp_map_finish(m)) {
		progress_done(&pr, imp_map_stats(m)->read);
		/* A sink failure is the writer's (a failed run); anything else is the input's. */
		if (tw_error(w) && *tw_error(w)) {
			tlb_msg("cannot write %s: %s", o.output, tw_error(w));
			ret = EXIT_RUN_FAILED;
		} else {
			tlb_msg("cannot import %s", err[0] ? err : imp_map_error(m));
		}
		goto out;
	}
	progress_done(&pr, in->file_version || pr.total <= 0 ? imp_map_stats(m)->read : pr.total);
	const struct imp_stats *st = imp_map_stats(m);

	if (st->read == 0) {
		tlb_msg("cannot import %s: no events in it", o.input);
		goto out;
	}
	if (write_meta(w, &o, in, st, clock, ticks)) {
		tlb_msg("cannot write meta to %s: %s", o.output, tw_error(w));
		ret = EXIT_RUN_FAILED;
		goto out;
	}
	crash_tmp[0] = 0;	/* renamed into place from here on: not ours to remove */
	if (tw_finish(w)) {
		w = NULL;
		tlb_msg("cannot finish %s", o.output);
		ret = EXIT_RUN_FAILED;
		goto out;
	}
	w = NULL;
	summary(stdout, o.format, &o, in, st, clock);
	ret = 0;
out:
	crash_map = NULL;
	tw_abort(w);
	crash_tmp[0] = 0;
	imp_map_free(m);
	imp_close(r);
	return ret;
}
