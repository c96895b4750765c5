#!/usr/bin/env bash
# t1130-replay-kernel-model - what issue 10 checks against the kernel itself:
#   1. kernel_flush events (the kernel's own full flushes, trace-schema-v1.md) counted per
#      VM and per vcpu beside each policy's full flushes; they change no policy state;
#   2. the radix policy (v6.1 kvmppc_prepare_radix_vcpu: flush the previous core when a
#      vcpu moves to another core; need_tlb_flush starts clear on POWER9);
#   3. the POWER9 HPT case: option virt-mode-global (v6.1 global_invalidates forces global
#      when the hcall runs with translation on), on by default for power9-hash.
# Traces: header.sql (T = 4, kinds 101..108) plus kind 109 kernel_flush and the rows below;
# every expected count derived by hand beside its check.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/data/replay/lib.sh"
need_sqlite3
cd "$T" || exit 1
KF="INSERT INTO event_kind VALUES (109,'kernel_flush',NULL,NULL,NULL,NULL);"
row() { echo "$1" | cut -d, -f3-; }

# ---- 1. kernel_flush ---------------------------------------------------------------------
# VM 1, vcpu 0: enters core 0 (t10), H_REMOVE there (t20), enters core 1 (t30), H_REMOVE
# (t40), enters core 0 (t50). modern (1 vcore: local, need[] = all but the core): every
# entry flushes: 3. The kernel flushed at t10 and t30 only (2 kernel_flush rows): the
# column shows 2 next to modern's 3. VM 2, vcpus 0 and 4: each enters once; kernel
# flushes: vcpu 4 once. old flushes on every entry here (each changes the slot): VM 1 3, VM 2 2.
kfrows="(10,0,1,0,109,NULL,NULL,NULL,NULL), (30,4,1,0,109,NULL,NULL,NULL,NULL), (61,4,2,4,109,NULL,NULL,NULL,NULL)"
base="(10,0,1,0,102,NULL,NULL,NULL,NULL), (20,0,1,0,104,4,0,1,0), (30,4,1,0,102,NULL,NULL,NULL,NULL),
  (40,4,1,0,104,4,0,1,0), (50,0,1,0,102,NULL,NULL,NULL,NULL),
  (60,0,2,0,102,NULL,NULL,NULL,NULL), (61,4,2,4,102,NULL,NULL,NULL,NULL)"
echo "$KF INSERT INTO event VALUES $base, $kfrows;" | mkdb kf.db
echo "$KF INSERT INTO event VALUES $base;" | mkdb nokf.db
check_exit "1130.1.1 a trace with kernel_flush replays" 0 tlb tlbreplay -q --format csv kf.db
cp "$OUT" kf.csv
check_eq "1130.1.2 csv header ends with kernel_flushes" "kernel_flushes" "$(head -1 kf.csv | awk -F, '{ print $NF }')"
check_eq "1130.1.3 VM 1: kernel 2, modern 3; VM 2: kernel 1; all: 3" "2 3 1 3" \
	"$(metric kf.csv modern 1 kernel_flushes) $(metric kf.csv modern 1 full_flushes) $(metric kf.csv modern 2 kernel_flushes) $(metric kf.csv old all kernel_flushes)"
# kernel_flush rows count as events of their VM (3 more), nothing else changes
tlb tlbreplay -q --format csv nokf.db > nokf.csv
check_eq "1130.1.4 without kernel_flush rows: no kernel_flushes column" "stale_exposures" "$(head -1 nokf.csv | awk -F, '{ print $NF }')"
check_eq "1130.1.5 VM 1 events 5 + 2 kernel_flush" "7 5" "$(metric kf.csv modern 1 events) $(metric nokf.csv modern 1 events)"
same=yes
for p in $(tail -n +2 nokf.csv | cut -d, -f1 | sort -u); do	# the default policies, whatever their names
	for k in guest_entries hcalls full_flushes tlbiel_flush tlbiel_inval local_seqs tlbie tlbie_seqs cycles stale_exposures; do
		for vm in 1 2 all; do
			[ "$(metric kf.csv $p $vm $k)" = "$(metric nokf.csv $p $vm $k)" ] || same="no: $p $vm $k"
		done
	done
