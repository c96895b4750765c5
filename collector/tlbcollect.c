/* SPDX-License-Identifier: MIT */
/*
 * tlbcollect - record a live KVM host (or, with --guest, a pseries guest)
 * into a trace database of schema v1.
 *
 * What it owns: the command line, the BPF life cycle (open, switch off the
 * sources this kernel lacks, load, attach, detach), the drain loop of the
 * ring buffer, the lost-event accounting, the stop on --duration / SIGINT /
 * SIGTERM, and the meta of the capture. The BPF programs are in
 * tlbcollect.bpf.c (host, CO-RE), tlbcollect_tf.bpf.c (host on a kernel without
 * BTF: offsets from tracefs formats, tfhost.c) and tlbcollect_guest.bpf.c (guest, no BTF);
 * the records they send are in tlbcollect.h; rows are written by sink.c; the
 * list of sources is tpsource.c; --kernel-flush (tracefs kprobes) is kflush.c.
 *
 * Order: parse -> privileges, tracefs, BTF -> create the output (refuses an
 * existing file without --force) -> open the skeleton, autoload off for absent
 * sources -> load -> attach -> loop { sleep --poll-ms; consume the ring
 * buffer; read the per-cpu lost counters } -> stop: detach every program,
 * consume what is left, final lost counts, writer drains, meta, finish.
 *
 * SQLite runs without its mutexes (SQLITE_CONFIG_SINGLETHREAD, no memory
 * statistics): the one connection is used by one thread at a time (main until
 * sink_start(), the writer until sink_stop() joins it, main again), and with
 * them every bind, step and page fetch of a row took and released a lock: a
 * quarter of the collector's cpu time at a million rows per second.
 *
 * Why a timed loop instead of epoll: the programs submit with
 * BPF_RB_NO_WAKEUP, so the kernel never wakes us per record; a wakeup per
 * record would make this process switch once per event and show up as load
 * in the very scheduler trace it records (spec toolchain.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <linux/types.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sqlite3.h>

#include "hcall.h"
#include "rotate.h"
#include "kflush.h"
#include "sink.h"
#include "tlbcollect.h"
#include "tlbcollect.skel.h"
#include "tlbcollect_guest.skel.h"
#include "tfoffsets.h"
#include "tlbcollect_tf.skel.h"
#include "tfhost.h"
#include "tpsource.h"
#include "tracewriter.h"
#include "util.h"
#include "writeguard.h"

#define MAX_PIDS 64
#define MAX_CPUS 4096
/* --duration bounds: below 10 ms nothing is attached long enough to record; above
 * 30 days is a typo (1e300, inf); 0 or no --duration means until a signal. */
#define MIN_DURATION_S 0.01
#define MAX_DURATION_S (30.0 * 86400.0)
#define MIN_INTERVAL_S 0.1
#define MAX_INTERVAL_S 86400.0

enum list_format { FMT_TABLE, FMT_CSV, FMT_JSON };

struct options {
	const char *out;		/* -o FILE */
	double duration;		/* seconds, 0 = until a signal (-d, or the positional) */
	double interval;		/* -i: live summary period, seconds; 0 = none */
	int npids;			/* --pid count */
	int pids[MAX_PIDS];		/* --pid values */
	bool guest;			/* --guest */
	bool force;			/* --force */
	bool list;			/* --list */
	bool verify;			/* --verify: load, report, exit */
	bool quiet;			/* --quiet */
	bool switch_out;		/* switch-outs as guest_exit (off: --no-switch-out) */
	bool hcall_args;		/* --hcall-args */
	bool kernel_flush;		/* --kernel-flush */
	enum sink_enter enter;		/* --enter */
	unsigned ring_mb;		/* --ring-mb */
	unsigned poll_ms;		/* --poll-ms */
	enum list_format format;	/* --format (for --list) */
	struct rotate_spec rotate;	/* --rotate: parts (rotate.h); both 0 = one file */
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
"tlbcollect - record a live KVM host, or a pseries guest, into a trace DB (schema v1).\n"
"\n"
"On a host it records, for the threads QEMU names \"CPU N/KVM\" (\"CPU N/TCG\" under\n"
"emulation): switches on and off host cpus, migrations, KVM entries and exits, MMU\n"
"notifier invalidations and, on POWER, the kvm_hv tracepoints. Inside a pseries guest\n"
"(--guest) it records every hypervisor call with its arguments and return code.\n"
"Sources the kernel lacks are skipped and named in the DB's meta. Needs root.\n"
"\n"
"USAGE: tlbcollect -o FILE [OPTIONS] [DURATION]\n"
"       tlbcollect --list [--guest] [--format table|csv|json]\n"
"\n"
"OPTIONS:\n"
"  -o, --output FILE      trace DB to create (mode 0600)              required\n"
"  -d, --duration SEC     stop after SEC seconds (0.01 to 2592000)    until SIGINT/SIGTERM\n"
"                         (also the one positional argument: tlbcollect -o x.db 10)\n"
"  -i, --interval SECS    live summary on stderr every SECS s         off\n"
"                         (0.1 to 86400; per VM: guest entries, exits, migrations,\n"
"                         hcalls by opcode; records and lost events)\n"
"  -p, --pid PID          record only this QEMU process (repeatable)   every VM\n"
"  -g, --guest            record hcalls inside a pseries guest        host mode\n"
"  -f, --force            replace FILE if it exists                   refuse\n"
"      --rotate SIZE|TIME  split the capture into complete DBs        one file\n"
"                          (-o FILE.db: FILE.1.db, FILE.2.db, ...; a part is closed\n"
"                          once its DB reaches SIZE: 64M, 512K, 1G = MiB, KiB, GiB;\n"
"                          or at each multiple of TIME: 30s, 10min, 1h; existing\n"
"                          parts are refused without --force)\n"
"  -l, --list             print which sources this kernel has, exit\n"
"      --verify           load the programs into this kernel, report, exit\n"
"                         (with --guest: both hcall programs, present or not: raw\n"
"                         tracepoints load without the tracepoint and without BTF)\n"
"      --enter SRC        guest_enter from: auto, sched, kvm          auto\n"
"                         (auto: vcpu thread switch-ins until the VM shows a KVM entry)\n"
"      --no-switch-out    do not record vcpu threads leaving a cpu    recorded\n"
"                         (recorded as guest_exit, trap NULL, while guest_enter comes\n"
"                         from switch-ins: the end of each host run interval)\n"
"      --switch-out       record them (the default; kept for old command lines)\n"
"      --hcall-args       also an hcall_args row per hcall            off\n"
"                         (guest: r5..r8; host: r5..r7 of kvm_hcall_enter)\n"
"      --kernel-flush     host, POWER kvm_hv: the kernel's own full TLB   off\n"
"                         flushes at guest entry as kernel_flush rows (optimized\n"
"                         kprobes placed from this kernel's code; refused with the\n"
"                         reason if the kernel cannot optimize them; POWER9: guest_enter\n"
"                         from the same probes). Refused while a vcpu runs: start it\n"
"                         before the VMs, stop it after them (else its probes stay)\n"
"      --ring-mb N        BPF ring buffer size, MiB (power of 2)      16\n"
"      --poll-ms N        drain the ring buffer every N ms            20\n"
"      --format FMT       --list and summary: table, csv, json        table\n"
"  -q, --quiet            no summary at the end\n"
"  -h, --help             this help\n"
"  -V, --version          print \"tlbcollect VERSION\"\n"
"\n"
"EXAMPLES:\n"
"  tlbcollect --list                          # which sources this kernel offers\n"
"  tlbcollect --guest --verify                # does this kernel accept the guest programs?\n"
"  tlbcollect -o host.db 60                   # every VM on this host for 60 s\n"
"  tlbcollect -o host.db -i 1 60              # the same, a live summary every second\n"
"  tlbcollect -o vm.db --pid 4242             # one VM, until Ctrl-C\n"
"  tlbcollect --guest -o guest.db -d 10       # inside a pseries guest: its hcalls\n"
"  tlbcollect -o host.db -d 5 --force         # replace an earlier capture\n"
"  tlbcollect -o host.db -d 5 --no-switch-out # switch-ins only: half the sched records\n"
"  tlbcollect -o host.db --rotate 64M         # host.1.db, host.2.db, ... of 64 MiB each\n"
"  tlbcollect -o host.db --kernel-flush       # POWER host: also the kernel's own flushes\n"
"\n"
"Exit status: 0 recorded, 1 the run failed (not root, no BPF, a write error: the events\n"
"committed before it are kept, meta truncated; or nothing recorded: no vcpu thread ran,\n"
"no hcall was made: then no file is left), 2 bad usage.\n");
}

