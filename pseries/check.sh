#!/usr/bin/env bash
# pseries/check.sh [--keep DIR] [--no-run] [run.sh options] - the checks of `make check-pseries`, as TAP.
#
# Owns what a real pseries run must show. One run of pseries/run.sh (4-vcpu POWER8 guest,
# hash MMU, a few seconds of fork/mmap/munmap), then:
#   pseries-1.*  the guest: Debian's ppc64el kernel, hash MMU, 512 MHz timebase
#   pseries-2.*  the reference: tracefs hcall_entry/hcall_exit (trace_clock=mono) lost
#                nothing, and the workload issued every HPT hcall inside the window
#   pseries-3.*  hcallcount (BPF raw_tp, no BTF) == tracefs, per opcode and return code
#   pseries-4.*  tlbcollect --guest: its DB, in the same window, == tracefs == hcallcount
#                per opcode and return code; n agrees with the return codes and with
#                hcallcount's own decoding of H_BULK_REMOVE's control bytes
#   pseries-5.*  tlbcollect on the host: QEMU's 4 "CPU N/TCG" threads, guest_enter, no loss
#   pseries-6.*  tlbmerge host.db guest.db: fitted rate and residual in meta, hcalls placed,
#                and its clock relation against the console clock sync (clocksync.awk)
#   pseries-7.*  tlbreplay of the merged DB (or the guest DB) under old, new, modern, tracked, optimal
# A step whose program is not built yet is a counted skip with the reason. --keep DIR: the
# run's directory (default build/pseries/check); --no-run: check the run already in DIR.
# Programs: host side from $TLB_BIN (default build/bin), hcallcmp from $TLB_TESTBIN
# (default build/test), the guest's from build/ppc64el (make cross-ppc64el).
# Exit 0 when nothing failed, 1 otherwise, 2 on bad usage. No `set -e`: every check runs
# and reports, a failed one does not hide the next.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${TLB_BIN:-$root/build/bin}
testbin=${TLB_TESTBIN:-$root/build/test}
dir=$root/build/pseries/check
rerun=1
while [ $# -gt 0 ]; do
	case "$1" in
	--keep) [ $# -ge 2 ] || { echo "usage: pseries/check.sh [--keep DIR] [--no-run] [run.sh options]" >&2; exit 2; }
		dir=$2; shift 2 ;;
	--no-run) rerun=0; shift ;;
	*) break ;;
	esac
done

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "#   $l"; done; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d" "failed: $*"; fi; }
eq() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "got:      $3"; fi; }
comment() { sed 's/^/# /' "$@"; }
finish() { echo "# check-pseries: $n checks, $failed failed; run in $dir"; [ "$failed" -eq 0 ]; exit $?; }

t0=$(date +%s)
mkdir -p "$(dirname "$dir")"
if [ "$rerun" = 0 ]; then
	[ -f "$dir/run.env" ] || { echo "pseries/check.sh: no earlier run in $dir" >&2; exit 2; }
	ok "pseries-0.1 the earlier run in $dir"
elif ! TLB_HOST_BIN=$bin "$root/pseries/run.sh" "$@" "$dir" > "$dir.log" 2>&1; then
	not_ok "pseries-0.1 a guest run (pseries/run.sh)" "$(tail -c 1500 "$dir.log")"
	finish
else
	ok "pseries-0.1 a guest run (pseries/run.sh): $(( $(date +%s) - t0 )) s wall"
fi
out=$dir/out
comment "$dir/run.env"
if [ -f "$out/failed" ]; then
	not_ok "pseries-0.2 nothing failed inside the guest" "$(cat "$out/failed")"
else
	ok "pseries-0.2 nothing failed inside the guest"
fi

# --- 1: the guest -----------------------------------------------------------------
eq "pseries-1.1 the guest ran Debian's kernel" "$(head -1 "$root/build/pseries/guest/kernel-release")" "$(cat "$out/uname")"
check "pseries-1.2 the guest's MMU is Hash (disable_radix)" grep -qE '^MMU[[:space:]]*: Hash' "$out/cpuinfo"
check "pseries-1.3 the guest's timebase is 512 MHz" grep -qE '^timebase[[:space:]]*: 512000000' "$out/cpuinfo"
eq "pseries-1.4 the guest has 4 cpus" 4 "$(grep -c '^processor' "$out/cpuinfo")"

