/* SPDX-License-Identifier: MIT */
/*
 * workload - the parametric workload of tlbgen: VMs whose vcpus run on host
 * cores, enter and leave the guest, make hcalls, migrate; the host pages
 * guest memory out and resets HPTs. Every random choice comes from one seeded
 * PRNG (prng.h), so the same parameters give the same events.
 *
 * Interface:
 *   workload_defaults()    every parameter at its default (see tlbgen --help)
 *   workload_set_mix()     parse "H_ENTER=60,H_REMOVE=17,..." into the hcall mix
 *   workload_check()       refuse inconsistent parameters (message in @err)
 *   workload_command()     the tlbgen command line that regenerates the file
 *   workload_write()       write meta, vm, vcpu and every event into a writer
 *
 * Call order: defaults, set fields / set_mix, check, then write between
 * tw_create() and tw_finish().
 */
#ifndef TLB_GEN_WORKLOAD_H
#define TLB_GEN_WORKLOAD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tw;

#define WL_MIX_MAX 32

struct workload {
	int64_t vms;			/* VMs, ids 1..vms */
	int64_t vcpus;			/* vcpus per VM, ids 0..vcpus-1 */
	int64_t cores;			/* host cores */
	int64_t threads;		/* host threads per core (T) */
	int64_t events;			/* rows to write; -1 when duration_ms rules */
	int64_t duration_ms;		/* trace length; -1 when events rules */
	uint64_t seed;			/* PRNG seed */
	double hcall_rate;		/* hcalls per second per vcpu in the guest */
	double exit_rate;		/* guest exits per second per vcpu */
	double hlocal_fraction;		/* share of H_REMOVE/H_PROTECT passing H_LOCAL */
	double remove_found;		/* share of H_REMOVE that find their HPTE */
	double protect_found;		/* share of H_PROTECT that find their HPTE */
	double migration_rate;		/* vcore moves per second per vcore */
	double host_inval_rate;		/* host invalidations per second per VM */
	int64_t hpt_resets;		/* HPT resets per VM, spread over the trace */
	int nmix;			/* entries of the hcall mix */
	int64_t mix_opcode[WL_MIX_MAX];	/* hcall opcodes */
	double mix_weight[WL_MIX_MAX];	/* their relative weights */
	bool hcall_cpu_unknown;		/* hcalls with cpu -1, as a guest-only capture has them */
	const char *start_time;		/* meta start_time, or NULL (none: same bytes) */
};

void workload_defaults(struct workload *p);
int workload_set_mix(struct workload *p, const char *spec, char *err, size_t errlen);
int workload_check(const struct workload *p, char *err, size_t errlen);
/* workload_command - the regenerating command line into @buf; its length. */
size_t workload_command(const struct workload *p, char *buf, size_t len);

/*
 * workload_write - 0, or -1: the writer failed (reason in tw_error(@w)), or
 * *@stop became non-zero (an interrupt; @err says so). @progress: report on
 * stderr for long runs.
 */
int workload_write(const struct workload *p, struct tw *w, volatile sig_atomic_t *stop,
		   bool progress, char *err, size_t errlen);

#endif
