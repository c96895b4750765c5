/* SPDX-License-Identifier: MIT */
/*
 * mapper - turns named trace events (from a trace.dat or from tracefs text)
 * into rows of trace schema v1. Both readers hand it the same thing: one
 * event with its raw timestamp, cpu, pid, system/name and a way to read its
 * fields by name. It knows nothing about file formats.
 *
 * Interface:
 *   imp_map_init()     set the options, the sink, the clock
 *   imp_map_event()    one input event (in the input's time order)
 *   imp_map_lost()     the input says N events were lost on a cpu (-1 = unknown count)
 *   imp_map_finish()   complete what is still open and flush every queued row
 *   imp_map_free()
 *
 * Call order: init, event/lost..., finish, free. The counters in struct
 * imp_stats are valid after finish.
 *
 * What it maps (names are the kernel's; see the README of tlbimport --help):
 *   powerpc:hcall_entry/hcall_exit  -> hcall (opcode, rc; n from rc for H_REMOVE/H_PROTECT)
 *   kprobe call/return pairs        -> hcall with flags and n (the "hcall kprobe format")
 *   kvm_hv:kvm_hcall_enter/exit     -> hcall on the host thread
 *   kvm_hv:kvm_guest_enter/exit, kvm:kvm_entry/kvm_exit -> guest_enter / guest_exit
 *   kvm_hv:kvmppc_run_core          -> vcore_run; kvm_hv:kvm_page_fault_enter -> page_fault
 *   sched:sched_switch of a vcpu thread ("CPU N/KVM", "CPU N/TCG")
 *                                    -> guest_enter (switch-in) / guest_exit (switch-out),
 *                                       until a KVM entry tracepoint fires
 *   sched:sched_migrate_task of a vcpu thread -> migrate
 * Everything else is counted per name (unknown) or per reason (skipped).
 *
 * Algorithm: rows go through a FIFO in input order. A row is appended when
 * its first event arrives (so the output keeps the input's time order) and
 * leaves the FIFO head once complete. An hcall stays open until its exit (and
 * its kprobe return, when a kprobe call opened it); per cpu, open hcalls sit
 * on small stacks so that an interrupt's nested hcall pairs with its own
 * exit. A row still open when the FIFO reaches IMP_FIFO_MAX is completed
 * with what is known (counted), which bounds memory.
 */
#ifndef TLB_IMPORT_MAPPER_H
#define TLB_IMPORT_MAPPER_H

#include <stdbool.h>
#include <stdint.h>

#include "tracedb.h"

#define IMP_MAX_CPUS 4096	/* cpus of an input; more is bad input */
#define IMP_FIFO_MAX (1 << 20)	/* rows held waiting for an hcall to complete */
#define IMP_STACK 8		/* nested open hcalls per cpu (interrupts) */
#define IMP_MAX_NAMES 4096	/* distinct unknown event names counted by name */

/* Field access of one input event. Both return 0, or -1 if there is no such field. */
struct imp_fields {
	int (*get_int)(void *ctx, const char *field, int64_t *out);
	int (*get_str)(void *ctx, const char *field, char *buf, int len);
	void *ctx;
};

struct imp_event {
	uint64_t ts;		/* raw timestamp, in the input clock's unit */
	int cpu;		/* cpu that recorded it */
	int pid;		/* common_pid, -1 unknown */
	const char *system;	/* "sched", "powerpc", "kprobes", ... or NULL if unknown (text) */
	const char *name;	/* "sched_switch", "c34", ... */
	int type_key;		/* small integer naming the event type (>= 0), -1 if none */
	bool is_kprobe;		/* a dynamic probe: its location is probe_sym + probe_off */
	const char *probe_sym;	/* text: symbol of "(sym+0xoff/0xsize)"; dat: "" */
	uint64_t probe_off;	/* text: offset; dat: __probe_ip */
	struct imp_fields f;
};

