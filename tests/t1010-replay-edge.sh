#!/usr/bin/env bash
# t1010-replay-edge - edge cases of the replay model (replay-model.md), each trace written
# by hand with sqlite3 and each expected number derived by hand beside its check.
#
# Costs of the power7 profile (replay-model.md table): tlbiel 20, tlbie 200, tlbsync 500,
# ptesync 50, eieio 10, lock 50, flush_refill 20000, sets 128. Hence
#   full flush  FF      = 50 + 128*20 + 50 + 20000        = 22660
#   local of n  L(n)    = 50 + n*20 + 50                  = 100 + 20n   (L(1) = 120)
#   global of n G(n)    = 50 + 50 + n*200 + 10 + 500 + 50  = 660 + 200n  (G(1) = 860)
# core(c) = c / T with T = 4 (meta) unless said otherwise. Opcodes: H_REMOVE 4,
# H_PROTECT 24, H_BULK_REMOVE 292; H_LOCAL = 268435456 (0x10000000).
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/data/replay/lib.sh"
need_sqlite3
cd "$T" || exit 1

# csv FILE ARGS...: replay to FILE.csv (exit status checked)
csv() { local f=$1; shift; tlb tlbreplay -q --format csv "$@" > "$f.csv" 2> "$f.err"; }
m() { metric "$@"; }

# ---- 1. empty trace: no events at all -------------------------------------------------
mkdb empty.db < /dev/null
check_exit "1010.1.1 empty trace replays" 0 tlb tlbreplay --format json empty.db
check_eq "1010.1.2 empty trace: results is []" '[]' "$(tr -d '\n ' < "$OUT" | sed 's/.*"results"://; s/}$//')"
csv empty empty.db
check_eq "1010.1.3 empty trace: csv is the header only" 1 "$(wc -l < empty.csv | tr -d ' ')"
check_exit "1010.1.4 empty trace: table" 0 tlb tlbreplay empty.db
check_grep "1010.1.5 empty trace: table says there is nothing" 'no events of any VM' "$OUT"

# ---- 2. a VM with one vcpu hopping cores ------------------------------------------------
mkdb one.db <<'SQL'
INSERT INTO event VALUES (0,-1,1,0,101,NULL,NULL,NULL,NULL),
  (10,0,1,0,102,NULL,NULL,NULL,NULL), (20,0,1,0,104,4,0,1,0),
  (30,4,1,0,102,NULL,NULL,NULL,NULL), (40,4,1,0,104,24,0,1,0),
  (50,0,1,0,102,NULL,NULL,NULL,NULL);
SQL
csv one one.db
# old: nvcpus = 1, so both hcalls are local. Entries: t10 slot 0 (last -1) flush; t30
# slot 4 flush; t50 slot 0 != last 4 flush: 3 FF. cycles 3*22660 + 2*L(1) = 68220.
check_eq "1010.2.1 one vcpu, old: full_flushes" 3 "$(m one.csv old 1 full_flushes)"
check_eq "1010.2.2 one vcpu, old: tlbiel_flush 3*128" 384 "$(m one.csv old 1 tlbiel_flush)"
check_eq "1010.2.3 one vcpu, old: local_seqs" 2 "$(m one.csv old 1 local_seqs)"
check_eq "1010.2.4 one vcpu, old: cycles" 68220 "$(m one.csv old 1 cycles)"
# new: nvcores = 1. t10 core 0 needs (VM init) flush; t20 local, need all but core 0;
# t30 core 1 flush; t40 local from core 1 (core 0 marked stale and needing); t50 core 0
# flush (clears the stale mark): 3 FF, cycles 68220, no exposure.
check_eq "1010.2.5 one vcpu, new: full_flushes" 3 "$(m one.csv new 1 full_flushes)"
check_eq "1010.2.6 one vcpu, new: cycles" 68220 "$(m one.csv new 1 cycles)"
check_eq "1010.2.7 one vcpu, new: stale_exposures" 0 "$(m one.csv new 1 stale_exposures)"
check_eq "1010.2.8 one vcpu, modern: cycles (no bulk remove: as new)" 68220 "$(m one.csv modern 1 cycles)"
# tracked: t20 holds {0} = {core 0}: L(1); t40 holds {0,1} != {1}: G(1). No flush.
# cycles 120 + 860 = 980.
check_eq "1010.2.9 one vcpu, tracked: local_seqs" 1 "$(m one.csv tracked 1 local_seqs)"
check_eq "1010.2.10 one vcpu, tracked: tlbie_seqs" 1 "$(m one.csv tracked 1 tlbie_seqs)"
check_eq "1010.2.11 one vcpu, tracked: cycles" 980 "$(m one.csv tracked 1 cycles)"
check_eq "1010.2.12 one vcpu: events 6, entries 3, hcalls 2" "6 3 2" \
	"$(m one.csv old 1 events) $(m one.csv old 1 guest_entries) $(m one.csv old 1 hcalls)"

