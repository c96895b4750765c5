// SPDX-License-Identifier: MIT
/*
 * placement.c - per-vcpu run intervals of a host capture (see placement.h).
 *
 * Tracks live in a growing array, found through a one-entry cache (consecutive
 * events mostly hit the same vcpu) and an open-addressing hash of (vm, vcpu): a
 * hostile host capture with a million distinct vcpu ids costs a million tracks,
 * not a million linear searches of them. Lookups by time are binary searches over
 * a track's intervals.
 */
#include <stdlib.h>

#include "placement.h"

struct placement {
	struct pl_track *t;
	size_t n, cap;
	size_t last;	/* index of the last track found */
	size_t *slot;	/* hash of (vm, vcpu): track index + 1, 0 = empty */
	size_t nslots;	/* a power of two, at least twice n */
};

static size_t hash_of(int64_t vm, int64_t vcpu)
{
	uint64_t x = (uint64_t)vm * 0x9e3779b97f4a7c15ull ^ (uint64_t)vcpu;

	/* splitmix64's finaliser: every input bit moves the slot */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return (size_t)x;
}

static int rehash(struct placement *p, size_t nslots)
{
	size_t *ns = calloc(nslots, sizeof(*ns));

	if (!ns)
		return -1;
	for (size_t i = 0; i < p->n; i++) {
		size_t h = hash_of(p->t[i].vm, p->t[i].vcpu) & (nslots - 1);

		while (ns[h])
			h = (h + 1) & (nslots - 1);
		ns[h] = i + 1;
	}
	free(p->slot);
	p->slot = ns;
	p->nslots = nslots;
	return 0;
}

struct placement *pl_new(void)
{
	return calloc(1, sizeof(struct placement));
}

void pl_free(struct placement *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->t[i].iv);
	free(p->t);
	free(p->slot);
	free(p);
}

static struct pl_track *find(struct placement *p, int64_t vm, int64_t vcpu, int create)
{
	size_t h;

	if (p->last < p->n && p->t[p->last].vm == vm && p->t[p->last].vcpu == vcpu)
		return &p->t[p->last];
	if (p->nslots) {
		for (h = hash_of(vm, vcpu) & (p->nslots - 1); p->slot[h]; h = (h + 1) & (p->nslots - 1)) {
			size_t i = p->slot[h] - 1;

			if (p->t[i].vm == vm && p->t[i].vcpu == vcpu) {
				p->last = i;
				return &p->t[i];
			}
		}
	}
	if (!create)
		return NULL;
	if ((p->n + 1) * 2 > p->nslots && rehash(p, p->nslots ? p->nslots * 2 : 64))
		return NULL;
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 16;
		struct pl_track *nt = realloc(p->t, nc * sizeof(*nt));

		if (!nt)
			return NULL;
		p->t = nt;
		p->cap = nc;
	}
	p->t[p->n] = (struct pl_track){ .vm = vm, .vcpu = vcpu };
	for (h = hash_of(vm, vcpu) & (p->nslots - 1); p->slot[h]; h = (h + 1) & (p->nslots - 1))
		;
	p->slot[h] = p->n + 1;
	p->last = p->n;
	return &p->t[p->n++];
}

static int push(struct pl_track *t, int64_t start, int64_t end, int64_t cpu)
{
	if (end <= start)
		return 0;	/* an empty stay places nothing */
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 64;
		struct pl_interval *ni = realloc(t->iv, nc * sizeof(*ni));

		if (!ni)
			return -1;
		t->iv = ni;
		t->cap = nc;
	}
	t->iv[t->n++] = (struct pl_interval){ start, end, cpu };
	return 0;
}

int pl_enter(struct placement *p, int64_t vm, int64_t vcpu, int64_t cpu, int64_t ts)
{
	struct pl_track *t = find(p, vm, vcpu, 1);

	if (!t)
		return -1;
	if (t->open && push(t, t->open_start, ts, t->open_cpu))
		return -1;
	t->open = 1;
	t->open_start = ts;
	t->open_cpu = cpu;
	return 0;
}

int pl_exit(struct placement *p, int64_t vm, int64_t vcpu, int64_t ts)
{
	struct pl_track *t = find(p, vm, vcpu, 0);

	if (!t || !t->open)
		return 0;	/* an exit with no entry seen (capture started mid-run): nothing known */
	t->open = 0;
	return push(t, t->open_start, ts, t->open_cpu);
}

int pl_close_all(struct placement *p, int64_t ts)
{
	for (size_t i = 0; i < p->n; i++) {
		struct pl_track *t = &p->t[i];

		if (t->open) {
			t->open = 0;
			if (push(t, t->open_start, ts + 1, t->open_cpu))
				return -1;
		}
	}
	return 0;
}

struct pl_track *pl_track(struct placement *p, int64_t vm, int64_t vcpu)
{
	return find(p, vm, vcpu, 0);
}

int64_t pl_cpu_at(const struct pl_track *t, int64_t ts)
{
	size_t lo = 0, hi;

	if (!t || !t->n)
		return -1;
	hi = t->n;
	/* last interval with start <= ts */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->iv[mid].start <= ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return -1;
	const struct pl_interval *iv = &t->iv[lo - 1];

	return ts < iv->end ? iv->cpu : -1;
}

int pl_vms(struct placement *p, int64_t *vms, int max)
{
	int n = 0;

	for (size_t i = 0; i < p->n; i++) {
		int seen = 0;

		if (!p->t[i].n)
			continue;
		for (int j = 0; j < n; j++)
			seen |= vms[j] == p->t[i].vm;
		if (!seen && n < max)
			vms[n++] = p->t[i].vm;
	}
	return n;
}

size_t pl_count(const struct placement *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += p->t[i].n;
	return n;
}
