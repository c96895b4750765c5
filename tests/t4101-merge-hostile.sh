#!/usr/bin/env bash
# t4101: tlbmerge on hostile inputs (issue 9 items 6, 8, 9): NULL meta keys and values,
# vm/vcpu rows of the wrong type, offsets, rates and meta tb_offset whose arithmetic
# would overflow, guest times that map beyond what a trace holds. Each is exit 2 naming
# the file (and row), or a clean merge; never a crash, never an OUT.db.tmp-PID left.
# The merged file is 0600 whatever its inputs' modes.
. "$(dirname "$0")/lib.sh"
need_cmd sqlite3 || skip_all "sqlite3 is not installed"

# A host: vm 1, vcpu 0 runs on cpu 2 over [1 ms, 9 ms]; a guest: 4 hcalls of vcpu 0 at
# guest ns 2..5 ms. With --offset 0 every hcall is placed on cpu 2.
host() {
	{ cat "$ROOT/schemas/trace-v1.sql"
	  echo "INSERT INTO meta VALUES('source','host'),('threads_per_core','1'),('ncpus','4');"
	  echo "INSERT INTO vm(id, name) VALUES (1, 'qemu');"
	  echo "INSERT INTO event(ts,cpu,vm,vcpu,kind) VALUES (1000000,2,1,0,2),(9000000,2,1,0,3);"
	  echo "${2:-}"; } | sqlite3 "$T/$1"
}
guest() {
	{ cat "$ROOT/schemas/trace-v1.sql"
	  echo "INSERT INTO meta VALUES('source','guest'),('threads_per_core','1'),('ncpus','1');"
	  for t in 2000000 3000000 4000000 5000000; do
		echo "INSERT INTO event(ts,cpu,vm,vcpu,kind,a0,a1,a2,a3) VALUES ($t,-1,1,0,4,4,0,1,0);"
	  done
	  echo "${2:-}"; } | sqlite3 "$T/$1"
}
merge() { tlb tlbmerge -q --offset "${3:-0}" "$T/$1" "$T/$2" -o "$T/out.db" --accept-offset; }
clean() { rm -f "$T"/out.db*; }
no_left() { ok_if "$1 nothing left (no out.db, no temporary)" test -z "$(ls -A "$T" | grep '^out\.db')"; clean; }

host h.db; guest g.db
chmod 0644 "$T/h.db" "$T/g.db"
ok_if "t4101.1 a plain merge" merge h.db g.db
check_eq "t4101.2 every hcall placed on cpu 2" "2 2 2 2" "$(sqlite3 "$T/out.db" 'SELECT cpu FROM hcall ORDER BY ts' | tr '\n' ' ' | sed 's/ $//')"
check_eq "t4101.3 the merged file is 0600 (inputs 0644)" "600" "$(stat -c %a "$T/out.db")"
clean

# NULL meta keys (SQLite allows NULL in a TEXT PRIMARY KEY) and NULL values (a meta
# table declared without NOT NULL).
guest gnk.db "INSERT INTO meta VALUES (NULL, 'x');"
ok_if "t4101.4 a NULL meta key in the guest: merges" merge h.db gnk.db
clean
host hnk.db "INSERT INTO meta VALUES (NULL, 'x');"
ok_if "t4101.5 a NULL meta key in the host: merges" merge hnk.db g.db
clean
guest gnv.db "CREATE TABLE m2(key, value); INSERT INTO m2 SELECT * FROM meta;
	INSERT INTO m2 VALUES ('k', NULL), (NULL, NULL), (x'00', 'blob key'); DROP TABLE meta;
	ALTER TABLE m2 RENAME TO meta;"
ok_if "t4101.6 NULL meta values and keys, a blob key: merges" merge h.db gnv.db
check_eq "t4101.7 a NULL value is copied as empty" "" "$(sqlite3 "$T/out.db" "SELECT value FROM meta WHERE key = 'guest1.k'")"
clean

# vm and vcpu rows of the wrong type.
host hvm.db "INSERT INTO vcpu(vm, id) VALUES (1, 'two');"
check_exit "t4101.8 vcpu.id text: exit 2" 2 merge hvm.db g.db
check_grep "t4101.9 names the file and row" 'hvm\.db: vcpu rowid 1: vm or id is not an integer' "$ERR"
no_left t4101.10
guest gvc.db "INSERT INTO vcpu(vm, id, tid) VALUES (1, 0, x'0102');"
check_exit "t4101.11 vcpu.tid blob: exit 2" 2 merge h.db gvc.db
check_grep "t4101.12 names the file and row" 'gvc\.db: vcpu rowid 1: .*tid not an integer' "$ERR"
no_left t4101.13
host hpid.db "UPDATE vm SET pid = 1.5 WHERE id = 1;"
check_exit "t4101.14 vm.pid real: exit 2" 2 merge hpid.db g.db
no_left t4101.15

