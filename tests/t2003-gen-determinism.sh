#!/usr/bin/env bash
# t2003: same arguments, same bytes; another seed, other events. The file depends on
# nothing but the arguments: not on the clock, the output name, the directory or the pid.
. "$(dirname "$0")/lib.sh"

args="--vms 3 --vcpus 5 --cores 3 --threads 4 --events 30000 --hlocal-fraction 0.3 --hpt-resets 2 --host-inval-rate 800 --migration-rate 40"
tlb tlbgen -o "$T/a.db" $args --seed 11
sleep 1	# a different second on the clock
mkdir "$T/sub"
(cd "$T/sub" && "$TLB_BIN/tlbgen" -o other-name.db $args --seed 11)
ok_if "t2003.1 same seed: identical bytes (other time, name, directory, pid)" cmp "$T/a.db" "$T/sub/other-name.db"

tlb tlbgen -o "$T/b.db" $args --seed 12
ok_if "t2003.2 another seed: other bytes" test -n "$(cmp "$T/a.db" "$T/b.db" 2>&1)"
q="SELECT count(*) FROM (SELECT ts, cpu, vm, vcpu, kind, a0, a1, a2, a3 FROM event EXCEPT
   SELECT ts, cpu, vm, vcpu, kind, a0, a1, a2, a3 FROM b.event)"
diff_rows=$(sqlite3 "$T/a.db" "ATTACH '$T/b.db' AS b; $q")
ok_if "t2003.3 another seed: the events themselves differ (most rows: $diff_rows of 30000)" \
	test "$diff_rows" -gt 15000

for s in per-thread hlocal-paging smp-migrate one-vcore; do
	tlb tlbgen --scenario $s -o "$T/$s.1.db"
	tlb tlbgen --scenario $s -o "$T/$s.2.db"
	ok_if "t2003.4 scenario $s: identical bytes twice" cmp "$T/$s.1.db" "$T/$s.2.db"
done

tlb tlbgen -o "$T/d1.db" --duration-ms 100 --seed 5
tlb tlbgen -o "$T/d2.db" --duration-ms 100 --seed 5
ok_if "t2003.5 --duration-ms mode: identical bytes" cmp "$T/d1.db" "$T/d2.db"

# meta gen_command is a command line that regenerates the same file.
cmd=$(sqlite3 "$T/a.db" "SELECT value FROM meta WHERE key='gen_command'")
check_grep "t2003.6 gen_command is a tlbgen command" '^tlbgen ' <(echo "$cmd")
(cd "$T" && eval "$TLB_BIN/$cmd -o regen.db")
ok_if "t2003.7 gen_command regenerates identical bytes" cmp "$T/a.db" "$T/regen.db"
