#!/usr/bin/env bash
# t4001-import-tracedat: real trace.dat files made on this machine import with the counts
# `trace-cmd report` shows, in every version/compression trace-cmd can write here.
. "$(dirname "$0")/lib.sh"
need_cmd trace-cmd || skip_all "trace-cmd is not installed (scripts/deps/build.list)"
need_cmd sqlite3 || skip_all "sqlite3 is not installed"
SAMPLE=$ROOT/samples/tracedat/sched-v7-zstd.dat

# Expectations come from trace-cmd's own text report of the same file, not from tlbimport:
#   events        lines with a "[cpu]" column
#   guest_enter   sched_switch lines whose next task is a vcpu thread ("==> CPU N/TCG:pid")
#   guest_exit    sched_switch lines whose previous task is one ("sched_switch: CPU N/TCG:pid [")
#   migrate       sched_migrate_task lines of a vcpu thread ("comm=CPU N/TCG pid=")
#   unknown       sched_wakeup lines (not mapped)
report_counts() {	# FILE -> "events enter exit migrate wakeup"
	trace-cmd report "$1" 2>/dev/null > "$T/report.txt"
	printf '%s %s %s %s %s' \
		"$(grep -c ' \[[0-9]*\] ' "$T/report.txt")" \
		"$(grep -cE 'sched_switch: .*==> CPU [0-9]+/(TCG|KVM):[0-9]+ ' "$T/report.txt")" \
		"$(grep -cE 'sched_switch: +CPU [0-9]+/(TCG|KVM):[0-9]+ \[' "$T/report.txt")" \
		"$(grep -cE 'sched_migrate_task: +comm=CPU [0-9]+/(TCG|KVM) pid=' "$T/report.txt")" \
		"$(grep -c ' sched_wakeup: ' "$T/report.txt")"
}
db_counts() {		# DB -> the same five figures, read back with sqlite3
	sqlite3 "$1" "SELECT (SELECT value FROM meta WHERE key='events_read'),
		(SELECT count(*) FROM guest_entry), (SELECT count(*) FROM guest_exit),
		(SELECT count(*) FROM migration),
		(SELECT value FROM meta WHERE key='unknown_events')" | tr '|' ' ' |
		sed -E 's/\{"sched:sched_wakeup": ([0-9]+)\}/\1/; s/\{\}/0/'
}

# 4001.1-3: the committed sample (v7, zstd, one tracefs instance)
want=$(report_counts "$SAMPLE")
ok_if "4001.1 import the v7 zstd sample" tlb tlbimport "$SAMPLE" -o "$T/v7.db" -q
check_eq "4001.2 events, enter, exit, migrate, unknown = trace-cmd report" "$want" "$(db_counts "$T/v7.db")"
meta() { sqlite3 "$1" "SELECT value FROM meta WHERE key = '$2'"; }
check_eq "4001.3 meta says version 7, zstd, little-endian" "7 zstd little" \
	"$(meta "$T/v7.db" tracedat_version) $(meta "$T/v7.db" tracedat_compression) $(meta "$T/v7.db" tracedat_endian)"

# 4001.4-9: the same data converted by trace-cmd to version 6 and to uncompressed version 7
for v in "6 none" "7 none"; do
	set -- $v
	f=$T/v$1-$2.dat
	if trace-cmd convert -i "$SAMPLE" -o "$f" --file-version "$1" --compression "$2" > /dev/null 2>&1; then
		ok_if "4001.$1$2.a import version $1 compression $2" tlb tlbimport "$f" -o "$f.db" -q
		check_eq "4001.$1$2.b counts = trace-cmd report" "$(report_counts "$f")" "$(db_counts "$f.db")"
		check_eq "4001.$1$2.c same rows as the v7 import" \
			"$(sqlite3 "$T/v7.db" 'SELECT ts,cpu,vm,vcpu,kind,a0 FROM event' | md5sum)" \
			"$(sqlite3 "$f.db" 'SELECT ts,cpu,vm,vcpu,kind,a0 FROM event' | md5sum)"
	else
		skip "4001.$1$2 version $1 $2" "trace-cmd convert cannot write it here"
	fi
done

# 4001.10-12: placement rows of the sample: vcpu threads of two VMs (a real QEMU TCG that
# ran on this machine with 4 vcpus, and the script's two renamed shells): VMs told apart
# by tid - vcpu. Hand count from the report: tids 10792..10795 are CPU 0..3 of one VM,
# 11072..11073 CPU 0..1 of the other.
check_eq "4001.10 two VMs" "2" "$(sqlite3 "$T/v7.db" 'SELECT count(*) FROM vm')"
check_eq "4001.11 vcpu rows (vm,id,tid)" "1 0 10792,1 1 10793,1 2 10794,1 3 10795,2 0 11072,2 1 11073" \
	"$(sqlite3 "$T/v7.db" "SELECT group_concat(vm||' '||id||' '||tid, ',') FROM (SELECT * FROM vcpu ORDER BY vm, id)")"
check_eq "4001.12 ts not negative, rows in time order" "1|ts" \
	"$(sqlite3 "$T/v7.db" "SELECT (SELECT min(ts) >= 0 FROM event), (SELECT value FROM meta WHERE key='event_order')")"

# 4001.13-15: a trace.dat recorded now, on this machine (needs root and tracefs)
if need_root && [ -w /sys/kernel ] ; then
	if "$ROOT/samples/tracedat/make-tracedat.sh" "$T/now.dat" 1 > "$T/make.log" 2>&1; then
		want=$(report_counts "$T/now.dat")
		ok_if "4001.13 import a recording made now" tlb tlbimport "$T/now.dat" -o "$T/now.db" -q
		check_eq "4001.14 counts = trace-cmd report" "$want" "$(db_counts "$T/now.db")"
		check_grep "4001.15 vcpu threads of the recording seen" '[1-9]' <(sqlite3 "$T/now.db" 'SELECT count(*) FROM guest_entry')
	else
		skip "4001.13 record now" "make-tracedat.sh failed: $(tail -1 "$T/make.log")"
	fi
else
	skip "4001.13 record now" "needs root and tracefs"
fi
