#!/usr/bin/env bash
# t1140-replay-vm-mmu - the optional table vm_mmu (schemas/trace-v1.sql): when a trace says a
# VM's MMU, a policy of the other MMU is not replayed on it (radix models radix guests, the
# others hash ones: replay/policy.h); without rows every output is what it was.
# Trace (header.sql: T = 4, kinds 101..108, 109 kernel_flush added), hand-derived:
#   VM 1 (hash):  vcpu 0 enters core 0 (t10), H_REMOVE n 1 (t20), enters core 1 (t30)
#   VM 2 (radix): vcpu 0 enters core 0 (t15), core 1 (t35), core 0 (t45); the kernel
#                 flushed once (kernel_flush t45). radix (prev_cpu rule, need_tlb_flush
#                 clear at start): t35 marks core 0, t45 enters marked core 0: 1 flush
#   VM 3 (no vm_mmu row: unknown): vcpu 0 enters core 2 (t50)
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/data/replay/lib.sh"
need_sqlite3
cd "$T" || exit 1
ev="INSERT INTO event_kind VALUES (109,'kernel_flush',NULL,NULL,NULL,NULL);
INSERT INTO event VALUES (10,0,1,0,102,NULL,NULL,NULL,NULL), (15,0,2,0,102,NULL,NULL,NULL,NULL),
  (20,0,1,0,104,4,0,1,0), (30,4,1,0,102,NULL,NULL,NULL,NULL), (35,4,2,0,102,NULL,NULL,NULL,NULL),
  (45,0,2,0,102,NULL,NULL,NULL,NULL), (45,0,2,0,109,NULL,NULL,NULL,NULL), (50,8,3,0,102,NULL,NULL,NULL,NULL);"
MMU="CREATE TABLE vm_mmu(vm INTEGER PRIMARY KEY, mmu TEXT NOT NULL CHECK (mmu IN ('hash','radix')));"
mkdir -p a b c
echo "$ev" | mkdb a/t.db					# no table
echo "$ev $MMU" | mkdb b/t.db					# the table, no rows
echo "$ev $MMU INSERT INTO vm_mmu VALUES (1,'hash'), (2,'radix');" | mkdb c/t.db
P="-P old,modern,optimal,radix"

# 1. without rows: byte-identical outputs
same=yes
for fmt in table csv json; do
	(cd a && tlb tlbreplay -q $P --format $fmt t.db > ../a.$fmt)
	(cd b && tlb tlbreplay -q $P --format $fmt t.db > ../b.$fmt)
	cmp -s a.$fmt b.$fmt || same="no: $fmt"
done
check_eq "1140.1.1 an empty vm_mmu changes no output (table, csv, json)" yes "$same"
check_eq "1140.1.2 without vm_mmu rows: every policy has a row for every VM" "old modern optimal radix" \
	"$(for p in old modern optimal radix; do [ "$(grep -c "^$p,[123]," a.csv)" = 3 ] && printf '%s ' $p; done | sed 's/ $//')"

# 2. with rows: each policy only on the VMs of its MMU (and the unknown VM 3)
(cd c && tlb tlbreplay -q $P --format csv t.db > ../c.csv)
check_eq "1140.2.1 hash policies: rows of VMs 1 and 3 (not the radix VM 2)" "1 3 all" \
	"$(awk -F, '$1 == "modern" { printf "%s ", $2 }' c.csv | sed 's/ $//')"
check_eq "1140.2.2 radix: rows of VMs 2 and 3 (not the hash VM 1)" "2 3 all" \
	"$(awk -F, '$1 == "radix" { printf "%s ", $2 }' c.csv | sed 's/ $//')"
check_eq "1140.2.3 radix on VM 2: 1 full flush (the prev_cpu rule), the kernel's 1" "1 1" \
	"$(metric c.csv radix 2 full_flushes) $(metric c.csv radix 2 kernel_flushes)"
check_eq "1140.2.4 modern all = VMs 1 + 3: 4 events, 3 entries, 0 kernel flushes" "4 3 0" \
	"$(metric c.csv modern all events) $(metric c.csv modern all guest_entries) $(metric c.csv modern all kernel_flushes)"
check_eq "1140.2.5 radix all = VMs 2 + 3: 5 events (kernel_flush counted), 4 entries, 1 kernel flush" "5 4 1" \
	"$(metric c.csv radix all events) $(metric c.csv radix all guest_entries) $(metric c.csv radix all kernel_flushes)"
same=yes
for p in old modern optimal; do for vm in 1 3; do
	[ "$(grep "^$p,$vm," a.csv)" = "$(grep "^$p,$vm," c.csv)" ] || same="no: $p $vm"; done; done