# Times and relations that would overflow.
check_exit "t4101.16 --offset 1e300: exit 2" 2 merge h.db g.db 1e300
check_grep "t4101.17 says within +-2^62" 'cannot use --offset 1e300: .*2\^62' "$ERR"
check_exit "t4101.18 --offset -9223372036854775808: exit 2" 2 merge h.db g.db -9223372036854775808
guest gbig.db "INSERT INTO event(ts,cpu,vm,vcpu,kind,a0,a1,a2,a3) VALUES (4611686018427387000,-1,1,0,4,4,0,1,0);"
check_exit "t4101.19 guest ts near 2^62 with offset 4e18: exit 2" 2 merge h.db gbig.db 4000000000000000000
check_grep "t4101.20 names the guest and its row" 'gbig\.db: event rowid 5: ts 4611686018427387000 is .* beyond 2\^62' "$ERR"
no_left t4101.21
check_exit "t4101.22 guest ts INT64_MIN: exit 2" 2 merge h.db "$(guest gmin.db "INSERT INTO event(ts,cpu,vm,vcpu,kind,a0,a1,a2,a3) VALUES (-9223372036854775808,-1,1,0,4,4,0,1,0);"; echo gmin.db)"
check_grep "t4101.23 names the row" 'cannot merge .*gmin\.db: event rowid 5: ts -9223372036854775808 is beyond' "$ERR"
no_left t4101.24
check_exit "t4101.25 guest ts -2^62 (the first event, mapped 4.6e18 ns before the host): exit 2" 2 \
	merge h.db "$(guest gneg.db "INSERT INTO event(ts,cpu,vm,vcpu,kind,a0,a1,a2,a3) VALUES (-4611686018427387904,-1,1,0,4,4,0,1,0);"; echo gneg.db)" -1000
check_grep "t4101.26 says beyond" 'beyond' "$ERR"
no_left t4101.27
# meta tb_offset arithmetic: guest tb_first - tb_offset - host tb_first overflows int64.
guest gtb.db "INSERT INTO meta VALUES ('tb_offset', '-9223372036854775808'), ('tb_first', '9223372036854775807'), ('timebase_hz', '512000000');"
host htb.db "INSERT INTO meta VALUES ('tb_first', '1'), ('timebase_hz', '512000000');"
check_exit "t4101.28 tb_offset that overflows: exit 2" 2 tlb tlbmerge -q "$T/htb.db" "$T/gtb.db" -o "$T/out.db"
check_grep "t4101.29 names the guest and its meta" 'cannot use meta tb_offset of .*gtb\.db' "$ERR"
no_left t4101.30
guest ghz.db "INSERT INTO meta VALUES ('tb_offset', '0'), ('tb_first', '1'), ('timebase_hz', '1e-300');"
host hhz.db "INSERT INTO meta VALUES ('tb_first', '9000000000000000000'), ('timebase_hz', '1e-300');"
check_exit "t4101.31 a timebase of 1e-300 Hz: exit 2" 2 tlb tlbmerge -q "$T/hhz.db" "$T/ghz.db" -o "$T/out.db"
no_left t4101.32
# A count that only a sum could overflow is copied exactly (the replay refuses the sum).
host hlost.db "INSERT INTO event(ts,cpu,vm,kind,a0) VALUES (2000000,0,0,8,9223372036854775807);"
ok_if "t4101.33 lost = INT64_MAX in the host: merged" merge hlost.db g.db
check_eq "t4101.34 copied exactly" "9223372036854775807" "$(sqlite3 "$T/out.db" 'SELECT count FROM lost_events')"
clean
host hts.db "INSERT INTO event(ts,cpu,vm,kind) VALUES (9223372036854775807,0,0,6);"
check_exit "t4101.35 host ts INT64_MAX: exit 2 naming the row" 2 merge hts.db g.db
check_grep "t4101.35b names it" 'hts\.db: event rowid 3: ts 9223372036854775807 is beyond' "$ERR"
no_left t4101.35c
ok_if "t4101.36 -V" tlb tlbmerge -V
check_grep "t4101.37 prints NAME VERSION" '^tlbmerge [^ ]+$' "$OUT"

# Memory and time grow with the rows, not with the number of distinct ids: a host capture
# entering 200000 distinct vcpus (quadratic lookups took minutes) merges in seconds.
host hmany.db "WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < 200000)
	INSERT INTO event(ts, cpu, vm, vcpu, kind) SELECT 9000000 + x, 1, 1, x * 1000, 2 FROM i;"
check_exit "t4101.38 200000 distinct vcpus in the host: merged within 60 s" 0 \
	timeout 60 "$TLB_BIN/tlbmerge" -q --offset 0 "$T/hmany.db" "$T/g.db" -o "$T/out.db"
check_eq "t4101.39 the guest's hcalls still placed on cpu 2" "2 2 2 2" \
	"$(sqlite3 "$T/out.db" 'SELECT cpu FROM hcall ORDER BY ts' | tr '\n' ' ' | sed 's/ $//')"
