#!/usr/bin/env bash
# t5120: the cost sweeps name the cheapest SAFE policy and where it flips (issue 11), on
# analysis/testdata/five-policies.sql changed so that the verdict flips inside the swept
# range and an unsafe policy is the cheapest line of all. Every figure by hand, from the
# fixture's power7 costs (full flush 22660 = 2660 + flush_refill 20000; local seq of 1
# 120; global seq of 1 860 = 160 + tlbie 200 + tlbsync 500).
#
# Changes: tracked does 2 flushes + 14 local(1) = 45320 + 14 x 120 = 47000 cycles, no tlbie;
# old does what optimal does (1 flush + 2 local(1) = 22900) but keeps its 2 stale exposures.
#
# Sweep tlbie+tlbsync, x = tlbie + tlbsync (stored 700, range 0..7000, the 2:5 split kept):
# a global(1) costs 160 + x, so
#   modern  = 45320 + 120 + 160 + x = 45600 + x
#   new     = 45320 + 2 (160 + x)   = 45640 + 2x   (above modern for every x >= 0)
#   tracked = 47000                 (flat: no tlbie)
#   old     = 22900 (flat, below all: unsafe, never named)
# modern = tracked at 45600 + x = 47000: x = 1400 (2.00x the stored 700): modern is the
# cheapest safe policy up to 1400 cycles, then tracked.
# Sweep flush_refill, y (stored 20000, range 0..200000): modern = 2 (2660 + y) + 980 =
# 6300 + 2y, tracked = 7000 + 2y, new = 7040 + 2y: parallel, modern throughout.
# Map: modern and tracked differ only in x (same flushes): the boundary is x = 1400.
. "$(dirname "$0")/lib.sh"
need_cmd sqlite3 || skip_all "sqlite3 is not installed (scripts/install-deps.sh build)"
need_cmd gnuplot || skip_all "gnuplot is not installed (scripts/install-deps.sh build)"
need_cmd python3 || skip_all "python3 is not installed (scripts/install-deps.sh check)"
FIX=$ROOT/analysis/testdata
db=$T/flip.db
sqlite3 "$db" < "$ROOT/schemas/trace-v1.sql" && sqlite3 "$db" < "$FIX/five-policies.sql" &&
sqlite3 "$db" "UPDATE replay_total SET tlbiel_inval = 14, local_seqs = 14, tlbie = 0, tlbie_seqs = 0,
  cycles = 47000 WHERE run = 4;
  UPDATE replay_total SET full_flushes = 1, tlbiel_flush = 128, tlbiel_inval = 2, local_seqs = 2,
  cycles = 22900 WHERE run = 1;" || skip_all "cannot build the fixture DB"

check_exit "5120.1 report: exit 0" 0 tlb tlbreport -o "$T/r" "$db"
cp "$OUT" "$T/r.out"
md=$T/r/summary.md gp=$T/r/plots
check_grep "5120.2 the fixture's stored cycles follow the cost formula" '^Model check: the cycles recomputed' "$md"
check_grep "5120.3 verdict: modern, although old's line is the lowest (old is unsafe)" \
	'^  verdict: modern is the cheapest safe policy: .*unsafe: old \(2 stale-TLB exposures\)$' "$T/r.out"
check_grep "5120.4 stdout: modern up to 1400, then tracked" \
	'^  cheapest safe as tlbie\+tlbsync moves: modern up to 1400 cycles, then tracked$' "$T/r.out"
check_grep "5120.5 stdout: flush_refill: modern throughout" \
	'^  cheapest safe as flush_refill moves: modern throughout \(0\.\.200000 cycles\)$' "$T/r.out"
check_grep "5120.6 summary.md: the flip and its distance from the estimate" \
	'^- \*\*tlbie\+tlbsync\*\* \(stored 700 cycles; swept 0\.\.7000\): modern up to 1400 cycles, then tracked \(flip 2\.00x the stored value\)\.$' "$md"
