#!/usr/bin/env bash
# t5150: the report puts the kernel's own flushes (kernel_flush events, counted per VM from
# the trace's events) beside each policy's full_flushes per VM, with the difference (issue
# 10 leftover), in index.html, summary.md, stdout and JSON. Trace: t5130's (header.sql,
# T = 4; VM 1 hash: vcpu 0 enters core 0 at 10, H_REMOVE at 20, core 1 at 30, core 0 at
# 50; VM 2 radix: core 0 at 15, core 1 at 35, core 0 at 45) plus kernel_flush rows: VM 1
# at 10 and 30, VM 2 at 15 and 45. Hand-counted full flushes: modern (and new) on VM 1:
# 2 (need_tlb_flush starts all set: the first entry on core 0 and on core 1), equal to
# the kernel's 2; old 3 (+1); tracked and optimal 0 (-2); radix on VM 2: 1 (the prev_cpu
# rule, t5130), the kernel says 2 (-1). Then the powernv samples (real kernel flushes).
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/data/replay/lib.sh"
need_sqlite3
need_cmd gnuplot || skip_all "gnuplot is not installed (scripts/install-deps.sh build)"
cd "$T" || exit 1
ev="INSERT INTO event VALUES (10,0,1,0,102,NULL,NULL,NULL,NULL), (15,0,2,0,102,NULL,NULL,NULL,NULL),
  (20,0,1,0,104,4,0,1,0), (30,4,1,0,102,NULL,NULL,NULL,NULL), (35,4,2,0,102,NULL,NULL,NULL,NULL),
  (45,0,2,0,102,NULL,NULL,NULL,NULL), (50,0,1,0,102,NULL,NULL,NULL,NULL);"
KF="INSERT INTO event_kind VALUES (109,'kernel_flush',NULL,NULL,NULL,NULL);
  INSERT INTO event VALUES (10,0,1,0,109,NULL,NULL,NULL,NULL), (15,0,2,0,109,NULL,NULL,NULL,NULL),
  (30,4,1,0,109,NULL,NULL,NULL,NULL), (45,0,2,0,109,NULL,NULL,NULL,NULL);"
MMU="CREATE TABLE vm_mmu(vm INTEGER PRIMARY KEY, mmu TEXT NOT NULL CHECK (mmu IN ('hash','radix')));
  INSERT INTO vm_mmu VALUES (1,'hash'), (2,'radix');"
echo "$ev $KF $MMU" | mkdb m.db
echo "$ev $MMU" | mkdb n.db
for d in m n; do tlb tlbreplay -q --store -P old,new,modern,tracked,optimal,radix $d.db > /dev/null; done

# 1. the comparison, per VM, in every shape
check_exit "5150.1.1 report of a trace with kernel_flush events: exit 0" 0 tlb tlbreport -o r m.db
cp "$OUT" m.out
check_grep "5150.1.2 stdout: VM 1 (hash): kernel 2, old 3 (+1), new and modern 2 (0), tracked 0 (-2), radix -, optimal 0 (-2)" \
	'^    1 +hash +2 +3 \(\+1\) +2 \(0\) +2 \(0\) +0 \(-2\) +- +0 \(-2\)$' m.out
check_grep "5150.1.3 stdout: VM 2 (radix): kernel 2, radix 1 (-1), the hash policies -" \
	'^    2 +radix +2 +- +- +- +- +1 \(-1\) +-$' m.out
check_grep "5150.1.4 stdout: says whose count it is" "kernel_flush \(the kernel's own full flushes, the harness's kprobes\)" m.out
check_grep "5150.1.5 stdout: the check of the model, per policy" \
	'^  kernel check: old equals the kernel on 0 of 1 VM; new equals the kernel on 1 of 1 VM \(exact\); modern equals the kernel on 1 of 1 VM \(exact\); tracked .*; radix equals the kernel on 0 of 1 VM; ' m.out
md=r/summary.md
check_grep "5150.1.6 summary.md: VM 1's row" '^\| 1 \| hash \| 2 \| 3 \| \+1 \| 2 \| 0 \| 2 \| 0 \| 0 \| -2 \| - \| - \| 0 \| -2 \|$' "$md"
check_grep "5150.1.7 summary.md: VM 2's row" '^\| 2 \| radix \| 2 \| - \| - \| - \| - \| - \| - \| - \| - \| 1 \| -1 \| - \| - \|$' "$md"
check_grep "5150.1.8 summary.md: the all row (each policy over its own VMs)" '^\| all \| \| 4 \| 3 \| \+1 \| 2 \| 0 \| 2 \| 0 \| 0 \| -2 \| 1 \| -1 \| 0 \| -2 \|$' "$md"
check_grep "5150.1.9 summary.md: the kernel's own count, and the check of the model" \
	"^kernel_flush is the kernel's own count of full TLB flushes.*the harness's kprobes.*is the check of the model" "$md"
