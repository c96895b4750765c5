// SPDX-License-Identifier: GPL-2.0
/*
 * tlbcollect_tf.bpf.c - the host-side BPF programs of tlbcollect for kernels
 * without BTF: tracepoint programs that read the trace record at the offsets
 * tracefs `format` gives (what perf does), no CO-RE, no tp_btf.
 *
 * What it owns: the same struct tc_event records as tlbcollect.bpf.c, with the
 * same program names (the catalogue in tpsource.c names one program per
 * tracepoint for both objects), from the raw trace records. Debian's ppc64el
 * kernels (CONFIG_DEBUG_INFO_BTF unset) are the case: a POWER KVM host.
 *
 * Field offsets come in through read-only data (struct tf_offsets, filled
 * from tracefs before load): constants to the verifier. A field is read with
 * bpf_probe_read_kernel at ctx + offset.
 *
 * Who a thread belongs to: sched_switch gives the next thread's pid and name,
 * not its process. The process of every thread created while we record comes
 * from task:task_newtask (in the parent: CLONE_THREAD means the parent's
 * process, else its own); threads older than that are put in map tid_tgid by
 * the user side from /proc before attaching; a vcpu thread's own events
 * (switch-out, kvm_hv tracepoints) refresh it. A switch-in whose process is
 * still unknown is counted (TC_STAT_NOTGID) and not recorded.
 *
 * Programs: tlbc_switch, tlbc_migrate, tlbc_newtask (task/task_newtask),
 * tlbc_kvm_entry, tlbc_kvm_exit, tlbc_hva_unmap, tlbc_hva_age, tlbc_run_core,
 * tlbc_hv_enter, tlbc_hv_exit, tlbc_hv_hc_in, tlbc_hv_hc_out, tlbc_hv_pf_in,
 * tlbc_hv_pf_out.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "tlbcollect.h"
#include "vcpuname.bpf.h"
#include "tfoffsets.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 filter_tgid = 0;		/* 1: only processes in vm_tgids */
const volatile __u32 want_switch_out = 1;	/* 0: no switch-outs (--no-switch-out) */
const volatile struct tf_offsets off = {};	/* from tracefs, before load */

#define CLONE_THREAD_FLAG 0x00010000	/* include/uapi/linux/sched.h CLONE_THREAD */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);	/* set by --ring-mb before load */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TC_NSTATS);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TC_MAX_VMS);
	__type(key, __u32);
	__type(value, __u8);
} vm_tgids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);	/* tid */
	__type(value, __u32);	/* tgid */
} tid_tgid SEC(".maps");

#include "record.bpf.h"

/* The field @f of the record at @ctx, sign-extended when the format says signed. */
static __always_inline __u64 field(void *ctx, const volatile struct tf_field *fp)
{
	/* one volatile read per member: a copy of the whole struct let clang fold the
	 * object file's zeros into the code */
	struct tf_field f = { fp->off, fp->size, fp->is_signed, fp->data_loc };
	__u64 v = 0;

	if (f.off == TF_NONE)
		return 0;
	switch (f.size) {
	case 1: {
		__u8 b = 0;

		bpf_probe_read_kernel(&b, 1, (char *)ctx + f.off);
		v = f.is_signed ? (__u64)(__s64)(__s8)b : b;
		break;
	}
	case 2: {
		__u16 h = 0;

		bpf_probe_read_kernel(&h, 2, (char *)ctx + f.off);
		v = f.is_signed ? (__u64)(__s64)(__s16)h : h;
		break;
	}
	case 4: {
		__u32 w = 0;

		bpf_probe_read_kernel(&w, 4, (char *)ctx + f.off);
		v = f.is_signed ? (__u64)(__s64)(__s32)w : w;
		break;
	}
	default:
		bpf_probe_read_kernel(&v, 8, (char *)ctx + f.off);
		break;
	}
	return v;
}

/* The vcpu id of a thread named by the record's comm field @f, else -1. */
static __always_inline int vcpu_of_field(void *ctx, const volatile struct tf_field *fp, __u32 *tcg)
{
	char comm[TC_COMM_LEN] = {};
	__u16 o = fp->off;

	if (o == TF_NONE)
		return -1;
	if (fp->data_loc) {	/* newer kernels: sched_migrate_task's comm is __data_loc char[] */
		__u32 loc = 0;

		bpf_probe_read_kernel(&loc, sizeof(loc), (char *)ctx + o);
		o = loc & 0xffff;
	}
	bpf_probe_read_kernel(comm, sizeof(comm), (char *)ctx + o);
	return vcpu_of_name(comm, tcg);
}