/* Where rows go. kind is a tdb_kind or one of IMP_KIND_*. */
enum { IMP_KIND_VCORE_RUN = TDB_NKINDS, IMP_KIND_PAGE_FAULT, IMP_NKINDS };
struct imp_sink {
	int (*event)(void *ctx, int64_t ts, int64_t cpu, int64_t vm, int64_t vcpu,
		     int kind, const int64_t *a, int nargs);
	int (*vcpu)(void *ctx, int64_t vm, int64_t id, int64_t tid, const char *name);
	int (*vm)(void *ctx, int64_t id, int64_t pid, const char *how);
	void *ctx;
};

enum imp_switch_enter { IMP_SWITCH_AUTO, IMP_SWITCH_YES, IMP_SWITCH_NO };

struct imp_options {
	bool guest;			/* --guest: vm 1, vcpu = cpu, cpu -1 */
	bool ticks;			/* timestamps are timebase ticks (ppc-tb, counter) */
	uint64_t timebase_hz;		/* ticks per second when ticks */
	enum imp_switch_enter switch_enter;
	int64_t bulk_n_unknown;		/* n written for an H_BULK_REMOVE without return words */
};

struct imp_name_count {
	char *name;
	int64_t count;
};

struct imp_stats {
	int64_t read;			/* input events */
	int64_t written;		/* rows written */
	int64_t per_kind[IMP_NKINDS];	/* rows written per kind */
	int64_t unknown;		/* events of names not mapped */
	int64_t skipped;		/* mapped names, but not turned into a row (reasons below) */
	int64_t skip_not_vcpu;		/* sched events of threads that are not vcpus */
	int64_t skip_guest_sched;	/* sched events inside a guest capture */
	int64_t skip_hcall_exit;	/* hcall exits / kprobe returns that completed a row */
	int64_t skip_unpaired;		/* exits/returns with no open call */
	int64_t skip_other;		/* events consumed by pairing (page_fault_exit, ...) */
	int64_t skip_no_field;		/* events lacking a field the mapping needs */
	int64_t hcall_with_args;	/* hcalls whose flags and n came from a kprobe pair */
	int64_t hcall_no_args;		/* hcalls seen by tracepoint only: flags 0 */
	int64_t hcall_n_assumed;	/* H_BULK_REMOVE with n = bulk_n_unknown */
	int64_t hcall_open_at_end;	/* hcalls never closed by an exit */
	int64_t hcall_rc_mismatch;	/* kprobe rc != tracepoint retval */
	int64_t lost;			/* events the input says were lost */
	int64_t lost_unknown;		/* lost markers of unknown count */
	int64_t ts_back;		/* events whose ts went back (clamped) */
	uint64_t raw_first, raw_last;	/* raw timestamps of the first and last events */
	bool any;			/* at least one event */
	int max_cpu;			/* highest cpu seen, -1 none */
	int nnames;
	struct imp_name_count names[IMP_MAX_NAMES];	/* unknown events per name */
	int64_t names_overflow;		/* unknown events of names beyond IMP_MAX_NAMES */
};

struct imp_map;

struct imp_map *imp_map_init(const struct imp_options *opt, const struct imp_sink *sink);
/* 0, or -1 when the sink failed (its own error) or the input is bad (imp_map_error). */
int imp_map_event(struct imp_map *m, const struct imp_event *ev);
int imp_map_lost(struct imp_map *m, uint64_t ts, int cpu, int64_t count);
/* Before the first event: the clock's unit. */
void imp_map_set_ticks(struct imp_map *m, bool ticks, uint64_t timebase_hz);
int imp_map_finish(struct imp_map *m);
const struct imp_stats *imp_map_stats(const struct imp_map *m);
const char *imp_map_error(const struct imp_map *m);
void imp_map_free(struct imp_map *m);

/* Vcpu number of a QEMU vcpu thread name "CPU N/KVM" or "CPU N/TCG", else -1. */
int imp_vcpu_of_comm(const char *comm);

#endif
