#!/bin/busybox sh
# shellcheck shell=dash
# powernv/nested-init.sh - /init of the emulated POWER host for the nested run
# (powernv/nested.sh): a real Linux guest under the host's kvm_hv.
#
# Owns what happens on the emulated host: mounts, kvm.ko + kvm-hv.ko, a tracefs instance
# counting the kvm_hv events (the reference the host capture is checked against),
# tlbcollect on the host (tracefs-format programs: no kernel BTF), ONE nested guest:
# qemu-system-ppc64 (ppc64el, from the initramfs) with -enable-kvm -M pseries -cpu host,
# its vcpu threads named "CPU N/KVM" (debug-threads), Debian's kernel and the guest
# initramfs (powernv/nested-guest-init.sh: tlbcollect --guest over a workload), bounded
# by NESTED_TIMEOUT; the guest's console on this console, each line "nested UPTIME| ...",
# its results (guest.db) from its RAM, a file here (memory-backend-file), at the pages
# its memout printed (or from its second console, /dev/hvc1 there, a file here); then
# everything back to powernv/run.sh (results_back of powernv/lib.sh, the shared steps).
# Settings from /etc/harness.conf (powernv/nested.sh gives them through run.sh --set):
#   NESTED_SMP, NESTED_MEM (MiB), NESTED_TIMEOUT (s), NESTED_FW (slof|vof)
#   NESTED_MACHINE     -M of the nested QEMU: pseries plus the caps this kvm_hv accepts
#   COLLECT=1          record with /bin/tlbcollect on the host
#   KFLUSH=1           ... with --kernel-flush (the kernel's own flushes: kernel_flush rows;
#                      started before the nested QEMU, whose vcpu thread would make it
#                      refuse; when it refuses anyway, tlbcollect without it, said in
#                      out/kflush-refused)
#   REF=1              count the kvm_hv events with hist triggers (the reference)
#   NESTED_HOP=SECS    move the vcpu thread ("CPU 0/KVM") to the other host cpu every SECS
#                      (taskset), as the VMM's hop schedule does: flushes to compare
# busybox ash, no `set -e`: a failure goes to out/failed and the results still go back.
# shellcheck source=powernv/lib.sh
. /bin/lib.sh
harness_begin harness /bin:/usr/bin
host_begin
echo "boot $(up)" > "$out/timing"
/usr/bin/qemu-system-ppc64 --version | head -1 > "$out/qemu-version" 2>&1 || fail "the nested qemu-system-ppc64 does not run: $(cat "$out/qemu-version")"

# The reference: every kvm_hv entry (per thread) and hcall (per opcode) of the nested VM's
# life, counted by the kernel's hist triggers (no ring buffer to lose or to parse).
if [ "${REF:-1}" = 1 ]; then
	echo 'hist:keys=common_pid' > "$T/events/kvm_hv/kvm_guest_enter/trigger" || fail "hist trigger on kvm_guest_enter refused"
	echo 'hist:keys=req' > "$T/events/kvm_hv/kvm_hcall_enter/trigger" || fail "hist trigger on kvm_hcall_enter refused"
fi

collect_pid=
# tlbcollect on the host until it says "recording" (KFLUSH: with --kernel-flush)
start_collect() {
	tlbcollect --enter kvm "$@" -o "$out/host.db" > "$out/tlbcollect.out" 2> "$out/tlbcollect.err" &
	collect_pid=$!
	wait_recording "$collect_pid" "$out/tlbcollect.err" 1200
}
if [ "${COLLECT:-0}" = 1 ] && [ -x /bin/tlbcollect ]; then
	if [ "${KFLUSH:-0}" = 1 ]; then
		if start_collect --kernel-flush; then
			# its kprobes, and whether the kernel optimized them
			cat /sys/kernel/debug/kprobes/list > "$out/kprobes-list-recording" 2> /dev/null
		else
			kill -INT "$collect_pid" 2> /dev/null
			wait "$collect_pid"
			tail -3 "$out/tlbcollect.err" > "$out/kflush-refused"
			say "tlbcollect --kernel-flush did not start ($(tail -1 "$out/kflush-refused")): without it"
			start_collect
		fi
	else
		start_collect
	fi
	if grep -q 'recording' "$out/tlbcollect.err"; then
		say "tlbcollect recording at $(up) s uptime"
	else
		fail "tlbcollect did not start: $(tail -3 "$out/tlbcollect.err")"
		collect_pid=
	fi
fi

# a wedged host shows as missing beats on the console
( while sleep 10; do echo "harness: beat $(up) s uptime, load $(cut -d' ' -f1-3 /proc/loadavg)"; done ) &
beat_pid=$!

