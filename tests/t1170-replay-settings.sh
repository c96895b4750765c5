#!/usr/bin/env bash
# t1170-replay-settings - tlbreplay -m LIST -t LIST (issue 13 item 4): every machine x T
# setting replayed in one scan of the trace prints, per setting, exactly what a separate
# run with that machine and T prints (json object, csv rows, table), optimal's three
# passes included; --store stores each setting's runs as a separate --store would; -c, -O
# and the filters apply to every setting; without -t each setting gets T by the usual rule;
# bad lists exit 2 naming the bad item; --timeline refuses several settings.
# Traces: three tlbgen workloads and the bundled samples (pseries merged capture,
# powernv8 and powernv9 hosts).
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/data/replay/lib.sh"
need_sqlite3
need_cmd xz || skip_all "xz is not installed (the samples are .xz)"
cd "$T" || exit 1

MS=power7,power8,power9-hash
TS=1,2,4,8
rel=${TLB_RELEASE_BIN:-$TLB_BIN}

# run_of N FILE: the N-th object of a multi-setting json's "runs", de-indented: what a
# single-setting run prints.
run_of() {
	awk -v n="$1" '/^  \{$/ { k++ }
		k == n { l = substr($0, 3); if (l == "},") l = "}"; print l; if (l == "}") exit }' "$2"
}
# table_of N TOTAL FILE: the table under the N-th heading (without the separating line).
table_of() {
	awk -v n="$1" '/^== setting [0-9]+ of [0-9]+: machine / { k++; next } k == n' "$3" |
		if [ "$1" -lt "$2" ]; then sed '$d'; else cat; fi
}

# same_as_separate ID DB FORMATS MS TS [ARGS...]: -m MS -t TS in one run (the build under
# test) against each separate run (the release build when there is one: the same code,
# faster), in each of FORMATS (json csv table); one check per format, naming the first
# setting that differs.
same_as_separate() {
	local id=$1 db=$2 fmts=$3 ms=$4 ts=$5 i=0 n f m t differs
	shift 5
	n=$(( $(echo "$ms" | tr ',' '\n' | wc -l) * $(echo "$ts" | tr ',' '\n' | wc -l) ))
	for f in $fmts; do
		if ! tlb tlbreplay -q -m "$ms" -t "$ts" --format "$f" "$@" "$db" > "multi.$f" 2> multi.err; then
			not_ok "$id.$f the lists replay $db" "stderr: $(head -c 600 multi.err)"
			continue
		fi
		i=0 differs=""
		for m in ${ms//,/ }; do
			for t in ${ts//,/ }; do
				i=$((i + 1))
				"$rel/tlbreplay" -q -m "$m" -t "$t" --format "$f" "$@" "$db" > "one.$f" 2> /dev/null
				case $f in
				json) run_of $i multi.json | cmp -s - one.json ;;
				csv) [ "$(grep "^$m,$t," multi.csv | cut -d, -f3-)" = "$(tail -n +2 one.csv)" ] ;;
				table) table_of $i "$n" multi.table | cmp -s - one.table ;;
				esac || { differs="$m T=$t"; break 2; }
			done
		done
		check_eq "$id.$f $db -m $ms -t $ts $*: each of the $n settings' $f is the separate run's" "" "$differs"
	done
}

# ---- 1. generated traces and the samples ---------------------------------------------------
tlb tlbgen -q -o g1.db --events 20000 --seed 3
tlb tlbgen -q -o g2.db --vms 4 --vcpus 8 --cores 8 --duration-ms 20 --hlocal-fraction 1 \
	--host-inval-rate 5000 --seed 2
tlb tlbgen -q -o g3.db --vms 2 --vcpus 4 --duration-ms 60 --hpt-resets 3 \
	--mix H_ENTER=2,H_BULK_REMOVE=3,H_REMOVE=1 --hcall-cpu unknown --seed 4
xz -dc "$ROOT/samples/pseries-6.1-smp4/merged.db.xz" > merged.db
xz -dc "$ROOT/samples/powernv8-6.1/host.db.xz" > p8.db
xz -dc "$ROOT/samples/powernv9-6.1/host.db.xz" > p9.db
same_as_separate 1170.1.1 g1.db "json csv table" $MS $TS
same_as_separate 1170.1.2 g2.db "json csv table" $MS $TS
same_as_separate 1170.1.3 g3.db "json csv" $MS $TS
same_as_separate 1170.1.4 merged.db json $MS $TS	# 98078 events
same_as_separate 1170.1.5 p8.db "json csv" $MS $TS
same_as_separate 1170.1.6 p9.db "json csv table" $MS $TS -P old,new,modern,tracked,optimal,radix
tlb tlbreplay -q -m $MS -t $TS --format csv g2.db > g2.csv
check_eq "1170.1.7 the settings differ: old's full flushes on g2 are not all the same" 1 \
	"$(awk -F, '$3 == "old" && $4 == "all" { print $8 }' g2.csv | sort -u | awk 'END { print (NR > 1) }')"
