/* SPDX-License-Identifier: MIT */
/*
 * policy_tracked - a per-VM mask of the cores that ran the VM (replay-model.md,
 * "Policy tracked"; it was called `oracle` before the spec's floor became
 * `optimal`). A policy a kernel could run: it models no kernel function of
 * any release, its sequences are the kernel's (tlbiel / tlbie, full flush).
 * It is not a floor: holds only shrinks at an HPT reset, so a one-vcore VM
 * that visited two cores goes global for good, where `modern` flushes.
 *
 * Rules (state and helpers in policy_tracked.h, shared with optimal):
 *   enter on c:       if marked[c]: full flush, unmark. holds += c.
 *   invalidation of n from c: holds empty: nothing; holds == {c}: one local
 *                     sequence of n; else global (one sequence of n for an
 *                     hcall, n sequences of 1 for a host_inval). An unknown
 *                     core never equals a holding core, so it goes global.
 *   hpt_reset:        marked |= holds; holds = {}.
 */
#include <stdlib.h>

#include "policy.h"
#include "policy_tracked.h"

int holds_enter(struct holds *s, int64_t core)
{
	int flushed = 0;

	if (bitset_test(&s->marked, core)) {
		bitset_clear(&s->marked, core);
		flushed = 1;
	}
	if (!bitset_test(&s->holds, core)) {
		if (bitset_grow(&s->holds, core))
			return -1;
		bitset_set(&s->holds, core);
		s->nholds++;
	}
	return flushed;
}

enum holds_where holds_where(const struct holds *s, int64_t core)
{
	if (s->nholds == 0)
		return HOLDS_NONE;
	return s->nholds == 1 && bitset_test(&s->holds, core) ? HOLDS_LOCAL : HOLDS_GLOBAL;
}

int holds_reset(struct holds *s)
{
	if (s->holds.nwords && bitset_grow(&s->marked, s->holds.nwords * 64 - 1))
		return -1;
	for (int64_t i = 0; i < s->holds.nwords; i++) {
		s->marked.w[i] |= s->holds.w[i];
		s->holds.w[i] = 0;
	}
	s->nholds = 0;
	return 0;
}

void holds_free(struct holds *s)
{
	bitset_free(&s->holds);
	bitset_free(&s->marked);
}

static int tracked_init(struct pctx *p)
{
	p->state = calloc(1, sizeof(struct holds));
	return p->state ? 0 : -1;
}

static void tracked_fini(struct pctx *p)
{
	if (p->state) {
		holds_free(p->state);
		free(p->state);
	}
	p->state = NULL;
}

static int tracked_enter(struct pctx *p, const struct pev *e)
{
	int flushed = holds_enter(p->state, e->core);

	if (flushed == 1)
		pc_full_flush(p);
	return flushed;
}

static int tracked_hcall(struct pctx *p, const struct pev *e)
{
	enum holds_where w = holds_where(p->state, e->core);

	if (w == HOLDS_LOCAL)
		pc_local(p, e->n, e->core, e->ts);
	else if (w == HOLDS_GLOBAL)
		pc_global(p, e->n);
	return 0;
}

static int tracked_host_inval(struct pctx *p, const struct pev *e)
{
	enum holds_where w = holds_where(p->state, e->core);

	if (w == HOLDS_LOCAL)
		pc_local(p, e->n, e->core, e->ts);
	else if (w == HOLDS_GLOBAL)
		pc_global_each(p, e->n);
	return 0;
}

static int tracked_hpt_reset(struct pctx *p, const struct pev *e)
{
	(void)e;
	return holds_reset(p->state);
}

const struct policy_ops policy_tracked = {
	.name = "tracked",
	.mmu = TDB_MMU_HASH,
	.models = "no kernel release: a per-VM mask of the cores that ran the VM, emptied at an HPT reset (was `oracle`)",
	.init = tracked_init,
	.fini = tracked_fini,
	.enter = tracked_enter,
	.hcall = tracked_hcall,
	.host_inval = tracked_host_inval,
	.hpt_reset = tracked_hpt_reset,
};
