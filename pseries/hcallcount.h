/* SPDX-License-Identifier: MIT */
/*
 * hcallcount.h - the one record shared by hcallcount.bpf.c and hcallcount.c.
 *
 * hcallcount is the pseries harness's own witness inside the guest: raw
 * tracepoints on powerpc:hcall_entry / hcall_exit (no kernel BTF needed)
 * count hcalls per opcode, per (opcode, return code), and the H_BULK_REMOVE
 * entries whose returned control byte says success, inside one time window
 * of CLOCK_MONOTONIC (the clock of bpf_ktime_get_ns and of tracefs "mono").
 */
#ifndef TLB_PSERIES_HCALLCOUNT_H
#define TLB_PSERIES_HCALLCOUNT_H

#define HC_MAX_KEYS	1024	/* distinct (where, opcode, rc) keys */

enum hc_where {
	HC_ENTRY = 1,		/* hcall_entry: rc is 0 */
	HC_EXIT = 2,		/* hcall_exit: rc is the return code */
	HC_BULK_OK = 3,		/* H_BULK_REMOVE entries that succeeded (summed) */
	HC_BULK_ENTRIES = 4,	/* H_BULK_REMOVE request entries seen (summed) */
};

struct hc_key {
	__u32 where;		/* enum hc_where */
	__u32 opcode;		/* hcall number (r3 at the call) */
	__s64 rc;		/* return code at exit, else 0 */
};

#endif