# ---- 3. hpt_reset with two vcpus of one vcore on two cores --------------------------------
mkdb reset.db <<'SQL'
INSERT INTO event VALUES (10,0,1,0,102,NULL,NULL,NULL,NULL), (11,4,1,1,102,NULL,NULL,NULL,NULL),
  (20,-1,1,NULL,106,NULL,NULL,NULL,NULL),
  (30,0,1,0,102,NULL,NULL,NULL,NULL), (31,4,1,1,102,NULL,NULL,NULL,NULL);
SQL
csv reset reset.db
# old: t10 slot 0 flush, t11 slot 4+1 = 5 flush. The reset marks cores 0 and 1 stale and
# old does nothing; t30 slot 0 and t31 slot 5 are unchanged: no flush, 2 exposures.
check_eq "1010.3.1 hpt_reset, old: full_flushes" 2 "$(m reset.csv old 1 full_flushes)"
check_eq "1010.3.2 hpt_reset, old: stale_exposures" 2 "$(m reset.csv old 1 stale_exposures)"
check_eq "1010.3.3 hpt_reset, old: cycles 2*FF" 45320 "$(m reset.csv old 1 cycles)"
# new: t10, t11 flush (VM init); reset sets every bit; t30, t31 flush: 4 FF, 0 exposures.
check_eq "1010.3.4 hpt_reset, new: full_flushes" 4 "$(m reset.csv new 1 full_flushes)"
check_eq "1010.3.5 hpt_reset, new: cycles 4*FF" 90640 "$(m reset.csv new 1 cycles)"
check_eq "1010.3.6 hpt_reset, new: stale_exposures" 0 "$(m reset.csv new 1 stale_exposures)"
check_eq "1010.3.7 hpt_reset, modern: full_flushes" 4 "$(m reset.csv modern 1 full_flushes)"
# tracked: holds {0,1}; the reset marks both and empties holds; t30, t31 flush: 2 FF.
check_eq "1010.3.8 hpt_reset, tracked: full_flushes" 2 "$(m reset.csv tracked 1 full_flushes)"
check_eq "1010.3.9 hpt_reset, tracked: stale_exposures" 0 "$(m reset.csv tracked 1 stale_exposures)"
# --option new-hpt-reset-flush=0: new no longer flushes after the reset: 2 FF and the two
# unflushed entries on marked cores are exposures; modern is not changed by the option.
csv reset0 --option new-hpt-reset-flush=0 reset.db
check_eq "1010.3.10 new-hpt-reset-flush=0, new: full_flushes" 2 "$(m reset0.csv new 1 full_flushes)"
check_eq "1010.3.11 new-hpt-reset-flush=0, new: stale_exposures" 2 "$(m reset0.csv new 1 stale_exposures)"
check_eq "1010.3.12 new-hpt-reset-flush=0, modern unchanged" 4 "$(m reset0.csv modern 1 full_flushes)"
# --option old-hpt-reset-flush=1 (v3.7 resetting last_vcpu[]): t30 and t31 find their
# slot holding -1, so both flush: 4 FF = 90640, no exposure.
csv reset1 --option old-hpt-reset-flush=1 reset.db
check_eq "1010.3.13 old-hpt-reset-flush=1, old: full_flushes" 4 "$(m reset1.csv old 1 full_flushes)"
check_eq "1010.3.14 old-hpt-reset-flush=1, old: stale_exposures" 0 "$(m reset1.csv old 1 stale_exposures)"
check_eq "1010.3.15 old-hpt-reset-flush=1 leaves new alone" 4 "$(m reset1.csv new 1 full_flushes)"

