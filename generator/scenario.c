/* SPDX-License-Identifier: MIT */
/*
 * scenario - the four problems commit 1b400ba0cd names, each as a tiny
 * trace (interface in scenario.h).
 *
 * The commit message lists four problems of the POWER7 code before v3.8:
 *   1. the entry flush is done per thread, though the threads of a core
 *      share one TLB ("per-thread");
 *   2. H_LOCAL from an SMP guest is dangerous once the host can page guest
 *      memory out: another core may keep a stale entry ("hlocal-paging");
 *   3. the flushes done when a vcpu moves between cores are useless for an
 *      SMP guest that does not use H_LOCAL ("smp-migrate");
 *   4. local invalidations should be allowed for a guest with one virtual
 *      core, not only one with one vcpu ("one-vcore").
 * Each scenario is one VM on a POWER7-like host (4 threads per core) told
 * as a table of events, written in table order (already time order). Host
 * threads are numbered core * 4 + thread; a vcore's vcpus run on the
 * threads of one core, as KVM-HV runs them. Timestamps are round numbers of
 * nanoseconds so that a reader can follow them.
 *
 * The tables are data, not generated: changing one changes the expected
 * counts in tests/t2001-gen-scenarios.sh, which are derived by hand there.
 */
#include "scenario.h"
#include "tracewriter.h"
#include "hcall.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Traps in guest_exit (arch/powerpc/kvm/trace_book3s.h). */
#define TRAP_EXTERNAL	0x500
#define TRAP_HDEC	0x980

/* word0 of an H_BULK_REMOVE entry: control byte 0x42 (request, AVPN match), then the index. */
#define BULK_WORD0(ptex) ((int64_t)((0x42ULL << 56) | (ptex)))

struct row {
	int64_t ts;		/* ns since the start */
	int cpu;		/* host thread, -1 none */
	int vcpu;		/* vcpu id, -1 none */
	enum tdb_kind kind;	/* one of the contract's kinds */
	int nargs;		/* how many of a[] are written (rest NULL) */
	int64_t a[4];		/* arguments, as trace-schema-v1 names them */
};

#define CREATE(ts, v)			{ ts, -1, v, TDB_VCPU_CREATE, 0, { 0 } }
#define ENTER(ts, cpu, v)		{ ts, cpu, v, TDB_GUEST_ENTER, 0, { 0 } }
#define EXIT(ts, cpu, v, trap)		{ ts, cpu, v, TDB_GUEST_EXIT, 1, { trap } }
#define HCALL(ts, cpu, v, op, fl, n, rc) { ts, cpu, v, TDB_HCALL, 4, { op, fl, n, rc } }
#define INVAL(ts, cpu, n, reason)	{ ts, cpu, -1, TDB_HOST_INVAL, 2, { n, reason } }
#define MIGRATE(ts, dst, v, orig)	{ ts, dst, v, TDB_MIGRATE, 1, { orig } }

/*
 * 1. per-thread: vcpus 0-3 of one VM (one vcore) run on core 0, are given
 * other threads of the same core on the next run, move to core 1, and come
 * back to core 0. The pre-v3.8 code flushes on each of the four threads at
 * every core change; v3.8 flushes once per core, and only when the core may
 * hold stale entries. One H_ENTER and one H_REMOVE (no H_LOCAL) on core 0.
 */
static const struct row per_thread[] = {
	CREATE(0, 0), CREATE(0, 1), CREATE(0, 2), CREATE(0, 3),
	ENTER(100, 0, 0), ENTER(101, 1, 1), ENTER(102, 2, 2), ENTER(103, 3, 3),
	HCALL(200, 0, 0, H_ENTER, 0, 0, H_SUCCESS),
	HCALL(210, 0, 0, H_REMOVE, H_AVPN, 1, H_SUCCESS),
	EXIT(300, 0, 0, TRAP_HDEC), EXIT(301, 1, 1, TRAP_HDEC),
	EXIT(302, 2, 2, TRAP_HDEC), EXIT(303, 3, 3, TRAP_HDEC),
	/* next run on core 0: the ptids were handed out in another order */
	ENTER(400, 1, 0), ENTER(401, 0, 1), ENTER(402, 3, 2), ENTER(403, 2, 3),
	EXIT(500, 1, 0, TRAP_HDEC), EXIT(501, 0, 1, TRAP_HDEC),
	EXIT(502, 3, 2, TRAP_HDEC), EXIT(503, 2, 3, TRAP_HDEC),
	/* the vcore moves to core 1 */
	MIGRATE(600, 4, 0, 1), MIGRATE(601, 5, 1, 0), MIGRATE(602, 6, 2, 3), MIGRATE(603, 7, 3, 2),
	ENTER(700, 4, 0), ENTER(701, 5, 1), ENTER(702, 6, 2), ENTER(703, 7, 3),
	EXIT(800, 4, 0, TRAP_HDEC), EXIT(801, 5, 1, TRAP_HDEC),
	EXIT(802, 6, 2, TRAP_HDEC), EXIT(803, 7, 3, TRAP_HDEC),
	/* and back to core 0 */
	MIGRATE(900, 0, 0, 4), MIGRATE(901, 1, 1, 5), MIGRATE(902, 2, 2, 6), MIGRATE(903, 3, 3, 7),
	ENTER(1000, 0, 0), ENTER(1001, 1, 1), ENTER(1002, 2, 2), ENTER(1003, 3, 3),
};

