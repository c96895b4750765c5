#!/usr/bin/env bash
# t5110: the verdict a kernel developer can trust (issue 11). On a hand-counted capture
# with the five policies (analysis/testdata/five-policies.sql): safe policies ranked by
# cycles against the optimal floor, the unsafe one apart with its exposures and never
# called cheaper; runs made with other parameters never compared; no verdict, but what
# to do, without guest entries or without invalidations; optimal out of the sweeps;
# the model copied into the report; where T came from; the option letters of COMMON.md.
. "$(dirname "$0")/lib.sh"
need_cmd sqlite3 || skip_all "sqlite3 is not installed (scripts/install-deps.sh build)"
need_cmd gnuplot || skip_all "gnuplot is not installed (scripts/install-deps.sh build)"
FIX=$ROOT/analysis/testdata
db=$T/five.db
sqlite3 "$db" < "$ROOT/schemas/trace-v1.sql" && sqlite3 "$db" < "$FIX/five-policies.sql"
variant() { cp "$db" "$T/$1.db" && sqlite3 "$T/$1.db" "$2"; }

# 5110.1: the verdict (hand-derived in five-policies.sql)
check_exit "5110.1.1 report of five policies: exit 0" 0 tlb tlbreport -o "$T/r" "$db"
cp "$OUT" "$T/r.out"
check_grep "5110.1.2 stdout: modern is the cheapest safe policy, 2.02x the floor, old unsafe" \
	'^  verdict: modern is the cheapest safe policy: 2\.02x the floor \(optimal\); unsafe: old \(2 stale-TLB exposures\)$' "$T/r.out"
check_grep "5110.1.3 stdout: old is marked UNSAFE in its row" '^  old .* 90880 +2  UNSAFE$' "$T/r.out"
check_grep "5110.1.4 stdout: new 2.05x the floor (47040 / 22900)" '^  new .* 47040 +0  2\.05x$' "$T/r.out"
check_grep "5110.1.5 stdout: where T came from" 'replayed as power7, 4 threads/core \(T from meta\)' "$T/r.out"
md=$T/r/summary.md
check_grep "5110.1.6 summary.md: the verdict line" '^\*\*modern is the cheapest safe policy\*\*: 46300 cycles, 2\.02x the floor \(optimal, 22900 cycles\)\.$' "$md"
check_eq "5110.1.7 summary.md: safe policies ranked by cycles" \
	"| optimal | 22900 | the floor |
| modern | 46300 | 2.02x |
| new | 47040 | 2.05x |
| tracked | 47040 | 2.05x |" "$(grep -E '^\| (optimal|modern|new|tracked) \| [0-9]+ \| (the floor|[0-9.]+x) \|$' "$md")"
check_grep "5110.1.8 summary.md: old apart, with its exposures" '^\| old \| 2 \| 90880 \|$' "$md"
ok_if "5110.1.9 summary.md never calls old cheaper" bash -c "! grep -qiE 'old (is|was) cheaper|old costs less' '$md'"
check_grep "5110.1.10 summary.md: T and its source" '^\| threads per core \| 4 \(from the capture.s meta\) \|$' "$md"
check_grep "5110.1.11 summary.md: the costs in force" '^\| costs \(cycles, estimates\) \| tlbiel 20, tlbie 200, tlbsync 500, ptesync 50, eieio 10, lock 50, flush_refill 20000, sets 128 \|$' "$md"
check_grep "5110.1.12 summary.md: terms defined, the model linked" 'Terms: \*safe\* = no stale-TLB exposure.*\[replay-model\.md\]\(replay-model\.md\)' "$md"
check_grep "5110.1.13 index.html: old in red with its exposures" '<span class="bad">Unsafe, never a candidate whatever it costs: old \(2 stale-TLB exposures, 90'$'\xe2\x80\x89''880 cycles\)' "$T/r/index.html"
check_grep "5110.1.14 index.html links the model" 'href="replay-model.html"' "$T/r/index.html"
ok_if "5110.1.15 the model is in the report, as Markdown and HTML" \
	bash -c "cmp -s '$ROOT/docs/replay-model.md' '$T/r/replay-model.md' && grep -q 'the floor' '$T/r/replay-model.html'"

