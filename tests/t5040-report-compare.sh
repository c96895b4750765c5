#!/usr/bin/env bash
# t5040: compare mode, tlbreport a.db b.db -o DIR: each capture's full report in
# DIR/LABEL/, the side-by-side page DIR/index.html and DIR/summary.md, labels made
# unique when two files share a name, and the one capture with lost events flagged.
. "$(dirname "$0")/lib.sh"
need_cmd sqlite3 || skip_all "sqlite3 is not installed (scripts/install-deps.sh build)"
need_cmd python3 || skip_all "python3 is not installed (scripts/install-deps.sh check)"
FIX=$ROOT/analysis/testdata
mk() { sqlite3 "$1" < "$ROOT/schemas/trace-v1.sql" && sqlite3 "$1" < "$FIX/two-vms-results.sql"; }
mkdir -p "$T/mon" "$T/tue"
mk "$T/mon/host.db" && mk "$T/tue/host.db" && mk "$T/p8.db" || skip_all "cannot build the fixtures"
# tue: lost events; p8: another host and kernel, new made dearer by hand
sqlite3 "$T/tue/host.db" "UPDATE meta SET value = '77' WHERE key = 'lost_events';"
sqlite3 "$T/p8.db" "UPDATE meta SET value = 'p8-lab-1' WHERE key = 'host';
	UPDATE meta SET value = '3.8.0' WHERE key = 'kernel';"

check_exit "5040.1 three captures side by side: exit 0" 0 \
	tlb tlbreport -o "$T/cmp" "$T/mon/host.db" "$T/tue/host.db" "$T/p8.db"
for d in host host-2 p8; do
	ok_if "5040.2 $d/ holds a whole report" python3 "$FIX/check_report.py" "$T/cmp/$d"
	sed 's/^/#   /' "$OUT" | head
done
ok_if "5040.3 the comparison's plots are whole, its links resolve" python3 "$FIX/check_report.py" \
	--expect cmp_cycles,cmp_full_flushes,cmp_tlbie,cmp_stale,cmp_ratio "$T/cmp"
sed 's/^/#   /' "$OUT" | head
check_grep "5040.4 index.html links each capture" 'href="host-2/index.html"' "$T/cmp/index.html"
check_grep "5040.5 the capture reports link back" 'href="../index.html"' "$T/cmp/p8/index.html"
check_grep "5040.6 summary.md lists the hosts" '^\| \[p8\]\(p8/index.html\) \| p8-lab-1 \| 3\.8\.0 \|' "$T/cmp/summary.md"
check_grep "5040.7 the lost events of one capture are flagged" '^\| \[host-2\].* \| \*\*77\*\* \|' "$T/cmp/summary.md"
check_grep "5040.8 ... and in red in the HTML" 'class="n bad">77<' "$T/cmp/index.html"
# (old and new cross at 2180 and 5693, but old is unsafe: new is the cheapest safe policy
# over both sweeps, t5010.4)
check_grep "5040.9 verdict row: new (old is unsafe), new the cheapest safe over both sweeps" \
	'^\| p8 \| power7, T 4 \(unknown\) \| new \(no floor replayed\) \| old \(2\) \| new throughout \(0\.\.7000 cycles\) \| new throughout \(0\.\.200000 cycles\) \|$' "$T/cmp/summary.md"
check_grep "5040.9b the one-line conclusion across captures comes first" \
	'^\*\*Across 3 captures: new is the cheapest safe policy in 3\.\*\*' "$T/cmp/summary.md"
check_grep "5040.10 per-capture cycles in the comparison" '^\| host \| old \| 5 \| 11 \| 11 \| 122760 \| 2 \|$' "$T/cmp/summary.md"
# The comparison plot's data: one row per capture, one column per policy, as stored.
check_grep "5040.11 cmp_cycles data row" '^"host-2" 122760 79840$' "$T/cmp/plots/cmp_cycles.gp"
check_exit "5040.12 --run with several DBs is bad usage" 2 tlb tlbreport -o "$T/x" --run 1 "$T/p8.db" "$T/p8.db"
check_exit "5040.13 one bad DB among several: exit 2, nothing written" 2 \
	tlb tlbreport -o "$T/cmp2" "$T/p8.db" "$T/missing.db"
ok_if "5040.14 ... nothing written" test ! -e "$T/cmp2"
