#!/usr/bin/env bash
# t2002: tlbgen's command line: help and its examples, --list, bad arguments (exit 2, a
# "tlbgen: cannot ..." message, no file), refusing to overwrite, and no partial file
# when a run fails or is interrupted.
. "$(dirname "$0")/lib.sh"

ok_if "t2002.1 --help exits 0" tlb tlbgen --help
help=$OUT; cp "$help" "$T/help.txt"
check_grep "t2002.2 help has USAGE" '^USAGE:' "$T/help.txt"
check_grep "t2002.3 help has EXAMPLES" '^EXAMPLES:' "$T/help.txt"
check_grep "t2002.4 help states the default of --events" '--events N .*\(default [0-9]+\)' "$T/help.txt"

# Every example of --help runs (in $T; the two big ones cut to 100000 events to stay quick).
n=0
while IFS= read -r cmd; do
	n=$((n + 1))
	cmd=$(printf '%s' "$cmd" | sed -e 's/10000000/100000/; s/1000000/100000/')
	(cd "$T" && eval "$TLB_BIN/$cmd") > "$OUT" 2> "$ERR"
	check_eq "t2002.5.$n example runs: $cmd" "0" "$?"
done < <(sed -n '/^EXAMPLES:/,/^$/p' "$T/help.txt" | sed -e ':a' -e '/\\$/N; s/\\\n *//; ta' |
	 grep '^    tlbgen' | sed -e 's/^    //' -e 's/ *#.*$//')
ok_if "t2002.6 the examples were found (at least 5)" test "$n" -ge 5

ok_if "t2002.7 --list exits 0" tlb tlbgen --list
cp "$OUT" "$T/list.txt"
check_eq "t2002.8 --list shows the four scenarios, one line each" \
	"hlocal-paging one-vcore per-thread smp-migrate" \
	"$(awk '{print $1}' "$T/list.txt" | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "t2002.9 each line has a description" "4" "$(awk 'NF >= 5' "$T/list.txt" | wc -l | tr -d ' ')"

ok_if "t2002.9a --list --format csv" tlb tlbgen --list --format csv
check_eq "t2002.9b csv: a header and four rows" "name,events,summary 4" \
	"$(head -n 1 "$OUT") $(tail -n +2 "$OUT" | grep -c '^[a-z-]*,[0-9]*,".*"$')"
ok_if "t2002.9c --list --format json" tlb tlbgen --list --format json
if need_cmd python3; then
	check_eq "t2002.9d json: four objects with name, events, summary" "4" \
		"$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(1 for x in d if set(x)=={"name","events","summary"}))' < "$OUT")"
else
	skip "t2002.9d json parses" "no python3 to parse JSON"
fi

# Bad usage: exit 2, the message names what is wrong, and nothing is written.
i=0
while IFS='|' read -r why args; do
	i=$((i + 1))
	rm -f "$T"/bad.db*
	eval "set -- $args"
	check_exit "t2002.10.$i exit 2: $why" 2 tlb tlbgen -o "$T/bad.db" "$@"
	check_grep "t2002.11.$i message: $why" '^tlbgen: cannot ' "$ERR"
	ok_if "t2002.12.$i no file: $why" test -z "$(ls "$T" | grep '^bad\.db')"
done <<'CASES'
unknown option|--bogus
positional argument|extra
zero VMs|--vms 0
VMs not a number|--vms abc
negative events|--events -1
zero events|--events 0
events and duration|--events 10 --duration-ms 5
zero duration|--duration-ms 0
fraction above 1|--hlocal-fraction 1.5
fraction not a number|--hlocal-fraction half
negative rate|--migration-rate -1
unknown hcall in mix|--mix H_BOGUS=1
mix item without weight|--mix H_ENTER
negative mix weight|--mix H_ENTER=-1
mix weights all zero|--mix H_ENTER=0,H_REMOVE=0
duplicate mix entry|--mix H_ENTER=1,H_ENTER=2
zero threads|--threads 0
no way to act|--hcall-rate 0 --exit-rate 0
unknown scenario|--scenario nope
scenario with workload options|--scenario per-thread --vms 2
bad start time|--start-time yesterday
list with output|--list
unknown format|--list --format xml
format without list|--format csv
unknown hcall-cpu mode|--hcall-cpu core
CASES
check_exit "t2002.13 no -o: exit 2" 2 tlb tlbgen --events 10
check_grep "t2002.14 no -o: says so" '^tlbgen: cannot .*output' "$ERR"

