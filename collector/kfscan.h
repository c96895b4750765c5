/* SPDX-License-Identifier: MIT */
/*
 * kfscan - where, in one kernel build, kvm_hv decides a full TLB flush at guest
 * entry: found by pattern in the function's machine code, never by a number
 * written here (offsets belong to one build).
 *
 * The pattern (the need_tlb_flush test of struct kvm, as gcc compiles
 * `cpumask_test_cpu(pcpu, &kvm->arch.need_tlb_flush)`):
 *   addi  rM,rKVM,OFF        OFF: the cpumask in struct kvm
 *   ... ldx, srd (2 at least), clrlwi rX,rPCPU,26 (the bit number), within 8 words
 *   andi. rB,rS,1            the cpu's bit
 * then, on the POWER7/8 real-mode path (kvmppc_check_need_tlb_flush, r3 = kvm,
 * r4 = pcpu): "check" at the addi (every entry of a core), "flush" at the word
 * after the tlbiel loop's ptesync; on POWER9 (kvmhv_vcpu_entry_p9, the test
 * inlined): "check" at the andi. (every real guest entry: the HV_DECREMENTER
 * early returns never get there), "flush" at the target of the `bne` after it.
 * The same places as powernv/kflush-probes.sh finds with objdump (t6320 checks
 * both agree on Debian's 6.1 vmlinux).
 *
 * Interface:
 *   kfs_scan()        the places in @n instruction words of the function @site names
 *   kfs_spec()        one probe as kprobe_events wants it: "SYM+0xOFF ARGS..."
 *   kfs_format()      both, as powernv/kflush-probes.sh prints them (';' for ' ')
 *   kfs_parse_line()  one tracefs trace line of those probes (named KFS_*_NAME)
 */
#ifndef TLBC_KFSCAN_H
#define TLBC_KFSCAN_H

#include <stddef.h>
#include <stdint.h>

enum kfs_site {
	KFS_P8,		/* kvmppc_check_need_tlb_flush: POWER7/8, real mode */
	KFS_P9,		/* kvmhv_vcpu_entry_p9: POWER9 and later, the test inlined */
};

enum kfs_probe { KFS_CHECK, KFS_FLUSH };

struct kfs_place {
	enum kfs_site site;
	uint32_t check_off;	/* byte offsets from the function's symbol */
	uint32_t flush_off;
	int kvm_reg;		/* registers at those places: struct kvm * */
	int pcpu_reg;		/* the physical cpu */
	int bit_reg;		/* KFS_P9: the shifted mask word at the andi. */
	int32_t mask_off;	/* KFS_P8: the need_tlb_flush cpumask in struct kvm */
};

/* The function each site probes. */
const char *kfs_function(enum kfs_site site);

/* 0 found (@out filled), -1 not found. @code: the words in the CPU's own byte order. */
int kfs_scan(enum kfs_site site, const uint32_t *code, size_t n, struct kfs_place *out);

/* "SYM+0xOFF kvm=%rK:x64 pcpu=%rP:s32[ mask=...|bit=...]" into @buf; -1 if it does not fit. */
int kfs_spec(const struct kfs_place *p, enum kfs_probe which, char *buf, size_t len);

/* "kcheck=SPEC kflush=SPEC" with ';' for the spaces inside a SPEC. */
int kfs_format(const struct kfs_place *p, char *buf, size_t len);

/* The kprobe event names (tracefs event names under tlbcollect's group). */
#define KFS_CHECK_NAME "kcheck"
#define KFS_FLUSH_NAME "kflush"

struct kfs_line {
	uint32_t tid;		/* the thread the probe fired in */
	uint64_t ts_ns;		/* the trace clock (mono: CLOCK_MONOTONIC), 1 us resolution */
	enum kfs_probe which;
	uint32_t pcpu;		/* the probe's pcpu= argument */
};

/*
 * kfs_parse_line - one line of a tracefs instance's trace / trace_pipe (text, default
 * options; kernel/trace/trace_output.c, trace_print_context): the comm right-aligned
 * in 16 columns, '-', the pid, "[CPU]", the irq-info flags (optional), "SECS.USECS:",
 * the event name and ':', then "(SYM+OFF/SIZE) kvm=0x... pcpu=N ...". 1 parsed,
 * 0 a comment or an empty line, -1 not such a line (or out of range).
 */
int kfs_parse_line(const char *l, struct kfs_line *out);

#endif
