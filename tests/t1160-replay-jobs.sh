#!/usr/bin/env bash
# t1160-replay-jobs - `tlbreplay -j N [--store] TRACE...`: independent traces replayed N at a
# time, each in its own process, output in argument order (table: one per trace; csv: one
# header with a leading trace column; json: an array); stored results digest for digest equal
# to serial runs; a rerun skips the traces whose runs are stored with the same digest and
# parameters (a batch killed with -9 resumes), not those with other parameters or changed
# events; a bad file fails alone with its exit code; one trace keeps today's bytes.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/data/replay/lib.sh"
need_sqlite3
need_cmd setsid || skip_all "setsid (util-linux) is not installed"
cd "$T" || exit 1
q() { sqlite3 -batch "$1" "$2"; }
RES="SELECT r.policy, r.params, r.trace_digest, r.bucket_ns FROM replay_run r ORDER BY r.id;
   SELECT r.policy, t.* FROM replay_total t JOIN replay_run r ON r.id = t.run ORDER BY r.id, t.vm;
   SELECT r.policy, s.* FROM replay_series s JOIN replay_run r ON r.id = s.run ORDER BY r.id, s.vm, s.bucket_ns;
   SELECT r.policy, h.ts, h.vm, h.vcpu, h.core, h.marked_ts FROM replay_hazard h JOIN replay_run r ON r.id = h.run
   ORDER BY r.id, h.ts, h.vm, h.vcpu, h.core"

for i in 1 2 3 4; do
	tlb tlbgen -q -o c$i.db --events 3000 --seed $i --vms 2 --hlocal-fraction 0.2
	cp c$i.db s$i.db
done
# serial, one process per trace, as before
for i in 1 2 3 4; do tlb tlbreplay -q --store s$i.db > /dev/null; done
check_exit "1160.1 -j 2 --store over four captures" 0 tlb tlbreplay -q -j 2 --store c1.db c2.db c3.db c4.db
cp "$OUT" j.out
cp "$ERR" j.err
same=0
for i in 1 2 3 4; do [ "$(q c$i.db "$RES")" = "$(q s$i.db "$RES")" ] && same=$((same + 1)); done
check_eq "1160.2 stored runs, totals, series, hazards equal the serial runs' (digest for digest)" 4 "$same"
check_eq "1160.3 -q: no progress lines" "" "$(cat j.err)"
check_eq "1160.4 tables in argument order, one each" "trace c1.db: trace c2.db: trace c3.db: trace c4.db:" \
	"$(grep -o '^trace [^:]*:' j.out | tr '\n' ' ' | sed 's/ $//')"
check_eq "1160.5 the same tables as the serial runs, a blank line between" "" \
	"$(for i in 1 2 3 4; do [ "$i" -gt 1 ] && echo; tlb tlbreplay -q c$i.db; done | diff - j.out)"

# A rerun: everything is stored, nothing replayed.
check_exit "1160.6 the rerun" 0 tlb tlbreplay -j 2 --store c1.db c2.db c3.db c4.db
check_eq "1160.7 ... prints no results" "" "$(cat "$OUT")"
check_eq "1160.8 ... skips the four, saying why" 4 \
	"$(grep -cE '^tlbreplay: skipped c[1-4].db: its 5 stored runs \(ids [0-9]+\.\.[0-9]+\) have the same digest and parameters$' "$ERR")"
check_eq "1160.9 ... and stores nothing new" "$(q s1.db "$RES")" "$(q c1.db "$RES")"
# Other parameters, another bucket, changed events: replayed.
check_exit "1160.10 another cost" 0 tlb tlbreplay -j 2 --store -c tlbie=300 c1.db c2.db
check_eq "1160.11 ... is replayed, not skipped" "0 2" "$(grep -c skipped "$ERR") $(grep -c '^trace c' "$OUT")"
check_exit "1160.12 one policy asked, stored by the first run" 0 tlb tlbreplay -j 2 --store -P optimal c1.db
check_grep "1160.13 ... is skipped (its one run named)" "^tlbreplay: skipped c1.db: stored run [0-9]+ has the same digest" "$ERR"
check_exit "1160.14 another bucket width" 0 tlb tlbreplay -q -j 2 --store -P old -b 3ms c1.db
check_grep "1160.15 ... is replayed" "^trace c1.db" "$OUT"
q c3.db "UPDATE event SET a2 = a2 + 1 WHERE rowid = (SELECT min(rowid) FROM event WHERE kind = (SELECT id FROM event_kind WHERE name = 'hcall'))"
check_exit "1160.16 a changed trace" 0 tlb tlbreplay -j 2 --store c3.db c4.db
check_eq "1160.17 ... is replayed, the unchanged one skipped" "skipped c4.db|trace c3.db" \
	"$(grep -o 'skipped c[0-9].db' "$ERR")|$(grep -o '^trace c[0-9].db' "$OUT")"