# ---- 4. H_BULK_REMOVE under new vs modern (v3.8 left it unmarked) -------------------------
mkdb bulk.db <<'SQL'
INSERT INTO event VALUES (10,0,1,0,102,NULL,NULL,NULL,NULL), (20,4,1,0,102,NULL,NULL,NULL,NULL),
  (30,4,1,0,104,292,0,4,0), (40,0,1,0,102,NULL,NULL,NULL,NULL);
SQL
csv bulk bulk.db
# new: t10 core 0 flush, t20 core 1 flush; t30 bulk with nvcpus 1: L(4) = 180, need[]
# untouched, but core 0 holds the VM: marked stale at 30; t40 core 0 has no need bit:
# no flush -> 1 exposure. FF 2: cycles 45320 + 180 = 45500.
check_eq "1010.4.1 bulk, new: stale_exposures (v3.8's unmarked bulk remove)" 1 "$(m bulk.csv new 1 stale_exposures)"
check_eq "1010.4.2 bulk, new: full_flushes" 2 "$(m bulk.csv new 1 full_flushes)"
check_eq "1010.4.3 bulk, new: tlbiel_inval" 4 "$(m bulk.csv new 1 tlbiel_inval)"
check_eq "1010.4.4 bulk, new: cycles" 45500 "$(m bulk.csv new 1 cycles)"
# modern: t30 through global_invalidates, nvcores 1: L(4), every bit set but core 1; t40
# core 0 flushes: 3 FF, cycles 67980 + 180 = 68160, no exposure.
check_eq "1010.4.5 bulk, modern: stale_exposures" 0 "$(m bulk.csv modern 1 stale_exposures)"
check_eq "1010.4.6 bulk, modern: full_flushes" 3 "$(m bulk.csv modern 1 full_flushes)"
check_eq "1010.4.7 bulk, modern: cycles" 68160 "$(m bulk.csv modern 1 cycles)"
# old: slot 0, slot 4, slot 0 again: 3 FF, L(4): 68160, the t40 flush clears the mark.
check_eq "1010.4.8 bulk, old: cycles" 68160 "$(m bulk.csv old 1 cycles)"
check_eq "1010.4.9 bulk, old: stale_exposures" 0 "$(m bulk.csv old 1 stale_exposures)"
# tracked: holds {0,1} at t30: G(4) = 660 + 800 = 1460.
check_eq "1010.4.10 bulk, tracked: cycles" 1460 "$(m bulk.csv tracked 1 cycles)"
csv bulk1 --option new-bulk-global-invalidates=1 bulk.db
check_eq "1010.4.11 new-bulk-global-invalidates=1 makes new flush like modern" "3 0" \
	"$(m bulk1.csv new 1 full_flushes) $(m bulk1.csv new 1 stale_exposures)"

# ---- 5. T=8: the ex2 trace read with --threads-per-core 8 ---------------------------------
mkexample ex2-hlocal-smp ex2.db
csv t8 --threads-per-core 8 ex2.db
# vcpus 0 and 4 are one vcore (4/8 = 0) and threads 0 and 4 are one core (core 0).
# old: slots 0 and 4 flush once each (2 FF); H_LOCAL hcalls local L(1) twice; bulk with
# nvcpus 2 global G(3) = 1260; host_inval 2 x G(1) = 1720. cycles 45320+240+1260+1720
# = 48540; every entry is on core 0 so nothing is stale.
check_eq "1010.5.1 T=8, old: cycles" 48540 "$(m t8.csv old 1 cycles)"
check_eq "1010.5.2 T=8, old: stale_exposures" 0 "$(m t8.csv old 1 stale_exposures)"
# new: nvcores 1: one flush (first entry on core 0); both H_REMOVE local L(1); bulk
# global G(3) (nvcpus 2); host_inval 1720. cycles 22660+240+1260+1720 = 25880.
check_eq "1010.5.3 T=8, new: full_flushes" 1 "$(m t8.csv new 1 full_flushes)"
check_eq "1010.5.4 T=8, new: cycles" 25880 "$(m t8.csv new 1 cycles)"
# modern: the bulk remove is local too, L(3) = 160: 22660+240+160+1720 = 24780.
check_eq "1010.5.5 T=8, modern: cycles" 24780 "$(m t8.csv modern 1 cycles)"
check_eq "1010.5.6 T=8, modern: local_seqs" 3 "$(m t8.csv modern 1 local_seqs)"
# tracked: holds {0} throughout: all local, host_inval on cpu 5 (core 0) too: L(1)+L(1)
# +L(3)+L(2) = 120+120+160+140 = 540, tlbiel_inval 1+1+3+2 = 7.
check_eq "1010.5.7 T=8, tracked: cycles" 540 "$(m t8.csv tracked 1 cycles)"
check_eq "1010.5.8 T=8, tracked: tlbiel_inval" 7 "$(m t8.csv tracked 1 tlbiel_inval)"
tlb tlbreplay -q --format json -t 8 ex2.db > t8.json
check_grep "1010.5.9 T=8 is reported" '^ "threads_per_core": 8,$' t8.json

