/* SPDX-License-Identifier: MIT */
/*
 * mincut - a minimum s-t cut by maximum flow (Dinic), for `optimal`.
 *
 * Why a minimum cut. `optimal` (replay-model.md) chooses, per invalidation
 * i of a VM, local (cheaper by w_i > 0, but it obliges every other core that
 * holds the VM to full-flush at its next entry, its "window") or global (no
 * obligation). A flush at a window costs F once, however many invalidations
 * need it. So the choice is a closure problem: pick a set L of invalidations
 * and a set W of windows, W containing every window of every member of L,
 * to maximise sum(w_i, i in L) - F |W|. Equivalently, minimise
 *     sum(w_i, i not in L) + F |W|,
 * which is the capacity of the s-t cut of the network
 *     s -> i (capacity w_i),  i -> window (infinite),  window -> t (F),
 * whose source side is L + W: an infinite arc can never be cut, so a window
 * of a local invalidation is always on the source side (flushed), and any
 * finite cut is a feasible schedule. Max-flow = min-cut (Ford-Fulkerson), so
 * a maximum flow gives the cheapest schedule's cost.
 *
 * Which cut. Several schedules may cost the same; the spec reports the one
 * whose source side is the set of nodes reachable from s in the residual
 * network of a maximum flow. That set is the intersection of the source sides
 * of all minimum cuts (a standard result: minimum cuts form a lattice under
 * union and intersection, and residual reachability gives its least element),
 * so it is the same whatever maximum flow was found, and among the cheapest
 * schedules it is the one with the fewest local invalidations and flushes.
 * That is why counts, not only cycles, are exact and testable.
 *
 * The algorithm. Dinic: repeat { BFS levels from s over arcs with residual
 * capacity; if t is unreachable, stop; push a blocking flow along strictly
 * level-increasing arcs }. The final BFS, the one that cannot reach t, is
 * exactly the residual reachability the cut needs, so mincut_source_side()
 * reads its levels. The blocking-flow search is an iterative depth-first walk
 * with an explicit arc stack and per-node arc cursors (no recursion: paths in
 * the level graph can be as long as the component has nodes). Worst case
 * O(V^2 E); these networks are bipartite with unit-depth layers between s and
 * t, where Dinic finishes in few phases in practice.
 *
 * Memory. Arcs are kept as an edge list while the network is built, then laid
 * out once per solve in compressed rows: per arc a head (u32), the index of
 * its reverse (u32) and a residual capacity (i64); per node a row start, a
 * level, a cursor. Node ids are 32-bit: a component beyond 2^31 nodes or
 * arcs is refused (mincut_node/mincut_arc return -1), long before which
 * memory would run out. mincut_reset() keeps the buffers for the next
 * component; the caller decides when to give them back (mincut_free).
 *
 * Capacities: non-negative int64; MINCUT_INF for "never cut". The flow
 * through any arc is bounded by the finite capacities on s's arcs, so a
 * caller that keeps each finite capacity below MINCUT_INF / 2 cannot
 * overflow.
 *
 * Interface:
 *   mincut_init()          an empty network with s = MINCUT_S, t = MINCUT_T
 *   mincut_node()          a new node: its id, or -1 (too many / no memory)
 *   mincut_arc()           an arc u -> v of capacity cap: 0 or -1
 *   mincut_solve()         maximum flow, then the residual reachability: 0 or -1
 *   mincut_source_side()   after solve: is @node reachable from s?
 *   mincut_nodes(), mincut_arcs()   sizes of the network being built
 *   mincut_compact()       renumber the nodes of the network being built by
 *                          @map (old id -> new id, or -1: the node and its arcs
 *                          go); s and t keep their ids
 *   mincut_reset()         empty the network, keep the buffers
 *   mincut_free()
 */
#ifndef TLB_REPLAY_MINCUT_H
#define TLB_REPLAY_MINCUT_H

#include <stdbool.h>
#include <stdint.h>

#define MINCUT_INF INT64_MAX
#define MINCUT_S 0
#define MINCUT_T 1

struct mincut_edge {
	uint32_t u, v;
	int64_t cap;
};

struct mincut {
	int64_t nnodes;			/* s and t included */
	struct mincut_edge *edge;	/* as added */
	int64_t nedges, capedges;
	/* laid out by mincut_solve() */
	uint32_t *row;			/* per node: first arc; row[nnodes] = arcs */
	uint32_t *head;			/* per arc: the node it leads to */
	uint32_t *rev;			/* per arc: its reverse arc */
	int64_t *res;			/* per arc: residual capacity */
	int32_t *level;			/* per node: BFS level, -1 unreachable */
	uint32_t *cursor;		/* per node: next arc to try (DFS) */
	uint32_t *queue;		/* BFS queue, then DFS arc stack */
	int64_t capnodes, caparcs;	/* allocated lengths of the per-node / per-arc arrays */
};

void mincut_init(struct mincut *g);
int64_t mincut_node(struct mincut *g);
int mincut_arc(struct mincut *g, int64_t u, int64_t v, int64_t cap);
int mincut_solve(struct mincut *g);

static inline bool mincut_source_side(const struct mincut *g, int64_t node)
{
	return g->level[node] >= 0;
}

static inline int64_t mincut_nodes(const struct mincut *g) { return g->nnodes; }
static inline int64_t mincut_arcs(const struct mincut *g) { return g->nedges; }

void mincut_compact(struct mincut *g, const int64_t *map, int64_t nnodes);
void mincut_reset(struct mincut *g);
void mincut_free(struct mincut *g);

#endif
