/* SPDX-License-Identifier: MIT */
/*
 * tfhost - the no-BTF host mode of tlbcollect (interface in tfhost.h).
 *
 * A format file's field lines look like
 *   \tfield:unsigned long req;\toffset:16;\tsize:8;\tsigned:0;
 *   \tfield:__data_loc char[] comm;\toffset:8;\tsize:4;\tsigned:0;   (newer kernels)
 * The name is the last word before ';' (an array's name ends at its '['). Every
 * field the programs read is looked up by name; a missing field is TF_NONE
 * (the program reports 0), a missing format file (the tracepoint is absent:
 * its program is switched off by the caller) leaves the fields TF_NONE too.
 * The formats are unreadable as a whole only when not even sched_switch's can
 * be read: then there is nothing to record from.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "tfhost.h"
#include "tfoffsets.h"
#include "tlbcollect.h"
#include "tlbcollect_tf.skel.h"

/* The field @name of tracefs event @sys/@ev: 1 found, 0 not in the format, -1 no format. */
static int find_field(const char *tracefs, const char *sys, const char *ev, const char *name,
		      struct tf_field *f)
{
	char path[512], line[512];
	FILE *fp;
	int found = 0;

	f->off = TF_NONE;
	f->size = 0;
	f->is_signed = 0;
	f->data_loc = 0;
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", tracefs, sys, ev);
	fp = fopen(path, "r");
	if (!fp)
		return -1;
	while (!found && fgets(line, sizeof(line), fp)) {
		char *decl = strstr(line, "field:"), *semi, *end, *start;
		unsigned off, size;
		int sgn;

		if (!decl || !(semi = strchr(decl, ';')))
			continue;
		end = semi;	/* "char prev_comm[16];": the name ends at its '[' */
		if (end[-1] == ']')
			while (end > decl && *end != '[')
				end--;
		start = end;
		while (start > decl && (isalnum((unsigned char)start[-1]) || start[-1] == '_'))
			start--;
		if ((size_t)(end - start) != strlen(name) || strncmp(start, name, strlen(name)) != 0)
			continue;
		if (sscanf(semi + 1, " offset:%u; size:%u; signed:%d;", &off, &size, &sgn) != 3 ||
		    off >= TF_NONE || size == 0 || size > 64)
			continue;
		f->off = (__u16)off;
		f->size = (__u16)size;
		f->is_signed = sgn != 0;
		f->data_loc = strstr(decl, "__data_loc") && strstr(decl, "__data_loc") < start;
		found = 1;
	}
	fclose(fp);
	return found;
}

