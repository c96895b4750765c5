#!/usr/bin/env bash
# powernv/vm-mmu.sh VMM.LOG DB... - each VM's MMU, as the VMM's log says it, into the DBs'
# table vm_mmu (schemas/trace-v1.sql): the harness knows what the capture cannot see.
#
# Owns the mapping from the VMM's VMs to the DB's: a log line "vm NAME pid PID mmu hpt|radix
# vcpus N" is the DB's VM whose vm.pid is PID (tlbcollect names every VM by its process;
# the VMM is one process per VM). hpt becomes 'hash'. A VM of the log not in the DB adds
# nothing; a DB VM not in the log keeps no row (unknown). Rows already there are replaced.
# Exit 0 done, 1 failed, 2 bad usage or a log line that is not what the VMM writes.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: powernv/vm-mmu.sh VMM.LOG DB..." >&2; exit 2; }
log=$1
shift
[ -r "$log" ] || { echo "powernv/vm-mmu.sh: cannot read $log" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tlb-vmmmu.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# only digits and the two words reach SQLite, through .import (never as SQL text)
awk '$1 == "vm" {
	if ($3 != "pid" || $4 !~ /^[0-9]+$/ || $5 != "mmu" || ($6 != "hpt" && $6 != "radix")) { bad = NR; exit }
	print $4 "," ($6 == "radix" ? "radix" : "hash") }
     END { if (bad) { print "powernv/vm-mmu.sh: line " bad " of the log is not \"vm NAME pid PID mmu hpt|radix ...\"" > "/dev/stderr"; exit 2 } }' \
	"$log" > "$tmp/mmu.csv"
for db in "$@"; do
	[ -f "$db" ] || { echo "powernv/vm-mmu.sh: no such DB $db" >&2; exit 1; }
	sqlite3 "$db" <<SQL
.bail on
CREATE TABLE IF NOT EXISTS vm_mmu(vm INTEGER PRIMARY KEY,
                                  mmu TEXT NOT NULL CHECK (mmu IN ('hash', 'radix')));
CREATE TEMP TABLE log_mmu(pid INTEGER, mmu TEXT);
.mode csv
.import $tmp/mmu.csv log_mmu
INSERT OR REPLACE INTO vm_mmu(vm, mmu) SELECT v.id, l.mmu FROM vm v JOIN log_mmu l ON l.pid = v.pid;
SQL
done
