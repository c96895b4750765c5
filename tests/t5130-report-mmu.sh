#!/usr/bin/env bash
# t5130: the report keeps radix (radix-MMU guests) out of the hash policies' ranking and
# says which MMU each policy models (issue 10 item 6). Trace (tests/data/replay/header.sql,
# T = 4): VM 1 hash: vcpu 0 enters core 0, H_REMOVE, core 1, core 0; VM 2 radix: vcpu 0
# enters core 0, core 1, core 0 (radix: 1 flush, the prev_cpu rule). tlbreplay --store
# with the five hash policies and radix; then the report with and without vm_mmu rows.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/data/replay/lib.sh"
need_sqlite3
need_cmd gnuplot || skip_all "gnuplot is not installed (scripts/install-deps.sh build)"
cd "$T" || exit 1
ev="INSERT INTO event VALUES (10,0,1,0,102,NULL,NULL,NULL,NULL), (15,0,2,0,102,NULL,NULL,NULL,NULL),
  (20,0,1,0,104,4,0,1,0), (30,4,1,0,102,NULL,NULL,NULL,NULL), (35,4,2,0,102,NULL,NULL,NULL,NULL),
  (45,0,2,0,102,NULL,NULL,NULL,NULL), (50,0,1,0,102,NULL,NULL,NULL,NULL);"
MMU="CREATE TABLE vm_mmu(vm INTEGER PRIMARY KEY, mmu TEXT NOT NULL CHECK (mmu IN ('hash','radix')));"
echo "$ev $MMU INSERT INTO vm_mmu VALUES (1,'hash'), (2,'radix');" | mkdb m.db
echo "$ev" | mkdb u.db
for d in m u; do tlb tlbreplay -q --store -P old,new,modern,tracked,optimal,radix $d.db > /dev/null; done

# 1. vm_mmu says VM 2 is radix
check_exit "5130.1.1 report with vm_mmu: exit 0" 0 tlb tlbreport -o rm m.db
cp "$OUT" m.out
check_eq "5130.1.2 summary.md: the safe ranking has the hash policies only" "tracked optimal new modern old" \
	"$(grep -E '^\| [a-z]+ \| [0-9]+ \| (the floor|[0-9.]+x|-) \|$' rm/summary.md | cut -d' ' -f2 | tr '\n' ' ' | sed 's/ $//')"
check_grep "5130.1.3 summary.md: each policy's MMU and the capture's VMs" \
	"^Policies by MMU: old, new, modern, tracked, optimal model hash-MMU \(HPT\) guests; radix models radix-MMU guests \(POWER9 and later\)\. This capture says which MMU its VMs use \(vm_mmu\): hash 1; radix 2; " rm/summary.md
# radix on VM 2 alone: 1 flush (the prev_cpu rule), 22660 cycles as tlbreplay -P radix gives for VM 2
check_grep "5130.1.4 summary.md: radix's own figures (its VM only), not against optimal" \
	"radix on the radix VMs \(run 6\): 1 full flush, 22660 cycles, 0 stale-TLB exposures \(safe\); not ranked against optimal" rm/summary.md
check_grep "5130.1.5 the hash totals are VM 1's: modern 4 events (not 7)" '^\| events \| 4 \| 4 \| 4 \| 4 \| 3 \| 4 \|' rm/summary.md
check_grep "5130.1.6 stdout: radix not measured against the floor" '^  radix .* 22660 +0  -$' m.out
check_grep "5130.1.7 index.html: the same note" 'Policies by MMU: old, new, modern, tracked, optimal model hash-MMU' rm/index.html

# 2. no vm_mmu: the report says the capture does not say, radix stays apart
check_exit "5130.2.1 report without vm_mmu: exit 0" 0 tlb tlbreport -o ru u.db
check_grep "5130.2.2 summary.md: the capture does not say which MMU its VMs use" \
	'^Policies by MMU: radix models radix-MMU VMs, the others \(old, new, modern, tracked, optimal\) hash-MMU VMs; this capture does not say which its VMs use' ru/summary.md
check_eq "5130.2.3 radix is still not in the ranking" "" \
	"$(grep -E '^\| radix \| [0-9]+ \| (the floor|[0-9.]+x|-) \|$' ru/summary.md)"
check_grep "5130.2.4 without vm_mmu radix's figures are over every VM" 'radix on every VM \(run 6\)' ru/summary.md

# 3. only radix stored: no verdict rather than a wrong one; a hash-only report names the MMU
echo "$ev $MMU INSERT INTO vm_mmu VALUES (1,'hash'), (2,'radix');" | mkdb r.db
tlb tlbreplay -q --store -P radix r.db > /dev/null
check_exit "5130.3.1 only radix stored: exit 0" 0 tlb tlbreport -o rr r.db
check_grep "5130.3.2 no verdict: only radix is stored" '^\*\*No verdict\*\*: only radix \(radix-MMU guests\) is stored here' rr/summary.md
echo "$ev" | mkdb h.db
tlb tlbreplay -q --store h.db > /dev/null
tlb tlbreport -o rh h.db > /dev/null 2>&1
check_grep "5130.3.3 hash policies only: the note names their MMU" \
	'^Policies by MMU: old, new, modern, tracked, optimal model hash-MMU \(HPT\) guests\.$' rh/summary.md

# 4. a hostile vm_mmu: exit 2 naming the rowid
cp m.db bad.db
sqlite3 bad.db "DROP TABLE vm_mmu; CREATE TABLE vm_mmu(vm, mmu); INSERT INTO vm_mmu VALUES (1,'hash'), (2,'<b>radix</b>');"
check_exit "5130.4.1 vm_mmu with a bad mmu: exit 2" 2 tlb tlbreport -o rb bad.db
check_grep "5130.4.2 the message names the table and the rowid" 'vm_mmu rowid 2: mmu is not' "$ERR"
