/* SPDX-License-Identifier: MIT */
/*
 * prng - the generator's own pseudo-random numbers (no libc rand: its
 * sequence differs between C libraries, and tlbgen promises the same bytes
 * for the same arguments and seed).
 *
 * Interface:
 *   prng_seed()      state from a 64-bit seed (expanded with splitmix64)
 *   prng_next()      next 64 random bits (xoshiro256**)
 *   prng_unit()      uniform double in [0, 1), 53 bits
 *   prng_below()     uniform integer in [0, n), unbiased
 *   prng_exp()       exponential interval of a Poisson process of @rate
 *   prng_pick()      index drawn from a table of cumulative weights
 *
 * Call order: seed once, then any draws. One state per stream of draws.
 *
 * Algorithm: xoshiro256** (Blackman and Vigna, 2018) advances a 256-bit
 * state by shifts, rotations and xors; its four words are filled from the
 * seed by splitmix64, so that seeds 1, 2, 3 give unrelated states and no
 * seed gives the all-zero state. Everything is integer arithmetic or exact
 * IEEE double operations, except log() in prng_exp(), which comes from the
 * C library: the promise is therefore "same arguments, same bytes" for one
 * build of tlbgen (a libm with a differently rounded log could change the
 * last bit of an interval, and so a timestamp).
 */
#ifndef TLB_GEN_PRNG_H
#define TLB_GEN_PRNG_H

#include <stdint.h>

struct prng {
	uint64_t s[4];		/* xoshiro256** state, never all zero */
};

void prng_seed(struct prng *p, uint64_t seed);
uint64_t prng_next(struct prng *p);
double prng_unit(struct prng *p);
uint64_t prng_below(struct prng *p, uint64_t n);
double prng_exp(struct prng *p, double rate);
int prng_pick(struct prng *p, const double *cumulative, int n);

#endif