/* A duration in seconds, finite, from MIN_DURATION_S to MAX_DURATION_S. */
static int parse_duration(const char *what, const char *arg, double *out)
{
	double v;

	if (parse_double(arg, &v) || !isfinite(v) || v < MIN_DURATION_S || v > MAX_DURATION_S) {
		tlb_msg("cannot use %s %s: a number of seconds from %g to %.0f (30 days)", what, arg,
			MIN_DURATION_S, MAX_DURATION_S);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum { O_ENTER = 256, O_SW, O_NOSW, O_HARGS, O_RING, O_POLL, O_FORMAT, O_VERIFY, O_ROTATE, O_KFLUSH };
	static const struct option lopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'd' },
		{ "pid", required_argument, NULL, 'p' },
		{ "guest", no_argument, NULL, 'g' },
		{ "force", no_argument, NULL, 'f' },
		{ "list", no_argument, NULL, 'l' },
		{ "verify", no_argument, NULL, O_VERIFY },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "enter", required_argument, NULL, O_ENTER },
		{ "switch-out", no_argument, NULL, O_SW },
		{ "no-switch-out", no_argument, NULL, O_NOSW },
		{ "hcall-args", no_argument, NULL, O_HARGS },
		{ "kernel-flush", no_argument, NULL, O_KFLUSH },
		{ "ring-mb", required_argument, NULL, O_RING },
		{ "poll-ms", required_argument, NULL, O_POLL },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "version", no_argument, NULL, 'V' },
		{ "interval", required_argument, NULL, 'i' },
		{ "rotate", required_argument, NULL, O_ROTATE },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	int64_t v;

	memset(o, 0, sizeof(*o));
	o->ring_mb = 16;
	o->poll_ms = 20;
	o->switch_out = true;
	while ((c = getopt_long(argc, argv, "o:d:p:i:gflqhV", lopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->out = optarg;
			break;
		case 'd':
			if (parse_duration("--duration", optarg, &o->duration))
				return -1;
			break;
		case 'p':
			if (parse_i64(optarg, &v) || v <= 0 || v > 0x7fffffff) {
				tlb_msg("cannot use --pid %s: not a process id", optarg);
				return -1;
			}
			if (o->npids == MAX_PIDS) {
				tlb_msg("cannot use --pid %s: at most %d processes", optarg, MAX_PIDS);
				return -1;
			}
			o->pids[o->npids++] = (int)v;
			break;
		case 'g':
			o->guest = true;
			break;
		case 'f':
			o->force = true;
			break;
		case 'l':
			o->list = true;
			break;
		case O_VERIFY:
			o->verify = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("tlbcollect %s\n", TLB_VERSION);
			exit(0);
		case 'i':
			if (parse_double(optarg, &o->interval) || !isfinite(o->interval) ||
			    o->interval < MIN_INTERVAL_S || o->interval > MAX_INTERVAL_S) {
				tlb_msg("cannot use --interval %s: a number of seconds from %g to %.0f",
					optarg, MIN_INTERVAL_S, MAX_INTERVAL_S);
				return -1;
			}
			break;
		case O_ENTER:
			if (strcmp(optarg, "auto") == 0)
				o->enter = SINK_ENTER_AUTO;
			else if (strcmp(optarg, "sched") == 0)
				o->enter = SINK_ENTER_SCHED;
			else if (strcmp(optarg, "kvm") == 0)
				o->enter = SINK_ENTER_KVM;
			else {
				tlb_msg("cannot use --enter %s: expected auto, sched or kvm", optarg);
				return -1;
			}
			break;
		case O_SW:
			o->switch_out = true;
			break;
		case O_NOSW:
			o->switch_out = false;
			break;
		case O_HARGS:
			o->hcall_args = true;
			break;
		case O_KFLUSH:
			o->kernel_flush = true;
			break;
		case O_RING:
			if (parse_i64(optarg, &v) || v < 1 || v > 1024 || (v & (v - 1))) {
				tlb_msg("cannot use --ring-mb %s: a power of 2 from 1 to 1024", optarg);
				return -1;
			}
			o->ring_mb = (unsigned)v;
			break;
		case O_POLL:
			if (parse_i64(optarg, &v) || v < 1 || v > 10000) {
				tlb_msg("cannot use --poll-ms %s: 1 to 10000", optarg);
				return -1;
			}
			o->poll_ms = (unsigned)v;
			break;
		case O_ROTATE:
			if (rotate_parse(optarg, &o->rotate))
				return -1;
			break;
		case O_FORMAT:
			if (strcmp(optarg, "table") == 0)
				o->format = FMT_TABLE;
			else if (strcmp(optarg, "csv") == 0)
				o->format = FMT_CSV;
			else if (strcmp(optarg, "json") == 0)
				o->format = FMT_JSON;
			else {
				tlb_msg("cannot use --format %s: expected table, csv or json", optarg);
				return -1;
			}
			break;
		default:
			return -1;
		}
	}
	/* like the libbpf tools: the one positional argument is the duration */
	if (argc - optind > 1) {
		tlb_msg("cannot use argument '%s': one DURATION at most (see --help)", argv[optind + 1]);
		return -1;
	}
	if (optind < argc) {
		if (o->duration > 0) {
			tlb_msg("cannot use duration %s: --duration was given too", argv[optind]);
			return -1;
		}
		if (parse_duration("duration", argv[optind], &o->duration))
			return -1;
	}
	if ((o->rotate.bytes || o->rotate.ns) && !o->out && !o->list && !o->verify) {
		tlb_msg("cannot use --rotate without -o FILE: the parts are named after it");
		return -1;
	}
	if (!o->list && !o->verify && !o->out) {
		tlb_msg("cannot record: no output file (-o FILE; see --help)");
		return -1;
	}
	if (o->guest && o->kernel_flush) {
		tlb_msg("cannot use --kernel-flush with --guest: the host kernel does the flushes");
		return -1;
	}
	if (o->guest && o->npids) {
		tlb_msg("cannot use --pid with --guest: a guest records its own hcalls");
		return -1;
	}
	return 0;
}

/* ----------------------------------------------------------------- list -- */