# 5110.2: plots
gp=$T/r/plots
check_grep "5110.2.1 identical lines are named: tracked (same as new)" "title 'tracked \(same as new\)'" "$gp/series_cycles.gp"
check_grep "5110.2.2 exposures step at their exact times (2.5 ms, 5.5 ms)" '^0\.002500000 1$' "$gp/stale_exposures.gp"
check_grep "5110.2.3 ... the second one" '^0\.005500000 2$' "$gp/stale_exposures.gp"
ok_if "5110.2.4 optimal is not drawn in the sweeps" bash -c "! grep -q \"title 'optimal\" '$gp/sens_tlbie_tlbsync.gp' '$gp/sens_flush_refill.gp'"
check_grep "5110.2.5 ... and the script says why" 'optimal is not drawn: its decisions depend on the costs' "$gp/sens_tlbie_tlbsync.gp"
check_grep "5110.2.6 summary.md says why too" '^optimal is left out of the sweeps: its decisions depend on the costs' "$md"
# modern 45600 + x, new = tracked 45640 + 2x over tlbie+tlbsync (five-policies.sql): modern
# throughout; old (unsafe) is never named in a label
check_grep "5110.2.7 the sweep's title names the cheapest safe policy" 'ncheapest safe policy throughout: modern"$' "$gp/sens_tlbie_tlbsync.gp"
ok_if "5110.2.8 linear scale when the cycles span less than 100x" bash -c "! grep -q 'set logscale y' '$gp/cycles_by_policy.gp'"
variant wide "UPDATE replay_total SET cycles = cycles * 1000 WHERE run = 1;"
check_exit "5110.2.9 cycles spanning 3970x: exit 0" 0 tlb tlbreport -q -o "$T/rw" "$T/wide.db"
check_grep "5110.2.10 ... log scale" '^set logscale y 10$' "$T/rw/plots/cycles_by_policy.gp"
check_grep "5110.2.11 ... said on the axis" "cycles \(log scale\)" "$T/rw/plots/cycles_by_policy.gp"
for p in "$gp"/*.png; do
	[ -s "$p" ] || { not_ok "5110.2.12 every plot drawn" "$p is empty"; break; }
done
[ -s "$gp/stale_exposures.png" ] && ok "5110.2.12 every plot drawn"

# 5110.3: runs made with other parameters are never compared
variant mixed "INSERT INTO replay_run SELECT id + 5, policy, machine,
  replace(params, '\"tlbie\":200', '\"tlbie\":2000'), trace_digest, tool_version, created, bucket_ns
  FROM replay_run WHERE id <= 2;
  INSERT INTO replay_total SELECT run + 5, vm, events, guest_entries, hcalls, full_flushes, tlbiel_flush,
  tlbiel_inval, local_seqs, tlbie, tlbie_seqs, cycles + 1800 * tlbie, stale_exposures FROM replay_total WHERE run <= 2;"
check_exit "5110.3.1 old and new stored again at tlbie=2000: exit 0" 0 tlb tlbreport -o "$T/rm" "$T/mixed.db"
check_grep "5110.3.2 only the latest parameter set is shown (old, new)" '^\| runs \| old = run 6, new = run 7 ' "$T/rm/summary.md"
check_grep "5110.3.3 the others are listed as left out, with what differs" \
	'\*\*5 other stored runs of this trace, made with other parameters, are left out\*\*.* run 5 \(optimal costs differ\)' "$T/rm/summary.md"
check_grep "5110.3.4 the costs shown are the ones in force" '^\| costs \(cycles, estimates\) \| tlbiel 20, tlbie 2000, ' "$T/rm/summary.md"
check_exit "5110.3.5 --run naming runs of two parameter sets: exit 2" 2 tlb tlbreport -o "$T/rm2" --run 1,7 "$T/mixed.db"
check_grep "5110.3.6 ... saying what differs" 'runs 1 and 7 were made with different parameters \(costs\)' "$ERR"
check_exit "5110.3.7 --run 1,2,3,4,5 (one set): exit 0" 0 tlb tlbreport -q -o "$T/rm3" --run 1,2,3,4,5 "$T/mixed.db"
variant opts "UPDATE replay_run SET params = replace(params, 'bulk_via_global_invalidates\":0', 'bulk_via_global_invalidates\":1') WHERE id = 3;"
check_exit "5110.3.8 one option set differently in the latest run: exit 0" 0 tlb tlbreport -q -o "$T/ro" "$T/opts.db"
check_grep "5110.3.9 ... the runs that disagree are left out, naming options" 'run [0-9] \([a-z]+ options differ\)' "$T/ro/summary.md"

# 5110.4: no verdict without guest entries or without invalidations, and what to do
variant guest "UPDATE replay_total SET guest_entries = 0;"
check_exit "5110.4.1 no guest entries: exit 0" 0 tlb tlbreport -o "$T/rg" "$T/guest.db"
check_grep "5110.4.2 stdout: no verdict, merge with a host capture" 'verdict: no verdict: no guest entries.*tlbmerge host\.db guest\.db -o merged\.db' "$OUT"
check_grep "5110.4.3 summary.md says the same" '^\*\*No verdict\*\*: no guest entries' "$T/rg/summary.md"
ok_if "5110.4.4 ... and names no cheapest policy" bash -c "! grep -q 'cheapest safe policy' '$T/rg/summary.md'"
variant noinv "UPDATE replay_total SET local_seqs = 0, tlbie_seqs = 0;"
check_exit "5110.4.5 no invalidations: exit 0" 0 tlb tlbreport -q -o "$T/rn" "$T/noinv.db"
check_grep "5110.4.6 ... no verdict, capture in the guest and merge" '^\*\*No verdict\*\*: no TLB invalidation in this capture.*tlbcollect --guest.*tlbmerge' "$T/rn/summary.md"
variant unsafe "UPDATE replay_total SET stale_exposures = 1 WHERE run IN (2, 3, 4);"
check_exit "5110.4.7 only optimal safe: exit 0" 0 tlb tlbreport -q -o "$T/ru" "$T/unsafe.db"
check_grep "5110.4.8 ... no kernel policy is recommended" '^\*\*No verdict\*\*: no kernel policy stored here is safe' "$T/ru/summary.md"

variant badfloor "UPDATE replay_total SET cycles = 50000 WHERE run = 5;"
check_exit "5110.4.9 a stored optimal above a safe policy: exit 0" 0 tlb tlbreport -q -o "$T/rb" "$T/badfloor.db"
check_grep "5110.4.10 ... is flagged, not trusted silently" 'WARNING: modern \(run 3\) costs fewer cycles than optimal although no safe policy can' "$T/rb/summary.md"

# 5110.5: where T came from, as stored; "unknown" in older DBs
variant tsrc "UPDATE replay_run SET params = replace(params, '\"threads_per_core_source\":\"meta\"', '\"threads_per_core_source\":\"option\"');"
check_exit "5110.5.1 T set with -t" 0 tlb tlbreport -q -o "$T/rt" "$T/tsrc.db"
check_grep "5110.5.2 ... said so" '^\| threads per core \| 4 \(set with -t\) \|$' "$T/rt/summary.md"
variant tnone "UPDATE replay_run SET params = replace(params, '\"threads_per_core_source\":\"meta\",', '');"
check_exit "5110.5.3 no threads_per_core_source (older DB)" 0 tlb tlbreport -q -o "$T/rt2" "$T/tnone.db"
check_grep "5110.5.4 ... unknown" '^\| threads per core \| 4 \(source unknown' "$T/rt2/summary.md"

# A capture made on x86_64, replayed with its own T = 1 by an older tlbreplay
variant x86 "UPDATE meta SET value = 'x86_64' WHERE key = 'machine';
  UPDATE meta SET value = '1' WHERE key = 'threads_per_core';
  INSERT INTO meta VALUES ('tracepoints_absent', 'kvm_hv:kvm_guest_enter,kvm_hv:kvm_hcall_enter');
  UPDATE replay_run SET params = replace(replace(params, '\"threads_per_core\":4', '\"threads_per_core\":1'),
    '\"threads_per_core_source\":\"meta\",', '');"
check_exit "5110.5.5 an x86_64 capture replayed with T = 1: exit 0" 0 tlb tlbreport -o "$T/rx" "$T/x86.db"
check_grep "5110.5.6 ... warned: T from a non-POWER host, what to do" \
	"WARNING: this capture was made on a non-POWER host \(meta machine 'x86_64'\).*T = 1 \(the power7 profile has 4\).*tlbreplay -t 4" "$OUT"
ok_if "5110.5.7 ... absent kvm_hv tracepoints are not blamed on an x86_64 host" \
	bash -c "! grep -q 'class=\"alert\">Incomplete capture' '$T/rx/index.html'"
variant ppcabsent "INSERT INTO meta VALUES ('tracepoints_absent', 'kvm_hv:kvm_guest_enter');"
check_exit "5110.5.8 the same absence on a POWER host" 0 tlb tlbreport -q -o "$T/rp" "$T/ppcabsent.db"
check_grep "5110.5.9 ... is flagged" 'class="alert">Incomplete capture: sources absent: kvm_hv:kvm_guest_enter' "$T/rp/index.html"
ok_if "5110.5.10 ... and T from meta on POWER is not warned about" bash -c "! grep -q 'non-POWER host' '$T/rp/summary.md'"

# 5110.6: the option letters of COMMON.md
check_exit "5110.6.1 -P and -m" 0 tlb tlbreport -q -o "$T/r6" -P modern,optimal -m power7 "$db"
check_grep "5110.6.2 ... only those policies" '^\| runs \| modern = run 3, optimal = run 5 ' "$T/r6/summary.md"
check_exit "5110.6.3 -f is --force" 0 tlb tlbreport -q -f -o "$T/r6" "$db"
check_exit "5110.6.4 --format has no short letter (-F is unknown)" 2 tlb tlbreport -F csv -o "$T/r7" "$db"
check_exit "5110.6.5 -V" 0 tlb tlbreport -V
check_grep "5110.6.6 ... prints NAME VERSION" '^tlbreport [^ ]+$' "$OUT"
check_exit "5110.6.7 --help" 0 tlb tlbreport --help
check_grep "5110.6.8 ... lists -f, --force" '^  -f, --force ' "$OUT"
check_grep "5110.6.9 ... and --format without a letter" '^      --format FMT ' "$OUT"

# 5110.7: the report does not depend on how the rows were made: a real replay whose
# oracle row is renamed tracked reads like the hand-written one.
if [ -x "$TLB_BIN/tlbgen" ] && [ -x "$TLB_BIN/tlbreplay" ]; then
	tlb tlbgen -q -o "$T/hl.db" --scenario hlocal-paging && tlb tlbreplay -q --store "$T/hl.db" > /dev/null
	sqlite3 "$T/hl.db" "UPDATE replay_run SET policy = 'tracked' WHERE policy = 'oracle';"
	check_exit "5110.7.1 a real replay with oracle renamed tracked: exit 0" 0 tlb tlbreport -q -o "$T/rh" "$T/hl.db"
	check_grep "5110.7.2 ... tracked is reported" '^\| tracked \| all \|' "$T/rh/summary.md"
	check_grep "5110.7.3 ... with a verdict or the reason there is none" '^\*\*(No verdict|[a-z]+ is the cheapest safe policy)\*\*' "$T/rh/summary.md"
else
	skip "5110.7 a real replay renamed" "tlbgen or tlbreplay is not built"
fi
