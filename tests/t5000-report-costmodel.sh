#!/usr/bin/env bash
# t5000: tlbreport's cost model and params reader against hand-counted figures
# (the C test program analysis/test_costmodel.c; its ids are costmodel-N.M).
. "$(dirname "$0")/lib.sh"
prog=$TLB_TESTBIN/t-costmodel
[ -x "$prog" ] || skip_all "no $prog (make test-programs)"
"$prog"
