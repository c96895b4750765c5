#!/usr/bin/env bash
# t5030: the real chain, tlbgen -> tlbreplay --store -> tlbreport: the numbers of
# summary.md equal `tlbreplay --format json` of the same trace, row for row and
# metric for metric (analysis/testdata/md_vs_json.py), for every scenario tlbgen
# knows and for a generated workload with several VMs; the report's files are whole;
# and the report reads only the stored results (same summary with the events gone).
. "$(dirname "$0")/lib.sh"
need_cmd python3 || skip_all "python3 is not installed (scripts/install-deps.sh check)"
need_cmd sqlite3 || skip_all "sqlite3 is not installed (scripts/install-deps.sh build)"
[ -x "$TLB_BIN/tlbgen" ] || skip_all "no $TLB_BIN/tlbgen (the generator is not built)"
[ -x "$TLB_BIN/tlbreplay" ] || skip_all "no $TLB_BIN/tlbreplay (the replay is not built)"
FIX=$ROOT/analysis/testdata

chain() {	# chain ID DB TLBGEN-ARGS...
	local id=$1 db=$2; shift 2
	check_exit "$id.1 tlbgen $*" 0 tlb tlbgen -q -o "$db" "$@" || return
	check_exit "$id.2 tlbreplay --store" 0 tlb tlbreplay --store "$db" || return
	check_exit "$id.3 tlbreplay --format json" 0 tlb tlbreplay --format json "$db" || return
	cp "$OUT" "${db%.db}.json"
	check_exit "$id.4 tlbreport" 0 tlb tlbreport -o "${db%.db}.report" --format none "$db" || return
	ok_if "$id.5 summary.md equals the replay's JSON" \
		python3 "$FIX/md_vs_json.py" "${db%.db}.report/summary.md" "${db%.db}.json"
	grep -v '^compared' "$OUT" | head -20 | sed 's/^/#   /'
	ok_if "$id.6 plots whole, HTML links resolve" python3 "$FIX/check_report.py" \
		--expect cycles_by_policy,vm_cycles,series_cycles,series_tlbie,stale_exposures,sens_tlbie_tlbsync,sens_flush_refill,sens_map \
		"${db%.db}.report"
	sed 's/^/#   /' "$OUT" | head -20
}

n=0
while read -r name _; do
	[ -n "$name" ] || continue
	n=$((n + 1))
	chain "5030.$n" "$T/$name.db" --scenario "$name"
done < <(tlb tlbgen --list)
[ "$n" -gt 0 ] || skip "5030.0 scenarios" "tlbgen --list lists none"

n=$((n + 1))
chain "5030.$n" "$T/work.db" --vms 3 --vcpus 4 --cores 4 --events 20000 --seed 7 --hlocal-fraction 0.3

# The comparison must be able to fail: one number changed in a copy of summary.md.
sed 's/^| old | all | \([0-9]*\) |/| old | all | 1\1 |/' "$T/work.report/summary.md" > "$T/changed.md"
check_exit "5030.8.1 (checker) a changed number in summary.md is caught" 1 \
	python3 "$FIX/md_vs_json.py" "$T/changed.md" "$T/work.json"
check_grep "5030.8.2 (checker) ... and named" "^\('old', 'all'\) events|^old vm all events|events: summary.md 1" "$OUT"

# The report reads only the stored results: drop the events, same summary.
cp "$T/work.report/summary.md" "$T/with-events.md"
sqlite3 "$T/work.db" "DELETE FROM event;"
check_exit "5030.9.1 report again with the events deleted" 0 tlb tlbreport -o "$T/noev" --format none "$T/work.db"
check_eq "5030.9.2 same summary.md without the events" "$(cat "$T/with-events.md")" \
	"$(sed 's|noev|work.report|g' "$T/noev/summary.md")"
