/* SPDX-License-Identifier: MIT */
/*
 * digest - the digest of a trace's events (replay_run.trace_digest).
 *
 * What it owns: the mixing of one event into two 64-bit lanes over every
 * column (a kind the replay knows by its contract name, so files with other
 * kind ids but the same events give the same digest), and its text: 32 hex
 * digits, '-', the event count. The engine mixes the events of its first
 * pass; tlbreplay's resume check (resume.c) mixes a bare scan with the same
 * code, so a stored run's digest can be checked without replaying.
 *
 * Interface (inline: the engine calls it once per event):
 *   digest_init()     the lanes' start values
 *   digest_mix()      one event, in replay order
 *   digest_text()     "<32 hex>-<events>" into @buf (DIGEST_LEN bytes)
 */
#ifndef TLB_REPLAY_DIGEST_H
#define TLB_REPLAY_DIGEST_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include "tracedb.h"

#define DIGEST_LEN 64

struct digest {
	uint64_t h1, h2;
};

static inline void digest_init(struct digest *d)
{
	d->h1 = 0x9e3779b97f4a7c15ull;
	d->h2 = 0xc2b2ae3d27d4eb4full;
}

static inline void digest_mix(struct digest *d, const struct tdb_event *ev)
{
	uint64_t kind = ev->kind == TDB_OTHER ? 0x100000000ull + (uint64_t)ev->kind_id
					       : (uint64_t)ev->kind;
	uint64_t x = (uint64_t)ev->ts * 0x9e3779b97f4a7c15ull;

	x ^= (uint64_t)ev->cpu * 0xbf58476d1ce4e5b9ull;
	x ^= (x >> 31) ^ (uint64_t)ev->vm * 0x94d049bb133111ebull;
	x ^= (x >> 29) ^ (uint64_t)ev->vcpu * 0xd6e8feb86659fd93ull;
	x ^= (x >> 32) ^ kind * 0xa0761d6478bd642full;
	x ^= (x >> 30) ^ (uint64_t)ev->a[0] * 0xe7037ed1a0b428dbull;
	x ^= (x >> 31) ^ (uint64_t)ev->a[1] * 0x8ebc6af09c88c6e3ull;
	x ^= (x >> 29) ^ (uint64_t)ev->a[2] * 0x589965cc75374cc3ull;
	x ^= (x >> 32) ^ (uint64_t)ev->a[3] * 0x1d8e4e27c47d124full;
	x ^= (x >> 30) ^ (uint64_t)ev->nulls * 0xff51afd7ed558ccdull;
	d->h1 = (d->h1 ^ x) * 0x100000001b3ull;
	d->h1 ^= d->h1 >> 33;
	d->h2 = (d->h2 + (x ^ (x >> 27))) * 0xc4ceb9fe1a85ec53ull;
	d->h2 ^= d->h2 >> 29;
}

static inline void digest_text(const struct digest *d, int64_t events, char *buf)
{
	snprintf(buf, DIGEST_LEN, "%016" PRIx64 "%016" PRIx64 "-%" PRId64, d->h1, d->h2, events);
}

#endif
