/* SPDX-License-Identifier: MIT */
/*
 * results - the replay results of one trace DB, as tlbreport reads them.
 *
 * What it owns: opening a trace DB through tracedb (which checks that it is
 * one), finding the runs that `tlbreplay --store` wrote (replay_run), choosing
 * one run per policy, and loading for each chosen run its totals
 * (replay_total: the "all" row vm = -1 and one row per VM), its time series
 * of the all row (replay_series), and its hazards (replay_hazard: the count
 * and the earliest ones). It also loads the trace's meta and VM names. It
 * never reads the event table: a report costs what the results cost, not
 * what the trace costs (one scan for kernel_flush events aside, below).
 *
 * Interface:
 *   rs_load()            open PATH, select runs, load everything; NULL + message on error
 *   rs_free()            NULL-safe
 *   rs_meta()            a meta value of the capture, or NULL
 *   rs_vm_name()         a VM's name from table vm, or NULL
 *   rs_vm_mmu()          a VM's MMU from the optional table vm_mmu: 'h', 'r', or 0 unknown
 *   rs_policy_mmu()      the MMU a policy models: 'r' for radix, 'h' for the others
 *   rs_run_by_policy()   the chosen run of a policy, or NULL
 *   rs_policy_rank()     the order policies are shown in (old, new, modern, oracle, others)
 *   rs_write_hazards_csv() every hazard of the chosen runs into a CSV file
 *
 * Order of calls: rs_load, then any reads, then rs_free.
 *
 * Choosing runs: one DB may hold many runs (several machines, several cost
 * sets, replays of earlier versions). Unless runs are named (--run), the
 * latest run (highest id) fixes the machine (or --machine does), the trace
 * digest and the parameter set (machine, T, vcores, the eight costs, the
 * options: rs_run.signature), and for each policy the latest run with those
 * is taken; runs of the same trace made with other parameters are left out
 * and listed (other_params), never compared with these. Named runs (--run)
 * must share one parameter set (else exit 2). Runs are then ordered by
 * rs_policy_rank(). --policy keeps only the listed policies, in that order.
 *
 * The event table is read once for the kernel's own flushes: the kernel_flush
 * events (the powernv harness's kprobes; kind resolved by name) counted per
 * VM with one GROUP BY, shown beside each policy's full_flushes (unless
 * skip_kernel_flush). The rest of it only when asked (read_events, tlbreport
 * --events): one GROUP BY over it for the events per kind and the sum of the
 * counts that 'lost' events carry, to check the capture's meta against.
 *
 * Errors: rs_load returns NULL with "why" in @err and sets *@exit_code: 2 for
 * a file that is not a trace DB, has no results ("run tlbreplay --store
 * first") or lacks a named run or policy; 1 for an SQLite failure.
 */
#ifndef TLB_RESULTS_H
#define TLB_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "costmodel.h"
#include "model.h"	/* enum metric, metric_names[]: the columns of replay_total */

struct sqlite3;

/* Human titles for tables and plots ("full TLB flushes", ...), same order. */
extern const char *const rs_metric_titles[NMETRICS];

struct rs_row {
	int64_t vm;			/* vm.id, -1 for the all row */
	int64_t m[NMETRICS];		/* indexed by enum metric */
};

struct rs_hazard {
	int64_t ts;			/* ns: the unflushed entry on a stale core */
	int64_t vm;			/* vm.id */
	int64_t vcpu;			/* -1 when NULL */
	int64_t core;			/* host core */
	int64_t marked_ts;		/* ns: the invalidation/reset that made it stale */
};

struct rs_run {
	int64_t id;			/* replay_run.id */
	char *policy;			/* old, new, modern, oracle, ... */
	char *machine;			/* profile name */
	char *params;			/* every parameter in force, JSON */
	char *digest;			/* trace digest */
	char *tool_version;		/* tlbreplay version that wrote it */
	char *created;			/* ISO 8601 UTC */
	int64_t bucket_ns;		/* series bucket width, 0 if unknown */
	struct cm_costs costs;		/* the costs read from params */
	int64_t tpc;			/* params threads_per_core, -1 when absent */
	char tpc_source[16];		/* option, meta, profile, or unknown (older DBs) */
	char vcores[48];		/* params vcores as written (DB text: escape it) */
	char options[512];		/* params options as "name=v, ..." (DB text: escape it) */
	char signature[1024];		/* machine|T|vcores|costs (options compared by name) */
	struct rs_row all;		/* totals over every VM */
	struct rs_row *vms;		/* per VM, ascending id */
	size_t nvms;
	struct rs_row *series;		/* all-VM series; .vm holds the bucket start (ns) */
	size_t nseries;
	struct rs_hazard *hazards;	/* earliest hazards, up to the load limit */
	size_t nhazards;
	int64_t hazards_total;		/* rows in replay_hazard for this run */
	int64_t *hazard_ts;		/* every hazard's time, ascending (when at most
					   RS_MAX_HAZARD_TS: the exposures plot steps there) */
	size_t nhazard_ts;
};