static int do_list(const struct options *o)
{
	const char *tfs = tps_tracefs();
	int npresent = 0, nabsent = 0;

	if (!tfs) {
		tlb_msg("cannot find tracefs: %s (run as root: it mounts /sys/kernel/tracing)",
			strerror(errno));
		return EXIT_RUN_FAILED;
	}
	if (o->format == FMT_TABLE)
		printf("%-6s %-34s %-8s %s\n", "SIDE", "SOURCE", "STATUS", "GIVES");
	else if (o->format == FMT_CSV)
		printf("side,source,status,gives\n");
	else
		printf("{\"sources\": [");
	for (int i = 0; i < tps_nsources; i++) {
		const struct tps_source *s = &tps_sources[i];
		int p = tps_present(tfs, s);
		char name[96];

		snprintf(name, sizeof(name), "%s:%s", s->system, s->event);
		p ? npresent++ : nabsent++;
		if (o->format == FMT_TABLE)
			printf("%-6s %-34s %-8s %s\n", s->guest ? "guest" : "host", name,
			       p ? "present" : "absent", s->gives);
		else if (o->format == FMT_CSV)
			printf("%s,%s,%s,\"%s\"\n", s->guest ? "guest" : "host", name,
			       p ? "present" : "absent", s->gives);
		else
			printf("%s\n  {\"side\": \"%s\", \"source\": \"%s\", \"present\": %s, "
			       "\"gives\": \"%s\"}", i ? "," : "", s->guest ? "guest" : "host", name,
			       p ? "true" : "false", s->gives);
	}
	if (o->format == FMT_TABLE) {
		struct kfs_place kp;
		char kf[400], why[300];

		printf("-- %d present, %d absent; kernel BTF %s (host mode needs it)\n", npresent,
		       nabsent, tps_have_btf() ? "present" : "absent");
		if (!o->guest) {
			if (kflush_find(&kp, why, sizeof(why)) == 0 && kfs_format(&kp, kf, sizeof(kf)) == 0)
				printf("-- kernel_flush (--kernel-flush) probes: %s\n", kf);
			else
				printf("-- kernel_flush (--kernel-flush) unavailable: %s\n", why);
		}
	}
	else if (o->format == FMT_JSON)
		printf("\n], \"present\": %d, \"absent\": %d, \"kernel_btf\": %s}\n", npresent,
		       nabsent, tps_have_btf() ? "true" : "false");
	return 0;
}

/* ---------------------------------------------------------- machine meta -- */

/* Hardware threads of cpu0's core, from its sibling list ("0-1", "0,4"). */
static int threads_per_core(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/cpu0/topology/thread_siblings_list", "r");
	char buf[256], *p;
	int n = 0;

	if (!f)
		return 1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	for (p = strtok(buf, ",\n"); p; p = strtok(NULL, ",\n")) {
		int a, b;

		if (sscanf(p, "%d-%d", &a, &b) == 2 && b >= a)
			n += b - a + 1;
		else if (sscanf(p, "%d", &a) == 1)
			n++;
	}
	return n > 0 ? n : 1;
}

/* The value of the first /proc/cpuinfo line whose key is @key, or 0. */
static int cpuinfo(const char *key, char *out, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];
	size_t kl = strlen(key);
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (colon && strncmp(line, key, kl) == 0 && strspn(line + kl, " \t") == (size_t)(colon - line - kl)) {
			char *v = colon + 1 + strspn(colon + 1, " \t");

			v[strcspn(v, "\n")] = '\0';
			snprintf(out, len, "%s", v);
			found = 1;
		}
	}
	fclose(f);
	return found;
}

static int write_start_meta(struct tw *w, const struct options *o, const char *present,
			    const char *absent, uint64_t t0)
{
	struct utsname u;
	char buf[512], iso[40];
	int rc = 0;

	uname(&u);
	iso8601_now(iso, sizeof(iso));
	rc |= tw_meta_int(w, "threads_per_core", threads_per_core());
	rc |= tw_meta_int(w, "ncpus", sysconf(_SC_NPROCESSORS_CONF));
	rc |= tw_meta(w, "host", u.nodename);
	rc |= tw_meta(w, "kernel", u.release);
	rc |= tw_meta(w, "machine", u.machine);
	if (cpuinfo("model name", buf, sizeof(buf)) || cpuinfo("cpu", buf, sizeof(buf))) {
		rc |= tw_meta(w, "cpu_model", buf);
		/* kvm_hv on POWER7/8 serves the HPT hcalls in real mode (book3s_hv_rmhandlers.S
		 * hcall_real_table): they never reach kvm_hcall_enter, so a host capture lacks them */
		if (!o->guest && (strncmp(buf, "POWER7", 6) == 0 || strncmp(buf, "POWER8", 6) == 0))
			rc |= tw_meta(w, "hcall_real_mode", "absent from this capture: H_ENTER, H_REMOVE, "
				      "H_PROTECT, H_BULK_REMOVE, H_READ and the other hcalls kvm_hv serves in "
				      "real mode on POWER7/POWER8 (hcall_real_table); only virtual-mode ones are recorded");
	}
	if (cpuinfo("timebase", buf, sizeof(buf)))
		rc |= tw_meta(w, "timebase_hz", buf);
	rc |= tw_meta(w, "start_time", iso);
	rc |= tw_meta(w, "clock", "CLOCK_MONOTONIC ns; ts = clock - clock_start_ns");
	rc |= tw_meta_int(w, "clock_start_ns", (int64_t)t0);
	rc |= tw_meta(w, "tracepoints_present", present);
	rc |= tw_meta(w, "tracepoints_absent", absent);
	rc |= tw_meta(w, "bpf_mode", o->guest
		      ? "raw_tp without kernel BTF (no CO-RE): powerpc hcall_entry/hcall_exit"
		      : !tps_have_btf() ? TFH_MODE
		      : "CO-RE with kernel BTF: tp_btf sched, tracepoint kvm/kvm_hv");
	rc |= tw_meta(w, "collector", "tlbcollect");
	if (!o->guest) {
		rc |= tw_meta(w, "vcpu_threads", "threads named \"CPU N/KVM\" or \"CPU N/TCG\"");
		rc |= tw_meta(w, "guest_enter_source",
			      o->enter == SINK_ENTER_SCHED ? "sched: vcpu thread switch-ins"
			      : o->enter == SINK_ENTER_KVM ? "kvm: KVM entry tracepoints"
			      : "auto: vcpu thread switch-ins until the VM shows a KVM entry, then KVM entries");
		rc |= tw_meta(w, "switch_out", o->switch_out
			      ? "recorded: a vcpu thread's switch-out is a guest_exit (trap NULL) while its "
				"VM's guest_enter comes from switch-ins; count in guest_exit_from_sched"
			      : "not recorded (--no-switch-out): guest_exit rows come from KVM exit "
				"tracepoints only");
		rc |= tw_meta(w, "host_inval_n",
			      "pages of [a2 start, a3 end) at the host page size: an upper bound, the "
			      "tracepoint does not say how many were mapped");
		rc |= tw_meta_int(w, "host_page_size", sysconf(_SC_PAGESIZE));
		rc |= tw_meta(w, "hcall_host", "kvm_hv:kvm_hcall_enter/exit pairs (virtual-mode hcalls only: "
			      "real-mode ones never reach them); n = 1 if H_REMOVE/H_PROTECT returned "
			      "H_SUCCESS; H_BULK_REMOVE: rc from kvm_hcall_exit, n NULL (the control bytes it returns in "
			      "r4..r11 are not in the tracepoint); n, rc NULL when passed to the host (RESUME_FLAG_HOST); "
			      "--hcall-args: r5, r6, r7 from kvm_hcall_enter, r8 NULL (not in it)");
		if (o->npids) {
			size_t n = 0;

			buf[0] = '\0';
			for (int i = 0; i < o->npids && n < sizeof(buf) - 16; i++)
				n += snprintf(buf + n, sizeof(buf) - n, "%s%d", i ? "," : "", o->pids[i]);
			rc |= tw_meta(w, "filter_pids", buf);
		}
	} else {
		rc |= tw_meta(w, "hcall_n", "H_REMOVE/H_PROTECT: 1 if rc is H_SUCCESS; H_BULK_REMOVE: "
			      "entries whose returned control byte says success");
		rc |= tw_meta(w, "hcall_cpu", "-1: the host thread is unknown inside a guest; vcpu = guest cpu");
	}
	return rc ? -1 : 0;
}

