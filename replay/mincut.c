/* SPDX-License-Identifier: MIT */
/*
 * mincut - Dinic's maximum flow and the residual source side (the why, the
 * memory and the interface are in mincut.h).
 */
#include "mincut.h"

#include <stdlib.h>
#include <string.h>

#define MINCUT_MAX_IDS ((int64_t)INT32_MAX)

void mincut_init(struct mincut *g)
{
	memset(g, 0, sizeof(*g));
	g->nnodes = 2;
}

int64_t mincut_node(struct mincut *g)
{
	if (g->nnodes >= MINCUT_MAX_IDS)
		return -1;
	return g->nnodes++;
}

int mincut_arc(struct mincut *g, int64_t u, int64_t v, int64_t cap)
{
	if (g->nedges == g->capedges) {
		int64_t cap2 = g->capedges ? g->capedges * 2 : 256;
		struct mincut_edge *e;

		if (2 * cap2 >= MINCUT_MAX_IDS)
			return -1;
		e = realloc(g->edge, sizeof(*e) * (size_t)cap2);
		if (!e)
			return -1;
		g->edge = e;
		g->capedges = cap2;
	}
	g->edge[g->nedges].u = (uint32_t)u;
	g->edge[g->nedges].v = (uint32_t)v;
	g->edge[g->nedges].cap = cap;
	g->nedges++;
	return 0;
}

static int grow(void **p, int64_t n, size_t size)
{
	void *q = realloc(*p, size * (size_t)n);

	if (!q)
		return -1;
	*p = q;
	return 0;
}

/* Room for the compressed rows of the network as built. */
static int reserve(struct mincut *g)
{
	int64_t nodes = g->nnodes + 1, arcs = 2 * g->nedges;

	if (nodes > g->capnodes) {
		if (grow((void **)&g->row, nodes, sizeof(*g->row)) ||
		    grow((void **)&g->level, nodes, sizeof(*g->level)) ||
		    grow((void **)&g->cursor, nodes, sizeof(*g->cursor)) ||
		    grow((void **)&g->queue, nodes, sizeof(*g->queue)))
			return -1;
		g->capnodes = nodes;
	}
	if (arcs > g->caparcs) {
		if (grow((void **)&g->head, arcs, sizeof(*g->head)) ||
		    grow((void **)&g->rev, arcs, sizeof(*g->rev)) ||
		    grow((void **)&g->res, arcs, sizeof(*g->res)))
			return -1;
		g->caparcs = arcs;
	}
	return 0;
}

/* Each edge u -> v becomes a forward arc in u's row (capacity cap) and a
 * reverse arc in v's row (capacity 0), each knowing the other. */
static void lay_out(struct mincut *g)
{
	int64_t n = g->nnodes;

	memset(g->row, 0, sizeof(*g->row) * (size_t)(n + 1));
	for (int64_t i = 0; i < g->nedges; i++) {
		g->row[g->edge[i].u + 1]++;
		g->row[g->edge[i].v + 1]++;
	}
	for (int64_t i = 0; i < n; i++)
		g->row[i + 1] += g->row[i];
	memcpy(g->cursor, g->row, sizeof(*g->cursor) * (size_t)n);
	for (int64_t i = 0; i < g->nedges; i++) {
		uint32_t a = g->cursor[g->edge[i].u]++, b = g->cursor[g->edge[i].v]++;

		g->head[a] = g->edge[i].v;
		g->res[a] = g->edge[i].cap;
		g->rev[a] = b;
		g->head[b] = g->edge[i].u;
		g->res[b] = 0;
		g->rev[b] = a;
	}
}

/* Levels from s over arcs with residual capacity; true if t is reached. */
static bool bfs(struct mincut *g)
{
	int64_t qh = 0, qt = 0;

	for (int64_t i = 0; i < g->nnodes; i++)
		g->level[i] = -1;
	g->level[MINCUT_S] = 0;
	g->queue[qt++] = MINCUT_S;
	while (qh < qt) {
		uint32_t u = g->queue[qh++];

		for (uint32_t a = g->row[u]; a < g->row[u + 1]; a++) {
			uint32_t v = g->head[a];

			if (g->res[a] > 0 && g->level[v] < 0) {
				g->level[v] = g->level[u] + 1;
				g->queue[qt++] = v;
			}
		}
	}
	return g->level[MINCUT_T] >= 0;
}

/* One blocking flow along level-increasing arcs: an iterative depth-first
 * walk keeping the path's arcs on a stack (g->queue). A node whose cursor has
 * run out is a dead end for the rest of the phase. */
static void blocking_flow(struct mincut *g)
{
	uint32_t *path = g->queue;
	int64_t sp = 0;
	uint32_t u = MINCUT_S;

	memcpy(g->cursor, g->row, sizeof(*g->cursor) * (size_t)g->nnodes);
	for (;;) {
		if (u == MINCUT_T) {
			int64_t f = MINCUT_INF, first = 0;

			for (int64_t i = 0; i < sp; i++)
				if (g->res[path[i]] < f)
					f = g->res[path[i]];
			for (int64_t i = 0; i < sp; i++) {
				g->res[path[i]] -= f;
				g->res[g->rev[path[i]]] += f;
			}
			while (g->res[path[first]] > 0)
				first++;
			sp = first;	/* back to the tail of the first saturated arc */
			u = sp ? g->head[path[sp - 1]] : MINCUT_S;
			continue;
		}
		while (g->cursor[u] < g->row[u + 1]) {
			uint32_t a = g->cursor[u];

			if (g->res[a] > 0 && g->level[g->head[a]] == g->level[u] + 1)
				break;
			g->cursor[u]++;
		}
		if (g->cursor[u] < g->row[u + 1]) {
			path[sp++] = g->cursor[u];
			u = g->head[g->cursor[u]];
			continue;
		}
		if (u == MINCUT_S)
			return;
		sp--;				/* retreat: u leads nowhere in this phase */
		u = sp ? g->head[path[sp - 1]] : MINCUT_S;
		g->cursor[u]++;
	}
}

int mincut_solve(struct mincut *g)
{
	if (reserve(g))
		return -1;
	lay_out(g);
	while (bfs(g))
		blocking_flow(g);
	return 0;	/* the last bfs() left the residual reachability in level[] */
}

void mincut_compact(struct mincut *g, const int64_t *map, int64_t nnodes)
{
	int64_t n = 0;

	for (int64_t i = 0; i < g->nedges; i++) {
		int64_t u = map[g->edge[i].u], v = map[g->edge[i].v];

		if (u < 0 || v < 0)
			continue;
		g->edge[n].u = (uint32_t)u;
		g->edge[n].v = (uint32_t)v;
		g->edge[n].cap = g->edge[i].cap;
		n++;
	}
	g->nedges = n;
	g->nnodes = nnodes;
}

void mincut_reset(struct mincut *g)
{
	g->nnodes = 2;
	g->nedges = 0;
}

void mincut_free(struct mincut *g)
{
	free(g->edge);
	free(g->row);
	free(g->head);
	free(g->rev);
	free(g->res);
	free(g->level);
	free(g->cursor);
	free(g->queue);
	mincut_init(g);
}
