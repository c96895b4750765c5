/* SPDX-License-Identifier: MIT */
/*
 * policy_modern - later hash-MMU kernels (v3.18 on; kernel-policy.md section 3).
 *
 * As `new` (policy_new.c, whose need_tlb_flush steps it reuses), except:
 *   - kvmppc_h_bulk_remove calls global_invalidates(kvm, 0) like H_REMOVE
 *     (present in trees with __be64 HPTEs, ~v3.16+; v3.18 text read), so a
 *     local bulk remove sets every other core's bit;
 *   - kvmppc_alloc_reset_hpt sets every bit ("ensure each vcpu will flush
 *     its TLB on next entry", present from ~v3.14): no option here;
 *   - the entry flush walks kvm->arch.tlb_sets sets (128 P7 / 512 P8 / 256
 *     P9 hash), which is the profile's `sets`; the bit is cleared after the
 *     flush (kvmppc_check_need_tlb_flush), indistinguishable in a replay.
 * On POWER9 every vcpu is its own vcore (the power9-hash profile's vcores),
 * so local invalidations happen only for one-vcpu guests.
 */
#include "policy_need.h"

static int modern_init(struct pctx *p)
{
	return need_init(p, p->opt->on[OPT_NEW_VM_INIT_FLUSH]);
}

static int modern_hpt_reset(struct pctx *p, const struct pev *e)
{
	(void)e;
	return need_hpt_reset(p, true);
}

const struct policy_ops policy_modern = {
	.name = "modern",
	.mmu = TDB_MMU_HASH,
	.models = "global_invalidates for H_REMOVE/H_PROTECT/H_BULK_REMOVE, tlb_sets entry flush (Linux v3.18+)",
	.init = modern_init,
	.fini = need_fini,
	.enter = need_enter,
	.hcall = need_global_invalidates,
	.host_inval = need_host_inval,
	.hpt_reset = modern_hpt_reset,
};
