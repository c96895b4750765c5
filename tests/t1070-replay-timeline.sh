#!/usr/bin/env bash
# t1070-replay-timeline - tlbreplay --timeline FILE.json: a Chrome/Perfetto trace-event
# file that agrees with the replay's own counts. Parsed with python3's json: per policy
# the full flushes, local and global sequences (and their n) and stale exposures add up
# to the printed "all" row; one vcpu run per guest entry; ex2's two exposures under old
# name the local invalidations (20 and 40) that caused them; a file that cannot be
# written is exit 1, a failed run leaves none (nor touches an earlier file); --vm and
# --from/--to bound it as they bound the counts; the timeline does not change the results.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/data/replay/lib.sh"
need_sqlite3
need_cmd python3 || skip_all "python3 is not installed (parses the timeline)"
cd "$T" || exit 1
entries() { sqlite3 "$1" "SELECT count(*) FROM event e JOIN event_kind k ON k.id = e.kind WHERE k.name = 'guest_enter' AND e.cpu >= 0"; }

mkexample ex2-hlocal-smp ex2.db
check_exit "1070.1 --timeline with the default policies: exit 0" 0 \
	tlb tlbreplay -q --format csv --timeline ex2.json ex2.db
cp "$OUT" ex2.csv
ok_if "1070.2 ex2: the timeline's counts are the replay's" \
	python3 "$RDATA/timeline_check.py" ex2.json ex2.csv "$(entries ex2.db)"
check_eq "1070.3 ex2: old's exposures at 31 and 51 ns, marked by the local invalidations at 20 and 40" \
	"31.0 20 local invalidation;51.0 40 local invalidation;" \
	"$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
pid = [e["pid"] for e in d["traceEvents"] if e["ph"] == "M" and e["args"].get("name") == "policy old"][0]
for e in d["traceEvents"]:
    if e["pid"] == pid and e["name"] == "stale exposure":
        print(round(e["ts"] * 1000, 1), e["args"]["marked_at_ns"], e["args"]["cause"], end=";")' ex2.json)"
check_eq "1070.4 the results do not depend on --timeline" \
	"$(tlb tlbreplay -q --format csv ex2.db)" "$(cat ex2.csv)"

if [ -x "$TLB_BIN/tlbgen" ]; then
	tlb tlbgen -q --force -o g.db --events 5000 --seed 3 --vms 2 --vcpus 4 --cores 4 --threads 2 \
		--migration-rate 300 --hlocal-fraction 0.5 --hpt-resets 2 > /dev/null 2>&1
	tlb tlbreplay -q --format csv --timeline g.json --cost flush_refill=300 g.db > g.csv
	ok_if "1070.5 generated trace (exposures, resets, windows): the timeline's counts are the replay's" \
		python3 "$RDATA/timeline_check.py" g.json g.csv "$(entries g.db)"
	tlb tlbreplay -q --format csv --timeline g2.json --policy modern,optimal g.db > g2.csv
	ok_if "1070.6 --policy modern,optimal: two policy processes, counts agree" \
		python3 "$RDATA/timeline_check.py" g2.json g2.csv "$(entries g.db)"
	check_eq "1070.7 one thread name per (policy, core) used, and per vcpu" 0 \
		"$(python3 -c '
import json, sys, collections
d = json.load(open(sys.argv[1]))
c = collections.Counter((e["pid"], e["tid"]) for e in d["traceEvents"] if e["ph"] == "M" and e["name"] == "thread_name")
print(sum(1 for v in c.values() if v != 1))' g.json)"
	# Filters bound the timeline the way they bound the counts: --vm replays one VM,
	# --from/--to count a window (the runs are the entries in it).
	tlb tlbreplay -q --format csv --timeline gv.json --vm 2 g.db > gv.csv
	ok_if "1070.14 --vm 2: the timeline holds VM 2 only, counts agree" \
		python3 "$RDATA/timeline_check.py" gv.json gv.csv \
		"$(sqlite3 g.db "SELECT count(*) FROM event e JOIN event_kind k ON k.id = e.kind WHERE k.name = 'guest_enter' AND e.cpu >= 0 AND e.vm = 2")"
	from=$(sqlite3 g.db "SELECT ts FROM event ORDER BY ts LIMIT 1 OFFSET 1000")
	to=$(sqlite3 g.db "SELECT ts FROM event ORDER BY ts LIMIT 1 OFFSET 3000")
	tlb tlbreplay -q --format csv --timeline gw.json --from "$from" --to "$to" g.db > gw.csv
	ok_if "1070.15 --from/--to: the timeline holds the window only, counts agree" \
		python3 "$RDATA/timeline_check.py" gw.json gw.csv \
		"$(sqlite3 g.db "SELECT count(*) FROM event e JOIN event_kind k ON k.id = e.kind WHERE k.name = 'guest_enter' AND e.cpu >= 0 AND e.ts >= $from AND e.ts < $to")"
else
	skip "1070.5-7 generated trace" "no $TLB_BIN/tlbgen"
fi
check_exit "1070.8 a timeline in a missing directory: exit 1" 1 \
	tlb tlbreplay -q --timeline "$T/no/such/dir/t.json" ex2.db
check_grep "1070.9 ... saying which file and why" 'cannot write the timeline .*no/such/dir/t.json' "$ERR"
# A run that fails on bad input (a negative n at rowid 3) leaves no half timeline.
mkdb bad.db <<'SQL'
INSERT INTO event VALUES (0,0,1,0,102,NULL,NULL,NULL,NULL), (1,4,1,1,102,NULL,NULL,NULL,NULL),
  (2,0,1,0,104,4,0,-1,0);
SQL
check_exit "1070.10 bad input with --timeline: exit 2" 2 tlb tlbreplay -q --timeline bad.json bad.db
ok_if "1070.11 ... and no timeline file" test ! -e bad.json
echo earlier > old.json
tlb tlbreplay -q --timeline old.json bad.db 2> /dev/null
check_eq "1070.12 a failed run leaves an existing file as it was, and no temporary file" "earlier|old.json" \
	"$(cat old.json)|$(ls old.json*)"
tlb tlbreplay -q --timeline old.json ex2.db > /dev/null
ok_if "1070.13 a good run replaces it with the timeline" python3 -c 'import json, sys; json.load(open(sys.argv[1]))' old.json
