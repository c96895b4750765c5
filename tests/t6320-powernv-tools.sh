#!/usr/bin/env bash
# t6320-powernv-tools - the emulated host harness's host-side pieces, without QEMU:
# kflush-probes.sh (kprobe places found by pattern in the kernel's code),
# kflush-import.sh (kprobe trace -> kernel_flush rows; POWER9 entries; POWER8 hcalls from
# the VMM's log) and vm-mmu.sh (the VMs' MMUs from the VMM's log -> vm_mmu), on hand-made
# inputs with hand-derived expectations.
. "$(dirname "$0")/lib.sh"
need_cmd sqlite3 || skip_all "no sqlite3"
P=$ROOT/powernv

# --- 1: kflush-probes.sh on Debian's 6.1.0-50 vmlinux (when cached by pseries/deps.sh).
# The places were found by hand in that build (../shared/notes/powernv-host.md): the
# need_tlb_flush test at kvmppc_check_need_tlb_flush+0x8, the flush path after the tlbiel
# loop at +0x5c; inlined in kvmhv_vcpu_entry_p9: the bit test at +0x440, the flush at +0x9f0.
vml=$ROOT/build/pseries/guest/vmlinux
if [ -f "$vml" ] && command -v powerpc64le-linux-gnu-objdump > /dev/null &&
	[ "$(head -1 "$ROOT/build/pseries/guest/kernel-release")" = 6.1.0-50-powerpc64le ]; then
	check_eq "6320.1 POWER8 places and fetch args" \
		"kcheck=kvmppc_check_need_tlb_flush+0x8;kvm=%r3:x64;pcpu=%r4:s32;mask=+2632(%r3):x64 kflush=kvmppc_check_need_tlb_flush+0x5c;kvm=%r3:x64;pcpu=%r4:s32" \
		"$("$P/kflush-probes.sh" powernv8 "$vml")"
	check_eq "6320.2 POWER9 places and fetch args" \
		"kcheck=kvmhv_vcpu_entry_p9+0x440;kvm=%r26:x64;pcpu=%r8:s32;bit=%r10:x64 kflush=kvmhv_vcpu_entry_p9+0x9f0;kvm=%r26:x64;pcpu=%r8:s32" \
		"$("$P/kflush-probes.sh" powernv9 "$vml")"
else
	skip "6320.1-2 kflush-probes.sh on 6.1.0-50" "no cached 6.1.0-50 vmlinux or cross objdump (make cross-ppc64el)"
fi
check_exit "6320.3 an unknown machine is bad usage" 2 "$P/kflush-probes.sh" powernv7
printf '\x7fELF' > "$T/notakernel"
check_exit "6320.4 a file without the function: exit 1, no probes" 1 "$P/kflush-probes.sh" powernv8 "$T/notakernel"

# --- 2: kflush-import.sh. A host DB of 1 VM (pid 100), vcpu 0 = thread 101; clock_start
# 1 s. Probe lines at 1.000010 s (check, flush) and 1.000020 s (check) on cpu 1, and one
# flush from a thread that is no vcpu (202).
sqlite3 "$T/h.db" < "$ROOT/schemas/trace-v1.sql"
sqlite3 -bail "$T/h.db" "insert or replace into meta values ('schema_version', '1'), ('source', 'host'), ('threads_per_core', '1'),
  ('ncpus', '2'), ('clock_start_ns', '1000000000');
  insert into vm(id, name, pid) values (1, 'vmm', 100);
  insert into vcpu(vm, id, tid, name) values (1, 0, 101, 'CPU 0/KVM');
  insert into event(ts, cpu, vm, vcpu, kind) values (5000, 1, 1, 0, 2), (15000, 1, 1, 0, 2), (90000, 1, 1, 0, 2);"
cat > "$T/kf.txt" <<'TXT'
# tracer: nop
       CPU 0/KVM-101     [001] d....     1.000010: kcheck: (kvmppc_check_need_tlb_flush+0x8/0x90) kvm=0xc000000028610000 pcpu=1 mask=0xffffffffffffffff
       CPU 0/KVM-101     [001] d....     1.000010: kflush: (kvmppc_check_need_tlb_flush+0x5c/0x90) kvm=0xc000000028610000 pcpu=1
       CPU 0/KVM-101     [001] d....     1.000020: kcheck: (kvmppc_check_need_tlb_flush+0x8/0x90) kvm=0xc000000028610000 pcpu=1 mask=0xfffffffffffffffd
           other-202     [000] d....     1.000030: kflush: (kvmppc_check_need_tlb_flush+0x5c/0x90) kvm=0xc000000028610000 pcpu=0
TXT
check_exit "6320.5 import (powernv8)" 0 "$P/kflush-import.sh" powernv8 "$T/h.db" "$T/kf.txt" "$T/o8.db"
check_eq "6320.6 one kernel_flush row: ts 10 us, cpu 1, vm 1, vcpu 0" "10000|1|1|0" \
	"$(sqlite3 "$T/o8.db" "select ts, cpu, vm, vcpu from event e join event_kind k on k.id = e.kind where k.name = 'kernel_flush'")"
check_eq "6320.7 meta: 1 unattributed flush, 2 checks" "1 2" \
	"$(sqlite3 "$T/o8.db" "select (select value from meta where key = 'kernel_flush_unattributed') || ' ' ||
	   (select value from meta where key = 'kernel_flush_checks')")"
