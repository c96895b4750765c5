/* SPDX-License-Identifier: MIT */
/*
 * policy_optimal - the floor: the cheapest schedule with no stale exposure for
 * this very trace, decided offline per VM by a minimum cut (replay-model.md,
 * "Policy optimal"; the network and why its residual cut is the one to report
 * are in mincut.h). No kernel can run it; every safe policy costs at least as
 * much on the same trace.
 *
 * Rules: holds, marks and forced flushes exactly as `tracked`
 * (policy_tracked.h). An invalidation with holds empty issues nothing; one
 * from an unknown core is global. Every other invalidation i (from core k, n
 * entries) has a choice: global, or local with a *window* at the next entry
 * of every other holding core o (none when o never enters again, or when that
 * entry is an HPT reset's forced flush anyway). w_i = cost(global) -
 * cost(local); w_i <= 0 is global; no window and w_i > 0 is local; the rest is
 * the minimum cut's.
 *
 * Three passes over the trace (policy_ops.passes; the engine re-reads the
 * trace for this policy alone after the first), because a decision at time t
 * depends on entries after t, and the stale check and the series must see
 * the decisions in trace order:
 *   pass 1 (beside the other policies): per VM, the index of each core's last
 *          entry of the VM, so that pass 2 never opens a window that no entry
 *          will close. Memory: one integer per core.
 *   pass 2: the network, one component at a time. A window opens when the
 *          first invalidation needing it comes, and closes at its core's next
 *          entry (void if that entry is a forced flush). When a VM has no open
 *          window left, no later invalidation can reach its pending nodes, so
 *          the component is complete: it is solved and dropped, leaving only
 *          its decisions: one bit per invalidation with a choice (1 = local)
 *          and the entry index of each window that flushes. Consecutive
 *          invalidations from the same core with the same windows (no entry on
 *          another core between them, no reset) are one node with the sum of
 *          their w: every minimum cut keeps such nodes on the same side (moving
 *          one across to join the other only lowers the cut), so merging them
 *          changes neither the cost nor the reported cut, and a burst of
 *          H_REMOVEs costs one node, not one per hcall. Memory grows with the
 *          largest component, not with the trace. While a component grows it
 *          is pruned (compact()) each time its arcs double: a closed window
 *          whose invalidations' w add up to at most F is never flushed in the
 *          reported cut, and none of those invalidations goes local (taking
 *          them and the window out of any minimum cut's source side costs
 *          w - F <= 0, so the smallest source side never holds them); they
 *          leave the network as global, which can make other windows cheap
 *          enough to prune in turn. With the profile costs (F = 22660 against
 *          w = 740 per HPTE) this keeps busy SMP VMs' components small.
 *   pass 3: the decisions applied in trace order through the ordinary
 *          sequences (pc_local, pc_global, pc_full_flush), so counts, series,
 *          hazards, the stale check and the timeline see optimal exactly as
 *          they see the others: a window's flush at its entry.
 * When `optimal` is not asked for, the engine reads the trace once, as before.
 *
 * Costs: saturating, each finite capacity kept below MINCUT_INF / 4 (a trace
 * with n beyond ~2^58 HPTEs would only lose exactness in the cut's cost, never
 * overflow). The decisions depend on the costs: a cost sweep must re-solve.
 */
#include <stdlib.h>
#include <string.h>

#include "hcall.h"
#include "i64array.h"
#include "mincut.h"
#include "policy.h"
#include "policy_tracked.h"

#define COST_CAP (MINCUT_INF / 4)
#define COMPACT_MIN_ARCS 16		/* small, so that the tests' small traces prune too */

enum node_kind { NODE_INV, NODE_WINDOW };

/* What a node of the pending component stands for. */
struct onode {
	int64_t a;	/* INV: first choice bit; WINDOW: entry index that closed it (0 = open) */
	int64_t b;	/* INV: last choice bit;  WINDOW: 1 if void (a forced flush anyway) */
	int64_t w;	/* INV: summed w;         WINDOW: unused */
	int kind;
	bool dead;	/* INV: pruned, global for sure (compact()) */
};

