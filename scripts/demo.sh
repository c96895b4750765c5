#!/usr/bin/env bash
# demo.sh BIN - the main job on the bundled samples: generate -> replay -> report.
#
# 0. the emulated POWER KVM host captures in samples/powernv9-6.1 and powernv8-6.1 (Debian's
#    6.1 kernel as the host, kvm_hv, our VMM; kernel_flush rows next to the replay's flushes);
# 1. the real capture in samples/pseries-6.1-smp4 (a Linux 6.1 pseries guest under QEMU,
#    host and guest merged) is decompressed;
# 2. tlbgen writes the four problem scenarios of commit 1b400ba0cd and the parametric
#    workloads listed in samples/generated/*.args;
# 3. tlbreplay --store replays each through old, new, modern, tracked and optimal;
# 4. tlbreport puts them side by side in build/demo/report/index.html;
# 5. tlbreport --fleet reports them as a fleet in build/demo/fleet (with fleet.db).
# Everything lands in build/demo (DEMO_DIR overrides); nothing outside it is touched.
set -euo pipefail
bin=$(cd "${1:-build/bin}" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
out=${DEMO_DIR:-$root/build/demo}
rm -rf "$out"
mkdir -p "$out"
cd "$out"

step() { printf '\n== %s\n' "$*"; }
dbs=()

# --- the emulated POWER KVM host (powernv/): shown first -------------------------------
step "real host capture: samples/powernv9-6.1 (Debian 6.1 kernel as a POWER9 KVM host, kvm_hv, emulated cpu)"
echo "   real: the kernel, kvm-hv, its tracepoints, BPF, the HPT hcalls and the kernel's own"
echo "   flushes (kernel_flush: tlbcollect --kernel-flush, optimized kprobes); emulated: the cpu (QEMU TCG powernv9: no SMT,"
echo "   TCG timing). The VMM's log (vmm.log.xz) is the ground truth it was checked against."
for m in powernv9 powernv8; do
	sample=$root/samples/$m-6.1/host.db.xz
	# POWER8 serves the HPT hcalls in real mode: the replay needs them from the VMM's log
	[ "$m" = powernv8 ] && sample=$root/samples/$m-6.1/with-vmm-hcalls.db.xz
	if [ -f "$sample" ]; then
		xz -dc "$sample" > "$m-host.db"
		dbs+=("$m-host.db")
		sqlite3 -separator ' = ' "$m-host.db" \
			"SELECT key, value FROM meta WHERE key IN ('kernel','cpu_model','bpf_mode','guest_enter_source','kernel_flush_source','lost_events') ORDER BY key" \
			| sed "s/^/   $m: /"
		echo "   $m: kernel_flush per VM (the kernel) vs tlbreplay's full flushes (modern for HPT VMs, radix for radix VMs; each VM's MMU from the capture's vm_mmu table):"
		mach=power8
		[ "$m" = powernv9 ] && mach=power9-hash
		xz -dc "$root/samples/$m-6.1/vmm.log.xz" | awk '$1 == "vm" { print $4, $2 }' > "$m-vms.txt"
		# vm_mmu keeps each policy to the VMs of its MMU: a VM has a modern row or a radix row
		"$bin/tlbreplay" --quiet --format csv --policy modern,radix --machine "$mach" "$m-host.db" 2> /dev/null |
			awk -F, 'NR > 1 && $2 != "all" { print $2, $1, $6 }' |
			while read -r vm pol ff; do
				pid=$(sqlite3 "$m-host.db" "SELECT pid FROM vm WHERE id = $vm")
				name=$(awk -v p="$pid" '$1 == p { print $2 }' "$m-vms.txt")
				mmu=$(sqlite3 "$m-host.db" "SELECT coalesce((SELECT mmu FROM vm_mmu WHERE vm = $vm), 'unknown')")
				kf=$(sqlite3 "$m-host.db" "SELECT count(*) FROM event e JOIN event_kind k ON k.id = e.kind WHERE k.name = 'kernel_flush' AND e.vm = $vm")
				if [ "$mmu" = radix ]; then
					echo "     VM $name (radix): kernel $kf, $pol $ff (kvmppc_prepare_radix_vcpu's prev_cpu rule)"
				elif [ "$mmu" = hash ]; then
					echo "     VM $name (HPT): kernel $kf, $pol $ff$( [ "$m" = powernv9 ] && [ "$kf" != "$ff" ] && echo ' (POWER9 HPT invalidations are all global: samples/powernv9-6.1/README.md)')"
				else
					echo "     VM $name (MMU unknown): kernel $kf, $pol $ff"
				fi
			done
	else
		echo "   (not in this checkout: $sample)"
	fi
done
# --- end of the powernv part -------------------------------------------------------------

step "real capture: samples/pseries-6.1-smp4 (ppc64el Linux 6.1 guest, hash MMU, 4 vcpus)"
sample=$root/samples/pseries-6.1-smp4/merged.db.xz
if [ -f "$sample" ]; then
	xz -dc "$sample" > pseries-smp4.db
	dbs+=(pseries-smp4.db)
	sqlite3 -separator ' = ' pseries-smp4.db \
		"SELECT key, value FROM meta WHERE key IN ('source','kernel','host','event_count','lost_events','merge_guest1_offset_ns','merge_guest1_rate','merge_guest1_residual_ns') ORDER BY key" \
		| sed 's/^/   /'
else
	echo "   (not in this checkout: $sample)"
fi

step "generated: the four problems commit 1b400ba0cd names (tlbgen --scenario)"
while read -r name _; do
	"$bin/tlbgen" --scenario "$name" -o "scenario-$name.db"
	dbs+=("scenario-$name.db")
done < <("$bin/tlbgen" --list)
"$bin/tlbgen" --list | sed 's/^/   /'

step "generated: parametric workloads (samples/generated/*.args)"
for args in "$root"/samples/generated/*.args; do
	[ -f "$args" ] || continue
	name=$(basename "$args" .args)
	# shellcheck disable=SC2046 # one option per word, comments dropped
	"$bin/tlbgen" $(grep -v '^#' "$args") -o "workload-$name.db"
	dbs+=("workload-$name.db")
	printf '   %-28s %s\n' "workload-$name.db" "$(grep -v '^#' "$args" | tr '\n' ' ')"
done

step "replay: tlbreplay --store (old, new, modern, tracked, optimal; radix too on POWER9)"
# Each capture replays on the machine it was made on: the emulated hosts' own profiles
# (POWER9 with its radix VM), the power7 default for the rest.
replay_args() {
	case "$1" in
	powernv9*) echo "--machine power9-hash --policy old,new,modern,tracked,optimal,radix" ;;
	powernv8*) echo "--machine power8" ;;
	esac
}
for db in "${dbs[@]}"; do
	# shellcheck disable=SC2046 # replay_args gives words on purpose
	"$bin/tlbreplay" --quiet --store $(replay_args "$db") "$db" > /dev/null
done
for db in "${dbs[@]}"; do
	case "$db" in powernv*|pseries-*|workload-*)
		echo
		# shellcheck disable=SC2046
		"$bin/tlbreplay" --quiet $(replay_args "$db") "$db" | grep -E '^(trace|MMU|policy| *[a-z]+ +all)' ;;
	esac
done

step "report: tlbreport (plots by gnuplot)"
"$bin/tlbreport" -o report --format table "${dbs[@]}"

step "fleet: tlbreport --fleet (each capture above as one host; stored results only, no replay)"
"$bin/tlbreport" --fleet -o fleet --format table "${dbs[@]}"
echo
echo "report: $out/report/index.html"
echo "        $out/report/summary.md"
echo "fleet:  $out/fleet/index.html, $out/fleet/fleet.db"
