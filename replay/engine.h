/* SPDX-License-Identifier: MIT */
/*
 * engine - one pass over a trace's events through every chosen policy.
 *
 * What it owns: reading events through tracedb in replay order, the checks
 * the replay adds to tracedb's (NULL opcode, negative n, ids out of range),
 * the per-VM state every policy shares (online vcpus and vcores, the core
 * where each vcpu last entered), the dispatch of each event to each
 * policy's callbacks, the stale-exposure check on entries, the counts of
 * unknown kinds and lost events, the series buckets and the digest of the
 * events. Policies are in policy.h; results go out through a sink (store.c)
 * as they happen, and totals are read back when the pass is over.
 *
 * Interface:
 *   engine_new()        from a config (machine, options, policies, bucket, sink)
 *   the pass in steps   below; multirun_run() (multirun.h) drives them for one
 *                       engine or several over one scan
 *   engine_nvms()       VMs that have events, ascending id
 *   engine_vm_id()      the id of the i-th
 *   engine_row()        a policy's metrics for the i-th VM (cycles filled)
 *   engine_all()        a policy's "all" row
 *   engine_events()     events read (all kinds, vm 0 included)
 *   engine_lost()       sum of `lost` records' counts
 *   engine_nunknown()   distinct unknown kinds seen; engine_unknown() the i-th
 *   engine_digest()     digest of the events (when config.digest)
 *   engine_has_kernel_flush(), engine_kernel_flushes(), engine_nvcpus(),
 *   engine_vcpu()       the kernel's own flushes (kernel_flush events) per VM and
 *                       vcpu, beside each policy's full flushes per vcpu
 *   engine_free()       NULL-safe
 *
 * Call order: new, the pass in steps (once), reads, free.
 *
 * The pass in steps, for the driver that feeds one scan of the trace (the
 * parts of a rotated capture one after the other) to the engines (multirun.c):
 *   engine_begin_parts(e, dbs, ndbs)    once, before the first pass
 *   for pass = 0, 1, ... while engine_wants_pass(e, pass):
 *     engine_pass_begin(e, pass)
 *     engine_event(e, db, ev)           every event of the scan, in replay order
 *     engine_pass_end(e, nevents)       the pass read @nevents events
 *   engine_end(e)                       once, after the last pass
 * Each returns 0 or an exit code with the message in engine_error(); the
 * engine reads nothing itself then (the driver owns the scan and progress).
 * engine_pass_what() is the progress line's text of a pass.
 *
 * Passes: the trace is read once when every policy needs one pass
 * (policy_ops.passes), else as many times as the most demanding one asks;
 * each later pass dispatches only to the policies that still need it, with
 * the VM's shared state (online vcpus, vcores, counts, series) rebuilt from
 * scratch, the dense vcpu and core indices and the policies' own state kept.
 * Events, lost, unknown kinds, kernel_flush counts and the digest come from
 * the first pass.
 *
 * Memory: per VM, maps from vcpu ids, vcore and core numbers to dense
 * indices (idmap.h) and arrays by those indices, per policy and VM the same:
 * memory follows the VMs, vcpus and cores a trace has (at most its rows),
 * never the values of their ids, and nothing grows with the number of events.
 * Ids are checked against CPU_ID_MAX / VCPU_ID_MAX (vm ids: any non-negative
 * int64, kept in a sorted array). Series buckets close
 * as time passes them and are handed to the sink at once; a bucket keeps no
 * per-event data, only a snapshot of the totals when it opened.
 */
#ifndef TLB_REPLAY_ENGINE_H
#define TLB_REPLAY_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "machine.h"
#include "metrics.h"
#include "options.h"
#include "policy.h"
#include "tracedb.h"

#define MAX_POLICIES 8
/* The ids a trace may hold (anything else is bad input, exit 2 naming the row).
 * Linux numbers cpus with an int and kvm_hv's tracepoints carry vcpu_id as an
 * int: both fit in 0..2^31-1. Memory does not depend on these values (idmap.h). */
#define CPU_ID_MAX INT32_MAX		/* host thread: -1 (unknown) or 0..2^31-1 */
#define VCPU_ID_MAX INT32_MAX		/* vcpu id: 0..2^31-1 */

/* Where results go while the pass runs (NULL members: not wanted). */
struct engine_sink {
	void *arg;
	/* a closed bucket of policy @pol, @vm (-1 = all), starting at @bucket_ns */
	int (*series)(void *arg, int pol, int64_t vm, int64_t bucket_ns,
		      const struct metrics *m);
	/* an unflushed entry on a stale core */
	int (*hazard)(void *arg, int pol, int64_t ts, int64_t vm, int64_t vcpu,
		      int64_t core, int64_t marked_ts);
	const char *(*error)(void *arg);
};

