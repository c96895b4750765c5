/* SPDX-License-Identifier: MIT */
/* idmap - ids to dense indices (interface and algorithm in idmap.h). */
#include "idmap.h"

#include <stdlib.h>

/* Move every key into a table of 2^bits slots. */
static int rehash(struct idmap *m, int bits)
{
	uint32_t size = 1u << bits;
	int64_t *keys = malloc(sizeof(*keys) * size);
	int32_t *vals = malloc(sizeof(*vals) * size);
	struct idmap old = *m;

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -1;
	}
	for (uint32_t i = 0; i < size; i++)
		keys[i] = INT64_MIN;
	m->keys = keys;
	m->vals = vals;
	m->mask = size - 1;
	m->shift = 64 - bits;
	for (uint32_t i = 0; old.keys && i <= old.mask; i++) {
		uint32_t j;

		if (old.keys[i] == INT64_MIN)
			continue;
		for (j = idmap_slot(m, old.keys[i]); keys[j] != INT64_MIN; j = (j + 1) & m->mask)
			;
		keys[j] = old.keys[i];
		vals[j] = old.vals[i];
	}
	free(old.keys);
	free(old.vals);
	return 0;
}

int32_t idmap_add(struct idmap *m, int64_t id)
{
	uint32_t i;

	if ((uint64_t)id < IDMAP_DIRECT) {
		m->direct[id] = m->n + 1;
		return m->n++;
	}
	if (id == INT64_MIN) {
		m->min_val = m->n + 1;
		return m->n++;
	}

	/* at most half full (n counts the direct ids too, which only makes the table
	 * roomier); 2^30 ids is far beyond any trace's entities */
	if (!m->keys || (uint32_t)m->n + 1 > (m->mask + 1) / 2) {
		int bits = m->keys ? 64 - m->shift + 1 : 4;

		if (bits > 31 || rehash(m, bits))
			return -1;
	}
	for (i = idmap_slot(m, id); m->keys[i] != INT64_MIN; i = (i + 1) & m->mask)
		;
	m->keys[i] = id;
	m->vals[i] = m->n;
	return m->n++;
}

void idmap_free(struct idmap *m)
{
	free(m->keys);
	free(m->vals);
	idmap_init(m);
}
