/* SPDX-License-Identifier: MIT */
/*
 * options - the named kernel-reading options (interface in options.h).
 *
 * Sources for each point: kernel-policy.md sections 1-3 and the notes of
 * this tool's report. Defaults are replay-model.md's rules.
 */
#include "options.h"

#include <stdio.h>
#include <string.h>

const struct replay_option_def replay_option_defs[NOPTIONS] = {
	[OPT_OLD_H_LOCAL] = {
		"old-h-local", "old", true,
		"H_REMOVE/H_PROTECT with H_LOCAL go local (v3.6 kvmppc_h_remove/h_protect)" },
	[OPT_OLD_HPT_RESET_FLUSH] = {
		"old-hpt-reset-flush", "old", false,
		"an HPT reset sets last_vcpu[] to an invalid id (v3.7 kvmppc_alloc_reset_hpt, unverified)" },
	[OPT_NEW_VM_INIT_FLUSH] = {
		"new-vm-init-flush", "new,modern", true,
		"need_tlb_flush starts all set (kvmppc_core_init_vm: cpumask_setall)" },
	[OPT_NEW_HPT_RESET_FLUSH] = {
		"new-hpt-reset-flush", "new", true,
		"an HPT reset sets every need_tlb_flush bit (kvmppc_alloc_reset_hpt)" },
	[OPT_NEW_BULK_GLOBAL_INVALIDATES] = {
		"new-bulk-global-invalidates", "new", false,
		"H_BULK_REMOVE goes through global_invalidates (0 = v3.8 as shipped)" },
};

void replay_options_default(struct replay_options *o)
{
	for (int i = 0; i < NOPTIONS; i++)
		o->on[i] = replay_option_defs[i].dflt;
}

int replay_option_set(struct replay_options *o, const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	size_t len;

	if (!eq || (strcmp(eq + 1, "0") != 0 && strcmp(eq + 1, "1") != 0))
		return -1;
	len = (size_t)(eq - assignment);
	for (int i = 0; i < NOPTIONS; i++)
		if (strlen(replay_option_defs[i].name) == len &&
		    strncmp(replay_option_defs[i].name, assignment, len) == 0) {
			o->on[i] = eq[1] == '1';
			return 0;
		}
	return -1;
}

static bool applies(const char *list, const char *policy)
{
	size_t n = strlen(policy);

	for (const char *p = list; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && strncmp(p, policy, n) == 0)
			return true;
		if (!end)
			break;
		p = end + 1;
	}
	return false;
}

void replay_options_json(const struct replay_options *o, const char *policy,
			 char *buf, size_t len)
{
	size_t used = 0;

	used += (size_t)snprintf(buf, len, "{");
	for (int i = 0; i < NOPTIONS && used < len; i++) {
		if (!applies(replay_option_defs[i].policies, policy))
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s\"%s\":%d",
					 used > 1 ? "," : "", replay_option_defs[i].name,
					 o->on[i] ? 1 : 0);
	}
	if (used < len)
		snprintf(buf + used, len - used, "}");
}
