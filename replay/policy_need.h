/* SPDX-License-Identifier: MIT */
/*
 * policy_need - the need_tlb_flush machinery shared by `new` and `modern`.
 *
 * What it owns: the per-VM state of a kernel that has kvm->arch.need_tlb_flush
 * (v3.8 on), and the steps both policies take the same way. Implemented in
 * policy_new.c, where v3.8 introduced it; policy_modern.c reuses it and
 * differs only in H_BULK_REMOVE and the HPT reset.
 *
 * Interface:
 *   need_init()                VM creation: the mask all set, or clear
 *   need_fini()
 *   need_enter()               entry rule of the primary thread: flush if the core's bit is set
 *   need_global_invalidates()  H_REMOVE/H_PROTECT (and modern's bulk remove)
 *   need_bulk_v38()            v3.8's unchanged H_BULK_REMOVE: local iff one vcpu, mask untouched
 *   need_host_inval()          always global, n sequences of 1
 *   need_hpt_reset()           every bit set (when @sets_mask)
 */
#ifndef TLB_REPLAY_POLICY_NEED_H
#define TLB_REPLAY_POLICY_NEED_H

#include <stdbool.h>

#include "policy.h"

int need_init(struct pctx *p, bool all_set);
void need_fini(struct pctx *p);
int need_enter(struct pctx *p, const struct pev *e);
int need_global_invalidates(struct pctx *p, const struct pev *e);
int need_bulk_v38(struct pctx *p, const struct pev *e);
int need_host_inval(struct pctx *p, const struct pev *e);
int need_hpt_reset(struct pctx *p, bool sets_mask);

#endif
