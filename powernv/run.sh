#!/usr/bin/env bash
# powernv/run.sh [options] OUTDIR - one run of an emulated POWER KVM host (QEMU powernv).
#
# Owns one boot: the initramfs (busybox, kvm.ko + kvm-hv.ko from Debian's kernel deb,
# the VMM, tlbcollect, powernv/host-init.sh as /init, the schedule), QEMU powernv8 or
# powernv9 with Debian's ppc64el 6.1 kernel in hypervisor mode, bounded by --timeout and
# ended by its pid once the host says "reboot: Power down" (QEMU 7.2's powernv does not
# exit on power-off), and the results brought back from the console between marker
# lines (base64 of a gzip'ed tar), or faster through guest memory that QEMU's monitor
# saves (pmemsave; powernv/memout.c).
#
# OUTDIR gets: console.log, out/ (what the host sent: vmm.log, host.db, formats.txt,
# kprobes-list-recording, kprobe_events-after, ...; kflush.txt with --probes), run.env
# (settings, boot and wall times).
# Exit 0 when the results came back (a failure inside is in out/failed), 1 when they did
# not, 2 on bad usage. Needs `make cross-ppc64el powernv-cross` first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=$root/build/pseries
xbin=$root/build/ppc64el
kmod=$root/build/powernv/kmod
usage() {
	cat >&2 <<'USAGE'
USAGE: powernv/run.sh [--machine powernv8|powernv9] [--smp N] [--schedule FILE]
                      [--probes "NAME=SPEC ..."] [--no-collect] [--no-kernel-flush] [--collect-late] [--stop-early]
                      [--timeout SEC]
                      [--init FILE] [--tree DIR] [--set KEY=VALUE]...
                      [--append ARGS] [--lockup-warn] OUTDIR
  --machine M     QEMU machine (default powernv8)
  --smp N         host cpus (default 2)
  --schedule F    the VMM's schedule (default powernv/schedules/check.sched)
  --probes P      extra kprobe events of the harness's own, a cross-check by hand
                  (powernv/kflush-probes.sh prints them; trace in out/kflush.txt)
  --no-collect    do not run tlbcollect on the host
  --no-kernel-flush  tlbcollect without --kernel-flush (its own kernel_flush kprobes)
  --collect-late  an experiment: start tlbcollect 1 s after the VMM, its vcpus running
  --stop-early    an experiment: stop tlbcollect 2 s into the VMM, its vcpus running
  --timeout SEC   kill QEMU after SEC seconds (default 150)
  --init FILE     the host's /init (default powernv/host-init.sh; powernv/nested.sh
                  gives powernv/nested-init.sh)
  --tree DIR      a directory added to the host's file system as it is
  --set KEY=VAL   one more line of the host's /etc/harness.conf (repeatable)
  --append ARGS   more of the host kernel's command line (e.g. nmi_watchdog=0)
  --lockup-warn   a "hard LOCKUP" report of the host's watchdog does not end the run
                  (panics and Oopses still do; --timeout bounds it)
EXAMPLES:
    powernv/run.sh --machine powernv9 build/powernv/p9
USAGE
	exit 2
}
machine=powernv8 smp=2 schedule=$root/powernv/schedules/check.sched probes='' collect=1 kflush=1 late=0 early=0 timeout=150
init=$root/powernv/host-init.sh tree='' sets=() append='' crash_re='Kernel panic|Oops:' lockup_crash=1
while [ $# -gt 0 ]; do
	case "$1" in
	--machine) machine=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--schedule) schedule=${2:?}; shift 2 ;;
	--probes) probes=${2?}; shift 2 ;;
	--no-collect) collect=0; shift ;;
	--no-kernel-flush) kflush=0; shift ;;
	--collect-late) late=1; shift ;;
	--stop-early) early=1; shift ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--init) init=${2:?}; shift 2 ;;
	--tree) tree=${2:?}; shift 2 ;;
	--set) [[ "${2:?}" =~ ^[A-Z_]+=[A-Za-z0-9_.,/=:-]*$ ]] || usage; sets+=("$2"); shift 2 ;;
	--append) [[ "${2?}" =~ ^[A-Za-z0-9_.,=\ -]*$ ]] || usage; append=$2; shift 2 ;;
	--lockup-warn) lockup_crash=0; shift ;;
	-h|--help) usage ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || usage
