#!/usr/bin/env bash
# t5140: tlbreport --fleet (issue 13 item 5): one report over many hosts' stored results.
# 20 generated captures, each replayed with tlbreplay --store (five tlbgen traces, copied
# under host names; meta host set): the per-host verdicts, the distribution of each safe
# policy's distance to optimal, the unsafe and flip lists, fleet.db (ATTACH, no replay),
# hostile host names, a capture without stored runs, other parameters, a directory.
#
# Hand-derived from each base trace's stored cycles (tlbreplay --store, power7 costs):
#   per-thread   (host-01..05): old 272780, new = modern 45440, tracked = optimal 120:
#                tracked cheapest 1.00x, modern 378.67x, old 2273.17x
#   hlocal-paging(host-06..10): old UNSAFE (2 exposures), new = modern 49160, tracked =
#                optimal 3840: tracked 1.00x, modern 12.80x
#   one-vcore    (host-11..14): modern 68520, tracked 2020, optimal 1280: tracked 1.58x,
#                modern 53.53x
#   workload     (host-15..18: tlbgen --vms 2 --vcpus 4 --cores 4 --duration-ms 100):
#                modern 271320, tracked 290000, optimal 179200: modern 1.51x, tracked
#                1.62x; flips: tracked up to 578 cycles of tlbie+tlbsync, then modern
#   smp-migrate  (host-19..20): tracked 3180, optimal 1900: tracked 1.67x, modern 37.45x
# Edited stored results (as t5110 does): modern's all row says 3 exposures on host-03
# and 1 on host-12 (modern unsafe there; tracked stays the cheapest).
# modern, safe on 18 hosts, sorted: 1.5141 x4, 12.8021 x5, 37.4526 x2, 53.5312 x3,
# 378.6667 x4: min 1.51x, q1 (h 4.25) 12.80x, median (h 8.5) 25.13x, q3 (h 12.75) 53.53x.
# tracked, 20 hosts: 1.0 x10, 1.5781 x4, 1.6183 x4, 1.6737 x2: median (h 9.5) 1.29x,
# q3 (h 14.25) 1.62x, max 1.67x. Cheapest: tracked on 16, modern on 4.
. "$(dirname "$0")/lib.sh"
need_cmd sqlite3 || skip_all "sqlite3 is not installed (scripts/install-deps.sh build)"
need_cmd gnuplot || skip_all "gnuplot is not installed (scripts/install-deps.sh build)"
cd "$T" || exit 1
mkdir d base
for s in per-thread hlocal-paging one-vcore smp-migrate; do
	tlb tlbgen -q --scenario "$s" -o "base/$s.db" && tlb tlbreplay -q --store "base/$s.db" > /dev/null
done
tlb tlbgen -q --vms 2 --vcpus 4 --cores 4 --duration-ms 100 --seed 1 -o base/workload.db
tlb tlbreplay -q --store base/workload.db > /dev/null
host() {	# host N BASE: d/host-N.db, a copy of BASE with meta host host-N
	cp "base/$2.db" "d/host-$1.db" && sqlite3 "d/host-$1.db" "UPDATE meta SET value = 'host-$1' WHERE key = 'host'"
}
for i in 01 02 03 04 05; do host $i per-thread; done
for i in 06 07 08 09 10; do host $i hlocal-paging; done
for i in 11 12 13 14; do host $i one-vcore; done
for i in 15 16 17 18; do host $i workload; done
for i in 19 20; do host $i smp-migrate; done
unsafe_modern() {
	sqlite3 "d/host-$1.db" "UPDATE replay_total SET stale_exposures = $2 WHERE vm = -1 AND
	  run = (SELECT id FROM replay_run WHERE policy = 'modern')"
}
unsafe_modern 03 3
unsafe_modern 12 1
caps=(d/host-*.db)