/*
 * 2. hlocal-paging: an SMP guest (vcpus 0 and 4: two vcores) that passes
 * H_LOCAL. vcpu 0 removes an HPTE with H_LOCAL on core 0 while vcpu 4 runs
 * on core 1; the host then pages out that guest page: no valid HPTE maps it
 * any more, so the unmap invalidates nothing (n = 0), and two other pages
 * whose HPTEs are valid (n = 2). vcpu 4 keeps re-entering core 1, whose TLB
 * may still translate the page the host took away. An H_BULK_REMOVE from
 * vcpu 4 shows that the old code ignores H_LOCAL there.
 */
static const struct row hlocal_paging[] = {
	CREATE(0, 0), CREATE(0, 4),
	ENTER(100, 0, 0), ENTER(101, 4, 4),
	HCALL(200, 0, 0, H_REMOVE, H_AVPN | H_LOCAL, 1, H_SUCCESS),
	INVAL(300, 2, 0, 0),
	INVAL(310, 2, 2, 0),
	EXIT(400, 4, 4, TRAP_HDEC), ENTER(410, 4, 4),
	HCALL(500, 4, 4, H_BULK_REMOVE, BULK_WORD0(0x1234), 3, H_SUCCESS),
	EXIT(600, 4, 4, TRAP_HDEC), ENTER(610, 4, 4),
	EXIT(700, 0, 0, TRAP_EXTERNAL), ENTER(710, 0, 0),
};

/*
 * 3. smp-migrate: an SMP guest without H_LOCAL (vcpus 0 and 4, two vcores)
 * whose vcores the host scheduler moves around four cores: core 0 and 1,
 * then 2 and 0, then back to 0 and 1. Every invalidation is global under
 * every policy (two vcores, two vcpus), so nothing local can leave stale
 * entries, yet the old code flushes on every move.
 */
static const struct row smp_migrate[] = {
	CREATE(0, 0), CREATE(0, 4),
	ENTER(100, 0, 0), ENTER(101, 4, 4),
	HCALL(200, 0, 0, H_REMOVE, H_AVPN, 1, H_SUCCESS),
	EXIT(300, 0, 0, TRAP_HDEC), EXIT(301, 4, 4, TRAP_HDEC),
	MIGRATE(310, 8, 0, 0), MIGRATE(311, 0, 4, 4),
	ENTER(400, 8, 0), ENTER(401, 0, 4),
	HCALL(500, 0, 4, H_PROTECT, H_AVPN | 6, 1, H_SUCCESS),
	EXIT(600, 8, 0, TRAP_HDEC), EXIT(601, 0, 4, TRAP_HDEC),
	MIGRATE(610, 0, 0, 8), MIGRATE(611, 4, 4, 0),
	ENTER(700, 0, 0), ENTER(701, 4, 4),
	HCALL(800, 0, 0, H_BULK_REMOVE, BULK_WORD0(0x2040), 4, H_SUCCESS),
};

/*
 * 4. one-vcore: vcpus 0, 1 and 2 of one VM form one vcore (ids below 4).
 * The guest does not pass H_LOCAL. The vcore runs on core 0, moves to core
 * 1, and comes back. The old code goes global because the guest has more
 * than one vcpu; v3.8 goes local because it has one vcore, and makes the
 * other cores flush on their next entry. H_BULK_REMOVE shows where v3.8 and
 * later kernels differ; the second H_PROTECT finds no HPTE (n = 0).
 */
