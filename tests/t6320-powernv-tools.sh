#!/usr/bin/env bash
# t6320-powernv-tools - the emulated host harness's host-side pieces, without QEMU:
# kflush-probes.sh (kprobe places found by pattern in the kernel's code), kfscan.c
# (tlbcollect --kernel-flush's places, the same pattern on machine code) against it and
# on hand-assembled code, tlbcollect --kernel-flush's refusals where kvm_hv is absent,
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

# --- kfscan.c (tlbcollect --kernel-flush's places, from machine code) -------------------
# 6320.21-22: the same places as kflush-probes.sh (objdump) in Debian's 6.1 vmlinux: the
# function's bytes, to the next symbol, cut out of the ELF file.
KFS=$TLB_TESTBIN/collect-kfscan
fnbytes() {	# VMLINUX SYMBOL OUT: SYMBOL's code (to the next symbol) of a 64-bit LE ELF
	python3 - "$@" <<'PY'
import struct, sys
path, name, out = sys.argv[1:4]
d = open(path, 'rb').read()
shoff, = struct.unpack_from('<Q', d, 0x28)
shentsize, shnum = struct.unpack_from('<HH', d, 0x3a)
secs = [struct.unpack_from('<IIQQQQIIQQ', d, shoff + i * shentsize) for i in range(shnum)]
symtab = [s for s in secs if s[1] == 2][0]
strtab = secs[symtab[6]]
addrs, start = [], None
for off in range(symtab[4], symtab[4] + symtab[5], 24):
    st_name, info, other, shndx, value, size = struct.unpack_from('<IBBHQQ', d, off)
    if (info & 0xf) == 2 and d[strtab[4] + st_name: strtab[4] + st_name + len(name) + 1] == name.encode() + b'\0':
        start = value
    addrs.append(value)
end = min(a for a in addrs if a > start)
for s in secs:
    if s[1] == 1 and s[3] <= start < s[3] + s[5]:
        open(out, 'wb').write(d[s[4] + start - s[3]: s[4] + end - s[3]])
        break
PY
}
if [ ! -x "$KFS" ]; then
	skip "6320.21-27 kfscan" "no $KFS (make test-programs)"
else
	if [ -f "$vml" ] && command -v python3 > /dev/null && command -v powerpc64le-linux-gnu-objdump > /dev/null; then
		for s in 8 9; do
			fn=kvmppc_check_need_tlb_flush
			[ $s = 9 ] && fn=kvmhv_vcpu_entry_p9
			fnbytes "$vml" "$fn" "$T/p$s.bin"
			check_eq "6320.2$((s - 7)) POWER$s: kfscan.c finds kflush-probes.sh's places in $fn" \
				"$("$P/kflush-probes.sh" powernv$s "$vml")" "$("$KFS" p$s "$T/p$s.bin")"
		done
	else
		skip "6320.21-22 kfscan.c vs kflush-probes.sh" "no cached vmlinux, python3 or cross objdump"
	fi
	# 6320.23-27: hand-assembled code (Power ISA encodings), other registers and offsets.
	# P8 at word 1: addi r7,r5,-8 (the mask at kvm-8); clrlwi r6,r9,26; ldx r10,r7,r8;
	# srd r10,r10,r6; andi. r10,r10,1; nop; ptesync (word 7); flush at word 8 = +0x20.
	w() { python3 -c 'import struct, sys; sys.stdout.buffer.write(b"".join(struct.pack("<I", int(x, 0)) for x in sys.argv[1:]))' "$@"; }
	addi=$(( (14 << 26) | (7 << 21) | (5 << 16) | (-8 & 0xffff) ))
	clrlwi=$(( (21 << 26) | (9 << 21) | (6 << 16) | (26 << 6) | (31 << 1) ))
	ldx=$(( (31 << 26) | (10 << 21) | (7 << 16) | (8 << 11) | (21 << 1) ))
	srd=$(( (31 << 26) | (10 << 21) | (10 << 16) | (6 << 11) | (539 << 1) ))
	andi=$(( (28 << 26) | (10 << 21) | (10 << 16) | 1 ))
	nop=0x60000000 ptesync=0x7c4004ac
	w $nop $addi $clrlwi $ldx $srd $andi $nop $ptesync $nop $nop > "$T/h8.bin"
	check_eq "6320.23 P8 hand-made: check at the addi, flush after the ptesync, kvm r5, pcpu r9, mask -8" \
		"kcheck=kvmppc_check_need_tlb_flush+0x4;kvm=%r5:x64;pcpu=%r9:s32;mask=-8(%r5):x64 kflush=kvmppc_check_need_tlb_flush+0x20;kvm=%r5:x64;pcpu=%r9:s32" \
		"$("$KFS" p8 "$T/h8.bin")"
	# P9: the same test, then bne +0x10 (bc 4,2,16) at word 6: check at the andi. (+0x14),
	# flush at 0x18 + 0x10 = +0x28; the bit register is the andi.'s source, r10
	bne=$(( (16 << 26) | (4 << 21) | (2 << 16) | 16 ))
	w $nop $addi $clrlwi $ldx $srd $andi $bne $nop $nop $nop $nop $nop > "$T/h9.bin"
	check_eq "6320.24 P9 hand-made: check at the andi., flush at the bne's target" \
		"kcheck=kvmhv_vcpu_entry_p9+0x14;kvm=%r5:x64;pcpu=%r9:s32;bit=%r10:x64 kflush=kvmhv_vcpu_entry_p9+0x28;kvm=%r5:x64;pcpu=%r9:s32" \
		"$("$KFS" p9 "$T/h9.bin")"
	# beq instead of bne (bc 12,2): not the flush branch
	w $nop $addi $clrlwi $ldx $srd $andi $(( (16 << 26) | (12 << 21) | (2 << 16) | 16 )) $nop $nop $nop $nop > "$T/h9b.bin"
	check_exit "6320.25 P9 with beq after the andi.: not found, exit 1" 1 "$KFS" p9 "$T/h9b.bin"
	# the andi. 9 words after the addi: past the window
	w $addi $clrlwi $ldx $srd $nop $nop $nop $nop $nop $andi $ptesync $nop > "$T/h8w.bin"
	check_exit "6320.26 P8 with the andi. 9 words after the addi: not found, exit 1" 1 "$KFS" p8 "$T/h8w.bin"
	# a branch target outside the code
	w $nop $addi $clrlwi $ldx $srd $andi $(( (16 << 26) | (4 << 21) | (2 << 16) | 0x4000 )) $nop > "$T/h9o.bin"
	check_exit "6320.27 P9 with the bne's target outside the function: not found, exit 1" 1 "$KFS" p9 "$T/h9o.bin"
