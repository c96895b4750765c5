#!/usr/bin/env bash
# t4004-import-text-rules: the mapping rules on small hand-written tracefs texts, each
# expectation worked out by hand in the comments.
. "$(dirname "$0")/lib.sh"
need_cmd sqlite3 || skip_all "sqlite3 is not installed"
q() { sqlite3 "$1" "$2"; }

# --- host side: vcpu threads seen by the scheduler (secs.usecs timestamps: ns clock) ---
cat > "$T/host.txt" <<'TXT'
# tracer: nop
#
# entries-in-buffer/entries-written: 10/12   #P:4
#
       CPU 0/TCG-100     [002] d....   100.000001: sched_switch: prev_comm=CPU 0/TCG prev_pid=100 prev_prio=120 prev_state=R ==> next_comm=bash next_pid=200 next_prio=120
            bash-200     [001] .....   100.000002: sched_switch: prev_comm=bash prev_pid=200 prev_prio=120 prev_state=S ==> next_comm=CPU 0/TCG next_pid=100 next_prio=120
            bash-200     [001] .....   100.000003: sched_migrate_task: comm=CPU 1/TCG pid=101 prio=120 orig_cpu=3 dest_cpu=0
CPU:3 [LOST 5 EVENTS]
            bash-200     [003] .....   100.000004: sched_wakeup: comm=x pid=1 prio=120 target_cpu=000
         my task-300     [001] .....   100.000010: sched_switch: prev_comm=my task prev_pid=300 prev_prio=120 prev_state=S ==> next_comm=CPU 1/TCG next_pid=101 next_prio=120
TXT
ok_if "4004.1 import host text" tlb tlbimport "$T/host.txt" -o "$T/host.db" -q
# ts from the first event (100.000001 s): 0, 1000, 2000, 9000 ns. The switch-out of CPU 0/TCG
# on cpu 2 is its guest_exit there; its switch-in on cpu 1 its guest_enter; the migration
# of CPU 1/TCG (pid 101) from cpu 3 lands on cpu 0; the lost marker takes the last event's
# time; "my task" (a comm with a space) switching to CPU 1/TCG is vcpu 1's guest_enter.
# tids 100 and 101 with vcpus 0 and 1 share the base 100: one VM.
check_eq "4004.2 rows (kind ts cpu vm vcpu a0)" \
"guest_exit 0 2 1 0 
guest_enter 1000 1 1 0 
migrate 2000 0 1 1 3
lost 2000 3 0  5
guest_enter 9000 1 1 1 " \
	"$(q "$T/host.db" "SELECT k.name, ts, cpu, vm, vcpu, e.a0 FROM event e JOIN event_kind k ON k.id = e.kind ORDER BY e.rowid" | tr '|' ' ')"
check_eq "4004.3 lost = marker 5 + header (12 written - 10 in buffer)" "7" \
	"$(q "$T/host.db" "SELECT value FROM meta WHERE key='lost_events'")"
check_eq "4004.4 ncpus from #P:4, clock local in ns" "4 local ns" \
	"$(q "$T/host.db" "SELECT (SELECT value FROM meta WHERE key='ncpus'), (SELECT value FROM meta WHERE key='clock'), (SELECT value FROM meta WHERE key='clock_unit')" | tr '|' ' ')"
check_eq "4004.5 sched_wakeup counted by name" '{"sched_wakeup": 1}' \
	"$(q "$T/host.db" "SELECT value FROM meta WHERE key='unknown_events'")"
check_eq "4004.6 one VM, vcpus 0 and 1 with their tids" "1|0|100,1|1|101" \
	"$(q "$T/host.db" "SELECT group_concat(vm||'|'||id||'|'||tid, ',') FROM (SELECT * FROM vcpu ORDER BY id)")"
ok_if "4004.7 --switch-enter no: no placement rows" tlb tlbimport "$T/host.txt" -o "$T/host2.db" -q --switch-enter no
check_eq "4004.8 ... only migrate and lost remain" "lost,migrate" \
	"$(q "$T/host2.db" "SELECT group_concat(name) FROM (SELECT DISTINCT k.name FROM event e JOIN event_kind k ON k.id = e.kind ORDER BY 1)")"

