/* SPDX-License-Identifier: MIT */
/*
 * tap.h - TAP output for C test programs (run from a tests/tNNNN-*.sh wrapper,
 * counted by tests/run). TAP_EQ_I64(desc, expected, actual) and TAP_OK(desc, cond)
 * print one "ok N - desc" / "not ok N - desc" line each; tap_failed() is the
 * exit status.
 */
#ifndef TLB_TAP_H
#define TLB_TAP_H
#include <inttypes.h>
#include <stdio.h>

static int tap_n, tap_fails;

static inline void tap_ok(int cond, const char *desc)
{
	++tap_n;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", tap_n, desc);
	if (!cond)
		++tap_fails;
}

static inline void tap_eq_i64(const char *desc, int64_t want, int64_t got)
{
	tap_ok(want == got, desc);
	if (want != got)
		printf("#   expected %" PRId64 ", got %" PRId64 "\n", want, got);
}

#define TAP_OK(desc, cond) tap_ok((cond), (desc))
#define TAP_EQ_I64(desc, want, got) tap_eq_i64((desc), (int64_t)(want), (int64_t)(got))
static inline int tap_failed(void) { return tap_fails ? 1 : 0; }
#endif