struct optimal_state {
	struct holds h;
	int64_t nentries;		/* entries of the VM so far in this pass */
	int64_t *last_entry;		/* per core: index of its last entry (pass 1) */
	int64_t nlast;
	/* pass 2: the pending component */
	struct mincut g;
	struct onode *node;		/* per mincut node id (0 and 1 unused) */
	int64_t capnode;
	int64_t *open_win;		/* per core: node of its open window, or 0 */
	int64_t nopen_cores;
	int64_t nopen;			/* open windows */
	int64_t group;			/* node of the invalidation group being extended, or 0 */
	int64_t group_core;
	int64_t compact_at;		/* arcs at which the component is pruned next */
	/* decisions, pass 2 -> pass 3 */
	uint64_t *bits;			/* per invalidation with a choice: 1 = local */
	int64_t nbits, capbits;		/* bits used, words allocated */
	int64_t *flush;			/* entry indices whose window flushes, ascending */
	int64_t nflush, capflush;
	/* pass 3 cursors */
	int64_t bit_at, flush_at;
	/* costs in cycles (saturating) */
	int64_t F;
};

static int64_t sat_add(int64_t a, int64_t b)
{
	return a > COST_CAP - b ? COST_CAP : a + b;
}

static int64_t sat_mul(int64_t a, int64_t b)
{
	if (a == 0 || b == 0)
		return 0;
	return a > COST_CAP / b ? COST_CAP : a * b;
}

static int64_t cost_local(const struct machine *m, int64_t n)
{
	return sat_add(sat_mul(2, m->cost[COST_PTESYNC]), sat_mul(n, m->cost[COST_TLBIEL]));
}

static int64_t cost_global_seq(const struct machine *m, int64_t n)
{
	int64_t c = sat_add(m->cost[COST_LOCK], sat_mul(2, m->cost[COST_PTESYNC]));

	c = sat_add(c, sat_add(m->cost[COST_EIEIO], m->cost[COST_TLBSYNC]));
	return sat_add(c, sat_mul(n, m->cost[COST_TLBIE]));
}

/* cost(global i) - cost(local i); an hcall's global is one sequence of n, a
 * host_inval's n sequences of 1 (what tracked issues). */
static int64_t choice_gain(const struct machine *m, bool host, int64_t n)
{
	int64_t g = host ? sat_mul(n, cost_global_seq(m, 1)) : cost_global_seq(m, n);

	return g - cost_local(m, n);
}

static int optimal_init(struct pctx *p)
{
	struct optimal_state *s = calloc(1, sizeof(*s));
	const struct machine *m = p->m;

	if (!s)
		return -1;
	mincut_init(&s->g);
	s->compact_at = COMPACT_MIN_ARCS;
	s->F = sat_add(sat_add(sat_mul(2, m->cost[COST_PTESYNC]),
			       sat_mul(m->cost[COST_SETS], m->cost[COST_TLBIEL])),
		       m->cost[COST_FLUSH_REFILL]);
	p->state = s;
	return 0;
}

static void free_pass2(struct optimal_state *s)
{
	mincut_free(&s->g);
	free(s->node);
	s->node = NULL;
	s->capnode = 0;
	free(s->open_win);
	s->open_win = NULL;
	s->nopen_cores = 0;
	free(s->last_entry);
	s->last_entry = NULL;
	s->nlast = 0;
}

static void optimal_fini(struct pctx *p)
{
	struct optimal_state *s = p->state;

	if (s) {
		holds_free(&s->h);
		free_pass2(s);
		free(s->bits);
		free(s->flush);
		free(s);
	}
	p->state = NULL;
}

/* ---- decisions ---- */

