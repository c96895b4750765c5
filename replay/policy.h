/* SPDX-License-Identifier: MIT */
/*
 * policy - a TLB-invalidation policy as a table of callbacks over one VM.
 *
 * What it owns: the interface between the engine (which reads events, keeps
 * the VM's vcpus and vcores online and runs the stale check) and the
 * policies, one file each: policy_old.c (<= v3.7), policy_new.c (v3.8,
 * commit 1b400ba0cd), policy_modern.c (later hash-MMU kernels),
 * policy_tracked.c (a per-VM mask of the cores that ran the VM),
 * policy_optimal.c (the floor, decided offline over the whole trace),
 * policy_radix.c (radix guests). Also the three sequences every policy
 * issues, which count and, for a local one, mark other cores stale.
 *
 * Interface (callbacks of struct policy_ops, each on one struct pctx):
 *   init()        allocate the policy's per-VM state (first event of the VM)
 *   fini()        free it (NULL-safe state)
 *   enter()       a vcpu enters thread e->cpu (core e->core >= 0): 1 if the
 *                 entry did a full flush, 0 if not, -1 out of memory
 *   hcall()       H_REMOVE / H_PROTECT / H_BULK_REMOVE with e->n > 0
 *   host_inval()  a host-side invalidation of e->n > 0 valid HPTEs
 *   hpt_reset()   the VM's HPT was reset
 *   pass_end()    (may be NULL) the engine finished pass p->pass over the trace
 *   All but enter() return 0 or -1 (out of memory).
 *   Each policy names its MMU (.mmu): radix is TDB_MMU_RADIX, the others
 *   TDB_MMU_HASH; the engine does not replay a policy on a VM whose MMU the
 *   trace (vm_mmu) gives as the other one.
 *   policy_by_name()   the table of "old", "new", "modern", "tracked", "optimal",
 *                      "radix" (or the deprecated alias "oracle" = tracked), or NULL
 *
 * Passes: a policy runs in `passes` passes over the trace (0 means 1). Its
 * per-VM state lives across them; p->pass says which one is under way. Only
 * the last pass counts: the engine zeroes the policy's counts and stale check
 * before each pass, runs the stale check and hands rows, series and hazards
 * on only in the last one. A one-pass policy sees exactly one pass. *
 * Call order per VM: init, then the event callbacks in trace order, fini.
 * An event with a core the trace does not give (cpu -1 and no earlier entry
 * of its vcpu) arrives with e->core = -1: "unknown" (replay-model.md).
 * Cores and vcpus arrive as dense per-VM indices (e->core, e->vix; idmap.h):
 * index arrays by them, never by an id read from the trace, so memory
 * follows what the trace has, not the values of its ids. e->core_id and
 * e->vcpu are the ids themselves, for anything shown to a user.
 *
 * Counts go through pc_*(), which add to the policy's checked totals over
 * all VMs first (acc.h) and refuse to wrap; a policy that counts must not
 * add to tot directly.
 *
 * Sequences (replay-model.md "Sequences and their cost"; cycles are computed
 * later from the counts, see machine.h):
 *   pc_full_flush()   full_flushes += 1, tlbiel_flush += sets
 *   pc_local()        tlbiel_inval += n, local_seqs += 1; every core holding
 *                     the VM other than @core becomes stale
 *   pc_global()       tlbie += n, tlbie_seqs += 1 (marks nothing)
 */
#ifndef TLB_REPLAY_POLICY_H
#define TLB_REPLAY_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "acc.h"
#include "machine.h"
#include "metrics.h"
#include "options.h"
#include "stale.h"
#include "tracedb.h"

/* What a policy may read of the VM (kept by the engine). */
struct vm_counts {
	int64_t nvcpus;		/* online vcpus (kvm->arch.online_vcpus) */
	int64_t nvcores;	/* online vcores (kvm->arch.online_vcores) */
};

/* One event as a policy sees it. */
struct pev {
	int64_t ts;		/* ns */
	int64_t cpu;		/* host thread, -1 unknown */
	int64_t core;		/* dense index of the core of cpu (or of the vcpu's last
				 * entry) within this VM, -1 unknown: what policies index by */
	int64_t core_id;	/* that core's number (cpu / T), -1 unknown: for messages */
	int64_t vcpu;		/* guest vcpu id, -1 none */
	int64_t vix;		/* dense index of the vcpu within this VM, -1 none */
	int64_t opcode;		/* hcall: opcode */
	int64_t flags;		/* hcall: flags (guest r4) */
	int64_t n;		/* hcall / host_inval: HPTEs invalidated */
};

/* One policy's run over one VM. */
struct pctx {
	const struct machine *m;		/* profile, T, costs */
	const struct replay_options *opt;	/* named kernel-reading options */
	const struct vm_counts *vm;		/* nvcpus, nvcores of this VM */
	struct acc *acc;			/* this policy's checked totals over all VMs */
	struct metrics tot;			/* this policy's counts for this VM */
	struct metrics snap;			/* tot when the last series bucket closed */
	struct stale st;			/* stale-TLB exposure check */
	void *state;				/* the policy's own */
	int pass;				/* pass under way, 0-based (policy_ops.passes) */
};

struct policy_ops {
	const char *name;	/* "old", "new", "modern", "tracked", "optimal", "radix" */
	const char *models;	/* the kernel functions and version it models */
	enum tdb_mmu mmu;	/* the guests it models: hash (HPT) or radix; on a VM whose
				 * vm_mmu row names the other MMU it is not replayed */
	int passes;		/* passes over the trace it needs; 0 = 1 */
	int (*init)(struct pctx *p);
	void (*fini)(struct pctx *p);
	int (*enter)(struct pctx *p, const struct pev *e);
	int (*hcall)(struct pctx *p, const struct pev *e);
	int (*host_inval)(struct pctx *p, const struct pev *e);
	int (*hpt_reset)(struct pctx *p, const struct pev *e);
	int (*pass_end)(struct pctx *p);
};

extern const struct policy_ops policy_old, policy_new, policy_modern, policy_tracked,
	policy_optimal;
extern const struct policy_ops policy_radix;	/* radix guests on POWER9: policy_radix.c */
extern const struct policy_ops *const policy_all[];	/* NULL-terminated, default order */

const struct policy_ops *policy_by_name(const char *name);

static inline void pc_full_flush(struct pctx *p)
{
	if (acc_flush(p->acc))
		return;
	p->tot.v[M_FULL_FLUSHES]++;
	p->tot.v[M_TLBIEL_FLUSH] += p->m->cost[COST_SETS];
}

static inline void pc_local(struct pctx *p, int64_t n, int64_t core, int64_t ts)
{
	if (acc_local(p->acc, n))
		return;
	p->tot.v[M_TLBIEL_INVAL] += n;
	p->tot.v[M_LOCAL_SEQS]++;
	stale_local(&p->st, core, ts);
}

static inline void pc_global(struct pctx *p, int64_t n)
{
	if (acc_global(p->acc, 1, n))
		return;
	p->tot.v[M_TLBIE] += n;
	p->tot.v[M_TLBIE_SEQS]++;
}

/* host_inval under old/new/modern: n global sequences of 1 (virtual-mode
 * kvmppc_invalidate_hpte / kvmppc_clear_ref_hpte always pass global). */
static inline void pc_global_each(struct pctx *p, int64_t n)
{
	if (acc_global(p->acc, n, 1))
		return;
	p->tot.v[M_TLBIE] += n;
	p->tot.v[M_TLBIE_SEQS] += n;
}

#endif
