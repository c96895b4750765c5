/* SPDX-License-Identifier: MIT */
/*
 * plot - see plot.h. The house style lives in gp_begin() only: a light grid
 * behind the data, a key outside the plot area on top, and the
 * same colour for a policy everywhere (old red, new blue, modern green,
 * tracked grey, optimal black and dashed), matched by the HTML tables' swatches.
 *
 * Running: gp_run_all() forks up to @jobs children, each chdir()s into the
 * plots directory and execs "gnuplot NAME.gp" with stdout/stderr to
 * NAME.log; it reaps them with waitpid() and starts the next script as each
 * finishes. gnuplot is found on PATH, or at $TLB_GNUPLOT when set.
 */
#include "plot.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "outdir.h"
#include "util.h"

FILE *gp_begin(const char *dir, const char *name, const char *what, const char *source,
	       struct gp_size size, char *err, size_t errlen)
{
	char path[4096];
	FILE *f;

	if ((size_t)snprintf(path, sizeof path, "%s/%s.gp", dir, name) >= sizeof path) {
		snprintf(err, errlen, "%s/%s.gp: path too long", dir, name);
		return NULL;
	}
	f = od_fopen(path);
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	fprintf(f,
		"# %s\n"
		"# Written by tlbreport %s from %s.\n"
		"# Redraw %s.png and %s.svg after editing:  gnuplot %s.gp  (in this directory)\n"
		"# The data are inline below; the style block after them is yours to change.\n"
		"# Plot size: %dx%d pixels.\n\n",
		what, TLB_VERSION, source, name, name, name, size.width, size.height);
	return f;
}

void gp_data_begin(FILE *f, const char *block)
{
	fprintf(f, "$%s << EOD\n", block);
}

void gp_data_end(FILE *f)
{
	fputs("EOD\n\n", f);
}

void gp_render_begin(FILE *f, const char *name, struct gp_size size)
{
	fputs("# --- style ---\n"
	      "set border 3 lw 1 lc rgb '#555555'\n"
	      "set tics nomirror out scale 0.6 textcolor rgb '#333333'\n"
	      "set grid ytics lw 1 lc rgb '#e3e3e3' dt 1\n"
	      "set grid back\n"
	      "set key outside top center horizontal samplen 2.5 spacing 1.1 width 1 noautotitle\n"
	      "set style fill solid 0.9 border rgb '#ffffff'\n"
	      "set datafile separator whitespace\n"
	      "set title font ',12' textcolor rgb '#111111'\n"
	      "\n", f);
	fprintf(f,
		"# --- render: one loop, two formats ---\n"
		"do for [fmt in \"png svg\"] {\n"
		"  if (fmt eq \"png\") {\n"
		"    set terminal pngcairo size %d,%d noenhanced font 'DejaVu Sans,10' background '#ffffff'\n"
		"  } else {\n"
		"    set terminal svg size %d,%d noenhanced font 'DejaVu Sans,10' background '#ffffff'\n"
		"  }\n"
		"  set output '%s.'.fmt\n"
		"  plot ",
		size.width, size.height, size.width, size.height, name);
}

void gp_render_end(FILE *f)
{
	fputs("\n  unset output\n}\n", f);
}

int gp_end(FILE *f)
{
	int bad = ferror(f);

	if (fclose(f) != 0 || bad)
		return -1;
	return 0;
}

const char *gp_policy_color(const char *policy, size_t index)
{
	static const char *const others[] = { "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf" };

	if (strcmp(policy, "old") == 0)
		return "#d62728";
	if (strcmp(policy, "new") == 0)
		return "#1f77b4";
	if (strcmp(policy, "modern") == 0)
		return "#2ca02c";
	if (strcmp(policy, "tracked") == 0 || strcmp(policy, "oracle") == 0)
		return "#7f7f7f";
	if (strcmp(policy, "optimal") == 0)
		return "#111111";
	return others[index % (sizeof others / sizeof others[0])];
}