done
check_eq "1130.1.6 kernel_flush changes no policy's counts" yes "$same"
# a kernel_flush of a vcpu never seen before brings no vcpu online: VM 3 has vcpu 0 only
# (1 vcore): its H_REMOVE stays local under modern even with a kernel_flush of vcpu 4 first
echo "$KF INSERT INTO event VALUES (1,4,3,4,109,NULL,NULL,NULL,NULL), (2,0,3,0,102,NULL,NULL,NULL,NULL), (3,0,3,0,104,4,0,1,0);" | mkdb kf3.db
tlb tlbreplay -q --format csv -P modern kf3.db > kf3.csv
check_eq "1130.1.7 kernel_flush brings no vcpu online (local stays local)" "1 0" \
	"$(metric kf3.csv modern 3 local_seqs) $(metric kf3.csv modern 3 tlbie_seqs)"
check_exit "1130.1.8 json" 0 tlb tlbreplay -q --format json -P old,modern kf.db
cp "$OUT" kf.json
if command -v python3 > /dev/null; then
	check_eq "1130.1.9 json: per-vcpu kernel and policy flushes (by VM, then vcpu id)" \
		"1/0:2 old=3 modern=3;2/0:0 old=1 modern=1;2/4:1 old=1 modern=1;" \
		"$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print("".join("%d/%d:%d %s;" % (x["vm"], x["vcpu"], x["kernel_flushes"],
      " ".join("%s=%d" % kv for kv in x["full_flushes"].items())) for x in d["kernel_flushes_by_vcpu"]))' kf.json)"
else
	skip "1130.1.9 json: per-vcpu kernel and policy flushes" "no python3 to parse JSON"
fi
check_grep "1130.1.10 json rows carry kernel_flushes" '"kernel_flushes": 3$' kf.json
check_exit "1130.1.11 table" 0 tlb tlbreplay -q -P modern kf.db
check_grep "1130.1.12 table: the per-vcpu lines (vm 1, vcpu 0: kernel 2, modern 3)" '^ +1 +0 +2 +3$' "$OUT"
check_grep "1130.1.13 table: a kernel_flushes column" 'stale_exposures  kernel_flushes$' "$OUT"
# --vcpu 4 counts only vcpu 4's kernel_flush (VM 2)
tlb tlbreplay -q --format csv --vcpu 4 kf.db > kf4.csv
check_eq "1130.1.14 --vcpu 4: VM 1 0, VM 2 1" "0 1" "$(metric kf4.csv old 1 kernel_flushes) $(metric kf4.csv old 2 kernel_flushes)"

# ---- 2. radix --------------------------------------------------------------------------------
# one vcpu entering threads 0, 4, 0, 4, ... (cores 0, 1): 30 entries, 29 moves. The first
# move (to core 1) marks core 0 but core 1 was never marked: no flush; every later entry
# lands on the core the previous move marked: 28 flushes (the emulated POWER9 host's count).
mkdb hop.db <<'SQL'
WITH RECURSIVE i(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM i WHERE x < 29)
INSERT INTO event SELECT x * 10, (x % 2) * 4, 1, 0, 102, NULL, NULL, NULL, NULL FROM i;
SQL
tlb tlbreplay -q --format csv -P radix -m power9-hash hop.db > hop.csv
check_eq "1130.2.1 radix: 29 moves between 2 cores, 28 flushes" 28 "$(metric hop.csv radix 1 full_flushes)"
check_eq "1130.2.2 radix: 28 x 256 tlbiel" $((28 * 256)) "$(metric hop.csv radix 1 tlbiel_flush)"
# moves between threads of one core (0, 1, 2, 3, 0, ...) never change TLB group: 0 flushes
mkdb thr.db <<'SQL'
WITH RECURSIVE i(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM i WHERE x < 19)
INSERT INTO event SELECT x * 10, x % 4, 1, 0, 102, NULL, NULL, NULL, NULL FROM i;
SQL
tlb tlbreplay -q --format csv -P radix thr.db > thr.csv
check_eq "1130.2.3 radix: moves within a core do not flush" 0 "$(metric thr.csv radix 1 full_flushes)"
# two vcpus: v0 on core 0 (t10), v1 on core 1 (t20), v0 moves to core 2 (t30): marks core 0;
# v1 moves to core 0 (t40): marks core 1, core 0 is marked: flush (1); v0 moves back to core 1
# (t50): marks core 2, core 1 marked: flush (2); v1 back to core 0 (t60): same core as its
# last? no: prev 0 -> 0 is no move: no mark, core 0 clear since t40: no flush. H_REMOVE and
# hpt_reset invalidate nothing; a host_inval of 3 is 3 global sequences.
mkdb two.db <<'SQL'
INSERT INTO event VALUES (10,0,1,0,102,NULL,NULL,NULL,NULL), (20,4,1,1,102,NULL,NULL,NULL,NULL),
  (30,8,1,0,102,NULL,NULL,NULL,NULL), (40,0,1,1,102,NULL,NULL,NULL,NULL),
  (50,4,1,0,102,NULL,NULL,NULL,NULL), (55,4,1,0,104,4,0,1,0), (56,4,1,NULL,106,NULL,NULL,NULL,NULL),
  (57,4,1,NULL,105,3,0,NULL,NULL), (60,0,1,1,102,NULL,NULL,NULL,NULL);
