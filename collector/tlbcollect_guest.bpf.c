// SPDX-License-Identifier: GPL-2.0
/*
 * tlbcollect_guest.bpf.c - the pseries-guest BPF programs of tlbcollect.
 *
 * What it owns: pairing powerpc:hcall_entry with powerpc:hcall_exit inside a
 * pseries guest into one struct tc_hcall record (collector/tlbcollect.h):
 * opcode, flags, the next arguments, the return code and, for calls with a
 * return buffer, the words the hypervisor wrote back (H_BULK_REMOVE's
 * control bytes say which entries it removed).
 *
 * Why a separate object, and why raw tracepoints: distribution kernels for
 * POWER (Debian's ppc64el 6.1 among them) are built without DEBUG_INFO_BTF,
 * so nothing here may need kernel BTF: no vmlinux.h, no CO-RE relocation, no
 * tp_btf. Raw tracepoints pass the tracepoint's C arguments as u64s, which is
 * also the only way to see the arguments at all (the tracepoint's text format
 * has the opcode alone). The pointers are read with bpf_probe_read_kernel.
 *
 * The arguments (arch/powerpc/include/asm/trace.h, pseries/hvCall.S):
 *   hcall_entry(unsigned long opcode, unsigned long *args)
 *       args points at the caller's saved r4.. as the hypervisor sees them:
 *       args[0] is the first hcall argument (flags) whether the caller was
 *       plpar_hcall_norets (r4 saved) or plpar_hcall/plpar_hcall9 (r5 saved,
 *       r4 being the return buffer there).
 *   hcall_exit(unsigned long opcode, long retval, unsigned long *retbuf)
 *       retbuf is NULL for plpar_hcall_norets, else the caller's buffer
 *       holding r4.. after the call (9 words for plpar_hcall9).
 * __trace_hcall_entry disables preemption until __trace_hcall_exit, so a call
 * ends on the cpu it began on; but interrupts are enabled between the
 * tracepoint and the hcall instruction, and an interrupt handler may make its
 * own hcall (H_EOI, H_XIRR, or an H_REMOVE of a TLB flush): entry A, entry B,
 * exit B, exit A. Pending entries are therefore a small stack per cpu
 * (PENDING_DEPTH); an exit pairs with the newest entry of the same opcode.
 * (The kernel's own hcall_trace_depth only stops the tracer recursing into
 * itself.) A seen on 6.1: 5 of 27250 hcalls nested so in a 4-vcpu guest.
 *
 * Programs: tlbc_hcall_in (raw_tp/hcall_entry), tlbc_hcall_out (raw_tp/hcall_exit).
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "tlbcollect.h"

char LICENSE[] SEC("license") = "GPL";

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

#define PENDING_DEPTH 4

struct pending_call {
	__u64 ts;		/* time of the entry */
	__u64 opcode;		/* hcall number */
	__u64 args[5];		/* args[0] flags, then the next four */
};

struct pending {
	__u32 depth;		/* entries in slot[] */
	__u32 pad;
	struct pending_call slot[PENDING_DEPTH];	/* slot[depth - 1] is the newest */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pending);
} pending SEC(".maps");

static __always_inline void count(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&stats, &which);

	if (c)
		(*c)++;
}

SEC("raw_tp/hcall_entry")
int tlbc_hcall_in(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 zero = 0, d;
	struct pending *p = bpf_map_lookup_elem(&pending, &zero);
	struct pending_call *c;

	if (!p)
		return 0;
	d = p->depth;
	if (d >= PENDING_DEPTH) {
		/* deeper nesting than we keep: this call will show as unpaired */
		return 0;
	}
	c = &p->slot[d & (PENDING_DEPTH - 1)];
	c->ts = bpf_ktime_get_ns();
	c->opcode = ctx->args[0];
	if (bpf_probe_read_kernel(c->args, sizeof(c->args), (void *)ctx->args[1]))
		__builtin_memset(c->args, 0, sizeof(c->args));
	p->depth = d + 1;
	return 0;
}

SEC("raw_tp/hcall_exit")
int tlbc_hcall_out(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 zero = 0, d, found = PENDING_DEPTH;
	struct pending *p = bpf_map_lookup_elem(&pending, &zero);
	struct pending_call c;
	struct tc_hcall *h;
	__u64 id, *unpaired;
	void *retbuf;

	if (!p)
		return 0;
	d = p->depth;
	/*
	 * The newest pending entry of this opcode (normally the top one), copied
	 * out with constant indices only: older verifiers (6.1's among them) lose
	 * track of a computed index into the map value and refuse the program.
	 */
#pragma unroll
	for (int k = PENDING_DEPTH - 1; k >= 0; k--) {
		if (found == PENDING_DEPTH && (__u32)k < d && p->slot[k].opcode == ctx->args[0]) {
			found = k;
			__builtin_memcpy(&c, &p->slot[k], sizeof(c));
		}
	}
	if (found == PENDING_DEPTH) {
		/* tracing began between this call's entry and exit, or nesting was too deep */
		count(TC_STAT_UNPAIRED);
		return 0;
	}
	/* entries above it never saw their exit: counted, dropped */
	if (d > found + 1) {
		__u32 k = TC_STAT_UNPAIRED;

		unpaired = bpf_map_lookup_elem(&stats, &k);
		if (unpaired)
			*unpaired += d - found - 1;
	}
	p->depth = found;
	count(TC_STAT_SEEN);
	h = bpf_ringbuf_reserve(&events, sizeof(*h), 0);
	if (!h) {
		count(TC_STAT_LOST);
		return 0;
	}
	id = bpf_get_current_pid_tgid();
	h->h.ts = c.ts;
	h->h.type = TC_GUEST_HCALL;
	h->h.cpu = bpf_get_smp_processor_id();
	h->h.tgid = id >> 32;
	h->h.tid = (__u32)id;
	h->h.vcpu = h->h.cpu;
	h->h.flags = 0;
	h->h.arg[0] = c.opcode;
	h->h.arg[1] = c.args[0];
	h->h.arg[2] = ctx->args[1];
	h->h.arg[3] = 0;
	h->args[0] = c.args[1];
	h->args[1] = c.args[2];
	h->args[2] = c.args[3];
	h->args[3] = c.args[4];
	__builtin_memset(h->ret, 0, sizeof(h->ret));
	retbuf = (void *)ctx->args[2];
	if (retbuf && !bpf_probe_read_kernel(h->ret, sizeof(h->ret), retbuf))
		h->h.arg[3] = 1;
	bpf_ringbuf_submit(h, BPF_RB_NO_WAKEUP);
	return 0;
}
