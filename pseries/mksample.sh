#!/usr/bin/env bash
# pseries/mksample.sh [--no-run] NAME [run.sh options] - a real pseries capture into samples/NAME.
#
# Owns the bundled real samples: runs pseries/check.sh (one guest run, recorded inside and
# on the host, merged, checked, replayed) in build/pseries/sample-NAME, then copies what a
# user replays, xz-compressed, with a README saying how it was made and what it showed:
#   samples/NAME/merged.db.xz    host + guest joined by tlbmerge (when tlbmerge exists)
#   samples/NAME/guest.db.xz     tlbcollect --guest inside the guest
#   samples/NAME/host.db.xz      tlbcollect on the host (QEMU's "CPU N/TCG" threads)
#   samples/NAME/trace.txt.xz    the guest's tracefs record (the reference counts)
#   samples/NAME/hcallcount.txt  hcallcount's counts and window
#   samples/NAME/checks.txt      the TAP output of the checks, count tables included
#   samples/NAME/README.md
# --no-run reuses the run already in build/pseries/sample-NAME. NAME must start with
# "pseries-" and must not be pseries-6.1-smp2 (the shared tracefs sample).
# Programs come from $TLB_BIN (default build/bin), like pseries/check.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rerun=1
[ "${1:-}" = --no-run ] && { rerun=0; shift; }
[ $# -ge 1 ] || { echo "usage: pseries/mksample.sh [--no-run] NAME [run.sh options]" >&2; exit 2; }
name=$1
shift
case "$name" in
pseries-6.1-smp2) echo "pseries/mksample.sh: $name is the shared sample, not this harness's" >&2; exit 2 ;;
pseries-*) ;;
*) echo "pseries/mksample.sh: NAME must start with pseries-" >&2; exit 2 ;;
esac
run=$root/build/pseries/sample-$name
dest=$root/samples/$name

args=(--keep "$run")
[ "$rerun" = 0 ] && args+=(--no-run)
status=0
"$root/pseries/check.sh" "${args[@]}" "$@" > "$run.tap" 2>&1 || status=$?
[ -f "$run/run.env" ] || { cat "$run.tap" >&2; echo "pseries/mksample.sh: the run failed" >&2; exit 1; }

tmp=$dest.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
# merged.db: tlbmerge's own estimate of the clocks (the console sync is its witness, see README)
merged=$run/merged.db
[ -f "$merged" ] && xz -9 -c "$merged" > "$tmp/merged.db.xz"
for f in "$run/out/guest.db" "$run/host.db"; do
	[ -f "$f" ] && xz -9 -c "$f" > "$tmp/$(basename "$f").xz"
done
xz -9 -c "$run/out/trace.txt" > "$tmp/trace.txt.xz"
cp "$run/out/hcallcount.txt" "$tmp/hcallcount.txt"
cp "$run.tap" "$tmp/checks.txt"

