/* SPDX-License-Identifier: MIT */
/*
 * bitset - a growable set of core numbers, one bit per core.
 *
 * Used by the stale tracker and by tracked and optimal. Bits beyond the allocated words
 * read as 0; bitset_grow() extends with zeroes when a core beyond the
 * machine's known cores shows up. Memory is bounded by the highest core seen.
 *
 * Interface (all inline):
 *   bitset_grow()    make room for bit @b (zero-filled); 0 or -1 (ENOMEM)
 *   bitset_test()    is bit @b set? (false beyond the words)
 *   bitset_set()     set bit @b (room must exist)
 *   bitset_clear()   clear bit @b (no-op beyond the words)
 *   bitset_free()
 */
#ifndef TLB_REPLAY_BITSET_H
#define TLB_REPLAY_BITSET_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct bitset {
	uint64_t *w;		/* words, bit b in w[b / 64] */
	int64_t nwords;		/* allocated words */
};

/* Room for bit @b; the new words are zero. */
static inline int bitset_grow(struct bitset *s, int64_t b)
{
	int64_t need = b / 64 + 1, n;
	uint64_t *w;

	if (need <= s->nwords)
		return 0;
	n = s->nwords ? s->nwords : 1;
	while (n < need)
		n *= 2;
	w = realloc(s->w, sizeof(*w) * (size_t)n);
	if (!w)
		return -1;
	memset(w + s->nwords, 0, sizeof(*w) * (size_t)(n - s->nwords));
	s->w = w;
	s->nwords = n;
	return 0;
}

static inline bool bitset_test(const struct bitset *s, int64_t b)
{
	return b >= 0 && b / 64 < s->nwords && (s->w[b / 64] >> (b % 64) & 1);
}

static inline void bitset_set(struct bitset *s, int64_t b)
{
	s->w[b / 64] |= 1ull << (b % 64);
}

static inline void bitset_clear(struct bitset *s, int64_t b)
{
	if (b >= 0 && b / 64 < s->nwords)
		s->w[b / 64] &= ~(1ull << (b % 64));
}

static inline void bitset_free(struct bitset *s)
{
	free(s->w);
	s->w = NULL;
	s->nwords = 0;
}

#endif