# the vcpu thread between cpus 0 and 1 while the nested QEMU lives (NESTED_HOP)
if [ -n "${NESTED_HOP:-}" ] && [ "$(nproc)" -ge 2 ]; then
	(
		tid=
		while [ -z "$tid" ] && [ ! -f /tmp/nested.rc ]; do
			for t in /proc/[0-9]*/task/[0-9]*; do
				[ "$(cat "$t/comm" 2> /dev/null)" = "CPU 0/KVM" ] && tid=${t##*/}
			done
			[ -n "$tid" ] || sleep 0.2
		done
		c=0 moves=0
		while [ -n "$tid" ] && [ -d "/proc/$tid" ]; do
			taskset -p $((1 << c)) "$tid" > /dev/null 2>&1 && moves=$((moves + 1))
			c=$((1 - c))
			sleep "$NESTED_HOP"
		done
		echo "hop tid ${tid:-none} affinity_changes $moves" > "$out/hop.txt"
	) &
fi

fw=
[ "${NESTED_FW:-slof}" = vof ] && fw=",x-vof=on"
say "nested start at $(up) s uptime: -M ${NESTED_MACHINE}$fw -smp ${NESTED_SMP:-1} -m ${NESTED_MEM:-512}"
echo "nested_start $(up)" >> "$out/timing"
: > /tmp/guest-hvc1.txt
{
	timeout -s KILL "${NESTED_TIMEOUT:-100}" /usr/bin/qemu-system-ppc64 -enable-kvm \
		-object memory-backend-file,id=ram,size="${NESTED_MEM:-512}M",mem-path=/tmp/nested-ram,share=on \
		-M "${NESTED_MACHINE}$fw,memory-backend=ram" -cpu host -smp "${NESTED_SMP:-1}" -m "${NESTED_MEM:-512}" \
		-name nested,debug-threads=on -nographic -nodefaults \
		-chardev stdio,id=con,signal=off -device spapr-vty,chardev=con \
		-chardev file,id=res,path=/tmp/guest-hvc1.txt -device spapr-vty,chardev=res \
		-kernel /guest/vmlinux -initrd /guest/initrd.gz -append "console=hvc0 quiet" \
		-L /usr/share/qemu < /dev/null
	echo $? > /tmp/nested.rc
} 2>&1 | while IFS= read -r line; do
	echo "nested $(up)| $line"
done | tee "$out/nested-console.txt"
rc=$(cat /tmp/nested.rc)
echo "nested_end $(up)" >> "$out/timing"
say "nested exit $rc at $(up) s uptime"
[ "$rc" = 0 ] || fail "nested qemu: exit $rc"
kill "$beat_pid"
sleep 0.3	# the hop loop sees the vcpu thread gone and writes hop.txt

if [ -n "$collect_pid" ]; then
	sleep 0.5
	kill -INT "$collect_pid"
	wait "$collect_pid" || fail "tlbcollect: exit $?: $(tail -5 "$out/tlbcollect.err")"
fi
# "guest_enter TID N", "hcall OPCODE N" (decimal), from the hist files:
#   { common_pid:        123 } hitcount:        456      { req: 0x58 } hitcount: 7
if [ "${REF:-1}" = 1 ]; then
	{ cat "$T/events/kvm_hv/kvm_guest_enter/hist"; cat "$T/events/kvm_hv/kvm_hcall_enter/hist"; } > "$out/ref-hist.txt"
	awk '/^\{ common_pid:/ { print "guest_enter", $3, $6 }
	     /^\{ req:/ { print "hcall", $3, $6 }' "$out/ref-hist.txt" > "$out/ref-counts.txt"
	grep -q . "$out/ref-counts.txt" || fail "no kvm_hv hist counts ($(head -c 300 "$out/ref-hist.txt"))"
fi

# the guest's results: the pages memout printed, from the guest's RAM file; else base64
# between marker lines on its hvc1, where every "\n" arrived as "\r\n"
: > /tmp/guest.tgz
tr -d '\r' < "$out/nested-console.txt" | awk '$3 == "guest:" && $4 == "memout" { print $5, $6, $7, $8 }' > /tmp/guest-pages
size=$(awk '$1 == "end" { print $2 }' /tmp/guest-pages)
if [ -n "$size" ]; then
	while read -r what _ phys len; do
		[ "$what" = page ] || continue
		dd if=/tmp/nested-ram bs=65536 skip=$((phys / 65536)) count=1 2> /dev/null | head -c "$len" >> /tmp/guest.tgz
	done < /tmp/guest-pages
	[ "$(wc -c < /tmp/guest.tgz)" = "$size" ] || fail "the guest's results from its RAM: $(wc -c < /tmp/guest.tgz) of $size bytes"
else
	tr -d '\r' < /tmp/guest-hvc1.txt | sed -n '/^==TLB-BEGIN==$/,/^==TLB-END==$/p' | sed '1d;$d' \
	| base64 -d > /tmp/guest.tgz 2> /tmp/guest-b64.err
fi
rm -f /tmp/nested-ram
if gzip -t /tmp/guest.tgz 2> /dev/null; then
	mkdir -p "$out/guest" && tar xzf /tmp/guest.tgz -C "$out/guest" || fail "cannot unpack the guest's results"
else
	fail "no whole result from the nested guest ($(wc -c < /tmp/guest-hvc1.txt) bytes on its hvc1)"
fi
dmesg > "$out/dmesg.txt"
say "results at $(up) s uptime"
results_back "$out" 1
