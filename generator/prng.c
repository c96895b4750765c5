/* SPDX-License-Identifier: MIT */
/*
 * prng - splitmix64 seeding and xoshiro256** draws (interface in prng.h).
 *
 * The constants are those of the published algorithms: splitmix64's golden
 * ratio increment and its two multipliers, xoshiro256**'s shift 17 and
 * rotations 45 (state) and 7 (output, after multiplying by 5, then by 9).
 */
#include "prng.h"

#include <math.h>

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void prng_seed(struct prng *p, uint64_t seed)
{
	uint64_t x = seed;

	for (int i = 0; i < 4; i++)
		p->s[i] = splitmix64(&x);
	/* splitmix64 is a bijection of its counter: four zero outputs cannot happen. */
}

uint64_t prng_next(struct prng *p)
{
	uint64_t *s = p->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

double prng_unit(struct prng *p)
{
	/* The top 53 bits, scaled by 2^-53: every value is exact in a double. */
	return (double)(prng_next(p) >> 11) * 0x1.0p-53;
}

uint64_t prng_below(struct prng *p, uint64_t n)
{
	/* Rejection from the largest multiple of n below 2^64: no modulo bias. */
	uint64_t limit, r;

	if (n <= 1)
		return 0;
	limit = UINT64_MAX - (UINT64_MAX % n);
	do
		r = prng_next(p);
	while (r >= limit);
	return r % n;
}

double prng_exp(struct prng *p, double rate)
{
	/* Inverse transform: -ln(U)/rate with U in (0, 1], so the log is finite. */
	double u = 1.0 - prng_unit(p);

	return -log(u) / rate;
}

int prng_pick(struct prng *p, const double *cumulative, int n)
{
	double x = prng_unit(p) * cumulative[n - 1];
	int lo = 0, hi = n - 1;

	/* The first index whose cumulative weight exceeds x (binary search). */
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (cumulative[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}