SQL
tlb tlbreplay -q --format csv -P radix two.db > two.csv
check_eq "1130.2.4 radix, 2 vcpus: flushes 2, no local or global for H_REMOVE, 3 global for host_inval" \
	"2 0 3 3" "$(for k in full_flushes local_seqs tlbie tlbie_seqs; do metric two.csv radix 1 $k; done | tr '\n' ' ' | sed 's/ $//')"
check_eq "1130.2.5 radix is not in the default policies" "" "$(tlb tlbreplay -q --format csv two.db | grep '^radix')"
tlb tlbreplay --help > help.txt
check_grep "1130.2.6 --help says radix is for radix guests" 'for radix guests \(POWER9' help.txt
check_grep "1130.2.7 --help names the function radix models" '^ +radix +Linux v6.1 kvmppc_prepare_radix_vcpu' help.txt

# ---- 3. POWER9 HPT: virt-mode-global --------------------------------------------------------
# one vcpu (1 vcore), entries alternating cores 0 and 1, each followed by an H_REMOVE (n 1):
# 31 entries, 31 H_REMOVE.
mkdb p9.db <<'SQL'
WITH RECURSIVE i(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM i WHERE x < 30)
INSERT INTO event SELECT x * 10, (x % 2) * 4, 1, 0, 102, NULL, NULL, NULL, NULL FROM i
  UNION ALL SELECT x * 10 + 5, (x % 2) * 4, 1, 0, 104, 4, 0, 1, 0 FROM i;
SQL
# power9-hash (virt-mode-global=1): every H_REMOVE global, need[] only from VM creation:
# the first entry on each core flushes: 2 flushes, 31 global sequences, 0 local.
tlb tlbreplay -q --format csv -P new,modern -m power9-hash p9.db > p9.csv
check_eq "1130.3.1 power9-hash, modern: 2 flushes, 31 global, 0 local" "2 31 0" \
	"$(metric p9.csv modern 1 full_flushes) $(metric p9.csv modern 1 tlbie_seqs) $(metric p9.csv modern 1 local_seqs)"
check_eq "1130.3.2 power9-hash, new: the same" "2 31 0" \
	"$(metric p9.csv new 1 full_flushes) $(metric p9.csv new 1 tlbie_seqs) $(metric p9.csv new 1 local_seqs)"
# -O virt-mode-global=0 (real-mode hcalls, POWER8's path): local, need[] = all but this
# core, so every entry lands on a marked core: 31 flushes, 31 local sequences
tlb tlbreplay -q --format csv -P modern -m power9-hash -O virt-mode-global=0 p9.db > p9r.csv
check_eq "1130.3.3 power9-hash -O virt-mode-global=0: 31 flushes, 31 local" "31 31 0" \
	"$(metric p9r.csv modern 1 full_flushes) $(metric p9r.csv modern 1 local_seqs) $(metric p9r.csv modern 1 tlbie_seqs)"
tlb tlbreplay -q --format csv -P modern -m power8 p9.db > p8.csv
check_eq "1130.3.4 power8 default (off): 31 flushes, 31 local" "31 31" \
	"$(metric p8.csv modern 1 full_flushes) $(metric p8.csv modern 1 local_seqs)"
tlb tlbreplay -q --format csv -P modern -m power8 -O virt-mode-global=1 p9.db > p8g.csv
check_eq "1130.3.5 power8 -O virt-mode-global=1: 2 flushes" 2 "$(metric p8g.csv modern 1 full_flushes)"
check_exit "1130.3.6 table on power9-hash" 0 tlb tlbreplay -q -m power9-hash p9.db
check_grep "1130.3.7 the table says the option is on" 'options \(not the spec.s reading\): virt-mode-global=1' "$OUT"
check_grep "1130.3.8 --help lists the option and its source" 'virt-mode-global +0 +\[new,modern\] HPT hcalls run in virtual mode' help.txt
# old is unaffected (its rule is online_vcpus / H_LOCAL): 1 vcpu -> local
check_eq "1130.3.9 old on power9-hash: still local (1 vcpu)" 31 \
	"$(tlb tlbreplay -q --format csv -P old -m power9-hash p9.db > o.csv; metric o.csv old 1 local_seqs)"