/* ------------------------------------------------------------ write errors -- */
/*
 * A write error (a full disk, a quota, EIO) must cost only what was not yet
 * committed, and stop the capture at once: the journal in memory and the disk
 * reserve (writeguard.c) keep the file whole, finish_truncated() closes it.
 */
#define STOP_CHECK_MS 100	/* longest sleep between checks for a stop or a write error */

/* Sleep @ms, in slices: a stop request or a write error ends the sleep within STOP_CHECK_MS. */
static void poll_sleep(unsigned ms, struct sink *s)
{
	while (ms && !stop_requested && !sink_failed(s, NULL)) {
		unsigned slice = ms < STOP_CHECK_MS ? ms : STOP_CHECK_MS;
		struct timespec ts = { slice / 1000, (long)(slice % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		ms -= slice;
	}
}

/* ------------------------------------------------------------------ BPF -- */

struct collector {
	struct tlbcollect_bpf *host;		/* host skeleton, or NULL */
	struct tlbcollect_guest_bpf *guest;	/* guest skeleton, or NULL */
	struct tlbcollect_tf_bpf *tf;		/* host skeleton without BTF, or NULL */
	struct bpf_object *obj;			/* the loaded one */
	struct bpf_link *links[64];		/* attached programs */
	int nlinks;
	struct ring_buffer *rb;
	int stats_fd;
	int ncpus;				/* possible cpus (per-cpu map width) */
	uint64_t lost_seen[MAX_CPUS];		/* lost counts already queued */
	uint64_t seen[TC_NSTATS];		/* sums of the last read */
	uint64_t detach_ns;			/* time the kernel took to detach them */
	struct kflush *kf;			/* --kernel-flush, or NULL */
};

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	if (level == LIBBPF_INFO && !getenv("TLBCOLLECT_VERBOSE"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/*
 * libbpf's ring_buffer__consume() returns only when the ring is empty, which
 * under a load faster than the writer is never: the callback ends each call
 * after DRAIN_BUDGET records (the record at hand already queued, so nothing
 * is dropped) to let the loop check for a stop and read the lost counters.
 */
#define DRAIN_BUDGET 65536
#define DRAIN_PAUSE (-ECANCELED)

struct drain {
	struct sink *sink;	/* where records go */
	long budget;		/* records left in this consume call */
	uint64_t last_ts;	/* ts of the last record taken: the ts of lost rows */
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct drain *d = ctx;

	if (sink_push(d->sink, data, size) != 0)
		return -EIO;
	if (size >= sizeof(struct tc_event))
		d->last_ts = ((const struct tc_event *)data)->ts;
	return --d->budget > 0 ? 0 : DRAIN_PAUSE;
}

/* One bounded drain: 1 more may be waiting, 0 the ring was emptied, -1 failure. */
static int drain_once(struct ring_buffer *rb, struct drain *d)
{
	int n;

	d->budget = DRAIN_BUDGET;
	n = ring_buffer__consume(rb);
	if (n == DRAIN_PAUSE)
		return 1;
	return n < 0 ? -1 : 0;
}

/* Sum the per-cpu counters; queue a lost row per cpu for what is new. */
static int read_stats(struct collector *c, struct sink *s, uint64_t ts)
{
	uint64_t vals[MAX_CPUS];

	for (__u32 k = 0; k < TC_NSTATS; k++) {
		uint64_t sum = 0;

		if (bpf_map_lookup_elem(c->stats_fd, &k, vals) != 0)
			return -1;
		for (int cpu = 0; cpu < c->ncpus; cpu++) {
			sum += vals[cpu];
			if (k == TC_STAT_LOST && vals[cpu] > c->lost_seen[cpu]) {
				if (sink_lost(s, ts, cpu, vals[cpu] - c->lost_seen[cpu]))
					return -1;
				c->lost_seen[cpu] = vals[cpu];
			}
		}
		c->seen[k] = sum;
	}
	return 0;
}

/*
 * Invocations the kernel skipped: a tracing program is not run while the same
 * program is already running on that cpu (bpf_prog_info.recursion_misses), and
 * such a skip reaches neither our counters nor the ring. Summed over programs.
 */
static int64_t kernel_misses(const struct collector *c)
{
	struct bpf_program *p;
	int64_t sum = 0;

	bpf_object__for_each_program(p, c->obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
			sum += (int64_t)info.recursion_misses;
	}
	return sum;
}

static void detach_all(struct collector *c)
{
	for (int i = 0; i < c->nlinks; i++)
		bpf_link__destroy(c->links[i]);
	c->nlinks = 0;
}

static void collector_free(struct collector *c)
{
	detach_all(c);
	kflush_free(c->kf);	/* its kprobe events and tracefs instance go */
	c->kf = NULL;
	ring_buffer__free(c->rb);
	tlbcollect_bpf__destroy(c->host);
	tlbcollect_guest_bpf__destroy(c->guest);
	tlbcollect_tf_bpf__destroy(c->tf);
}

static void append(char *buf, size_t len, const char *item)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s%s", n ? "," : "", item);
}

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* CPU time of the whole process (every thread), ns. */
static uint64_t process_cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* One line of the summary: a name (also the csv/json key) and a value. */
enum row_mode { BOTH_MODES, HOST_ONLY, GUEST_ONLY };

struct summary_row {
	const char *label;	/* table label */
	const char *key;	/* csv / json key */
	double value;
	int decimals;
	enum row_mode mode;	/* which collector mode has this count */
};

static void print_summary(const struct options *o, const struct sink_stats *st,
			  const struct collector *c, double secs, uint64_t cpu_ns, int64_t misses)
{
	const struct summary_row rows[] = {
		{ "seconds", "seconds", secs, 2, BOTH_MODES },
		{ "records received (BPF)", "records_received", (double)c->seen[TC_STAT_SEEN], 0,
		  BOTH_MODES },
		{ "records written", "records_written", (double)st->written, 0, BOTH_MODES },
		{ "records filtered (--enter)", "records_filtered", (double)st->filtered, 0,
		  BOTH_MODES },
		{ "rows in table event", "rows", (double)st->rows, 0, BOTH_MODES },
		{ "vms", "vms", (double)st->vms, 0, BOTH_MODES },
		{ "vcpus", "vcpus", (double)st->vcpus, 0, BOTH_MODES },
		{ "hcall exits without entry", "hcalls_unpaired",
		  (double)c->seen[TC_STAT_UNPAIRED], 0, GUEST_ONLY },
		{ "writer rows/s (busy time)", "writer_rows_per_busy_s",
		  st->busy_ns ? (double)st->rows * 1e9 / (double)st->busy_ns : 0.0, 0, BOTH_MODES },
		{ "writer rows/s (cpu time)", "writer_rows_per_cpu_s",
		  st->cpu_ns ? (double)st->rows * 1e9 / (double)st->cpu_ns : 0.0, 0, BOTH_MODES },
		{ "collector cpu seconds", "collector_cpu_s", (double)cpu_ns / 1e9, 3, BOTH_MODES },
		{ "records per cpu second", "records_per_cpu_s",
		  cpu_ns ? (double)st->records * 1e9 / (double)cpu_ns : 0.0, 0, BOTH_MODES },
		{ "switch-ins unreported (kernel)", "switch_in_unreported",
		  (double)st->in_unreported, 0, HOST_ONLY },
		{ "switch-outs unreported (kernel)", "switch_out_unreported",
		  (double)st->out_unreported, 0, HOST_ONLY },
		{ "BPF runs skipped (recursion)", "bpf_recursion_misses", (double)misses, 0,
		  BOTH_MODES },
		{ "lost events", "lost_events", (double)st->lost, 0, BOTH_MODES },
	};
	const int n = sizeof(rows) / sizeof(rows[0]);

	if (o->quiet)
		return;
	if (o->format == FMT_TABLE)
		printf("%-28s %12s\n", "tlbcollect", "count");
	else if (o->format == FMT_CSV)
		printf("key,value\n");
	else
		printf("{");
	for (int i = 0; i < n; i++) {
		const struct summary_row *r = &rows[i];

		if (r->mode == (o->guest ? HOST_ONLY : GUEST_ONLY))
			continue;
		if (o->format == FMT_TABLE && strcmp(r->key, "lost_events") == 0)
			continue;	/* the foot line below */
		if (o->format == FMT_TABLE)
			printf("%-28s %12.*f\n", r->label, r->decimals, r->value);
		else if (o->format == FMT_CSV)
			printf("%s,%.*f\n", r->key, r->decimals, r->value);
		else
			printf("%s\"%s\": %.*f", i ? ", " : "", r->key, r->decimals, r->value);
	}
	if (o->format == FMT_TABLE)
		printf("-- lost events: %lld (ring buffer full)%s\n", (long long)st->lost,
		       st->lost ? "; try a larger --ring-mb or a smaller --poll-ms" : "");
	else if (o->format == FMT_JSON)
		printf("}\n");
}

/* ------------------------------------------------------------ live summary -- */
/*
 * -i SECS: every SECS seconds, on stderr (stdout keeps the end summary, which
 * --format makes machine-readable), what the interval added, like `perf kvm
 * stat live`: records received and lost, and per VM with rows in the interval
 * its guest entries, exits, migrations and hcalls, these by opcode (most first).
 */
struct live_state {
	struct sink_live_vm prev[SINK_LIVE_VMS];	/* counts at the last print */
	int nprev;
	uint64_t t_prev;				/* when */
	uint64_t received_prev, lost_prev;
};

/* A name from /proc (a QEMU -name) printed without control characters. */
static void print_clean(const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, stderr);
}

static void print_live(struct live_state *ls, struct sink *sink, const struct collector *c,
		       uint64_t now, uint64_t t0)
{
	struct sink_live_vm cur[SINK_LIVE_VMS];
	int n = sink_live(sink, cur, SINK_LIVE_VMS), shown = 0;
	uint64_t lost = 0;

	for (int i = 0; i < c->ncpus; i++)
		lost += c->lost_seen[i];
	fprintf(stderr, "tlbcollect: %.1f s (+%.1f s): %llu records, %llu lost\n",
		(double)(now - t0) / 1e9, (double)(now - ls->t_prev) / 1e9,
		(unsigned long long)(c->seen[TC_STAT_SEEN] - ls->received_prev),
		(unsigned long long)(lost - ls->lost_prev));
	for (int i = 0; i < n; i++) {
		static const struct sink_live_vm zero;
		const struct sink_live_vm *p = i < ls->nprev ? &ls->prev[i] : &zero, *v = &cur[i];
		int64_t d_op[SINK_LIVE_OPS];
		int order[SINK_LIVE_OPS], nord = 0;

		if (v->enter == p->enter && v->exit == p->exit && v->migrate == p->migrate &&
		    v->hcalls == p->hcalls)
			continue;
		if (!shown++)
			fprintf(stderr, "  %4s %-24s %10s %10s %8s %9s  %s\n", "vm", "name", "enter",
				"exit", "migrate", "hcalls", "hcalls by opcode");
		if (v->vm < 0)
			fprintf(stderr, "  %4s ", "-");
		else
			fprintf(stderr, "  %4lld ", (long long)v->vm);
		print_clean(v->name);
		fprintf(stderr, "%*s %10lld %10lld %8lld %9lld ",
			24 - (int)strlen(v->name) > 0 ? 24 - (int)strlen(v->name) : 0, "",
			(long long)(v->enter - p->enter), (long long)(v->exit - p->exit),
			(long long)(v->migrate - p->migrate), (long long)(v->hcalls - p->hcalls));
		for (int j = 0; j < v->nops; j++) {
			d_op[j] = v->op_count[j] - (j < p->nops ? p->op_count[j] : 0);
			if (d_op[j] > 0) {
				int k = nord++;

				while (k > 0 && d_op[order[k - 1]] < d_op[j]) {
					order[k] = order[k - 1];
					k--;
				}
				order[k] = j;
			}
		}
		for (int k = 0; k < nord; k++) {
			const char *name = hcall_name(v->op[order[k]]);

			if (strcmp(name, "UNKNOWN") == 0)
				fprintf(stderr, " 0x%llx %lld", (unsigned long long)v->op[order[k]],
					(long long)d_op[order[k]]);
			else
				fprintf(stderr, " %s %lld", name, (long long)d_op[order[k]]);
		}
		if (v->other_hcalls != p->other_hcalls)
			fprintf(stderr, " other %lld", (long long)(v->other_hcalls - p->other_hcalls));
		fputc('\n', stderr);
	}
	if (!shown)
		fprintf(stderr, "  (no VM rows in this interval)\n");
	memcpy(ls->prev, cur, sizeof(cur[0]) * (size_t)n);
	ls->nprev = n;
	ls->t_prev = now;
	ls->received_prev = c->seen[TC_STAT_SEEN];
	ls->lost_prev = lost;
}

/* The meta written at the end of a capture; @truncated: after a write error. */
static int write_end_meta(struct tw *w, const struct options *o, const struct sink_stats *st,
			  const struct collector *c, int64_t misses, uint64_t t0, uint64_t cpu_used,
			  bool truncated)
{
	char iso[40];
	int e = 0;

	iso8601_now(iso, sizeof(iso));
	e |= tw_meta(w, "end_time", iso);
	e |= tw_meta_int(w, "duration_ns", (int64_t)(mono_ns() - t0));
	e |= tw_meta_int(w, "lost_events", st->lost);
	/* --rotate: of this part (rotate.c), not of the whole run (the BPF counter) */
	e |= tw_meta_int(w, "events_received", o->rotate.bytes || o->rotate.ns
			 ? st->records + st->lost : (int64_t)c->seen[TC_STAT_SEEN]);
	if (!truncated) {
		/* after a write error the writer's counts include rows rolled back */
		e |= tw_meta_int(w, "events_written", st->written);
		e |= tw_meta_int(w, "events_filtered", st->filtered);
	}
	e |= tw_meta_int(w, "bpf_recursion_misses", misses);
	e |= tw_meta_int(w, "collector_cpu_ns", (int64_t)cpu_used);
	/* releasing perf-event tracepoints waits for RCU grace periods: 0.05 s idle, up to
	 * 3.6 s measured under a switch storm on 2 cpus */
	e |= tw_meta_int(w, "detach_ns", (int64_t)c->detach_ns);
	if (o->guest)
		e |= tw_meta_int(w, "hcalls_unpaired", (int64_t)c->seen[TC_STAT_UNPAIRED]);
	else if (!truncated) {
		e |= tw_meta_int(w, "guest_enter_from_sched", st->enter_sched);
		e |= tw_meta_int(w, "guest_enter_from_kvm", st->enter_kvm);
		e |= tw_meta_int(w, "guest_exit_from_sched", st->exit_sched);
		e |= tw_meta_int(w, "switch_in_unreported", st->in_unreported);
		e |= tw_meta_int(w, "switch_out_unreported", st->out_unreported);
		e |= tw_meta_int(w, "host_inval_unattributed", st->inval_unattributed);
		if (c->tf)	/* the no-BTF host mode (tfhost.c): switch-ins of unknown process */
			e |= tw_meta_int(w, "vcpu_process_unknown", (int64_t)c->seen[TC_STAT_NOTGID]);
		if (c->kf)
			e |= kflush_meta(c->kf, w, st->enter_replaced);
	}
	return e ? -1 : 0;
}

/*
 * finish_truncated - after a write error: keep what was committed. The failed
 * transaction is rolled back (journal in memory), the reserve released, the
 * meta says truncated, why and when, and the counts tracewriter would write are
 * taken from the rows really kept; then the file is renamed into place (over an
 * existing one only with --force). Frees @w. The rows kept, or -1.
 */
static int64_t finish_truncated(struct tw *w, const struct options *o, const char *why,
				const struct sink_stats *sst, const struct collector *c, int64_t misses,
				uint64_t t0, uint64_t cpu_used, uint64_t t_err, uint64_t t_stop,
				int *reserve_fd)
{
	sqlite3 *db = tw_sqlite(w);
	sqlite3_stmt *st = NULL;
	char err[512], text[1024];
	int64_t kept = -1, back = -1;

	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);	/* SQLite may have done it */
	wg_reserve_release(reserve_fd);
	if (wg_exec(db, "BEGIN", err, sizeof(err)))
		goto fail;
	if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM event), (SELECT count(*) FROM "
			       "(SELECT ts < lag(ts) OVER (ORDER BY rowid) AS b FROM event) WHERE b)",
			       -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		snprintf(err, sizeof(err), "%s", sqlite3_errmsg(db));
		goto fail;
	}
	kept = sqlite3_column_int64(st, 0);
	back = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	st = NULL;
	snprintf(text, sizeof(text), "write error %.3f s into the capture (%s); stopped recording "
		 "%.3f s later; kept the %lld events committed before it, the ones after are not in this file",
		 (double)(t_err - t0) / 1e9, why, (double)(t_stop > t_err ? t_stop - t_err : 0) / 1e9,
		 (long long)kept);
	if (tw_meta(w, "truncated", text) || tw_meta_int(w, "write_error_ns", (int64_t)(t_err - t0)) ||
	    tw_meta_int(w, "stopped_ns", (int64_t)(t_stop - t0)) || tw_meta_int(w, "event_count", kept) ||
	    (back == 0 && tw_meta(w, "event_order", "ts")) ||
	    write_end_meta(w, o, sst, c, misses, t0, cpu_used, true)) {
		snprintf(err, sizeof(err), "%s", tw_error(w));
		goto fail;
	}
	if (wg_exec(db, "INSERT OR REPLACE INTO meta(key, value) SELECT 'events_' || k.name, "
		     "count(*) FROM event e JOIN event_kind k ON k.id = e.kind GROUP BY k.id",
		     err, sizeof(err)) || wg_exec(db, "COMMIT", err, sizeof(err)))
		goto fail;
	/* Out of order rows: the index readers would otherwise build; without room for it
	 * they sort (the file stays whole either way: a failure here rolls back). */
	if (back > 0 && wg_exec(db, "CREATE INDEX IF NOT EXISTS event_ts ON event(ts)", err, sizeof(err)) &&
	    !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	if (renameat2(AT_FDCWD, tw_temp_path(w), AT_FDCWD, o->out, o->force ? 0 : RENAME_NOREPLACE)) {
		snprintf(err, sizeof(err), "cannot rename %s into place: %s", tw_temp_path(w),
			 strerror(errno));
		goto fail;
	}
	tw_abort(w);	/* closes; its temporary name is gone */
	return kept;
fail:
	sqlite3_finalize(st);
	tlb_msg("cannot keep the events written before the error in %s: %s", o->out, err);
	tw_abort(w);
	return -1;
}

int main(int argc, char **argv)
{
	char present[2048] = "", absent[2048] = "", err[512];
	struct collector c;
	struct options o;
	struct sink_opts so;
	struct sink_stats st;
	struct sink *sink = NULL;
	struct drain drain;
	struct tw *w = NULL;
	struct rotate *rot = NULL;
	struct sink_stats pst;
	const char *tfs;
	uint64_t t0, t_end = 0, cpu0 = 0, cpu_used, t_stop, t_err = 0, next_live = 0;
	static struct live_state live;
	int64_t misses = 0;
	int rc = EXIT_RUN_FAILED, nused = 0, ring_fd, reserve_fd = -1;
	struct sigaction sa;
	struct stat sb;

	tlb_prog = "tlbcollect";
	memset(&c, 0, sizeof(c));
	/* Before SQLite initialises (the first open): see the header comment. */
	if (sqlite3_config(SQLITE_CONFIG_SINGLETHREAD) != SQLITE_OK ||
	    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK) {
		tlb_msg("cannot configure SQLite for one writer thread");
		return EXIT_RUN_FAILED;
	}
	/* From the start: a stop asked for while loading still ends in a complete DB
	 * (or, before the DB exists, in nothing). No SA_RESTART: sleeps end at once. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (parse_args(argc, argv, &o))
		return EXIT_BAD_INPUT;
	if (o.list)
		return do_list(&o);
	if (!o.verify && (o.rotate.bytes || o.rotate.ns)) {
		if (rotate_check_outputs(o.out, o.force))
			return EXIT_BAD_INPUT;
	} else if (!o.verify && !o.force && stat(o.out, &sb) == 0) {
		tlb_msg("cannot create %s: the file exists (use --force to replace it)", o.out);
		return EXIT_BAD_INPUT;
	}
	for (int i = 0; i < o.npids; i++) {
		char p[32];

		snprintf(p, sizeof(p), "/proc/%d", o.pids[i]);
		if (stat(p, &sb) != 0) {
			tlb_msg("cannot use --pid %d: no such process", o.pids[i]);
			return EXIT_BAD_INPUT;
		}
	}
	if (geteuid() != 0) {
		tlb_msg("cannot record: BPF tracing needs root (CAP_BPF, CAP_PERFMON); run it with sudo");
		return EXIT_RUN_FAILED;
	}
	tfs = tps_tracefs();
	if (!tfs) {
		tlb_msg("cannot mount tracefs at /sys/kernel/tracing: %s", strerror(errno));
		return EXIT_RUN_FAILED;
	}
	libbpf_set_print(libbpf_quiet);
	/* First: a refusal loads nothing into the kernel and leaves no file. */
	if (o.kernel_flush && !o.verify && !(c.kf = kflush_start(tfs, err, sizeof(err)))) {
		tlb_msg("cannot record kernel_flush: %s", err);
		return EXIT_RUN_FAILED;
	}

	c.ncpus = libbpf_num_possible_cpus();
	if (c.ncpus <= 0 || c.ncpus > MAX_CPUS) {
		tlb_msg("cannot count the possible cpus: %s", c.ncpus < 0 ? strerror(-c.ncpus) : "too many");
		goto cleanup;
	}
	if (o.guest) {
		c.guest = tlbcollect_guest_bpf__open();
		c.obj = c.guest ? c.guest->obj : NULL;
	} else if (!tps_have_btf()) {
		/* --- host without kernel BTF (Debian ppc64el): tracefs formats (tfhost.c) --- */
		c.tf = tfh_open(tfs, err, sizeof(err));
		if (!c.tf) {
			tlb_msg("cannot record the host: this kernel has neither BTF "
				"(/sys/kernel/btf/vmlinux) nor readable tracefs formats: %s", err);
			goto cleanup;
		}
		c.obj = c.tf->obj;
	} else {
		c.host = tlbcollect_bpf__open();
		c.obj = c.host ? c.host->obj : NULL;
	}
	if (!c.obj) {
		tlb_msg("cannot open the BPF programs: %s", strerror(errno));
		goto cleanup;
	}
	/* Switch off, before load, every program whose tracepoint this kernel lacks. */
	{
		bool guest_pair = true;

		for (int i = 0; i < tps_nsources; i++)
			if (tps_sources[i].guest && !tps_present(tfs, &tps_sources[i]))
				guest_pair = false;
		for (int i = 0; i < tps_nsources; i++) {
			const struct tps_source *s = &tps_sources[i];
			struct bpf_program *p;
			char name[96];
			bool on;

			if (s->guest != o.guest)
				continue;
			snprintf(name, sizeof(name), "%s:%s", s->system, s->event);
			/* entry and exit of a guest hcall only make sense together */
			on = tps_present(tfs, s) && (!s->guest || guest_pair);
			if (o.verify && s->guest)
				on = true;	/* raw_tp: loads without its tracepoint */
			p = bpf_object__find_program_by_name(c.obj, s->prog);
			if (!p) {
				tlb_msg("cannot find BPF program %s: the build is inconsistent", s->prog);
				goto cleanup;
			}
			bpf_program__set_autoload(p, on);
			append(on ? present : absent, sizeof(present), name);
			nused += on;
		}
	}
	if (!o.guest && !strstr(present, "kvm_hv:") && !strstr(present, "kvm:"))
		fprintf(stderr, "tlbcollect: warning: this kernel has no kvm or kvm_hv tracepoints "
			"(kvm modules not loaded?): only the vcpu threads' scheduling is recorded "
			"(meta tracepoints_absent)\n");
	if (!nused) {
		tlb_msg("cannot record: none of the %s tracepoints exists on this kernel (absent: %s)",
			o.guest ? "guest" : "host", absent);
		goto cleanup;
	}
	if (bpf_map__set_max_entries(bpf_object__find_map_by_name(c.obj, "events"), o.ring_mb << 20)) {
		tlb_msg("cannot size the ring buffer to %u MiB", o.ring_mb);
		goto cleanup;
	}
	if (c.host) {
		c.host->rodata->filter_tgid = o.npids > 0;
		c.host->rodata->want_switch_out = o.switch_out;
	}
	if (c.tf) {
		c.tf->rodata->filter_tgid = o.npids > 0;
		c.tf->rodata->want_switch_out = o.switch_out;
	}
	{
		int e = o.guest ? tlbcollect_guest_bpf__load(c.guest)
			: c.tf ? tlbcollect_tf_bpf__load(c.tf) : tlbcollect_bpf__load(c.host);

		if (e) {
			tlb_msg("cannot load the BPF programs: %s (is BPF enabled in this kernel? "
				"TLBCOLLECT_VERBOSE=1 shows libbpf's log)", strerror(-e));
			goto cleanup;
		}
	}
	if (o.verify) {
		struct bpf_program *p;

		bpf_object__for_each_program(p, c.obj)
			if (bpf_program__autoload(p))
				printf("loaded %-16s %s\n", bpf_program__name(p),
				       bpf_program__section_name(p));
		printf("-- %s programs accepted by this kernel (%s)%s%s\n", o.guest ? "guest" : "host",
		       o.guest ? "raw tracepoints, no kernel BTF needed"
			       : c.tf ? "tracepoints read at tracefs format offsets, no kernel BTF"
			       : "CO-RE, relocated against this kernel's BTF",
		       absent[0] ? "; absent here: " : "", absent);
		rc = 0;
		goto cleanup;
	}
	for (int i = 0; i < o.npids; i++) {
		__u32 k = (__u32)o.pids[i];
		__u8 one = 1;

		if (bpf_map__update_elem(bpf_object__find_map_by_name(c.obj, "vm_tgids"), &k, sizeof(k),
					 &one, sizeof(one), 0)) {
			tlb_msg("cannot add --pid %d to the BPF filter: %s", o.pids[i], strerror(errno));
			goto cleanup;
		}
	}
	if (c.tf && tfh_prefill(c.tf)) {
		tlb_msg("cannot read the threads of /proc into the BPF map: %s", strerror(errno));
		goto cleanup;
	}
	c.stats_fd = bpf_map__fd(bpf_object__find_map_by_name(c.obj, "stats"));
	ring_fd = bpf_map__fd(bpf_object__find_map_by_name(c.obj, "events"));

	if (o.rotate.bytes || o.rotate.ns) {
		struct rotate_opts ro = { o.rotate, o.out, o.guest ? "guest" : "host",
					  TW_PRIVATE | (o.force ? TW_FORCE : 0), o.quiet, &reserve_fd };

		rot = rotate_new(&ro);
		if (!rot)
			goto cleanup;
		w = rotate_first(rot, err, sizeof(err));
	} else {
		w = tw_create(o.out, o.guest ? "guest" : "host", TW_PRIVATE | (o.force ? TW_FORCE : 0),
			      err, sizeof(err));
	}
	if (!w) {
		tlb_msg("cannot create %s", err);
		goto cleanup;
	}
	if (wg_journal_in_memory(w, err, sizeof(err))) {
		tlb_msg("cannot prepare %s: %s", rot ? rotate_path(rot) : o.out, err);
		goto cleanup;
	}
	reserve_fd = wg_reserve_open(o.out);
	t0 = mono_ns();
	cpu0 = process_cpu_ns();
	if (write_start_meta(w, &o, present, absent, t0)) {
		tlb_msg("cannot write meta: %s", tw_error(w));
		goto cleanup;
	}
	memset(&so, 0, sizeof(so));
	so.guest = o.guest;
	so.enter = o.enter;
	so.hcall_args = o.hcall_args;
	so.switch_out = o.switch_out;
	so.probe_entries = kflush_entries(c.kf);
	so.t0 = t0;
	so.rot = rot;
	so.page_size = sysconf(_SC_PAGESIZE);
	{
		static struct utsname u;

		uname(&u);
		so.guest_name = u.nodename;
	}
	sink = sink_create(w, &so);
	if (!sink) {
		tlb_msg("cannot prepare the writer: %s", tw_error(w));
		goto cleanup;
	}
	drain.sink = sink;
	drain.budget = DRAIN_BUDGET;
	drain.last_ts = 0;
	c.rb = ring_buffer__new(ring_fd, on_record, &drain, NULL);
	if (!c.rb) {
		tlb_msg("cannot open the ring buffer: %s", strerror(errno));
		goto cleanup;
	}
	if (sink_start(sink)) {
		tlb_msg("cannot start the writer thread: %s", strerror(errno));
		goto cleanup;
	}

	{
		struct bpf_program *p;

		bpf_object__for_each_program(p, c.obj) {
			struct bpf_link *l;

			if (!bpf_program__autoload(p))
				continue;
			l = bpf_program__attach(p);
			if (!l) {
				tlb_msg("cannot attach %s: %s", bpf_program__name(p), strerror(errno));
				goto cleanup;
			}
			c.links[c.nlinks++] = l;
		}
	}
	if (!o.quiet)
		fprintf(stderr, "tlbcollect: recording %d sources into %s%s%s (absent: %s)\n", c.nlinks,
			rot ? rotate_path(rot) : o.out, rot ? " and the next parts" : "",
			o.duration > 0 ? "" : "; Ctrl-C stops", absent[0] ? absent : "none");
	if (o.duration > 0)
		t_end = t0 + (uint64_t)(o.duration * 1e9);
	if (o.interval > 0) {
		next_live = t0 + (uint64_t)(o.interval * 1e9);
		live.t_prev = t0;
	}

	for (int more = 0; !stop_requested;) {
		uint64_t now;

		if (!more) {
			unsigned ms = o.poll_ms;
			uint64_t t = mono_ns();

			if (next_live && next_live > t && (next_live - t) / 1000000 < ms)
				ms = (unsigned)((next_live - t) / 1000000) + 1;
			poll_sleep(ms, sink);
		}
		if (sink_failed(sink, NULL))
			break;
		more = drain_once(c.rb, &drain);
		if (more < 0) {
			if (sink_failed(sink, NULL))
				break;
			tlb_msg("cannot drain the ring buffer: %s", strerror(errno));
			goto cleanup;
		}
		if (c.kf && kflush_poll(c.kf, sink, t0, err, sizeof(err))) {
			if (sink_failed(sink, NULL))
				break;
			tlb_msg("cannot record kernel_flush: %s", err);
			goto cleanup;
		}
		now = mono_ns();
		/* Lost rows at the last record taken (the drop came after it), not at the
		 * read: rows stay in ts order, and a rotated part's cut (rotate.c) is not
		 * pushed up to poll-ms ahead of the records still in the ring. */
		if (read_stats(&c, sink, drain.last_ts ? drain.last_ts : now)) {
			if (sink_failed(sink, NULL))
				break;
			tlb_msg("cannot read the BPF counters: %s", strerror(errno));
			goto cleanup;
		}
		sink_flush(sink);
		if (next_live && now >= next_live) {
			print_live(&live, sink, &c, now, t0);
			next_live += (uint64_t)(o.interval * 1e9);
			if (next_live <= now)
				next_live = now + (uint64_t)(o.interval * 1e9);
		}
		if (t_end && now >= t_end)
			break;
	}
	/* Stop: no new records, then everything already in the ring buffer (after a write
	 * error nothing more can be kept: detach at once and keep what was committed). */
	t_stop = mono_ns();
	detach_all(&c);
	c.detach_ns = mono_ns() - t_stop;
	if (!sink_failed(sink, NULL)) {
		struct timespec settle = { 0, 10 * 1000000L };	/* programs still running finish */
		int more;

		nanosleep(&settle, NULL);
		while ((more = drain_once(c.rb, &drain)) > 0)
			;
		if (more < 0 && !sink_failed(sink, NULL)) {
			tlb_msg("cannot drain the ring buffer: %s", strerror(errno));
			goto cleanup;
		}
		if (c.kf && kflush_stop(c.kf, sink, t0, err, sizeof(err)) && !sink_failed(sink, NULL)) {
			tlb_msg("cannot record kernel_flush: %s", err);
			goto cleanup;
		}
	}
	if (!sink_failed(sink, NULL) && read_stats(&c, sink, drain.last_ts ? drain.last_ts : mono_ns()) &&
	    !sink_failed(sink, NULL)) {
		tlb_msg("cannot read the BPF counters: %s", strerror(errno));
		goto cleanup;
	}
	misses = kernel_misses(&c);
	sink_stop(sink);
	/* --rotate: the writer may have switched parts; the open one ends the capture */
	w = sink_writer(sink);
	if (rot)
		o.out = rotate_path(rot);
	if (!w) {
		tlb_msg("cannot go on: %s", sink_error(sink));
		goto cleanup;
	}
	sink_part_stats(sink, &pst);
	if (sink_failed(sink, &t_err)) {
		const char *e = sink_error(sink);
		size_t pl = strlen(o.out);
		char why[600];
		int64_t kept;

		sink_failed(sink, &t_err);
		/* tracewriter's messages read "PATH: cannot write: WHY" */
		if (strncmp(e, o.out, pl) == 0 && strncmp(e + pl, ": ", 2) == 0)
			e += pl + 2;
		if (strncmp(e, "cannot write: ", 14) == 0)
			e += 14;
		snprintf(why, sizeof(why), "%s", e);
		sink_stats(sink, &st);
		cpu_used = process_cpu_ns() - cpu0;
		kept = finish_truncated(w, &o, why, &pst, &c, misses, t0, cpu_used, t_err,
					t_stop > t_err ? t_stop : t_err, &reserve_fd);
		w = NULL;
		if (kept >= 0) {
			tlb_msg("cannot write %s: %s; stopped %.3f s after the error, kept the %lld "
				"events committed before it (meta truncated)", o.out, why,
				(double)(t_stop > t_err ? t_stop - t_err : 0) / 1e9, (long long)kept);
			st.rows = kept + (rot ? rotate_rows_closed(rot) : 0);
			print_summary(&o, &st, &c, (double)(mono_ns() - t0) / 1e9, cpu_used, misses);
		}
		goto cleanup;
	}
	sink_stats(sink, &st);
	if (next_live)
		print_live(&live, sink, &c, mono_ns(), t0);	/* the last, partial interval */
	/* Empty is not success: nothing to replay. No file either (exit 1 leaves none). */
	if (st.written == 0 && st.lost == 0) {
		char pids[256] = "";

		for (int i = 0, n = 0; i < o.npids && n < (int)sizeof(pids) - 16; i++)
			n += snprintf(pids + n, sizeof(pids) - (size_t)n, "%s%d", i ? "," : "", o.pids[i]);
		if (o.guest)
			tlb_msg("cannot record %s: no hcall was made in %.2f s (powerpc:hcall_entry/exit "
				"never fired); nothing written", o.out, (double)(t_stop - t0) / 1e9);
		else
			tlb_msg("cannot record %s: no vcpu thread (named \"CPU N/KVM\" or \"CPU N/TCG\") "
				"%s%s ran in %.2f s%s; nothing written (is a VM running?)", o.out,
				o.npids ? "of process " : "on this host", pids, (double)(t_stop - t0) / 1e9,
				st.filtered ? " but for records --enter filtered out" : "");
		goto cleanup;
	}
	cpu_used = process_cpu_ns() - cpu0;
	if (write_end_meta(w, &o, &pst, &c, misses, t0, cpu_used, false) ||
	    (rot && rotate_last(rot, w))) {
		tlb_msg("cannot write meta: %s", tw_error(w));
		goto cleanup;
	}
	wg_reserve_release(&reserve_fd);	/* its room is for tw_finish now */
	if (tw_finish(w) != 0) {
		w = NULL;
		tlb_msg("cannot finish %s", o.out);
		goto cleanup;
	}
	w = NULL;
	print_summary(&o, &st, &c, (double)(mono_ns() - t0) / 1e9, cpu_used, misses);
	rc = 0;
cleanup:
	wg_reserve_release(&reserve_fd);
	collector_free(&c);
	if (sink) {
		sink_stop(sink);
		if (w)
			w = sink_writer(sink);	/* --rotate: the open part */
	}
	sink_free(sink);
	tw_abort(w);
	rotate_free(rot);
	return rc;
}