struct tlbcollect_tf_bpf *tfh_open(const char *tracefs, char *err, size_t errlen)
{
	struct tlbcollect_tf_bpf *s;
	struct tf_offsets *o;
	struct tf_field probe;
	const struct {
		const char *sys, *ev, *name;
		size_t at;
	} want[] = {
#define F(sys, ev, name, member) { sys, ev, name, offsetof(struct tf_offsets, member) }
		F("sched", "sched_switch", "prev_comm", sw_prev_comm),
		F("sched", "sched_switch", "prev_pid", sw_prev_pid),
		F("sched", "sched_switch", "next_comm", sw_next_comm),
		F("sched", "sched_switch", "next_pid", sw_next_pid),
		F("sched", "sched_migrate_task", "comm", mig_comm),
		F("sched", "sched_migrate_task", "pid", mig_pid),
		F("sched", "sched_migrate_task", "orig_cpu", mig_orig_cpu),
		F("sched", "sched_migrate_task", "dest_cpu", mig_dest_cpu),
		F("task", "task_newtask", "pid", nt_pid),
		F("task", "task_newtask", "clone_flags", nt_clone_flags),
		F("kvm", "kvm_entry", "vcpu_id", kvm_entry_vcpu_id),
		F("kvm", "kvm_exit", "exit_reason", kvm_exit_reason),
		F("kvm", "kvm_exit", "vcpu_id", kvm_exit_vcpu_id),
		F("kvm", "kvm_unmap_hva_range", "start", unmap_start),
		F("kvm", "kvm_unmap_hva_range", "end", unmap_end),
		F("kvm", "kvm_age_hva", "start", age_start),
		F("kvm", "kvm_age_hva", "end", age_end),
		F("kvm_hv", "kvmppc_run_core", "n_runnable", rc_n_runnable),
		F("kvm_hv", "kvmppc_run_core", "runner_vcpu", rc_runner_vcpu),
		F("kvm_hv", "kvmppc_run_core", "where", rc_where),
		F("kvm_hv", "kvmppc_run_core", "tgid", rc_tgid),
		F("kvm_hv", "kvm_guest_enter", "vcpu_id", ge_vcpu_id),
		F("kvm_hv", "kvm_guest_exit", "vcpu_id", gx_vcpu_id),
		F("kvm_hv", "kvm_guest_exit", "trap", gx_trap),
		F("kvm_hv", "kvm_hcall_enter", "vcpu_id", hi_vcpu_id),
		F("kvm_hv", "kvm_hcall_enter", "req", hi_req),
		F("kvm_hv", "kvm_hcall_enter", "gpr4", hi_gpr4),
		F("kvm_hv", "kvm_hcall_enter", "gpr5", hi_gpr5),
		F("kvm_hv", "kvm_hcall_enter", "gpr6", hi_gpr6),
		F("kvm_hv", "kvm_hcall_enter", "gpr7", hi_gpr7),
		F("kvm_hv", "kvm_hcall_exit", "vcpu_id", ho_vcpu_id),
		F("kvm_hv", "kvm_hcall_exit", "ret", ho_ret),
		F("kvm_hv", "kvm_hcall_exit", "hcall_rc", ho_hcall_rc),
		F("kvm_hv", "kvm_page_fault_enter", "vcpu_id", pi_vcpu_id),
		F("kvm_hv", "kvm_page_fault_enter", "ea", pi_ea),
		F("kvm_hv", "kvm_page_fault_exit", "vcpu_id", po_vcpu_id),
		F("kvm_hv", "kvm_page_fault_exit", "ret", po_ret),
#undef F
	};

	if (find_field(tracefs, "sched", "sched_switch", "next_pid", &probe) != 1) {
		snprintf(err, errlen, "cannot read %s/events/sched/sched_switch/format: %s", tracefs,
			 errno ? strerror(errno) : "no field next_pid");
		return NULL;
	}
	s = tlbcollect_tf_bpf__open();
	if (!s) {
		snprintf(err, errlen, "cannot open the BPF programs: %s", strerror(errno));
		return NULL;
	}
	o = (struct tf_offsets *)&s->rodata->off;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		find_field(tracefs, want[i].sys, want[i].ev, want[i].name,
			   (struct tf_field *)((char *)o + want[i].at));
	return s;
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

int tfh_prefill(struct tlbcollect_tf_bpf *s)
{
	DIR *proc = opendir("/proc");
	struct dirent *p;
	int fd = bpf_map__fd(s->maps.tid_tgid);

	if (!proc || fd < 0) {
		if (proc)
			closedir(proc);
		return -1;
	}
	while ((p = readdir(proc))) {
		char path[300];
		struct dirent *t;
		DIR *tasks;
		__u32 tgid;

		if (!all_digits(p->d_name))
			continue;
		tgid = (__u32)strtoul(p->d_name, NULL, 10);
		snprintf(path, sizeof(path), "/proc/%s/task", p->d_name);
		tasks = opendir(path);
		if (!tasks)
			continue;	/* gone meanwhile */
		while ((t = readdir(tasks))) {
			__u32 tid;

			if (!all_digits(t->d_name))
				continue;
			tid = (__u32)strtoul(t->d_name, NULL, 10);
			if (bpf_map__update_elem(s->maps.tid_tgid, &tid, sizeof(tid), &tgid, sizeof(tgid), 0)) {
				closedir(tasks);
				closedir(proc);
				return -1;
			}
		}
		closedir(tasks);
	}
	closedir(proc);
	return 0;
}
