#!/usr/bin/env bash
# powernv/nested.sh [options] OUTDIR - a real Linux guest under the emulated kvm_hv, recorded
# from both sides and merged (issue 10 item 5).
#
# Owns the nested run end to end: the ppc64el QEMU tree (powernv/nested-deps.sh), the
# nested guest's initramfs (busybox, tlbcollect, pseries/workload.c's workload,
# powernv/nested-guest-init.sh as /init), one boot of the emulated POWER host
# (powernv/run.sh with powernv/nested-init.sh as /init and that tree; the host records
# with tlbcollect, with --kflush also the kernel's own flushes: tlbcollect --kernel-flush,
# while ONE pseries KVM guest runs tlbcollect --guest over the workload),
# then on this machine: tlbmerge host.db guest.db -o merged.db (the clock offset from the
# console hcalls both sides recorded: powernv/hcall-offset.sh), the VM's MMU from the
# guest's /proc/cpuinfo (powernv/vm-mmu.sh), and tlbreplay merged.db.
# OUTDIR gets: host.db, guest.db, merged.db, merge.txt, replay.txt (+ .csv), nested.env (settings,
# times, counts) and run/ (powernv/run.sh's OUTDIR: console.log, out/ ...).
# Every QEMU run is under flock /tmp/tlb-qemu.lock (one emulated machine at a time on
# this machine) and bounded (--timeout, and the nested QEMU by --nested-timeout).
# Exit 0 when merged.db replayed, 1 when a step failed (named on stderr), 2 on bad usage.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${TLB_BIN:-$root/build/bin}
cache=$root/build/pseries
xbin=$root/build/ppc64el
usage() {
	cat >&2 <<'USAGE'
USAGE: powernv/nested.sh [--machine powernv8|powernv9] [--smp N] [--nested-smp N]
                         [--fw slof|vof] [--work-secs S] [--timeout SEC]
                         [--nested-timeout SEC] [--watchdog] [--no-host-collect] [--no-ref]
                         [--kflush] [--hop SECS] OUTDIR
  --machine M          the emulated host (default powernv8: an HPT guest; powernv9: radix)
  --smp N              the host's cpus (default 1: at 2 the host wedged with tlbcollect)
  --nested-smp N       the nested guest's vcpus (default 1; 2 wedged the host so far)
  --fw F               the nested guest's firmware: vof (default: x-vof=on, ~10 s to its
                       userspace) or slof (~40 s more under TCG)
  --work-secs S        seconds of workload in the nested guest (default 1)
  --timeout SEC        kill the emulated host after SEC seconds (default 200)
  --nested-timeout SEC kill the nested QEMU after SEC seconds (default 120)
  --no-host-collect    neither tlbcollect nor the tracefs reference on the host (to
                       tell their cost from the nesting's; no merge then)
  --no-ref             no tracefs reference counts on the host
  --hop SECS           move the vcpu thread to the other host cpu every SECS (needs
                       --smp 2; with --kflush: the kernel's flushes on moves, in the
                       guest's capture window, next to tlbreplay modern's)
  --kflush             record the kernel's own flushes (kernel_flush rows: tlbcollect
                       --kernel-flush, its optimized kprobes in kvm_hv's entry code)
  --watchdog           keep the host kernel's hard-lockup watchdog (default: nmi_watchdog=0)
EXAMPLES:
    powernv/nested.sh build/nested/p8
    powernv/nested.sh --machine powernv9 build/nested/p9
USAGE
	exit 2
}
machine=powernv8 smp=1 nsmp=1 fw=vof work=1 timeout=200 ntimeout=120 watchdog=nmi_watchdog=0 hostrec=1 ref=1 kfl=0 hop=''
while [ $# -gt 0 ]; do
	case "$1" in
	--machine) machine=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--nested-smp) nsmp=${2:?}; shift 2 ;;
	--fw) fw=${2:?}; shift 2 ;;
	--work-secs) work=${2:?}; shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--nested-timeout) ntimeout=${2:?}; shift 2 ;;
	--watchdog) watchdog=''; shift ;;
	--no-host-collect) hostrec=0 ref=0; shift ;;
	--no-ref) ref=0; shift ;;
	--kflush) kfl=1; shift ;;
	--hop) hop=${2:?}; [[ "$hop" =~ ^[0-9]+(\.[0-9]+)?$ ]] || usage; shift 2 ;;
	-h|--help) usage ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || usage
outdir=$1
case "$machine" in powernv8|powernv9) ;; *) usage ;; esac
case "$fw" in slof|vof) ;; *) usage ;; esac
for v in "$smp" "$nsmp" "$work" "$timeout" "$ntimeout"; do [[ "$v" =~ ^[1-9][0-9]*$ ]] || usage; done
die() { echo "powernv/nested.sh: $*" >&2; exit 1; }

