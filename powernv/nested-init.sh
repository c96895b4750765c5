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
# its results (guest.db) from its second console (/dev/hvc1 there, a file here); then
# everything back to powernv/run.sh (powernv/send-results.sh).
# Settings from /etc/harness.conf (powernv/nested.sh gives them through run.sh --set):
#   NESTED_SMP, NESTED_MEM (MiB), NESTED_TIMEOUT (s), NESTED_FW (slof|vof)
#   NESTED_MACHINE     -M of the nested QEMU: pseries plus the caps this kvm_hv accepts
#   COLLECT=1          record with /bin/tlbcollect on the host
#   REF=1              count the kvm_hv events in a tracefs instance (the reference)
# busybox ash, no `set -e`: a failure goes to out/failed and the results still go back.
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin
mount -t tracefs nodev /sys/kernel/tracing
mount -t debugfs nodev /sys/kernel/debug
. /etc/harness.conf

out=/tmp/out
mkdir -p "$out"
up() { cut -d' ' -f1 /proc/uptime; }
say() { echo "harness: $*"; }
fail() { echo "harness: FAILED: $*" >> "$out/failed"; say "FAILED: $*"; }
T=/sys/kernel/tracing

uname -r > "$out/uname"
cat /proc/cpuinfo > "$out/cpuinfo"
say "kernel $(cat "$out/uname"), $(grep -m1 '^cpu' /proc/cpuinfo), $(grep -m1 '^MMU' /proc/cpuinfo), $(nproc) cpus"
say "boot done at $(up) s uptime"
echo "boot $(up)" > "$out/timing"

insmod /bin/kvm.ko || fail "insmod kvm.ko"
insmod /bin/kvm-hv.ko || fail "insmod kvm-hv.ko"
[ -c /dev/kvm ] || fail "no /dev/kvm after insmod kvm-hv.ko"
/usr/bin/qemu-system-ppc64 --version | head -1 > "$out/qemu-version" 2>&1 || fail "the nested qemu-system-ppc64 does not run: $(cat "$out/qemu-version")"

# the reference: every kvm_hv entry and hcall of the nested VM's life, counted by tracefs
ref=$T/instances/ref
if [ "${REF:-1}" = 1 ]; then
	mkdir "$ref"
	echo 16384 > "$ref/buffer_size_kb"
	echo 1 > "$ref/events/kvm_hv/kvm_guest_enter/enable"
	echo 1 > "$ref/events/kvm_hv/kvm_hcall_enter/enable"
	echo 1 > "$ref/tracing_on"
fi

collect_pid=
if [ "${COLLECT:-0}" = 1 ] && [ -x /bin/tlbcollect ]; then
	tlbcollect --enter kvm -o "$out/host.db" > "$out/tlbcollect.out" 2> "$out/tlbcollect.err" &
	collect_pid=$!
	i=0
	while ! grep -q 'recording' "$out/tlbcollect.err" 2> /dev/null; do
		kill -0 "$collect_pid" 2> /dev/null || break
		i=$((i + 1))
		[ $i -lt 1200 ] || break
		sleep 0.1
	done
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

fw=
[ "${NESTED_FW:-slof}" = vof ] && fw=",x-vof=on"
say "nested start at $(up) s uptime: -M ${NESTED_MACHINE}$fw -smp ${NESTED_SMP:-1} -m ${NESTED_MEM:-512}"
echo "nested_start $(up)" >> "$out/timing"
: > /tmp/guest-hvc1.txt
{
	timeout -s KILL "${NESTED_TIMEOUT:-100}" /usr/bin/qemu-system-ppc64 -enable-kvm \
		-M "${NESTED_MACHINE}$fw" -cpu host -smp "${NESTED_SMP:-1}" -m "${NESTED_MEM:-512}" \
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

if [ -n "$collect_pid" ]; then
	sleep 0.5
	kill -INT "$collect_pid"
	wait "$collect_pid" || fail "tlbcollect: exit $?: $(tail -5 "$out/tlbcollect.err")"
fi
[ "${REF:-1}" = 1 ] && echo 0 > "$ref/tracing_on"
[ "${REF:-1}" = 1 ] && for c in "$ref"/per_cpu/cpu*; do echo "$(basename "$c") $(grep -E '^(overrun|dropped events):' "$c/stats" | tr '\n' ' ')"; done > "$out/ref-stats"
# "kvm_guest_enter N" and "kvm_hcall_enter NAME N" (the tracepoint's symbolic name, or hex)
[ "${REF:-1}" = 1 ] && grep -v '^#' "$ref/trace" | tee "$out/ref-head.txt" | awk '
	/kvm_guest_enter:/ { e++ }
	/kvm_hcall_enter:/ { for (i = 1; i <= NF; i++) if ($i ~ /^hcall=/) h[substr($i, 7)]++ }
	END { print "kvm_guest_enter", e + 0; for (r in h) print "kvm_hcall_enter", r, h[r] }' > "$out/ref-counts.txt"
head -40 "$out/ref-head.txt" > "$out/ref-sample.txt"
rm -f "$out/ref-head.txt"

# the guest's results: base64 between marker lines on its hvc1, every "\n" arrived as "\r\n"
tr -d '\r' < /tmp/guest-hvc1.txt | sed -n '/^==TLB-BEGIN==$/,/^==TLB-END==$/p' | sed '1d;$d' \
	| base64 -d > /tmp/guest.tgz 2> /tmp/guest-b64.err
if gzip -t /tmp/guest.tgz 2> /dev/null; then
	mkdir -p "$out/guest" && tar xzf /tmp/guest.tgz -C "$out/guest" || fail "cannot unpack the guest's results"
else
	fail "no whole result from the nested guest ($(wc -c < /tmp/guest-hvc1.txt) bytes on its hvc1)"
fi
dmesg > "$out/dmesg.txt"
say "results at $(up) s uptime"
exec /bin/send-results.sh "$out"
