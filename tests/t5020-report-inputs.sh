#!/usr/bin/env bash
# t5020: what tlbreport refuses, and how: a trace with no results (exit 2, "run
# tlbreplay --store first"), files that are not trace DBs, bad usage, runs and
# policies that are not stored, params that are not JSON, and a gnuplot that
# cannot run (exit 1). Nothing is written when the input is bad.
. "$(dirname "$0")/lib.sh"
need_cmd sqlite3 || skip_all "sqlite3 is not installed (scripts/install-deps.sh build)"
FIX=$ROOT/analysis/testdata
trace_only() { sqlite3 "$1" < "$ROOT/schemas/trace-v1.sql" &&
	sqlite3 "$1" "INSERT OR REPLACE INTO meta VALUES ('source','generated'), ('threads_per_core','4'), ('ncpus','8');"; }

# 5020.1: schema with empty results tables
trace_only "$T/empty.db"
check_exit "5020.1.1 empty results tables: exit 2" 2 tlb tlbreport -o "$T/r1" "$T/empty.db"
check_grep "5020.1.2 ... saying run tlbreplay --store first" \
	'^tlbreport: cannot report on .*empty\.db: .*run tlbreplay --store first$' "$ERR"
ok_if "5020.1.3 ... and writing nothing" test ! -e "$T/r1"

# 5020.2: a trace written by hand without any results table (spec/examples style)
sqlite3 "$T/bare.db" "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE vm(id INTEGER PRIMARY KEY, name TEXT, pid INTEGER, lpid INTEGER);
CREATE TABLE event_kind(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, a0 TEXT, a1 TEXT, a2 TEXT, a3 TEXT);
CREATE TABLE event(ts INTEGER NOT NULL, cpu INTEGER NOT NULL, vm INTEGER NOT NULL, vcpu INTEGER,
  kind INTEGER NOT NULL REFERENCES event_kind(id), a0 INTEGER, a1 INTEGER, a2 INTEGER, a3 INTEGER);
INSERT INTO event_kind VALUES (101,'vcpu_create',NULL,NULL,NULL,NULL), (102,'guest_enter',NULL,NULL,NULL,NULL),
  (103,'guest_exit','trap',NULL,NULL,NULL), (104,'hcall','opcode','flags','n','rc'),
  (105,'host_inval','n','reason',NULL,NULL), (106,'hpt_reset',NULL,NULL,NULL,NULL),
  (107,'migrate','orig_cpu',NULL,NULL,NULL), (108,'lost','count',NULL,NULL,NULL);
INSERT INTO meta VALUES ('schema_version','1'), ('source','generated'), ('threads_per_core','4'), ('ncpus','8');"
check_exit "5020.2.1 no results tables at all: exit 2" 2 tlb tlbreport -o "$T/r2" "$T/bare.db"
check_grep "5020.2.2 ... saying run tlbreplay --store first" 'no results tables.*run tlbreplay --store first' "$ERR"

# 5020.3: not a trace DB
echo "hello" > "$T/text.db"
check_exit "5020.3.1 a text file: exit 2" 2 tlb tlbreport -o "$T/r3" "$T/text.db"
check_grep "5020.3.2 ... message names the file" '^tlbreport: cannot report on .*text\.db: ' "$ERR"
check_exit "5020.3.3 a missing file: exit 2" 2 tlb tlbreport -o "$T/r3" "$T/missing.db"
sqlite3 "$T/other.db" "CREATE TABLE t(x);"
check_exit "5020.3.4 a SQLite file that is no trace: exit 2" 2 tlb tlbreport -o "$T/r3" "$T/other.db"

# 5020.4: bad usage
check_exit "5020.4.1 no argument: exit 2" 2 tlb tlbreport
check_exit "5020.4.2 unknown option: exit 2" 2 tlb tlbreport --bogus x.db
check_exit "5020.4.3 unknown format: exit 2" 2 tlb tlbreport --format xml x.db
check_exit "5020.4.4 bad --sweep-factor: exit 2" 2 tlb tlbreport --sweep-factor 0.5 x.db
check_exit "5020.4.5 bad --max-points: exit 2" 2 tlb tlbreport --max-points one x.db
# a bad option after --policy: the policy list is freed too (the ASan build's leak check
# turned these exits into 1; found by make fuzz, fuzz_opts_tlbreport)
check_exit "5020.4.5a bad --run after --policy: exit 2" 2 tlb tlbreport -P old,new --run x x.db
check_exit "5020.4.5b unknown format after --policy: exit 2" 2 tlb tlbreport -P old --format xml x.db
check_exit "5020.4.6 --help exits 0" 0 tlb tlbreport --help
check_grep "5020.4.7 --help has USAGE" '^USAGE: tlbreport' "$OUT"
check_grep "5020.4.8 --help has EXAMPLES with # comments" '^  tlbreport .*# ' "$OUT"
check_grep "5020.4.9 --help shows defaults" 'default: report' "$OUT"