static int bit_new(struct optimal_state *s, bool local)
{
	int64_t q = s->nbits;

	if (q / 64 >= s->capbits) {
		int64_t cap = s->capbits ? s->capbits * 2 : 16;
		uint64_t *b = realloc(s->bits, sizeof(*b) * (size_t)cap);

		if (!b)
			return -1;
		memset(b + s->capbits, 0, sizeof(*b) * (size_t)(cap - s->capbits));
		s->bits = b;
		s->capbits = cap;
	}
	if (local)
		s->bits[q / 64] |= 1ull << (q % 64);
	s->nbits++;
	return 0;
}

static bool bit_get(const struct optimal_state *s, int64_t q)
{
	return s->bits[q / 64] >> (q % 64) & 1;
}

static int flush_add(struct optimal_state *s, int64_t entry)
{
	if (s->nflush == s->capflush) {
		int64_t cap = s->capflush ? s->capflush * 2 : 16;
		int64_t *f = realloc(s->flush, sizeof(*f) * (size_t)cap);

		if (!f)
			return -1;
		s->flush = f;
		s->capflush = cap;
	}
	s->flush[s->nflush++] = entry;
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* ---- pass 2: the network ---- */

static int64_t node_new(struct optimal_state *s, int kind)
{
	int64_t id = mincut_node(&s->g);

	if (id < 0)
		return -1;
	if (id >= s->capnode) {
		int64_t cap = s->capnode ? s->capnode * 2 : 64;
		struct onode *n = realloc(s->node, sizeof(*n) * (size_t)cap);

		if (!n)
			return -1;
		s->node = n;
		s->capnode = cap;
	}
	memset(&s->node[id], 0, sizeof(s->node[id]));
	s->node[id].kind = kind;
	return id;
}

/* The pending component is complete (or the trace is over): solve it, keep
 * the decisions, drop the network. A window still open at the end (none
 * should be: pass 1 only lets windows open that an entry will close) is void. */
static int solve_component(struct optimal_state *s)
{
	int64_t n = mincut_nodes(&s->g), first_flush = s->nflush;

	if (n <= 2)
		goto done;
	for (int64_t id = 2; id < n; id++) {
		const struct onode *o = &s->node[id];
		int rc;

		if (o->kind == NODE_INV)
			rc = mincut_arc(&s->g, MINCUT_S, id, o->w);
		else
			rc = mincut_arc(&s->g, id, MINCUT_T, o->b || !o->a ? 0 : s->F);
		if (rc)
			return -1;
	}
	if (mincut_solve(&s->g))
		return -1;
	for (int64_t id = 2; id < n; id++) {
		const struct onode *o = &s->node[id];

		if (!mincut_source_side(&s->g, id))
			continue;
		if (o->kind == NODE_INV) {
			for (int64_t q = o->a; q <= o->b; q++)
				s->bits[q / 64] |= 1ull << (q % 64);
		} else if (!o->b && o->a && flush_add(s, o->a)) {
			return -1;
		}
	}
	if (s->nflush > first_flush)
		qsort(s->flush + first_flush, (size_t)(s->nflush - first_flush), sizeof(*s->flush),
		      cmp_i64);
done:
	mincut_reset(&s->g);
	s->group = 0;
	s->compact_at = COMPACT_MIN_ARCS;
	/* a large component's buffers go back; small ones are reused */
	if (s->g.caparcs > (1 << 22)) {
		mincut_free(&s->g);
		free(s->node);
		s->node = NULL;
		s->capnode = 0;
	}
	return 0;
}

/* Prune the pending component (the rule is in the header): kill the
 * invalidations of closed, non-void windows whose live w sum to <= F, a few
 * rounds, then drop dead invalidations and windows no live one needs (open
 * windows stay: later invalidations may still need them), renumbering. */
static int compact(struct optimal_state *s)
{
	int64_t n = mincut_nodes(&s->g), next = 2;
	const struct mincut_edge *ed = s->g.edge;
	int64_t *u = calloc((size_t)n, sizeof(*u)), *map = malloc(sizeof(*map) * (size_t)n);
	bool changed = true;

	if (!u || !map) {
		free(u);
		free(map);
		return -1;
	}
	for (int round = 0; changed && round < 8; round++) {
		changed = false;
		memset(u, 0, sizeof(*u) * (size_t)n);
		for (int64_t i = 0; i < mincut_arcs(&s->g); i++)
			if (!s->node[ed[i].u].dead)
				u[ed[i].v] = sat_add(u[ed[i].v], s->node[ed[i].u].w);
		for (int64_t i = 0; i < mincut_arcs(&s->g); i++) {
			const struct onode *win = &s->node[ed[i].v];

			if (!s->node[ed[i].u].dead && win->a && !win->b && u[ed[i].v] <= s->F) {
				s->node[ed[i].u].dead = true;
				changed = true;
			}
		}
	}
	memset(u, 0, sizeof(*u) * (size_t)n);	/* now: has a live invalidation */
	for (int64_t i = 0; i < mincut_arcs(&s->g); i++)
		if (!s->node[ed[i].u].dead)
			u[ed[i].v] = 1;
	map[0] = 0;
	map[1] = 1;
	for (int64_t id = 2; id < n; id++) {
		const struct onode *o = &s->node[id];
		bool keep = o->kind == NODE_INV ? !o->dead : (!o->a || u[id]);

		map[id] = keep ? next : -1;
		if (keep)
			s->node[next++] = *o;	/* next <= id: moves down in place */
	}
	for (int64_t c = 0; c < s->nopen_cores; c++)
		if (s->open_win[c])
			s->open_win[c] = map[s->open_win[c]];
	if (s->group)
		s->group = map[s->group] > 0 ? map[s->group] : 0;
	mincut_compact(&s->g, map, next);
	free(u);
	free(map);
	s->compact_at = 2 * mincut_arcs(&s->g) > COMPACT_MIN_ARCS ? 2 * mincut_arcs(&s->g)
								   : COMPACT_MIN_ARCS;
	return 0;
}

static int pass2_enter(struct optimal_state *s, int64_t core)
{
	bool forced = bitset_test(&s->h.marked, core);
	int64_t w = core < s->nopen_cores ? s->open_win[core] : 0;

	s->nentries++;
	if (w) {
		s->node[w].a = s->nentries;
		s->node[w].b = forced;
		s->open_win[core] = 0;
		s->nopen--;
	}
	if (s->group && core != s->group_core)
		s->group = 0;		/* the next invalidation has other windows */
	if (holds_enter(&s->h, core) < 0)
		return -1;
	if (w && s->nopen == 0)
		return solve_component(s);
	return 0;
}

/* An invalidation from known core @k with holds not empty. */
static int pass2_inval(struct optimal_state *s, const struct machine *m, int64_t k, bool host,
		       int64_t n)
{
	int64_t gain = choice_gain(m, host, n), q = s->nbits, inv;
	bool windows = false;

	if (gain <= 0) {
		s->group = 0;
		return bit_new(s, false);
	}
	for (int64_t wd = 0; wd < s->h.holds.nwords && !windows; wd++) {
		uint64_t bits = s->h.holds.w[wd];

		while (bits) {
			int64_t o = wd * 64 + __builtin_ctzll(bits);

			bits &= bits - 1;
			if (o != k && o < s->nlast && s->last_entry[o] > s->nentries) {
				windows = true;
				break;
			}
		}
	}
	if (!windows) {
		s->group = 0;
		return bit_new(s, true);
	}
	if (bit_new(s, false))
		return -1;
	if (s->group && s->group_core == k) {
		s->node[s->group].b = q;
		s->node[s->group].w = sat_add(s->node[s->group].w, gain);
		return 0;
	}
	inv = node_new(s, NODE_INV);
	if (inv < 0)
		return -1;
	s->node[inv].a = s->node[inv].b = q;
	s->node[inv].w = gain;
	for (int64_t wd = 0; wd < s->h.holds.nwords; wd++) {
		uint64_t bits = s->h.holds.w[wd];

		while (bits) {
			int64_t o = wd * 64 + __builtin_ctzll(bits), win;

			bits &= bits - 1;
			if (o == k || o >= s->nlast || s->last_entry[o] <= s->nentries)
				continue;
			if (i64array_grow(&s->open_win, &s->nopen_cores, o, 0))
				return -1;
			win = s->open_win[o];
			if (!win) {
				win = node_new(s, NODE_WINDOW);
				if (win < 0)
					return -1;
				s->open_win[o] = win;
				s->nopen++;
			}
			if (mincut_arc(&s->g, inv, win, MINCUT_INF))
				return -1;
		}
	}
	s->group = inv;
	s->group_core = k;
	if (mincut_arcs(&s->g) >= s->compact_at)
		return compact(s);
	return 0;
}

/* ---- the callbacks, by pass ---- */

static int optimal_enter(struct pctx *p, const struct pev *e)
{
	struct optimal_state *s = p->state;
	int flushed;

	switch (p->pass) {
	case 0:
		if (i64array_grow(&s->last_entry, &s->nlast, e->core, 0))
			return -1;
		s->last_entry[e->core] = ++s->nentries;
		return 0;
	case 1:
		return pass2_enter(s, e->core) ? -1 : 0;
	default:
		s->nentries++;
		flushed = holds_enter(&s->h, e->core);
		if (flushed < 0)
			return -1;
		/* a window's flush; a void window was never recorded */
		if (s->flush_at < s->nflush && s->flush[s->flush_at] == s->nentries) {
			s->flush_at++;
			flushed = 1;
		}
		if (flushed)
			pc_full_flush(p);
		return flushed;
	}
}

static int optimal_inval(struct pctx *p, const struct pev *e, bool host)
{
	struct optimal_state *s = p->state;
	enum holds_where w;

	if (p->pass == 0)
		return 0;
	w = holds_where(&s->h, e->core);
	if (w == HOLDS_NONE)
		return 0;
	if (e->core < 0) {		/* unknown core: global, no choice */
		if (p->pass == 2) {
			if (host)
				pc_global_each(p, e->n);
			else
				pc_global(p, e->n);
		}
		return 0;
	}
	if (p->pass == 1)
		return pass2_inval(s, p->m, e->core, host, e->n);
	if (s->bit_at < s->nbits && bit_get(s, s->bit_at++))
		pc_local(p, e->n, e->core, e->ts);
	else if (host)
		pc_global_each(p, e->n);
	else
		pc_global(p, e->n);
	return 0;
}

static int optimal_hcall(struct pctx *p, const struct pev *e)
{
	return optimal_inval(p, e, false);
}

static int optimal_host_inval(struct pctx *p, const struct pev *e)
{
	return optimal_inval(p, e, true);
}

static int optimal_hpt_reset(struct pctx *p, const struct pev *e)
{
	struct optimal_state *s = p->state;

	(void)e;
	if (p->pass == 0)
		return 0;
	s->group = 0;
	return holds_reset(&s->h);
}

static int optimal_pass_end(struct pctx *p)
{
	struct optimal_state *s = p->state;

	if (p->pass == 1) {
		if (solve_component(s))
			return -1;
		free_pass2(s);
	} else if (p->pass == 2) {	/* the decisions are applied: give them back */
		free(s->bits);
		free(s->flush);
		s->bits = NULL;
		s->flush = NULL;
		s->nbits = s->capbits = s->nflush = s->capflush = 0;
	}
	holds_free(&s->h);
	memset(&s->h, 0, sizeof(s->h));
	s->nentries = 0;
	s->nopen = 0;
	return 0;
}

const struct policy_ops policy_optimal = {
	.name = "optimal",
	.mmu = TDB_MMU_HASH,
	.models = "no kernel: the cheapest safe schedule for this trace, per VM by a minimum cut over the whole trace (the floor)",
	.passes = 3,
	.init = optimal_init,
	.fini = optimal_fini,
	.enter = optimal_enter,
	.hcall = optimal_hcall,
	.host_inval = optimal_host_inval,
	.hpt_reset = optimal_hpt_reset,
	.pass_end = optimal_pass_end,
};
