#!/usr/bin/env bash
# t5010: tlbreport on results written by hand (analysis/testdata/two-vms-results.sql,
# every figure counted from replay-model.md in its comments): the numbers of
# summary.md, the crossovers of the cost sweeps, the plots and the HTML's links,
# the stdout formats, and the red flags for lost events and absent sources.
. "$(dirname "$0")/lib.sh"
need_cmd sqlite3 || skip_all "sqlite3 is not installed (scripts/install-deps.sh build)"
need_cmd python3 || skip_all "python3 is not installed (scripts/install-deps.sh check)"
need_cmd gnuplot || skip_all "gnuplot is not installed (scripts/install-deps.sh build)"
FIX=$ROOT/analysis/testdata
db=$T/two-vms.db
sqlite3 "$db" < "$ROOT/schemas/trace-v1.sql" && sqlite3 "$db" < "$FIX/two-vms-results.sql" ||
	skip_all "cannot build the fixture DB"

# 5010.1: a report is written
check_exit "5010.1 report of a DB with stored results exits 0" 0 tlb tlbreport -o "$T/r" "$db"
for f in index.html summary.md hazards.csv; do
	ok_if "5010.2 $f written" test -s "$T/r/$f"
done

# 5010.3: totals and per-VM rows equal the hand-counted figures (fixture comments)
md=$T/r/summary.md
check_grep "5010.3.1 totals: cycles old 122760, new 79840, ratio 1.538" \
	'^\| cycles \| 122760 \| 79840 \| 1\.538x \|$' "$md"
check_grep "5010.3.2 totals: full flushes 5 / 2" '^\| full_flushes \| 5 \| 2 \| 2\.500x \|$' "$md"
check_grep "5010.3.3 totals: tlbie 11 / 40" '^\| tlbie \| 11 \| 40 \| 0\.275x \|$' "$md"
check_grep "5010.3.4 per VM: old vm 2 row" \
	'^\| old \| 2 \| 30 \| 10 \| 12 \| 1 \| 128 \| 0 \| 0 \| 10 \| 10 \| 31260 \| 2 \|$' "$md"
check_grep "5010.3.5 per VM: new all row" \
	'^\| new \| all \| 41 \| 16 \| 13 \| 2 \| 256 \| 1 \| 1 \| 40 \| 40 \| 79840 \| 0 \|$' "$md"

# 5010.4: old and new cross at x = 63220/29 = 2180.0 (tlbie+tlbsync) and y = 17080/3 =
# 5693.3 (flush_refill), and old costs less below 2180 and below 5693 (the fixture's
# lines). But old has 2 stale exposures: the sweeps name only SAFE policies, so new,
# the one safe policy stored, is the cheapest over both ranges (0..10 x 700, 0..10 x 20000).
check_grep "5010.4.1 tlbie+tlbsync: new throughout, old (unsafe, cheaper below 2180) never named" \
	'^- \*\*tlbie\+tlbsync\*\* \(stored 700 cycles; swept 0\.\.7000\): new throughout \(0\.\.7000 cycles\)\.$' "$md"
check_grep "5010.4.2 flush_refill: new throughout, old (unsafe, cheaper below 5693) never named" \
	'^- \*\*flush_refill\*\* \(stored 20000 cycles; swept 0\.\.200000\): new throughout \(0\.\.200000 cycles\)\.$' "$md"
check_grep "5010.4.3 the model check passes (stored cycles = formula)" '^Model check: the cycles recomputed' "$md"

# 5010.5: the hazards: list and csv
check_grep "5010.5.1 hazard at 1.5 ms on core 3, stale since 0.9 ms" \
	'^\| old \| 0\.001500000 \| 2 \| 1 \| 3 \| 0\.000900000 \| 600\.000 \|$' "$md"
check_eq "5010.5.2 hazards.csv has both hazards" \
	"policy,run,ts_ns,vm,vcpu,core,marked_ts_ns
old,1,1500000,2,1,3,900000
old,1,3200000,2,0,2,3000000" "$(cat "$T/r/hazards.csv")"

# 5010.6: plots exist, are whole PNG/SVG with their scripts; the HTML links only existing files
plots=cycles_by_policy,vm_full_flushes,vm_tlbie,vm_cycles,series_cycles,series_tlbie,stale_exposures,sens_tlbie_tlbsync,sens_flush_refill,sens_map
ok_if "5010.6.1 every plot is a valid non-empty PNG and SVG, HTML links resolve" \
	python3 "$FIX/check_report.py" --expect "$plots" "$T/r"
[ -s "$OUT" ] && sed 's/^/#   /' "$OUT"
# The checker itself must be able to fail: a missing plot, a truncated PNG, a broken SVG.
cp -r "$T/r" "$T/broken"
rm "$T/broken/plots/vm_tlbie.svg"
head -c 300 "$T/r/plots/vm_cycles.png" > "$T/broken/plots/vm_cycles.png"
echo '<svg><path' > "$T/broken/plots/series_tlbie.svg"
check_exit "5010.6.1.1 (checker) a damaged report is caught" 1 python3 "$FIX/check_report.py" "$T/broken"
check_eq "5010.6.1.2 (checker) ... all three damages named" 3 \
	"$(grep -oE 'missing file: plots/vm_tlbie.svg|vm_cycles.png: truncated|series_tlbie.svg: not XML' "$OUT" | sort -u | wc -l | tr -d ' ')"