"$root/powernv/nested-deps.sh" "$root/build/nested" || die "cannot get the ppc64el QEMU (powernv/nested-deps.sh)"
for f in "$cache/guest/vmlinux" "$cache/guest/busybox" "$xbin/bin/tlbcollect" "$xbin/pseries/workload" \
	"$xbin/powernv/memout"; do
	[ -f "$f" ] || die "cannot find $f: run 'make powernv-cross' first"
done
for p in tlbmerge tlbreplay; do
	[ -x "$bin/$p" ] || die "cannot find $bin/$p (make)"
done
rm -rf "$outdir"
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)

# The emulated host's extra file system: QEMU and its libraries, the nested guest's kernel
# and initramfs. Hard links where the build dir allows (it is ~100 MB).
tree=$outdir/tree
mkdir -p "$tree/guest"
cp -al "$root/build/nested/qemu-root/." "$tree/" 2> /dev/null || cp -a "$root/build/nested/qemu-root/." "$tree/"
ln "$cache/guest/vmlinux" "$tree/guest/vmlinux" 2> /dev/null || cp "$cache/guest/vmlinux" "$tree/guest/vmlinux"
TLB_INIT=$root/powernv/nested-guest-init.sh "$root/pseries/mkinitramfs.sh" "$tree/guest/initrd.gz" \
	"$cache/guest/busybox" "$xbin/bin/tlbcollect" "$xbin/pseries/workload" "$xbin/powernv/memout" \
	"$root/powernv/lib.sh" -- \
	"WORK_SECS=$work" WORK_PAGES=16

# The host's hard-lockup watchdog fires while the nested guest boots (a cpu of the
# emulated host 16 s without its heartbeat): a report of it, --watchdog, no longer ends
# the run; without it (the default) the watchdog is off. --timeout bounds the run anyway.
# QEMU 7.2's default pseries caps ask for spectre/meltdown mitigations the emulated
# kvm_hv does not report ("Requested safe cache capability level not supported by KVM"):
# the nested guest runs with them off.
caps=pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off,cap-htm=off,cap-fwnmi=off
collect_opt=()
[ "$hostrec" = 1 ] || collect_opt=(--no-collect)
# the kernel's own flushes (--kflush): tlbcollect --kernel-flush on the host, started
# before the nested QEMU (powernv/nested-init.sh); without it, tlbcollect alone
[ "$kfl" = 1 ] || collect_opt+=(--no-kernel-flush)
exec 8> /tmp/tlb-qemu.lock
flock -w 900 8 || die "another emulated machine is still running (lock /tmp/tlb-qemu.lock)"
t0=$(date +%s.%N)
"$root/powernv/run.sh" --machine "$machine" --smp "$smp" --timeout "$timeout" \
	--init "$root/powernv/nested-init.sh" --tree "$tree" --lockup-warn --append "$watchdog" \
	--set "NESTED_MACHINE=$caps" --set "NESTED_SMP=$nsmp" --set NESTED_MEM=512 \
	--set "NESTED_TIMEOUT=$ntimeout" --set "NESTED_FW=$fw" --set "REF=$ref" --set "NESTED_HOP=$hop" \
	${collect_opt[@]+"${collect_opt[@]}"} "$outdir/run" ||
	die "the emulated host run failed (console: $outdir/run/console.log)"
t1=$(date +%s.%N)
flock -u 8
rm -rf "$tree"
out=$outdir/run/out
[ -f "$out/failed" ] && echo "powernv/nested.sh: on the emulated host: $(tr '\n' ' ' < "$out/failed")" >&2
[ -f "$out/guest/out/failed" ] && echo "powernv/nested.sh: in the nested guest: $(tr '\n' ' ' < "$out/guest/out/failed")" >&2
[ -f "$out/host.db" ] || die "no host.db from the emulated host ($out/tlbcollect.err)"
[ -f "$out/guest/out/guest.db" ] || die "no guest.db from the nested guest ($out/nested-console.txt)"
cp "$out/host.db" "$outdir/host.db"
# kernel_flush rows: tlbcollect --kernel-flush wrote them in time order with the rest
kflush=no
if [ "$kfl" = 1 ]; then
	if [ -n "$(sqlite3 "$outdir/host.db" "select value from meta where key = 'kernel_flush_source'")" ]; then
		kflush=yes
	else
		echo "powernv/nested.sh: no kernel_flush rows: tlbcollect --kernel-flush refused on the emulated host ($(tr '\n' ' ' < "$out/kflush-refused" 2> /dev/null))" >&2
	fi
fi
cp "$out/guest/out/guest.db" "$outdir/guest.db"

# The clock relation from the console hcalls both sides recorded (powernv/hcall-offset.sh);
# without them, tlbmerge's own estimate (weak here: with one host cpu the vcpu's run
# intervals place the guest's events equally well over seconds of offsets).
relation=estimated rel_spread='' rel_pairs=''
merge_args=()
if rel=$("$root/powernv/hcall-offset.sh" "$outdir/host.db" "$outdir/guest.db" 2> "$outdir/hcall-offset.err"); then
	read -r _ offset _ rel_spread _ rel_pairs <<< "$rel"
	relation=console-hcalls merge_args=(--offset "$offset" --rate 1)
