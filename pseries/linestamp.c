// SPDX-License-Identifier: MIT
/*
 * linestamp - prefix each line of stdin with the host's CLOCK_MONOTONIC ns at its arrival.
 *
 * The host's half of the harness's clock check (see pseries/clocksync.c): pseries/run.sh
 * pipes QEMU's console through it, so every console line reads "HOST_NS text". Bytes
 * are read as they come (no stdio buffering on input) and each line is written out as
 * soon as it is complete; the stamp is taken when the read that completed the line
 * returned. A last line without a newline is written with the stamp of its last bytes.
 *
 * USAGE: linestamp < IN > OUT      exit 0 at end of input, 1 on a read or write error.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void)
{
	static char buf[65536], line[65536];
	size_t used = 0;
	long long stamp = 0;
	ssize_t got;

	while ((got = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		ssize_t i;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			perror("linestamp: cannot read stdin");
			return 1;
		}
		stamp = mono_ns();
		for (i = 0; i < got; i++) {
			if (used < sizeof(line) - 1)
				line[used++] = buf[i];
			if (buf[i] == '\n') {
				line[used] = '\0';
				if (printf("%lld %s", stamp, line) < 0) {
					perror("linestamp: cannot write stdout");
					return 1;
				}
				used = 0;
			}
		}
		fflush(stdout);
	}
	if (used) {
		line[used] = '\0';
		printf("%lld %s\n", stamp, line);
	}
	return fflush(stdout) ? 1 : 0;
}
