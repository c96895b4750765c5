#!/usr/bin/env bash
# t1110-replay-overflow - no count, cycle figure or sum over VMs ever wraps (issue 9 item 8):
# the row that would make one exceed 2^63-1 is refused, exit 2 naming it, in the release
# build (no wrapped figure printed) and under the sanitizers (no abort). Each trace is
# header.sql (T = 4) plus the rows below; rowids are given beside each case.
# power7 costs: G(n) = 660 + 200n, host_inval of n = n x G(1) = 860n, L(n) = 100 + 20n.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/data/replay/lib.sh"
need_sqlite3
cd "$T" || exit 1

E0="(10,0,1,0,102,NULL,NULL,NULL,NULL)"		# vcpu 0 enters thread 0
E1="(11,4,1,4,102,NULL,NULL,NULL,NULL)"		# vcpu 4 enters thread 4 (2 vcpus, 2 vcores, 2 cores)
TWO62=4611686018427387904
MAX=9223372036854775807

# The policies whose first overflowing row is derived below (each counts through the same
# checked totals, acc.h; a policy that decides later may overflow at another row).
POL="-P old,new,modern"

# refused NAME FILE ROWID [ARGS...]: exit 2, the message names FILE and the rowid, no stdout
refused() {
	local name=$1 f=$2 row=$3; shift 3
	check_exit "$name: exit 2" 2 tlb tlbreplay -q $POL "$@" "$f"
	check_grep "$name: names the file and rowid $row" "^tlbreplay: cannot replay $f: event rowid $row: .*2\^63-1" "$ERR"
	check_eq "$name: nothing on stdout" "" "$(cat "$OUT")"
}

# 1. the issue's case: two hcalls with n = 2^62 (rowids 3, 4). 2 vcpus in 2 vcores on 2
# cores: every policy goes global. With tlbie = 0 the cycles stay small, and it is the
# tlbie count that reaches 2^63 at the second (rowid 4).
echo "INSERT INTO event VALUES $E0, $E1, (20,0,1,0,104,4,0,$TWO62,0), (30,0,1,0,104,4,0,$TWO62,0);" | mkdb n62.db
refused "1110.1 two H_REMOVE of n = 2^62, tlbie cost 0" n62.db 4 -c tlbie=0
# with the default tlbie cost (200), 2^62 x 200 cycles already overflow at the first (rowid 3)
refused "1110.2 one H_REMOVE of n = 2^62, cycles" n62.db 3
# 2^62 - 1 and tlbie 1: the first fits (cycles 2 x 22660 + 660 + 2^62 - 1), the second
# does not (tlbie 2^63 - 2 fits, but cycles 2 x (2^62 - 1) + 2 x 660 + ... do not)
echo "INSERT INTO event VALUES $E0, $E1, (20,0,1,0,104,4,0,$((TWO62 - 1)),0), (30,0,1,0,104,4,0,$((TWO62 - 1)),0);" | mkdb n62m.db
refused "1110.3 two H_REMOVE of 2^62-1 with tlbie 1" n62m.db 4 -c tlbie=1
# one of them alone is fine, and its figures are exact (old: global, tlbie = 2^62 - 1,
# cycles = 2 flushes x 22660 + (2^62 - 1) + 660)
echo "INSERT INTO event VALUES $E0, $E1, (20,0,1,0,104,4,0,$((TWO62 - 1)),0);" | mkdb one.db
check_exit "1110.4 one H_REMOVE of 2^62-1 with tlbie 1 replays" 0 tlb tlbreplay -q -P old -c tlbie=1 --format csv one.db
cp "$OUT" one.csv
check_eq "1110.5 its tlbie and cycles, exact" "$((TWO62 - 1)) $((TWO62 - 1 + 660 + 2 * 22660))" \
	"$(metric one.csv old all tlbie) $(metric one.csv old all cycles)"

