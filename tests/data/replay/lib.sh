# tests/data/replay/lib.sh - helpers of the tlbreplay tests (t1NNN), sourced after tests/lib.sh.
#
#   mkdb FILE            a trace from header.sql plus the SQL on stdin (kinds: 101 vcpu_create,
#                        102 guest_enter, 103 guest_exit, 104 hcall, 105 host_inval,
#                        106 hpt_reset, 107 migrate, 108 lost)
#   mkexample NAME FILE  one of the spec's worked examples (copied here) as FILE
#   metric CSV POLICY VM NAME   one value of a `tlbreplay --format csv` output file
#   need_sqlite3         skip_all unless the sqlite3 shell is there
RDATA=$ROOT/tests/data/replay

need_sqlite3() { need_cmd sqlite3 || skip_all "the sqlite3 shell is not installed (scripts/deps/build.list)"; }

mkdb() {
	rm -f "$1"
	{ cat "$RDATA/header.sql"; cat; } | sqlite3 "$1"
}

mkexample() {
	rm -f "$2"
	sqlite3 "$2" < "$RDATA/$1.sql"
}

metric() {
	awk -F, -v p="$2" -v vm="$3" -v name="$4" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == p && $2 == vm { print $(col[name]); found = 1 }
		END { if (!found) print "missing" }' "$1"
}

# mkparts WHOLE N PREFIX [ID]   split trace WHOLE into N part files PREFIX.1.db .. PREFIX.N.db of one
#                      rotated capture (COMMON contract: meta capture_id ID, part k, part_last in
#                      the last, part_prev_last_ts = ts of part k-1's last row), by equal rowid ranges
mkparts() {
	local w=$1 n=$2 p=$3 id=${4:-0123456789abcdef0123456789abcdef}
	local tot k lo hi
	tot=$(sqlite3 "$w" "SELECT max(rowid) FROM event")
	for k in $(seq 1 "$n"); do
		lo=$(( (k - 1) * tot / n + 1 )); hi=$(( k * tot / n ))
		rm -f "$p.$k.db"; cp "$w" "$p.$k.db"
		sqlite3 "$p.$k.db" "DELETE FROM event WHERE rowid < $lo OR rowid > $hi;
			INSERT INTO meta VALUES ('capture_id', '$id'), ('part', '$k');"
		[ "$k" = "$n" ] && sqlite3 "$p.$k.db" "INSERT INTO meta VALUES ('part_last', '1')"
		[ "$k" -gt 1 ] && sqlite3 "$p.$k.db" "INSERT INTO meta VALUES ('part_prev_last_ts',
			'$(sqlite3 "$w" "SELECT ts FROM event WHERE rowid = $((lo - 1))")')"
	done
	return 0
}