fi

# --- kfs_parse_line: tlbcollect's reading of its probes' trace lines (hostile-ish: a comm
# is any 15 bytes). Hand-derived: tid, ts (s and us -> ns), name, pcpu; or skip / bad.
if [ -x "$KFS" ]; then
	cat > "$T/lines.txt" <<'TXT'
# tracer: nop
       CPU 0/KVM-101     [001] d....     1.000010: kcheck: (kvmppc_check_need_tlb_flush+0x8/0x90) kvm=0xc000000028610000 pcpu=1 mask=0xffffffffffffffff
 ] 1.000001: kfl-42      [000] .....    12.345678: kflush: (x+0x5c/0x90) kvm=0x0 pcpu=3
           <...>-7       [003]  4294.967296: kflush: (y) kvm=0x1 pcpu=65535

       CPU 1/KVM-9       [000] d....     1.5: kflush: (a) kvm=0x0 pcpu=0
       CPU 1/KVM-9       [000] d....     1.000001: other: (a) kvm=0x0 pcpu=0
       CPU 1/KVM-9       [000] d....     1.000001: kflush: (a) kvm=0x0 pcpu=65536
       CPU 1/KVM-9       [000] d....     1.000001: kflush: (a) kvm=0x0 pcpu=-1
       CPU 1/KVM-99999999999 [000] d....     1.000001: kflush: (a) kvm=0x0 pcpu=0
CPU-1
       CPU 1/KVM-9       [000] d....     1.000001: kflush: (a) kvm=0x0 pcpu=2x
       CPU 1/KVM-9       [000] d....     1.000001: kflush: (a) kvm=0x0
TXT
	check_eq "6320.36 trace lines: a comm with '] ' and a time in it, no irq-info flags, the limits; bad ones refused" \
		"skip,101 1000010000 kcheck 1,42 12345678000 kflush 3,7 4294967296000 kflush 65535,skip,bad,bad,bad,bad,bad,bad,bad,bad" \
		"$("$KFS" lines "$T/lines.txt" | paste -sd,)"
fi

# --- kflush-import.sh - (tlbcollect recorded kernel_flush itself): only the log's hcalls
check_exit "6320.28 import --log-hcalls with no trace (-)" 0 "$P/kflush-import.sh" --log-hcalls "$T/vmm.log" powernv8 "$T/o8.db" - "$T/t8b.db"
check_eq "6320.29 ... the capture's kernel_flush rows and entries kept, the 2 real-mode hcalls added" "1 3 2" \
	"$(sqlite3 "$T/t8b.db" "select (select count(*) from event where kind = 9) || ' ' || (select count(*) from event where kind = 2) || ' ' ||
	   (select count(*) from event where kind = 4)")"
check_exit "6320.30 powernv9 with no trace (-): a copy" 0 "$P/kflush-import.sh" powernv9 "$T/h.db" - "$T/o9b.db"
check_eq "6320.31 ... the tracepoint's 3 entries untouched" 3 "$(sqlite3 "$T/o9b.db" "select count(*) from event where kind = 2")"

# --- tlbcollect --kernel-flush where kvm_hv's entry code is not: refused before anything
if ! need_root || [ ! -x "$TLB_BIN/tlbcollect" ]; then
	skip "6320.32-35 tlbcollect --kernel-flush refusals" "needs root and $TLB_BIN/tlbcollect"
elif grep -qE ' (kvmppc_check_need_tlb_flush|kvmhv_vcpu_entry_p9)$' /proc/kallsyms; then
	skip "6320.32-35 tlbcollect --kernel-flush refusals" "this kernel has kvm_hv's entry code (make check-powernv checks it)"
else
	check_exit "6320.32 --kernel-flush without kvm_hv's entry code: exit 1" 1 tlb tlbcollect -q -o "$T/kf.db" -d 1 --kernel-flush
	check_grep "6320.33 ... with the reason" 'cannot record kernel_flush: no symbol kvmhv_vcpu_entry_p9 in /proc/kallsyms' "$ERR"
	check_eq "6320.34 ... and no file, no kprobe event of ours" "no 0" \
		"$([ -e "$T/kf.db" ] && echo yes || echo no) $(cat /sys/kernel/tracing/kprobe_events 2>/dev/null | grep -c '^p:tlbcollect_')"
	check_exit "6320.35 --kernel-flush with --guest: bad usage" 2 tlb tlbcollect -g -o "$T/kf.db" --kernel-flush
fi