check_eq "6320.8 POWER8 keeps the tracepoint's 3 entries" 3 "$(sqlite3 "$T/o8.db" "select count(*) from event where kind = 2")"
check_exit "6320.9 import (powernv9)" 0 "$P/kflush-import.sh" powernv9 "$T/h.db" "$T/kf.txt" "$T/o9.db"
check_eq "6320.10 POWER9: entries are the 2 checks (10 and 20 us), the tracepoint's 3 replaced" "10000,20000" \
	"$(sqlite3 "$T/o9.db" "select group_concat(ts) from (select ts from event where kind = 2 order by ts)")"
check_eq "6320.11 ... and meta keeps their count" 3 "$(sqlite3 "$T/o9.db" "select value from meta where key = 'guest_enter_tracepoint_rows'")"
# the VMM's log: round 0 of vm a vcpu 0 on cpu 1, mono 1.000000000..1.000100000 s, tb 0..51200
# (512 MHz: 100 us); an H_REMOVE at tb 10240 (20 us) with rc 0, the exit hcall (not added)
cat > "$T/vmm.log" <<'LOG'
start tb 0 mono 0 timebase_hz 512000000 ncpus 2
vm a pid 100 mmu hpt vcpus 1
round a 0 0 tid 101 cpu 1 prev_cpu 1 runs 1 mono0 1000000000 mono1 1000100000 tb0 0 tb1 51200 pin 999999000
hcall a 0 0 0 tb 10240 op 0x4 args 0x0 0x208 0x0 0x0 0x0 0x0 0x0 0x0 rc 0 ret 0x8000401 0x2000011 0x0 0x0 0x0 0x0 0x0 0x0
hcall a 0 0 1 tb 10500 op 0x124 args 0x4000000000000209 0x0 0x4000000000000208 0x0 0x0 0x0 0x0 0x0 rc 0 ret 0x8000000000000209 0x0 0x9000000000000208 0x0 0x0 0x0 0x0 0x0
hcall a 0 0 2 tb 20000 op 0x54 args 0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0 rc 0 ret 0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0
LOG
check_exit "6320.12 import --log-hcalls (powernv8)" 0 "$P/kflush-import.sh" --log-hcalls "$T/vmm.log" powernv8 "$T/h.db" "$T/kf.txt" "$T/t8.db"
check_eq "6320.13 the log's real-mode hcalls, at the guest's time, flags whole, n from the returns" \
	"20000|1|1|0|4|0|1|0,20507|1|1|0|292|4611686018427388425|1|0" \
	"$(sqlite3 "$T/t8.db" "select group_concat(r, ',') from (select e.ts || '|' || e.cpu || '|' || e.vm || '|' || e.vcpu || '|' || e.a0 || '|' || e.a1 || '|' || e.a2 || '|' || e.a3 r
	   from event e join event_kind k on k.id = e.kind where k.name = 'hcall' order by e.ts)")"
check_exit "6320.14 --log-hcalls on powernv9 adds nothing (all virtual-mode there)" 0 \
	"$P/kflush-import.sh" --log-hcalls "$T/vmm.log" powernv9 "$T/h.db" "$T/kf.txt" "$T/t9.db"
check_eq "6320.15 ... no hcall row" 0 "$(sqlite3 "$T/t9.db" "select count(*) from event e join event_kind k on k.id = e.kind where k.name = 'hcall'")"
check_exit "6320.16 a trace line it does not understand: exit 1" 1 sh -c \
	"printf '       CPU 0/KVM-101 [001] d.... 1.5: kflush: garbage\n' > '$T/bad.txt'; '$P/kflush-import.sh' powernv8 '$T/h.db' '$T/bad.txt' '$T/x.db'"

# --- vm-mmu.sh: each VM's MMU from the VMM's log, matched by vm.pid. DB VMs 1 (pid 300),
# 2 (pid 301), 3 (pid 302, not in the log: no row). Log: pid 301 radix, 300 hpt -> hash.
sqlite3 "$T/m.db" < "$ROOT/schemas/trace-v1.sql"
sqlite3 "$T/m.db" "INSERT INTO vm(id, name, pid) VALUES (1, 'vmm', 300), (2, 'vmm', 301), (3, 'vmm', 302)"
printf 'start x\nvm rdx pid 301 mmu radix vcpus 1\nvm hop pid 300 mmu hpt vcpus 1\nround rdx 0 0\n' > "$T/m.log"
check_exit "6320.17 vm-mmu.sh" 0 "$P/vm-mmu.sh" "$T/m.log" "$T/m.db"
check_eq "6320.18 hpt -> hash, radix -> radix, by pid; the VM absent from the log has no row" "1 hash,2 radix" \
	"$(sqlite3 "$T/m.db" "select group_concat(vm || ' ' || mmu, ',') from (select * from vm_mmu order by vm)")"
printf "vm x pid 300 mmu 'hash');drop table vm;-- vcpus 1\n" > "$T/bad.log"
check_exit "6320.19 a log line not as the VMM writes it: exit 2" 2 "$P/vm-mmu.sh" "$T/bad.log" "$T/m.db"
check_eq "6320.20 ... and the DB unchanged" "3|2" "$(sqlite3 "$T/m.db" "select (select count(*) from vm), (select count(*) from vm_mmu)")"