# An existing file is kept unless --force.
echo "precious" > "$T/exists.db"
check_exit "t2002.15 existing output refused: exit 1" 1 tlb tlbgen --scenario per-thread -o "$T/exists.db"
check_grep "t2002.16 the refusal names the file and --force" 'exists\.db.*--force' "$ERR"
check_eq "t2002.17 the existing file is untouched" "precious" "$(cat "$T/exists.db")"
ok_if "t2002.18 --force replaces it" tlb tlbgen --scenario per-thread -o "$T/exists.db" --force
check_eq "t2002.19 the replacement is a trace" "generated" \
	"$(sqlite3 "$T/exists.db" "SELECT value FROM meta WHERE key='source'")"

# A run that fails leaves nothing: a missing directory; a file size limit hit mid-run;
# an interrupt mid-run.
check_exit "t2002.20 missing directory: exit 1" 1 tlb tlbgen -o "$T/nodir/x.db" --events 100
ok_if "t2002.21 missing directory: nothing created" test ! -e "$T/nodir"
mkdir "$T/full"
( ulimit -f 2048; "$TLB_BIN/tlbgen" -q -o "$T/full/x.db" --events 2000000 ) > "$OUT" 2> "$ERR"
check_eq "t2002.22 file size limit (ulimit -f 2048: 2 MiB) mid-run: exit 1" "1" "$?"
check_grep "t2002.23 file size limit: message" '^tlbgen: ' "$ERR"
check_eq "t2002.24 file size limit: no file, no temporary" "" "$(ls -A "$T/full")"
mkdir "$T/int"
"$TLB_BIN/tlbgen" -q -o "$T/int/x.db" --events 100000000 > "$OUT" 2> "$ERR" &
pid=$!
# wait until the temporary file exists, so the interrupt lands mid-run
for _ in $(seq 200); do [ -n "$(ls -A "$T/int")" ] && break; sleep 0.05; done
sleep 0.3
kill -INT "$pid"
wait "$pid"
check_eq "t2002.25 interrupted: exit 1" "1" "$?"
check_grep "t2002.26 interrupted: says so" 'interrupted' "$ERR"
check_eq "t2002.27 interrupted: no file, no temporary" "" "$(ls -A "$T/int")"

# start_time only when asked.
tlb tlbgen --scenario one-vcore -o "$T/st0.db"
check_eq "t2002.28 no start_time by default" "0" \
	"$(sqlite3 "$T/st0.db" "SELECT count(*) FROM meta WHERE key='start_time'")"
tlb tlbgen -o "$T/st1.db" --events 50 --start-time 2026-01-02T03:04:05Z
check_eq "t2002.29 --start-time ISO is stored as given" "2026-01-02T03:04:05Z" \
	"$(sqlite3 "$T/st1.db" "SELECT value FROM meta WHERE key='start_time'")"
tlb tlbgen --scenario one-vcore -o "$T/st2.db" --start-time now
check_grep "t2002.30 --start-time now is an ISO 8601 UTC time" \
	'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' \
	<(sqlite3 "$T/st2.db" "SELECT value FROM meta WHERE key='start_time'")
ok_if "t2002.31 --version" tlb tlbgen --version
check_grep "t2002.32 --version prints NAME VERSION" '^tlbgen [^ ]+$' "$OUT"
# The suite's option letters (COMMON.md): -f --force, -l --list, -V --version.
ok_if "t2002.33 -V" tlb tlbgen -V
check_grep "t2002.34 -V prints NAME VERSION" '^tlbgen [^ ]+$' "$OUT"
tlb tlbgen --list > "$T/list-long.txt"
ok_if "t2002.35 -l" tlb tlbgen -l
check_eq "t2002.36 -l is --list" "$(cat "$T/list-long.txt")" "$(cat "$OUT")"
ok_if "t2002.37 -f replaces an existing file" tlb tlbgen --scenario per-thread -o "$T/exists.db" -f
check_grep "t2002.38 help lists -f, -l, -V with their long names" '^  -V, --version ' "$T/help.txt"
check_eq "t2002.39 help option lines: '  -x, --long' or '      --long'" "" \
	"$(sed -n '/^OPTIONS:/,/^EXAMPLES:/p' "$T/help.txt" | grep -E '^ +-' | grep -vE '^(  -[A-Za-z], |      )--[a-z]')"
