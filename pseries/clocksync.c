// SPDX-License-Identifier: MIT
/*
 * clocksync - the guest's half of the harness's clock check: CLOCK_MONOTONIC on the console.
 *
 * Inside the guest, N times INTERVAL_MS apart, it reads CLOCK_MONOTONIC and at once
 * writes "harness: sync I NS\n" to stdout (the hvc0 console) in one write(). QEMU's
 * vcpu thread passes the bytes to the host while the guest's H_PUT_TERM_CHAR runs;
 * on the host, pseries/linestamp prefixes each console line with the host's
 * CLOCK_MONOTONIC when it arrives. host - guest, minimised over the N lines, bounds
 * the offset between the two clocks from above (the least delivery latency is the
 * error); its change between the first and last lines gives the rate. The harness
 * compares both with what tlbmerge fitted. Built static for ppc64el.
 *
 * USAGE: clocksync N INTERVAL_MS     exit 0, 1 on a failed write, 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n, ms, i;
	char *end;

	if (argc != 3 || (n = strtol(argv[1], &end, 10)) < 1 || *end || n > 10000 ||
	    (ms = strtol(argv[2], &end, 10)) < 0 || *end || ms > 60000) {
		fprintf(stderr, "USAGE: clocksync N INTERVAL_MS\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		struct timespec ts, pause = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
		char line[96];
		int len;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		len = snprintf(line, sizeof(line), "harness: sync %ld %lld\n", i,
			       (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
		if (write(STDOUT_FILENO, line, (size_t)len) != len) {
			perror("clocksync: cannot write the console");
			return 1;
		}
		if (i + 1 < n)
			nanosleep(&pause, NULL);
	}
	return 0;
}
