#!/usr/bin/env bash
# t2001: the four problem scenarios of commit 1b400ba0cd (tlbgen --scenario), replayed
# by tlbreplay under every policy; every metric of every row is checked against a count
# made by hand from ../shared/spec/replay-model.md (the derivations are the comments).
#
# Machine: the default power7 profile, T = 4 from meta threads_per_core (core(c) = c / 4).
# Costs (cycles): ptesync 50, tlbiel 20, sets 128, flush_refill 20000, lock 50, tlbie 200,
# eieio 10, tlbsync 500. Hence:
#   FF   = full flush     = 50 + 128*20 + 50 + 20000           = 22660  (tlbiel_flush += 128)
#   L(n) = local seq of n = 50 + 20n + 50                      = 100 + 20n
#   G(n) = global seq of n = 50 + 50 + 200n + 10 + 500 + 50    = 660 + 200n
#   so L(1) = 120, L(4) = 180, G(1) = 860, G(3) = 1260, G(4) = 1460.
# Each scenario has one VM (id 1), so the "all" row must equal the vm 1 row.
. "$(dirname "$0")/lib.sh"

[ -x "$TLB_BIN/tlbreplay" ] || skip_all "no $TLB_BIN/tlbreplay yet (replay/ not built)"

METRICS="events guest_entries hcalls full_flushes tlbiel_flush tlbiel_inval local_seqs tlbie tlbie_seqs cycles stale_exposures"
CSV=

# replay SCENARIO [TLBREPLAY OPTIONS]: generate it and replay it once as CSV into $CSV.
replay() {
	local s=$1; shift
	CSV=$T/$s.$#.csv
	rm -f "$T/$s.db"
	tlb tlbgen --scenario "$s" -o "$T/$s.db" && tlb tlbreplay --format csv "$@" "$T/$s.db" > "$CSV"
}

# expect ID POLICY "v1 v2 ... v11": one TAP line per metric, for the vm 1 row and the all row.
expect() {
	local id=$1 pol=$2 want=($3) vm header row got i m col
	header=$(head -n 1 "$CSV")
	for vm in 1 all; do
		row=$(grep -E "^$pol,$vm," "$CSV" | head -n 1)
		i=0
		for m in $METRICS; do
			col=$(printf '%s\n' "$header" | tr ',' '\n' | grep -nx "$m" | cut -d: -f1)
			got=${col:+$(printf '%s\n' "$row" | cut -d, -f"$col")}
			check_eq "$id $pol vm=$vm $m" "${want[$i]}" "${got:-<missing>}"
			i=$((i + 1))
		done
	done
}

#                         events entries hcalls FF  tlbiel_flush tlbiel_inval local_seqs tlbie tlbie_seqs cycles stale
# ---- per-thread: vcpus 0-3 (one vcore: ids < 4), ncpus 8 --------------------------------------
# Events: 4 create + 4 enter (core 0) + 2 hcalls + 4 exit + 4 enter (core 0, threads swapped)
#   + 4 exit + 4 migrate + 4 enter (core 1) + 4 exit + 4 migrate + 4 enter (core 0) = 42;
#   guest_entries 16; hcalls 2 (H_ENTER invalidates nothing; H_REMOVE n=1, no H_LOCAL, core 0).
# old: slot = core*4 + v%4. Run 1: last_slot = -1 for all -> 4 FF. Run 2 (threads swapped in
#   core 0): slot still v, last_vcpu[v] = v -> 0 FF. Run 3 (core 1): slots 4..7 -> 4 FF.
#   Run 4 (core 0): slots 0..3 != last 4..7 -> 4 FF. 12 FF: tlbiel_flush 12*128 = 1536.
#   H_REMOVE: no H_LOCAL, nvcpus 4 -> G(1). cycles 12*22660 + 860 = 272780. No local: stale 0.
# new: need[*] = 1 at the first event. First entry on core 0 flushes (1); H_REMOVE: nvcores 1
#   -> L(1), need[*] = 1, need[0] = 0; run 2 on core 0: clear; core 1: need set -> FF (2);
#   back to core 0: need[0] still 0. 2 FF: 256; cycles 2*22660 + 120 = 45440. The local marks
#   cores holding the VM other than core 0: none hold it yet -> stale 0.
# modern: no H_BULK_REMOVE, so as new.
# tracked: no hpt_reset -> no FF. H_REMOVE: holds = {0} = {core(0)} -> L(1) = 120.
replay per-thread
ok_if "t2001.0 per-thread replays" test -s "$CSV"
expect t2001.1 old    "42 16 2 12 1536 0 0 1 1 272780 0"
expect t2001.2 new    "42 16 2  2  256 1 1 0 0  45440 0"
expect t2001.3 modern "42 16 2  2  256 1 1 0 0  45440 0"
expect t2001.4 tracked "42 16 2  0    0 1 1 0 0    120 0"

