#!/usr/bin/env bash
# pseries/run.sh [options] OUTDIR - one recorded run of a real ppc64el guest under QEMU.
#
# Owns the boot and the two recordings of one run: builds the initramfs, boots Debian's
# ppc64el 6.1 kernel as a pseries POWER8 guest with the hash MMU (disable_radix), records
# the host side with tlbcollect ($TLB_HOST_BIN, default build/bin) on QEMU's vcpu
# threads (when that binary exists), and brings the guest's results back from /dev/hvc1 (base64 of a gzip'ed tar,
# every \n turned into \r\n on the way). Only one QEMU at a time (flock), never left
# running (killed on any exit). Needs `make cross-ppc64el` first.
#
# OUTDIR gets: console.log (each line prefixed with the host's CLOCK_MONOTONIC ns), hvc1.raw, out/ (what the guest sent: trace.txt,
# hcallcount.txt, guest.db, cpuinfo, ...), host.db and host-collect.log (host side),
# run.env (settings and timings). Exit 0 when the guest's results came back (a failure
# inside the guest is in out/failed), 1 when they did not, 2 on bad usage.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=$root/build/pseries
xbin=$root/build/ppc64el
hostbin=${TLB_HOST_BIN:-$root/build/bin}	# where the host's tlbcollect is
usage() {
	cat >&2 <<'USAGE'
USAGE: pseries/run.sh [--smp N] [--work-secs N] [--pages N] [--timeout SEC] [--no-host] OUTDIR
  --smp N         guest vcpus (default 4)
  --work-secs N   seconds of fork/mmap/munmap workload (default 3)
  --pages N       pages each workload child maps (default 32, 64 KiB pages)
  --timeout SEC   kill QEMU after SEC seconds (default 240)
  --no-host       do not record the host side
EXAMPLES:
    pseries/run.sh build/pseries/run    # one 3 s run, 4 vcpus, host recorded too
USAGE
	exit 2
}
smp=4 secs=3 pages=32 timeout=240 host=1
while [ $# -gt 0 ]; do
	case "$1" in
	--smp) smp=${2:?}; shift 2 ;;
	--work-secs) secs=${2:?}; shift 2 ;;
	--pages) pages=${2:?}; shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--no-host) host=0; shift ;;
	-h|--help) usage ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || usage
outdir=$1
for v in "$smp" "$secs" "$pages" "$timeout"; do [[ "$v" =~ ^[0-9]+$ ]] || usage; done
die() { echo "pseries/run.sh: $*" >&2; exit 1; }

linestamp=${TLB_TESTBIN:-$root/build/test}/linestamp
for f in "$cache/guest/vmlinux" "$cache/guest/busybox" "$xbin/pseries/hcallcount" "$xbin/pseries/workload" \
	"$xbin/pseries/clocksync" "$linestamp"; do
	[ -f "$f" ] || die "cannot find $f: run 'make cross-ppc64el' first"
done
command -v qemu-system-ppc64 > /dev/null || die "cannot find qemu-system-ppc64 (scripts/install-deps.sh pseries)"
rm -rf "$outdir"
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)

bins=("$xbin/pseries/hcallcount" "$xbin/pseries/workload" "$xbin/pseries/clocksync")
guest_collect=0
if [ -x "$xbin/bin/tlbcollect" ]; then
	bins+=("$xbin/bin/tlbcollect")
	guest_collect=1
fi
"$root/pseries/mkinitramfs.sh" "$outdir/initramfs.cpio.gz" "$cache/guest/busybox" "${bins[@]}" -- \
	WORK_SECS="$secs" MARGIN_SECS=1 WORK_PAGES="$pages" COLLECT_SETTLE_SECS=1

exec 9> "$cache/qemu.lock"
flock -w 600 9 || die "another pseries guest is still running (lock $cache/qemu.lock)"

