// SPDX-License-Identifier: GPL-2.0
/*
 * tlbcollect.bpf.c - the host-side BPF programs of tlbcollect (libbpf CO-RE).
 *
 * What it owns: turning scheduler and KVM tracepoints into struct tc_event
 * records (collector/tlbcollect.h) in the ring buffer "events", for the
 * threads of virtual machines only, and counting per cpu every record tried
 * and every record lost (map "stats").
 *
 * Programs (each optional: the user side switches off, before load, those
 * whose tracepoint this kernel lacks):
 *   tlbc_switch      tp_btf/sched_switch        vcpu thread in / out of a cpu
 *   tlbc_migrate     tp_btf/sched_migrate_task  vcpu thread moved between cpus
 *   tlbc_kvm_entry   kvm:kvm_entry              generic KVM (x86, arm64)
 *   tlbc_kvm_exit    kvm:kvm_exit
 *   tlbc_hva_unmap   kvm:kvm_unmap_hva_range    MMU-notifier unmap
 *   tlbc_hva_age     kvm:kvm_age_hva            MMU-notifier aging
 *   tlbc_run_core    kvm_hv:kvmppc_run_core     POWER HV: vcore placement
 *   tlbc_hv_enter / tlbc_hv_exit / tlbc_hv_hc_in / tlbc_hv_hc_out /
 *   tlbc_hv_pf_in / tlbc_hv_pf_out             the other kvm_hv tracepoints
 *
 * Which threads are a VM's vcpus: QEMU names them "CPU N/KVM" (or
 * "CPU N/TCG" under emulation); the name is checked at each event, so VMs
 * started during the capture are seen too. With --pid the user side sets
 * filter_tgid and fills map vm_tgids: only those processes are recorded.
 *
 * Records are submitted with BPF_RB_NO_WAKEUP: the user side consumes on a
 * timer. A wakeup per record would make the collector's own thread switch
 * once per event, which a scheduler trace would then see as load.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "tlbcollect.h"
#include "vcpuname.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 filter_tgid = 0;	/* 1: only processes in vm_tgids */
const volatile __u32 want_switch_out = 1;	/* 0: no switch-outs (--no-switch-out) */

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

/* Local CO-RE views of tracepoint records (the ___tlb flavour is matched by
 * libbpf against the running kernel's trace_event_raw_* type of that name). */