# Formats of several traces.
check_exit "1160.18 csv of three traces" 0 tlb tlbreplay -q -j 2 -P old --format csv c1.db c2.db c4.db
check_eq "1160.19 one header with a trace column" \
	"trace,policy,vm,events,guest_entries,hcalls,full_flushes,tlbiel_flush,tlbiel_inval,local_seqs,tlbie,tlbie_seqs,cycles,stale_exposures,kernel_flushes" \
	"$(head -1 "$OUT")"
check_eq "1160.20 rows of each trace in order, as its own csv" "" \
	"$(for i in 1 2 4; do tlb tlbreplay -q -P old --format csv c$i.db | tail -n +2 | sed "s/^/c$i.db,/; s/\$/,/"; done | diff - <(tail -n +2 "$OUT"))"
check_exit "1160.21 json of three traces" 0 tlb tlbreplay -q -j 2 -P old,optimal --format json c1.db c2.db c4.db
check_eq "1160.22 an array of the three objects, each as alone" "ok" \
	"$(for i in 1 2 4; do tlb tlbreplay -q -P old,optimal --format json c$i.db > one$i.json; done
	   python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print("ok" if d == [json.load(open("one%s.json" % i)) for i in "124"] else "differs")' "$OUT")"
tlb tlbreplay -q -P old --format json c1.db > alone.json
for fmt in table csv json; do
	tlb tlbreplay -q -P old --format $fmt c1.db > alone.$fmt
	tlb tlbreplay -q -j 3 -P old --format $fmt c1.db > j1.$fmt
done
check_eq "1160.23 one trace with -j: today's bytes (table, csv, json)" "" \
	"$(cmp alone.table j1.table; cmp alone.csv j1.csv; cmp alone.json j1.json)"
# A name that needs CSV quoting.
cp c2.db 'a,b.db'
tlb tlbreplay -q -j 2 -P old --format csv c1.db 'a,b.db' > q.csv
check_grep "1160.24 a trace name with a comma is quoted" '^"a,b\.db",old,all,' q.csv

# A bad file among good ones: the others are done, the exit code is the bad one's.
echo "not a database" > bad.db
rm -f c1.db c2.db; cp s1.db g1.db; cp s2.db g2.db
q g1.db "DELETE FROM replay_run; DELETE FROM replay_total; DELETE FROM replay_series; DELETE FROM replay_hazard"
check_exit "1160.25 a bad file among three: exit 2" 2 tlb tlbreplay -j 2 --store -P old g1.db bad.db g2.db
check_grep "1160.26 ... its failure named" "^tlbreplay: cannot read trace bad.db: not a SQLite database" "$ERR"
check_grep "1160.27 ... with its exit code" "^tlbreplay: \[[1-3]/3\] bad.db: failed \(exit 2\)" "$ERR"
check_eq "1160.28 ... the good ones replayed (g1) or skipped (g2, stored)" "trace g1.db|skipped g2.db" \
	"$(grep -o '^trace g[0-9].db' "$OUT")|$(grep -o 'skipped g[0-9].db' "$ERR")"
cp s4.db badrow.db
q badrow.db "UPDATE event SET vm = -3 WHERE rowid = 100"
check_exit "1160.29 a bad row fails alone too" 2 tlb tlbreplay -q -j 2 -P old c3.db badrow.db
check_eq "1160.30 ... named, and the good trace printed" "1 1" \
	"$(grep -c '^tlbreplay: cannot replay badrow.db: event rowid 100: negative vm id -3' "$ERR") $(grep -c '^trace c3.db' "$OUT")"

