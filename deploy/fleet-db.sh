#!/usr/bin/env bash
# deploy/fleet-db.sh - one SQLite file over a fleet's stored replay results, no re-replay.
#
#   fleet-db.sh [-f] -o FLEET.db CAPTURE.db|DIR...
#
# Each capture (every *.db in each DIR) is ATTACHed read-only and its replay_run and
# replay_total rows (what `tlbreplay --store` wrote) are copied into FLEET.db with the
# capture's host name (meta host; else the file name without .db):
#   capture(id, host, file, kernel, start_time, events, lost, runs)
#   replay_run(capture, host, run, policy, machine, params, trace_digest, tool_version,
#              created, bucket_ns)                         run = the capture's replay_run.id
#   replay_total(capture, host, run, vm, events, ..., stale_exposures)   vm -1 = all VMs
#   fleet_total   view: every run's all-VM totals with its host, policy and machine
# A capture without stored results is listed with runs = 0 (replay it first). FLEET.db
# appears only when complete; an existing one is replaced only with -f.
#
# The captures are hostile input: they are opened read-only, with trusted_schema off,
# and only when meta, replay_run and replay_total are plain tables (a view or a virtual
# table could run functions or read other files when read); their paths reach SQL only percent-encoded inside a URI. A
# capture that fails these checks is named on stderr and skipped, and the exit is 2.
#
# Example: which hosts' new policy costs more than 1.1x optimal's cycles?
#   fleet-db.sh -o fleet.db /shared/tlb
#   sqlite3 fleet.db "SELECT n.host, 1.0 * n.cycles / o.cycles FROM fleet_total n
#     JOIN fleet_total o USING (capture, machine) WHERE n.policy = 'new'
#     AND o.policy = 'optimal' AND n.cycles > 1.1 * o.cycles"
set -u -o pipefail
me=fleet-db.sh
sqlite=${SQLITE3:-sqlite3}
usage() { echo "usage: $me [-f] -o FLEET.db CAPTURE.db|DIR..." >&2; exit 2; }
out='' force=0
while [ $# -gt 0 ]; do
	case "$1" in
	-o|--output) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
	-f|--force) force=1; shift ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; break ;;
	-*) echo "$me: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ -n "$out" ] && [ $# -gt 0 ] || usage
command -v "$sqlite" > /dev/null || { echo "$me: cannot run $sqlite: not installed (apt-get install sqlite3)" >&2; exit 1; }
if [ -e "$out" ] && [ "$force" = 0 ]; then
	echo "$me: cannot write $out: it exists (-f replaces it)" >&2; exit 2
fi
[ -d "$out" ] && { echo "$me: cannot write $out: a directory" >&2; exit 2; }

captures=()
for in in "$@"; do
	if [ -d "$in" ]; then
		while IFS= read -r -d '' f; do captures+=("$f"); done < <(find "$in" -maxdepth 1 -name '*.db' -type f -print0 | LC_ALL=C sort -z)
	elif [ -f "$in" ]; then
		captures+=("$in")
	else
		echo "$me: cannot read $in: no such file or directory" >&2; exit 2
	fi
done

# uri PATH: file: URI of PATH, every byte but [A-Za-z0-9/._-] percent-encoded, read-only.
uri() {
	local LC_ALL=C s=$1 i c o=
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case "$c" in [A-Za-z0-9/._-]) o+=$c ;; *) printf -v c '%%%02X' "'$c"; o+=$c ;; esac
	done
	echo "file:$o?mode=ro"
}
# lit TEXT: an SQL string literal
lit() { printf "'%s'" "${1//\'/\'\'}"; }

