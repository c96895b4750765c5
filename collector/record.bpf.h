/* SPDX-License-Identifier: MIT */
/*
 * record.bpf.h - the ring records of the host BPF objects: counted, reserved, stamped
 * and submitted the same way by the CO-RE programs (tlbcollect.bpf.c) and the BTF-free
 * ones (tlbcollect_tf.bpf.c), so that both modes count seen/lost records alike.
 *
 * The including file defines first: the maps `events` (ringbuf), `stats` (per-cpu
 * array of TC_NSTATS counters) and `vm_tgids` (hash of recorded processes), and the
 * rodata `filter_tgid`.
 */
#ifndef TLBC_RECORD_BPF_H
#define TLBC_RECORD_BPF_H

static __always_inline void count(__u32 which, __u64 n)
{
	__u64 *c = bpf_map_lookup_elem(&stats, &which);

	if (c)
		*c += n;
}

/* A record of @nev events (2 for TC_SWITCH_PAIR, else 1), counted as such.
 * @size: of the record, a struct tc_event first (a constant: inlined) */
static __always_inline struct tc_event *reserve_sized(__u32 type, __u64 nev, __u64 size)
{
	struct tc_event *e;

	count(TC_STAT_SEEN, nev);
	e = bpf_ringbuf_reserve(&events, size, 0);
	if (!e) {
		count(TC_STAT_LOST, nev);
		return NULL;
	}
	e->ts = bpf_ktime_get_ns();
	e->type = type;
	e->cpu = bpf_get_smp_processor_id();
	e->vcpu = -1;
	e->flags = 0;
	e->arg[0] = e->arg[1] = e->arg[2] = e->arg[3] = 0;
	return e;
}

static __always_inline struct tc_event *reserve_n(__u32 type, __u64 nev)
{
	return reserve_sized(type, nev, sizeof(struct tc_event));
}

static __always_inline void submit(struct tc_event *e)
{
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

static __always_inline int wanted_tgid(__u32 tgid)
{
	return !filter_tgid || bpf_map_lookup_elem(&vm_tgids, &tgid);
}

/* A record of @size bytes of the current thread, vcpu @vcpu, if its process is recorded:
 * KVM tracepoints run in the vcpu thread (or, for the MMU notifier, in whichever task
 * changed the mapping), so the identity is the current task's. */
static __always_inline struct tc_event *reserve_current_sized(__u32 type, int vcpu, __u64 size)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tc_event *e;

	if (!wanted_tgid(id >> 32))
		return NULL;
	e = reserve_sized(type, 1, size);
	if (!e)
		return NULL;
	e->tgid = id >> 32;
	e->tid = (__u32)id;
	e->vcpu = vcpu;
	return e;
}

static __always_inline struct tc_event *reserve_current(__u32 type, int vcpu)
{
	return reserve_current_sized(type, vcpu, sizeof(struct tc_event));
}

#endif