# ---- 6. power8 and power9-hash profiles on ex1 (T = 4 from meta) --------------------------
mkexample ex1-old-per-thread ex1.db
csv p8 --machine power8 ex1.db
# power8: sets 512, flush_refill 40000, tlbie 250, tlbsync 600. FF = 50+512*20+50+40000
# = 50340; G(1) = 50+50+250+10+600+50 = 1010. old: 4 FF + G(1) = 201360+1010 = 202370.
check_eq "1010.6.1 power8, old: cycles" 202370 "$(m p8.csv old 1 cycles)"
check_eq "1010.6.2 power8, old: tlbiel_flush 4*512" 2048 "$(m p8.csv old 1 tlbiel_flush)"
# new: 2 FF + L(1) = 100680 + 120 = 100800.
check_eq "1010.6.3 power8, new: cycles" 100800 "$(m p8.csv new 1 cycles)"
tlb tlbreplay -q --format json --machine power8 ex1.db > p8.json
check_grep "1010.6.4 power8 is reported" '^ "machine": "power8",$' p8.json
csv p9 --machine power9-hash ex1.db
# power9-hash: sets 256, refill 30000, tlbie 250, tlbsync 700; FF = 50+5120+50+30000 =
# 35220, G(1) = 50+50+250+10+700+50 = 1110. One vcore per vcpu: vcpus 2, 3 are 2 vcores.
# old (vcores do not matter): 4 FF + G(1) = 140880 + 1110 = 141990.
check_eq "1010.6.5 power9-hash, old: cycles" 141990 "$(m p9.csv old 1 cycles)"
# new: nvcores 2, so the H_REMOVE goes global G(1); flushes: first entry on core 1 and
# on core 0 only: 2 FF. cycles 70440 + 1110 = 71550.
check_eq "1010.6.6 power9-hash, new: tlbie_seqs (2 vcores: global)" 1 "$(m p9.csv new 1 tlbie_seqs)"
check_eq "1010.6.7 power9-hash, new: cycles" 71550 "$(m p9.csv new 1 cycles)"
check_eq "1010.6.8 power9-hash, tracked: cycles (holds {1} at the hcall: L(1))" 120 "$(m p9.csv tracked 1 cycles)"

# ---- 7. --cost overrides change cycles by the linear formula ------------------------------
csv base ex2.db
csv tlbie400 --cost tlbie=400 ex2.db
# Each tlbie costs 200 more: old has 5 tlbie -> +1000, new 7 -> +1400, tracked 7 -> +1400.
for p in old new modern tracked; do
	b=$(m base.csv $p 1 cycles) n=$(m base.csv $p 1 tlbie)
	check_eq "1010.7.1.$p tlbie=400 adds 200 per tlbie" $((b + 200 * n)) "$(m tlbie400.csv $p 1 cycles)"
