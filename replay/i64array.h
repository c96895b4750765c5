/* SPDX-License-Identifier: MIT */
/*
 * i64array - the replay's growable int64 arrays indexed by a dense index (idmap.h):
 * per vcpu, per core, per slot state that policies and the engine keep.
 *
 *   i64array_grow(&a, &n, idx, fill)   make a[idx] exist: capacity doubles (from 8),
 *                                      new entries hold @fill; 0, or -1 out of memory
 *                                      (then @a and @n are unchanged)
 *
 * Indexes are dense (0, 1, 2, ... in order of first sight), so memory follows the
 * entities a trace has, never the ids it uses.
 */
#ifndef TLB_REPLAY_I64ARRAY_H
#define TLB_REPLAY_I64ARRAY_H

#include <stdint.h>
#include <stdlib.h>

static inline int i64array_grow(int64_t **a, int64_t *n, int64_t idx, int64_t fill)
{
	int64_t cap = *n ? *n : 8, *p;

	if (idx < *n)
		return 0;
	while (cap <= idx)
		cap *= 2;
	p = realloc(*a, sizeof(*p) * (size_t)cap);
	if (!p)
		return -1;
	for (int64_t i = *n; i < cap; i++)
		p[i] = fill;
	*a = p;
	*n = cap;
	return 0;
}

#endif