#define RS_MAX_HAZARD_TS 200000

struct rs_meta_kv {
	char *key;			/* meta key */
	char *value;			/* its value */
};

struct rs_vmname {
	int64_t id;			/* vm.id */
	char *name;			/* vm.name, may be NULL */
};

struct rs_vmmmu {
	int64_t vm;			/* vm_mmu.vm */
	char mmu;			/* 'h' hash, 'r' radix */
};

struct rs_kind_count {
	char *name;			/* event_kind.name */
	int64_t count;			/* rows of that kind in table event */
};

struct rs_kflush {
	int64_t vm;			/* event.vm */
	int64_t count;			/* its kernel_flush events */
};

struct rs_capture {
	char *path;			/* as given */
	struct rs_kflush *kflush;	/* kernel_flush events per VM, ascending vm (none: the
					   trace has none, or skip_kernel_flush) */
	size_t nkflush;
	int64_t kflush_total;		/* their sum */
	struct sqlite3 *db;		/* open (reportdb) until rs_free: the hazard list streams */
	struct rs_kind_count *kinds;	/* with --events only: events per kind */
	size_t nkinds;
	int64_t lost_counted;		/* with --events: sum of the 'lost' events' counts */
	bool events_read;		/* the event table was read (--events) */
	struct rs_meta_kv *meta;	/* every meta row, sorted by key */
	size_t nmeta;
	struct rs_vmname *vmnames;	/* table vm */
	size_t nvmnames;
	struct rs_vmmmu *vmmmus;	/* table vm_mmu, ascending vm; none: the capture does not say */
	size_t nvmmmus;
	struct rs_run *runs;		/* chosen runs, in display order */
	size_t nruns;
	size_t nruns_stored;		/* every run in replay_run */
	int64_t other_params[16];	/* runs of this trace left out: other parameters */
	char other_why[16][48];		/* what differs for each ("costs", "T", ...) */
	size_t nother_params;		/* how many such runs (may exceed 16) */
};

struct rs_options {
	const char *machine;		/* only runs of this machine, or NULL */
	const int64_t *run_ids;		/* explicit runs, or NULL */
	size_t nrun_ids;
	const char *const *policies;	/* keep these, in this order, or NULL */
	size_t npolicies;
	size_t hazard_limit;		/* hazards loaded per run for the list */
	bool read_events;		/* also count the events per kind (one scan) */
	bool skip_kernel_flush;		/* do not count the kernel_flush events (fleet: stored
					   results only) */
	bool totals_only;		/* no series, no hazards: the totals and the verdict */
	bool *nothing_fits;		/* if set: true when rs_load failed because nothing
					   stored fits (no results, no run of the machine or
					   policy asked), not because the file is bad */
};

struct rs_capture *rs_load(const char *path, const struct rs_options *opt,
			   int *exit_code, char *err, size_t errlen);
void rs_free(struct rs_capture *c);

const char *rs_meta(const struct rs_capture *c, const char *key);
const char *rs_vm_name(const struct rs_capture *c, int64_t vm);
char rs_vm_mmu(const struct rs_capture *c, int64_t vm);
char rs_policy_mmu(const char *policy);
/* The kernel_flush events of VM @vm (0 when none). */
int64_t rs_kernel_flushes(const struct rs_capture *c, int64_t vm);
/* The metrics of VM @vm in @run (bisection: vms are in id order), or NULL. */
const int64_t *rs_vm_metrics(const struct rs_run *run, int64_t vm);
/* The options of every run shown, each "name=v" once (DB text: escape it). */
const char *rs_options_union(const struct rs_capture *c, char *buf, size_t len);
/* Is this a policy tlbreplay runs / a machine profile it has? (the only names shown) */
bool rs_known_policy(const char *policy);
/* Those policies, in display order (rs_policy_rank() is an index into it). */
#define RS_NPOLICIES 7
extern const char *const rs_policies[RS_NPOLICIES];
bool rs_known_machine(const char *machine);
const struct rs_run *rs_run_by_policy(const struct rs_capture *c, const char *policy);
int rs_policy_rank(const char *policy);
/*
 * rs_write_hazards_csv - every replay_hazard row of the chosen runs, ordered by
 * run and time, to @csv_path ("policy,run,ts_ns,vm,vcpu,core,marked_ts_ns").
 * Streams from the capture's open handle (the hazards may be many). 0, or -1 with
 * the reason in @err.
 */
int rs_write_hazards_csv(const struct rs_capture *c, const char *csv_path, char *err,
			 size_t errlen);

#endif
