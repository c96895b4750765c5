#!/usr/bin/env bash
# t2004: the workload parameters are honoured, checked with SQL on the file (the
# expectations come from the parameters, not from tlbgen's output).
. "$(dirname "$0")/lib.sh"

sql() { sqlite3 "$DB" "$@"; }
DB=$T/p.db
# 3 VMs x 6 vcpus, 5 cores x 2 threads (ncpus 10), 200000 events, 2 HPT resets per VM,
# H_LOCAL on 25% of H_REMOVE/H_PROTECT, mix 2:1:1:1.
ok_if "t2004.1 generate" tlb tlbgen -o "$DB" --vms 3 --vcpus 6 --cores 5 --threads 2 \
	--events 200000 --seed 9 --hlocal-fraction 0.25 --hpt-resets 2 --migration-rate 50 \
	--host-inval-rate 500 --mix H_ENTER=2,H_REMOVE=1,H_PROTECT=1,H_BULK_REMOVE=1
check_eq "t2004.2 exactly --events rows" 200000 "$(sql "SELECT count(*) FROM event")"
check_eq "t2004.3 meta: schema 1, source generated, T 2, ncpus 5*2" "1 generated 2 10" \
	"$(sql "SELECT group_concat(value, ' ') FROM (SELECT value FROM meta WHERE key IN
	 ('schema_version','source','threads_per_core','ncpus') ORDER BY CASE key
	 WHEN 'schema_version' THEN 1 WHEN 'source' THEN 2 WHEN 'threads_per_core' THEN 3 ELSE 4 END)")"
check_eq "t2004.4 vm table: ids 1..3" "1,2,3" "$(sql "SELECT group_concat(id) FROM (SELECT id FROM vm ORDER BY id)")"
check_eq "t2004.5 events of VMs 1..3 only" "1 3 3" "$(sql "SELECT min(vm)||' '||max(vm)||' '||count(DISTINCT vm) FROM event")"
check_eq "t2004.6 vcpu table: 3 x 6 rows, ids 0..5" "18 0 5" "$(sql "SELECT count(*)||' '||min(id)||' '||max(id) FROM vcpu")"
check_eq "t2004.7 18 vcpu_create, one per vcpu" "18 18" \
	"$(sql "SELECT count(*)||' '||count(DISTINCT vm*100+vcpu) FROM vcpu_creation")"
check_eq "t2004.8 every vcpu enters the guest" 18 "$(sql "SELECT count(DISTINCT vm*100+vcpu) FROM guest_entry")"
check_eq "t2004.9 cpus in -1..9" "-1 9" "$(sql "SELECT min(cpu)||' '||max(cpu) FROM event")"
check_eq "t2004.10 ts never goes back in rowid order" 0 \
	"$(sql "SELECT count(*) FROM (SELECT ts < lag(ts) OVER (ORDER BY rowid) AS back FROM event) WHERE back")"
check_eq "t2004.11 meta event_order is ts" ts "$(sql "SELECT value FROM meta WHERE key='event_order'")"
check_eq "t2004.12 2 HPT resets per VM" "1:2 2:2 3:2" \
	"$(sql "SELECT group_concat(vm||':'||c, ' ') FROM (SELECT vm, count(*) c FROM hpt_reset GROUP BY vm ORDER BY vm)")"
# H_LOCAL share: sd of a share of 0.25 over ~60000 calls is 0.002; allow 0.02.
hl=$(sql "SELECT round(avg((flags & 268435456) != 0), 4) FROM hcall WHERE opcode IN (4, 24)")
ok_if "t2004.13 H_LOCAL on 25% +- 2% of H_REMOVE/H_PROTECT (got $hl)" \
	awk -v x="$hl" 'BEGIN { exit !(x > 0.23 && x < 0.27) }'
check_eq "t2004.14 H_LOCAL on no other hcall" 0 \
	"$(sql "SELECT count(*) FROM hcall WHERE opcode NOT IN (4, 24, 292) AND (flags & 268435456) != 0")"
# Mix 2:1:1:1 -> shares 0.4, 0.2, 0.2, 0.2 (sd about 0.002 over ~140000 hcalls; allow 0.02).
mix=$(sql "SELECT group_concat(opcode||'='||s, ' ') FROM (SELECT opcode, round(count(*) * 1.0 /
	   (SELECT count(*) FROM hcall), 2) s FROM hcall GROUP BY opcode ORDER BY opcode)")
ok_if "t2004.15 hcall mix 2:1:1:1 within 2% (got $mix)" awk -v m="$mix" 'BEGIN {
	n = split(m, kv, " "); if (n != 4) exit 1
	want[4] = 0.2; want[8] = 0.4; want[24] = 0.2; want[292] = 0.2
	for (i = 1; i <= n; i++) { split(kv[i], p, "="); d = p[2] - want[p[1]]; if (d < -0.02 || d > 0.02) exit 1 }
}'
# Placement: vcpu i runs on thread i % T of its core (T = 2).
check_eq "t2004.16 every entry on thread vcpu % T of a core" 0 \
	"$(sql "SELECT count(*) FROM guest_entry WHERE cpu % 2 != vcpu % 2")"
