#!/bin/busybox sh
# shellcheck shell=dash
# powernv/send-results.sh DIR - the emulated host's results back to powernv/run.sh.
#
# Owns the way back for an /init that is not powernv/host-init.sh (powernv/nested-init.sh):
# DIR as one gzip'ed tar (its last path element is the tar's top directory), handed over
# through memory of /bin/memout's own, whose physical pages run.sh saves with QEMU's
# monitor (pmemsave), or, when memout cannot, base64 between marker lines on the console
# (~5 KB/s). Does not return: run.sh ends QEMU once it has the data (powernv does not exit
# on power-off); the console way powers the host off itself.
dir=${1:?usage: send-results.sh DIR}
say() { echo "harness: $*"; }
cd "$(dirname "$dir")" || exit 1
tar cf - "$(basename "$dir")" | gzip -1 > /tmp/results.tgz
size=$(wc -c < /tmp/results.tgz)
if [ -x /bin/memout ]; then
	memout /tmp/results.tgz > /tmp/memout.txt 2> /tmp/memout.err &
	i=0
	while ! grep -q '^memout end' /tmp/memout.txt && kill -0 $! 2> /dev/null && [ $i -lt 100 ]; do
		i=$((i + 1))
		sleep 0.1
	done
fi
if grep -q '^memout end' /tmp/memout.txt 2> /dev/null; then
	sed 's/^/harness: /' /tmp/memout.txt
	sleep 600
fi
say "memout failed ($(cat /tmp/memout.err 2> /dev/null)): the console it is"
say "sending $size bytes on the console"
echo 1 > /proc/sys/kernel/printk
{ echo "==TLB-BEGIN=="; base64 /tmp/results.tgz; echo "==TLB-END=="; } > /dev/console
say "done"
sync
poweroff -f