if need_cmd python3; then
	ok_if "1170.1.8 the json is one object: the trace and 12 runs" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert list(d) == ["trace", "runs"] and d["trace"] == "p9.db" and len(d["runs"]) == 12' multi.json
else
	skip "1170.1.8 the json is one object" "no python3"
fi
check_eq "1170.1.9 csv header: machine,threads_per_core first" \
	"machine,threads_per_core,policy,vm,events,guest_entries,hcalls,full_flushes,tlbiel_flush,tlbiel_inval,local_seqs,tlbie,tlbie_seqs,cycles,stale_exposures" \
	"$(head -1 g2.csv)"
check_eq "1170.1.10 csv: machine-major, then T in the order given" \
	"power7,1 power7,2 power7,4 power7,8 power8,1 power8,2 power8,4 power8,8 power9-hash,1 power9-hash,2 power9-hash,4 power9-hash,8" \
	"$(tail -n +2 g2.csv | cut -d, -f1,2 | uniq | tr '\n' ' ' | sed 's/ $//')"
check_eq "1170.1.11 table: one heading per setting" 12 "$(grep -c '^== setting [0-9]* of 12: machine ' multi.table)"

# ---- 2. T where -t is not given, -c / -O / filters / --sort for every setting -------------
# merged.db: an x86_64 capture, so T comes from each profile (power7 4, power8 8)
tlb tlbreplay -q -m power7,power8 --format csv merged.db > noT.csv
check_eq "1170.2.1 -m power7,power8 alone on a non-POWER capture: T 4 and 8 (the profiles')" \
	"power7,4 power8,8" "$(tail -n +2 noT.csv | cut -d, -f1,2 | uniq | tr '\n' ' ' | sed 's/ $//')"
tlb tlbreplay -q -m power7,power8 --format json merged.db > noT.json
check_eq "1170.2.2 ... and each run says the profile is where T came from" "profile profile" \
	"$(grep '"threads_per_core_source"' noT.json | sed 's/.*: "\(.*\)".*/\1/' | tr '\n' ' ' | sed 's/ $//')"