# Between two migrations of a vcore (a run of migrate rows), every entry of its vcpus is on one core.
check_eq "t2004.17 vcpus of one vcore (vcpu / T) share its core between migrations" 0 \
	"$(sql "SELECT count(*) FROM (SELECT vm, vc, epoch, count(DISTINCT cpu / 2) AS cores FROM (
	   SELECT e.vm, e.vcpu / 2 AS vc, e.cpu, k.name, sum(k.name = 'migrate') OVER (PARTITION BY e.vm, e.vcpu / 2
	   ORDER BY e.rowid) AS epoch FROM event e JOIN event_kind k ON e.kind = k.id
	   WHERE k.name IN ('guest_enter', 'migrate')) WHERE name = 'guest_enter' GROUP BY vm, vc, epoch) WHERE cores != 1")"
check_eq "t2004.18 a migration always changes core" 0 \
	"$(sql "SELECT count(*) FROM migration WHERE dest_cpu / 2 = orig_cpu / 2")"
ok_if "t2004.19 migrations happen" test "$(sql "SELECT count(*) FROM migration")" -gt 0
# Each vcpu alternates enter, exit, enter...; hcalls only while in the guest.
check_eq "t2004.20 enters and exits alternate per vcpu, starting with an enter" 0 \
	"$(sql "SELECT count(*) FROM (SELECT kind, lag(kind) OVER (PARTITION BY vm, vcpu ORDER BY rowid) AS prev,
	   row_number() OVER (PARTITION BY vm, vcpu ORDER BY rowid) AS n FROM event
	   WHERE kind IN (SELECT id FROM event_kind WHERE name IN ('guest_enter','guest_exit')))
	   WHERE kind = prev OR (n = 1 AND kind != (SELECT id FROM event_kind WHERE name = 'guest_enter'))")"
check_eq "t2004.21 hcalls only between an enter and an exit of their vcpu" 0 \
	"$(sql "WITH k AS (SELECT (SELECT id FROM event_kind WHERE name='guest_enter') en,
	   (SELECT id FROM event_kind WHERE name='guest_exit') ex, (SELECT id FROM event_kind WHERE name='hcall') hc)
	   SELECT count(*) FROM (SELECT kind, sum(CASE kind WHEN k.en THEN 1 WHEN k.ex THEN -1 ELSE 0 END)
	   OVER (PARTITION BY vm, vcpu ORDER BY rowid) AS inside FROM event, k WHERE kind IN (k.en, k.ex, k.hc)), k
	   WHERE kind = k.hc AND inside != 1")"
check_eq "t2004.22 an hcall runs on the thread its vcpu entered" 0 \
	"$(sql "SELECT count(*) FROM hcall h WHERE cpu != (SELECT cpu FROM guest_entry g
	   WHERE g.vm = h.vm AND g.vcpu = h.vcpu AND g.id < h.id ORDER BY g.id DESC LIMIT 1)")"
# n and rc as the schema defines them.
check_eq "t2004.23 H_REMOVE/H_PROTECT: n 1 with rc 0, n 0 with rc H_NOT_FOUND" 0 \
	"$(sql "SELECT count(*) FROM hcall WHERE opcode IN (4, 24) AND NOT ((n = 1 AND rc = 0) OR (n = 0 AND rc = -7))")"
check_eq "t2004.24 H_BULK_REMOVE: n in 1..4, rc 0" 0 \
	"$(sql "SELECT count(*) FROM hcall WHERE opcode = 292 AND NOT (n BETWEEN 1 AND 4 AND rc = 0)")"
check_eq "t2004.25 H_ENTER invalidates nothing" 0 "$(sql "SELECT count(*) FROM hcall WHERE opcode = 8 AND n != 0")"
check_eq "t2004.26 host_inval: n in 0..4, reason 0, 1 or 3, no vcpu" 0 \
	"$(sql "SELECT count(*) FROM event e JOIN event_kind k ON e.kind = k.id WHERE k.name = 'host_inval'
	   AND NOT (e.a0 BETWEEN 0 AND 4 AND e.a1 IN (0, 1, 3) AND e.vcpu IS NULL)")"

# --duration-ms: the events fill the time, and rates are honoured (Poisson counts:
# 1 VM x 2 vcpus for 1000 ms; hcalls 2 x 3000 = 6000 (sd 77; less the ~0.15% of time spent
# outside the guest), exits 2 x 500 = 1000 (sd 32), host_inval 200 (sd 14): 5 sd bounds.
DB=$T/d.db
ok_if "t2004.27 generate 1000 ms" tlb tlbgen -o "$DB" --duration-ms 1000 --vms 1 --vcpus 2 \
	--hcall-rate 3000 --exit-rate 500 --migration-rate 0 --host-inval-rate 200 --seed 3
