# shellcheck shell=dash
# powernv/lib.sh - sourced (busybox ash) by the /init scripts of the emulated POWER host
# (powernv/host-init.sh, powernv/nested-init.sh) and of the nested guest
# (powernv/nested-guest-init.sh); /bin/lib.sh in their initramfs (powernv/run.sh and
# powernv/nested.sh put it there).
#
# Owns the steps they share: the mounts and settings (harness_begin), say/fail/up, waiting
# for tlbcollect's "recording" (wait_recording), and the results back as one gzip'ed tar
# through the pages of /bin/memout (memout_send; results_back: or the host's console).
# No `set -e` in the callers: a failure goes to $out/failed and the results still go back.

# harness_begin TAG PATH: mounts (proc, sys, dev, tracefs, debugfs), busybox's applets,
# PATH, the settings of /etc/harness.conf; $out (the results), $T (tracefs); say and fail
# write "TAG: ..." lines
harness_begin() {
	harness_tag=$1
	/bin/busybox mkdir -p /proc /sys /dev /tmp
	/bin/busybox mount -t proc proc /proc
	/bin/busybox mount -t sysfs sys /sys
	/bin/busybox mount -t devtmpfs dev /dev
	/bin/busybox --install -s /bin
	export PATH="$2"
	mount -t tracefs nodev /sys/kernel/tracing
	mount -t debugfs nodev /sys/kernel/debug
	# shellcheck disable=SC1091
	. /etc/harness.conf
	out=/tmp/out
	mkdir -p "$out"
	# shellcheck disable=SC2034 # the callers use it
	T=/sys/kernel/tracing
}
up() { cut -d' ' -f1 /proc/uptime; }
say() { echo "$harness_tag: $*"; }
fail() { echo "$harness_tag: FAILED: $*" >> "$out/failed"; say "FAILED: $*"; }

# host_begin: what the emulated host is (out/uname, out/cpuinfo, a console line) and
# kvm.ko + kvm-hv.ko (/bin/kvm.ko, /bin/kvm-hv.ko): /dev/kvm
host_begin() {
	uname -r > "$out/uname"
	cat /proc/cpuinfo > "$out/cpuinfo"
	say "kernel $(cat "$out/uname"), $(grep -m1 '^cpu' /proc/cpuinfo), $(grep -m1 '^MMU' /proc/cpuinfo), $(nproc) cpus"
	say "boot done at $(up) s uptime"
	insmod /bin/kvm.ko || fail "insmod kvm.ko"
	insmod /bin/kvm-hv.ko || fail "insmod kvm-hv.ko"
	[ -c /dev/kvm ] || fail "no /dev/kvm after insmod kvm-hv.ko"
}

# wait_recording PID ERRFILE TENTHS: true once tlbcollect (PID, stderr in ERRFILE) said
# "recording"; false when it ended first or TENTHS tenths of a second passed
wait_recording() {
	i=0
	while ! grep -q 'recording' "$2" 2> /dev/null; do
		kill -0 "$1" 2> /dev/null || break
		i=$((i + 1))
		[ $i -lt "$3" ] || break
		sleep 0.1
	done
	grep -q 'recording' "$2" 2> /dev/null
}

# memout_send FILE: /bin/memout holds FILE in pages of its own and prints their physical
# addresses ("memout page ...", "memout end SIZE"), passed on as "TAG: memout ..." lines
# for the other side to read them from this machine's RAM; memout stays alive meanwhile.
# False when memout is missing or did not get that far in 10 s.
memout_send() {
	[ -x /bin/memout ] || return 1
	memout "$1" > /tmp/memout.txt 2> /tmp/memout.err &
	mpid=$!
	i=0
	while ! grep -q '^memout end' /tmp/memout.txt 2> /dev/null && kill -0 "$mpid" 2> /dev/null && [ $i -lt 100 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	grep -q '^memout end' /tmp/memout.txt 2> /dev/null || return 1
	sed "s/^/$harness_tag: /" /tmp/memout.txt
}

# results_back DIR GZIP-LEVEL: the emulated host's results to powernv/run.sh as one
# gzip'ed tar whose top directory is DIR's last element: through memout's pages (run.sh
# saves them with QEMU's monitor, pmemsave, and ends QEMU: powernv does not exit on
# power-off), else base64 between marker lines on the console (OPAL's hvc0, ~5 KB/s),
# kernel messages kept off it meanwhile. Does not return.
results_back() {
	cd "$(dirname "$1")" || fail "cd $(dirname "$1")"
	tar cf - "$(basename "$1")" | gzip "-$2" > /tmp/results.tgz
	# run.sh ends QEMU once it has the pages: nothing after the sleep is needed then
	memout_send /tmp/results.tgz && sleep 600
	say "memout failed ($(cat /tmp/memout.err 2> /dev/null)): the console it is"
	say "sending $(wc -c < /tmp/results.tgz) bytes on the console"
	echo 1 > /proc/sys/kernel/printk
	{ echo "==TLB-BEGIN=="; base64 /tmp/results.tgz; echo "==TLB-END=="; } > /dev/console
	say "done"
	sync
	poweroff -f
}
