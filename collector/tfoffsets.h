/* SPDX-License-Identifier: MIT */
/*
 * tfoffsets.h - where the fields of a tracepoint's record are, as tracefs
 * `events/SYSTEM/EVENT/format` says: the layout the host programs of
 * collector/tlbcollect_tf.bpf.c read when the kernel has no BTF (Debian's
 * ppc64el kernels). Filled by tps_read_offsets() (tpsource.c) before load,
 * into the object's read-only data: the verifier then sees constants.
 *
 * Shared by the BPF side and the user side: plain __u16 fields, no pointers.
 * A field the kernel's format lacks has off == TF_NONE (the program then
 * reports 0 for it).
 */
#ifndef TLBC_TFOFFSETS_H
#define TLBC_TFOFFSETS_H

#define TF_NONE 0xffff

struct tf_field {
	__u16 off;	/* byte offset in the record, TF_NONE when absent */
	__u16 size;	/* 1, 2, 4 or 8 (16 for comm) */
	__u16 is_signed;
	__u16 data_loc;	/* 1: a __data_loc field (u32: length << 16 | offset of the bytes) */
};

/* One entry per field the host programs read; names as in the format files. */
struct tf_offsets {
	struct tf_field sw_prev_comm, sw_prev_pid, sw_next_comm, sw_next_pid;	/* sched_switch */
	struct tf_field mig_comm, mig_pid, mig_orig_cpu, mig_dest_cpu;	/* sched_migrate_task */
	struct tf_field nt_pid, nt_clone_flags;				/* task_newtask */
	struct tf_field kvm_entry_vcpu_id;				/* kvm:kvm_entry */
	struct tf_field kvm_exit_reason, kvm_exit_vcpu_id;		/* kvm:kvm_exit */
	struct tf_field unmap_start, unmap_end;				/* kvm:kvm_unmap_hva_range */
	struct tf_field age_start, age_end;				/* kvm:kvm_age_hva */
	struct tf_field rc_n_runnable, rc_runner_vcpu, rc_where, rc_tgid;	/* kvmppc_run_core */
	struct tf_field ge_vcpu_id;					/* kvm_guest_enter */
	struct tf_field gx_vcpu_id, gx_trap;				/* kvm_guest_exit */
	struct tf_field hi_vcpu_id, hi_req, hi_gpr4, hi_gpr5, hi_gpr6, hi_gpr7;	/* kvm_hcall_enter */
	struct tf_field ho_vcpu_id, ho_ret, ho_hcall_rc;		/* kvm_hcall_exit */
	struct tf_field pi_vcpu_id, pi_ea;				/* kvm_page_fault_enter */
	struct tf_field po_vcpu_id, po_ret;				/* kvm_page_fault_exit */
};

#endif
