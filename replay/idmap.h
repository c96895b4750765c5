/* SPDX-License-Identifier: MIT */
/*
 * idmap - ids read from a trace (vcpu ids, core numbers, vcore numbers) to
 * dense indices 0, 1, 2, ... in order of first sight.
 *
 * What it owns: the one place where an id from a hostile file turns into an
 * array index. Every per-VM and per-policy array of the replay is indexed by
 * these dense indices, so memory follows the entities a trace has, never the
 * values of their ids (issue 9 item 3: one vcpu id of 2^20 used to cost tens
 * of megabytes).
 *
 * Interface:
 *   idmap_init()     empty map (no allocation until the first insert)
 *   idmap_find()     the index of @id, or -1
 *   idmap_add()      insert @id (not present) and return its new index, or -1
 *                    when out of memory
 *   idmap_count()    how many ids are in the map
 *   idmap_free()
 *
 * Algorithm: ids below IDMAP_DIRECT (the common case: vcpu ids and core
 * numbers of real hosts are small) are looked up in a fixed array of the
 * map, with no hashing; the others by open addressing with linear probing
 * over a power-of-two table kept at most half full, keys hashed by a 64-bit
 * multiply (Fibonacci hashing). Either way the memory is fixed plus per id
 * present. Any int64 is a key (kind ids of a file may be negative):
 * INT64_MIN marks an empty slot of the table, so that key alone is kept
 * beside it.
 */
#ifndef TLB_REPLAY_IDMAP_H
#define TLB_REPLAY_IDMAP_H

#include <stddef.h>
#include <stdint.h>

#define IDMAP_DIRECT 64

struct idmap {
	int32_t direct[IDMAP_DIRECT];	/* id < IDMAP_DIRECT: its index + 1, 0 = absent */
	int64_t *keys;		/* table of the other ids, INT64_MIN = empty */
	int32_t min_val;	/* key INT64_MIN: its index + 1, 0 = absent */
	int32_t *vals;		/* dense index of keys[i] */
	uint32_t mask;		/* table size - 1 (0 when no table) */
	int shift;		/* 64 - log2(table size) */
	int32_t n;		/* ids in the map */
};

static inline void idmap_init(struct idmap *m)
{
	for (int i = 0; i < IDMAP_DIRECT; i++)
		m->direct[i] = 0;
	m->keys = NULL;
	m->min_val = 0;
	m->vals = NULL;
	m->mask = 0;
	m->shift = 64;
	m->n = 0;
}

static inline uint32_t idmap_slot(const struct idmap *m, int64_t id)
{
	return (uint32_t)(((uint64_t)id * 0x9e3779b97f4a7c15ull) >> m->shift) & m->mask;
}

static inline int32_t idmap_find(const struct idmap *m, int64_t id)
{
	if ((uint64_t)id < IDMAP_DIRECT)
		return m->direct[id] - 1;
	if (id == INT64_MIN)
		return m->min_val - 1;
	if (!m->keys)
		return -1;
	for (uint32_t i = idmap_slot(m, id);; i = (i + 1) & m->mask) {
		if (m->keys[i] == id)
			return m->vals[i];
		if (m->keys[i] == INT64_MIN)
			return -1;
	}
}

int32_t idmap_add(struct idmap *m, int64_t id);

static inline int32_t idmap_count(const struct idmap *m) { return m->n; }

void idmap_free(struct idmap *m);

#endif
