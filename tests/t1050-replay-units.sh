#!/usr/bin/env bash
# t1050-replay-units - the replay's building blocks in C (replay/test_units.c): need_tlb_flush
# generations, the stale tracker across 64-core words, the cost formula and --cost parsing,
# the named options, optimal's minimum cut on hand-cut networks. Expected values are
# worked out in that file's comments.
. "$(dirname "$0")/lib.sh"
[ -x "$TLB_TESTBIN/replay_units" ] || skip_all "no $TLB_TESTBIN/replay_units (make test-programs)"
"$TLB_TESTBIN/replay_units"