outdir=$1
case "$machine" in powernv8|powernv9) ;; *) usage ;; esac
for v in "$smp" "$timeout"; do [[ "$v" =~ ^[0-9]+$ ]] || usage; done
[[ "$probes" =~ ^[A-Za-z0-9_=+%:.\;()@\ -]*$ ]] || { echo "powernv/run.sh: bad characters in --probes" >&2; exit 2; }
die() { echo "powernv/run.sh: $*" >&2; exit 1; }

ko=$(find "$kmod" -name kvm.ko | head -1)
kohv=$(find "$kmod" -name kvm-hv.ko | head -1)
for f in "$cache/guest/vmlinux" "$cache/guest/busybox" "$xbin/powernv/vmm" "$ko" "$kohv" "$schedule"; do
	[ -f "$f" ] || die "cannot find ${f:-kvm.ko/kvm-hv.ko}: run 'make powernv-cross' first"
done
command -v qemu-system-ppc64 > /dev/null || die "cannot find qemu-system-ppc64 (scripts/install-deps.sh pseries)"
rm -rf "$outdir"
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)

# lib.sh: the steps the /init scripts share (sourced as /bin/lib.sh)
bins=("$xbin/powernv/vmm" "$xbin/powernv/memout" "$ko" "$kohv" "$root/powernv/lib.sh")
if [ "$collect" = 1 ]; then
	[ -x "$xbin/bin/tlbcollect" ] || die "cannot find $xbin/bin/tlbcollect (make cross-ppc64el)"
	bins+=("$xbin/bin/tlbcollect")
fi
# the schedule rides along as /bin/NAME (mkinitramfs puts every file there)
bins+=("$schedule")
TLB_INIT=$init TLB_TREE=$tree "$root/pseries/mkinitramfs.sh" "$outdir/initramfs.cpio.gz" \
	"$cache/guest/busybox" "${bins[@]}" -- COLLECT="$collect" KFLUSH="$kflush" COLLECT_LATE="$late" COLLECT_STOP_EARLY="$early" SETTLE_SECS=1 VMM_TIMEOUT=$((timeout / 4)) "PROBES=\"$probes\"" \
	"SCHEDULE=/bin/$(basename "$schedule")" ${sets[@]+"${sets[@]}"}

exec 9> "$cache/qemu.lock"
flock -w 600 9 || die "another emulated machine is still running (lock $cache/qemu.lock)"

qpid='' mpid=''
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2> /dev/null && wait "$qpid" 2> /dev/null
	[ -n "$mpid" ] && kill "$mpid" 2> /dev/null && wait "$mpid" 2> /dev/null
	return 0
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP	# through the EXIT trap: QEMU never outlives us

# The results come back through guest memory (powernv/memout.c prints the physical pages
# that hold them, QEMU's monitor saves them: pmemsave) or, failing that, on the console.
mkfifo "$outdir/mon.in" "$outdir/mon.out"
t0=$(date +%s.%N)
qemu-system-ppc64 -M "$machine" -smp "$smp" -m 4G -nographic -nodefaults \
	-serial stdio -monitor pipe:"$outdir/mon" -kernel "$cache/guest/vmlinux" -initrd "$outdir/initramfs.cpio.gz" \
	-append "console=hvc0 quiet${append:+ $append}" < /dev/null > "$outdir/console.log" 2>&1 &
