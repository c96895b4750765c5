/* SPDX-License-Identifier: MIT */
/*
 * policy_tracked - the per-VM "holds" mask shared by `tracked` and `optimal`.
 *
 * What it owns: the state of replay-model.md's policy `tracked` (holds = the
 * cores that may hold the VM's translations, joined on an entry, emptied only
 * by an HPT reset; marked = the cores an HPT reset emptied, which flush on
 * their next entry) and its rules. Implemented in policy_tracked.c;
 * policy_optimal.c keeps the same holds, marks and forced flushes and differs
 * only in where an invalidation goes.
 *
 * Interface:
 *   holds_enter()   an entry on @core: 1 if the core was marked (a forced full
 *                   flush, the mark is cleared), 0 if not, -1 out of memory;
 *                   the core then holds
 *   holds_where()   where tracked sends an invalidation from @core (-1 unknown):
 *                   HOLDS_NONE (holds empty), HOLDS_LOCAL (holds == {core}),
 *                   HOLDS_GLOBAL (otherwise, an unknown core included)
 *   holds_reset()   an HPT reset: marked |= holds, holds = {}; 0 or -1
 *   holds_free()
 */
#ifndef TLB_REPLAY_POLICY_TRACKED_H
#define TLB_REPLAY_POLICY_TRACKED_H

#include <stdint.h>

#include "bitset.h"

struct holds {
	struct bitset holds;	/* cores that may hold the VM's translations */
	int64_t nholds;		/* popcount of holds */
	struct bitset marked;	/* cores to flush on next entry (after an HPT reset) */
};

enum holds_where { HOLDS_NONE = -1, HOLDS_GLOBAL = 0, HOLDS_LOCAL = 1 };

int holds_enter(struct holds *s, int64_t core);
enum holds_where holds_where(const struct holds *s, int64_t core);
int holds_reset(struct holds *s);
void holds_free(struct holds *s);

#endif