# --- 2: the tracefs reference ----------------------------------------------------------
read -r _ wstart wstop < <(grep '^window' "$out/hcallcount.txt")
if [ -z "${wstop:-}" ]; then
	not_ok "pseries-2.0 hcallcount reported its window" "$(cat "$out/hcallcount.txt" "$out/hcallcount.err")"
	finish
fi
awk -v start="$wstart" -v stop="$wstop" -f "$root/pseries/tracecounts.awk" "$out/trace.txt" > "$dir/tracefs.txt"
eq "pseries-2.1 tracefs lost no event on any cpu" 0 \
	"$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i } END { print s + 0 }' "$out/trace-stats")"
first=$(awk '$1 == "first_ns" { print $2 }' "$dir/tracefs.txt")
last=$(awk '$1 == "last_ns" { print $2 }' "$dir/tracefs.txt")
check "pseries-2.2 hcallcount attached before its window opened" test ! -s "$out/hcallcount.err"
for op in 0x4:H_REMOVE 0x8:H_ENTER 0x18:H_PROTECT 0x124:H_BULK_REMOVE; do
	c=$(awk -v op="${op%%:*}" '$1 == "entry" && $2 == op { print $3 }' "$dir/tracefs.txt")
	check "pseries-2.3 the workload issued ${op#*:} in the window (${c:-0})" test "${c:-0}" -gt 0
done
echo "# window: CLOCK_MONOTONIC $wstart..$wstop ns; hcalls in it from $first to $last"

# --- 3: hcallcount against tracefs ------------------------------------------------------
if "$testbin/hcallcmp" hcallcount="$out/hcallcount.txt" tracefs="$dir/tracefs.txt" > "$dir/cmp-hcallcount.txt"; then
	ok "pseries-3.1 BPF raw_tp counts (hcallcount) == tracefs per opcode and return code"
else
	not_ok "pseries-3.1 BPF raw_tp counts (hcallcount) == tracefs per opcode and return code" \
		"runs the kernel skipped: $(grep '^recursion_misses' "$out/hcallcount.txt" | tr '\n' ' ')"
	comment "$dir/cmp-hcallcount.txt"
fi

# --- 4: tlbcollect --guest ---------------------------------------------------------------
db=$out/guest.db
if ! grep -q '^guest_collect=1' "$dir/run.env"; then
	skip "pseries-4 tlbcollect --guest" "build/ppc64el/bin/tlbcollect not built (make cross-ppc64el: collector/)"
elif [ ! -f "$db" ]; then
	not_ok "pseries-4.1 tlbcollect --guest wrote its DB" "$(tail -c 1200 "$out/tlbcollect.err" 2>/dev/null)"
else
	meta() { sqlite3 "$1" "select value from meta where key='$2'"; }
	ok "pseries-4.1 tlbcollect --guest wrote its DB ($(sqlite3 "$db" 'select count(*) from event') events)"
	check "pseries-4.2 meta bpf_mode says raw tracepoints without BTF" grep -q 'raw_tp' <<< "$(meta "$db" bpf_mode)"
	eq "pseries-4.3 tlbcollect --guest lost no event" 0 "$(meta "$db" lost_events)"
	cs=$(meta "$db" clock_start_ns)
	first_db=$(sqlite3 "$db" "select min(ts) + $cs from event")
	check "pseries-4.4 its capture covers the window" test "${first_db:-0}" -gt 0 -a "${first_db:-0}" -lt "$wstart"
	sqlite3 "$db" "
	  with h as (select e.a0 op, e.a2 n, e.a3 rc from event e join event_kind k on k.id = e.kind
	             where k.name = 'hcall' and e.ts + $cs between $wstart and $wstop)
	  select printf('entry 0x%x %d', op, count(*)) from h group by op
	  union all select printf('exit 0x%x %d %d', op, rc, count(*)) from h group by op, rc
	  union all select printf('bulk_ok 0x%x %d', op, sum(n)) from h where op = 292 group by op;" > "$dir/tlbcollect.txt"
	if "$testbin/hcallcmp" tlbcollect="$dir/tlbcollect.txt" hcallcount="$out/hcallcount.txt" \
		tracefs="$dir/tracefs.txt" > "$dir/cmp-tlbcollect.txt"; then
		ok "pseries-4.5 tlbcollect == hcallcount == tracefs per opcode, return code and bulk n"
	else
		not_ok "pseries-4.5 tlbcollect == hcallcount == tracefs per opcode, return code and bulk n" \
			"hcall exits tlbcollect could not pair with an entry (meta hcalls_unpaired): $(meta "$db" hcalls_unpaired)" \
			"calls interrupted by another hcall on their cpu (tracefs, in the window): $(awk '$1 == "nested" { printf "%s %s; ", $2, $3 }' "$dir/tracefs.txt")"
	fi
	comment "$dir/cmp-tlbcollect.txt"
	eq "pseries-4.6 n agrees with the return codes (H_REMOVE/H_PROTECT n = rc==0, H_BULK_REMOVE 0..4)" 0 \
		"$(sqlite3 "$db" "select count(*) from event e join event_kind k on k.id = e.kind where k.name = 'hcall'
		  and ((e.a0 in (4, 24) and e.a2 != (e.a3 = 0)) or (e.a0 = 292 and (e.a2 < 0 or e.a2 > 4))
		       or (e.a0 not in (4, 24, 292) and e.a2 != 0))")"
