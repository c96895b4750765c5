/* SPDX-License-Identifier: MIT */
/*
 * filter - what part of a trace a replay counts: --vm, --vcpu, --from, --to.
 *
 * What it owns: parsing the filter options and the one definition of what
 * they mean for the model (also in tlbreplay --help):
 *   --vm LIST     only the events of these VMs are replayed and counted. Exact:
 *                 VMs share no state in any policy (each has its own LPID,
 *                 need_tlb_flush, vcores), so a VM's rows are the same as in a
 *                 full replay.
 *   --vcpu LIST   every event of the chosen VMs is still replayed (vcpus of a VM
 *                 share its state: online vcpus and vcores, need_tlb_flush, the
 *                 cores that hold it), but only events of these vcpu ids count:
 *                 their entries (and the flushes and exposures on them), their
 *                 hcalls (and the sequences those issue). Events without a vcpu
 *                 (host_inval, hpt_reset) are not counted. The ids apply to
 *                 every VM replayed.
 *   --from/--to   a window [from, to) in trace ns: the whole trace is replayed
 *                 so that the state at the window's start is the real one (warm:
 *                 a window does not pay the cold-start flushes of a VM that was
 *                 already running), and only events inside the window count.
 * A VM replayed but with nothing counted keeps its row, with zeros.
 *
 * Interface:
 *   filter_init()        nothing filtered
 *   filter_parse_ids()   "ID[,ID...]" of non-negative integers into a sorted set
 *   filter_parse_time()  "1500000", "1.5s", "200ms", "30us", "10ns" into ns
 *   filter_vm()          is VM @vm replayed?
 *   filter_counts()      is an event (of a replayed VM) counted?
 *   filter_active()      does any option filter?
 *   filter_free()
 */
#ifndef TLB_REPLAY_FILTER_H
#define TLB_REPLAY_FILTER_H

#include <stdbool.h>
#include <stdint.h>

struct id_set {
	int64_t *ids;		/* sorted, distinct */
	int64_t n;
	bool on;		/* the option was given */
};

struct replay_filter {
	struct id_set vms, vcpus;
	int64_t from, to;	/* window [from, to) in ns */
	bool window;		/* --from or --to given */
};

void filter_init(struct replay_filter *f);
/* 0, or -1 (not a list of integers 0..2^63-1, or out of memory: *oom says which). */
int filter_parse_ids(struct id_set *s, const char *list, bool *oom);
/* 0, or -1 when @text is not a non-negative time that fits in int64 ns. */
int filter_parse_time(const char *text, int64_t *ns);
bool filter_has(const struct id_set *s, int64_t id);
void filter_free(struct replay_filter *f);

static inline bool filter_active(const struct replay_filter *f)
{
	return f && (f->vms.on || f->vcpus.on || f->window);
}

static inline bool filter_vm(const struct replay_filter *f, int64_t vm)
{
	return !f || !f->vms.on || filter_has(&f->vms, vm);
}

/* @vcpu -1 = the event has none. */
static inline bool filter_counts(const struct replay_filter *f, int64_t ts, int64_t vcpu)
{
	if (!f)
		return true;
	if (f->window && (ts < f->from || ts >= f->to))
		return false;
	return !f->vcpus.on || (vcpu >= 0 && filter_has(&f->vcpus, vcpu));
}

#endif
