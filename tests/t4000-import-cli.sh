#!/usr/bin/env bash
# t4000-import-cli: tlbimport's command line: --help, usage errors (exit 2), no output on failure.
. "$(dirname "$0")/lib.sh"
SAMPLE=$ROOT/samples/tracedat/sched-v7-zstd.dat

# 4000.1-4: --help has the parts style.md asks for, and runs with exit 0
check_exit "4000.1 --help exits 0" 0 tlb tlbimport --help
check_grep "4000.2 --help has USAGE" '^USAGE: tlbimport' "$OUT"
check_grep "4000.3 --help has EXAMPLES with comments" '^  tlbimport .*# ' "$OUT"
check_grep "4000.4 --help lists --timebase-hz with its default" 'timebase-hz.*512000000' "$OUT"

# 4000.5-10: bad usage is exit 2 and says why on stderr as "tlbimport: cannot ..."
check_exit "4000.5 no arguments" 2 tlb tlbimport
check_grep "4000.6 message format" '^tlbimport: cannot ' "$ERR"
check_exit "4000.7 no -o" 2 tlb tlbimport "$SAMPLE"
check_exit "4000.8 unknown --format" 2 tlb tlbimport "$SAMPLE" -o "$T/x.db" --format xml
check_exit "4000.9 --timebase-hz 0" 2 tlb tlbimport "$SAMPLE" -o "$T/x.db" --timebase-hz 0
check_exit "4000.10 missing input file" 2 tlb tlbimport "$T/nope.dat" -o "$T/x.db"
check_eq "4000.11 nothing written by the failures" "" "$(ls "$T")"

# 4000.12-13: an existing output is refused without -f, replaced with it
touch "$T/exists.db"
check_exit "4000.12 existing output refused" 1 tlb tlbimport "$SAMPLE" -o "$T/exists.db" -q
check_exit "4000.13 -f replaces it" 0 tlb tlbimport "$SAMPLE" -o "$T/exists.db" -q -f

# 4000.14-15: --format json and csv summaries are data
ok_if "4000.14 json summary" tlb tlbimport "$SAMPLE" -o "$T/j.db" -q --format json
check_grep "4000.15 json has events_read" '^\{"input": .*"events_read": [0-9]+' "$OUT"
ok_if "4000.16 csv summary" tlb tlbimport "$SAMPLE" -o "$T/c.db" -q --format csv
check_grep "4000.17 csv header" '^what,name,count$' "$OUT"