/* The process of thread @tid: the current task's, if it is @tid, else the map's. */
static __always_inline int tgid_of(__u32 tid, __u32 *tgid)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 *t;

	if ((__u32)id == tid) {
		*tgid = id >> 32;
		return 0;
	}
	t = bpf_map_lookup_elem(&tid_tgid, &tid);
	if (!t)
		return -1;
	*tgid = *t;
	return 0;
}

static __always_inline void emit(__u32 type, __u32 tgid, __u32 tid, int vcpu, __u32 tcg, __u64 a0,
				 __u64 a1)
{
	struct tc_event *e = reserve_n(type, 1);

	if (!e)
		return;
	e->tgid = tgid;
	e->tid = tid;
	e->vcpu = vcpu;
	e->flags = tcg;
	e->arg[0] = a0;
	e->arg[1] = a1;
	submit(e);
}

SEC("tracepoint/sched/sched_switch")
int tlbc_switch(void *ctx)
{
	__u32 tcg_out = 0, tcg_in = 0, tgid_out = 0, tgid_in = 0;
	__u32 tid_out = (__u32)field(ctx, &off.sw_prev_pid), tid_in = (__u32)field(ctx, &off.sw_next_pid);
	int vout = want_switch_out ? vcpu_of_field(ctx, &off.sw_prev_comm, &tcg_out) : -1;
	int vin = vcpu_of_field(ctx, &off.sw_next_comm, &tcg_in);
	struct tc_event *e;

	if (vout >= 0) {
		/* prev is the current task: its process is exact, and kept for its switch-in */
		__u64 id = bpf_get_current_pid_tgid();

		tgid_out = id >> 32;
		bpf_map_update_elem(&tid_tgid, &tid_out, &tgid_out, BPF_ANY);
		if (!wanted_tgid(tgid_out))
			vout = -1;
	}
	if (vin >= 0) {
		if (tgid_of(tid_in, &tgid_in)) {
			count(TC_STAT_NOTGID, 1);
			vin = -1;
		} else if (!wanted_tgid(tgid_in)) {
			vin = -1;
		}
	}
	if (vout >= 0 && vin >= 0) {
		e = reserve_n(TC_SWITCH_PAIR, 2);
		if (!e)
			return 0;
		e->tgid = tgid_in;
		e->tid = tid_in;
		e->vcpu = vin;
		e->flags = tcg_in;
		e->arg[0] = tgid_out;
		e->arg[1] = tid_out;
		e->arg[2] = (__u32)vout;
		e->arg[3] = tcg_out;
		submit(e);
	} else if (vout >= 0) {
		emit(TC_SWITCH_OUT, tgid_out, tid_out, vout, tcg_out, 0, 0);
	} else if (vin >= 0) {
		emit(TC_SWITCH_IN, tgid_in, tid_in, vin, tcg_in, 0, 0);
	}
	return 0;
}

SEC("tracepoint/sched/sched_migrate_task")
int tlbc_migrate(void *ctx)
{
	__u32 tcg = 0, tgid, tid = (__u32)field(ctx, &off.mig_pid);
	int v = vcpu_of_field(ctx, &off.mig_comm, &tcg);

	if (v < 0)
		return 0;
	if (tgid_of(tid, &tgid)) {
		count(TC_STAT_NOTGID, 1);
		return 0;
	}
	if (wanted_tgid(tgid))
		emit(TC_MIGRATE, tgid, tid, v, tcg, field(ctx, &off.mig_orig_cpu),
		     (__u32)field(ctx, &off.mig_dest_cpu));
	return 0;
}

/* Runs in the parent: a thread (CLONE_THREAD) joins the parent's process. */
SEC("tracepoint/task/task_newtask")
int tlbc_newtask(void *ctx)
{
	__u32 tid = (__u32)field(ctx, &off.nt_pid);
	__u32 tgid = (field(ctx, &off.nt_clone_flags) & CLONE_THREAD_FLAG)
		     ? (__u32)(bpf_get_current_pid_tgid() >> 32) : tid;

	bpf_map_update_elem(&tid_tgid, &tid, &tgid, BPF_ANY);
	return 0;
}

SEC("tracepoint/kvm/kvm_entry")
int tlbc_kvm_entry(void *ctx)
{
	struct tc_event *e = reserve_current(TC_KVM_ENTRY, (int)field(ctx, &off.kvm_entry_vcpu_id));

	if (e)
		submit(e);
	return 0;
}

