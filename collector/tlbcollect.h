/* SPDX-License-Identifier: MIT */
/*
 * tlbcollect.h - the records the BPF programs send to tlbcollect's user side.
 *
 * The one header shared by both sides (collector/tlbcollect.bpf.c,
 * collector/tlbcollect_guest.bpf.c and the user side): plain __u32/__u64
 * fields, no pointers, fixed sizes, so that a record means the same on the
 * BPF side and in user space whatever the compiler. The user side turns each
 * record into rows of the trace DB (schema v1) in collector/sink.c.
 *
 * Including it: the BPF side gets __u32/__u64 from vmlinux.h or
 * <linux/types.h>; the user side includes <linux/types.h> first.
 */
#ifndef TLBCOLLECT_H
#define TLBCOLLECT_H

#define TC_COMM_LEN	16	/* TASK_COMM_LEN */
#define TC_MAX_VMS	1024	/* entries of the --pid map of QEMU tgids */
#define TC_RET_WORDS	8	/* H_BULK_REMOVE: 4 (word0, word1) pairs read back */

/* What a record reports (tc_event.type). */
enum tc_type {
	TC_SWITCH_IN = 1,	/* a vcpu thread switched in on cpu: tid, vcpu */
	TC_SWITCH_OUT,		/* a vcpu thread switched out of cpu */
	TC_MIGRATE,		/* sched_migrate_task: arg[0] orig cpu, arg[1] dest cpu */
	TC_KVM_ENTRY,		/* kvm:kvm_entry: vcpu from the tracepoint */
	TC_KVM_EXIT,		/* kvm:kvm_exit: arg[0] exit reason */
	TC_HVA_UNMAP,		/* kvm:kvm_unmap_hva_range: arg[0] start, arg[1] end */
	TC_HVA_AGE,		/* kvm:kvm_age_hva: arg[0] start, arg[1] end */
	TC_HV_RUN_CORE,		/* kvm_hv:kvmppc_run_core: arg[] runner, n_runnable, where, tgid */
	TC_HV_ENTER,		/* kvm_hv:kvm_guest_enter */
	TC_HV_EXIT,		/* kvm_hv:kvm_guest_exit: arg[0] trap */
	TC_HV_HCALL_ENTER,	/* kvm_hv:kvm_hcall_enter: struct tc_hv_hcall */
	TC_HV_HCALL_EXIT,	/* kvm_hv:kvm_hcall_exit: arg[0] ret, arg[1] hcall_rc */
	TC_HV_PF_ENTER,		/* kvm_hv:kvm_page_fault_enter: arg[0] ea */
	TC_HV_PF_EXIT,		/* kvm_hv:kvm_page_fault_exit: arg[0] ret */
	TC_GUEST_HCALL,		/* powerpc:hcall_entry+exit paired: struct tc_hcall */
	TC_SWITCH_PAIR,		/* one switch from a vcpu thread to another: two events in
				 * one record. tgid, tid, vcpu, flags: the thread switched
				 * in; arg[0] tgid, arg[1] tid, arg[2] vcpu, arg[3] flags:
				 * the one switched out. Counted as 2 in TC_STAT_SEEN/LOST */
	TC_KERNEL_FLUSH,	/* tlbcollect --kernel-flush (kflush.c, from tracefs, not BPF):
				 * kvm_hv flushed the VM's TLB on cpu as vcpu entered */
	TC_KERNEL_CHECK,	/* --kernel-flush on POWER9: the need_tlb_flush test of a real
				 * guest entry (the sink's guest_enter there) */
	TC_NTYPES,
};

/* Per-cpu counters of the BPF side (map "stats", BPF_MAP_TYPE_PERCPU_ARRAY). */
enum tc_stat {
	TC_STAT_SEEN,		/* records the programs tried to send */
	TC_STAT_LOST,		/* of which the ring buffer had no room for */
	TC_STAT_UNPAIRED,	/* guest: an hcall_exit without its hcall_entry */
	TC_STAT_NOTGID,		/* host without BTF: a vcpu thread whose process was unknown */
	TC_NSTATS,
};

/* Every record starts with this; @type says which struct follows. */
struct tc_event {
	__u64 ts;		/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 type;		/* enum tc_type */
	__u32 cpu;		/* cpu the program ran on */
	__u32 tgid;		/* process (the VM's QEMU) */
	__u32 tid;		/* thread */
	__s32 vcpu;		/* vcpu id, -1 unknown */
	__u32 flags;		/* TC_F_* */
	__u64 arg[4];		/* meaning by type, above */
};

#define TC_F_TCG	1u	/* thread named "CPU N/TCG" (QEMU emulation), else "/KVM" */

/* TC_GUEST_HCALL: one hypervisor call seen from inside a pseries guest. */
struct tc_hcall {
	struct tc_event h;	/* arg[0] opcode, arg[1] flags (args[0] = r4), arg[2] rc,
				 * arg[3] 1 when ret[] was read (the call has a return buffer) */
	__u64 args[4];		/* hcall arguments r5..r8 (args[1..4] of hcall_entry) */
	__u64 ret[TC_RET_WORDS];	/* the return buffer after the call */
};

/* TC_HV_HCALL_ENTER: one kvm_hv:kvm_hcall_enter (host side), every argument it carries. */
struct tc_hv_hcall {
	struct tc_event h;	/* arg[0] req, arg[1] gpr4, arg[2] gpr5, arg[3] gpr6 */
	__u64 gpr7;
};

#endif
