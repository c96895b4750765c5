#!/usr/bin/env bash
# t4005-import-other-machines: real trace.dat files recorded on other machines import
# correctly: a big-endian one (s390x, the big-endian architecture Debian ships; see
# samples/tracedat/make-s390x-be-tracedat.sh for why not ppc64 BE) and one from inside a
# little-endian ppc64 pseries guest (samples/tracedat/make-ppc64el-guest-tracedat.sh).
. "$(dirname "$0")/lib.sh"
need_cmd trace-cmd || skip_all "trace-cmd is not installed"
need_cmd sqlite3 || skip_all "sqlite3 is not installed"
D=$ROOT/samples/tracedat
meta() { sqlite3 "$1" "SELECT value FROM meta WHERE key = '$2'"; }

# --- big-endian: same expectations as t4001, from trace-cmd's own report of the file ---
BE=$D/s390x-be-v7-zstd.dat
if [ -r "$BE" ]; then
	trace-cmd report "$BE" 2>/dev/null > "$T/be.txt"
	ok_if "4005.1 import the big-endian trace.dat" tlb tlbimport "$BE" -o "$T/be.db" -q
	check_eq "4005.2 meta: big-endian, version 7, zstd, s390x kernel" "big 7 zstd s390x" \
		"$(meta "$T/be.db" tracedat_endian) $(meta "$T/be.db" tracedat_version) $(meta "$T/be.db" tracedat_compression) $(meta "$T/be.db" kernel | awk '{ print $NF }')"
	check_eq "4005.3 events read = trace-cmd report" "$(grep -c ' \[[0-9]*\] ' "$T/be.txt")" "$(meta "$T/be.db" events_read)"
	check_eq "4005.4 guest_enter = report's switches to a vcpu thread" \
		"$(grep -cE 'sched_switch: .*==> CPU [0-9]+/(TCG|KVM):[0-9]+ ' "$T/be.txt")" \
		"$(sqlite3 "$T/be.db" 'SELECT count(*) FROM guest_entry')"
	check_eq "4005.5 guest_exit = report's switches away from one" \
		"$(grep -cE 'sched_switch: +CPU [0-9]+/(TCG|KVM):[0-9]+ \[' "$T/be.txt")" \
		"$(sqlite3 "$T/be.db" 'SELECT count(*) FROM guest_exit')"
	# fields read through libtraceevent's byte swapping: pids and cpus as the report prints them
	check_eq "4005.6 vcpu threads and tids = the report's" \
		"$(grep -oE 'CPU [0-9]+/TCG-[0-9]+' "$T/be.txt" | sort -u | sed -E 's#CPU ([0-9]+)/TCG-([0-9]+)#\1 \2#' | paste -sd,)" \
		"$(sqlite3 "$T/be.db" "SELECT group_concat(id||' '||tid, ',') FROM (SELECT * FROM vcpu ORDER BY id)")"
	check_eq "4005.7 migrate rows: dest and orig cpus = the report's" \
		"$(grep -E 'sched_migrate_task: +comm=CPU [0-9]+/TCG ' "$T/be.txt" | sed -E 's/.*orig_cpu=([0-9]+) dest_cpu=([0-9]+).*/\2 \1/' | paste -sd,)" \
		"$(sqlite3 "$T/be.db" "SELECT group_concat(dest_cpu||' '||orig_cpu, ',') FROM (SELECT * FROM migration ORDER BY id)")"
	# the first event's raw timestamp: report prints it in seconds with 6 decimals
	check_eq "4005.8 clock origin = first timestamp of the report (us)" \
		"$(awk '/ \[[0-9]+\] / { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { sub(/:/, "", $i); sub(/\./, "", $i); print $i + 0; exit } }' "$T/be.txt")" \
		"$(( ($(meta "$T/be.db" clock_origin) + 500) / 1000 ))"	# report rounds to us
