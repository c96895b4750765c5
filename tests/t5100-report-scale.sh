#!/usr/bin/env bash
# t5100: tlbreport on many VMs stays linear (issue 9 item 13: 80,000 VMs took 12 s, every
# per-VM lookup a linear search), and a WAL-mode DB in a directory the user cannot write
# is opened (nothing in its -wal: read as immutable) or refused saying why (its -wal
# holds changes), never called "not a SQLite trace database".
. "$(dirname "$0")/lib.sh"
need_cmd sqlite3 || skip_all "sqlite3 is not installed (scripts/install-deps.sh build)"
FIX=$ROOT/analysis/testdata
COSTS='"costs":{"tlbiel":20,"tlbie":200,"tlbsync":500,"ptesync":50,"eieio":10,"lock":50,"flush_refill":20000,"sets":128}'

# 5100.1: 80,000 VMs, two runs (written by sqlite3: old flushes once and issues one
# global of 1 per VM = 22660 + 860 cycles; new issues the global only = 860).
n=80000
db=$T/many.db
sqlite3 "$db" < "$ROOT/schemas/trace-v1.sql"
sqlite3 "$db" <<SQL
INSERT OR REPLACE INTO meta VALUES ('source','generated'), ('threads_per_core','4'), ('ncpus','16');
INSERT INTO replay_run VALUES
 (1,'old','power7','{"machine":"power7","threads_per_core":4,"vcores":"per-T",$COSTS,"options":{}}','d','t','2026-11-25T22:00:00Z',1000000),
 (2,'new','power7','{"machine":"power7","threads_per_core":4,"vcores":"per-T",$COSTS,"options":{}}','d','t','2026-11-25T22:00:00Z',1000000);
WITH RECURSIVE v(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM v WHERE i < $n)
INSERT INTO vm SELECT i, 'vm-' || i, 1000 + i, i FROM v;
INSERT INTO replay_total SELECT 1, id, 3, 1, 1, 1, 128, 0, 0, 1, 1, 23520, 0 FROM vm;
INSERT INTO replay_total SELECT 2, id, 3, 1, 1, 0, 0, 0, 0, 1, 1, 860, 0 FROM vm;
INSERT INTO replay_total SELECT 1, -1, 3*$n, $n, $n, $n, 128*$n, 0, 0, $n, $n, 23520*$n, 0;
INSERT INTO replay_total SELECT 2, -1, 3*$n, $n, $n, 0, 0, 0, 0, $n, $n, 860*$n, 0;
SQL
# CPU time (user + sys, children included), not wall time: the machine is shared.
# Linear: about 2.5 s under ASan here; the quadratic version took 12 s in a release build.
TIMEFORMAT='%U %S'
cpu=$( { time TLB_GNUPLOT=true "$TLB_BIN/tlbreport" -q -o "$T/r" "$db" > "$T/out" 2> "$T/err"; } 2>&1 )

check_eq "5100.1.1 80,000 VMs: exit 0" "0" "$( [ -f "$T/r/index.html" ] && echo 0 || cat "$T/err")"
ok_if "5100.1.2 ... in under 20 s of CPU (got ${cpu/ /+} s)" \
	awk -v t="$cpu" 'BEGIN { split(t, a, " "); exit !(a[1] + a[2] < 20) }'
check_eq "5100.1.3 ... summary.md has a row per VM and policy" "$((2 * n))" \
	"$(grep -cE '^\| (old|new) \| [0-9]+ \| 3 \| 1 \| 1 \|' "$T/r/summary.md")"
check_grep "5100.1.4 ... the per-VM bars show the 24 VMs with the most cycles" \
	'the 24 of 80000 VMs with the most cycles' "$T/r/plots/vm_cycles.gp"
check_grep "5100.1.5 ... with their names" '^"vm-1" 23520 860$' "$T/r/plots/vm_cycles.gp"
check_grep "5100.1.6 index.html lists 500 VMs per policy and points to summary.md" \
	'79500 more VMs: every row is in <a href="summary.md">' "$T/r/index.html"
rm -rf "$T/r"

# 5100.2: WAL mode in a directory the user cannot write (run as nobody when root:
# root writes anywhere, so the case needs another user)
asuser() {
	if [ "$(id -u)" -eq 0 ]; then setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
	else "$@"; fi
}
if [ "$(id -u)" -eq 0 ] && ! { id nobody > /dev/null 2>&1 && need_cmd setpriv; }; then
	skip_all "root without user nobody or setpriv: no read-only directory to test in"
fi
mkdir -p "$T/ro" "$T/pub" && chmod 1777 "$T/pub" && chmod 755 "$T" "$T/ro"
sqlite3 "$T/ro/wal.db" < "$ROOT/schemas/trace-v1.sql"
sqlite3 "$T/ro/wal.db" < "$FIX/two-vms-results.sql"
sqlite3 "$T/ro/wal.db" "PRAGMA journal_mode=WAL;" > /dev/null
chmod 644 "$T/ro/wal.db"
[ "$(id -u)" -eq 0 ] || chmod 555 "$T/ro"
ok_if "5100.2.1 the DB is in WAL mode, with no -wal file left" \
	bash -c "[ \"\$(od -An -tu1 -j18 -N2 '$T/ro/wal.db' | tr -s ' ')\" = ' 2 2' ] && [ ! -s '$T/ro/wal.db-wal' ]"
check_exit "5100.2.2 WAL DB in a read-only directory: the report is made" 0 \
	asuser "$TLB_BIN/tlbreport" -q -o "$T/pub/r" "$T/ro/wal.db"
ok_if "5100.2.3 ... with its results" grep -q '| cycles | 122760 | 79840 |' "$T/pub/r/summary.md"
check_exit "5100.2.3a --fleet: the same DB attached for fleet.db (the same WAL rule), exit 0" 0 \
	asuser "$TLB_BIN/tlbreport" --fleet -q -o "$T/pub/rf" "$T/ro/wal.db"
check_eq "5100.2.3b ... its stored runs copied" "$(sqlite3 "$T/ro/wal.db" 'SELECT count(*) FROM replay_run')" \
	"$(sqlite3 "$T/pub/rf/fleet.db" 'SELECT count(*) FROM replay_run')"
# A -wal with changes not in the DB: copied while a writer holds it open.
if need_cmd python3; then
	python3 - "$T/ro/wal.db" "$T/w2" <<'PY'
import os, shutil, sqlite3, sys
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)
tmp = os.path.join(dst, "build.db")
shutil.copy(src, tmp)
c = sqlite3.connect(tmp)
c.execute("PRAGMA wal_autocheckpoint=0")
c.execute("UPDATE meta SET value='changed' WHERE key='host'")
c.commit()
shutil.copy(tmp, os.path.join(dst, "wal.db"))
shutil.copy(tmp + "-wal", os.path.join(dst, "wal.db-wal"))
c.close()
os.remove(tmp)
PY
	chmod 755 "$T/w2" && chmod 644 "$T/w2/"*
	check_exit "5100.2.4 WAL DB whose -wal holds changes, read-only directory: exit 1" 1 \
		asuser "$TLB_BIN/tlbreport" -q -o "$T/pub/r2" "$T/w2/wal.db"
	check_grep "5100.2.5 ... saying what is wrong and what to do" \
		'WAL mode, .*wal\.db-wal holds changes not yet in the DB.*read-only directory.*copy the DB with its -wal' "$ERR"
	ok_if "5100.2.6 ... not 'not a SQLite trace database'" bash -c "! grep -q 'not a SQLite' '$ERR'"
else
	skip "5100.2.4 WAL with a -wal holding changes" "python3 is not installed"
fi
