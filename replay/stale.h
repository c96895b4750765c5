/* SPDX-License-Identifier: MIT */
/*
 * stale - the stale-TLB exposure check of one policy for one VM.
 *
 * What it owns: which cores may hold the VM's translations under this
 * policy's own run ("holds": a core joins when a vcpu of the VM enters it and
 * never leaves, because a full flush on an entry empties the core and that
 * same entry fills it again), which of them are stale, and since when
 * (replay-model.md, "Stale-TLB exposures").
 *
 * Interface:
 *   stale_local()   a local invalidation from @core (-1 unknown): every holding
 *                   core but @core becomes stale (keeping an earlier mark's time)
 *   stale_reset()   an HPT reset: every holding core becomes stale
 *   stale_enter()   an entry on @core, @flushed or not: 1 = an exposure (with the
 *                   time the core was marked), 0 = none; the core then holds
 *   stale_grow()    room for a core beyond the ones seen (stale_enter calls it)
 *   stale_free()
 *
 * Algorithm: two bitsets of the same length (holds, stale) and the mark time
 * per core. A local invalidation ORs holds & ~stale & ~{core} into stale word
 * by word, so its cost is the number of 64-core words, not of events; only
 * newly marked bits get a time. Global invalidations mark nothing, so they
 * never call in here.
 */
#ifndef TLB_REPLAY_STALE_H
#define TLB_REPLAY_STALE_H

#include <stdbool.h>
#include <stdint.h>

#include "bitset.h"

struct stale {
	struct bitset holds;	/* cores a vcpu of the VM has entered */
	struct bitset stale;	/* cores that may hold stale translations */
	int64_t *marked_ts;	/* per core: when it became stale (valid if stale) */
	int64_t nmarked;	/* length of marked_ts: past the highest core entered, not
				 * a whole word of 64 (cores are dense indices, few per VM) */
};

void stale_local(struct stale *s, int64_t core, int64_t ts);
void stale_reset(struct stale *s, int64_t ts);
/* stale_grow - room for @core in holds, stale and marked_ts; 0 or -1 (ENOMEM).
 * Every core with a bit in holds has a marked_ts slot: a core joins holds
 * only in stale_enter(), which grows first. */
int stale_grow(struct stale *s, int64_t core);
void stale_free(struct stale *s);

/* 1 exposure (*marked_ts set), 0 none, -1 out of memory. Inline: once per entry
 * and policy, the hottest call of the replay after the scan itself. */
static inline int stale_enter(struct stale *s, int64_t core, bool flushed, int64_t *marked_ts)
{
	int64_t w = core / 64;
	uint64_t bit = 1ull << (core % 64);
	int exposed = 0;

	if ((w >= s->holds.nwords || core >= s->nmarked) && stale_grow(s, core))
		return -1;
	if (flushed) {
		s->stale.w[w] &= ~bit;
	} else if (s->stale.w[w] & bit) {
		*marked_ts = s->marked_ts[core];
		exposed = 1;
	}
	s->holds.w[w] |= bit;
	return exposed;
}

#endif