check_grep "5010.6.2 a plot script redraws by itself" '^do for \[fmt in "png svg"\]' "$T/r/plots/vm_cycles.gp"
rm -f "$T/r/plots/vm_cycles.png" "$T/r/plots/vm_cycles.svg"
ok_if "5010.6.3 gnuplot vm_cycles.gp in plots/ redraws it" \
	bash -c "cd '$T/r/plots' && gnuplot vm_cycles.gp && test -s vm_cycles.png && test -s vm_cycles.svg"
# The empty 2 ms bucket counts as 0 (the series plot's data, as stored in its script)
check_grep "5010.6.4 an absent bucket plots as 0" '^0\.002 0 0$' "$T/r/plots/series_tlbie.gp"

# The verdict map: old (unsafe) is no candidate, so every cell is new's (run index 1)
# and no boundary is drawn, although old/new cross on the map.
check_eq "5010.6.5 verdict map: all 61 x 61 cells name new, no boundary" "3721 0" \
	"$(awk '/^\$map << EOD/ { on = 1; next } /^EOD/ { on = 0 } on && NF == 3 && $3 == 1 { n++ } /^flip_|^set arrow 1[0-9]/ { b++ } END { printf "%d %d", n, b }' "$T/r/plots/sens_map.gp")"

# 5010.7: the HTML shows the meta, no red flag for a complete capture
check_grep "5010.7.1 HTML names the host" 'p7-lab-3' "$T/r/index.html"
ok_if "5010.7.2 no alert for a complete capture" bash -c "! grep -q 'class=\"alert\"' '$T/r/index.html'"

# 5010.8: stdout formats
check_exit "5010.8.1 --format json exits 0" 0 tlb tlbreport -o "$T/r2" --format json "$db"
cp "$OUT" "$T/summary.json"
ok_if "5010.8.2 --format json is JSON with the stored totals" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["reports"][0]
t = {r["policy"]: r for r in d["totals"]}
assert t["old"]["cycles"] == 122760 and t["new"]["cycles"] == 79840, t
assert t["old"]["stale_exposures"] == 2 and t["new"]["tlbie"] == 40, t
# old is unsafe: only new can be the cheapest over either sweep (see 5010.4)
sw = d["sweeps"]
assert sw["tlbie+tlbsync"] == {"stored": 700, "max": 7000, "cheapest": [
    {"policy": "new", "same": [], "from": 0, "to": 7000}]}, sw
assert sw["flush_refill"]["cheapest"] == [{"policy": "new", "same": [], "from": 0, "to": 200000}], sw
assert d["lost_events"] == 0, d
# old has 2 exposures: new is the only safe policy, and no floor was replayed
assert d["verdict"]["cheapest_safe"] == "new" and d["verdict"]["floor"] is None, d["verdict"]
assert d["verdict"]["unsafe"] == [{"policy": "old", "stale_exposures": 2}], d["verdict"]
' "$T/summary.json"
check_exit "5010.8.3 --format csv exits 0" 0 tlb tlbreport -o "$T/r3" --format csv "$db"
check_eq "5010.8.4 csv: header and the old row" \
	"trace,policy,run,machine,events,guest_entries,hcalls,full_flushes,tlbiel_flush,tlbiel_inval,local_seqs,tlbie,tlbie_seqs,cycles,stale_exposures,safe,x_floor,sweep_tlbie_tlbsync,sweep_flush_refill
$db,old,1,power7,41,16,13,5,640,0,0,11,11,122760,2,0,,new throughout (0..7000 cycles),new throughout (0..200000 cycles)" "$(head -2 "$OUT")"

# 5010.9: lost events and absent sources are flagged in red
sqlite3 "$db" "UPDATE meta SET value = '1234' WHERE key = 'lost_events';
	INSERT OR REPLACE INTO meta VALUES ('tracepoints_absent', 'kvm_hv:kvm_hcall_enter');"
check_exit "5010.9.1 report of an incomplete capture exits 0" 0 tlb tlbreport -o "$T/r4" "$db"
# 1 234 with U+2009 THIN SPACE, as bytes: a '.' in the pattern matches all three only in a
# UTF-8 locale (root on a fresh machine may have none: LANG unset, grep counts bytes)
check_grep "5010.9.2 HTML alert names the lost events" 'class="alert">Incomplete capture: 1'$'\xe2\x80\x89''234 events were lost' "$T/r4/index.html"
check_grep "5010.9.3 HTML alert names the absent source" 'class="alert">.*sources absent: kvm_hv:kvm_hcall_enter' "$T/r4/index.html"
check_grep "5010.9.4 the meta cell is red" '<div class="bad"><b>lost events</b>' "$T/r4/index.html"
check_grep "5010.9.5 summary.md warns" 'WARNING: this capture is incomplete' "$T/r4/summary.md"
check_grep "5010.9.6 stdout warns" 'WARNING: 1234 events lost' "$OUT"
