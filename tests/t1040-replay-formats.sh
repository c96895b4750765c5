#!/usr/bin/env bash
# t1040-replay-formats - table, csv and json say the same numbers; the same input gives
# the same bytes; usage errors exit 2; --help has USAGE and EXAMPLES, and every example
# line of --help runs.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/data/replay/lib.sh"
need_sqlite3
cd "$T" || exit 1

mkexample ex2-hlocal-smp a.db
mkexample ex3-bulk-and-reset b.db
# two VMs in one trace: ex3's VM renumbered 2 and moved after ex2's events
sqlite3 a.db "ATTACH 'b.db' AS b; INSERT INTO vm VALUES (2,'second',NULL,NULL);
  INSERT INTO event SELECT ts + 100, cpu, 2, vcpu, kind, a0, a1, a2, a3 FROM b.event ORDER BY rowid;"

tlb tlbreplay -q --format csv a.db > a.csv
tlb tlbreplay -q --format json a.db > a.json
tlb tlbreplay -q a.db > a.txt
# csv rows as "policy vm m1 .. m11"
from_csv=$(tail -n +2 a.csv | tr ',' ' ')
# json: the values of each object in order, one line per row
from_json=$(awk '
	/^  \{/ { row = ""; next }
	/^   "/ { v = $0; sub(/^[^:]*: /, "", v); sub(/,$/, "", v); gsub(/"/, "", v); row = row (row == "" ? "" : " ") v; next }
	/^  \}/ { print row }' a.json)
# table: the data lines (policy name first)
from_table=$(awk '$1 ~ /^(old|new|modern|tracked|optimal)$/ { $1 = $1; print }' a.txt)
check_eq "1040.1 json rows equal csv rows" "$from_csv" "$from_json"
check_eq "1040.2 table rows equal csv rows" "$from_csv" "$from_table"
check_eq "1040.3 5 policies x (2 VMs + all) = 15 rows" 15 "$(echo "$from_csv" | wc -l | tr -d ' ')"
check_eq "1040.4 csv header" "policy,vm,events,guest_entries,hcalls,full_flushes,tlbiel_flush,tlbiel_inval,local_seqs,tlbie,tlbie_seqs,cycles,stale_exposures" "$(head -1 a.csv)"
# all = vm 1 + vm 2; ex2 old 48540 + ex3 old 90940 = 139480 (the expected JSONs)
check_eq "1040.5 the all row sums the VMs (old cycles 48540 + 90940)" 139480 "$(metric a.csv old all cycles)"
check_eq "1040.6 VM 2 alone is ex3's (old stale 1)" 1 "$(metric a.csv old 2 stale_exposures)"
check_grep "1040.7 json is one object with the spec's keys" '^ "results": \[$' a.json
ok_if "1040.8 table columns are aligned (every data line as long as the header)" \
	awk '/^policy/ { w = length($0) } $1 ~ /^(old|new|modern|tracked|optimal)$/ && length($0) != w { exit 1 }' a.txt

# determinism: same bytes twice, for every format, and for --store's digest
for f in table csv json; do
	tlb tlbreplay -q --format $f a.db > one.$f
	tlb tlbreplay -q --format $f a.db > two.$f
	ok_if "1040.9.$f same input, same bytes ($f)" cmp one.$f two.$f
done
cp a.db c.db
tlb tlbreplay -q --store a.db > /dev/null && tlb tlbreplay -q --store c.db > /dev/null
check_eq "1040.10 two files with the same events have the same digest" \
	"$(sqlite3 a.db "SELECT trace_digest FROM replay_run WHERE policy = 'old'")" \
	"$(sqlite3 c.db "SELECT trace_digest FROM replay_run WHERE policy = 'old'")"
# the digest resolves kinds by name: renumbering the kind ids does not change it
sqlite3 c.db "PRAGMA foreign_keys = OFF; UPDATE event_kind SET id = id + 1000; UPDATE event SET kind = kind + 1000;"
tlb tlbreplay -q --store c.db > /dev/null
check_eq "1040.11 other kind ids, same events: same digest" 1 \
	"$(sqlite3 c.db "SELECT count(DISTINCT trace_digest) FROM replay_run WHERE policy = 'old'")"

# usage
check_exit "1040.12 --help exits 0" 0 tlb tlbreplay --help
cp "$OUT" help.txt
check_grep "1040.13 --help has USAGE" '^USAGE:' help.txt
check_grep "1040.14 --help has EXAMPLES" '^EXAMPLES:' help.txt
check_grep "1040.15 --help shows defaults" 'default old,new,modern,tracked' help.txt
# the examples' other files: the parts of a rotated capture, a directory of captures
mkparts a.db 3 host
mkdir caps && cp a.db caps/x.db && cp a.db caps/y.db
n=0
while IFS= read -r line; do
	cmd=${line%%#*}
	n=$((n + 1))
	# shellcheck disable=SC2086
	check_exit "1040.16.$n example runs: $cmd" 0 env PATH="$TLB_BIN:$PATH" $(echo $cmd | sed 's/trace\.db/a.db/')
done < <(sed -n '/^EXAMPLES:/,$p' help.txt | grep '^    tlbreplay')
check_exit "1040.17 no trace: 2" 2 tlb tlbreplay
check_exit "1040.18 two traces: 2" 2 tlb tlbreplay a.db a.db
check_exit "1040.19 --format xml: 2" 2 tlb tlbreplay --format xml a.db
check_exit "1040.20 --policy foo: 2" 2 tlb tlbreplay --policy old,foo a.db
check_exit "1040.21 --policy old,old: 2" 2 tlb tlbreplay --policy old,old a.db
check_exit "1040.22 --machine power10: 2" 2 tlb tlbreplay --machine power10 a.db
check_exit "1040.23 --threads-per-core 0: 2" 2 tlb tlbreplay -t 0 a.db
check_exit "1040.24 --option nope=1: 2" 2 tlb tlbreplay --option nope=1 a.db
check_exit "1040.25 --option new-hpt-reset-flush=2: 2" 2 tlb tlbreplay --option new-hpt-reset-flush=2 a.db
check_exit "1040.26 --bucket-ms 0: 2" 2 tlb tlbreplay --store --bucket-ms 0 a.db
check_exit "1040.27 unknown flag: 2" 2 tlb tlbreplay --frobnicate a.db
check_exit "1040.28 --version: 0" 0 tlb tlbreplay --version
check_grep "1040.29 --version prints the name" '^tlbreplay ' "$OUT"