void gp_escape(const char *s, char *out, size_t len)
{
	/*
	 * Only characters no gnuplot string, comment or data line gives a meaning
	 * to: no quote of either kind, no backslash, no backquote (command
	 * substitution inside double quotes), no '@' or '$' (macros, datablocks),
	 * no '#' or ';', no line end (a newline ends a comment or a data block),
	 * no control character, nothing beyond ASCII. Everything else becomes '?'.
	 * The full text is shown, escaped, in the HTML and Markdown instead.
	 */
	static const char keep[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789 ._-:/+=,()[]<>~!?*^";
	size_t n = 0;

	if (len == 0)
		return;
	for (; s && *s && n + 1 < len; s++)
		out[n++] = strchr(keep, *s) ? *s : '?';
	out[n] = '\0';
}

volatile sig_atomic_t gp_interrupted;

/* Start gnuplot on DIR/NAME.gp; the child's pid, or -1. */
static pid_t spawn_one(const char *dir, const char *name, const char *gnuplot)
{
	char script[1024], log[1024];
	pid_t pid;

	if ((size_t)snprintf(script, sizeof script, "%s.gp", name) >= sizeof script ||
	    (size_t)snprintf(log, sizeof log, "%s.log", name) >= sizeof log) {
		errno = ENAMETOOLONG;
		return -1;
	}
	pid = fork();
	if (pid != 0)
		return pid;
	/* Child: only async-signal-safe calls until exec. */
	if (chdir(dir) < 0)
		_exit(126);
	/* A fresh file in our private directory: never through a link. */
	int fd = open(log, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(126);
	execlp(gnuplot, gnuplot, script, (char *)NULL);
	_exit(127);
}

/* gnuplot says nothing when all is well: drop the empty log rather than litter the report. */
static void remove_empty_log(const char *dir, const char *name)
{
	char log[4200];
	struct stat st;

	if ((size_t)snprintf(log, sizeof log, "%s/%s.log", dir, name) >= sizeof log)
		return;
	if (stat(log, &st) == 0 && st.st_size == 0)
		unlink(log);
}

/* The last non-empty lines of DIR/NAME.log, joined, control characters as '?'. */
static void log_excerpt(const char *dir, const char *name, char *out, size_t len)
{
	char log[4200], buf[2048];
	FILE *f;
	size_t n;

	snprintf(out, len, "nothing");
	if ((size_t)snprintf(log, sizeof log, "%s/%s.log", dir, name) >= sizeof log ||
	    !(f = fopen(log, "r")))
		return;
	if (fseek(f, -(long)(sizeof buf - 1), SEEK_END) < 0)
		rewind(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	if (n == 0)
		return;
	const char *start = buf + (n > len - 1 ? n - (len - 1) : 0);
	size_t k = 0;

	for (const char *p = start; *p && k + 1 < len; p++)
		out[k++] = ((unsigned char)*p < 0x20 || *p == 0x7f) ? ' ' : *p;
	out[k] = '\0';
}

int gp_run_all(const char *dir, char *const *names, size_t n, int jobs, char *err, size_t errlen)
{
	const char *gnuplot = getenv("TLB_GNUPLOT");
	pid_t *pids;
	size_t next = 0, running = 0;
	int rc = 0;

	if (!gnuplot || !*gnuplot)
		gnuplot = "gnuplot";
	if (jobs < 1)
		jobs = 1;
	pids = calloc(n ? n : 1, sizeof *pids);
	if (!pids) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	fflush(NULL);	/* no buffered output duplicated into the children */
	while (next < n || running > 0) {
		while (rc == 0 && next < n && running < (size_t)jobs) {
			pids[next] = spawn_one(dir, names[next], gnuplot);
			if (pids[next] < 0) {
				snprintf(err, errlen, "cannot start %s: %s", gnuplot, strerror(errno));
				rc = -1;
				break;
			}
			next++;
			running++;
		}
		if (running == 0)
			break;
		int status;
		pid_t done = waitpid(-1, &status, 0);

		if (done < 0) {
			if (errno == EINTR && !gp_interrupted)
				continue;
			if (errno == EINTR) {
				/* Ctrl-C or a kill: stop the plots, the caller removes its directory. */
				for (size_t k = 0; k < next; k++)
					if (pids[k] > 0)
						kill(pids[k], SIGTERM);
				snprintf(err, errlen, "interrupted");
				rc = -1;
				break;
			}
			snprintf(err, errlen, "cannot wait for gnuplot: %s", strerror(errno));
			rc = -1;
			break;
		}
		size_t i;

		for (i = 0; i < next && pids[i] != done; i++)
			;
		if (i == next)
			continue;	/* not one of ours */
		running--;
		pids[i] = 0;
		remove_empty_log(dir, names[i]);
		if (rc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127) {
			snprintf(err, errlen, "cannot run %s (not installed? Debian: gnuplot-nox)", gnuplot);
			rc = -1;
		} else if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
			char said[300];

			/* The report directory goes away with the failure: quote the log here. */
			log_excerpt(dir, names[i], said, sizeof said);
			snprintf(err, errlen, "gnuplot failed on plots/%s.gp (it said: %s)", names[i], said);
			rc = -1;
		}
	}
	/* After a failure, let the children already started finish. */
	for (size_t i = 0; i < next; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
	free(pids);
	return rc;
}
