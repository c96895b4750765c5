/* SPDX-License-Identifier: MIT */
/*
 * stale - the stale-TLB exposure check (interface and algorithm in stale.h).
 *
 * holds and stale always have the same number of words, and marked_ts a
 * slot for every core entered: they grow together in stale_grow(), called
 * from stale_enter(), the only place a core can join holds; marks are only
 * ever set on holding cores. A mark that is
 * already set keeps its time: the hazard row reports the invalidation that
 * first made the core stale.
 */
#include "stale.h"

#include <stdlib.h>

static void mark_word(struct stale *s, int64_t i, uint64_t newly, int64_t ts)
{
	s->stale.w[i] |= newly;
	while (newly) {
		int b = __builtin_ctzll(newly);

		s->marked_ts[i * 64 + b] = ts;
		newly &= newly - 1;
	}
}

void stale_local(struct stale *s, int64_t core, int64_t ts)
{
	for (int64_t i = 0; i < s->holds.nwords; i++) {
		uint64_t newly = s->holds.w[i] & ~s->stale.w[i];

		if (core >= 0 && core / 64 == i)
			newly &= ~(1ull << (core % 64));
		if (newly)
			mark_word(s, i, newly, ts);
	}
}

void stale_reset(struct stale *s, int64_t ts)
{
	for (int64_t i = 0; i < s->holds.nwords; i++) {
		uint64_t newly = s->holds.w[i] & ~s->stale.w[i];

		if (newly)
			mark_word(s, i, newly, ts);
	}
}

int stale_grow(struct stale *s, int64_t core)
{
	int64_t n = s->nmarked ? s->nmarked : 4;
	int64_t *m;

	if (bitset_grow(&s->holds, core) || bitset_grow(&s->stale, core))
		return -1;
	if (core < s->nmarked)
		return 0;
	while (n <= core)
		n *= 2;
	m = realloc(s->marked_ts, sizeof(*m) * (size_t)n);
	if (!m)
		return -1;
	for (int64_t i = s->nmarked; i < n; i++)
		m[i] = 0;
	s->marked_ts = m;
	s->nmarked = n;
	return 0;
}

void stale_free(struct stale *s)
{
	bitset_free(&s->holds);
	bitset_free(&s->stale);
	free(s->marked_ts);
	s->marked_ts = NULL;
	s->nmarked = 0;
}
