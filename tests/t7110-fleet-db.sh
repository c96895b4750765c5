#!/usr/bin/env bash
# t7110-fleet-db: deploy/fleet-db.sh gathers the stored results of several captures into
# one fleet.db without replaying: the rows equal each capture's own (per host, run and
# VM), a capture without results is listed with runs 0, the captures are not modified,
# a name with a quote and URI characters is read as it is, and captures whose results
# tables would act when read (a view calling writefile(), a virtual table reading a zip
# file) are refused by name while the others are built.
. "$(dirname "$0")/lib.sh"
need_cmd sqlite3 || skip_all "no sqlite3"
for p in tlbgen tlbreplay; do [ -x "$TLB_BIN/$p" ] || skip_all "no $TLB_BIN/$p"; done
F=$ROOT/deploy/fleet-db.sh
d=$T/caps; mkdir -p "$d"
for i in 1 2 3; do tlb tlbgen -q -o "$d/h$i.db" --events 4000 --seed "$i" --vms 2; done
sqlite3 "$d/h1.db" "INSERT OR REPLACE INTO meta VALUES ('host', 'power-a'), ('kernel', '6.1.0-p'), ('events_written', '4000'), ('lost_events', '7')"
sqlite3 "$d/h2.db" "INSERT OR REPLACE INTO meta VALUES ('host', 'power-b')"
sqlite3 "$d/h3.db" "DELETE FROM meta WHERE key = 'host'"
tlb tlbreplay -s -q "$d/h1.db" > /dev/null
tlb tlbreplay -s -q "$d/h2.db" > /dev/null
tlb tlbreplay -s -q -m power8 "$d/h2.db" > /dev/null
# h3 has no stored results. A copy of h1 under a name with a quote and URI characters:
odd="$d/it's a ?#%20 name.db"
cp "$d/h1.db" "$odd"
sqlite3 "$odd" "UPDATE meta SET value = 'power-odd' WHERE key = 'host'"
sums() { md5sum "$d"/*.db | awk '{print $1}' | paste -sd' '; }
before=$(sums)

check_exit "7110.1 fleet-db.sh over a directory" 0 "$F" -o "$T/fleet.db" "$d"
check_grep "7110.2 it names the capture without results" "h3.db has no stored results" "$ERR"
# runs per capture: one per default policy (old, new, modern, tracked, optimal) and machine
check_eq "7110.3 captures: host from meta (else the file name), runs per capture" \
	"power-a|5|6.1.0-p|4000|7,power-b|10|||,h3|0|||,power-odd|5|6.1.0-p|4000|7" \
	"$(sqlite3 "$T/fleet.db" "SELECT host || '|' || runs || '|' || ifnull(kernel, '') || '|' || ifnull(events, '') || '|' || ifnull(lost, '')
	   FROM capture ORDER BY CASE host WHEN 'power-a' THEN 1 WHEN 'power-b' THEN 2 WHEN 'h3' THEN 3 ELSE 4 END" | paste -sd,)"
# Every total of every capture, as the capture holds it, = fleet.db's rows for its host.
own() { sqlite3 "$1" "SELECT r.id, r.policy, r.machine, r.trace_digest, t.vm, t.events, t.hcalls, t.full_flushes,
	t.tlbie, t.cycles, t.stale_exposures FROM replay_run r JOIN replay_total t ON t.run = r.id ORDER BY 1, 5"; }
fleet() { sqlite3 "$T/fleet.db" "SELECT r.run, r.policy, r.machine, r.trace_digest, t.vm, t.events, t.hcalls, t.full_flushes,
	t.tlbie, t.cycles, t.stale_exposures FROM replay_run r JOIN replay_total t USING (capture, run)
	WHERE r.host = '$1' ORDER BY 1, 5"; }
check_eq "7110.4 power-a's rows = h1.db's" "$(own "$d/h1.db")" "$(fleet power-a)"
check_eq "7110.5 power-b's rows (two machines) = h2.db's" "$(own "$d/h2.db")" "$(fleet power-b)"
check_eq "7110.6 the odd name's rows = its capture's" "$(own "$odd")" "$(fleet power-odd)"
check_eq "7110.7 totals copied = the sum over the captures" \
	"$(( $(own "$d/h1.db" | wc -l) + $(own "$d/h2.db" | wc -l) + $(own "$odd" | wc -l) ))" \
	"$(sqlite3 "$T/fleet.db" "SELECT count(*) FROM replay_total")"
check_eq "7110.8 fleet_total: one all-VM row per run" "20" "$(sqlite3 "$T/fleet.db" "SELECT count(*) FROM fleet_total")"
check_eq "7110.9 the captures are unchanged" "$before" "$(sums)"
check_exit "7110.10 an existing fleet.db is refused" 2 "$F" -o "$T/fleet.db" "$d"
check_exit "7110.11 ... and replaced with -f" 0 "$F" -f -o "$T/fleet.db" "$d/h1.db"
check_eq "7110.12 now one capture" 1 "$(sqlite3 "$T/fleet.db" "SELECT count(*) FROM capture")"

# Hostile captures: reading them must not run writefile().
cp "$d/h3.db" "$T/view.db"
sqlite3 "$T/view.db" "DROP TABLE replay_total; DROP TABLE replay_series; DROP TABLE replay_hazard; DROP TABLE replay_run;
  CREATE VIEW replay_run AS SELECT writefile('$T/pwned-view', 'x') AS id, 'a' policy, 'b' machine, 'c' params,
    'd' trace_digest, 'e' tool_version, 'f' created, 1 bucket_ns;
  CREATE TABLE replay_total(run, vm, events, guest_entries, hcalls, full_flushes, tlbiel_flush, tlbiel_inval,
    local_seqs, tlbie, tlbie_seqs, cycles, stale_exposures)"
cp "$d/h3.db" "$T/vt.db"
echo secret > "$T/secret.txt"
sqlite3 "$T/vt.db" "DROP TABLE replay_total; CREATE VIRTUAL TABLE replay_total USING zipfile('$T/secret.zip')"
rm -f "$T/pwned-view"
check_exit "7110.13 a capture whose replay_run is a view: refused, exit 2" 2 "$F" -o "$T/f2.db" "$d/h1.db" "$T/view.db"
check_grep "7110.14 ... named" "cannot use $T/view.db: not a trace DB with plain results tables" "$ERR"
check_eq "7110.15 ... the rest is built" 1 "$(sqlite3 "$T/f2.db" "SELECT count(*) FROM capture" 2>&1)"
check_exit "7110.16 a capture whose replay_total is a virtual table (zipfile): refused" 2 "$F" -o "$T/f3.db" "$T/vt.db"
check_grep "7110.17 ... named" "cannot use $T/vt.db: .*replay_total:virtual" "$ERR"
check_eq "7110.17.1 the view's writefile() never ran" "no" "$([ -e "$T/pwned-view" ] && echo yes || echo no)"
check_exit "7110.18 a missing capture is a usage error" 2 "$F" -o "$T/f4.db" "$T/none.db"
check_exit "7110.19 a file that is not SQLite: named, exit 2" 2 sh -c 'echo text > "$1/t.db"; "$2" -o "$1/f5.db" "$1/t.db" "$3"' _ "$T" "$F" "$d/h1.db"
check_grep "7110.20 ... with the reason" "cannot read $T/t.db" "$ERR"
