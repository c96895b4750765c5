/* SPDX-License-Identifier: MIT */
/*
 * util - messages, number parsing, clocks and progress shared by every tlb*
 * program. See util.h for the error rule and exit codes.
 *
 * Progress is throttled by the caller (tick every ~64K items) and by time
 * here: nothing for the first two seconds, so short runs stay quiet, then at
 * most one line a second. On a terminal the line is rewritten in place; to a
 * file or pipe each update is its own line, so logs stay readable.
 */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *tlb_prog = "tlb";

void tlb_msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", tlb_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int parse_u64(const char *s, uint64_t *out)
{
	int64_t v;

	if (!s || *s == '-' || parse_i64(s, &v) || v < 0)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void progress_init(struct progress *p, const char *what, int64_t total, bool enabled)
{
	p->what = what;
	p->total = total;
	p->start_ns = now_ns();
	p->next_ns = p->start_ns + 2000000000ull;
	p->printed = false;
	p->enabled = enabled;
}

static void progress_print(struct progress *p, int64_t done, const char *end)
{
	double secs = (double)(now_ns() - p->start_ns) / 1e9;
	double rate = secs > 0 ? (double)done / secs : 0;
	bool tty = isatty(STDERR_FILENO);

	if (p->total > 0)
		fprintf(stderr, "%s%s: %s %lld/%lld (%.0f%%), %.2f M/s, %.1f s%s",
			tty ? "\r" : "", tlb_prog, p->what, (long long)done,
			(long long)p->total, 100.0 * (double)done / (double)p->total,
			rate / 1e6, secs, tty ? end : "\n");
	else
		fprintf(stderr, "%s%s: %s %lld, %.2f M/s, %.1f s%s", tty ? "\r" : "",
			tlb_prog, p->what, (long long)done, rate / 1e6, secs,
			tty ? end : "\n");
	p->printed = true;
}

void progress_tick(struct progress *p, int64_t done)
{
	uint64_t now;

	if (!p->enabled)
		return;
	now = now_ns();
	if (now < p->next_ns)
		return;
	p->next_ns = now + 1000000000ull;
	progress_print(p, done, "");
}

void progress_done(struct progress *p, int64_t done)
{
	if (p->enabled && p->printed)
		progress_print(p, done, "\n");
}

void iso8601_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void csv_field(FILE *f, const char *s)
{
	if (!s)
		s = "";
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}
