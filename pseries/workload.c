// SPDX-License-Identifier: MIT
/*
 * workload - the fork/mmap/munmap load the pseries harness runs inside the guest.
 *
 * One worker per online cpu (pinned with sched_setaffinity) loops until the
 * deadline: fork a child that maps an anonymous region, reads every page
 * (hash faults: H_ENTER), writes every page (the read-only HPTE is updated:
 * H_PROTECT), makes half of it read-only (mprotect: H_BULK_REMOVE / H_REMOVE),
 * unmaps it (H_BULK_REMOVE), dirties a page of its copy-on-write heap and
 * exits; the parent waits for it. Built static for ppc64el (make cross-ppc64el).
 *
 * USAGE: workload SECONDS [PAGES]    exit 0, 1 on a failed run, 2 on bad usage.
 * Prints "workload: N children on M cpus" at the end.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int child(long pages, long psize, char *heap, long heap_len)
{
	size_t len = (size_t)(pages * psize);
	volatile char *p;
	long i, sum = 0;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	for (i = 0; i < pages; i++)
		sum += p[i * psize];
	for (i = 0; i < pages; i++)
		p[i * psize] = (char)(i + sum);
	if (mprotect((void *)p, len / 2, PROT_READ))
		return 1;
	for (i = 0; i < pages / 2; i++)
		sum += p[i * psize];
	if (munmap((void *)p, len))
		return 1;
	heap[(getpid() * psize) % heap_len] = (char)sum;
	return 0;
}

static long worker(int cpu, double deadline, long pages, long psize)
{
	long heap_len = 16 * psize, n = 0;
	char *heap = malloc((size_t)heap_len);
	cpu_set_t set;

	if (!heap)
		return -1;
	memset(heap, 1, (size_t)heap_len);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	while (now() < deadline) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			return -1;
		if (pid == 0)
			_exit(child(pages, psize, heap, heap_len));
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			return -1;
		n++;
	}
	free(heap);
	return n;
}

int main(int argc, char **argv)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN), psize = sysconf(_SC_PAGESIZE);
	long pages = 32, total = 0, cpu;
	double secs, deadline;
	char *end;
	int failed = 0;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "USAGE: workload SECONDS [PAGES]\n");
		return 2;
	}
	secs = strtod(argv[1], &end);
	if (*end || secs <= 0 || secs > 3600) {
		fprintf(stderr, "workload: bad SECONDS '%s'\n", argv[1]);
		return 2;
	}
	if (argc == 3 && ((pages = strtol(argv[2], &end, 10)) < 2 || *end || pages > 65536)) {
		fprintf(stderr, "workload: bad PAGES '%s'\n", argv[2]);
		return 2;
	}
	deadline = now() + secs;
	for (cpu = 0; cpu < ncpu; cpu++) {
		int fds[2];
		pid_t pid;

		if (pipe(fds) || (pid = fork()) < 0) {
			fprintf(stderr, "workload: cannot fork worker %ld: %s\n", cpu, strerror(errno));
			return 1;
		}
		if (pid == 0) {
			long n = worker((int)cpu, deadline, pages, psize);

			close(fds[0]);
			if (write(fds[1], &n, sizeof(n)) != sizeof(n))
				_exit(1);
			_exit(n < 0);
		}
		close(fds[1]);
		/* read later: keep the read end in a small table by reusing fds[0] order */
		if (dup2(fds[0], 100 + (int)cpu) < 0)
			return 1;
		close(fds[0]);
	}
	for (cpu = 0; cpu < ncpu; cpu++) {
		long n = -1;

		if (read(100 + (int)cpu, &n, sizeof(n)) != sizeof(n) || n < 0) {
			fprintf(stderr, "workload: worker on cpu %ld failed\n", cpu);
			failed = 1;
		} else {
			total += n;
		}
	}
	while (wait(NULL) > 0)
		;
	printf("workload: %ld children on %ld cpus, %ld pages of %ld bytes each\n",
	       total, ncpu, pages, psize);
	return failed;
}