tmp=$(mktemp "$(dirname "$out")/.fleet-db.XXXXXX") || { echo "$me: cannot write in $(dirname "$out")" >&2; exit 1; }
trap 'rm -f "$tmp" "$tmp.sql"' EXIT
outreal=$(realpath -m "$out")
cols="events, guest_entries, hcalls, full_flushes, tlbiel_flush, tlbiel_inval, local_seqs, tlbie, tlbie_seqs, cycles, stale_exposures"
{
	cat <<-SQL
	PRAGMA trusted_schema = OFF;
	PRAGMA journal_mode = OFF;
	BEGIN;
	CREATE TABLE capture(id INTEGER PRIMARY KEY, host TEXT NOT NULL, file TEXT NOT NULL,
	    kernel TEXT, start_time TEXT, events INTEGER, lost INTEGER, runs INTEGER NOT NULL);
	CREATE TABLE replay_run(capture INTEGER NOT NULL REFERENCES capture(id), host TEXT NOT NULL,
	    run INTEGER NOT NULL, policy TEXT NOT NULL, machine TEXT NOT NULL, params TEXT NOT NULL,
	    trace_digest TEXT NOT NULL, tool_version TEXT, created TEXT, bucket_ns INTEGER,
	    PRIMARY KEY (capture, run));
	CREATE TABLE replay_total(capture INTEGER NOT NULL, host TEXT NOT NULL, run INTEGER NOT NULL,
	    vm INTEGER NOT NULL, events INTEGER NOT NULL, guest_entries INTEGER NOT NULL,
	    hcalls INTEGER NOT NULL, full_flushes INTEGER NOT NULL, tlbiel_flush INTEGER NOT NULL,
	    tlbiel_inval INTEGER NOT NULL, local_seqs INTEGER NOT NULL, tlbie INTEGER NOT NULL,
	    tlbie_seqs INTEGER NOT NULL, cycles INTEGER NOT NULL, stale_exposures INTEGER NOT NULL,
	    PRIMARY KEY (capture, run, vm), FOREIGN KEY (capture, run) REFERENCES replay_run(capture, run));
	CREATE VIEW fleet_total AS
	    SELECT r.capture, r.host, r.run, r.policy, r.machine, r.params, r.trace_digest, t.$cols
	    FROM replay_run r JOIN replay_total t ON t.capture = r.capture AND t.run = r.run
	    WHERE t.vm = -1;
	COMMIT;
	SQL
} > "$tmp.sql"

bad=0 id=0
for f in "${captures[@]}"; do
	[ "$(realpath -m "$f")" = "$outreal" ] && continue
	u=$(uri "$(realpath -m "$f")")
	# What the capture holds, asked of itself, read-only, before anything is copied.
	kinds=$("$sqlite" -init /dev/null -batch -cmd 'PRAGMA trusted_schema = OFF' "$u" \
		"SELECT name || ':' || CASE WHEN sql LIKE 'CREATE VIRTUAL%' THEN 'virtual' ELSE type END
		 FROM sqlite_schema WHERE name IN ('meta', 'replay_run', 'replay_total') ORDER BY name" 2>&1) || {
		echo "$me: cannot read $f: ${kinds##*: }" >&2; bad=1; continue; }
	kinds=$(echo $kinds)
	case "$kinds" in
	'meta:table replay_run:table replay_total:table') runs=1 ;;
	'meta:table') runs=0 ;;
	*) echo "$me: cannot use $f: not a trace DB with plain results tables (found: ${kinds:-none})" >&2; bad=1; continue ;;
	esac
	id=$((id + 1))
	stem=${f##*/} stem=${stem%.db}
	m() { echo "(SELECT value FROM c.meta WHERE key = '$1')"; }
	{
		# ATTACH and DETACH cannot happen inside a transaction: one per capture (the
		# file is a temporary one, renamed only when every capture is in).
		echo "ATTACH $(lit "$u") AS c;"
		echo "BEGIN;"
		echo "INSERT INTO capture VALUES ($id, coalesce($(m host), $(lit "$stem")), $(lit "$f"),"
		echo "  $(m kernel), $(m start_time), $(m events_written), $(m lost_events),"
		if [ "$runs" = 1 ]; then echo "  (SELECT count(*) FROM c.replay_run));"; else echo "  0);"; fi
		if [ "$runs" = 1 ]; then
			echo "INSERT INTO replay_run SELECT $id, (SELECT host FROM capture WHERE id = $id), id, policy,"
			echo "  machine, params, trace_digest, tool_version, created, bucket_ns FROM c.replay_run;"
			echo "INSERT INTO replay_total SELECT $id, (SELECT host FROM capture WHERE id = $id), run, vm,"
			echo "  $cols FROM c.replay_total;"
		fi
		echo "COMMIT;"
		echo "DETACH c;"
	} >> "$tmp.sql"
done
[ "$id" -gt 0 ] || { echo "$me: no usable capture in $*" >&2; exit 2; }
err=$("$sqlite" -init /dev/null -batch -bail "$tmp" < "$tmp.sql" 2>&1 > /dev/null) || {
	echo "$me: cannot build $out: $err" >&2; exit 1; }
mv -f "$tmp" "$out" || exit 1
chmod 0644 "$out"
"$sqlite" -init /dev/null -readonly "$out" "SELECT file FROM capture WHERE runs = 0 ORDER BY id" |
	while IFS= read -r f; do echo "$me: $f has no stored results (tlbreplay --store it first)" >&2; done
echo "$me: $out: $("$sqlite" -init /dev/null -readonly "$out" "SELECT count(*) || ' captures (' ||
  sum(runs = 0) || ' without results), ' || (SELECT count(*) FROM replay_run) || ' runs' FROM capture")" >&2
exit $((bad ? 2 : 0))