qpid=$!
cat "$outdir/mon.out" > "$outdir/monitor.log" &
mpid=$!
exec 7<> "$outdir/mon.in"	# read-write: a FIFO opened so never blocks
deadline=$(( $(date +%s) + timeout ))
tboot=''
result=timeout
while kill -0 "$qpid" 2> /dev/null; do
	if [ -z "$tboot" ] && grep -aq '^harness: boot done' "$outdir/console.log"; then
		tboot=$(date +%s.%N)
	fi
	if grep -aq '^==TLB-END==' "$outdir/console.log"; then
		sleep 0.5
		result="done"
		break
	fi
	if grep -aq '^harness: memout end' "$outdir/console.log"; then
		# save every page memout printed, in order, and join them
		tr -d '\r' < "$outdir/console.log" | awk '$1 == "harness:" && $2 == "memout" && $3 == "page" { print $4, $5, $6 }' > "$outdir/pages"
		msize=$(tr -d '\r' < "$outdir/console.log" | awk '$2 == "memout" && $3 == "end" { print $4 }')
		: > "$outdir/out.tgz"
		while read -r idx phys len; do
			[[ "$idx$phys$len" =~ ^[0-9]+$ ]] || break
			echo "pmemsave $phys $len \"$outdir/page.$idx\"" >&7
			for _ in $(seq 1 100); do
				[ -f "$outdir/page.$idx" ] && [ "$(stat -c %s "$outdir/page.$idx")" = "$len" ] && break
				sleep 0.05
			done
			cat "$outdir/page.$idx" >> "$outdir/out.tgz" && rm -f "$outdir/page.$idx"
		done < "$outdir/pages"
		[ "$(stat -c %s "$outdir/out.tgz")" = "$msize" ] && result=memdump || result=memdump-short
		break
	fi
	if grep -aqE "$crash_re" "$outdir/console.log"; then
		sleep 1
		result=crash
		break
	fi
	# The watchdog also reports a hard LOCKUP when this machine starves QEMU (seen under
	# a load of 17 on 2 cores: "CPU 1 became unstuck" within 0.1 s): a crash only if no
	# cpu becomes unstuck within 20 s of the report (a real hang, e.g. a trap in kvm_hv's
	# entry code, never does).
	if [ "$lockup_crash" = 1 ] && grep -aq 'hard LOCKUP' "$outdir/console.log"; then
		[ -n "${t_lockup:-}" ] || t_lockup=$(date +%s)
		if ! grep -aq 'became unstuck' "$outdir/console.log" && [ $(( $(date +%s) - t_lockup )) -ge 20 ]; then
			result=crash
			break
		fi
	fi
	[ "$(date +%s)" -lt "$deadline" ] || break
	sleep 0.2
done
kill "$qpid" 2> /dev/null || true
wait "$qpid" 2> /dev/null || true
qpid=
exec 7>&-
kill "$mpid" 2> /dev/null || true
wait "$mpid" 2> /dev/null || true
mpid=
t1=$(date +%s.%N)
cat > "$outdir/run.env" <<ENV
machine=$machine
smp=$smp
schedule=$(basename "$schedule")
probes=$probes
collect=$collect
kernel_flush=$kflush
collect_late=$late
stop_early=$early
watchdog_lockups=$(grep -ac 'hard LOCKUP' "$outdir/console.log")
watchdog_unstuck=$(grep -ac 'became unstuck' "$outdir/console.log")
result=$result
boot_secs=$(awk -v a="$t0" -v b="${tboot:-$t1}" 'BEGIN { printf "%.1f", b - a }')
wall_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
qemu=$(qemu-system-ppc64 --version | head -1)
kernel=$(head -1 "$cache/guest/kernel-release") $(sed -n 2p "$cache/guest/kernel-release")
ENV
case "$result" in
done)
	tr -d '\r' < "$outdir/console.log" | sed -n '/^==TLB-BEGIN==$/,/^==TLB-END==$/p' | sed '1d;$d' \
		| base64 -d > "$outdir/out.tgz" || die "cannot decode the data from the console ($outdir/console.log)"
	gzip -t "$outdir/out.tgz" || die "the data from the console is not a whole gzip stream ($outdir/console.log)" ;;
memdump)
	gzip -t "$outdir/out.tgz" || die "the data QEMU saved from guest memory is not a whole gzip stream ($outdir/monitor.log)" ;;
*)
	tail -30 "$outdir/console.log" >&2
	die "the host did not finish ($result; console: $outdir/console.log)" ;;
esac
tar -xzf "$outdir/out.tgz" -C "$outdir"
[ -f "$outdir/out/failed" ] && echo "powernv/run.sh: inside the host: $(cat "$outdir/out/failed")" >&2
exit 0
