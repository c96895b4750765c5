#!/usr/bin/env bash
# t2000: tlbgen's own PRNG (generator/prng.c): published splitmix64 values, xoshiro256**
# outputs derived by hand, and the shapes of the distributions the generator draws from.
. "$(dirname "$0")/lib.sh"

if [ ! -x "$TLB_TESTBIN/prng_test" ]; then
	skip_all "no $TLB_TESTBIN/prng_test (make test-programs)"
fi
"$TLB_TESTBIN/prng_test"
