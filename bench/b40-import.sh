#!/usr/bin/env bash
# b40-import - tlbimport on a real trace.dat of >= 1M events, against `trace-cmd report >
# /dev/null` on the same file in the same run (issue 4: import faster than report).
#
# The file: a tracefs instance recording sched_switch/sched_wakeup/sched_waking while two
# processes named like QEMU vcpu threads ("CPU 0/TCG", "CPU 1/TCG") ping-pong a byte through
# pipes, then `trace-cmd extract` (v7, zstd). Nearly every switch involves a vcpu thread, so
# tlbimport writes a row for most of them: the SQLite insert is measured too. Cached in
# $BENCH_DIR (needs root, tracefs and python3 to make it).
# Each timing is the best of $B40_RUNS runs (default 3), alternating the two programs;
# figures are wall seconds and CPU seconds (user + sys, children included: tlbimport's
# validating reader runs in a child).
set -u -o pipefail
BIN=${TLB_BIN:?} DIR=${BENCH_DIR:?}
RUNS=${B40_RUNS:-3}
ROUNDS=${B40_ROUNDS:-300000}
DAT=$DIR/b40-sched-1M.dat
command -v trace-cmd > /dev/null || { echo "no trace-cmd"; exit 1; }
[ -x "$BIN/tlbimport" ] || { echo "no $BIN/tlbimport (make)"; exit 1; }

make_dat() {
	[ -s "$DAT" ] && return 0
	command -v python3 > /dev/null || { echo "no python3 to drive the workload"; return 1; }
	[ "$(id -u)" -eq 0 ] || { echo "making $DAT needs root"; return 1; }
	local tr=/sys/kernel/tracing name=tlbbench_$$
	[ -d $tr/instances ] || mount -t tracefs nodev $tr || return 1
	mkdir "$tr/instances/$name" || return 1
	local inst=$tr/instances/$name
	echo 262144 > "$inst/buffer_size_kb"
	for e in sched_switch sched_wakeup sched_waking; do echo 1 > "$inst/events/sched/$e/enable"; done
	echo 1 > "$inst/tracing_on"
	python3 - "$ROUNDS" <<'PY'
import os, sys
n = int(sys.argv[1])
r1, w1 = os.pipe(); r2, w2 = os.pipe()
def name(s):
    with open('/proc/self/comm', 'w') as f: f.write(s)
if os.fork() == 0:
    name('CPU 1/TCG')
    for i in range(n): os.read(r1, 1); os.write(w2, b'x')
    os._exit(0)
name('CPU 0/TCG')
for i in range(n): os.write(w1, b'x'); os.read(r2, 1)
os.wait()
PY
	echo 0 > "$inst/tracing_on"
	trace-cmd extract -B "$name" -o "$DAT.tmp" > /dev/null 2>&1 && mv "$DAT.tmp" "$DAT"
	[ -d "$inst" ] && rmdir "$inst" 2> /dev/null
	[ -s "$DAT" ]
}
make_dat || { echo "cannot make the input trace.dat"; exit 1; }

TIMEFORMAT='%R %U %S'
best_report= best_import= cpu_report= cpu_import=
for r in $(seq "$RUNS"); do
	t=$( { time trace-cmd report "$DAT" > /dev/null 2>&1; } 2>&1 )
	set -- $t
	c=$(awk -v u="$2" -v s="$3" 'BEGIN { print u + s }')
	[ -z "$best_report" ] || awk -v a="$1" -v b="$best_report" 'BEGIN { exit !(a < b) }' && { best_report=$1; cpu_report=$c; }
	t=$( { time "$BIN/tlbimport" "$DAT" -o "$DIR/b40.db" -f -q --format json > "$DIR/b40.json"; } 2>&1 )
	set -- $t
	c=$(awk -v u="$2" -v s="$3" 'BEGIN { print u + s }')
	[ -z "$best_import" ] || awk -v a="$1" -v b="$best_import" 'BEGIN { exit !(a < b) }' && { best_import=$1; cpu_import=$c; }
done
events=$(sed -E 's/.*"events_read": ([0-9]+).*/\1/' "$DIR/b40.json")
rows=$(sed -E 's/.*"events_written": ([0-9]+).*/\1/' "$DIR/b40.json")
awk -v f="$DAT" -v e="$events" -v w="$rows" -v ti="$best_import" -v tr="$best_report" -v ci="$cpu_import" -v cr="$cpu_report" 'BEGIN {
	printf "input:                 %s (%d events, %d rows written)\n", f, e, w
	printf "trace-cmd report:      %6.2f s wall  %6.2f s cpu  %5.2f M events/s   (ceiling)\n", tr, cr, e / tr / 1e6
	printf "tlbimport:             %6.2f s wall  %6.2f s cpu  %5.2f M events/s\n", ti, ci, e / ti / 1e6
	printf "ratio report/import:   %6.2f wall     %6.2f cpu   target > 1: %s\n", tr / ti, cr / ci, (tr / ti > 1 ? "met" : "NOT met")
	if (e < 1000000) printf "warning: fewer than 1M events (%d): raise B40_ROUNDS\n", e
}'
