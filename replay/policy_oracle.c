/* SPDX-License-Identifier: MIT */
/*
 * policy_oracle - perfect knowledge of which cores may hold the VM's
 * translations: what no real kernel can know, the floor to measure the
 * others against (replay-model.md, "Policy oracle"). It models no kernel
 * function; its sequences are the kernel's (tlbiel / tlbie, full flush).
 *
 * State: holds = cores that may hold the VM's translations (a core joins on
 * an entry and leaves only at an HPT reset), nholds = its size, and marked =
 * cores an HPT reset emptied that must flush on their next entry.
 *   enter on c:       if marked[c]: full flush, unmark. holds += c.
 *   invalidation of n from c: holds empty: nothing; holds == {c}: one local
 *                     sequence of n; else global (one sequence of n for an
 *                     hcall, n sequences of 1 for a host_inval). An unknown
 *                     core never equals a holding core, so it goes global.
 *   hpt_reset:        marked |= holds; holds = {}.
 */
#include <stdlib.h>

#include "bitset.h"
#include "hcall.h"
#include "policy.h"

struct oracle_state {
	struct bitset holds;	/* cores that may hold the VM's translations */
	int64_t nholds;		/* popcount of holds */
	struct bitset marked;	/* cores to flush on next entry (after an HPT reset) */
};

static int oracle_init(struct pctx *p)
{
	p->state = calloc(1, sizeof(struct oracle_state));
	return p->state ? 0 : -1;
}

static void oracle_fini(struct pctx *p)
{
	struct oracle_state *s = p->state;

	if (s) {
		bitset_free(&s->holds);
		bitset_free(&s->marked);
		free(s);
	}
	p->state = NULL;
}

static int oracle_enter(struct pctx *p, const struct pev *e)
{
	struct oracle_state *s = p->state;
	int flushed = 0;

	if (bitset_test(&s->marked, e->core)) {
		bitset_clear(&s->marked, e->core);
		pc_full_flush(p);
		flushed = 1;
	}
	if (!bitset_test(&s->holds, e->core)) {
		if (bitset_grow(&s->holds, e->core))
			return -1;
		bitset_set(&s->holds, e->core);
		s->nholds++;
	}
	return flushed;
}

/* 1 local, 0 global, -1 nothing to do. */
static int where(const struct oracle_state *s, int64_t core)
{
	if (s->nholds == 0)
		return -1;
	return s->nholds == 1 && bitset_test(&s->holds, core);
}

static int oracle_hcall(struct pctx *p, const struct pev *e)
{
	int w = where(p->state, e->core);

	if (w == 1)
		pc_local(p, e->n, e->core, e->ts);
	else if (w == 0)
		pc_global(p, e->n);
	return 0;
}

static int oracle_host_inval(struct pctx *p, const struct pev *e)
{
	int w = where(p->state, e->core);

	if (w == 1)
		pc_local(p, e->n, e->core, e->ts);
	else if (w == 0)
		pc_global_each(p, e->n);
	return 0;
}

static int oracle_hpt_reset(struct pctx *p, const struct pev *e)
{
	struct oracle_state *s = p->state;

	(void)e;
	if (s->holds.nwords && bitset_grow(&s->marked, s->holds.nwords * 64 - 1))
		return -1;
	for (int64_t i = 0; i < s->holds.nwords; i++) {
		s->marked.w[i] |= s->holds.w[i];
		s->holds.w[i] = 0;
	}
	s->nholds = 0;
	return 0;
}

const struct policy_ops policy_oracle = {
	.name = "oracle",
	.models = "no kernel: exact set of cores that may hold the VM (the floor)",
	.init = oracle_init,
	.fini = oracle_fini,
	.enter = oracle_enter,
	.hcall = oracle_hcall,
	.host_inval = oracle_host_inval,
	.hpt_reset = oracle_hpt_reset,
};