# 1. the fleet report
check_exit "5140.1.1 --fleet over 20 captures: exit 0" 0 tlb tlbreport --fleet -o r "${caps[@]}"
cp "$OUT" r.out
md=r/summary.md
check_grep "5140.1.2 stdout: 20 captures, one parameter set" '^fleet: 20 captures, 20 hosts reported in 1 parameter set, 0 left out$' r.out
check_grep "5140.1.3 stdout: host-01 tracked 1.00x, no flip" '^  host-01 +d/host-01\.db +tracked +1\.00x  no *$' r.out
check_grep "5140.1.4 stdout: host-03: modern unsafe (3)" '^  host-03 +d/host-03\.db +tracked +1\.00x  no +modern\(3\)$' r.out
check_grep "5140.1.5 stdout: host-15 modern 1.51x, flips" '^  host-15 +d/host-15\.db +modern +1\.51x  yes *$' r.out
check_grep "5140.1.6 summary.md: the fleet summary row" '^\| 1 \| 20 \| modern on 4, tracked on 16 \| 7 \| 4 \|$' "$md"
check_grep "5140.1.7 per-host table: host-01 (each policy's distance)" \
	'^\| host-01 \| d/host-01\.db \| tracked \| 2273\.17x \| 378\.67x \| 378\.67x \| 1\.00x \| the floor \| no \|$' "$md"
check_grep "5140.1.8 per-host table: host-06 old unsafe (2)" \
	'^\| host-06 \| d/host-06\.db \| tracked \| unsafe \(2\) \| 12\.80x \| 12\.80x \| 1\.00x \| the floor \| no \|$' "$md"
check_grep "5140.1.9 per-host table: host-12 modern unsafe (1)" \
	'^\| host-12 \| d/host-12\.db \| tracked \| 162\.48x \| 54\.53x \| unsafe \(1\) \| 1\.58x \| the floor \| no \|$' "$md"
check_grep "5140.1.10 distribution: modern (hand-derived quartiles)" \
	'^\| modern \| 4 \| 18 \| 2 \| 0 \| 1\.51x \| 12\.80x \| 25\.13x \| 53\.53x \| 378\.67x \|$' "$md"
check_grep "5140.1.11 distribution: tracked" \
	'^\| tracked \| 16 \| 20 \| 0 \| 0 \| 1\.00x \| 1\.00x \| 1\.29x \| 1\.62x \| 1\.67x \|$' "$md"
check_grep "5140.1.12 unsafe list: old on the five hlocal-paging hosts" \
	'^- \*\*old\*\* \(5\): host-06 \(2 exposures\), host-07 \(2 exposures\), host-08 \(2 exposures\), host-09 \(2 exposures\), host-10 \(2 exposures\)$' "$md"
check_grep "5140.1.13 unsafe list: modern on host-03 and host-12" \
	'^- \*\*modern\*\* \(2\): host-03 \(3 exposures\), host-12 \(1 exposure\)$' "$md"
check_eq "5140.1.14 flip list: the four workload hosts" "host-15 host-16 host-17 host-18" \
	"$(grep -E '^- host.* as tlbie\+tlbsync moves' "$md" | cut -d' ' -f2 | tr -d : | tr '\n' ' ' | sed 's/ $//')"
check_grep "5140.1.15 ... with where it flips" '^- host-15: as tlbie\+tlbsync moves \(0 to 7000 cycles\): tracked up to 578 cycles, then modern' "$md"
check_grep "5140.1.16 index.html: the box plot" '<img src="plots/fleet_distance_1.svg"' r/index.html
ok_if "5140.1.17 the box plot was drawn (PNG and SVG)" test -s r/plots/fleet_distance_1.png -a -s r/plots/fleet_distance_1.svg
check_grep "5140.1.18 the plot's data are the table's quartiles (modern)" '^3 1\.514[0-9]* 12\.80[0-9]* 25\.127[0-9]* 53\.53[0-9]* 378\.66[0-9]* 18 ' r/plots/fleet_distance_1.gp
check_grep "5140.1.19 index.html: the per-host table names host-20" '<tr><td>host-20</td>' r/index.html
check_grep "5140.1.20 the report's own files are listed in its manifest" '^f fleet\.db$' r/.tlbreport-manifest
check_grep "5140.1.21 the box plot is on a log scale (old is 2273x the floor on host-01)" '^set logscale y 10$' r/plots/fleet_distance_1.gp
check_exit "5140.1.22 --format json: exit 0" 0 tlb tlbreport --fleet -f --format json -o r "${caps[@]}"
cp "$OUT" r.json
if need_cmd python3; then
	ok_if "5140.1.23 JSON: 20 hosts, the cheapest per host, modern's quartiles" python3 -c "