# g1.db: a POWER-like capture with meta threads_per_core 4: T 4 for both machines
tlb tlbreplay -q -m power7,power8 --format json g1.db > metaT.json
check_eq "1170.2.3 -m power7,power8 on a capture with meta T: T 4 from the meta, both" "4 meta 4 meta" \
	"$(grep -E '"threads_per_core(_source)?"' metaT.json | sed 's/.*: "*\([^",]*\)"*,*$/\1/' | tr '\n' ' ' | sed 's/ $//')"
tlb tlbreplay -q -m power8 --format json g1.db > p8only.json
check_eq "1170.2.4 ... the power8 run is a plain -m power8 run" "" "$(run_of 2 metaT.json | cmp - p8only.json)"
same_as_separate 1170.2.5 g3.db "json table" power8,power9-hash 8,2 -c tlbie=400 \
	-O new-hpt-reset-flush=0 -P old,new,optimal
same_as_separate 1170.2.6 g2.db "csv table" power7,power8 1,4 --vm 2,3 --vcpu 1 --from 5ms \
	--to 15ms --sort cycles
check_eq "1170.2.7 the filter line is in every table" 4 "$(grep -c '^counted: vm 2,3;' multi.table)"
check_exit "1170.2.8 -m power8 -t 2 (one setting each) is no list: plain output" 0 \
	tlb tlbreplay -q -m power8 -t 2 --format csv g1.db
check_grep "1170.2.9 ... the csv starts with policy" '^policy,vm,' "$OUT"

# ---- 3. --store: each setting's runs, as separate --store runs store them ---------------
cp g2.db sa.db
cp g2.db sb.db
check_exit "1170.3.1 --store -m power7,power9-hash -t 2,4" 0 \
	tlb tlbreplay -q --store -b 5ms -m power7,power9-hash -t 2,4 sa.db
for m in power7 power9-hash; do
	for t in 2 4; do tlb tlbreplay -q --store -b 5ms -m $m -t $t sb.db > /dev/null; done
done
# every stored row with its run's (policy, params) in place of the run id
dump() {
	sqlite3 "$1" "
	  SELECT 'run', policy, machine, params, trace_digest, tool_version, bucket_ns FROM replay_run
	    ORDER BY policy, params;
	  SELECT 'total', r.policy, r.params, t.vm, t.events, t.guest_entries, t.hcalls, t.full_flushes,
	    t.tlbiel_flush, t.tlbiel_inval, t.local_seqs, t.tlbie, t.tlbie_seqs, t.cycles, t.stale_exposures
	    FROM replay_total t JOIN replay_run r ON r.id = t.run ORDER BY 2, 3, 4;
	  SELECT 'series', r.policy, r.params, s.vm, s.bucket_ns, s.events, s.guest_entries, s.hcalls,
	    s.full_flushes, s.tlbiel_flush, s.tlbiel_inval, s.local_seqs, s.tlbie, s.tlbie_seqs, s.cycles,
	    s.stale_exposures FROM replay_series s JOIN replay_run r ON r.id = s.run ORDER BY 2, 3, 4, 5;
	  SELECT 'hazard', r.policy, r.params, h.ts, h.vm, h.vcpu, h.core, h.marked_ts
	    FROM replay_hazard h JOIN replay_run r ON r.id = h.run ORDER BY 2, 3, 4, 5, 6, 7, 8;"
}
dump sa.db > sa.txt
dump sb.db > sb.txt
check_eq "1170.3.2 20 runs stored (4 settings x 5 policies)" 20 "$(grep -c '^run|' sa.txt)"
check_eq "1170.3.3 there are hazard rows to compare (old's stale exposures)" 1 \
	"$(grep -q '^hazard|' sa.txt && echo 1)"
check_eq "1170.3.4 the stored rows equal those of 4 separate --store runs (ids, created aside)" \
	"$(md5sum < sb.txt)" "$(md5sum < sa.txt)"
tlb tlbreplay -q --store -b 5ms -m power7,power9-hash -t 2,4 sa.db > /dev/null
check_eq "1170.3.5 storing the same settings again replaces them (still 20 runs)" 20 \
	"$(sqlite3 sa.db 'SELECT count(*) FROM replay_run')"
check_eq "1170.3.6 ... with the same rows" "$(md5sum < sb.txt)" "$(dump sa.db | md5sum)"
# a failed run stores nothing of any setting: a bad row after good ones
cp g1.db bad.db
sqlite3 bad.db "INSERT INTO event(ts, cpu, vm, vcpu, kind, a0, a1, a2, a3)
  SELECT max(ts) + 1, 5, 1, 0, (SELECT id FROM event_kind WHERE name = 'hcall'), 4, 0, -1, 0 FROM event"
check_exit "1170.3.7 a bad row with lists and --store: exit 2" 2 \
	tlb tlbreplay -q --store -m power7,power8 -t 1,2 bad.db
check_grep "1170.3.8 ... names the row and the setting it was found in" \
	'event rowid 20001: hcall has a negative n .*\(setting machine power7, threads_per_core 1\)' "$ERR"
check_eq "1170.3.9 ... and nothing was stored" 0 "$(sqlite3 bad.db 'SELECT count(*) FROM replay_run')"

# ---- 4. bad lists: exit 2, naming the item ------------------------------------------------
check_exit "1170.4.1 -t 0,2: exit 2" 2 tlb tlbreplay -q -t 0,2 g1.db
check_grep "1170.4.2 ... names '0'" "cannot use --threads-per-core '0,2': '0' is not an integer 1\.\.64" "$ERR"
check_exit "1170.4.3 -t 2,,4: exit 2" 2 tlb tlbreplay -q -t 2,,4 g1.db
check_grep "1170.4.4 ... says the item is empty" "cannot use --threads-per-core '2,,4': an empty item" "$ERR"
check_exit "1170.4.5 -m power7,foo: exit 2" 2 tlb tlbreplay -q -m power7,foo g1.db
check_grep "1170.4.6 ... names 'foo'" "cannot use --machine 'power7,foo': 'foo' is not power7, power8 or power9-hash" "$ERR"
check_exit "1170.4.7 -t 4,4: exit 2 (a repeat is refused, not dropped)" 2 tlb tlbreplay -q -t 4,4 g1.db
check_grep "1170.4.8 ... says repeated" "'4' is repeated" "$ERR"
check_exit "1170.4.9 -m power8,power8: exit 2" 2 tlb tlbreplay -q -m power8,power8 g1.db
check_grep "1170.4.10 ... says repeated" "'power8' is repeated" "$ERR"
check_exit "1170.4.11 -t 2,: exit 2" 2 tlb tlbreplay -q -t 2, g1.db
check_exit "1170.4.12 -t 2,65: exit 2" 2 tlb tlbreplay -q -t 2,65 g1.db
check_grep "1170.4.13 ... names '65'" "'65' is not an integer 1\.\.64" "$ERR"
check_exit "1170.4.14 -t 0 (one item): today's message" 2 tlb tlbreplay -q -t 0 g1.db
check_grep "1170.4.15 ... 'not an integer 1..64'" "cannot use --threads-per-core '0': not an integer 1\.\.64$" "$ERR"
check_exit "1170.4.16 --timeline with two settings: exit 2" 2 \
	tlb tlbreplay -q --timeline tl.json -t 2,4 g1.db
check_grep "1170.4.17 ... says why" 'cannot use --timeline with several settings' "$ERR"
check_eq "1170.4.18 ... and writes no file" "" "$(ls tl.json* 2> /dev/null)"
check_exit "1170.4.19 --timeline with one setting still works" 0 \
	tlb tlbreplay -q --timeline tl.json -m power8 -t 2 -P modern g1.db