meta() { sqlite3 "$1" "select value from meta where key='$2'" 2>/dev/null; }
env_get() { sed -n "s/^$1=//p" "$run/run.env"; }
qemu=$(env_get qemu) smp=$(env_get smp) busybox=$(env_get busybox) work_secs=$(env_get work_secs)
wall_secs=$(env_get wall_secs)
gdb=$run/out/guest.db
{
	echo "# A real pseries guest capture made by this harness ($name)"
	echo
	echo "Debian's ppc64el kernel $(sed -n 1p "$root/build/pseries/guest/kernel-release") (package"
	echo "$(sed -n 2p "$root/build/pseries/guest/kernel-release")) booted as a QEMU pseries guest ($qemu), \`-M pseries -cpu POWER8"
	echo "-smp $smp -m 2048\`, TCG emulation, \`disable_radix\` (the guest reported"
	echo "\`$(grep -m1 '^MMU' "$run/out/cpuinfo" | tr -s '\t ' ' ')\`, \`$(grep -m1 '^timebase' "$run/out/cpuinfo" | tr -s '\t ' ' ')\`),"
	echo "busybox-static $busybox as userspace. Inside the guest \`tlbcollect --guest\`"
	echo "(static ppc64el build, BPF raw tracepoints on powerpc:hcall_entry/hcall_exit, no kernel"
	echo "BTF) recorded every hcall while pseries/workload forked, mapped, touched, mprotect'ed and"
	echo "unmapped memory on every vcpu for $work_secs s ($(sed 's/^workload: //' "$run/out/workload.txt"))."
	echo "At the same time \`tlbcollect --pid QEMU\` on the x86 host recorded QEMU's vcpu threads"
	echo "(\`CPU N/TCG\`; their switch-ins are the guest_enter events, their"
	echo "switch-outs the guest_exit events). Wall time of the run: ${wall_secs%.*} s."
	echo
	echo "Made with: \`make cross-ppc64el && pseries/mksample.sh $name\` (as root; it runs"
	echo "\`pseries/check.sh\`, whose output is \`checks.txt\`)."
	echo
	echo "## Files"
	if [ "$merged" = "$run/merged-sync.db" ]; then
		echo "- \`merged.db.xz\`: host and guest joined by \`tlbmerge host.db guest.db -o merged.db --offset $(awk '$1 == "sync_merge_offset_ns" { print $2 }' "$run/clocksync.txt") --rate 1\`,"
		echo "  the clock relation measured on the console (below): replay this one."
	elif [ -f "$tmp/merged.db.xz" ]; then
		echo "- \`merged.db.xz\`: host and guest joined by \`tlbmerge host.db guest.db -o merged.db\`: replay this one."
	fi
	[ -f "$tmp/guest.db.xz" ] && echo "- \`guest.db.xz\`: the guest capture, $(sqlite3 "$gdb" 'select count(*) from event') events, \`$(meta "$gdb" bpf_mode)\`, lost_events $(meta "$gdb" lost_events), hcalls_unpaired $(meta "$gdb" hcalls_unpaired)."
	[ -f "$tmp/host.db.xz" ] && echo "- \`host.db.xz\`: the host capture, $(sqlite3 "$run/host.db" 'select count(*) from event') events, lost_events $(meta "$run/host.db" lost_events)."
	echo "- \`trace.txt.xz\`: the guest's own tracefs record of the same run (instance with"
	echo "  \`trace_clock=mono\`: timestamps are CLOCK_MONOTONIC seconds): powerpc:hcall_entry/hcall_exit."
	echo "- \`hcallcount.txt\`: hcallcount's counts (BPF raw_tp) and its window (CLOCK_MONOTONIC ns)."
	echo "- \`checks.txt\`: the checks of this run (\`pseries/check.sh\`), with the count tables."
	echo
	echo "Decompress with \`xz -dk FILE.xz\`; replay with \`tlbreplay merged.db\` (or \`guest.db\`)."
	echo
	echo "## hcalls per opcode in the checked window: tlbcollect vs the guest's own tracefs"
	echo
	echo "The window is CLOCK_MONOTONIC [start, stop] around the workload, with 1 s of quiet"
	echo "on either side; tracefs (instance with trace_clock=mono) lost no event. hcallcount is"
	echo "the harness's second BPF witness (pseries/hcallcount.bpf.c)."
	echo
	echo '```'
	if [ -f "$run/cmp-tlbcollect.txt" ]; then cat "$run/cmp-tlbcollect.txt"; else cat "$run/cmp-hcallcount.txt"; fi
	echo '```'
	if [ -f "$run/merge-fit.txt" ]; then
		echo
		echo "## The clocks: tlbmerge's own fit against the console clock sync"
		echo
		echo "\`tlbmerge host.db guest.db -o merged.db\` (offset and rate estimated) wrote:"
		echo
		echo '```'
		cat "$run/merge-fit.txt"
		echo '```'
		echo
		echo "The guest's pseries/clocksync wrote its CLOCK_MONOTONIC on the console 10 times before"
		echo "and 10 times after the window; pseries/linestamp stamped each line with the host's"
		echo "CLOCK_MONOTONIC on arrival. host - guest, least over the lines, is the clock offset plus"
		echo "the least delivery latency (spread = largest - least). merge_error_ns is tlbmerge's host"
		echo "time for the window's middle minus the console's; sync_merge_offset_ns is the --offset"
		echo "the console alone would give (rate 1: QEMU's TCG timebase follows the host clock). It is"
		echo "the witness of the fit, not its input: merged.db uses tlbmerge's own estimate."
		echo
		echo '```'
		cat "$run/clocksync.txt" 2> /dev/null
		echo '```'
	fi
	if [ -f "$run/replay.txt" ]; then
		echo
		echo "## Replay under the four policies"
		echo
		echo '```'
		sed "s|$run/||g" "$run/replay.txt"
		echo '```'
	fi
	echo
	echo "## Checks that did not pass in this run"
	echo
	if grep -q '^not ok' "$run.tap"; then
		awk '/^not ok/ { show = 1; print "    " $0; next } show && /^#   / { print "    " $0; next } { show = 0 }' "$run.tap"
	else
		echo "None."
	fi
	grep '# SKIP' "$run.tap" | sed 's/^ok [0-9]* - /- skipped: /' || true
} > "$tmp/README.md"
rm -rf "$dest"
mv "$tmp" "$dest"
du -sh "$dest"/*
exit "$status"
