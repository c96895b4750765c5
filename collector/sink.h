/* SPDX-License-Identifier: MIT */
/*
 * sink - tlbcollect's writer: BPF records in, trace DB rows out.
 *
 * What it owns: the queue between the thread that drains the BPF ring buffer
 * and the writer thread, the writer thread itself, and the translation of
 * struct tc_event / struct tc_hcall records (collector/tlbcollect.h) into
 * rows of schema v1 through common/tracewriter.h: VM identity (vm rows from
 * the QEMU process), vcpu rows and vcpu_create at a vcpu's first sight,
 * pairing of entry/exit records, hcall n, lost-event rows.
 *
 * Interface:
 *   sink_create()     bind to an open tracewriter; nothing runs yet
 *   sink_start()      start the writer thread
 *   sink_push()       (consumer thread) copy one record in; blocks while the queue is full
 *   sink_lost()       (consumer thread) queue a "lost" row: records the kernel dropped
 *   sink_flush()      (consumer thread) hand the partly filled chunk to the writer
 *   sink_failed()     (any thread) the writer failed (a write error): stop the capture
 *   sink_live()       (any thread) running counts per VM, for the live summary (-i)
 *   sink_stop()       flush, let the writer drain everything, join it
 *   sink_stats()      what was received, written, filtered, lost
 *   sink_error()      the writer's failure, if sink_stop() returned -1
 *   sink_writer()     the tracewriter of the open part (--rotate switches it; NULL if
 *                     a switch could not create the next part)
 *   sink_part_stats() the counts of the open part (--rotate), else sink_stats()
 *   sink_free()       NULL-safe
 *
 * Order of calls: create, start, {push, lost, flush}..., stop, stats, free.
 * Between start and stop only the writer thread touches the tracewriter.
 *
 * Algorithm: records are copied back to back into 1 MiB chunks; a full chunk
 * (or the current one at each flush) goes to the writer's list. At most
 * SINK_MAX_CHUNKS exist: past that sink_push() waits, the kernel ring buffer
 * fills, and the BPF side counts what it cannot store as lost. Nothing is
 * dropped in user space. The writer turns records into rows in arrival
 * order; tracewriter commits a transaction every TW_BATCH rows. With
 * --rotate every row goes through rotate_event() and, after each BPF record,
 * the writer asks rotate_due() whether to close the part (rotate.h).
 */
#ifndef TLBC_SINK_H
#define TLBC_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tw;
struct sink;

/* Where guest_enter rows come from (--enter). */
enum sink_enter {
	SINK_ENTER_AUTO,	/* switch-ins of a VM's vcpu threads until the VM shows a KVM entry */
	SINK_ENTER_SCHED,	/* switch-ins only */
	SINK_ENTER_KVM,		/* KVM entry tracepoints only */
};

struct sink_opts {
	bool guest;		/* records of the guest programs (one VM: this guest) */
	enum sink_enter enter;	/* host: source of guest_enter */
	bool hcall_args;	/* also an hcall_args row (r5..r8) after each guest hcall */
	bool switch_out;	/* host: switch-outs are recorded too */
	bool probe_entries;	/* host: guest_enter from TC_KERNEL_CHECK (kflush.c, POWER9);
				 * kvm_hv:kvm_guest_enter records are counted, not written */
	uint64_t t0;		/* CLOCK_MONOTONIC ns that becomes ts 0 */
	int64_t page_size;	/* host page size: n of host_inval */
	const char *guest_name;	/* guest mode: name of the vm row */
	struct rotate *rot;	/* --rotate: parts switched by the writer (rotate.h); NULL: one file */
};

struct sink_stats {
	int64_t records;	/* events taken from the ring buffer (a switch pair is 2) */
	int64_t written;	/* of which turned into rows */
	int64_t filtered;	/* of which not written by rule (see --enter; unpaired exits) */
	int64_t rows;		/* rows of table event written */
	int64_t lost;		/* records the kernel could not store */
	int64_t vms;		/* vm rows */
	int64_t vcpus;		/* vcpu rows */
	int64_t enter_sched;	/* guest_enter rows from switch-ins */
	int64_t enter_kvm;	/* guest_enter rows from KVM tracepoints */
	int64_t exit_sched;	/* guest_exit rows from switch-outs */
	int64_t in_unreported;	/* switch-outs of a vcpu thread already out: the kernel
				 * ran it again without a sched_switch to it */
	int64_t out_unreported;	/* switch-ins of a vcpu thread already in */
	int64_t inval_unattributed;	/* host_inval rows of no known VM (vm 0) */
	int64_t enter_replaced;	/* kvm_hv:kvm_guest_enter records left out (probe_entries) */
	int64_t kernel_flush;	/* kernel_flush rows */
	uint64_t busy_ns;	/* writer thread: wall time spent writing */
	uint64_t cpu_ns;	/* writer thread: cpu time, start to end */
};

/*
 * Live counts (tlbcollect -i): rows written so far per VM, readable from any
 * thread while the writer runs. The first SINK_LIVE_VMS VMs (ids 1..) have a
 * slot each; rows of later VMs add to the last slot (vm = -1: "others").
 * Per slot, up to SINK_LIVE_OPS hcall opcodes are counted by name; the rest
 * add to other_hcalls. Counts only grow: a reader takes differences.
 */
#define SINK_LIVE_VMS 32
#define SINK_LIVE_OPS 16

struct sink_live_vm {
	int64_t vm;			/* vm id, -1 for the slot of the others */
	char name[48];			/* the vm row's name */
	int64_t enter, exit, migrate, hcalls, other_hcalls;
	int nops;			/* opcodes counted in op[] */
	uint64_t op[SINK_LIVE_OPS];	/* hcall opcodes */
	int64_t op_count[SINK_LIVE_OPS];
};

struct sink *sink_create(struct tw *w, const struct sink_opts *o);
int sink_start(struct sink *s);
int sink_push(struct sink *s, const void *rec, size_t size);
int sink_lost(struct sink *s, uint64_t ts, int cpu, uint64_t count);
void sink_flush(struct sink *s);
int sink_stop(struct sink *s);
void sink_stats(const struct sink *s, struct sink_stats *st);
const char *sink_error(const struct sink *s);
struct tw *sink_writer(const struct sink *s);
void sink_part_stats(const struct sink *s, struct sink_stats *st);
/* Whether the writer has failed; @at (if not NULL) gets the CLOCK_MONOTONIC ns of the
 * failure. After a failure the writer discards what is pushed: stop the capture. */
bool sink_failed(struct sink *s, uint64_t *at);
/* Copy the live slots in use into @out (up to @max); their count. */
int sink_live(struct sink *s, struct sink_live_vm *out, int max);
void sink_free(struct sink *s);

#endif
