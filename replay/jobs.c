/* SPDX-License-Identifier: MIT */
/*
 * jobs - several traces in child processes (interface and formats in jobs.h).
 *
 * The parent holds no SQLite connection when it forks (traceset_group
 * closes what it opened), so a child starts clean. A child's stdio buffers
 * are flushed before it _exits; the parent flushes its own before each fork
 * so that nothing it buffered is written twice.
 */
#include "jobs.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

/* Traces started but not yet printed, at most: each holds its stdout file open until
 * the traces before it are printed, so one slow trace must not let the others use
 * up the process's file descriptors (2 per running child, 1 per finished one). */
#define JOBS_WINDOW 400

struct job {
	pid_t pid;
	FILE *out, *err;	/* the child's stdout and stderr (unlinked files) */
	uint64_t start_ns;
	int code;
	bool done;
};

static int launch(struct job *j, int i, job_fn fn, void *arg)
{
	j->out = tmpfile();
	j->err = tmpfile();
	if (!j->out || !j->err)
		return -1;
	fflush(stdout);
	fflush(stderr);
	j->start_ns = now_ns();
	j->pid = fork();
	if (j->pid < 0)
		return -1;
	if (j->pid == 0) {
		int rc;

		if (dup2(fileno(j->out), STDOUT_FILENO) < 0 || dup2(fileno(j->err), STDERR_FILENO) < 0)
			_exit(EXIT_RUN_FAILED);
		rc = fn(arg, i);
		if (fflush(stdout) || fflush(stderr))
			rc = EXIT_RUN_FAILED;
		_exit(rc);
	}
	return 0;
}

/* Copy what is left of @from (rewound) to @to; -1 if reading or writing failed. */
static int copy_all(FILE *from, FILE *to)
{
	char buf[65536];
	size_t n;

	rewind(from);
	while ((n = fread(buf, 1, sizeof(buf), from)) > 0)
		if (fwrite(buf, 1, n, to) != n)
			return -1;
	return ferror(from) ? -1 : 0;
}

/* A finished trace's stdout, in the several-traces layout of @fmt. @shown: traces
 * printed before it (0: the first). 1 printed, 0 nothing to print (failed or
 * skipped), -1 when reading or writing failed. */
static int emit(struct job *j, const char *name, enum out_format fmt, int shown)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool header = true, kf = false;
	long size;

	if (j->code != 0)
		return 0;
	if (fseek(j->out, 0, SEEK_END) || (size = ftell(j->out)) < 0)
		return -1;
	if (size == 0)
		return 0;	/* skipped */
	if (fmt == OUT_TABLE) {
		if (shown)
			fputc('\n', stdout);
		return copy_all(j->out, stdout) ? -1 : 1;
	}
	if (fmt == OUT_JSON) {
		/* the object as alone, its last newline replaced by the array's separator */
		fputs(shown ? ",\n" : "[\n", stdout);
		rewind(j->out);
		for (long k = 0; k < size - 1; k++) {
			int c = fgetc(j->out);

			if (c == EOF || fputc(c, stdout) == EOF)
				return -1;
		}
		return 1;
	}
	rewind(j->out);
	while ((n = getline(&line, &cap, j->out)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (header) {
			header = false;
			kf = strstr(line, ",kernel_flushes") != NULL;
			if (!shown)
				printf("trace,%s%s\n", line, kf ? "" : ",kernel_flushes");
			continue;
		}
		csv_field(stdout, name);
		printf(",%s%s\n", line, kf ? "" : ",");
	}
	free(line);
	return ferror(j->out) || ferror(stdout) ? -1 : 1;
}

int jobs_run(const struct traceset *ts, int njobs, enum out_format fmt, bool quiet, job_fn fn,
	     void *arg)
{
	struct job *jobs = calloc((size_t)ts->n, sizeof(*jobs));
	int next = 0, running = 0, emitted = 0, finished = 0, shown = 0, worst = 0;
	bool write_failed = false;

	if (!jobs) {
		tlb_msg("cannot replay: out of memory");
		return EXIT_RUN_FAILED;
	}
	while (emitted < ts->n) {
		int status;
		pid_t pid;
		int i;

		while (running < njobs && next < ts->n && next - emitted < JOBS_WINDOW) {
			if (launch(&jobs[next], next, fn, arg)) {
				tlb_msg("cannot replay %s: cannot start its process: %s",
					ts->t[next].name, strerror(errno));
				jobs[next].code = EXIT_RUN_FAILED;
				jobs[next].done = true;
				worst = worst > EXIT_RUN_FAILED ? worst : EXIT_RUN_FAILED;
				finished++;
			} else {
				running++;
			}
			next++;
		}
		if (running > 0) {
			pid = waitpid(-1, &status, 0);
			if (pid < 0) {
				if (errno == EINTR)
					continue;
				tlb_msg("cannot wait for the replays: %s", strerror(errno));
				worst = EXIT_RUN_FAILED;
				break;
			}
			for (i = 0; i < next && jobs[i].pid != pid; i++)
				;
			if (i == next || jobs[i].done)
				continue;	/* not one of ours */
			running--;
			finished++;
			jobs[i].done = true;
			if (WIFEXITED(status))
				jobs[i].code = WEXITSTATUS(status);
			else
				jobs[i].code = EXIT_RUN_FAILED;
			fflush(stdout);
			if (copy_all(jobs[i].err, stderr))
				write_failed = true;
			fclose(jobs[i].err);
			jobs[i].err = NULL;
			if (WIFSIGNALED(status))
				tlb_msg("cannot replay %s: its process was killed by signal %d",
					ts->t[i].name, WTERMSIG(status));
			if (jobs[i].code != 0)
				tlb_msg("[%d/%d] %s: failed (exit %d)", finished, ts->n, ts->t[i].name,
					jobs[i].code);
			else if (!quiet && fseek(jobs[i].out, 0, SEEK_END) == 0 && ftell(jobs[i].out) > 0)
				tlb_msg("[%d/%d] %s: done in %.1f s", finished, ts->n, ts->t[i].name,
					(double)(now_ns() - jobs[i].start_ns) / 1e9);
			if (jobs[i].code > worst)
				worst = jobs[i].code;
		}
		for (; emitted < ts->n && jobs[emitted].done; emitted++) {
			struct job *j = &jobs[emitted];

			int r = j->out ? emit(j, ts->t[emitted].name, fmt, shown) : 0;

			if (r < 0)
				write_failed = true;
			else
				shown += r;
			if (j->out)
				fclose(j->out);
			if (j->err)
				fclose(j->err);
			j->out = j->err = NULL;
		}
	}
	if (fmt == OUT_JSON)
		fputs(shown ? "\n]\n" : "[]\n", stdout);
	if (fflush(stdout) || ferror(stdout))
		write_failed = true;
	for (int i = 0; i < ts->n; i++) {
		if (jobs[i].out)
			fclose(jobs[i].out);
		if (jobs[i].err)
			fclose(jobs[i].err);
	}
	free(jobs);
	if (write_failed) {
		tlb_msg("cannot write the results: stdout failed");
		if (worst < EXIT_RUN_FAILED)
			worst = EXIT_RUN_FAILED;
	}
	return worst;
}