struct trace_event_raw_kvm_entry___tlb {
	unsigned int vcpu_id;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_exit___tlb {
	unsigned int exit_reason;
	unsigned int vcpu_id;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_unmap_hva_range___tlb {
	unsigned long start;
	unsigned long end;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_age_hva___tlb {
	unsigned long start;
	unsigned long end;
} __attribute__((preserve_access_index));

/* arch/powerpc/kvm/trace_hv.h: not in a non-POWER vmlinux.h, relocated on POWER. */
struct trace_event_raw_kvmppc_run_core___tlb {
	int n_runnable;
	int runner_vcpu;
	int where;
	int tgid;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_guest_enter___tlb {
	int vcpu_id;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_guest_exit___tlb {
	int vcpu_id;
	int trap;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_hcall_enter___tlb {
	int vcpu_id;
	unsigned long req;
	unsigned long gpr4;
	unsigned long gpr5;
	unsigned long gpr6;
	unsigned long gpr7;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_hcall_exit___tlb {
	int vcpu_id;
	unsigned long ret;
	unsigned long hcall_rc;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_page_fault_enter___tlb {
	int vcpu_id;
	unsigned long ea;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_page_fault_exit___tlb {
	int vcpu_id;
	long ret;
} __attribute__((preserve_access_index));

/* Kernels differ in where a task's cpu lives: thread_info.cpu (with
 * THREAD_INFO_IN_TASK, e.g. x86) or task_struct.cpu (others). */
struct task_struct___cpu {
	unsigned int cpu;
} __attribute__((preserve_access_index));

#include "record.bpf.h"

static __always_inline struct tc_event *reserve(__u32 type)
{
	return reserve_n(type, 1);
}

/*
 * vcpu_task - the vcpu id of task @t if it is a vcpu thread we record, else -1.
 *
 * @t is a BTF pointer (tp_btf programs): its fields are read by plain loads,
 * not by bpf_probe_read_kernel(), a helper call each, which at two records per
 * context switch of a busy VM was most of this program's time. The name is
 * copied byte by byte at constant offsets (what the verifier accepts for a
 * BTF pointer), after rejecting the many other threads on the first byte.
 */
static __always_inline int vcpu_task(struct task_struct *t, __u32 *tcg)
{
	char comm[TC_COMM_LEN];
	int id;

	if (t->comm[0] != 'C')
		return -1;
#pragma unroll
	for (int k = 0; k < TC_COMM_LEN; k++)
		comm[k] = t->comm[k];
	id = vcpu_of_name(comm, tcg);
	if (id < 0 || !wanted_tgid(t->tgid))
		return -1;
	return id;
}

static __always_inline void emit_task(__u32 type, struct task_struct *t, int vcpu, __u32 tcg,
				      __u64 a0, __u64 a1)
{
	struct tc_event *e = reserve(type);

	if (!e)
		return;
	e->tgid = t->tgid;
	e->tid = t->pid;
	e->vcpu = vcpu;
	e->flags = tcg;
	e->arg[0] = a0;
	e->arg[1] = a1;
	submit(e);
}

/*
 * A switch from one vcpu thread to another (a busy VM's vcpus sharing a cpu)
 * is one TC_SWITCH_PAIR record, not two: one reservation, one timestamp,
 * half the ring traffic; perf and ftrace, too, record a switch once.
 */
SEC("tp_btf/sched_switch")
int BPF_PROG(tlbc_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 tcg_out = 0, tcg_in = 0;
	int vout = want_switch_out ? vcpu_task(prev, &tcg_out) : -1;
	int vin = vcpu_task(next, &tcg_in);
	struct tc_event *e;

	if (vout >= 0 && vin >= 0) {
		e = reserve_n(TC_SWITCH_PAIR, 2);
		if (!e)
			return 0;
		e->tgid = next->tgid;
		e->tid = next->pid;
		e->vcpu = vin;
		e->flags = tcg_in;
		e->arg[0] = (__u32)prev->tgid;
		e->arg[1] = (__u32)prev->pid;
		e->arg[2] = (__u32)vout;
		e->arg[3] = tcg_out;
		submit(e);
	} else if (vout >= 0) {
		emit_task(TC_SWITCH_OUT, prev, vout, tcg_out, 0, 0);
	} else if (vin >= 0) {
		emit_task(TC_SWITCH_IN, next, vin, tcg_in, 0, 0);
	}
	return 0;
}

static __always_inline __u32 task_cpu_of(struct task_struct *t)
{
	struct task_struct___cpu *tc = (void *)t;

	if (bpf_core_field_exists(tc->cpu))
		return BPF_CORE_READ(tc, cpu);
	return BPF_CORE_READ(t, thread_info.cpu);
}

SEC("tp_btf/sched_migrate_task")
int BPF_PROG(tlbc_migrate, struct task_struct *p, int dest_cpu)
{
	__u32 tcg = 0;
	int v = vcpu_task(p, &tcg);

	if (v >= 0)
		emit_task(TC_MIGRATE, p, v, tcg, task_cpu_of(p), (__u32)dest_cpu);
	return 0;
}

SEC("tracepoint/kvm/kvm_entry")
int tlbc_kvm_entry(struct trace_event_raw_kvm_entry___tlb *ctx)
{
	struct tc_event *e = reserve_current(TC_KVM_ENTRY, BPF_CORE_READ(ctx, vcpu_id));

	if (e)
		submit(e);
	return 0;
}

SEC("tracepoint/kvm/kvm_exit")
int tlbc_kvm_exit(struct trace_event_raw_kvm_exit___tlb *ctx)
{
	struct tc_event *e = reserve_current(TC_KVM_EXIT, BPF_CORE_READ(ctx, vcpu_id));

	if (e) {
		e->arg[0] = BPF_CORE_READ(ctx, exit_reason);
		submit(e);
	}
	return 0;
}

SEC("tracepoint/kvm/kvm_unmap_hva_range")
int tlbc_hva_unmap(struct trace_event_raw_kvm_unmap_hva_range___tlb *ctx)
{
	struct tc_event *e = reserve_current(TC_HVA_UNMAP, -1);

	if (e) {
		e->arg[0] = BPF_CORE_READ(ctx, start);
		e->arg[1] = BPF_CORE_READ(ctx, end);
		submit(e);
	}
	return 0;
}

SEC("tracepoint/kvm/kvm_age_hva")
int tlbc_hva_age(struct trace_event_raw_kvm_age_hva___tlb *ctx)
{
	struct tc_event *e = reserve_current(TC_HVA_AGE, -1);

	if (e) {
		e->arg[0] = BPF_CORE_READ(ctx, start);
		e->arg[1] = BPF_CORE_READ(ctx, end);
		submit(e);
	}
	return 0;
}

SEC("tracepoint/kvm_hv/kvmppc_run_core")
int tlbc_run_core(struct trace_event_raw_kvmppc_run_core___tlb *ctx)
{
	struct tc_event *e = reserve_current(TC_HV_RUN_CORE, BPF_CORE_READ(ctx, runner_vcpu));

	if (e) {
		e->arg[0] = BPF_CORE_READ(ctx, runner_vcpu);
		e->arg[1] = BPF_CORE_READ(ctx, n_runnable);
		e->arg[2] = BPF_CORE_READ(ctx, where);
		e->arg[3] = BPF_CORE_READ(ctx, tgid);
		submit(e);
	}
	return 0;
}

SEC("tracepoint/kvm_hv/kvm_guest_enter")
int tlbc_hv_enter(struct trace_event_raw_kvm_guest_enter___tlb *ctx)
{
	struct tc_event *e = reserve_current(TC_HV_ENTER, BPF_CORE_READ(ctx, vcpu_id));

	if (e)
		submit(e);
	return 0;
}

SEC("tracepoint/kvm_hv/kvm_guest_exit")
int tlbc_hv_exit(struct trace_event_raw_kvm_guest_exit___tlb *ctx)
{
	struct tc_event *e = reserve_current(TC_HV_EXIT, BPF_CORE_READ(ctx, vcpu_id));

	if (e) {
		e->arg[0] = BPF_CORE_READ(ctx, trap);
		submit(e);
	}
	return 0;
}

SEC("tracepoint/kvm_hv/kvm_hcall_enter")
int tlbc_hv_hc_in(struct trace_event_raw_kvm_hcall_enter___tlb *ctx)
{
	struct tc_hv_hcall *h = (struct tc_hv_hcall *)
		reserve_current_sized(TC_HV_HCALL_ENTER, BPF_CORE_READ(ctx, vcpu_id), sizeof(*h));

	if (h) {
		h->h.arg[0] = BPF_CORE_READ(ctx, req);
		h->h.arg[1] = BPF_CORE_READ(ctx, gpr4);
		h->gpr7 = 0;
		/* r5..r7: the --hcall-args row (in trace_hv.h since its first version) */
		if (bpf_core_field_exists(ctx->gpr5))
			h->h.arg[2] = BPF_CORE_READ(ctx, gpr5);
		if (bpf_core_field_exists(ctx->gpr6))
			h->h.arg[3] = BPF_CORE_READ(ctx, gpr6);
		if (bpf_core_field_exists(ctx->gpr7))
			h->gpr7 = BPF_CORE_READ(ctx, gpr7);
		submit(&h->h);
	}
	return 0;
}

SEC("tracepoint/kvm_hv/kvm_hcall_exit")
int tlbc_hv_hc_out(struct trace_event_raw_kvm_hcall_exit___tlb *ctx)
{
	struct tc_event *e = reserve_current(TC_HV_HCALL_EXIT, BPF_CORE_READ(ctx, vcpu_id));

	if (e) {
		e->arg[0] = BPF_CORE_READ(ctx, ret);
		e->arg[1] = BPF_CORE_READ(ctx, hcall_rc);
		submit(e);
	}
	return 0;
}

SEC("tracepoint/kvm_hv/kvm_page_fault_enter")
int tlbc_hv_pf_in(struct trace_event_raw_kvm_page_fault_enter___tlb *ctx)
{
	struct tc_event *e = reserve_current(TC_HV_PF_ENTER, BPF_CORE_READ(ctx, vcpu_id));

	if (e) {
		e->arg[0] = BPF_CORE_READ(ctx, ea);
		submit(e);
	}
	return 0;
}

SEC("tracepoint/kvm_hv/kvm_page_fault_exit")
int tlbc_hv_pf_out(struct trace_event_raw_kvm_page_fault_exit___tlb *ctx)
{
	struct tc_event *e = reserve_current(TC_HV_PF_EXIT, BPF_CORE_READ(ctx, vcpu_id));

	if (e) {
		e->arg[0] = BPF_CORE_READ(ctx, ret);
		submit(e);
	}
	return 0;
}