else
	skip "4005.1-8 big-endian" "no $BE (make it with make-s390x-be-tracedat.sh)"
fi

# --- little-endian ppc64 guest: powerpc:hcall_* recorded by trace-cmd inside the guest ---
LE=$D/ppc64el-guest-v7-zstd.dat
if [ -r "$LE" ]; then
	trace-cmd report "$LE" 2>/dev/null > "$T/le.txt"
	# trace-cmd 3.1.6 extract saves the top buffer's clock ("local") even when the instance
	# recorded with ppc-tb (the script sets it): the user says --clock ppc-tb.
	ok_if "4005.9 import the ppc64el guest trace.dat" tlb tlbimport "$LE" -o "$T/le.db" -q --guest --clock ppc-tb
	check_eq "4005.10 meta: little-endian, 8-byte longs, ppc64le kernel" "little 8 ppc64le" \
		"$(meta "$T/le.db" tracedat_endian) $(meta "$T/le.db" tracedat_long_size) $(meta "$T/le.db" kernel | awk '{ print $NF }')"
	check_eq "4005.11 hcalls per opcode = report's hcall_entry lines" \
		"$(grep -oE 'hcall_entry: +opcode=[0-9]+' "$T/le.txt" | awk -F= '{ c[$2]++ } END { for (o in c) print o, c[o] }' | sort -n)" \
		"$(sqlite3 "$T/le.db" 'SELECT opcode, count(*) FROM hcall GROUP BY opcode ORDER BY opcode' | tr '|' ' ')"
	check_eq "4005.12 hcalls per vcpu = report's hcall_entry per cpu" \
		"$(grep -E 'hcall_entry:' "$T/le.txt" | sed -E 's/.*\[0*([0-9]+)\].*/\1/' | sort -n | uniq -c | awk '{ print $2, $1 }')" \
		"$(sqlite3 "$T/le.db" 'SELECT vcpu, count(*) FROM hcall GROUP BY vcpu ORDER BY vcpu' | tr '|' ' ')"
	check_eq "4005.13 return codes per opcode = report's hcall_exit lines" \
		"$(grep -oE 'hcall_exit: +opcode=[0-9]+ retval=-?[0-9]+' "$T/le.txt" | sed -E 's/.*opcode=([0-9]+) retval=(-?[0-9]+)/\1 \2/' | sort | uniq -c | awk '{ print $2, $3, $1 }' | sort)" \
		"$(sqlite3 "$T/le.db" 'SELECT opcode, rc, count(*) FROM hcall WHERE rc IS NOT NULL GROUP BY opcode, rc' | tr '|' ' ' | sort)"
	check_eq "4005.14 H_REMOVE/H_PROTECT n = (rc == 0)" "0" \
		"$(sqlite3 "$T/le.db" 'SELECT count(*) FROM hcall WHERE opcode IN (4, 24) AND rc IS NOT NULL AND n != (rc = 0)')"
	# ppc-tb ticks at 512 MHz. The report takes the file's word that its clock counts ns, so
	# its "secs" of the last hcall_entry are raw ticks / 1e9 (to the us): that hcall's ts
	# must be (raw - tb_first) / 0.512 ns, within the report's rounding (1000 ticks ~ 2 us).
	raw=$(grep 'hcall_entry:' "$T/le.txt" | tail -1 | grep -oE '[0-9]+\.[0-9]{6}:' | tr -d '.:')
	want=$(( (raw * 1000 - $(meta "$T/le.db" tb_first)) * 1000 / 512 ))
	ok_if "4005.15 last hcall at (tb - tb_first) / 512 MHz (+-2 us)" \
		awk -v a="$want" -v b="$(sqlite3 "$T/le.db" 'SELECT max(ts) FROM hcall')" 'BEGIN { d = a - b; exit !(d <= 2000 && d >= -2000) }'
else
	skip "4005.9-15 ppc64el guest" "no $LE (make it with make-ppc64el-guest-tracedat.sh)"
fi
