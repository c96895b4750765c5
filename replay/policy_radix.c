/* SPDX-License-Identifier: MIT */
/*
 * policy_radix - what kvm_hv does for a radix guest on POWER9 (ISA v3.0).
 *
 * A radix guest has no HPT: it invalidates its own translations with tlbie /
 * tlbiel (LPCR[GTSE]), which the host never sees, so the kernel's only TLB
 * decision is on a vcpu's move between TLB groups. Models, in Linux v6.1
 * arch/powerpc/kvm/book3s_hv.c, kvmppc_prepare_radix_vcpu(vcpu, pcpu), called
 * for each vcpu before it enters on pcpu:
 *     if (prev_cpu != pcpu) {
 *         if (prev_cpu >= 0) {
 *             if (cpu_first_tlb_thread_sibling(prev_cpu) !=
 *                 cpu_first_tlb_thread_sibling(pcpu))
 *                 radix_flush_cpu(kvm, prev_cpu, vcpu);
 *             smp_call_function_single(prev_cpu, do_migrate_away_vcpu, ...);
 *         }
 *         vcpu->arch.prev_cpu = pcpu;
 *     }
 * radix_flush_cpu() sets the need_tlb_flush bit of prev_cpu's first TLB
 * sibling (and IPIs threads of that group running the guest, so that they
 * re-enter through the check); kvmppc_check_need_tlb_flush(kvm, pcpu, NULL)
 * (book3s_hv_builtin.c), on the entry path, flushes the LPID on pcpu's group
 * if its bit is set and clears it. do_migrate_away_vcpu only orders
 * (eieio; tlbsync; ptesync): no invalidation, nothing counted here.
 * prev_cpu starts at -1 (kvmppc_core_vcpu_create_hv) and need_tlb_flush
 * starts clear on ISA v3.0 (kvmppc_core_init_vm sets it only when
 * !CPU_FTR_ARCH_300), so a vcpu's first entry and its first move to a core
 * the VM never left do not flush: one vcpu moved back and forth between two
 * cores 29 times flushes 28 times (observed on an emulated POWER9 host,
 * 6.1.0, issue 10).
 *
 * Here a TLB group is a core of the replay (core(c) = c / T): POWER9 SMT4
 * cores share one TLB. The flush counts `sets` tlbiel like every full flush:
 * a radix LPID flush walks POWER9_TLB_SETS_RADIX = 128 sets where the
 * power9-hash profile says 256 (use --cost sets=128 for a radix-only trace).
 *
 *   enter (vcpu v on thread c, core k):  if prev_cpu[v] != c: if prev_cpu[v]
 *         >= 0 and prev_core[v] != k, need[prev_core[v]] = 1; prev = (c, k).
 *         Then if need[k]: clear it, full flush.
 *   hcall: a radix guest has no HPTEs: H_REMOVE / H_PROTECT / H_BULK_REMOVE
 *         invalidate nothing.
 *   host_inval of n: partition-scoped invalidations by the host
 *         (kvmppc_radix_tlbie_page, one tlbie per page): n global sequences of 1.
 *   hpt_reset: nothing (no HPT).
 */
#include <stdlib.h>

#include "needmask.h"
#include "policy.h"

struct radix_state {
	struct needmask need;	/* kvm->arch.need_tlb_flush, one bit per core (TLB group) */
	int64_t *prev_cpu;	/* per vcpu index: vcpu->arch.prev_cpu, -1 never ran */
	int64_t *prev_core;	/* per vcpu index: core (dense index) of prev_cpu */
	int64_t nvcpu;		/* length of both */
};

static int radix_init(struct pctx *p)
{
	struct radix_state *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	needmask_init(&s->need, false);
	p->state = s;
	return 0;
}

static void radix_fini(struct pctx *p)
{
	struct radix_state *s = p->state;

	if (s) {
		needmask_free(&s->need);
		free(s->prev_cpu);
		free(s->prev_core);
		free(s);
	}
	p->state = NULL;
}

static int grow(struct radix_state *s, int64_t vix)
{
	int64_t cap = s->nvcpu ? s->nvcpu : 8, *a, *b;

	if (vix < s->nvcpu)
		return 0;
	while (cap <= vix)
		cap *= 2;
	a = realloc(s->prev_cpu, sizeof(*a) * (size_t)cap);
	if (!a)
		return -1;
	s->prev_cpu = a;
	b = realloc(s->prev_core, sizeof(*b) * (size_t)cap);
	if (!b)
		return -1;
	s->prev_core = b;
	for (int64_t i = s->nvcpu; i < cap; i++)
		a[i] = b[i] = -1;
	s->nvcpu = cap;
	return 0;
}

static int radix_enter(struct pctx *p, const struct pev *e)
{
	struct radix_state *s = p->state;

	if (grow(s, e->vix))
		return -1;
	if (s->prev_cpu[e->vix] != e->cpu) {
		if (s->prev_cpu[e->vix] >= 0 && s->prev_core[e->vix] != e->core &&
		    needmask_set(&s->need, s->prev_core[e->vix]))
			return -1;
		s->prev_cpu[e->vix] = e->cpu;
		s->prev_core[e->vix] = e->core;
	}
	if (!needmask_test(&s->need, e->core))
		return 0;
	if (needmask_clear(&s->need, e->core))
		return -1;
	pc_full_flush(p);
	return 1;
}

static int radix_hcall(struct pctx *p, const struct pev *e)
{
	(void)p;
	(void)e;
	return 0;
}

static int radix_host_inval(struct pctx *p, const struct pev *e)
{
	pc_global_each(p, e->n);
	return 0;
}

static int radix_hpt_reset(struct pctx *p, const struct pev *e)
{
	(void)p;
	(void)e;
	return 0;
}

const struct policy_ops policy_radix = {
	.name = "radix",
	.mmu = TDB_MMU_RADIX,
	.models = "kvmppc_prepare_radix_vcpu prev_cpu rule + kvmppc_check_need_tlb_flush (Linux v6.1, radix guest on POWER9)",
	.init = radix_init,
	.fini = radix_fini,
	.enter = radix_enter,
	.hcall = radix_hcall,
	.host_inval = radix_host_inval,
	.hpt_reset = radix_hpt_reset,
};