check_grep "5150.1.10 index.html: the section" "<h2 id=\"kernel-flush\">The kernel's own flushes</h2>" r/index.html
check_grep "5150.1.11 index.html: modern equal to the kernel on VM 1" '<td class="n">2</td><td class="n good">0</td>' r/index.html
check_exit "5150.1.12 JSON: exit 0" 0 tlb tlbreport -f --format json -o r m.db
cp "$OUT" m.json
if need_cmd python3; then
	ok_if "5150.1.13 JSON: per VM the kernel's count and each policy's, exact: new, modern" python3 -c "
import json, sys
k = json.load(open('m.json'))['reports'][0]['kernel_flush']
assert k['total'] == 4, k
assert k['vms'][0] == {'vm': 1, 'kernel': 2, 'full_flushes': {'old': 3, 'new': 2, 'modern': 2, 'tracked': 0, 'radix': None, 'optimal': 0}}, k
assert k['vms'][1]['kernel'] == 2 and k['vms'][1]['full_flushes']['radix'] == 1, k
assert k['exact'] == ['new', 'modern'], k"
else
	skip "5150.1.13 JSON" "no python3"
fi

# 2. no kernel_flush events: nothing said; a bad row: exit 2 naming it
check_exit "5150.2.1 a trace without kernel_flush events: exit 0" 0 tlb tlbreport -o rn n.db
cp "$OUT" n.out
ok_if "5150.2.2 ... and no section" bash -c "! grep -q \"The kernel's own flushes\" rn/summary.md rn/index.html && ! grep -q 'kernel check' n.out"
cp m.db bad.db
sqlite3 bad.db "INSERT INTO event VALUES (60,0,'x',0,109,NULL,NULL,NULL,NULL)"
check_exit "5150.2.3 a kernel_flush row whose vm is not an integer: exit 2" 2 tlb tlbreport -o rb bad.db
check_grep "5150.2.4 ... naming its rowid" 'event rowid 12 \(kernel_flush\): vm is not an integer' "$ERR"

# 3. the powernv samples: the real kernel's flushes against the replay
if ! need_cmd xz; then
	skip "5150.3 powernv samples" "xz is not installed"
	exit 0
fi
p8=$ROOT/samples/powernv8-6.1/with-vmm-hcalls.db.xz p9=$ROOT/samples/powernv9-6.1/host.db.xz
if [ -f "$p8" ]; then
	xz -dc "$p8" > p8.db && tlb tlbreplay -q --store -m power8 p8.db > /dev/null
	check_exit "5150.3.1 powernv8: exit 0" 0 tlb tlbreport -o r8 p8.db
	cp "$OUT" p8.out
	# samples/powernv8-6.1/README.md: 33 kernel_flush rows, vm 1 (hop) 31, vm 2 (pair) 2
	check_grep "5150.3.2 powernv8 vm 1: kernel 31, modern 31 (0)" '^    1 +hash +31 +[0-9]+ \([-+0-9]+\) +[0-9]+ \([-+0-9]+\) +31 \(0\) ' p8.out
	check_grep "5150.3.3 powernv8 vm 2: kernel 2, modern 2 (0)" '^    2 +hash +2 +[0-9]+ \([-+0-9]+\) +[0-9]+ \([-+0-9]+\) +2 \(0\) ' p8.out
	check_grep "5150.3.4 powernv8: modern predicts the kernel exactly" 'modern equals the kernel on 2 of 2 VMs \(exact\)' p8.out
else
	skip "5150.3.1 powernv8" "no $p8 in this checkout"
fi
if [ -f "$p9" ]; then
	xz -dc "$p9" > p9.db
	tlb tlbreplay -q --store -m power9-hash -P old,new,modern,tracked,optimal,radix p9.db > /dev/null
	check_exit "5150.3.5 powernv9: exit 0" 0 tlb tlbreport -o r9 p9.db
	cp "$OUT" p9.out
	check_grep "5150.3.6 powernv9 vm 1 (radix): kernel 29, radix 29 (0)" '^    1 +radix +29 +- +- +- +- +29 \(0\) +-$' p9.out
	check_grep "5150.3.7 powernv9: radix predicts the kernel exactly on its VM" 'radix equals the kernel on 1 of 1 VM \(exact\)' p9.out
	check_grep "5150.3.8 powernv9: modern on the hash VMs" 'modern equals the kernel on 2 of 2 VMs \(exact\)' p9.out
else
	skip "5150.3.5 powernv9" "no $p9 in this checkout"
fi
