/* SPDX-License-Identifier: MIT */
/*
 * machine - the host model of a replay: profiles, threads per core, costs.
 *
 * What it owns: the three profiles of replay-model.md (power7, power8,
 * power9-hash), the cost of each instruction and sequence in cycles, how a
 * VM's vcpus group into virtual cores, and the one formula that turns the
 * counts of a run into cycles. No policy decision depends on a cost, so
 * cycles are computed from the counts when they are shown or stored, never
 * in the hot loop.
 *
 * Interface:
 *   machine_profile()     a profile by name, or NULL
 *   machine_profiles[]    every profile, for --help
 *   machine_set_cost()    apply "NAME=V" (tlbiel, tlbie, ..., sets); -1 if not a cost
 *   machine_cycles()      cycles of a set of counts under this machine
 *   machine_vcore()       the virtual core of a vcpu id
 *
 * Call order: copy a profile, set T and costs, then use it read-only.
 */
#ifndef TLB_REPLAY_MACHINE_H
#define TLB_REPLAY_MACHINE_H

#include <stdint.h>

#include "metrics.h"

enum vcore_rule {
	VCORE_PER_T_IDS,	/* vcore = vcpu_id / T (v3.8, POWER7/POWER8) */
	VCORE_PER_VCPU,		/* every vcpu its own vcore (POWER9) */
};



struct machine {
	const char *name;		/* profile name, as printed and stored */
	int64_t threads_per_core;	/* T: core(c) = c / T */
	int64_t cost[NCOSTS];		/* cycles, and COST_SETS = sets per full flush */
	enum vcore_rule vcores;		/* how vcpus group into vcores */
	const char *tpc_source;		/* where T came from: "option", "meta", "profile" */
};

extern const struct machine machine_profiles[];
extern const int machine_nprofiles;

const struct machine *machine_profile(const char *name);

/* machine_set_cost - parse "NAME=V" (V a non-negative integer). 0, or -1 if bad. */
int machine_set_cost(struct machine *m, const char *assignment);

/* machine_cycles - the linear cost formula of replay-model.md over @c's counts. */
int64_t machine_cycles(const struct machine *m, const struct metrics *c);

static inline int64_t machine_vcore(const struct machine *m, int64_t vcpu)
{
	return m->vcores == VCORE_PER_VCPU ? vcpu : vcpu / m->threads_per_core;
}

const char *machine_vcore_rule_name(enum vcore_rule r);

#endif