/* Who watches the replay event by event (timeline.c); NULL members: not wanted.
 * Fed from the same event stream as the policies (engine.c: dispatch() calls
 * event, observe_policy() calls policy), and only for the events that count
 * (--vm, --vcpu, --from, --to: filter.h), so the timeline agrees with the rows. */
struct engine_observer {
	void *arg;
	/* a counted event of VM @vm (> 0) of a kind the replay knows, in the first pass */
	int (*event)(void *arg, int64_t vm, enum tdb_kind kind, const struct pev *pe);
	/* what policy @pol did on that event in its counting pass: @delta its
	 * counts' change, @exposed an unflushed entry on a core stale since @marked_ts */
	int (*policy)(void *arg, int pol, int64_t vm, enum tdb_kind kind, const struct pev *pe,
		      const struct metrics *delta, bool exposed, int64_t marked_ts);
};

struct engine_config {
	struct machine m;			/* profile with T and costs in force */
	struct replay_options opt;		/* named kernel-reading options */
	const struct policy_ops *pol[MAX_POLICIES];	/* in output order */
	int npol;
	int64_t bucket_ns;			/* series bucket width; 0 = no series */
	const struct engine_sink *sink;		/* or NULL */
	const struct engine_observer *observer;	/* or NULL */
	bool digest;				/* compute engine_digest() */
	bool progress;				/* progress lines on stderr */
	const struct replay_filter *filter;	/* --vm/--vcpu/--from/--to, or NULL */
};

struct engine;

struct engine *engine_new(const struct engine_config *cfg);
/* Before the first pass, over a trace in @ndbs files (1, or the parts of one
 * rotated capture, in order, checked by traceset.h to have the same event
 * kinds): every pass reads them one after the other as one stream; a VM's MMU
 * is the first part's that names it (vm_mmu). @dbs valid until the last pass ends. */
int engine_begin_parts(struct engine *e, struct tdb *const *dbs, int ndbs);
/* rows in the parts' event tables, for progress (-1: unknown) */
int64_t engine_parts_events(struct tdb *const *dbs, int ndbs);

bool engine_wants_pass(const struct engine *e, int pass);
void engine_pass_begin(struct engine *e, int pass);
int engine_event(struct engine *e, struct tdb *db, const struct tdb_event *ev);
int engine_pass_end(struct engine *e, int64_t nevents);
int engine_end(struct engine *e);
void engine_pass_what(int pass, char *buf, size_t len);
const char *engine_error(const struct engine *e);

int64_t engine_nvms(const struct engine *e);
int64_t engine_vm_id(const struct engine *e, int64_t i);
void engine_row(const struct engine *e, int pol, int64_t i, struct metrics *out);
/* the sum of the rows policy @pol applies to (engine_applies) */
void engine_all(const struct engine *e, int pol, struct metrics *out);
/* vm_mmu: the i-th VM's MMU, and whether policy @pol (same MMU, or unknown) is
 * replayed on it; its row and per-vcpu flushes are zeros when it is not */
bool engine_applies(const struct engine *e, int pol, int64_t i);
enum tdb_mmu engine_vm_mmu(const struct engine *e, int64_t i);

int64_t engine_events(const struct engine *e);
int64_t engine_lost(const struct engine *e);
/* meta lost_events (a producer's own count of losses), summed over the parts */
int64_t engine_meta_lost(const struct engine *e);
int64_t engine_nunknown(const struct engine *e);
void engine_unknown(const struct engine *e, int64_t i, int64_t *kind_id, int64_t *count);
int64_t engine_unknown_total(const struct engine *e);
const char *engine_digest(const struct engine *e);

/* kernel_flush events (the kernel's own full flushes, trace-schema-v1.md): */
bool engine_has_kernel_flush(const struct engine *e);		/* any in the trace */
int64_t engine_kernel_flushes(const struct engine *e, int64_t i);	/* of the i-th VM */
int64_t engine_nvcpus(const struct engine *e, int64_t i);	/* vcpus seen in the i-th VM */
/* the j-th vcpu (order of first sight) of the i-th VM: its id, its kernel_flush
 * events, and each policy's full flushes on its entries (@flushes[npol]) */
void engine_vcpu(const struct engine *e, int64_t i, int64_t j, int64_t *vcpu, int64_t *kernel,
		 int64_t *flushes);

void engine_free(struct engine *e);

#endif