fi

# --- 5: the host side ----------------------------------------------------------------------
hdb=$dir/host.db
if ! grep -q '^host_collect=1' "$dir/run.env"; then
	if [ -x "$bin/tlbcollect" ]; then
		skip "pseries-5 tlbcollect on the host" "the run did not record the host (run.sh --no-host)"
	else
		skip "pseries-5 tlbcollect on the host" "$bin/tlbcollect not built (collector/)"
	fi
else
	hk() { sqlite3 "$hdb" "select count(*) from event e join event_kind k on k.id = e.kind where k.name = '$1'"; }
	eq "pseries-5.1 the host saw QEMU's 4 vcpu threads" 4 "$(sqlite3 "$hdb" 'select count(*) from vcpu')"
	check "pseries-5.2 the host recorded guest_enter of the vcpu threads ($(hk guest_enter))" test "$(hk guest_enter)" -gt 0
	eq "pseries-5.3 the host capture lost no event" 0 "$(sqlite3 "$hdb" "select value from meta where key='lost_events'")"
fi

# --- 6: the merge ----------------------------------------------------------------------------
mdb=$dir/merged.db
replay_db=
if [ ! -x "$bin/tlbmerge" ]; then
	skip "pseries-6 tlbmerge host.db guest.db" "$bin/tlbmerge not built (collector/merge/)"
	[ -f "$db" ] && replay_db=$db
elif [ ! -f "$hdb" ] || [ ! -f "$db" ]; then
	skip "pseries-6 tlbmerge host.db guest.db" "needs both the host and the guest DB"
	[ -f "$db" ] && replay_db=$db