done
check_eq "1010.7.2 tlbie=400, old: 48540 + 5*200" 49540 "$(m tlbie400.csv old 1 cycles)"
check_eq "1010.7.3 tlbie=400, new: 50020 + 7*200" 51420 "$(m tlbie400.csv new 1 cycles)"
csv sets64 --cost sets=64 ex2.db
# sets=64: each full flush walks 64 sets: old tlbiel_flush 2*64 = 128, cycles 48540 -
# 2*64*20 = 45980.
check_eq "1010.7.4 sets=64, old: tlbiel_flush" 128 "$(m sets64.csv old 1 tlbiel_flush)"
check_eq "1010.7.5 sets=64, old: cycles" 45980 "$(m sets64.csv old 1 cycles)"
csv zero --cost tlbiel=0 --cost tlbie=0 --cost tlbsync=0 --cost ptesync=0 --cost eieio=0 \
	--cost lock=0 --cost flush_refill=1 ex2.db
# only flush_refill = 1 left: cycles = full_flushes.
check_eq "1010.7.6 all costs 0 but flush_refill=1: cycles = full_flushes (old)" 2 "$(m zero.csv old 1 cycles)"
check_eq "1010.7.7 all costs 0 but flush_refill=1: tracked 0" 0 "$(m zero.csv tracked 1 cycles)"
check_exit "1010.7.8 --cost tlbie=-1 is a usage error" 2 tlb tlbreplay --cost tlbie=-1 ex2.db
check_exit "1010.7.9 --cost refill=1 (not a cost) is a usage error" 2 tlb tlbreplay --cost refill=1 ex2.db
check_exit "1010.7.10 --cost tlbie=x is a usage error" 2 tlb tlbreplay --cost tlbie=x ex2.db
check_exit "1010.7.11 --cost tlbie (no value) is a usage error" 2 tlb tlbreplay --cost tlbie ex2.db

# ---- 8. kinds the replay does not know: counted, reported, skipped ------------------------
mkexample ex1-old-per-thread unk.db
sqlite3 unk.db "INSERT INTO event_kind VALUES (120,'vcore_run',NULL,NULL,NULL,NULL),
  (121,'future_thing',NULL,NULL,NULL,NULL);
  INSERT INTO event VALUES (5,0,1,2,120,1,2,3,4), (35,7,1,3,121,NULL,NULL,NULL,NULL),
  (45,7,1,3,121,NULL,NULL,NULL,NULL), (60,-1,2,0,121,NULL,NULL,NULL,NULL);"
# Skipped entirely: the results are ex1's (no VM 2 row: its only event is unknown).
tlb tlbreplay -q --format json unk.db > unk.json 2> unk.err
ok_if "1010.8.1 unknown kinds skipped: results are ex1's" \
	python3 "$RDATA/json_keys.py" "$RDATA/ex1-old-per-thread.expected.json" unk.json
check_grep "1010.8.2 json: stderr notes 4 skipped events" '4 events of kinds the replay does not know' unk.err
check_exit "1010.8.3 table with unknown kinds exits 0" 0 tlb tlbreplay unk.db
check_grep "1010.8.4 table foot names each unknown kind and count" 'vcore_run \(id 120\) 1, future_thing \(id 121\) 3' "$OUT"

# ---- 9. cpu -1 hcalls, unknown cores, vm 0, lost, cpus beyond meta ncpus ------------------
mkdb where.db <<'SQL'
INSERT INTO event VALUES
  (10,4,1,0,102,NULL,NULL,NULL,NULL), (20,-1,1,0,104,4,0,1,0), (30,0,1,0,102,NULL,NULL,NULL,NULL),
  (40,-1,2,0,104,4,0,1,0),
  (50,0,3,0,102,NULL,NULL,NULL,NULL), (60,-1,3,NULL,104,4,0,1,0), (70,0,3,0,102,NULL,NULL,NULL,NULL),
  (75,3,0,NULL,108,5,NULL,NULL,NULL), (76,-1,1,NULL,102,NULL,NULL,NULL,NULL),
  (80,1003,4,0,102,NULL,NULL,NULL,NULL), (90,1003,4,0,104,4,0,1,0),
  (100,0,4,0,102,NULL,NULL,NULL,NULL), (110,1001,4,0,102,NULL,NULL,NULL,NULL);