check_eq "t2004.28 no event at or past 1000 ms" 0 "$(sql "SELECT count(*) FROM event WHERE ts >= 1000000000")"
ok_if "t2004.29 the last event is in the last ms" test "$(sql "SELECT max(ts) FROM event")" -gt 999000000
in_range() { ok_if "$1 ($2 in $3..$4)" test "$2" -ge "$3" -a "$2" -le "$4"; }
in_range "t2004.30 hcalls at 3000/s per vcpu" "$(sql "SELECT count(*) FROM hcall")" 5600 6400
in_range "t2004.31 exits at 500/s per vcpu" "$(sql "SELECT count(*) FROM guest_exit")" 840 1160
in_range "t2004.32 host_inval at 200/s" "$(sql "SELECT count(*) FROM host_invalidation")" 130 270
check_eq "t2004.33 --migration-rate 0: no migration" 0 "$(sql "SELECT count(*) FROM migration")"
check_eq "t2004.34 no resets by default" 0 "$(sql "SELECT count(*) FROM hpt_reset")"
check_eq "t2004.35 default mix: H_LOCAL never set (the sample's Linux guest)" 0 \
	"$(sql "SELECT count(*) FROM hcall WHERE (flags & 268435456) != 0 AND opcode != 292")"

DB=$T/r.db
tlb tlbgen -o "$DB" --duration-ms 300 --vms 2 --hpt-resets 3 --seed 4
check_eq "t2004.36 --duration-ms: 3 resets per VM at 1/7 .. 6/7 of the time, VMs in turn" \
	"1 2 1 2 1 2" "$(sql "SELECT group_concat(vm, ' ') FROM (SELECT vm FROM hpt_reset ORDER BY id)")"
check_eq "t2004.37 reset times are k * 300 ms / 7" \
	"42857142 85714285 128571428 171428571 214285714 257142857" \
	"$(sql "SELECT group_concat(ts, ' ') FROM (SELECT ts FROM hpt_reset ORDER BY id)")"

# The kernel resets an HPT only with no vcpu of the VM running (kvmppc_alloc_reset_hpt: -EBUSY
# while vcpus_running): at each reset, every vcpu of that VM has exited as often as it entered.
check_eq "t2004.38 no vcpu of the VM in the guest at its HPT reset" 0 \
	"$(sql "WITH k AS (SELECT (SELECT id FROM event_kind WHERE name='guest_enter') en,
	   (SELECT id FROM event_kind WHERE name='guest_exit') ex)
	   SELECT count(*) FROM hpt_reset r, k WHERE (SELECT coalesce(sum(CASE kind WHEN k.en THEN 1 ELSE -1 END), 0)
	   FROM event e WHERE e.vm = r.vm AND e.rowid < r.id AND e.kind IN (k.en, k.ex)) != 0")"
DB=$T/c1.db
tlb tlbgen -o "$DB" --cores 1 --migration-rate 1000 --events 5000
check_eq "t2004.39 one core: nowhere to migrate" 0 "$(sql "SELECT count(*) FROM migration")"
DB=$T/e0.db
check_exit "t2004.40 --events 0 is a usage error (an empty trace is no result)" 2 tlb tlbgen -o "$DB" --events 0
check_eq "t2004.41 it says so and writes nothing" "1 0" \
	"$(grep -c '^tlbgen: cannot use --events .0.: a number of events, at least 1' "$ERR") $(ls "$T" | grep -c '^e0\.db')"
DB=$T/e5.db
tlb tlbgen -o "$DB" --events 5
check_eq "t2004.42 --events 5 stops inside the vcpu creations" "5 5" \
	"$(sql "SELECT count(*)||' '||(SELECT count(*) FROM vcpu_creation) FROM event")"

# Two one-vcore VMs on 8 cores (vcore g starts on core g: VM 1 on core 0, VM 2 on core 1):
# an idle core always exists, so a vcore never moves onto the core the other one holds.
DB=$T/idle.db
tlb tlbgen -o "$DB" --vms 2 --vcpus 4 --cores 8 --threads 4 --migration-rate 2000 --events 20000 --seed 6
ok_if "t2004.43 the vcores migrate (many times)" test "$(sql "SELECT count(*) FROM migration WHERE vcpu = 0")" -gt 20
check_eq "t2004.44 a vcore moves only to a core the other vcore does not hold" 0 \
	"$(sql "SELECT count(*) FROM migration m WHERE m.vcpu = 0 AND m.dest_cpu / 4 = coalesce(
	   (SELECT o.dest_cpu / 4 FROM migration o WHERE o.vm != m.vm AND o.vcpu = 0 AND o.id < m.id
	    ORDER BY o.id DESC LIMIT 1), (m.vm = 1))")"
