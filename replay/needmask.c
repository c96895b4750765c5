/* SPDX-License-Identifier: MIT */
/*
 * needmask - need_tlb_flush as a generation-stamped array (see needmask.h).
 *
 * A fresh slot holds generation 0. With the initial mask all set, gen starts
 * at 1, so fresh slots read as set; with it all clear, gen starts at 0 and
 * fresh slots read as clear until the first set_all().
 */
#include "needmask.h"

#include <stdlib.h>
#include <string.h>

void needmask_init(struct needmask *nm, bool all_set)
{
	nm->gen = all_set ? 1 : 0;
	nm->clear_gen = NULL;
	nm->ncores = 0;
}

static int grow(struct needmask *nm, int64_t core)
{
	if (core >= nm->ncores) {
		int64_t n = nm->ncores ? nm->ncores : 8;
		uint64_t *g;

		while (n <= core)
			n *= 2;
		g = realloc(nm->clear_gen, sizeof(*g) * (size_t)n);
		if (!g)
			return -1;
		memset(g + nm->ncores, 0, sizeof(*g) * (size_t)(n - nm->ncores));
		nm->clear_gen = g;
		nm->ncores = n;
	}
	return 0;
}

int needmask_clear(struct needmask *nm, int64_t core)
{
	if (grow(nm, core))
		return -1;
	nm->clear_gen[core] = nm->gen;
	return 0;
}

/* A generation no set_all() reaches: the bit reads as set in every generation
 * until the core's next clear. */
int needmask_set(struct needmask *nm, int64_t core)
{
	if (grow(nm, core))
		return -1;
	nm->clear_gen[core] = UINT64_MAX;
	return 0;
}

void needmask_free(struct needmask *nm)
{
	free(nm->clear_gen);
	nm->clear_gen = NULL;
	nm->ncores = 0;
}