SEC("tracepoint/kvm/kvm_exit")
int tlbc_kvm_exit(void *ctx)
{
	struct tc_event *e = reserve_current(TC_KVM_EXIT, (int)field(ctx, &off.kvm_exit_vcpu_id));

	if (e) {
		e->arg[0] = field(ctx, &off.kvm_exit_reason);
		submit(e);
	}
	return 0;
}

SEC("tracepoint/kvm/kvm_unmap_hva_range")
int tlbc_hva_unmap(void *ctx)
{
	struct tc_event *e = reserve_current(TC_HVA_UNMAP, -1);

	if (e) {
		e->arg[0] = field(ctx, &off.unmap_start);
		e->arg[1] = field(ctx, &off.unmap_end);
		submit(e);
	}
	return 0;
}

SEC("tracepoint/kvm/kvm_age_hva")
int tlbc_hva_age(void *ctx)
{
	struct tc_event *e = reserve_current(TC_HVA_AGE, -1);

	if (e) {
		e->arg[0] = field(ctx, &off.age_start);
		e->arg[1] = field(ctx, &off.age_end);
		submit(e);
	}
	return 0;
}

SEC("tracepoint/kvm_hv/kvmppc_run_core")
int tlbc_run_core(void *ctx)
{
	int runner = (int)field(ctx, &off.rc_runner_vcpu);
	struct tc_event *e = reserve_current(TC_HV_RUN_CORE, runner);

	if (e) {
		e->arg[0] = (__u64)runner;
		e->arg[1] = field(ctx, &off.rc_n_runnable);
		e->arg[2] = field(ctx, &off.rc_where);
		e->arg[3] = field(ctx, &off.rc_tgid);
		submit(e);
	}
	return 0;
}

SEC("tracepoint/kvm_hv/kvm_guest_enter")
int tlbc_hv_enter(void *ctx)
{
	struct tc_event *e = reserve_current(TC_HV_ENTER, (int)field(ctx, &off.ge_vcpu_id));

	if (e)
		submit(e);
	return 0;
}

SEC("tracepoint/kvm_hv/kvm_guest_exit")
int tlbc_hv_exit(void *ctx)
{
	struct tc_event *e = reserve_current(TC_HV_EXIT, (int)field(ctx, &off.gx_vcpu_id));

	if (e) {
		e->arg[0] = field(ctx, &off.gx_trap);
		submit(e);
	}
	return 0;
}

SEC("tracepoint/kvm_hv/kvm_hcall_enter")
int tlbc_hv_hc_in(void *ctx)
{
	struct tc_hv_hcall *h = (struct tc_hv_hcall *)
		reserve_current_sized(TC_HV_HCALL_ENTER, (int)field(ctx, &off.hi_vcpu_id), sizeof(*h));

	if (h) {
		h->h.arg[0] = field(ctx, &off.hi_req);
		h->h.arg[1] = field(ctx, &off.hi_gpr4);
		h->h.arg[2] = field(ctx, &off.hi_gpr5);
		h->h.arg[3] = field(ctx, &off.hi_gpr6);
		h->gpr7 = field(ctx, &off.hi_gpr7);
		submit(&h->h);
	}
	return 0;
}

SEC("tracepoint/kvm_hv/kvm_hcall_exit")
int tlbc_hv_hc_out(void *ctx)
{
	struct tc_event *e = reserve_current(TC_HV_HCALL_EXIT, (int)field(ctx, &off.ho_vcpu_id));

	if (e) {
		e->arg[0] = field(ctx, &off.ho_ret);
		e->arg[1] = field(ctx, &off.ho_hcall_rc);
		submit(e);
	}
	return 0;
}

SEC("tracepoint/kvm_hv/kvm_page_fault_enter")
int tlbc_hv_pf_in(void *ctx)
{
	struct tc_event *e = reserve_current(TC_HV_PF_ENTER, (int)field(ctx, &off.pi_vcpu_id));

	if (e) {
		e->arg[0] = field(ctx, &off.pi_ea);
		submit(e);
	}
	return 0;
}

SEC("tracepoint/kvm_hv/kvm_page_fault_exit")
int tlbc_hv_pf_out(void *ctx)
{
	struct tc_event *e = reserve_current(TC_HV_PF_EXIT, (int)field(ctx, &off.po_vcpu_id));

	if (e) {
		e->arg[0] = field(ctx, &off.po_ret);
		submit(e);
	}
	return 0;
}