check_grep "5120.7 index.html: the same" 'the tlbie\+tlbsync cost moves: <span class="bad">modern up to 1400 cycles, then tracked</span> \(flip 2\.00x the estimate of 700\)' "$T/r/index.html"
ok_if "5120.8 old (unsafe) is never named as cheapest, in any output" bash -c \
	"! grep -hE 'old (up to|throughout)|then old|old cheapest|: old cheapest|throughout: old' '$md' '$T/r/index.html' '$T/r.out' '$gp'/sens_*.gp"
check_grep "5120.9 the sweep plot marks the flip at 1400" \
	"^set arrow 2 from 1400, graph 0 to 1400, graph 1 nohead" "$gp/sens_tlbie_tlbsync.gp"
check_grep "5120.10 ... and labels it" "label 2 'at 1400: modern cheapest below, tracked above'" "$gp/sens_tlbie_tlbsync.gp"
check_grep "5120.11 the map's boundary is x = 1400" "^set arrow 10 from 1400, graph 0 to 1400, graph 1" "$gp/sens_map.gp"
# grid x = 7000 i / 60: i = 11 is 1283.33 (modern, run index 2), i = 13 is 1516.67 (tracked, 3)
check_eq "5120.12 map cells either side of it: modern, then tracked" "2 3" \
	"$(awk '$1 == "1283.33" && $2 == 0 { a = $3 } $1 == "1516.67" && $2 == 0 { b = $3 } END { print a, b }' "$gp/sens_map.gp")"
ok_if "5120.13 the map's legend names modern and tracked only" bash -c \
	"grep -q \"title 'modern'\" '$gp/sens_map.gp' && grep -q \"title 'tracked'\" '$gp/sens_map.gp' && ! grep -qE \"title '(old|new|optimal)'\" '$gp/sens_map.gp'"

check_exit "5120.14 --format json" 0 tlb tlbreport -q -o "$T/rj" --format json "$db"
cp "$OUT" "$T/r.json"
ok_if "5120.15 json: the segments of both sweeps" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["reports"][0]["sweeps"]
t = d["tlbie+tlbsync"]["cheapest"]
assert [s["policy"] for s in t] == ["modern", "tracked"], t
assert t[0]["from"] == 0 and abs(t[0]["to"] - 1400) < 1e-6 and abs(t[1]["from"] - 1400) < 1e-6, t
assert t[1]["to"] == 7000, t
assert d["flush_refill"]["cheapest"] == [{"policy": "modern", "same": [], "from": 0, "to": 200000}], d
' "$T/r.json"

# A flip beyond the range widens it: tracked with 69 local(1) = 45320 + 8280 = 53600 meets
# modern at 45600 + x = 53600, x = 8000 > 7000: the range becomes 1.25 x 8000 = 10000.
cp "$db" "$T/far.db"
sqlite3 "$T/far.db" "UPDATE replay_total SET tlbiel_inval = 69, local_seqs = 69, cycles = 53600 WHERE run = 4"
check_exit "5120.16 flip beyond the range: exit 0" 0 tlb tlbreport -q -o "$T/rf" "$T/far.db"
check_grep "5120.17 the range is widened to show it" \
	'^- \*\*tlbie\+tlbsync\*\* \(stored 700 cycles; swept 0\.\.10000, widened to show the flip\): modern up to 8000 cycles, then tracked \(flip 11\.43x the stored value\)\.$' "$T/rf/summary.md"

# Identical lines are one segment, both named: new and tracked as five-policies.sql stores
# them (both 2 flushes + 2 global(1): 45640 + 2x), reported without modern (--policy), so
# new = tracked is the cheapest safe policy throughout; old stays unsafe.
sqlite3 "$T/same.db" < "$ROOT/schemas/trace-v1.sql" && sqlite3 "$T/same.db" < "$FIX/five-policies.sql"
check_exit "5120.18 --policy old,new,tracked: exit 0" 0 tlb tlbreport -q -o "$T/rs" --policy old,new,tracked "$T/same.db"
check_grep "5120.19 identical lines: new = tracked throughout" \
	'^- \*\*tlbie\+tlbsync\*\* \(stored 700 cycles; swept 0\.\.7000\): new = tracked throughout \(0\.\.7000 cycles\)\.$' "$T/rs/summary.md"
