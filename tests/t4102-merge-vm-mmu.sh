#!/usr/bin/env bash
# t4102-merge-vm-mmu: tlbmerge carries the optional table vm_mmu over: the host's rows as
# they are, a guest's under the host VM it became (--vm, or the best placed); two files
# giving one merged VM different MMUs is exit 2 naming both, and nothing is written.
. "$(dirname "$0")/lib.sh"
need_cmd sqlite3 || skip_all "sqlite3 is not installed"

# host: vm 1 runs vcpu 0 on cpu 3 over [1000, 100000) ns, vm 2 vcpu 0 on cpu 5 over
# [200000, 300000); guest: 10 hcalls of vcpu 0 at 2000, 11000, ... 83000 ns (vm 1 of the
# guest file). With --offset 0 they fall in vm 1's run.
# host_db NAME MMU_SQL / guest_db NAME MMU_SQL
host_db() {
	{ cat "$ROOT/schemas/trace-v1.sql"
	  echo "INSERT INTO meta VALUES('source','host'),('threads_per_core','1'),('ncpus','8');"
	  echo "INSERT INTO vm(id, name) VALUES(1, 'a'), (2, 'b');"
	  echo "INSERT INTO event(ts,cpu,vm,vcpu,kind) VALUES (1000,3,1,0,2),(100000,3,1,0,3),(200000,5,2,0,2),(300000,5,2,0,3);"
	  echo "$2"; } | sqlite3 "$T/$1.db"
}
guest_db() {
	{ cat "$ROOT/schemas/trace-v1.sql"
	  echo "INSERT INTO meta VALUES('source','guest'),('threads_per_core','1'),('ncpus','1');"
	  echo "INSERT INTO vm(id, name) VALUES(1, 'guest');"
	  for i in 0 1 2 3 4 5 6 7 8 9; do
		echo "INSERT INTO event(ts,cpu,vm,vcpu,kind,a0,a1,a2,a3) VALUES($((2000 + i * 9000)),-1,1,0,4,4,0,1,0);"
	  done
	  echo "$2"; } | sqlite3 "$T/$1.db"
}
mmus() { sqlite3 "$1" "SELECT group_concat(vm || ':' || mmu, ' ') FROM (SELECT vm, mmu FROM vm_mmu ORDER BY vm)"; }

# --- 4102.1-3: the host's rows are kept as they are
host_db h1 "INSERT INTO vm_mmu VALUES (1, 'hash'), (2, 'radix');"
guest_db g1 ""
ok_if "4102.1 merge" tlb tlbmerge "$T/h1.db" "$T/g1.db" -o "$T/m1.db" --offset 0 --vm 1 -q
check_eq "4102.2 host vm_mmu rows kept" "1:hash 2:radix" "$(mmus "$T/m1.db")"
check_eq "4102.3 the guest's hcalls are placed on vm 1's cpu" "10|3" \
	"$(sqlite3 "$T/m1.db" "SELECT count(*), group_concat(DISTINCT cpu) FROM hcall WHERE vm = 1")"

# --- 4102.4-5: a guest's row goes under the host VM it became (guest vm 1 -> merged vm 2)
host_db h2 ""
guest_db g2 "INSERT INTO vm_mmu VALUES (1, 'radix');"
ok_if "4102.4 merge as vm 2" tlb tlbmerge "$T/h2.db" "$T/g2.db" -o "$T/m2.db" --offset 200000 --vm 2 -q
check_eq "4102.5 the guest's MMU is merged vm 2's" "2:radix" "$(mmus "$T/m2.db")"
# without --vm: the VM that places its hcalls best (vm 1 at offset 0)
ok_if "4102.6 merge, VM chosen by placement" tlb tlbmerge "$T/h2.db" "$T/g2.db" -o "$T/m3.db" --offset 0 -q
check_eq "4102.7 ... the guest's MMU follows it to vm 1" "1:radix" "$(mmus "$T/m3.db")"

# --- 4102.8-9: host and guest agree: one row; both sides' other rows kept
host_db h4 "INSERT INTO vm_mmu VALUES (1, 'hash'), (2, 'radix');"
guest_db g4 "INSERT INTO vm_mmu VALUES (1, 'hash');"
ok_if "4102.8 agreeing files merge" tlb tlbmerge "$T/h4.db" "$T/g4.db" -o "$T/m4.db" --offset 0 --vm 1 -q
check_eq "4102.9 one row per merged VM" "1:hash 2:radix" "$(mmus "$T/m4.db")"

# --- 4102.10-13: host says hash for vm 1, the guest merged as vm 1 says radix: exit 2
guest_db g5 "INSERT INTO vm_mmu VALUES (1, 'radix');"
check_exit "4102.10 conflicting MMUs for one merged VM: exit 2" 2 \
	tlb tlbmerge "$T/h4.db" "$T/g5.db" -o "$T/m5.db" --offset 0 --vm 1 -q
check_grep "4102.11 ... naming both files and both MMUs" \
	"^tlbmerge: cannot merge: merged vm 1 would have two MMUs: $T/h4\.db says hash \(its vm 1\), $T/g5\.db says radix \(its vm 1\)" "$ERR"
ok_if "4102.12 ... and nothing written" test ! -e "$T/m5.db"
# two guests named as one VM, disagreeing
guest_db g6 "INSERT INTO vm_mmu VALUES (1, 'hash');"
check_exit "4102.13 two guests as one VM with different MMUs: exit 2" 2 \
	tlb tlbmerge "$T/h2.db" "$T/g5.db" "$T/g6.db" -o "$T/m6.db" --offset 0 --vm 1 --vm 1 -q
check_grep "4102.14 ... naming both guests" "$T/g5\.db says radix \(its vm 1\), $T/g6\.db says hash" "$ERR"

# --- 4102.15: the merged file replays with its MMUs (tlbreplay reads vm_mmu)
if [ -x "$TLB_BIN/tlbreplay" ]; then
	ok_if "4102.15 tlbreplay reads the merged vm_mmu" tlb tlbreplay "$T/m4.db"
else
	skip "4102.15 tlbreplay reads the merged vm_mmu" "no tlbreplay"
fi
