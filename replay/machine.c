/* SPDX-License-Identifier: MIT */
/*
 * machine - profiles and the cost formula (interface in machine.h).
 *
 * The profile figures are the estimates of replay-model.md's table (no
 * published cycle counts exist for tlbie/tlbiel on POWER; kernel-policy.md
 * section 7), each one overridable with --cost. `sets` is the number of
 * congruence classes a full LPID flush walks: 128 on POWER7, 512 on POWER8,
 * 256 on POWER9 hash (kvm->arch.tlb_sets).
 *
 * Sequences (replay-model.md, "Sequences and their cost"):
 *   full flush   ptesync + sets x tlbiel + ptesync + flush_refill
 *   local  of n  ptesync + n x tlbiel + ptesync
 *   global of n  lock + ptesync + n x tlbie + eieio + tlbsync + ptesync
 * so, summed over a run, cycles =
 *   tlbiel  x (tlbiel_flush + tlbiel_inval)
 * + ptesync x 2 x (full_flushes + local_seqs + tlbie_seqs)
 * + flush_refill x full_flushes
 * + tlbie x tlbie_count
 * + (lock + eieio + tlbsync) x tlbie_seqs.
 */
#include "machine.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *const metric_names[NMETRICS] = {
	[M_EVENTS] = "events",
	[M_GUEST_ENTRIES] = "guest_entries",
	[M_HCALLS] = "hcalls",
	[M_FULL_FLUSHES] = "full_flushes",
	[M_TLBIEL_FLUSH] = "tlbiel_flush",
	[M_TLBIEL_INVAL] = "tlbiel_inval",
	[M_LOCAL_SEQS] = "local_seqs",
	[M_TLBIE] = "tlbie",
	[M_TLBIE_SEQS] = "tlbie_seqs",
	[M_CYCLES] = "cycles",
	[M_STALE_EXPOSURES] = "stale_exposures",
};

const char *const cost_names[NCOSTS] = {
	[COST_TLBIEL] = "tlbiel",
	[COST_TLBIE] = "tlbie",
	[COST_TLBSYNC] = "tlbsync",
	[COST_PTESYNC] = "ptesync",
	[COST_EIEIO] = "eieio",
	[COST_LOCK] = "lock",
	[COST_FLUSH_REFILL] = "flush_refill",
	[COST_SETS] = "sets",
};

/*                                    tlbiel tlbie tlbsync ptesync eieio lock refill sets */
const struct machine machine_profiles[] = {
	{ "power7", 4, { 20, 200, 500, 50, 10, 50, 20000, 128 }, VCORE_PER_T_IDS },
	{ "power8", 8, { 20, 250, 600, 50, 10, 50, 40000, 512 }, VCORE_PER_T_IDS },
	{ "power9-hash", 4, { 20, 250, 700, 50, 10, 50, 30000, 256 }, VCORE_PER_VCPU },
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
	const int64_t *k = m->cost;
	const int64_t *v = c->v;

	return k[COST_TLBIEL] * (v[M_TLBIEL_FLUSH] + v[M_TLBIEL_INVAL]) +
	       k[COST_PTESYNC] * 2 * (v[M_FULL_FLUSHES] + v[M_LOCAL_SEQS] + v[M_TLBIE_SEQS]) +
	       k[COST_FLUSH_REFILL] * v[M_FULL_FLUSHES] +
	       k[COST_TLBIE] * v[M_TLBIE] +
	       (k[COST_LOCK] + k[COST_EIEIO] + k[COST_TLBSYNC]) * v[M_TLBIE_SEQS];
}

const char *machine_vcore_rule_name(enum vcore_rule r)
{
	return r == VCORE_PER_VCPU ? "one-per-vcpu" : "per-T-ids";
}