elif "$bin/tlbmerge" "$hdb" "$db" -o "$mdb" --force > "$dir/merge.log" 2>&1; then
	ok "pseries-6.1 tlbmerge host.db guest.db -o merged.db"
	comment "$dir/merge.log"
	sqlite3 "$mdb" "select key || ' = ' || value from meta where key like '%rate%' or key like '%residual%' or key like '%offset%'" \
		> "$dir/merge-fit.txt"
	comment "$dir/merge-fit.txt"
	check "pseries-6.2 meta has the fitted rate and residual" grep -q residual "$dir/merge-fit.txt"
	placed=$(sqlite3 "$mdb" "select count(*) from event e join event_kind k on k.id = e.kind where k.name = 'hcall' and e.cpu >= 0")
	check "pseries-6.3 guest hcalls placed on host threads ($placed)" test "${placed:-0}" -gt 0
	# the merge against the console clock sync (pseries/clocksync.c, pseries/linestamp.c)
	awk -v gcs="$(sqlite3 "$db" "select value from meta where key='clock_start_ns'")" \
	    -v hcs="$(sqlite3 "$hdb" "select value from meta where key='clock_start_ns'")" \
	    -v off="$(sqlite3 "$mdb" "select value from meta where key='merge_guest1_offset_ns'")" \
	    -v rate="$(sqlite3 "$mdb" "select value from meta where key='merge_guest1_rate'")" \
	    -v mid="$(( (wstart + wstop) / 2 ))" -f "$root/pseries/clocksync.awk" "$dir/console.log" > "$dir/clocksync.txt"
	comment "$dir/clocksync.txt"
	# The estimate may be off by what tlbmerge itself says it cannot tell apart: the width
	# of the plateau of offsets that place the guest equally well (meta, when it says so),
	# half of it either way, plus the console sync's own tolerance.
	err=$(awk '$1 == "merge_error_ns" { print $2 }' "$dir/clocksync.txt")
	tol=$(awk '$1 == "tolerance_ns" { print $2 }' "$dir/clocksync.txt")
	plateau=$(sqlite3 "$mdb" "select value from meta where key='merge_guest1_estimate_plateau_ns'")
	bound=$(awk -v t="${tol:-0}" -v p="${plateau:-0}" 'BEGIN { printf "%.0f", t + p / 2 }')
	echo "# the merge's estimated clock is ${err:-?} ns off the console sync (sync tolerance ${tol:-?} ns;" \
		"tlbmerge's plateau ${plateau:-not stated} ns)"
	check "pseries-6.4 the merge's estimated clock is within its own stated uncertainty of the console sync (|${err:-?}| <= ${bound} ns)" \
		awk -v e="${err:-x}" -v b="$bound" 'BEGIN { exit !(e != "x" && e + 0 <= b + 0 && -e <= b + 0) }'
	# The console sync is the witness, not the input: with the host's switch-outs recorded
	# (tlbcollect's default) the estimate is determined, and it should place at least
	# as many guest hcalls inside their vcpu's host run intervals as the console's offset
	# does (the sync is only good to its tolerance of a few ms). merged.db replays.
	soff=$(awk '$1 == "sync_merge_offset_ns" { print $2 }' "$dir/clocksync.txt")
	if [ -n "$soff" ] && "$bin/tlbmerge" "$hdb" "$db" -o "$dir/merged-sync.db" --force --offset "$soff" --rate 1 \
		--accept-offset > "$dir/merge-sync.log" 2>&1; then
		sync_placed=$(sqlite3 "$dir/merged-sync.db" "select count(*) from event e join event_kind k on k.id = e.kind where k.name = 'hcall' and e.cpu >= 0")
		comment "$dir/merge-sync.log"
		echo "# hcalls placed: estimate $placed, console sync offset $sync_placed"
		check "pseries-6.5 the estimate places at least as many hcalls as the console sync's offset ($placed >= $sync_placed)" \
			test "${placed:-0}" -ge "${sync_placed:-0}"
		rm -f "$dir/merged-sync.db"
	else
		not_ok "pseries-6.5 tlbmerge --offset ${soff:-?} --rate 1 --accept-offset (the console clock sync)" "$(tail -c 800 "$dir/merge-sync.log")"
	fi
	replay_db=$mdb
else
	not_ok "pseries-6.1 tlbmerge host.db guest.db -o merged.db" "$(tail -c 800 "$dir/merge.log")"
fi

# --- 7: the replay ----------------------------------------------------------------------------
if [ ! -x "$bin/tlbreplay" ]; then
	skip "pseries-7 tlbreplay" "$bin/tlbreplay not built (replay/)"
elif [ -z "$replay_db" ]; then
	skip "pseries-7 tlbreplay" "no DB to replay"
else
	if "$bin/tlbreplay" --policy old,new,modern,tracked,optimal "$replay_db" > "$dir/replay.txt" 2>&1 &&
		"$bin/tlbreplay" --format json "$replay_db" > "$dir/replay.json" 2>> "$dir/replay.txt"; then
		ok "pseries-7.1 tlbreplay $(basename "$replay_db") under old, new, modern, tracked, optimal"
		comment "$dir/replay.txt"
		for p in old new modern tracked optimal; do
			check "pseries-7.2 the replay has a row for policy $p" grep -q "\"policy\": *\"$p\"" "$dir/replay.json"
		done
	else
		not_ok "pseries-7.1 tlbreplay $(basename "$replay_db") under old, new, modern, tracked, optimal" "$(tail -c 600 "$dir/replay.txt")"
	fi
fi
echo "# took $(( $(date +%s) - t0 )) s"
finish
