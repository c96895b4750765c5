/* SPDX-License-Identifier: MIT */
/*
 * util - the small things every tlb* program shares: the error rule, the
 * message format, number parsing, progress on stderr, and the exit codes.
 *
 * Error rule (whole project): functions return 0 or -1 (errno or a message
 * buffer says why); constructors return NULL. Messages on stderr read
 * "tlbX: cannot <verb> <what>: <why>". Exit codes: 0 success, 1 a failed run
 * (I/O, privileges, the kernel said no), 2 bad usage or bad input.
 */
#ifndef TLB_UTIL_H
#define TLB_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define EXIT_RUN_FAILED 1
#define EXIT_BAD_INPUT 2

/* The build's version (`git describe`), generated into build/gen/version.c. */
extern const char tlb_version[];
#define TLB_VERSION tlb_version

/* Set once by main(): the program name used as the prefix of messages. */
extern const char *tlb_prog;

void tlb_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* parse_i64 - whole string as a decimal or 0x-hex integer. 0 or -1. */
int parse_i64(const char *s, int64_t *out);
/* parse_u64 - likewise, non-negative. */
int parse_u64(const char *s, uint64_t *out);
/* parse_double - whole string. 0 or -1. */
int parse_double(const char *s, double *out);

/* Monotonic clock in ns, for progress and benchmarks. */
uint64_t now_ns(void);

/*
 * Progress on stderr for long runs: silent for the first two seconds, then
 * one line a second, overwritten in place on a terminal. @total may be <= 0
 * (unknown). progress_done() ends the line if any was printed.
 */
struct progress {
	const char *what;
	int64_t total;
	uint64_t start_ns;
	uint64_t next_ns;
	bool printed;
	bool enabled;
};
void progress_init(struct progress *p, const char *what, int64_t total, bool enabled);
void progress_tick(struct progress *p, int64_t done);	/* cheap: call every ~64K items */
void progress_done(struct progress *p, int64_t done);

/* csv_field - @s (NULL: empty) as one RFC 4180 field: quoted, quotes doubled,
 * when it holds a comma, a quote, CR or LF. */
void csv_field(FILE *f, const char *s);

/* ISO 8601 UTC time of now, into @buf (at least 32 bytes). */
void iso8601_now(char *buf, size_t len);

#endif