# ---- hlocal-paging: vcpus 0 and 4 (two vcores), ncpus 8 ---------------------------------------
# Events: 2 create, enter v0@0, enter v4@4, H_REMOVE|H_LOCAL n=1 @0 (ts 200), host_inval n=0
#   @2, host_inval n=2 @2, exit+enter v4@4, H_BULK_REMOVE n=3 @4, exit+enter v4@4,
#   exit+enter v0@0 = 14 events; entries 2 first + 3 re-entries = 5; hcalls 2.
# old: first entries of v0 and v4 -> 2 FF (256). H_REMOVE with H_LOCAL -> L(1) (local 1,
#   tlbiel_inval 1) and core 1 (holds the VM, not core 0) is marked stale. host_inval n=0:
#   nothing. host_inval n=2: 2 x G(1) (tlbie 2, seqs 2). v4 re-enters thread 4: slot 4,
#   last_slot 4, last_vcpu[4] = 4 -> no flush on a stale core: exposure 1. H_BULK_REMOVE:
#   nvcpus 2 -> G(3) (tlbie 3, seqs 1; H_LOCAL is not looked at). v4 re-enters: exposure 2.
#   v0 re-enters core 0 (not stale): nothing. tlbie 5, seqs 3.
#   cycles 2*22660 + 120 + 2*860 + 1260 = 48420.
# new: first entries on cores 0 and 1 flush (need all set) -> 2 FF. H_REMOVE: nvcores 2 ->
#   G(1) (H_LOCAL ignored). host_inval 2 x G(1). BULK: nvcpus 2 -> G(3). Re-entries: need
#   clear, nothing global marks -> no FF, stale 0. tlbie 1+2+3 = 6, seqs 1+2+1 = 4.
#   cycles 45320 + 860 + 1720 + 1260 = 49160.
# modern: BULK through global_invalidates: nvcores 2 -> global, same as new.
# tracked: no reset -> no FF; holds {0,1} from ts 101, so H_REMOVE G(1), host_inval 2 x G(1),
#   BULK G(3): tlbie 6, seqs 4, cycles 860 + 1720 + 1260 = 3840.
replay hlocal-paging
ok_if "t2001.5 hlocal-paging replays" test -s "$CSV"
expect t2001.6 old    "14 5 2 2 256 1 1 5 3 48420 2"
expect t2001.7 new    "14 5 2 2 256 0 0 6 4 49160 0"
expect t2001.8 modern "14 5 2 2 256 0 0 6 4 49160 0"
expect t2001.9 tracked "14 5 2 0   0 0 0 6 4  3840 0"