# --- guest side: hcall kprobes and tracepoints, nested (integer timestamps: ticks) ---
cat > "$T/guest.txt" <<'TXT'
               a-1       [000] d....   1000: c31: (pSeries_lpar_hpte_updatepp+0x74/0xb0) op=0x18 rb=0x80000006 a1=0x10 a2=0x0 a3=0x0 a4=0x0 a5=0x0 a6=0x0
               a-1       [000] d....   1010: hcall_entry: opcode=24
               a-1       [000] dnh..   1020: c15: (icp_hv_get_irq+0x70/0x220) op=0x74 rb=0xc0000000fffeff18 a1=0xff a2=0x0 a3=0x0 a4=0x0 a5=0x0 a6=0x0
               a-1       [000] dnh..   1030: hcall_entry: opcode=116
               a-1       [000] dnh..   1040: hcall_exit: opcode=116 retval=0
               a-1       [000] dnh..   1050: r15: (icp_hv_get_irq+0x74/0x220) rc=0 ret0=0x5 ret1=0x0 ret2=0x0 ret3=0x0
               a-1       [000] d....   1060: hcall_exit: opcode=24 retval=-7
               a-1       [000] d....   1070: r31: (pSeries_lpar_hpte_updatepp+0x78/0xb0) rc=-7
               b-2       [001] d....   1080: c47: (pSeries_lpar_flush_hash_range+0x290/0x6d0) op=0x124 rb=0xc0000000053a35d0 a1=0x4200000000000010 a2=0x1 a3=0x4200000000000020 a4=0x2 a5=0x4200000000000030 a6=0x3 a7=0xc000000000000000 a8=0x0 a9=0x0
               b-2       [001] d....   1090: hcall_entry: opcode=292
               b-2       [001] d....   1100: hcall_exit: opcode=292 retval=0
               b-2       [001] d....   1110: r47: (pSeries_lpar_flush_hash_range+0x294/0x6d0) rc=0 ret0=0x8200000000000010 ret1=0x1 ret2=0x9200000000000020 ret3=0x2 ret4=0x8a00000000000030 ret5=0x3 ret6=0xc000000000000000 ret7=0x0 ret8=0x0
               b-2       [001] d....   1120: hcall_entry: opcode=292
               b-2       [001] d....   1130: hcall_exit: opcode=292 retval=0
               b-2       [001] d....   1140: hcall_entry: opcode=4
               b-2       [001] d....   1150: hcall_exit: opcode=4 retval=0
TXT
ok_if "4004.9 import guest text, 1 GHz timebase (ticks = ns)" \
	tlb tlbimport "$T/guest.txt" -o "$T/guest.db" -q --guest --timebase-hz 1000000000
# 1. ts 0: H_PROTECT opened by c31; r31 has no retN (plpar_hcall_norets): flags = rb
#    0x80000006 = 2147483654; rc -7 (H_NOT_FOUND) so n 0.
# 2. ts 20: H_XIRR from the interrupt, nested inside 1; r15 has ret0 (plpar_hcall): flags
#    = a1 = 0xff = 255; rc 0; not an invalidation: n 0. Written after 1 (time order).
# 3. ts 80: H_BULK_REMOVE from c47/r47: flags = a1 = 0x4200000000000010 = 4755801206503243792;
#    returned control bytes 0x82 (success), 0x92 (not found), 0x8a (success, R set), 0xc0
#    (end): n 2.
# 4. ts 120: H_BULK_REMOVE seen by the tracepoint only: flags 0, n = --bulk-n (default 4).
# 5. ts 140: H_REMOVE by the tracepoint only: rc 0 so n 1.
check_eq "4004.10 hcall rows (ts vcpu opcode flags n rc)" \
"0 0 24 2147483654 0 -7
20 0 116 255 0 0
80 1 292 4755801206503243792 2 0
120 1 292 0 4 0
140 1 4 0 1 0" "$(q "$T/guest.db" "SELECT ts, vcpu, opcode, flags, n, rc FROM hcall ORDER BY id" | tr '|' ' ')"
check_eq "4004.11 with args 3, without 2, n assumed 1" "3 2 1" \
	"$(q "$T/guest.db" "SELECT (SELECT value FROM meta WHERE key='hcall_with_args'), (SELECT value FROM meta WHERE key='hcall_without_args'), (SELECT value FROM meta WHERE key='hcall_n_assumed')" | tr '|' ' ')"
ok_if "4004.12 --bulk-n 1" tlb tlbimport "$T/guest.txt" -o "$T/guest1.db" -q --guest --bulk-n 1
check_eq "4004.13 ... the tracepoint-only H_BULK_REMOVE gets n 1" "1" \
	"$(q "$T/guest1.db" "SELECT n FROM hcall WHERE opcode = 292 AND flags = 0")"

# --- ppc-tb: ticks of the 512 MHz default timebase become ns ---
printf '%s\n' \
 '   a-1 [000] d....   512000000: hcall_entry: opcode=8' \
 '   a-1 [000] d....   512000100: hcall_exit: opcode=8 retval=0' \
 '   a-1 [001] d....   1024000256: hcall_entry: opcode=8' \
 '   a-1 [001] d....   1024000300: hcall_exit: opcode=8 retval=0' > "$T/tb.txt"