# 2. host_inval of n = INT64_MAX (rowid 3): n global sequences of 1 -> tlbie_seqs x cycles
echo "INSERT INTO event VALUES $E0, $E1, (20,0,1,NULL,105,$MAX,0,NULL,NULL);" | mkdb hinv.db
refused "1110.6 host_inval of n = 2^63-1" hinv.db 3
# even with every cost 0, 2 x (sequences) = ptesync's coefficient overflows
refused "1110.7 host_inval of n = 2^63-1, every cost 0" hinv.db 3 -c tlbie=0 -c tlbsync=0 \
	-c ptesync=0 -c eieio=0 -c lock=0 -c tlbiel=0 -c flush_refill=0

# 3. sums over VMs: VMs 1 and 2 have vcpus 0 and 4 (2 vcores, 2 cores: every policy global),
# VM 3 only vcpu 0 with no entry. H_REMOVEs of n = 2^61; tlbie and tlbiel cost 0 so the
# cycles stay small and the counts are what overflows.
TWO61=2305843009213693952
mkdb vms.db <<SQL
INSERT INTO event VALUES (1,0,1,0,102,NULL,NULL,NULL,NULL), (2,4,1,4,102,NULL,NULL,NULL,NULL),
  (3,0,2,0,102,NULL,NULL,NULL,NULL), (4,4,2,4,102,NULL,NULL,NULL,NULL),
  (5,0,1,0,104,4,0,$TWO61,0), (6,0,2,0,104,4,0,$TWO61,0), (7,0,3,0,104,4,0,$TWO61,0),
  (8,0,3,0,104,4,0,$TWO61,0);
SQL
# VM 3 has one vcpu: old/new/modern go local there (tlbiel_inval 2 x 2^61 = 2^62, rowids 7
# and 8). VMs 1, 2: global, tlbie 2^61
# each (rowids 5, 6) = 2^62 in all: everything fits, the trace replays.
check_exit "1110.8 sums over VMs that fit replay" 0 tlb tlbreplay -q $POL -c tlbie=0 -c tlbiel=0 --format csv vms.db
cp "$OUT" vms.csv
check_eq "1110.9 all row: tlbie = 2^62 (old)" "$TWO62" "$(metric vms.csv old all tlbie)"
sqlite3 vms.db "INSERT INTO event VALUES (9,0,2,0,104,4,0,$TWO61,0), (10,0,1,0,104,4,0,$TWO61,0)"
# rowid 9: VM 2's tlbie = 2^62 and the sum = 3 x 2^61 (fits); rowid 10: sum = 2^63: refused
refused "1110.10 the sum over VMs reaching 2^63" vms.db 10 -c tlbie=0 -c tlbiel=0

# 4. lost counts summing past 2^63-1 (rowid 2)
echo "INSERT INTO event VALUES (1,0,0,NULL,108,$MAX,NULL,NULL,NULL), (2,0,0,NULL,108,1,NULL,NULL,NULL);" | mkdb lost.db
refused "1110.11 lost counts summing past 2^63-1" lost.db 2

# 5. costs that make one sequence overflow: a usage error before anything is read
check_exit "1110.12 --cost sets x tlbiel past 2^63-1: exit 2" 2 tlb tlbreplay -q -c sets=2305843009213693951 -c tlbiel=8 one.db
check_grep "1110.13 says which costs" 'cannot use these costs' "$ERR"

# 6. --store and series buckets: a ts near -2^63 has no bucket start in int64 (rowid 1)
echo "INSERT INTO event VALUES (-9223372036854775807,0,1,0,102,NULL,NULL,NULL,NULL);" | mkdb tsmin.db
check_exit "1110.14 --store with ts -2^63+1: exit 2" 2 tlb tlbreplay -q --store tsmin.db
check_grep "1110.15 names the row" 'rowid 1: ts -9223372036854775807 has no series bucket' "$ERR"
check_exit "1110.16 without --store it replays" 0 tlb tlbreplay -q tsmin.db
