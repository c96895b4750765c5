/* SPDX-License-Identifier: MIT */
/*
 * policy_old - Linux up to v3.7: the per-thread "last vcpu" flush.
 *
 * Models (v3.6 sources, kernel-policy.md section 1):
 *   - kvmppc_hv_entry (book3s_hv_rmhandlers.S): on every hardware thread that
 *     enters a vcpu, slot = (cpu & ~3) | (vcpu_id & 3); if vcpu->arch.last_cpu
 *     != slot or kvm->arch.last_vcpu[slot] != vcpu_id, both are updated and
 *     the thread flushes the LPID's TLB (128 tlbiel on POWER7). Here the
 *     slot is core(c) x T + (vcpu mod T), the same for T = 4.
 *   - kvmppc_h_remove / kvmppc_h_protect (book3s_hv_rm_mmu.c): local tlbiel
 *     if (flags & H_LOCAL) or online_vcpus == 1, else tlbie under the VM's
 *     tlbie lock. kvmppc_h_bulk_remove: local iff online_vcpus == 1.
 *   - kvmppc_invalidate_hpte / kvmppc_clear_ref_hpte (host virtual mode):
 *     always a global sequence of 1 per HPTE.
 *
 * State: last_slot[vcpu] (by the vcpu's dense index) starts at -1 (kvmppc_core_vcpu_create sets
 * last_cpu = -1), last_vcpu[slot] starts at 0 (zeroed struct kvm). Both
 * arrays grow on demand, so memory follows the vcpus and threads seen.
 * An HPT reset does nothing here (replay-model.md): v3.7 has no need_tlb_flush.
 * Option old-hpt-reset-flush (default 0): v3.7's kvmppc_alloc_reset_hpt, as
 * this tool's author remembers it but could not find in the stored sources,
 * set the whole last_vcpu[] array to 0xffff ("an invalid vcpu number"), so
 * every thread flushes at its next entry; with the option, a reset makes
 * every slot, seen or not, hold -1.
 */
#include <stdlib.h>
#include <string.h>

#include "hcall.h"
#include "i64array.h"
#include "policy.h"

struct old_state {
	int64_t *last_slot;	/* per vcpu (dense index): vcpu->arch.last_cpu, -1 never */
	int64_t nvcpu;
	int64_t *last_vcpu;	/* per slot (dense core x T + vcpu mod T): kvm->arch.last_vcpu[], 0 never */
	int64_t nslot;
	int64_t slot_fill;	/* value of a slot not yet in last_vcpu[]: 0, -1 after a reset */
};

static int old_init(struct pctx *p)
{
	p->state = calloc(1, sizeof(struct old_state));
	return p->state ? 0 : -1;
}

static void old_fini(struct pctx *p)
{
	struct old_state *s = p->state;

	if (s) {
		free(s->last_slot);
		free(s->last_vcpu);
		free(s);
	}
	p->state = NULL;
}

static int old_enter(struct pctx *p, const struct pev *e)
{
	struct old_state *s = p->state;
	int64_t t = p->m->threads_per_core;
	int64_t slot = e->core * t + e->vcpu % t;

	if (i64array_grow(&s->last_slot, &s->nvcpu, e->vix, -1) ||
	    i64array_grow(&s->last_vcpu, &s->nslot, slot, s->slot_fill))
		return -1;
	if (s->last_slot[e->vix] == slot && s->last_vcpu[slot] == e->vcpu)
		return 0;
	s->last_slot[e->vix] = slot;
	s->last_vcpu[slot] = e->vcpu;
	pc_full_flush(p);
	return 1;
}

static int old_hcall(struct pctx *p, const struct pev *e)
{
	bool local = p->vm->nvcpus == 1;

	if (e->opcode != H_BULK_REMOVE && p->opt->on[OPT_OLD_H_LOCAL] &&
	    ((uint64_t)e->flags & H_LOCAL))
		local = true;
	if (local)
		pc_local(p, e->n, e->core, e->ts);
	else
		pc_global(p, e->n);
	return 0;
}

static int old_host_inval(struct pctx *p, const struct pev *e)
{
	pc_global_each(p, e->n);
	return 0;
}

static int old_hpt_reset(struct pctx *p, const struct pev *e)
{
	struct old_state *s = p->state;

	(void)e;
	if (!p->opt->on[OPT_OLD_HPT_RESET_FLUSH])
		return 0;
	for (int64_t i = 0; i < s->nslot; i++)
		s->last_vcpu[i] = -1;
	s->slot_fill = -1;
	return 0;
}

const struct policy_ops policy_old = {
	.name = "old",
	.mmu = TDB_MMU_HASH,
	.models = "kvmppc_hv_entry last_vcpu flush, kvmppc_h_remove/h_protect/h_bulk_remove (Linux v3.6-v3.7)",
	.init = old_init,
	.fini = old_fini,
	.enter = old_enter,
	.hcall = old_hcall,
	.host_inval = old_host_inval,
	.hpt_reset = old_hpt_reset,
};