else
	echo "powernv/nested.sh: no clock relation from the console hcalls ($(cat "$outdir/hcall-offset.err")): tlbmerge estimates it" >&2
fi
"$bin/tlbmerge" "$outdir/host.db" "$outdir/guest.db" ${merge_args[@]+"${merge_args[@]}"} -o "$outdir/merged.db" > "$outdir/merge.txt" 2>&1 ||
	{ cat "$outdir/merge.txt" >&2; die "tlbmerge failed"; }
# the VM's MMU, as the nested guest's kernel says it (vm-mmu.sh reads the VMM-log form)
mmu=$(awk -F': *' '$1 ~ /^MMU/ { print tolower($2); exit }' "$out/guest/out/cpuinfo")
case "$mmu" in hash) mmu=hpt ;; radix) ;; *) die "no MMU line in the nested guest's /proc/cpuinfo" ;; esac
pid=$(sqlite3 "$outdir/merged.db" "select pid from vm order by id limit 1")
[[ "$pid" =~ ^[0-9]+$ ]] || die "no VM with a pid in merged.db"
echo "vm nested pid $pid mmu $mmu vcpus $nsmp" > "$outdir/vm.log"
"$root/powernv/vm-mmu.sh" "$outdir/vm.log" "$outdir/merged.db" || die "powernv/vm-mmu.sh failed"
# the replay on the emulated machine's model (no SMT there: 1 thread per core); a radix
# VM (POWER9) by the radix policy, the hash ones by the default list
model=power8 policies=old,new,modern,tracked,optimal
[ "$machine" = powernv9 ] && model=power9-hash
[ "$mmu" = radix ] && policies=radix
for fmt in table csv; do
	"$bin/tlbreplay" -m "$model" -t 1 -P "$policies" --format "$fmt" "$outdir/merged.db" > "$outdir/replay.$fmt" 2> "$outdir/replay.err" ||
		{ cat "$outdir/replay.err" >&2; die "tlbreplay merged.db failed"; }
done
mv "$outdir/replay.table" "$outdir/replay.txt"
# The kernel's flushes against modern's over the guest's capture window (the merge has the
# guest's invalidations only there): first to last HPT hcall of the guest
w_kernel='' w_modern='' w_from='' w_to=''
if [ "$kflush" = yes ] && [ "$mmu" = hpt ]; then
	read -r w_from w_to < <(sqlite3 -separator ' ' "$outdir/merged.db" "select min(e.ts), max(e.ts) + 1 from event e
		join event_kind k on k.id = e.kind where k.name = 'hcall' and e.a0 in (4, 8, 24, 292)")
	w_kernel=$(sqlite3 "$outdir/merged.db" "select count(*) from event e join event_kind k on k.id = e.kind
		where k.name = 'kernel_flush' and e.ts >= $w_from and e.ts < $w_to")
	w_modern=$("$bin/tlbreplay" -m "$model" -t 1 -P modern --from "$w_from" --to "$w_to" --format csv "$outdir/merged.db" 2> /dev/null |
		awk -F, '$1 == "modern" && $2 == "all" { print $6 }')
fi

# times: the host's (uptime s) and the guest's own
at() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
cat > "$outdir/nested.env" <<ENV
machine=$machine
smp=$smp
nested_smp=$nsmp
fw=$fw
host_cmdline_extra=$watchdog
work_secs=$work
qemu_outer=$(qemu-system-ppc64 --version | head -1)
qemu_nested=$(cat "$out/qemu-version" 2> /dev/null) (ppc64el $(cat "$root/build/nested/qemu-root.version"))
kernel=$(head -1 "$cache/guest/kernel-release") $(sed -n 2p "$cache/guest/kernel-release")
wall_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
$(grep '^boot_secs' "$outdir/run/run.env" | sed 's/^/outer_/')
host_boot_uptime=$(at boot "$out/timing")
nested_start_uptime=$(at nested_start "$out/timing")
nested_end_uptime=$(at nested_end "$out/timing")
nested_userspace_uptime=$(awk '$3 == "guest:" && $4 == "userspace" { sub(/\|$/, "", $2); print $2; exit }' "$out/nested-console.txt")
guest_userspace_uptime=$(at userspace "$out/guest/out/timing")
guest_work_secs=$(awk '$1 == "work_start" { s = $2 } $1 == "work_end" { printf "%.1f", $2 - s }' "$out/guest/out/timing")
guest_mmu=$mmu
clock_relation=$relation
kernel_flush_rows=$kflush
hop_secs=$hop
hop=$(cat "$out/hop.txt" 2> /dev/null)
window_ns=$w_from $w_to
window_kernel_flushes=$w_kernel
window_modern_full_flushes=$w_modern
clock_relation_spread_ns=$rel_spread
clock_relation_pairs=$rel_pairs
ENV
echo "powernv/nested.sh: done in $(grep '^wall_secs' "$outdir/nested.env" | cut -d= -f2) s: $outdir/merged.db"
