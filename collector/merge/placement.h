/* SPDX-License-Identifier: MIT */
/*
 * placement - where each vcpu of a host capture ran, as time intervals.
 *
 * What it owns: turning a host trace's guest_enter / guest_exit events (and
 * vcore_run enter/exit, kvm_hv:kvmppc_run_core's placement) into, per (vm, vcpu),
 * a sorted list of [start, end) intervals on one host cpu, and answering
 * "where did vcpu V of VM M run at host time t".
 *
 * Interface:
 *   pl_new() / pl_free()
 *   pl_enter(), pl_exit()   feed host events in time order
 *   pl_close_all()          end every open interval at the capture's end
 *   pl_track()              the intervals of (vm, vcpu), or NULL
 *   pl_cpu_at()             host cpu of a track at time t, -1 when it was not running
 *   pl_vms()                the VMs that have tracks
 *
 * Order: new, enter/exit..., close_all, then lookups. An enter while the
 * vcpu's interval is open closes it first (a switch-in elsewhere means it left).
 */
#ifndef TLB_MERGE_PLACEMENT_H
#define TLB_MERGE_PLACEMENT_H

#include <stddef.h>
#include <stdint.h>

struct pl_interval {
	int64_t start, end;	/* host ns, [start, end) */
	int64_t cpu;		/* host hardware thread */
};

struct pl_track {
	int64_t vm, vcpu;
	struct pl_interval *iv;	/* sorted by start, not overlapping */
	size_t n, cap;
	int64_t open_start;	/* start of the open interval, when open */
	int64_t open_cpu;
	int open;
};

struct placement;

struct placement *pl_new(void);
void pl_free(struct placement *p);
int pl_enter(struct placement *p, int64_t vm, int64_t vcpu, int64_t cpu, int64_t ts);
int pl_exit(struct placement *p, int64_t vm, int64_t vcpu, int64_t ts);
int pl_close_all(struct placement *p, int64_t ts);
struct pl_track *pl_track(struct placement *p, int64_t vm, int64_t vcpu);
int64_t pl_cpu_at(const struct pl_track *t, int64_t ts);
/* VM ids with at least one interval, into @vms (at most @max); returns how many. */
int pl_vms(struct placement *p, int64_t *vms, int max);
/* Intervals in all tracks. */
size_t pl_count(const struct placement *p);

#endif
