/* SPDX-License-Identifier: MIT */
/*
 * policy - the list of policies and lookup by name (interface in policy.h).
 * The order of policy_all is the default order of --policy and of output.
 * "oracle" is still accepted (tlbreplay prints a note) for scripts written
 * before the rename.
 */
#include <string.h>

#include "policy.h"

const struct policy_ops *const policy_all[] = {
	&policy_old, &policy_new, &policy_modern, &policy_tracked, &policy_optimal,
	&policy_radix,	/* radix guests only: not in the default --policy list */
	NULL,
};

const struct policy_ops *policy_by_name(const char *name)
{
	/* the name `tracked` had until the spec made `optimal` the floor */
	if (strcmp(name, "oracle") == 0)
		return &policy_tracked;
	for (int i = 0; policy_all[i]; i++)
		if (strcmp(policy_all[i]->name, name) == 0)
			return policy_all[i];
	return NULL;
}