# ---- smp-migrate: vcpus 0 and 4 (two vcores), ncpus 16 (4 cores) ------------------------------
# Events: 2 create, enter v0@0 v4@4, H_REMOVE @0, 2 exit, migrate v0->8 v4->0, enter v0@8 v4@0,
#   H_PROTECT n=1 @0, 2 exit, migrate v0->0 v4->4, enter v0@0 v4@4, H_BULK_REMOVE n=4 @0
#   = 19 events; entries 6; hcalls 3; no H_LOCAL anywhere.
# old: first entries -> 2 FF. v0@8: slot 8 != 0 -> FF. v4@0: slot 0 != 4 -> FF. v0@0: slot 0
#   != 8 -> FF. v4@4: slot 4 != 0 -> FF. 6 FF (768). All hcalls global (nvcpus 2):
#   G(1) + G(1) + G(4): tlbie 6, seqs 3, 860 + 860 + 1460 = 3180. cycles 6*22660 + 3180 = 139140.
# new: need all set; FF on first entry to cores 0, 1 and (after the move) 2 -> 3 FF (384);
#   core 0 for v4 and the moves back find need clear. nvcores 2 -> all global, as old:
#   cycles 3*22660 + 3180 = 71160.
# modern: BULK: nvcores 2 -> global; as new.
# tracked: no FF; holds >= {0,1} at every hcall -> all global: 3180.
replay smp-migrate
ok_if "t2001.10 smp-migrate replays" test -s "$CSV"
expect t2001.11 old    "19 6 3 6 768 0 0 6 3 139140 0"
expect t2001.12 new    "19 6 3 3 384 0 0 6 3  71160 0"
expect t2001.13 modern "19 6 3 3 384 0 0 6 3  71160 0"
expect t2001.14 tracked "19 6 3 0   0 0 0 6 3   3180 0"

# ---- one-vcore: vcpus 0, 1, 2 (one vcore), ncpus 8 ---------------------------------------------
# Events: 3 create, 3 enter (core 0), H_REMOVE n=1 @1, H_BULK_REMOVE n=4 @2, 3 exit, 3 migrate,
#   3 enter (core 1), H_PROTECT n=1 @4, H_PROTECT n=0 (not found) @4, 3 exit, 3 migrate,
#   3 enter (core 0), H_REMOVE n=1 @2 = 29 events; entries 9; hcalls 5.
# old: nvcpus 3, no H_LOCAL: everything global. FF: 3 first entries, 3 on core 1 (slots 4..6),
#   3 back on core 0 (slots 0..2) = 9 FF (1152). G(1) + G(4) + G(1) + G(1) (the n=0 H_PROTECT
#   issues nothing): tlbie 7, seqs 4, 860*3 + 1460 = 4040. cycles 9*22660 + 4040 = 207980.
# new: FF on the first entry to core 0 (1). H_REMOVE @core 0: nvcores 1 -> L(1); need[*] = 1,
#   need[0] = 0. BULK (v3.8): nvcpus 3 -> G(4), need untouched. Core 1: need set -> FF (2).
#   H_PROTECT @core 1 -> L(1); need[*] = 1, need[1] = 0; marks core 0 (holds) stale.
#   H_PROTECT n=0: nothing. Back on core 0: need set -> FF (3), clearing the stale mark, so
#   no exposure. H_REMOVE @core 0 -> L(1) (marks core 1; no later entry there).
#   3 FF (384), tlbiel_inval 3, local 3, tlbie 4, seqs 1; cycles 67980 + 3*120 + 1460 = 69800.
# modern: as new but BULK goes through global_invalidates: nvcores 1 -> L(4) (holds {0} only,
#   nothing marked). tlbiel_inval 1+4+1+1 = 7, local 4, tlbie 0; cycles 67980 + 3*120 + 180
#   = 68520.
# tracked: no FF. H_REMOVE and BULK while holds = {0} -> L(1), L(4); after core 1 joins,
#   H_PROTECT and the last H_REMOVE -> G(1) each. tlbiel_inval 5, local 2, tlbie 2, seqs 2;
#   cycles 120 + 180 + 860 + 860 = 2020.
replay one-vcore
ok_if "t2001.15 one-vcore replays" test -s "$CSV"
expect t2001.16 old    "29 9 5 9 1152 0 0 7 4 207980 0"
expect t2001.17 new    "29 9 5 3  384 3 3 4 1  69800 0"
expect t2001.18 modern "29 9 5 3  384 7 4 0 0  68520 0"
expect t2001.19 tracked "29 9 5 0    0 5 2 2 2   2020 0"