static const struct row one_vcore[] = {
	CREATE(0, 0), CREATE(0, 1), CREATE(0, 2),
	ENTER(100, 0, 0), ENTER(101, 1, 1), ENTER(102, 2, 2),
	HCALL(200, 1, 1, H_REMOVE, H_AVPN, 1, H_SUCCESS),
	HCALL(210, 2, 2, H_BULK_REMOVE, BULK_WORD0(0x3300), 4, H_SUCCESS),
	EXIT(300, 0, 0, TRAP_HDEC), EXIT(301, 1, 1, TRAP_HDEC), EXIT(302, 2, 2, TRAP_HDEC),
	MIGRATE(310, 4, 0, 0), MIGRATE(311, 5, 1, 1), MIGRATE(312, 6, 2, 2),
	ENTER(400, 4, 0), ENTER(401, 5, 1), ENTER(402, 6, 2),
	HCALL(500, 4, 0, H_PROTECT, H_AVPN | 6, 1, H_SUCCESS),
	HCALL(510, 4, 0, H_PROTECT, H_AVPN | 7, 0, H_NOT_FOUND),
	EXIT(600, 4, 0, TRAP_HDEC), EXIT(601, 5, 1, TRAP_HDEC), EXIT(602, 6, 2, TRAP_HDEC),
	MIGRATE(610, 0, 0, 4), MIGRATE(611, 1, 1, 5), MIGRATE(612, 2, 2, 6),
	ENTER(700, 0, 0), ENTER(701, 1, 1), ENTER(702, 2, 2),
	HCALL(800, 2, 2, H_REMOVE, H_AVPN, 1, H_SUCCESS),
};

struct scenario {
	const char *name;		/* --scenario NAME */
	const char *summary;		/* one line for --list */
	int ncpus;			/* host hardware threads */
	int threads_per_core;		/* host threads per core */
	const int *vcpus;		/* vcpu ids, for the vcpu table */
	int nvcpus;
	const struct row *rows;
	int nrows;
};

static const int vcpus_0123[] = { 0, 1, 2, 3 };
static const int vcpus_04[] = { 0, 4 };
static const int vcpus_012[] = { 0, 1, 2 };

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct scenario scenarios[] = {
	{ "per-thread",
	  "one vcore (4 vcpus) moves between threads and cores: old flushes on every thread",
	  8, 4, vcpus_0123, N(vcpus_0123), per_thread, N(per_thread) },
	{ "hlocal-paging",
	  "SMP guest passes H_LOCAL while the host pages: old leaves stale entries",
	  8, 4, vcpus_04, N(vcpus_04), hlocal_paging, N(hlocal_paging) },
	{ "smp-migrate",
	  "SMP guest without H_LOCAL migrates between cores: old flushes for nothing",
	  16, 4, vcpus_04, N(vcpus_04), smp_migrate, N(smp_migrate) },
	{ "one-vcore",
	  "3 vcpus in one virtual core: new goes local where old broadcasts",
	  8, 4, vcpus_012, N(vcpus_012), one_vcore, N(one_vcore) },
};

int scenario_count(void) { return N(scenarios); }

const struct scenario *scenario_at(int i)
{
	return (i >= 0 && i < N(scenarios)) ? &scenarios[i] : NULL;
}

const struct scenario *scenario_find(const char *name)
{
	for (int i = 0; i < N(scenarios); i++)
		if (strcmp(scenarios[i].name, name) == 0)
			return &scenarios[i];
	return NULL;
}

const char *scenario_name(const struct scenario *s) { return s->name; }
const char *scenario_summary(const struct scenario *s) { return s->summary; }
int scenario_nevents(const struct scenario *s) { return s->nrows; }

int scenario_write(const struct scenario *s, struct tw *w)
{
	int64_t kind[TDB_NKINDS];

	for (int k = 0; k < TDB_NKINDS; k++)
		kind[k] = tw_kind_id(w, (enum tdb_kind)k);
	if (tw_meta_int(w, "threads_per_core", s->threads_per_core) ||
	    tw_meta_int(w, "ncpus", s->ncpus) ||
	    tw_meta(w, "scenario", s->name) ||
	    tw_meta(w, "host", "tlbgen") ||
	    tw_vm(w, 1, s->name, -1, 1))
		return -1;
	for (int i = 0; i < s->nvcpus; i++)
		if (tw_vcpu(w, 1, s->vcpus[i], -1, NULL))
			return -1;
	for (int i = 0; i < s->nrows; i++) {
		const struct row *r = &s->rows[i];

		if (tw_event(w, r->ts, r->cpu, 1, r->vcpu, kind[r->kind], r->a, r->nargs))
			return -1;
	}
	return 0;
}
