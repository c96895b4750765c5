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

# 4000.18-: the suite's option letters (issue 12): -V, -g, -t
check_exit "4000.18 -V exits 0" 0 tlb tlbimport -V
check_grep "4000.19 -V prints 'tlbimport VERSION'" '^tlbimport [^ ]+$' "$OUT"
check_exit "4000.20 --version too" 0 tlb tlbimport --version
tlb tlbimport --help > "$T/help.txt"
check_grep "4000.21 --help: -g, --guest" '^  -g, --guest ' "$T/help.txt"
check_grep "4000.22 ... -t, --threads-per-core N" '^  -t, --threads-per-core N ' "$T/help.txt"
check_grep "4000.22b ... -V, --version" '^  -V, --version ' "$T/help.txt"
ok_if "4000.23 -g -t 4 import" tlb tlbimport -g -t 4 "$SAMPLE" -o "$T/g.db" -q
check_eq "4000.24 -g made a guest capture, -t 4 in meta" "guest 4" \
	"$(sqlite3 "$T/g.db" "SELECT (SELECT value FROM meta WHERE key = 'side') || ' ' || (SELECT value FROM meta WHERE key = 'threads_per_core')")"
check_exit "4000.25 -t 0 is bad usage" 2 tlb tlbimport -t 0 "$SAMPLE" -o "$T/t0.db"

# 4000.26-: errors that say what to do (issue 12 item 2)
mkdir "$T/o"
check_exit "4000.26 missing file: exit 2" 2 tlb tlbimport "$T/nope.dat" -o "$T/o/x.db"
check_grep "4000.27 ... says no such file" "^tlbimport: cannot read $T/nope.dat: no such file$" "$ERR"
check_exit "4000.28 a directory: exit 2" 2 tlb tlbimport "$T" -o "$T/o/x.db"
check_grep "4000.29 ... says it is a directory" "^tlbimport: cannot read $T: a directory" "$ERR"
check_exit "4000.30 a trace DB: exit 2" 2 tlb tlbimport "$T/g.db" -o "$T/o/x.db"
check_grep "4000.31 ... says it already is a trace DB" "^tlbimport: cannot read $T/g.db: already a trace DB: nothing to import" "$ERR"
check_exit "4000.32 a trace DB on stdin: exit 2" 2 tlb tlbimport - -o "$T/o/x.db" < "$T/g.db"
check_grep "4000.33 ... says so too" "already a trace DB" "$ERR"
sqlite3 "$T/other.db" "CREATE TABLE t(x)"
check_exit "4000.34 another SQLite file: exit 2" 2 tlb tlbimport "$T/other.db" -o "$T/o/x.db"
check_grep "4000.35 ... says it is no trace DB" "a SQLite file but not a trace DB" "$ERR"
check_eq "4000.36 nothing written by these" "" "$(ls -A "$T/o")"