import json
f = json.load(open('r.json'))['fleet']
assert len(f['hosts']) == 20 and f['left_out'] == [], f
h = {x['host']: x for x in f['hosts']}
assert h['host-15']['cheapest'] == 'modern' and h['host-15']['flips'] is True, h['host-15']
assert h['host-03']['cheapest'] == 'tracked', h['host-03']
d = f['param_sets'][0]['distance']['modern']
assert (d['safe'], d['unsafe'], d['cheapest']) == (18, 2, 4), d
assert (round(d['median'], 2), round(d['q1'], 2), round(d['q3'], 2)) == (25.13, 12.8, 53.53), d"
else
	skip "5140.1.23 JSON" "no python3"
fi
check_exit "5140.1.24 --format csv: exit 0" 0 tlb tlbreport --fleet -f --format csv -o r "${caps[@]}"
check_eq "5140.1.25 CSV: a row per host and policy (20 x 5), host-12's modern unsafe" "101 host-12,d/host-12.db,1,modern,3,68520,1,0,,0,0," \
	"$(wc -l < "$OUT") $(grep '^host-12,.*,modern,' "$OUT")"

# 2. fleet.db: every capture's stored rows, with its host (ATTACH, no replay)
fdb=r/fleet.db
check_eq "5140.2.1 fleet.db: a capture row per capture" 20 "$(sqlite3 "$fdb" 'SELECT count(*) FROM capture')"
want='' got=''
for i in "${!caps[@]}"; do
	want+="$(sqlite3 "${caps[$i]}" 'SELECT count(*) FROM replay_total') $(sqlite3 "${caps[$i]}" 'SELECT count(*) FROM replay_run');"
	got+="$(sqlite3 "$fdb" "SELECT count(*) FROM replay_total WHERE capture = $((i + 1))") $(sqlite3 "$fdb" "SELECT count(*) FROM replay_run WHERE capture = $((i + 1))");"
done
check_eq "5140.2.2 per capture: replay_total and replay_run rows equal the capture's own" "$want" "$got"
check_eq "5140.2.3 the host is on every row (host-12: five runs, five all rows)" "host-12|5" \
	"$(sqlite3 "$fdb" "SELECT host, count(*) FROM replay_total WHERE host = 'host-12' AND vm = -1 GROUP BY host")"
check_eq "5140.2.4 fleet_total: host-03's modern with its 3 exposures" "3" \
	"$(sqlite3 "$fdb" "SELECT stale_exposures FROM fleet_total WHERE host = 'host-03' AND policy = 'modern'")"
check_eq "5140.2.5 verdict table: cheapest per host as the report says" "modern|4
tracked|16" "$(sqlite3 "$fdb" 'SELECT cheapest, count(*) FROM verdict GROUP BY cheapest ORDER BY cheapest')"
check_eq "5140.2.6 verdict table: the flipping hosts" "host-15 host-16 host-17 host-18" \
	"$(sqlite3 "$fdb" 'SELECT host FROM verdict WHERE flips ORDER BY host' | tr '\n' ' ' | sed 's/ $//')"
check_eq "5140.2.7 nothing replayed: the captures' runs are as stored" "$(for c in "${caps[@]}"; do echo 5; done | tr -d '\n')" \
	"$(for c in "${caps[@]}"; do sqlite3 "$c" 'SELECT count(*) FROM replay_run'; done | tr -d '\n')"

# 3. a capture without stored runs, others with other parameters, a bad file; a directory
for i in 21 22 23; do
	tlb tlbgen -q --scenario per-thread -o d/host-$i.db
	sqlite3 d/host-$i.db "UPDATE meta SET value = 'host-$i' WHERE key = 'host'"
