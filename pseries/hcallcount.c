// SPDX-License-Identifier: MIT
/*
 * hcallcount - count a pseries guest's hcalls per opcode inside a time window.
 *
 * What it is: the pseries harness's proof that its cross tool chain works and
 * that BPF raw tracepoints load on a kernel without BTF (Debian's ppc64el
 * 6.1). It is built static for ppc64el (make cross-ppc64el) and runs inside
 * the guest. It is a witness, not the collector: it writes no trace DB, only
 * counts, which the harness compares with tracefs and with tlbcollect.
 *
 * Interface (command line):
 *   hcallcount --start NS --stop NS     window in CLOCK_MONOTONIC ns
 *   hcallcount --in SEC --for SEC       window starting SEC from now
 * It loads and attaches, prints "window START STOP" and "ready NOW" on stdout,
 * sleeps until the window has closed, then prints one line per key:
 *   entry OPCODE COUNT | exit OPCODE RC COUNT | bulk_ok OPCODE N | bulk_entries OPCODE N
 * and "recursion_misses PROG N": runs the kernel skipped (the program already running
 * on that cpu).
 * (opcode in hex, rc and counts decimal). Exit 0, 1 on a failed run, 2 on
 * bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "hcallcount.h"
#include "hcallcount.skel.h"

static const char usage[] =
	"Count a pseries guest's hcalls per opcode with BPF raw tracepoints (no BTF needed).\n"
	"\n"
	"USAGE: hcallcount (--in SEC --for SEC | --start NS --stop NS)\n"
	"\n"
	"  --in SEC      the window opens SEC seconds from now (default 0)\n"
	"  --for SEC     and stays open SEC seconds\n"
	"  --start NS    window start in CLOCK_MONOTONIC ns\n"
	"  --stop NS     window end in CLOCK_MONOTONIC ns\n"
	"  -h, --help    this text\n"
	"\n"
	"EXAMPLES:\n"
	"    hcallcount --in 0.5 --for 3   # count hcalls from 0.5 s to 3.5 s from now\n";

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int parse_sec(const char *s, uint64_t *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < 0 || v > 86400)
		return -1;
	*ns = (uint64_t)(v * 1e9);
	return 0;
}

static int parse_ns(const char *s, uint64_t *ns)
{
	char *end;

	errno = 0;
	*ns = strtoull(s, &end, 10);
	return errno || end == s || *end ? -1 : 0;
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = { .tv_sec = (time_t)(t / 1000000000ull),
			       .tv_nsec = (long)(t % 1000000000ull) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static const char *where_name(__u32 w)
{
	switch (w) {
	case HC_ENTRY: return "entry";
	case HC_EXIT: return "exit";
	case HC_BULK_OK: return "bulk_ok";
	case HC_BULK_ENTRIES: return "bulk_entries";
	}
	return "unknown";
}

static int print_counts(int fd)
{
	struct hc_key key, next, *prev = NULL;
	__u64 value;
	int err;

	while ((err = bpf_map_get_next_key(fd, prev, &next)) == 0) {
		if (bpf_map_lookup_elem(fd, &next, &value) == 0) {
			if (next.where == HC_EXIT)
				printf("exit 0x%x %" PRId64 " %" PRIu64 "\n", next.opcode,
				       (int64_t)next.rc, (uint64_t)value);
			else
				printf("%s 0x%x %" PRIu64 "\n", where_name(next.where),
				       next.opcode, (uint64_t)value);
		}
		key = next;
		prev = &key;
	}
	if (errno != ENOENT) {
		fprintf(stderr, "hcallcount: cannot read map counts: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* The kernel skips a program's run on a cpu where it is already running (recursion). */
static void print_misses(const struct bpf_program *prog)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) == 0)
		printf("recursion_misses %s %llu\n", bpf_program__name(prog),
		       (unsigned long long)info.recursion_misses);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "in", required_argument, NULL, 'i' },
		{ "for", required_argument, NULL, 'f' },
		{ "start", required_argument, NULL, 's' },
		{ "stop", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct hcallcount_bpf *skel = NULL;
	uint64_t in = 0, len = 0, start = 0, stop = 0;
	int c, rc = 1, err;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': if (parse_sec(optarg, &in)) goto bad; break;
		case 'f': if (parse_sec(optarg, &len)) goto bad; break;
		case 's': if (parse_ns(optarg, &start)) goto bad; break;
		case 'e': if (parse_ns(optarg, &stop)) goto bad; break;
		case 'h': fputs(usage, stdout); return 0;
		default: goto bad;
		}
	}
	if (optind != argc)
		goto bad;
	if (!stop) {
		if (!len)
			goto bad;
		start = mono_ns() + in;
		stop = start + len;
	}
	if (stop <= start)
		goto bad;

	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	skel = hcallcount_bpf__open();
	if (!skel) {
		fprintf(stderr, "hcallcount: cannot open BPF object: %s\n", strerror(errno));
		goto cleanup;
	}
	skel->rodata->t_start = start;
	skel->rodata->t_stop = stop;
	err = hcallcount_bpf__load(skel);
	if (err) {
		fprintf(stderr, "hcallcount: cannot load BPF programs: %s\n", strerror(-err));
		goto cleanup;
	}
	err = hcallcount_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "hcallcount: cannot attach raw tracepoints hcall_entry/hcall_exit: %s\n",
			strerror(-err));
		goto cleanup;
	}
	printf("window %" PRIu64 " %" PRIu64 "\nready %" PRIu64 "\n", start, stop, mono_ns());
	fflush(stdout);
	if (mono_ns() > start)
		fprintf(stderr, "hcallcount: attached after the window opened (%.3f s late)\n",
			(double)(mono_ns() - start) / 1e9);
	sleep_until(stop + 100000000ull);
	rc = print_counts(bpf_map__fd(skel->maps.counts)) ? 1 : 0;
	print_misses(skel->progs.hc_entry);
	print_misses(skel->progs.hc_exit);
cleanup:
	hcallcount_bpf__destroy(skel);
	return rc;
bad:
	fputs(usage, stderr);
	return 2;
}
