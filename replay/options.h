/* SPDX-License-Identifier: MIT */
/*
 * options - named choices where a reading of the kernel could differ from
 * replay-model.md (`--option NAME=0|1`).
 *
 * What it owns: one switch per point that kernel-policy.md marks UNVERIFIED
 * or where the source read for this tool disagrees with the page. The
 * default of every option is what the spec says, so a run without --option
 * is the spec's model exactly; each option names the policy it changes, and
 * only those options enter that policy's stored parameters.
 *
 * Interface:
 *   replay_options_default()   the spec's reading
 *   replay_options_machine()   then what a machine profile turns on by default
 *                              (power9-hash: virt-mode-global), before --option
 *   replay_option_set()        apply "NAME=0|1"; -1 if unknown or not 0/1
 *   replay_option_defs[]       name, policy, default, what it means (for --help)
 *   replay_options_json()      the options of one policy as a JSON object
 */
#ifndef TLB_REPLAY_OPTIONS_H
#define TLB_REPLAY_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

enum replay_option {
	OPT_OLD_H_LOCAL,		/* old: H_REMOVE/H_PROTECT honour H_LOCAL */
	OPT_OLD_HPT_RESET_FLUSH,	/* old: HPT reset invalidates last_vcpu[] */
	OPT_NEW_VM_INIT_FLUSH,		/* new/modern: need_tlb_flush all set at VM creation */
	OPT_NEW_HPT_RESET_FLUSH,	/* new: HPT reset sets every need_tlb_flush bit */
	OPT_NEW_BULK_GLOBAL_INVALIDATES,/* new: H_BULK_REMOVE through global_invalidates */
	OPT_VIRT_MODE_GLOBAL,		/* new/modern: HPT hcalls in virtual mode, always global */
	NOPTIONS,
};

struct replay_option_def {
	const char *name;	/* as on the command line */
	const char *policies;	/* the policies it changes, comma-separated */
	bool dflt;		/* the spec's reading */
	const char *help;	/* one line */
};

extern const struct replay_option_def replay_option_defs[NOPTIONS];

struct replay_options {
	bool on[NOPTIONS];	/* indexed by enum replay_option */
};

void replay_options_default(struct replay_options *o);
void replay_options_machine(struct replay_options *o, const char *machine);
int replay_option_set(struct replay_options *o, const char *assignment);
/* JSON object of the options that change @policy, e.g. {"new-hpt-reset-flush":1}. */
void replay_options_json(const struct replay_options *o, const char *policy,
			 char *buf, size_t len);

#endif