ok_if "4004.14 import ppc-tb text" tlb tlbimport "$T/tb.txt" -o "$T/tb.db" -q --guest
# (1024000256 - 512000000) ticks / 512 MHz = 1 s + 256 / 0.512 ns = 1000000500 ns
check_eq "4004.15 ts in ns" "0 1000000500" "$(q "$T/tb.db" "SELECT group_concat(ts, ' ') FROM hcall")"
check_eq "4004.16 raw tb kept in meta" "512000000 1024000300 512000000" \
	"$(q "$T/tb.db" "SELECT (SELECT value FROM meta WHERE key='tb_first'), (SELECT value FROM meta WHERE key='tb_last'), (SELECT value FROM meta WHERE key='timebase_hz')" | tr '|' ' ')"

# --- host side: kvm_hv tracepoints as their TP_printk formats print them (trace_hv.h) ---
cat > "$T/kvmhv.txt" <<'TXT'
 qemu-system-ppc-4242    [008] .....    50.000000: kvmppc_run_core: Enter runner_vcpu==0 runnable=2 tgid=4242
 qemu-system-ppc-4242    [008] .....    50.000001: kvm_guest_enter: VCPU 0: pc=0xc000000000012345 pexcp=0x0 ceded=0
 qemu-system-ppc-4242    [008] .....    50.000002: kvm_guest_exit: VCPU 0: trap=SYSCALL pc=0xc000000000012345 msr=0x8000000000001033, ceded=0
 qemu-system-ppc-4242    [008] .....    50.000003: kvm_hcall_enter: VCPU 0: hcall=H_REMOVE GPR4-7=0x80000000,0x1a8cb8,0x3af4df51b0000,0x0
 qemu-system-ppc-4242    [008] .....    50.000004: kvm_hcall_exit: VCPU 0: ret=RESUME_GUEST hcall_rc=H_NOT_FOUND
 qemu-system-ppc-4242    [008] .....    50.000005: kvm_hcall_enter: VCPU 0: hcall=H_PROTECT GPR4-7=0x80000006,0x10,0x0,0x0
 qemu-system-ppc-4242    [008] .....    50.000006: kvm_hcall_exit: VCPU 0: ret=RESUME_GUEST hcall_rc=H_SUCCESS
 qemu-system-ppc-4242    [008] .....    50.000007: kvm_guest_exit: VCPU 0: trap=0x1234 pc=0x0 msr=0x0, ceded=0
 qemu-system-ppc-4242    [008] .....    50.000008: kvm_page_fault_enter: VCPU 0: hpte=0x1:0x2 guest=0x3 ea=0x7000,40000000 slot=0x0,0x0
 qemu-system-ppc-4242    [008] .....    50.000009: kvmppc_run_core: Exit runner_vcpu==0 runnable=2 tgid=4242
TXT
ok_if "4004.17 import kvm_hv text" tlb tlbimport "$T/kvmhv.txt" -o "$T/kvmhv.db" -q
# ts in us steps from 50.000000 s. VM 1 = tgid 4242 (kvmppc_run_core), everything on cpu 8.
# vcore_run args: runner 0, 2 runnable, where 0 (Enter) / 1 (Exit), tgid. Traps: SYSCALL is
# 0xc00 = 3072; an unnamed 0x1234 = 4660. H_REMOVE (4) flags 0x80000000 = 2147483648 returns
# H_NOT_FOUND (-7): n 0. H_PROTECT (24) flags 0x80000006 = 2147483654, H_SUCCESS: n 1.
# page_fault a0 = ea 0x7000 = 28672.
check_eq "4004.18 rows (kind ts cpu vm vcpu a0..a3)" \
"vcore_run 0 8 1 0 0 2 0 4242
guest_enter 1000 8 1 0    
guest_exit 2000 8 1 0 3072   
hcall 3000 8 1 0 4 2147483648 0 -7
hcall 5000 8 1 0 24 2147483654 1 0
guest_exit 7000 8 1 0 4660   
page_fault 8000 8 1 0 28672   
vcore_run 9000 8 1 0 0 2 1 4242" \
	"$(q "$T/kvmhv.db" "SELECT k.name, ts, cpu, vm, vcpu, e.a0, e.a1, e.a2, e.a3 FROM event e JOIN event_kind k ON k.id = e.kind ORDER BY e.rowid" | tr '|' ' ')"
check_eq "4004.19 the VM row names its tgid" "1|4242" "$(q "$T/kvmhv.db" 'SELECT id, pid FROM vm')"
