/* SPDX-License-Identifier: MIT */
/*
 * machine - the profiles and --cost (interface in machine.h).
 *
 * The profile figures are the estimates of replay-model.md's table (no
 * published cycle counts exist for tlbie/tlbiel on POWER; kernel-policy.md
 * section 7), each one overridable with --cost. `sets` is the number of
 * congruence classes a full LPID flush walks: 128 on POWER7, 512 on POWER8,
 * 256 on POWER9 hash (kvm->arch.tlb_sets).
 *
 * The cost of the sequences, and so the cycles of a row of counts, is
 * common/model.h's formula, the same one the report sweeps with.
 */
#include "machine.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/*                                    tlbiel tlbie tlbsync ptesync eieio lock refill sets */
const struct machine machine_profiles[] = {
	{ "power7", 4, { 20, 200, 500, 50, 10, 50, 20000, 128 }, VCORE_PER_T_IDS, "profile" },
	{ "power8", 8, { 20, 250, 600, 50, 10, 50, 40000, 512 }, VCORE_PER_T_IDS, "profile" },
	{ "power9-hash", 4, { 20, 250, 700, 50, 10, 50, 30000, 256 }, VCORE_PER_VCPU, "profile" },
};
const int machine_nprofiles = sizeof(machine_profiles) / sizeof(machine_profiles[0]);

const struct machine *machine_profile(const char *name)
{
	for (int i = 0; i < machine_nprofiles; i++)
		if (strcmp(machine_profiles[i].name, name) == 0)
			return &machine_profiles[i];
	return NULL;
}

int machine_set_cost(struct machine *m, const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	uint64_t v;

	if (!eq || parse_u64(eq + 1, &v) || v > INT64_MAX / 4)
		return -1;
	for (int i = 0; i < NCOSTS; i++)
		if (strlen(cost_names[i]) == (size_t)(eq - assignment) &&
		    strncmp(cost_names[i], assignment, (size_t)(eq - assignment)) == 0) {
			m->cost[i] = (int64_t)v;
			return 0;
		}
	return -1;
}

int64_t machine_cycles(const struct machine *m, const struct metrics *c)
{
	return model_cycles(c->v, m->cost);
}

const char *machine_vcore_rule_name(enum vcore_rule r)
{
	return r == VCORE_PER_VCPU ? "one-per-vcpu" : "per-T-ids";
}
