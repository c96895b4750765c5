#!/usr/bin/env bash
# fuzz/run.sh TARGET... - run each libFuzzer target of fuzz/build.mk for FUZZ_SECONDS and
# print, per target, its executions and findings. Corpora live in $FUZZ_DIR/corpus-TARGET
# (seeded here, kept between runs); a crashing input is kept in $FUZZ_DIR/findings/.
# Exit 0 when no target found anything, 1 otherwise.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FUZZ_DIR=${FUZZ_DIR:-$ROOT/build/fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
TLB_BIN=${TLB_BIN:-$ROOT/build/bin}
mkdir -p "$FUZZ_DIR/findings"

# argv seeds: words separated by NUL bytes
args() { local out=$1; shift; printf '%s\0' "$@" | head -c -1 > "$out"; }

seed() {
	local t=$1 c=$FUZZ_DIR/corpus-$1 i=0
	mkdir -p "$c"
	case $t in
	fuzz_tlbimport)
		cp -n "$ROOT"/samples/tracedat/*.dat "$ROOT"/samples/tracedat/*.txt "$c"/ 2>/dev/null
		if command -v trace-cmd > /dev/null && [ ! -e "$c/v6.dat" ]; then
			trace-cmd convert -i "$ROOT/samples/tracedat/sched-v7-zstd.dat" -o "$c/v6.dat" \
				--file-version 6 --compression none > /dev/null 2>&1 || rm -f "$c/v6.dat"
		fi ;;
	fuzz_tracedb)
		for s in per-thread vcpu-migration; do
			[ -e "$c/$s.db" ] || "$TLB_BIN/tlbgen" --scenario "$s" -o "$c/$s.db" -q > /dev/null 2>&1
		done
		[ -e "$c/small.db" ] || "$TLB_BIN/tlbgen" -o "$c/small.db" --events 200 -q > /dev/null 2>&1 ;;
	fuzz_opts_tlbcollect)
		args "$c/a" -o x.db --duration 10; args "$c/b" -o x.db -p 1 -p 2 --enter kvm --ring-mb 4
		args "$c/c" --list --format json; args "$c/d" -g -o g.db -d 1e-2 --hcall-args
		args "$c/e" -o x.db 10 -i 1 ;;
	fuzz_opts_tlbimport)
		args "$c/a" in.dat -o x.db --clock ppc-tb --timebase-hz 512000000
		args "$c/b" - -o x.db --guest --switch-enter no --bulk-n 2 --tb-offset -5 -t 4 ;;
	fuzz_opts_tlbmerge)
		args "$c/a" h.db g.db -o m.db --offset 1.5e6 --rate 1.0001 --vm 2
		args "$c/b" h.db g1.db g2.db --vm 1 --vm 2 -o m.db --format csv ;;
	fuzz_opts_tlbgen)
		args "$c/a" -o x.db --vms 2 --vcpus 4 --events 1000 --seed 7 --mix H_ENTER=1,H_REMOVE=2
		args "$c/b" --list --format json; args "$c/c" -o x.db --scenario per-thread -f -q
		args "$c/d" -o x.db --start-time 2024-01-02T03:04:05.5Z --duration-ms 10 --hcall-cpu unknown
		args "$c/e" -o x.db --hcall-rate 1e3 --migration-rate 0.5 --hlocal-fraction 0.2 ;;
	fuzz_opts_tlbreplay)
		args "$c/a" -P old,new,oracle -m power9-hash -t 4 -c tlbie=400 -O new-hpt-reset-flush=1 t.db
		args "$c/b" --vm 1,2 --vcpu 0 --from 1.5s --to 2000ms --format json --sort cycles t.db
		args "$c/c" -s -b 10ms --timeline x.json -q t.db; args "$c/d" --policy optimal,modern a.db b.db
		args "$c/e" -m power7,power8 -t 1,2,,4 --timeline x.json t.db ;;
	fuzz_opts_tlbreport)
		args "$c/a" -o out -f -m power8 -P old,new --run 1,2,3 --format csv a.db
		args "$c/b" --sweep-factor 2.5 --hazards 0 --max-points 2 --max-vms 3 -j 4 --events a.db b.db
		args "$c/c" -q -P x -P y,z a.db ;;
	fuzz_textparse)
		printf '\0H_ENTER=1,H_BULK_REMOVE=3,0x18=2' > "$c/mix"
		printf '\1new-hpt-reset-flush=1' > "$c/opt"; printf '\2tlbie=400' > "$c/cost"
		printf '\3power9-hash' > "$c/mach"
		printf '\4{"costs": {"tlbie": 400, "flush": [1, 2.5e3]}, "x": "a\\u0041"}' > "$c/json"
		printf '\5{"costs": {"tlbie": 400}}' > "$c/costs"; printf '\6H_PROTECT' > "$c/hc"
		printf '\7-0x7fffffffffffffff' > "$c/num" ;;
	esac
}

found_any=0
printf '%-24s %12s %8s %10s  %s\n' target executions seconds findings "kept in"
for t in "$@"; do
	seed "$t"
	log=$FUZZ_DIR/$t.log
	opts=(-max_total_time="$FUZZ_SECONDS" -artifact_prefix="$FUZZ_DIR/findings/$t-" -print_final_stats=1)
	case $t in
	fuzz_tlbimport) opts+=(-max_len=262144 -rss_limit_mb=4096) ;;
	fuzz_tracedb) opts+=(-max_len=131072 -rss_limit_mb=2048 -timeout=10) ;;
	fuzz_opts_*) opts+=(-max_len=512 -close_fd_mask=3) ;;
	*) opts+=(-max_len=4096 -close_fd_mask=1) ;;
	esac
	before=$(ls "$FUZZ_DIR/findings" | grep -c "^$t-")
	"$FUZZ_DIR/$t" "${opts[@]}" "$FUZZ_DIR/corpus-$t" > "$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	[ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
	secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
	after=$(ls "$FUZZ_DIR/findings" | grep -c "^$t-")
	n=$((after - before))
	[ "$rc" -ne 0 ] && [ "$n" -eq 0 ] && n=1	# a failure without an artifact still counts
	[ "$n" -gt 0 ] && found_any=1
	printf '%-24s %12s %8s %10s  %s\n' "$t" "${execs:-?}" "${secs:-?}" "$n" \
		"$([ "$n" -gt 0 ] && echo "$FUZZ_DIR/findings/ ($log)")"
done
exit $found_any
