/* SPDX-License-Identifier: MIT */
/*
 * prng_test - known answers and distribution checks of generator/prng.c
 * (run by tests/t2000-gen-prng.sh).
 *
 * Known answers are derived independently of our code:
 * - splitmix64 from seed 0 gives 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4,
 *   0x06c45d188009454f, 0xf88bb8a8724c81ec (the published reference
 *   sequence of Vigna's splitmix64.c); prng_seed() fills s[0..3] with them.
 * - xoshiro256** from the state {1, 2, 3, 4}, by hand: out = rotl(s1 * 5, 7)
 *   * 9 = rotl(10, 7) * 9 = 1280 * 9 = 11520. The update gives s = {7, 0,
 *   262146, 6 << 45}, so the second output is rotl(0, 7) * 9 = 0. The next
 *   update gives s1 = 262146 ^ 7 = 262149, so the third output is
 *   rotl(262149 * 5, 7) * 9 = 1310745 * 128 * 9 = 1509978240.
 */
#include "prng.h"
#include "tap.h"

#include <math.h>
#include <stdbool.h>

int main(void)
{
	struct prng p;
	int64_t hist[4] = { 0 };
	double sum = 0;
	const double cum[4] = { 1, 1, 3, 6 };	/* weights 1, 0, 2, 3 */
	const int n = 600000;

	prng_seed(&p, 0);
	TAP_OK("t2000.c1 splitmix64 seed 0 word 0", p.s[0] == 0xe220a8397b1dcdafULL);
	TAP_OK("t2000.c2 splitmix64 seed 0 word 1", p.s[1] == 0x6e789e6aa1b965f4ULL);
	TAP_OK("t2000.c3 splitmix64 seed 0 word 2", p.s[2] == 0x06c45d188009454fULL);
	TAP_OK("t2000.c4 splitmix64 seed 0 word 3", p.s[3] == 0xf88bb8a8724c81ecULL);

	p.s[0] = 1, p.s[1] = 2, p.s[2] = 3, p.s[3] = 4;
	TAP_OK("t2000.c5 xoshiro256** first output from {1,2,3,4}", prng_next(&p) == 11520);
	TAP_OK("t2000.c6 xoshiro256** second output", prng_next(&p) == 0);
	TAP_OK("t2000.c7 xoshiro256** third output", prng_next(&p) == 1509978240ULL);

	/* Distributions: with n = 600000 draws the standard errors are tiny next to the bounds. */
	prng_seed(&p, 42);
	for (int i = 0; i < n; i++)
		sum += prng_exp(&p, 2.0);
	/* mean of an exponential of rate 2 is 0.5; sd of the mean 0.5/sqrt(n) = 0.00065 */
	TAP_OK("t2000.c8 exponential mean 1/rate within 1%", fabs(sum / n - 0.5) < 0.005);
	for (int i = 0; i < n; i++)
		hist[prng_pick(&p, cum, 4)]++;
	TAP_EQ_I64("t2000.c9 a zero weight is never picked", 0, hist[1]);
	/* expected shares 1/6, 2/6, 3/6: each within 1% absolute (sd about 0.06%) */
	TAP_OK("t2000.c10 pick shares follow the weights",
	       fabs((double)hist[0] / n - 1.0 / 6) < 0.01 && fabs((double)hist[2] / n - 2.0 / 6) < 0.01 &&
	       fabs((double)hist[3] / n - 3.0 / 6) < 0.01);
	{
		int64_t below[3] = { 0 };
		bool in_range = true;

		for (int i = 0; i < n; i++) {
			uint64_t r = prng_below(&p, 3);

			if (r < 3)
				below[r]++;
			else
				in_range = false;
		}
		TAP_OK("t2000.c11 below(3) stays below 3", in_range);
		TAP_OK("t2000.c12 below(3) is uniform within 1%",
		       fabs((double)below[0] / n - 1.0 / 3) < 0.01 &&
		       fabs((double)below[1] / n - 1.0 / 3) < 0.01);
	}
	TAP_EQ_I64("t2000.c13 below(1) is 0", 0, (int64_t)prng_below(&p, 1));
	{
		double u, lo = 1, hi = 0;

		for (int i = 0; i < n; i++) {
			u = prng_unit(&p);
			lo = u < lo ? u : lo;
			hi = u > hi ? u : hi;
		}
		TAP_OK("t2000.c14 unit draws lie in [0, 1)", lo >= 0 && hi < 1 && lo < 0.001 && hi > 0.999);
	}
	return tap_failed();
}
