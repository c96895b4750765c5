// SPDX-License-Identifier: GPL-2.0
/*
 * hcallcount.bpf.c - count a pseries guest's hcalls from inside it.
 *
 * Raw tracepoints only (no kernel BTF, no CO-RE): on Linux >= 3.x ppc64
 *   hcall_entry(unsigned long opcode, unsigned long *args)
 *   hcall_exit(unsigned long opcode, long retval, unsigned long *retbuf)
 * (arch/powerpc/include/asm/trace.h). For H_BULK_REMOVE, retbuf holds the
 * words r4..r11 the hypervisor handed back: word 0 of each pair carries the
 * returned control byte (bits 63:56: type in 7:6, result in 5:4, 0 = success).
 * Counting happens only when bpf_ktime_get_ns() is inside [t_start, t_stop].
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "hcallcount.h"

#define H_BULK_REMOVE 0x124

const volatile __u64 t_start = 0;
const volatile __u64 t_stop = ~0ULL;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HC_MAX_KEYS);
	__type(key, struct hc_key);
	__type(value, __u64);
} counts SEC(".maps");

static __always_inline void add(__u32 where, __u32 opcode, __s64 rc, __u64 by)
{
	struct hc_key k = { .where = where, .opcode = opcode, .rc = rc };
	__u64 zero = 0, *v;

	v = bpf_map_lookup_elem(&counts, &k);
	if (!v) {
		bpf_map_update_elem(&counts, &k, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&counts, &k);
		if (!v)
			return;
	}
	__sync_fetch_and_add(v, by);
}

static __always_inline int in_window(void)
{
	__u64 now = bpf_ktime_get_ns();

	return now >= t_start && now <= t_stop;
}

SEC("raw_tp/hcall_entry")
int hc_entry(struct bpf_raw_tracepoint_args *ctx)
{
	if (in_window())
		add(HC_ENTRY, (__u32)ctx->args[0], 0, 1);
	return 0;
}

SEC("raw_tp/hcall_exit")
int hc_exit(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 opcode = (__u32)ctx->args[0];
	__u64 words[8];
	__u64 ok = 0, entries = 0;
	int i;

	if (!in_window())
		return 0;
	add(HC_EXIT, opcode, (__s64)ctx->args[1], 1);
	if (opcode != H_BULK_REMOVE || !ctx->args[2])
		return 0;
	if (bpf_probe_read_kernel(words, sizeof(words), (void *)ctx->args[2]))
		return 0;
#pragma unroll
	for (i = 0; i < 8; i += 2) {
		__u64 ctl = words[i] >> 56;

		if (((ctl >> 6) & 3) == 3)	/* end marker */
			break;
		if (((ctl >> 6) & 3) == 0)	/* unused slot */
			continue;
		entries++;
		if (((ctl >> 4) & 3) == 0)
			ok++;
	}
	add(HC_BULK_OK, opcode, 0, ok);
	add(HC_BULK_ENTRIES, opcode, 0, entries);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