for vm in 2 3; do [ "$(grep "^radix,$vm," a.csv)" = "$(grep "^radix,$vm," c.csv)" ] || same="no: radix $vm"; done
check_eq "1140.2.6 the rows kept are the rows without vm_mmu (VMs share no state)" yes "$same"
(cd c && tlb tlbreplay -q $P t.db > ../c.table)
check_grep "1140.2.7 table: which VMs are hash, radix, unknown and each policy's MMU" \
	'^MMU \(vm_mmu\): vm 3 unknown; vm 1 hash; vm 2 radix; policies: old hash, modern hash, optimal hash, radix radix$' c.table
check_grep "1140.2.8 table: per-vcpu flushes '-' where the policy does not apply" \
	'^ +2 +0 +1 +- +- +- +1$' c.table
(cd c && tlb tlbreplay -q $P --format json t.db > ../c.json)
if command -v python3 > /dev/null; then
	check_eq "1140.2.9 json: no modern row for VM 2, per-vcpu flushes only of the policies that apply" \
		"modern:1,3,all radix:2,3,all 2/0:radix" \
		"$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
rows = lambda p: ",".join(str(r["vm"]) for r in d["results"] if r["policy"] == p)
v = [r for r in d["kernel_flushes_by_vcpu"] if r["vm"] == 2][0]
print("modern:" + rows("modern"), "radix:" + rows("radix"), "2/0:" + ",".join(v["full_flushes"]))' c.json)"
else
	skip "1140.2.9 json" "no python3"
fi
cp c/t.db s.db
check_exit "1140.2.10 --store" 0 tlb tlbreplay -q --store $P s.db
check_eq "1140.2.11 replay_total: modern has VMs 1, 3 and all (-1); radix 2, 3 and all" "modern -1,1,3 radix -1,2,3" \
	"$(sqlite3 s.db "SELECT r.policy || ' ' || group_concat(t.vm, ',') FROM (SELECT * FROM replay_total ORDER BY vm) t JOIN replay_run r ON r.id = t.run WHERE r.policy IN ('modern','radix') GROUP BY r.policy ORDER BY r.policy" | tr '\n' ' ' | sed 's/ $//')"

# 3. hostile rows: exit 2 naming the rowid
bad() {	# $1 id, $2 what, $3 SQL after the events
	echo "$ev $3" | mkdb bad.db
	check_exit "1140.3.$1 $2: exit 2" 2 tlb tlbreplay -q bad.db
	check_grep "1140.3.$1b $2: the message names vm_mmu and the rowid" "bad\.db: vm_mmu rowid $4" "$ERR"
}
bad 1 "mmu 'hpt'" "CREATE TABLE vm_mmu(vm INTEGER PRIMARY KEY, mmu TEXT); INSERT INTO vm_mmu VALUES (1,'hash'), (2,'hpt');" "2: mmu is not"
bad 2 "vm not an integer" "CREATE TABLE vm_mmu(vm, mmu); INSERT INTO vm_mmu VALUES ('one','hash');" "1: vm is not an integer"
bad 3 "a VM twice" "CREATE TABLE vm_mmu(vm, mmu); INSERT INTO vm_mmu VALUES (2,'radix'), (2,'hash');" "2: vm 2 has a row already"
bad 4 "mmu NULL" "CREATE TABLE vm_mmu(vm, mmu); INSERT INTO vm_mmu VALUES (7,NULL);" "1: mmu is not"
bad 5 "mmu a blob" "CREATE TABLE vm_mmu(vm, mmu); INSERT INTO vm_mmu VALUES (7,x'68617368');" "1: mmu is not"
bad 6 "mmu 'hash' with a trailing byte" "CREATE TABLE vm_mmu(vm, mmu); INSERT INTO vm_mmu VALUES (7,'hash ');" "1: mmu is not"
echo "$ev CREATE TABLE vm_mmu(a, b);" | mkdb bad.db
check_exit "1140.3.7 vm_mmu without its columns: exit 2" 2 tlb tlbreplay -q bad.db
check_grep "1140.3.7b the message names vm_mmu" 'cannot read table vm_mmu' "$ERR"
echo "$ev CREATE VIEW vm_mmu AS SELECT 2 AS vm, 'hash' AS mmu;" | mkdb bad.db
check_exit "1140.3.8 a view named vm_mmu: exit 2" 2 tlb tlbreplay -q bad.db
check_grep "1140.3.8b the message says it is a view" "'vm_mmu' is a view, not a table" "$ERR"
