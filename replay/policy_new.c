/* SPDX-License-Identifier: MIT */
/*
 * policy_new - Linux v3.8, commit 1b400ba0cd ("KVM: PPC: Book3S HV: Improve
 * handling of local vs. global TLB invalidations").
 *
 * Models (kernel-policy.md section 2):
 *   - kvmppc_core_init_vm (book3s_hv.c): cpumask_setall(&kvm->arch.need_tlb_flush)
 *     [option new-vm-init-flush, default 1].
 *   - kvmppc_hv_entry (book3s_hv_rmhandlers.S): on the primary thread, if the
 *     core's bit is set, clear it and flush the LPID (sets x tlbiel). The
 *     kernel clears before flushing in v3.x and after in 4.x; one replay
 *     thread cannot observe the order, so no option is needed for it.
 *   - global_invalidates (book3s_hv_rm_mmu.c): local iff online_vcores == 1
 *     in a real-mode hcall; a local one sets every bit but the vcore's
 *     primary cpu. H_LOCAL is ignored on POWER7+ (using_mmu_notifiers).
 *     Used by kvmppc_h_remove and kvmppc_h_protect.
 *   - kvmppc_h_bulk_remove: unchanged by the commit, local iff
 *     online_vcpus == 1 and need_tlb_flush untouched, so a local bulk remove
 *     leaves other cores stale [option new-bulk-global-invalidates, default 0].
 *     [option virt-mode-global, default 0, 1 on power9-hash: when the hcalls
 *     run with translation on (POWER9 P9 path), v6.1 global_invalidates()
 *     forces global: "LPID has been switched to host if in virt mode so
 *     can't do local"; see options.c]
 *   - kvmppc_alloc_reset_hpt (book3s_64_mmu_hv.c): sets every bit on an HPT
 *     reset [option new-hpt-reset-flush, default 1].
 *   - host virtual-mode invalidations: always global, one sequence per HPTE.
 *
 * State: the need mask (needmask.h: O(1) "every core" by generations).
 * An unknown core (e->core == -1) excepts no core: every bit stays set.
 */
#include <stdlib.h>

#include "hcall.h"
#include "needmask.h"
#include "policy_need.h"

int need_init(struct pctx *p, bool all_set)
{
	struct needmask *nm = malloc(sizeof(*nm));

	if (!nm)
		return -1;
	needmask_init(nm, all_set);
	p->state = nm;
	return 0;
}

void need_fini(struct pctx *p)
{
	if (p->state) {
		needmask_free(p->state);
		free(p->state);
	}
	p->state = NULL;
}

int need_enter(struct pctx *p, const struct pev *e)
{
	struct needmask *nm = p->state;

	if (!needmask_test(nm, e->core))
		return 0;
	if (needmask_clear(nm, e->core))
		return -1;
	pc_full_flush(p);
	return 1;
}

int need_global_invalidates(struct pctx *p, const struct pev *e)
{
	struct needmask *nm = p->state;

	if (p->vm->nvcores != 1 || p->opt->on[OPT_VIRT_MODE_GLOBAL]) {
		pc_global(p, e->n);
		return 0;
	}
	pc_local(p, e->n, e->core, e->ts);
	needmask_set_all(nm);
	if (e->core >= 0 && needmask_clear(nm, e->core))
		return -1;
	return 0;
}

int need_bulk_v38(struct pctx *p, const struct pev *e)
{
	if (p->vm->nvcpus == 1)
		pc_local(p, e->n, e->core, e->ts);
	else
		pc_global(p, e->n);
	return 0;
}

int need_host_inval(struct pctx *p, const struct pev *e)
{
	pc_global_each(p, e->n);
	return 0;
}

int need_hpt_reset(struct pctx *p, bool sets_mask)
{
	if (sets_mask)
		needmask_set_all(p->state);
	return 0;
}

static int new_init(struct pctx *p)
{
	return need_init(p, p->opt->on[OPT_NEW_VM_INIT_FLUSH]);
}

static int new_hcall(struct pctx *p, const struct pev *e)
{
	if (e->opcode == H_BULK_REMOVE && !p->opt->on[OPT_NEW_BULK_GLOBAL_INVALIDATES])
		return need_bulk_v38(p, e);
	return need_global_invalidates(p, e);
}

static int new_hpt_reset(struct pctx *p, const struct pev *e)
{
	(void)e;
	return need_hpt_reset(p, p->opt->on[OPT_NEW_HPT_RESET_FLUSH]);
}

const struct policy_ops policy_new = {
	.name = "new",
	.mmu = TDB_MMU_HASH,
	.models = "global_invalidates + need_tlb_flush entry flush, h_bulk_remove unchanged (Linux v3.8, 1b400ba0cd)",
	.init = new_init,
	.fini = need_fini,
	.enter = need_enter,
	.hcall = new_hcall,
	.host_inval = need_host_inval,
	.hpt_reset = new_hpt_reset,
};