done
tlb tlbreplay -q --store -m power8 d/host-22.db > /dev/null
tlb tlbreplay -q --store -c tlbie=400 d/host-23.db > /dev/null
mkdir d/sub && cp d/host-01.db d/sub/host-99.db
ln -s host-01.db d/link.db
echo "not a capture" > d/notes.txt
check_exit "5140.3.1 a directory: exit 0" 0 tlb tlbreport --fleet -o r3 d
cp "$OUT" r3.out
check_grep "5140.3.2 its *.db files, not recursive, no link: 23 captures" '^fleet: 23 captures, 22 hosts reported in 3 parameter sets, 1 left out$' r3.out
check_grep "5140.3.3 the capture without runs is left out, saying why" \
	'^left out: host-21 \(d/host-21\.db\): no replay results stored: run tlbreplay --store first$' r3.out
check_grep "5140.3.4 another machine: a set of its own" '^set 2 \(machine power8, 4 threads per core' r3.out
check_grep "5140.3.5 other costs: a set of its own" '^set 3 \(machine power7, 4 threads per core, vcores per-T-ids, costs tlbiel=20 tlbie=400 ' r3.out
check_grep "5140.3.6 set 1 is still the 20 hosts, never mixed" '^\| 1 \| 20 \| modern on 4, tracked on 16 \| 7 \| 4 \|$' r3/summary.md
check_grep "5140.3.7 summary.md: the left-out table" '^\| host-21 \| d/host-21\.db \| no replay results stored: run tlbreplay --store first \|$' r3/summary.md
check_eq "5140.3.8 fleet.db: the left-out capture, runs 0, with why" "0|no replay results stored: run tlbreplay --store first|" \
	"$(sqlite3 r3/fleet.db "SELECT runs, left_out, param_group FROM capture WHERE host = 'host-21'")"
check_eq "5140.3.9 fleet.db: each host's parameter set" "host-22|2 host-23|3" \
	"$(sqlite3 r3/fleet.db "SELECT host || '|' || param_group FROM capture WHERE param_group > 1 ORDER BY host" | tr '\n' ' ' | sed 's/ $//')"
check_exit "5140.3.9a -m power8: only the host replayed so, exit 0" 0 tlb tlbreport --fleet -m power8 -o r3m d
check_grep "5140.3.9b ... the others left out, saying why" '^fleet: 23 captures, 1 host reported in 1 parameter set, 22 left out$' "$OUT"
check_grep "5140.3.9c ... e.g. host-01" "^left out: host-01 \(d/host-01\.db\): no run of machine 'power8' in replay_run$" "$OUT"
check_exit "5140.3.10 an existing report without -f: refused (exit 1, as outdir.c says)" 1 tlb tlbreport --fleet -q -o r3 d
check_exit "5140.3.11 with -f: replaced (exit 0)" 0 tlb tlbreport --fleet -q -f -o r3 d
printf 'SQLite format 3\0garbage' > d/junk.db
check_exit "5140.3.12 a file that is not a capture: the report is written, exit 2" 2 tlb tlbreport --fleet -q -o r4 d
check_grep "5140.3.13 ... it is named on stderr" 'cannot use d/junk\.db: .*left out of the fleet report' "$ERR"
check_grep "5140.3.14 ... and in the report, with the others" '^\| junk \| d/junk\.db \| not a SQLite trace database' r4/summary.md
rm d/junk.db
check_exit "5140.3.15 only captures without runs: nothing to report, exit 2" 2 tlb tlbreport --fleet -o r5 d/host-21.db
ok_if "5140.3.16 ... and no directory" test ! -e r5
check_exit "5140.3.17 --fleet with --run: bad usage" 2 tlb tlbreport --fleet --run 1 -o r6 d