SQL
sqlite3 where.db "UPDATE event SET vcpu = 0 WHERE ts = 76"
csv where where.db
# VM 1: the hcall at 20 has cpu -1: its core is where vcpu 0 last entered, core 1.
# tracked: holds {1} = {core 1}: L(1) = 120 (an unknown core would have been global).
# The guest_enter at 76 with cpu -1 counts (events 4, entries 3) and changes nothing.
check_eq "1010.9.1 cpu -1 hcall takes its vcpu's last core (tracked L(1))" 120 "$(m where.csv tracked 1 cycles)"
check_eq "1010.9.2 guest_enter with cpu -1 counts as an entry" "4 3" \
	"$(m where.csv old 1 events) $(m where.csv old 1 guest_entries)"
# VM 2 never entered (guest-only): old and new, one vcpu: L(1) = 120; tracked holds
# nothing: 0.
check_eq "1010.9.3 guest-only VM, old: L(1)" 120 "$(m where.csv old 2 cycles)"
check_eq "1010.9.4 guest-only VM, new: L(1)" 120 "$(m where.csv new 2 cycles)"
check_eq "1010.9.5 guest-only VM, tracked: nothing" 0 "$(m where.csv tracked 2 cycles)"
# VM 3: the hcall at 60 has no vcpu and cpu -1: unknown core. old: local from an unknown
# core excepts no core: core 0 (holding) is stale; t70 slot 0 unchanged: no flush, 1
# exposure; cycles FF + L(1) = 22780. new: need set everywhere, nothing cleared: t70
# flushes: 2 FF + L(1) = 45440, 0 exposures. tracked: holds {0} != {unknown}: G(1) = 860.
check_eq "1010.9.6 unknown core, old: stale_exposures" 1 "$(m where.csv old 3 stale_exposures)"
check_eq "1010.9.7 unknown core, old: cycles" 22780 "$(m where.csv old 3 cycles)"
check_eq "1010.9.8 unknown core, new: cycles" 45440 "$(m where.csv new 3 cycles)"
check_eq "1010.9.9 unknown core, new: stale_exposures" 0 "$(m where.csv new 3 stale_exposures)"
check_eq "1010.9.10 unknown core, tracked: global" 860 "$(m where.csv tracked 3 cycles)"
# vm 0 (the lost record) belongs to no row: VMs 1..4 and all.
check_eq "1010.9.11 no row for vm 0" "1 2 3 4 all" "$(awk -F, '$1 == "old" { printf "%s%s", s, $2; s = " " }' where.csv)"
check_eq "1010.9.12 all = sum of the VM rows (events)" 12 "$(m where.csv old all events)"
check_exit "1010.9.13 table with a lost record" 0 tlb tlbreplay where.db
check_grep "1010.9.14 table foot reports 5 lost events" '^5 events were lost' "$OUT"
cp where.db wmeta.db
sqlite3 wmeta.db "INSERT INTO meta VALUES ('lost_events', '9')"
tlb tlbreplay -q wmeta.db > wmeta.txt
check_grep "1010.9.14.1 meta lost_events above the records' 5 is shown too" '^meta lost_events says 9 ' wmeta.txt
# VM 4 runs on threads 1001..1003 (core 250) of an 8-thread meta ncpus: arrays grow.
# old: t80 slot 1000 flush; t90 local; t100 slot 0 flush; t110 slot 1000 but vcpu 0's
# last slot is 0: flush. 3 FF + L(1) = 68100. new: t80 flush (core 250), t90 local: all
# bits but 250; t100 core 0 flush; t110 core 250 clear: 2 FF + L(1) = 45440.
check_eq "1010.9.15 cpu beyond ncpus, old: cycles" 68100 "$(m where.csv old 4 cycles)"
check_eq "1010.9.16 cpu beyond ncpus, new: cycles" 45440 "$(m where.csv new 4 cycles)"
check_eq "1010.9.17 cpu beyond ncpus, tracked: L(1)" 120 "$(m where.csv tracked 4 cycles)"

# ---- 10. --policy chooses and orders ------------------------------------------------------
csv two --policy tracked,old ex2.db
check_eq "1010.10.1 --policy tracked,old: rows in the asked order" "tracked tracked old old" \
	"$(awk -F, 'NR > 1 { printf "%s%s", s, $1; s = " " }' two.csv)"
check_eq "1010.10.2 --policy does not change a policy's numbers" "$(m base.csv old 1 cycles)" "$(m two.csv old 1 cycles)"