# ---- the stale-TLB exposures of hlocal-paging, stored (--store) --------------------------------
# old: core 1 is marked stale by vcpu 0's H_LOCAL H_REMOVE at ts 200 on core 0; vcpu 4 then
# re-enters core 1 without a flush at ts 410 and ts 610: two replay_hazard rows
# (ts, vm, vcpu, core, marked_ts) = (410, 1, 4, 1, 200) and (610, 1, 4, 1, 200). No other
# policy has any.
tlb tlbgen --scenario hlocal-paging -o "$T/hz.db"
ok_if "t2001.20 hlocal-paging --store" tlb tlbreplay --store -q "$T/hz.db"
check_eq "t2001.21 old's two exposures, stored with the time of the H_LOCAL removal" \
	"410|1|4|1|200 610|1|4|1|200" \
	"$(sqlite3 "$T/hz.db" "SELECT h.ts, h.vm, h.vcpu, h.core, h.marked_ts FROM replay_hazard h
	   JOIN replay_run r ON h.run = r.id WHERE r.policy = 'old' ORDER BY h.ts" | tr '\n' ' ' | sed 's/ $//')"
check_eq "t2001.22 no exposure stored for new, modern, tracked" 0 \
	"$(sqlite3 "$T/hz.db" "SELECT count(*) FROM replay_hazard h JOIN replay_run r ON h.run = r.id
	   WHERE r.policy != 'old'")"

# ---- per-thread on other machines -------------------------------------------------------------
# --machine power8 with T still 4 (meta threads_per_core wins over the profile's 8): sets 512,
# flush_refill 40000, tlbie 250, tlbsync 600. FF = 50 + 512*20 + 50 + 40000 = 50340;
# G(1) = 50 + 50 + 250 + 10 + 600 + 50 = 1010; L(1) = 120. Same decisions as on power7:
# old 12 FF + G(1) = 604080 + 1010 = 605090 (tlbiel_flush 12*512 = 6144);
# new/modern 2 FF + L(1) = 100680 + 120 = 100800 (1024); tracked L(1) = 120.
replay per-thread --machine power8
ok_if "t2001.23 per-thread replays on power8" test -s "$CSV"
expect t2001.24 old    "42 16 2 12 6144 0 0 1 1 605090 0"
expect t2001.25 new    "42 16 2  2 1024 1 1 0 0 100800 0"
expect t2001.26 modern "42 16 2  2 1024 1 1 0 0 100800 0"
expect t2001.27 tracked "42 16 2  0    0 1 1 0 0    120 0"
# --threads-per-core 8 (power7 costs): core(c) = c / 8, so threads 0..7 are all core 0 and the
# "moves" to threads 4..7 stay in core 0. old: slot = 0*8 + v % 8 = v for every entry: only
# the 4 first entries flush (90640) + G(1) (nvcpus 4) = 91500, tlbiel_flush 512.
# new: vcore = v / 8 = 0 for all: one vcore; one FF (core 0, first entry) + L(1) = 22780.
# modern as new; tracked: holds {0} -> L(1) = 120.
replay per-thread --threads-per-core 8
ok_if "t2001.28 per-thread replays with T = 8" test -s "$CSV"
expect t2001.29 old    "42 16 2 4 512 0 0 1 1 91500 0"
expect t2001.30 new    "42 16 2 1 128 1 1 0 0 22780 0"
expect t2001.31 modern "42 16 2 1 128 1 1 0 0 22780 0"
expect t2001.32 tracked "42 16 2 0   0 1 1 0 0   120 0"
