/* SPDX-License-Identifier: MIT */
/*
 * needmask - kvm->arch.need_tlb_flush of one VM, one bit per core.
 *
 * What it models: the cpumask that v3.8 (commit 1b400ba0cd) introduced. The
 * kernel indexes it by host cpu but only ever tests or clears the bit of the
 * vcore's primary thread (vc->pcpu, thread 0 of the core on POWER7/POWER8),
 * so it is in effect one bit per core (kernel-policy.md 2.3). Used by the
 * `new` and `modern` policies.
 *
 * Interface:
 *   needmask_init()      all set (VM creation: cpumask_setall) or all clear
 *   needmask_set_all()   every core of the machine, seen or not, in O(1)
 *   needmask_test()      is @core's bit set?
 *   needmask_clear()     clear @core's bit; 0 or -1 (ENOMEM)
 *   needmask_set()       set @core's bit alone (radix_flush_cpu); 0 or -1 (ENOMEM)
 *   needmask_free()
 *
 * Algorithm: a generation counter. set_all() starts a new generation; a core
 * whose bit was cleared during the current generation has clear_gen[core] ==
 * gen, every other core (including ones never seen, beyond the array) is set.
 * So "set every core" is O(1) and memory grows only with the cores seen.
 */
#ifndef TLB_REPLAY_NEEDMASK_H
#define TLB_REPLAY_NEEDMASK_H

#include <stdbool.h>
#include <stdint.h>

struct needmask {
	uint64_t gen;		/* current generation; 0 = nothing ever set */
	uint64_t *clear_gen;	/* per core: generation in which its bit was cleared */
	int64_t ncores;		/* length of clear_gen */
};

void needmask_init(struct needmask *nm, bool all_set);

static inline void needmask_set_all(struct needmask *nm)
{
	nm->gen++;
}

static inline bool needmask_test(const struct needmask *nm, int64_t core)
{
	if (core < nm->ncores)
		return nm->clear_gen[core] != nm->gen;
	return nm->gen != 0;
}

int needmask_clear(struct needmask *nm, int64_t core);
int needmask_set(struct needmask *nm, int64_t core);
void needmask_free(struct needmask *nm);

#endif
