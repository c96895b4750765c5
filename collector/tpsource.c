/* SPDX-License-Identifier: MIT */
/*
 * tpsource - which tracepoints tlbcollect can record and which the running
 * kernel has (interface and rules in tpsource.h).
 *
 * tracefs: the kernel may not mount it at boot. We look at the two usual
 * places (/sys/kernel/tracing, /sys/kernel/debug/tracing) for an "events"
 * directory; if neither has one we mount tracefs at /sys/kernel/tracing,
 * which is what `mount -t tracefs nodev /sys/kernel/tracing` does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tpsource.h"

const struct tps_source tps_sources[] = {
	{ "sched", "sched_switch", "tlbc_switch", false,
	  "vcpu thread on/off a host cpu: guest_enter where no KVM entry fires" },
	{ "sched", "sched_migrate_task", "tlbc_migrate", false,
	  "migrate: vcpu thread moved between host cpus" },
	{ "kvm", "kvm_entry", "tlbc_kvm_entry", false, "guest_enter (generic KVM)" },
	{ "kvm", "kvm_exit", "tlbc_kvm_exit", false, "guest_exit with exit reason" },
	{ "kvm", "kvm_unmap_hva_range", "tlbc_hva_unmap", false,
	  "host_inval reason 0 (MMU-notifier unmap)" },
	{ "kvm", "kvm_age_hva", "tlbc_hva_age", false, "host_inval reason 1 (aging)" },
	{ "kvm_hv", "kvmppc_run_core", "tlbc_run_core", false, "vcore_run: vcore on a core" },
	{ "kvm_hv", "kvm_guest_enter", "tlbc_hv_enter", false, "guest_enter (POWER HV)" },
	{ "kvm_hv", "kvm_guest_exit", "tlbc_hv_exit", false, "guest_exit with trap" },
	{ "kvm_hv", "kvm_hcall_enter", "tlbc_hv_hc_in", false,
	  "hcall (virtual mode only), paired with its exit" },
	{ "kvm_hv", "kvm_hcall_exit", "tlbc_hv_hc_out", false, "hcall return code" },
	{ "kvm_hv", "kvm_page_fault_enter", "tlbc_hv_pf_in", false,
	  "page_fault, paired with its exit" },
	{ "kvm_hv", "kvm_page_fault_exit", "tlbc_hv_pf_out", false, "page_fault result" },
	{ "powerpc", "hcall_entry", "tlbc_hcall_in", true,
	  "guest hcall: opcode, flags, arguments (raw tracepoint)" },
	{ "powerpc", "hcall_exit", "tlbc_hcall_out", true,
	  "guest hcall: return code, n from the return buffer" },
};
const int tps_nsources = sizeof(tps_sources) / sizeof(tps_sources[0]);

static int has_events(const char *dir)
{
	char path[256];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/events", dir);
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

const char *tps_tracefs(void)
{
	static const char *const places[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };

	for (unsigned i = 0; i < sizeof(places) / sizeof(places[0]); i++)
		if (has_events(places[i]))
			return places[i];
	if (mount("nodev", places[0], "tracefs", 0, NULL) != 0)
		return NULL;
	if (!has_events(places[0])) {
		errno = ENOENT;
		return NULL;
	}
	return places[0];
}

int tps_present(const char *tracefs, const struct tps_source *s)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/events/%s/%s/id", tracefs, s->system, s->event);
	return access(path, F_OK) == 0;
}

int tps_have_btf(void)
{
	struct stat sb;

	/* TLBCOLLECT_NO_BTF=1: act as on a kernel without BTF (tests of that mode on any host) */
	if (getenv("TLBCOLLECT_NO_BTF") && strcmp(getenv("TLBCOLLECT_NO_BTF"), "1") == 0)
		return 0;
	return access("/sys/kernel/btf/vmlinux", R_OK) == 0 &&
	       stat("/sys/kernel/btf/vmlinux", &sb) == 0 && sb.st_size > 0;
}
