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
	[OPT_VIRT_MODE_GLOBAL] = {
		"virt-mode-global", "new,modern", false,
		"HPT hcalls run in virtual mode (POWER9 P9 path, v5.15+): global_invalidates "
		"is always global (1 by default on power9-hash)" },
};

/*
 * Profile defaults. power9-hash: on POWER9 (ISA v3.0) v5.15+ kernels run HPT
 * guests on the C entry path (kvmhv_vcpu_entry_p9), whose hcalls are handled
 * with translation on by kvmppc_pseries_do_hcall (book3s_hv.c: case H_REMOVE
 * -> kvmppc_h_remove, likewise H_PROTECT, H_BULK_REMOVE; commit "KVM: PPC:
 * Book3S HV P9: ... virtual mode handlers for HPT hcalls", N. Piggin, 2021).
 * kvmppc_do_h_remove / kvmppc_do_h_protect / kvmppc_do_h_bulk_remove pass
 * global_invalidates(kvm) to do_tlbies, and in v6.1 book3s_hv_rm_mmu.c
 * global_invalidates() ends with
 *     "LPID has been switched to host if in virt mode so can't do local":
 *     if (!global && (mfmsr() & (MSR_IR|MSR_DR))) global = 1;
 * so even a one-vcore VM's invalidations are global there and need_tlb_flush
 * is never set by them. Observed on an emulated POWER9 host (6.1.0, issue 10):
 * global_invalidates returned global 30 times of 30 for a one-vcpu HPT VM.
 */
static const struct { const char *machine; enum replay_option opt; bool on; } machine_defaults[] = {
	{ "power9-hash", OPT_VIRT_MODE_GLOBAL, true },
};

void replay_options_machine(struct replay_options *o, const char *machine)
{
	for (size_t i = 0; i < sizeof(machine_defaults) / sizeof(*machine_defaults); i++)
		if (strcmp(machine_defaults[i].machine, machine) == 0)
			o->on[machine_defaults[i].opt] = machine_defaults[i].on;
}

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