# Usage.
check_exit "1160.31 two traces without -j: exit 2" 2 tlb tlbreplay -q s1.db s2.db
check_grep "1160.32 ... pointing to -j" "s1.db and s2.db .*replayed with -j N" "$ERR"
check_exit "1160.33 --timeline with several traces: exit 2" 2 tlb tlbreplay -q -j 2 --timeline t.json s1.db s2.db
check_exit "1160.34 -j 0: exit 2" 2 tlb tlbreplay -q -j 0 s1.db
check_exit "1160.35 -j x: exit 2" 2 tlb tlbreplay -q --jobs x s1.db

# kill -9 in the middle of a batch, then the same command: the finished captures are
# skipped, the others replayed; no run of the killed one is left half stored.
for i in 1 2 3 4 5 6; do tlb tlbgen -q -o k$i.db --events 40000 --seed $((i + 10)) --vms 2; cp k$i.db r$i.db; done
setsid "$TLB_BIN/tlbreplay" -j 1 --store k1.db k2.db k3.db k4.db k5.db k6.db > kill.out 2> kill.err &
pid=$!
for _ in $(seq 1 600); do grep -q '^tlbreplay: \[1/6\]' kill.err && break; sleep 0.05; done
kill -9 -- -"$pid" 2> /dev/null
wait "$pid" 2> /dev/null
done_before=$(grep -c ': done in' kill.err)
check_eq "1160.36 the batch was killed after its first capture and before its last" 1 \
	"$([ "$done_before" -ge 1 ] && [ "$done_before" -lt 6 ] && echo 1 || echo "$done_before done")"
check_exit "1160.37 the same command again" 0 tlb tlbreplay -j 1 --store k1.db k2.db k3.db k4.db k5.db k6.db
check_eq "1160.38 the finished ones skipped, the others replayed" "$done_before $((6 - done_before))" \
	"$(grep -c '^tlbreplay: skipped k' "$ERR") $(grep -c '^trace k' "$OUT")"
for i in 1 2 3 4 5 6; do tlb tlbreplay -q --store r$i.db > /dev/null; done
same=0
for i in 1 2 3 4 5 6; do [ "$(q k$i.db "$RES")" = "$(q r$i.db "$RES")" ] && same=$((same + 1)); done
check_eq "1160.39 every capture then holds exactly a serial run's results" 6 "$same"

# Parts among independent traces: with -j the consecutive parts of a capture are one trace,
# stored into its first part, and skipped on the rerun like any other.
tlb tlbgen -q -o w.db --events 6000 --seed 21 --vms 2
mkparts w.db 3 p
cp s1.db plain.db
check_exit "1160.40 -j 2 over a 3-part capture and a plain trace" 0 \
	tlb tlbreplay -q -j 2 -P old --format csv p.1.db p.2.db p.3.db plain.db
check_eq "1160.41 two traces: the parts as one, then the plain one" "p.1.db+p.2.db+p.3.db plain.db" \
	"$(grep ',all,' "$OUT" | cut -d, -f1 | paste -sd' ')"
check_exit "1160.42 -j 2 --store over them" 0 tlb tlbreplay -q -j 2 --store -P old p.1.db p.2.db p.3.db plain.db
check_exit "1160.43 ... again" 0 tlb tlbreplay -q -j 2 --store -P old p.1.db p.2.db p.3.db plain.db
check_grep "1160.44 ... the capture's parts skipped as one trace" "^tlbreplay: skipped p.1.db\+p.2.db\+p.3.db: stored run [0-9]+ has the same digest" "$ERR"

# Settings lists: a trace is skipped only when the runs of every setting are stored.
check_exit "1160.45 -j 2 --store with -m power7,power8" 0 tlb tlbreplay -q -j 2 --store -P old,new -m power7,power8 k1.db k2.db
check_exit "1160.46 ... again" 0 tlb tlbreplay -j 2 --store -P old,new -m power7,power8 k1.db k2.db
check_eq "1160.47 ... both skipped, naming the 4 runs (2 settings x 2 policies)" 2 \
	"$(grep -cE '^tlbreplay: skipped k[12].db: its 4 stored runs' "$ERR")"
check_exit "1160.48 a third machine added" 0 tlb tlbreplay -q -j 2 --store -P old,new -m power7,power8,power9-hash k1.db
check_grep "1160.49 ... is replayed" "power9-hash" "$OUT"