# 4. hostile host names: escaped everywhere, never in a plot
sqlite3 d/host-05.db "UPDATE meta SET value = '<img src=x onerror=alert(1)>' WHERE key = 'host'"
sqlite3 d/host-19.db "UPDATE meta SET value = 'evil|name *bold* \`x\`' || char(10) || '# injected' || char(27) || '[31m' WHERE key = 'host'"
check_exit "5140.4.1 hostile host names: exit 0" 0 tlb tlbreport --fleet -o r7 d/host-*.db
cp "$OUT" r7.out
ok_if "5140.4.2 index.html: no tag from a host name" bash -c "! grep -q '<img src=x' r7/index.html"
check_grep "5140.4.3 index.html: the name escaped" '&lt;img src=x onerror=alert\(1\)&gt;' r7/index.html
ok_if "5140.4.4 summary.md: no line starts with the injected heading" bash -c "! grep -q '^# injected' r7/summary.md"
check_grep "5140.4.5 summary.md: the pipe escaped in the table" 'evil\\\|name \\\*bold\\\*' r7/summary.md
ok_if "5140.4.6 stdout: no escape character" bash -c "! grep -q \$'\\x1b' r7.out"
ok_if "5140.4.7 no host name in any plot script" bash -c "! grep -qE 'img src|evil|host-' r7/plots/*.gp"
check_eq "5140.4.8 fleet.db keeps the name as data" "1" \
	"$(sqlite3 r7/fleet.db "SELECT count(*) FROM capture WHERE host = '<img src=x onerror=alert(1)>'")"

# 5. fleet.db's own checks: each capture attached read-only after the schema checks
mkdir e
cp d/host-01.db e/strict.db
sqlite3 e/strict.db "UPDATE meta SET value = 'strict' WHERE key = 'host';
  INSERT INTO replay_run SELECT 0, policy, machine, params, 'another-trace', tool_version, created, bucket_ns
    FROM replay_run WHERE id = 1;
  INSERT INTO replay_total VALUES (0, -1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 'lots', 0);"
cp d/host-02.db e/trigger.db
sqlite3 e/trigger.db "CREATE TABLE log(x); CREATE TRIGGER t AFTER INSERT ON replay_total BEGIN INSERT INTO log VALUES (1); END;"
cp d/host-04.db "e/it's a ?#%&.db"
cp d/host-06.db e/noinval.db
sqlite3 e/noinval.db "UPDATE meta SET value = 'noinval' WHERE key = 'host'; UPDATE replay_total SET local_seqs = 0, tlbie_seqs = 0"
check_exit "5140.5.1 a run not reported whose row is not an integer: the host is reported (exit 2 for the trigger)" 2 \
	tlb tlbreport --fleet -q -o r8 e
check_grep "5140.5.2 the capture with a trigger is refused by name" "cannot use e/trigger\.db: refused: trigger 't' on table 'replay_total'" "$ERR"
check_eq "5140.5.3 fleet.db: the STRICT table refused the text: that capture's rows rolled back, with why" \
	"0|0|its stored rows do not fit fleet.db: cannot store TEXT value in INTEGER column replay_total.cycles" \
	"$(sqlite3 r8/fleet.db "SELECT runs, (SELECT count(*) FROM replay_total t WHERE t.capture = c.id), left_out FROM capture c WHERE host = 'strict'")"
check_eq "5140.5.4 fleet.db: the trigger's capture never attached: no rows, the reason kept" "0|0|1" \
	"$(sqlite3 r8/fleet.db "SELECT runs, (SELECT count(*) FROM replay_run t WHERE t.capture = c.id), left_out LIKE 'refused: trigger%' FROM capture c WHERE file = 'e/trigger.db'")"
check_eq "5140.5.5 a path with quotes and URI characters is attached as itself" \
	"$(sqlite3 "e/it's a ?#%&.db" 'SELECT count(*) FROM replay_total')" \
	"$(sqlite3 r8/fleet.db "SELECT count(*) FROM replay_total WHERE capture = (SELECT id FROM capture WHERE file = 'e/it''s a ?#%&.db')")"
check_eq "5140.5.6 the captures are unchanged (read-only): no table log row, the run still there" "0 6" \
	"$(sqlite3 e/trigger.db 'SELECT count(*) FROM log') $(sqlite3 e/strict.db 'SELECT count(*) FROM replay_run')"
check_grep "5140.5.7 a host with no verdict (no invalidation reached a policy) says so in its row" \
	'^\| noinval \| e/noinval\.db \| no verdict \| unsafe \(2\) \|' r8/summary.md
check_grep "5140.5.8 ... and in the fleet summary" '\| tracked on 2, no verdict on 1 \|' r8/summary.md