qpid='' hpid='' spid=''
cleanup() {
	[ -n "$hpid" ] && kill -INT "$hpid" 2> /dev/null && wait "$hpid" 2> /dev/null
	[ -n "$qpid" ] && kill "$qpid" 2> /dev/null && wait "$qpid" 2> /dev/null
	[ -n "$spid" ] && kill "$spid" 2> /dev/null && wait "$spid" 2> /dev/null
	return 0
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP	# through the EXIT trap: QEMU never outlives us
stop_host() {
	local hrc=0
	kill -INT "$hpid" 2> /dev/null || true
	wait "$hpid" || hrc=$?
	hpid=
	[ "$hrc" -eq 0 ] || { tail -5 "$outdir/host-collect.log" >&2; echo "pseries/run.sh: host tlbcollect exited $hrc" >&2; return 1; }
}

# The console goes through linestamp: every line starts with the host's CLOCK_MONOTONIC
# ns at its arrival (the clock check compares them with the guest's clocksync lines).
mkfifo "$outdir/console.fifo"
"$linestamp" < "$outdir/console.fifo" > "$outdir/console.log" &
spid=$!
t0=$(date +%s.%N)
qemu-system-ppc64 -M pseries -cpu POWER8 -smp "$smp" -m 2048 -nographic -nodefaults \
	-name tlb-pseries,debug-threads=on \
	-chardev stdio,id=con,signal=off -device spapr-vty,chardev=con \
	-chardev file,id=tr,path="$outdir/hvc1.raw" -device spapr-vty,chardev=tr \
	-kernel "$cache/guest/vmlinux" -initrd "$outdir/initramfs.cpio.gz" \
	-append "console=hvc0 disable_radix quiet" \
	< /dev/null > "$outdir/console.fifo" 2>&1 &
qpid=$!

# The host records from the guest's "capture start" to its "capture end" console lines
# (the guest waits COLLECT_SETTLE_SECS after the first, so the host has attached).
host_collect=0
[ "$host" = 1 ] && [ -x "$hostbin/tlbcollect" ] && host_collect=1
host_state=waiting
deadline=$(( $(date +%s) + timeout ))
while kill -0 "$qpid" 2> /dev/null; do
	if [ "$(date +%s)" -ge "$deadline" ]; then
		kill "$qpid"
		wait "$qpid" || true
		qpid=
		tail -20 "$outdir/console.log" >&2
		die "guest did not finish within $timeout s (console: $outdir/console.log)"
	fi
	if [ "$host_collect" = 1 ] && [ "$host_state" = waiting ] && grep -q '^[0-9]* harness: capture start' "$outdir/console.log"; then
		"$hostbin/tlbcollect" --pid "$qpid" -o "$outdir/host.db" > "$outdir/host-collect.log" 2>&1 &
		hpid=$!
		host_state=recording
	fi
	if [ -n "$hpid" ] && grep -q '^[0-9]* harness: capture end' "$outdir/console.log"; then
		stop_host || exit 1
	fi
	sleep 0.2
done
qrc=0
wait "$qpid" || qrc=$?
qpid=
wait "$spid" || die "linestamp failed on the console"
spid=
rm -f "$outdir/console.fifo"
t1=$(date +%s.%N)
[ -n "$hpid" ] && { stop_host || exit 1; }
[ "$qrc" -eq 0 ] || die "qemu-system-ppc64 exited $qrc (console: $outdir/console.log)"

# /dev/hvc1 -> out/: between the markers, \r\n back to \n, base64 -> tar.gz
tr -d '\r' < "$outdir/hvc1.raw" | sed -n '/^==TLB-BEGIN==$/,/^==TLB-END==$/p' | sed '1d;$d' \
	| base64 -d > "$outdir/out.tgz" || die "cannot decode the data from /dev/hvc1 ($outdir/hvc1.raw)"
gzip -t "$outdir/out.tgz" || die "the data from /dev/hvc1 is not a whole gzip stream ($outdir/hvc1.raw)"
tar -xzf "$outdir/out.tgz" -C "$outdir"
# A failure inside the guest is the checks' to report: its data came back all the same.
[ -f "$outdir/out/failed" ] && echo "pseries/run.sh: inside the guest: $(cat "$outdir/out/failed")" >&2

cat > "$outdir/run.env" <<ENV
smp=$smp
work_secs=$secs
pages=$pages
wall_secs=$(echo "$t1 - $t0" | bc 2>/dev/null || awk "BEGIN{print $t1-$t0}")
guest_collect=$guest_collect
host_collect=$host_collect
qemu=$(qemu-system-ppc64 --version | head -1)
kernel=$(head -1 "$cache/guest/kernel-release") $(sed -n 2p "$cache/guest/kernel-release")
busybox=$(cat "$cache/guest/busybox-version")
ENV