# 5020.5: runs and policies that are not stored; params that are not JSON
db=$T/two.db
sqlite3 "$db" < "$ROOT/schemas/trace-v1.sql" && sqlite3 "$db" < "$FIX/two-vms-results.sql"
check_exit "5020.5.1 --run of a missing id: exit 2" 2 tlb tlbreport -o "$T/r5" --run 7 "$db"
check_grep "5020.5.2 ... naming it" 'no run 7 in replay_run' "$ERR"
check_exit "5020.5.3 --policy not stored: exit 2" 2 tlb tlbreport -o "$T/r5" --policy old,oracle "$db"
check_grep "5020.5.4 ... naming it" "no stored run of policy 'oracle'" "$ERR"
check_exit "5020.5.5 --machine not stored: exit 2" 2 tlb tlbreport -o "$T/r5" --machine power9-hash "$db"
check_exit "5020.5.6 --run 1 (old only) works" 0 tlb tlbreport -o "$T/r6" --run 1 "$db"
# old has 2 stale exposures: no safe policy is left to name as the cheapest
check_grep "5020.5.7 ... and says why there is no sweep" 'No sweep: .*no policy other than optimal was replayed without stale exposures' "$T/r6/summary.md"
cp "$db" "$T/badjson.db"
sqlite3 "$T/badjson.db" "UPDATE replay_run SET params = '{\"costs\": {' WHERE id = 2;"
check_exit "5020.5.8 params that are not JSON: exit 2" 2 tlb tlbreport -o "$T/r7" "$T/badjson.db"
check_grep "5020.5.9 ... naming the run" 'run 2 \(new\): params is not valid JSON' "$ERR"
cp "$db" "$T/nocost.db"
sqlite3 "$T/nocost.db" "UPDATE replay_run SET params = '{\"machine\":\"power7\"}' WHERE id = 2;"
check_exit "5020.5.10 params without costs: report without a sweep, exit 0" 0 tlb tlbreport -o "$T/r8" "$T/nocost.db"
check_grep "5020.5.11 ... saying which costs are missing" 'No sweep: params of run 2 \(new\) name no cost for tlbiel tlbie' "$T/r8/summary.md"
cp "$db" "$T/wrongcycles.db"
sqlite3 "$T/wrongcycles.db" "UPDATE replay_total SET cycles = cycles + 1000 WHERE run = 2 AND vm = -1;"
check_exit "5020.5.12 stored cycles off the formula: exit 0" 0 tlb tlbreport -o "$T/r9" "$T/wrongcycles.db"
check_grep "5020.5.13 ... and the model check says so" 'Model check failed.*run 2.*by 1000 cycles' "$T/r9/summary.md"

# 5020.6: gnuplot that cannot run
TLB_GNUPLOT=$T/no-such-gnuplot check_exit "5020.6.1 no gnuplot: exit 1" 1 tlb tlbreport -o "$T/r10" "$db"
check_grep "5020.6.2 ... saying so" 'cannot draw the plots: cannot run .*no-such-gnuplot' "$ERR"
printf '#!/bin/sh\necho "gnuplot broke" >&2\nexit 3\n' > "$T/badplot" && chmod +x "$T/badplot"
TLB_GNUPLOT=$T/badplot check_exit "5020.6.3 gnuplot failing: exit 1" 1 tlb tlbreport -o "$T/r11" "$db"
check_grep "5020.6.4 ... naming the script and quoting its log" 'gnuplot failed on plots/.*\.gp \(it said: gnuplot broke\)' "$ERR"
ok_if "5020.6.5 ... and leaving no report and no private directory behind" \
	test ! -e "$T/r11" -a -z "$(ls -A "$T" | grep tlbreport-)"

# 5020.7: an output directory that cannot be made
check_exit "5020.7.1 output under a file: exit 1" 1 tlb tlbreport -o "$T/text.db/r" "$db"
check_grep "5020.7.2 ... saying cannot create" '^tlbreport: cannot create ' "$ERR"
