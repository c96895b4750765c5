/* SPDX-License-Identifier: MIT */
/*
 * engine - the one pass (interface, ownership and memory bounds in engine.h).
 *
 * Per event, in replay order (replay-model.md, "Reading the events"):
 *   1. check what tracedb leaves to the consumer (ids in range, n >= 0,
 *      opcode not NULL, a vcpu on guest_enter); a kind the replay does not
 *      know is counted and skipped, except kernel_flush (its id read from
 *      event_kind before the scan), which is counted per VM and vcpu and
 *      changes nothing else; vm 0 belongs to no VM, and a VM outside --vm
 *      is skipped (filter.h).
 *   2. close the series bucket if the event is past it.
 *   3. find the VM (the last one is cached), creating it, and each policy's
 *      state for it, at its first event; count the event; bring its vcpu
 *      online (a new vcpu may bring a new vcore online).
 *   4. by kind:
 *      guest_enter  cpu -1 changes nothing; else the vcpu's last core is
 *                   recorded and each policy's enter() runs, then the stale
 *                   check of that policy (an exposure goes to the sink);
 *      hcall        the core is cpu's, or the vcpu's last entry's, or
 *                   unknown; H_REMOVE / H_PROTECT / H_BULK_REMOVE with n > 0
 *                   go to each policy's hcall();
 *      host_inval   n > 0 goes to each policy's host_inval();
 *      hpt_reset    each policy's hpt_reset(), then its holding cores are
 *                   marked stale;
 *      the others   counted only.
 *
 * An event outside --vcpu / --from / --to runs through every step but its
 * counts are taken back (dispatch_uncounted). Every count a policy makes
 * first goes to that policy's checked totals (acc.h); a total past 2^63-1
 * refuses the event's row.
 *
 * An observer (the timeline) sees every event of a VM in the first pass and,
 * per policy, the change of its counts on each event of its counting pass.
 *
 * Counts every policy shares (events, guest_entries, hcalls) are kept once
 * per VM and copied into each policy's rows when rows are read. Cycles are
 * computed from the counts at that time too (machine_cycles), so the hot
 * loop only adds integers.
 *
 * Digest: digest.h, over the events of the first pass.
 *
 * Parts: a trace may be the parts of a rotated capture (traceset.h), checked
 * to follow one another with the same event kinds; a pass scans them one
 * after the other with all its state carried over, so they replay as the
 * unsplit capture would. A bad row names its own part's file.
 */
#include "engine.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "digest.h"
#include "hcall.h"
#include "i64array.h"
#include "idmap.h"
#include "util.h"

struct vm {
	int64_t id;			/* vm.id */
	struct vm_counts counts;	/* nvcpus, nvcores, read by the policies */
	struct idmap vcpus;		/* vcpu id -> dense vcpu index */
	int64_t *vcpu_core;		/* per vcpu index: -2 offline, -1 no entry yet, else core index */
	int64_t nvcpu;			/* length of vcpu_core and the per-vcpu arrays below */
	int64_t *vcpu_id;		/* per vcpu index: the vcpu id */
	int64_t *vcpu_kflush;		/* per vcpu index: kernel_flush events */
	int64_t *vcpu_pflush;		/* per vcpu index x npol: each policy's full
					 * flushes on that vcpu's entries */
	int64_t kflush;			/* kernel_flush events of the VM (counted ones) */
	struct idmap vcores;		/* the online vcores' numbers (a set) */
	struct idmap cores;		/* core number (cpu / T) -> dense core index */
	int64_t *core_id;		/* per core index: the core number */
	int64_t ncore;			/* length of core_id */
	bool in_bucket;			/* on the engine's list of VMs active in the open bucket */
	struct metrics common;		/* events, guest_entries, hcalls */
	struct metrics common_snap;	/* common at the last bucket close */
	enum tdb_mmu mmu;		/* as vm_mmu gives it, or unknown */
	unsigned off;			/* bit p: policy p models the other MMU: not replayed here */
	int npol;			/* policies replayed (length of pc, stride of vcpu_pflush) */
	struct pctx pc[];		/* each policy's run over this VM */
};

struct unknown_kind {
	int64_t kind_id;		/* the file's kind id */
	int64_t count;			/* events of it */
};

struct engine {
	struct engine_config cfg;
	char err[768];
	struct vm **vms;		/* in order of first event */
	int64_t nvms, capvms;
	struct idmap vmap;		/* vm id -> index in vms */
	struct vm **sorted;		/* vms by ascending id, built when a pass ends: the rows */
	struct vm **active;		/* VMs with events in the open series bucket */
	int64_t nactive, capactive;
	struct vm *last;		/* the VM of the previous event */
	int64_t events;			/* every event read */
	int64_t lost;			/* sum of lost counts */
	struct unknown_kind *unknown;
	int64_t nunknown, capunknown, unknown_total;
	struct idmap unknown_map;	/* kind id -> index in unknown (a file may have many) */
	int64_t bucket_start;		/* open bucket [start, end) */
	int64_t bucket_end;
	bool bucket_open;
	struct acc acc[MAX_POLICIES];	/* each policy's checked totals over all VMs */
	int64_t kflush_id;		/* the file's kind id of kernel_flush (if kflush_known) */
	bool kflush_known;		/* the file has a kernel_flush kind */
	bool kflush_seen;		/* the trace has kernel_flush events */
	bool counting;			/* the current event counts (filter.h) */
	struct digest dg;		/* digest of the first pass's events (digest.h) */
	char digest[DIGEST_LEN];
	int pass;			/* pass under way, 0-based */
	const struct tdb *db;		/* the trace under replay (its first part): vm_mmu */
	struct tdb *const *dbs;		/* the parts of a rotated capture, during a run */
	int ndbs;
	int64_t meta_lost;	/* meta lost_events summed over the parts */
	int act[MAX_POLICIES];		/* the policies this pass dispatches to */
	int nact;
};

/* -- passes: the only part of the engine that knows a policy may read twice -- */

static int policy_passes(const struct policy_ops *ops)
{
	return ops->passes > 1 ? ops->passes : 1;
}

/* Is pass e->pass the one where policy @p counts (rows, series, stale check)? */
static bool counting_pass(const struct engine *e, int p)
{
	return e->pass == policy_passes(e->cfg.pol[p]) - 1;
}

struct engine *engine_new(const struct engine_config *cfg)
{
	struct engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->cfg = *cfg;
	idmap_init(&e->vmap);
	idmap_init(&e->unknown_map);
	for (int p = 0; p < cfg->npol; p++)
		if (acc_costs(&e->acc[p], &cfg->m)) {
			free(e);
			return NULL;
		}
	digest_init(&e->dg);
	return e;
}

const char *engine_error(const struct engine *e) { return e->err; }

static void vm_free(struct engine *e, struct vm *v)
{
	if (!v)
		return;
	for (int p = 0; p < e->cfg.npol; p++) {
		e->cfg.pol[p]->fini(&v->pc[p]);
		stale_free(&v->pc[p].st);
	}
	free(v->vcpu_core);
	free(v->vcpu_id);
	free(v->vcpu_kflush);
	free(v->vcpu_pflush);
	free(v->core_id);
	idmap_free(&v->vcpus);
	idmap_free(&v->vcores);
	idmap_free(&v->cores);
	free(v);
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	for (int64_t i = 0; i < e->nvms; i++)
		vm_free(e, e->vms[i]);
	free(e->vms);
	free(e->sorted);
	free(e->active);
	idmap_free(&e->vmap);
	free(e->unknown);
	idmap_free(&e->unknown_map);
	free(e);
}

static struct vm *vm_new(struct engine *e, int64_t id)
{
	struct vm *v = calloc(1, sizeof(*v) + sizeof(v->pc[0]) * (size_t)e->cfg.npol);

	if (!v)
		return NULL;
	v->id = id;
	v->npol = e->cfg.npol;
	v->mmu = e->db ? tdb_vm_mmu(e->db, id) : TDB_MMU_UNKNOWN;
	for (int i = 1; i < e->ndbs && v->mmu == TDB_MMU_UNKNOWN; i++)
		v->mmu = tdb_vm_mmu(e->dbs[i], id);	/* the first part that names the VM */
	for (int p = 0; p < e->cfg.npol; p++)
		if (v->mmu != TDB_MMU_UNKNOWN && e->cfg.pol[p]->mmu != v->mmu)
			v->off |= 1u << p;
	idmap_init(&v->vcpus);
	idmap_init(&v->vcores);
	idmap_init(&v->cores);
	for (int p = 0; p < e->cfg.npol; p++) {
		v->pc[p].acc = &e->acc[p];
		v->pc[p].m = &e->cfg.m;
		v->pc[p].opt = &e->cfg.opt;
		v->pc[p].vm = &v->counts;
		if (e->cfg.pol[p]->init(&v->pc[p])) {
			vm_free(e, v);
			return NULL;
		}
	}
	return v;
}

/* The VM of @id, created at its first event; NULL only when out of memory.
 * A hash map, not a sorted array: a trace of a million one-event VMs must not
 * cost a million insertions into the middle of an array. */
static struct vm *vm_get(struct engine *e, int64_t id)
{
	int32_t i;
	struct vm *v;

	if (e->last && e->last->id == id)
		return e->last;
	i = idmap_find(&e->vmap, id);
	if (i >= 0)
		return e->last = e->vms[i];
	if (e->nvms == e->capvms) {
		int64_t cap = e->capvms ? e->capvms * 2 : 16;
		struct vm **a = realloc(e->vms, sizeof(*a) * (size_t)cap);

		if (!a)
			return NULL;
		e->vms = a;
		e->capvms = cap;
	}
	v = vm_new(e, id);
	if (!v)
		return NULL;
	if (idmap_add(&e->vmap, id) != e->nvms) {
		vm_free(e, v);
		return NULL;
	}
	e->vms[e->nvms++] = v;
	return e->last = v;
}

static int cmp_vm_id(const void *a, const void *b)
{
	int64_t x = (*(struct vm *const *)a)->id, y = (*(struct vm *const *)b)->id;

	return (x > y) - (x < y);
}

/* The rows' order: the VMs by ascending id. */
static int sort_vms(struct engine *e)
{
	struct vm **a = realloc(e->sorted, sizeof(*a) * (size_t)(e->nvms ? e->nvms : 1));

	if (!a)
		return -1;
	e->sorted = a;
	if (e->nvms) {	/* memcpy and qsort may not see a NULL even for 0 bytes */
		memcpy(a, e->vms, sizeof(*a) * (size_t)e->nvms);
		qsort(a, (size_t)e->nvms, sizeof(*a), cmp_vm_id);
	}
	return 0;
}

/* @v has an event in the open bucket: remember it for bucket_close(). */
static int bucket_note(struct engine *e, struct vm *v)
{
	if (v->in_bucket)
		return 0;
	if (e->nactive == e->capactive) {
		int64_t cap = e->capactive ? e->capactive * 2 : 16;
		struct vm **a = realloc(e->active, sizeof(*a) * (size_t)cap);

		if (!a)
			return -1;
		e->active = a;
		e->capactive = cap;
	}
	e->active[e->nactive++] = v;
	v->in_bucket = true;
	return 0;
}

/* The dense index of vcpu @vcpu of @v, added (offline) at its first sight;
 * -1 when out of memory. */
static int64_t vcpu_add(struct vm *v, int64_t vcpu)
{
	int32_t vix = idmap_add(&v->vcpus, vcpu);

	if (vix < 0)
		return -1;
	if (vix >= v->nvcpu) {
		int64_t n = v->nvcpu, cap;
		int64_t *pf;

		if (i64array_grow(&v->vcpu_core, &n, vix, -2))
			return -1;
		cap = n;
		n = v->nvcpu;
		if (i64array_grow(&v->vcpu_id, &n, vix, -1))
			return -1;
		n = v->nvcpu;
		if (i64array_grow(&v->vcpu_kflush, &n, vix, 0))
			return -1;
		pf = realloc(v->vcpu_pflush, sizeof(*pf) * (size_t)(cap * v->npol));
		if (!pf)
			return -1;
		memset(pf + v->nvcpu * v->npol, 0, sizeof(*pf) * (size_t)((cap - v->nvcpu) * v->npol));
		v->vcpu_pflush = pf;
		v->nvcpu = cap;
	}
	v->vcpu_id[vix] = vcpu;
	return vix;
}

static inline int64_t vcpu_index(struct vm *v, int64_t vcpu)
{
	int32_t vix = idmap_find(&v->vcpus, vcpu);

	return vix >= 0 ? vix : vcpu_add(v, vcpu);
}

/* The dense index of core number @core in @v, added at its first sight; -1 when
 * out of memory. */
static int64_t core_add(struct vm *v, int64_t core)
{
	int32_t cix = idmap_add(&v->cores, core);

	if (cix < 0 || (cix >= v->ncore && i64array_grow(&v->core_id, &v->ncore, cix, -1)))
		return -1;
	v->core_id[cix] = core;
	return cix;
}

static inline int64_t core_index(struct vm *v, int64_t core)
{
	int32_t cix = idmap_find(&v->cores, core);

	return cix >= 0 ? cix : core_add(v, core);
}

/* A vcpu comes online at its vcpu_create or first event: nvcpus, and nvcores
 * when its vcore is new (kvmppc_core_vcpu_create_hv counts vcore creations). */
static int vcpu_online(struct engine *e, struct vm *v, int64_t vcpu, int64_t vix)
{
	int64_t vc;

	if (v->vcpu_core[vix] != -2)
		return 0;
	v->vcpu_core[vix] = -1;
	v->counts.nvcpus++;
	vc = machine_vcore(&e->cfg.m, vcpu);
	if (idmap_find(&v->vcores, vc) < 0) {
		if (idmap_add(&v->vcores, vc) < 0)
			return -1;
		v->counts.nvcores++;
	}
	return 0;
}

static int no_memory(struct engine *e);

/* The file's kind id of kernel_flush, if it has one (trace-schema-v1.md: an
 * optional kind), read once before the scan: tracedb resolves the kinds the
 * replay models, and hands this one over as a kind it does not know. */
static int find_kernel_flush(struct engine *e, struct tdb *db)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(tdb_sqlite(db), "SELECT id FROM event_kind WHERE name = 'kernel_flush'",
			       -1, &st, NULL) != SQLITE_OK) {
		snprintf(e->err, sizeof(e->err), "%s: cannot read event_kind: %s", tdb_path(db),
			 sqlite3_errmsg(tdb_sqlite(db)));
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER) {
		e->kflush_known = true;
		e->kflush_id = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		snprintf(e->err, sizeof(e->err), "%s: cannot read event_kind: %s", tdb_path(db),
			 sqlite3_errstr(rc));
		return -1;
	}
	return 0;
}

/* kernel_flush: the kernel's own full flush as vcpu @pe->vcpu entered (observed,
 * trace-schema-v1.md). Counted per VM and vcpu; no policy state changes, and
 * it brings no vcpu online. */
static int kernel_flush(struct engine *e, struct vm *v, const struct tdb_event *ev,
			const struct pev *pe)
{
	int64_t vix = -1;

	if (!filter_counts(e->cfg.filter, ev->ts, pe->vcpu)) {
		v->common.v[M_EVENTS]--;
		return 0;
	}
	if (e->pass > 0)	/* counted in the first pass */
		return 0;
	if (!(ev->nulls & TDB_NULL_VCPU)) {
		vix = vcpu_index(v, ev->vcpu);
		if (vix < 0)
			return no_memory(e);
		v->vcpu_kflush[vix]++;
	}
	v->kflush++;
	return 0;
}

static int count_unknown(struct engine *e, int64_t kind_id)
{
	int32_t i = idmap_find(&e->unknown_map, kind_id);

	e->unknown_total++;
	if (i >= 0) {
		e->unknown[i].count++;
		return 0;
	}
	if (e->nunknown == e->capunknown) {
		int64_t cap = e->capunknown ? e->capunknown * 2 : 8;
		struct unknown_kind *u = realloc(e->unknown, sizeof(*u) * (size_t)cap);

		if (!u)
			return -1;
		e->unknown = u;
		e->capunknown = cap;
	}
	if (idmap_add(&e->unknown_map, kind_id) != e->nunknown)
		return -1;
	e->unknown[e->nunknown].kind_id = kind_id;
	e->unknown[e->nunknown].count = 1;
	e->nunknown++;
	return 0;
}

/* A policy's row: its own counts @tot, the VM's shared ones @common, and cycles. */
static void vm_row(const struct engine *e, const struct metrics *tot,
		   const struct metrics *common, struct metrics *out)
{
	*out = *tot;
	out->v[M_EVENTS] = common->v[M_EVENTS];
	out->v[M_GUEST_ENTRIES] = common->v[M_GUEST_ENTRIES];
	out->v[M_HCALLS] = common->v[M_HCALLS];
	out->v[M_CYCLES] = machine_cycles(&e->cfg.m, out);
}

static int sink_failed(struct engine *e)
{
	const struct engine_sink *s = e->cfg.sink;

	snprintf(e->err, sizeof(e->err), "%s", s->error ? s->error(s->arg) : "sink failed");
	return EXIT_RUN_FAILED;
}

/* Hand the open bucket's rows to the sink: each VM active in it (ascending
 * id), then "all". Only the VMs with events in the bucket are visited. */
static int bucket_close(struct engine *e)
{
	const struct engine_sink *s = e->cfg.sink;

	if (e->nactive)
		qsort(e->active, (size_t)e->nactive, sizeof(*e->active), cmp_vm_id);
	for (int p = 0; p < e->cfg.npol; p++) {
		struct metrics all = { { 0 } };
		bool any = false;

		if (!counting_pass(e, p))
			continue;
		for (int64_t i = 0; i < e->nactive; i++) {
			struct vm *v = e->active[i];
			struct metrics d, dc, row;

			if (v->common.v[M_EVENTS] == v->common_snap.v[M_EVENTS] || (v->off & (1u << p)))
				continue;
			for (int k = 0; k < NMETRICS; k++) {
				d.v[k] = v->pc[p].tot.v[k] - v->pc[p].snap.v[k];
				dc.v[k] = v->common.v[k] - v->common_snap.v[k];
			}
			vm_row(e, &d, &dc, &row);
			if (s->series(s->arg, p, v->id, e->bucket_start, &row))
				return -1;
			metrics_add(&all, &row);
			v->pc[p].snap = v->pc[p].tot;
			any = true;
		}
		if (any && s->series(s->arg, p, -1, e->bucket_start, &all))
			return -1;
	}
	for (int64_t i = 0; i < e->nactive; i++) {
		e->active[i]->common_snap = e->active[i]->common;
		e->active[i]->in_bucket = false;
	}
	e->nactive = 0;
	return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && a < 0) ? q - 1 : q;
}

static int bad_row(struct engine *e, struct tdb *db, const struct tdb_event *ev,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int bad_row(struct engine *e, struct tdb *db, const struct tdb_event *ev,
		   const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(e->err, sizeof(e->err), "%s: event rowid %" PRId64 ": ",
			 tdb_path(db), ev->rowid);

	if (n > 0 && (size_t)n < sizeof(e->err)) {
		va_start(ap, fmt);
		vsnprintf(e->err + n, sizeof(e->err) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return EXIT_BAD_INPUT;
}

static int no_memory(struct engine *e)
{
	snprintf(e->err, sizeof(e->err), "out of memory");
	return EXIT_RUN_FAILED;
}

static int observer_failed(struct engine *e)
{
	snprintf(e->err, sizeof(e->err), "(the timeline could not be written)");
	return EXIT_RUN_FAILED;
}

/* What policy @p did on this event, for the observer, when it counts. */
static int observe_policy(struct engine *e, int p, struct vm *v, enum tdb_kind kind,
			  const struct pev *pe, const struct metrics *before, bool exposed,
			  int64_t marked)
{
	const struct engine_observer *o = e->cfg.observer;
	struct metrics d;

	if (!o->policy || !e->counting)
		return 0;
	for (int k = 0; k < NMETRICS; k++)
		d.v[k] = v->pc[p].tot.v[k] - before->v[k];
	return o->policy(o->arg, p, v->id, kind, pe, &d, exposed, marked);
}

/* The invalidation-side callbacks of the pass's policies for one event. */
static int on_policies(struct engine *e, struct vm *v, enum tdb_kind kind, const struct pev *pe)
{
	for (int a = 0; a < e->nact; a++) {
		int p = e->act[a];
		const struct policy_ops *ops = e->cfg.pol[p];
		struct pctx *pc = &v->pc[p];
		struct metrics before;
		int rc;

		if (v->off & (1u << p))
			continue;
		if (e->cfg.observer)
			before = pc->tot;
		if (kind == TDB_HCALL)
			rc = ops->hcall(pc, pe);
		else if (kind == TDB_HOST_INVAL)
			rc = ops->host_inval(pc, pe);
		else
			rc = ops->hpt_reset(pc, pe);
		if (rc)
			return no_memory(e);
		if (!counting_pass(e, p))
			continue;
		if (kind == TDB_HPT_RESET)
			stale_reset(&pc->st, pe->ts);
		if (e->cfg.observer && observe_policy(e, p, v, kind, pe, &before, false, 0))
			return observer_failed(e);
	}
	return 0;
}

static int on_enter(struct engine *e, struct vm *v, const struct pev *pe)
{
	for (int a = 0; a < e->nact; a++) {
		int p = e->act[a];
		struct pctx *pc = &v->pc[p];
		struct metrics before;
		int64_t marked = 0;
		int flushed, exposed;

		if (v->off & (1u << p))
			continue;
		if (e->cfg.observer)
			before = pc->tot;	/* the observer is told the change */
		flushed = e->cfg.pol[p]->enter(pc, pe);
		if (flushed < 0)
			return no_memory(e);
		if (!counting_pass(e, p))
			continue;
		if (flushed && e->counting)
			v->vcpu_pflush[pe->vix * v->npol + p]++;
		exposed = stale_enter(&pc->st, pe->core, flushed, &marked);
		if (exposed < 0)
			return no_memory(e);
		if (exposed) {
			pc->tot.v[M_STALE_EXPOSURES]++;
			if (e->cfg.sink && e->cfg.sink->hazard &&
			    e->cfg.sink->hazard(e->cfg.sink->arg, p, pe->ts, v->id, pe->vcpu,
						pe->core_id, marked))
				return sink_failed(e);
		}
		if (e->cfg.observer && observe_policy(e, p, v, TDB_GUEST_ENTER, pe, &before,
						       exposed, marked))
			return observer_failed(e);
	}
	return 0;
}

/* Resolve the event's core number to @v's dense core index. */
static inline int at_core(struct vm *v, struct pev *pe)
{
	if (pe->core_id < 0)
		return 0;
	pe->core = core_index(v, pe->core_id);
	return pe->core < 0 ? -1 : 0;
}

/* One event of a known kind, checked, for VM @v. */
static inline __attribute__((always_inline)) int dispatch(struct engine *e, struct vm *v, const struct tdb_event *ev, struct pev *pe)
{
	const struct engine_observer *o = e->cfg.observer;

	if (o && o->event && e->pass == 0 && e->counting && o->event(o->arg, v->id, ev->kind, pe))
		return observer_failed(e);
	switch (ev->kind) {
	case TDB_GUEST_ENTER:
		v->common.v[M_GUEST_ENTRIES]++;
		if (ev->cpu < 0)
			return 0;
		if (at_core(v, pe))
			return no_memory(e);
		v->vcpu_core[pe->vix] = pe->core;
		return on_enter(e, v, pe);
	case TDB_HCALL:
		v->common.v[M_HCALLS]++;
		if (pe->n == 0 || (pe->opcode != H_REMOVE && pe->opcode != H_PROTECT &&
				   pe->opcode != H_BULK_REMOVE))
			return 0;
		if (at_core(v, pe))
			return no_memory(e);
		if (pe->core < 0 && pe->vix >= 0 && v->vcpu_core[pe->vix] >= 0) {
			pe->core = v->vcpu_core[pe->vix];
			pe->core_id = v->core_id[pe->core];
		}
		return on_policies(e, v, TDB_HCALL, pe);
	case TDB_HOST_INVAL:
		if (pe->n == 0)
			return 0;
		if (at_core(v, pe))
			return no_memory(e);
		return on_policies(e, v, TDB_HOST_INVAL, pe);
	case TDB_HPT_RESET:
		return on_policies(e, v, TDB_HPT_RESET, pe);
	default:
		return 0;
	}
}

/* An event outside what --vcpu/--from/--to count: it changes the state as
 * usual, and every count it made is taken back (filter.h). Kept out of line
 * so that dispatch() stays inlined in the hot path. */
static __attribute__((noinline, cold)) int dispatch_uncounted(struct engine *e, struct vm *v, const struct tdb_event *ev,
			      struct pev *pe)
{
	struct metrics saved[MAX_POLICIES];
	struct metrics common = v->common;
	int rc;

	for (int p = 0; p < e->cfg.npol; p++)
		saved[p] = v->pc[p].tot;
	common.v[M_EVENTS]--;
	rc = dispatch(e, v, ev, pe);
	for (int p = 0; p < e->cfg.npol; p++)
		v->pc[p].tot = saved[p];
	v->common = common;
	return rc;
}

static int one_event(struct engine *e, struct tdb *db, const struct tdb_event *ev)
{
	struct pev pe;
	struct vm *v;
	int rc;

	bool kflush = false;

	if (ev->kind == TDB_OTHER) {
		if (!e->kflush_known || ev->kind_id != e->kflush_id)
			return e->pass == 0 && count_unknown(e, ev->kind_id) ? no_memory(e) : 0;
		kflush = e->kflush_seen = true;
	}
	if (ev->cpu < -1 || ev->cpu > CPU_ID_MAX)
		return bad_row(e, db, ev, "cpu %" PRId64 " out of range (-1..%" PRId64 ")", ev->cpu,
			       (int64_t)CPU_ID_MAX);
	if (ev->vm < 0)
		return bad_row(e, db, ev, "negative vm id %" PRId64, ev->vm);
	if (!(ev->nulls & TDB_NULL_VCPU) && (ev->vcpu < 0 || ev->vcpu > VCPU_ID_MAX))
		return bad_row(e, db, ev, "vcpu %" PRId64 " out of range (0..%" PRId64 ")", ev->vcpu,
			       (int64_t)VCPU_ID_MAX);
	pe.ts = ev->ts;
	pe.cpu = ev->cpu;
	pe.core_id = ev->cpu >= 0 ? ev->cpu / e->cfg.m.threads_per_core : -1;
	pe.core = -1;
	pe.vcpu = ev->vcpu;
	pe.vix = -1;
	pe.opcode = pe.flags = pe.n = 0;
	switch (ev->kind) {
	case TDB_GUEST_ENTER:
		if (ev->nulls & TDB_NULL_VCPU)
			return bad_row(e, db, ev, "guest_enter has a NULL vcpu");
		break;
	case TDB_HCALL:
		if (ev->nulls & TDB_NULL_A0)
			return bad_row(e, db, ev, "hcall has a NULL opcode (a0)");
		if (ev->a[2] < 0)
			return bad_row(e, db, ev, "hcall has a negative n (a2 = %" PRId64 ")", ev->a[2]);
		pe.opcode = ev->a[0];
		pe.flags = ev->a[1];
		pe.n = ev->a[2];
		break;
	case TDB_HOST_INVAL:
		if (ev->a[0] < 0)
			return bad_row(e, db, ev, "host_inval has a negative n (a0 = %" PRId64 ")", ev->a[0]);
		pe.n = ev->a[0];
		break;
	case TDB_LOST:
		if (ev->a[0] < 0)
			return bad_row(e, db, ev, "lost has a negative count (a0 = %" PRId64 ")", ev->a[0]);
		if (e->pass == 0 && __builtin_add_overflow(e->lost, ev->a[0], &e->lost))
			return bad_row(e, db, ev, "lost count %" PRId64 " makes the sum of lost events "
				       "exceed 2^63-1", ev->a[0]);
		break;
	default:
		break;
	}
	if (e->cfg.bucket_ns > 0 && (!e->bucket_open || ev->ts >= e->bucket_end)) {
		if (e->bucket_open && bucket_close(e))
			return sink_failed(e);
		if (__builtin_mul_overflow(floor_div(ev->ts, e->cfg.bucket_ns), e->cfg.bucket_ns,
					   &e->bucket_start))
			return bad_row(e, db, ev, "ts %" PRId64 " has no series bucket of %" PRId64
				       " ns in int64", ev->ts, e->cfg.bucket_ns);
		e->bucket_end = e->bucket_start > INT64_MAX - e->cfg.bucket_ns
			? INT64_MAX : e->bucket_start + e->cfg.bucket_ns;
		e->bucket_open = true;
	}
	if (ev->vm == 0 || !filter_vm(e->cfg.filter, ev->vm))
		return 0;
	v = vm_get(e, ev->vm);
	if (!v)
		return no_memory(e);
	v->common.v[M_EVENTS]++;
	if (e->cfg.bucket_ns > 0 && bucket_note(e, v))
		return no_memory(e);
	if (kflush)
		return kernel_flush(e, v, ev, &pe);
	if (!(ev->nulls & TDB_NULL_VCPU)) {
		pe.vix = vcpu_index(v, ev->vcpu);
		if (pe.vix < 0 || vcpu_online(e, v, ev->vcpu, pe.vix))
			return no_memory(e);
	}
	e->counting = filter_counts(e->cfg.filter, ev->ts, pe.vcpu);
	if (e->counting)
		rc = dispatch(e, v, ev, &pe);
	else
		rc = dispatch_uncounted(e, v, ev, &pe);
	for (int p = 0; p < e->cfg.npol && !rc; p++)
		if (e->acc[p].overflow)
			return bad_row(e, db, ev, "policy %s: a count or the cycles would exceed "
				       "2^63-1 (n = %" PRId64 ")", e->cfg.pol[p]->name, pe.n);
	return rc;
}

/* Before a later pass: the VMs' shared state as before the first event (the
 * dense indices of vcpus and cores are kept: the same events give them the
 * same way), the counts and stale checks of the policies that run again
 * zeroed; the policies' own state (pctx.state) is theirs to keep. */
static void rewind_vms(struct engine *e)
{
	for (int64_t i = 0; i < e->nvms; i++) {
		struct vm *v = e->vms[i];

		memset(&v->counts, 0, sizeof(v->counts));
		memset(&v->common, 0, sizeof(v->common));
		memset(&v->common_snap, 0, sizeof(v->common_snap));
		for (int64_t c = 0; c < v->nvcpu; c++)
			v->vcpu_core[c] = -2;
		idmap_free(&v->vcores);
		idmap_init(&v->vcores);
		v->in_bucket = false;
		for (int a = 0; a < e->nact; a++) {
			struct pctx *pc = &v->pc[e->act[a]];

			memset(&pc->tot, 0, sizeof(pc->tot));
			memset(&pc->snap, 0, sizeof(pc->snap));
			stale_free(&pc->st);
			memset(&pc->st, 0, sizeof(pc->st));
		}
	}
	e->nactive = 0;
	e->last = NULL;
	e->bucket_open = false;
}

/* The policies the pass dispatches to. */
static void pick_pass_policies(struct engine *e)
{
	e->nact = 0;
	for (int p = 0; p < e->cfg.npol; p++)
		if (e->pass < policy_passes(e->cfg.pol[p]))
			e->act[e->nact++] = p;
	for (int64_t i = 0; i < e->nvms; i++)
		for (int a = 0; a < e->nact; a++)
			e->vms[i]->pc[e->act[a]].pass = e->pass;
}

static int pass_end(struct engine *e)
{
	for (int64_t i = 0; i < e->nvms; i++)
		for (int a = 0; a < e->nact; a++) {
			int p = e->act[a];

			if (e->cfg.pol[p]->pass_end && e->cfg.pol[p]->pass_end(&e->vms[i]->pc[p]))
				return no_memory(e);
		}
	return 0;
}

/* -- the pass, in steps, for the driver that feeds one scan to the engines
 * (multirun.c) -- */

bool engine_wants_pass(const struct engine *e, int pass)
{
	for (int p = 0; p < e->cfg.npol; p++)
		if (pass < policy_passes(e->cfg.pol[p]))
			return true;
	return false;
}


/* The losses a producer counted in meta only: a rotated capture counts them per part. */
static int64_t parts_meta_lost(struct tdb *const *dbs, int ndbs)
{
	int64_t sum = 0;

	for (int i = 0; i < ndbs; i++) {
		int64_t v;

		if (parse_i64(tdb_meta(dbs[i], "lost_events"), &v) == 0 && v > 0)
			sum = v > INT64_MAX - sum ? INT64_MAX : sum + v;
	}
	return sum;
}

int engine_begin_parts(struct engine *e, struct tdb *const *dbs, int ndbs)
{
	e->dbs = dbs;
	e->ndbs = ndbs;
	e->meta_lost = parts_meta_lost(dbs, ndbs);
	e->db = dbs[0];
	/* the parts have the same event kinds (traceset.h): kernel_flush's id is one */
	return find_kernel_flush(e, dbs[0]) ? EXIT_BAD_INPUT : 0;
}

void engine_pass_begin(struct engine *e, int pass)
{
	e->pass = pass;
	pick_pass_policies(e);
	if (pass > 0)
		rewind_vms(e);
}

static inline __attribute__((always_inline)) int pass_event(struct engine *e, struct tdb *db,
							    const struct tdb_event *ev)
{
	if (e->cfg.digest && e->pass == 0)
		digest_mix(&e->dg, ev);
	return one_event(e, db, ev);
}

int engine_event(struct engine *e, struct tdb *db, const struct tdb_event *ev)
{
	return pass_event(e, db, ev);
}

int engine_pass_end(struct engine *e, int64_t nevents)
{
	if (e->pass == 0)
		e->events = nevents;
	if (e->bucket_open && bucket_close(e))
		return sink_failed(e);
	return pass_end(e);
}

int engine_end(struct engine *e)
{
	e->dbs = NULL;	/* the caller's parts: no VM is created after the last pass */
	e->ndbs = 0;
	if (sort_vms(e))
		return no_memory(e);
	digest_text(&e->dg, e->events, e->digest);
	return 0;
}

int64_t engine_parts_events(struct tdb *const *dbs, int ndbs)
{
	int64_t total = 0;

	for (int i = 0; i < ndbs; i++) {
		int64_t c = tdb_event_count(dbs[i]);

		if (c < 0 || __builtin_add_overflow(total, c, &total))
			return -1;
	}
	return total;
}

void engine_pass_what(int pass, char *buf, size_t len)
{
	if (pass == 0)
		snprintf(buf, len, "replayed events");
	else
		snprintf(buf, len, "replayed events (pass %d)", pass + 1);
}

int64_t engine_nvms(const struct engine *e) { return e->nvms; }
int64_t engine_vm_id(const struct engine *e, int64_t i) { return e->sorted[i]->id; }

void engine_row(const struct engine *e, int pol, int64_t i, struct metrics *out)
{
	const struct vm *v = e->sorted[i];

	vm_row(e, &v->pc[pol].tot, &v->common, out);
}

void engine_all(const struct engine *e, int pol, struct metrics *out)
{
	memset(out, 0, sizeof(*out));
	for (int64_t i = 0; i < e->nvms; i++) {
		struct metrics r;

		if (!engine_applies(e, pol, i))
			continue;
		engine_row(e, pol, i, &r);
		metrics_add(out, &r);
	}
}

int64_t engine_events(const struct engine *e) { return e->events; }
int64_t engine_lost(const struct engine *e) { return e->lost; }
int64_t engine_meta_lost(const struct engine *e) { return e->meta_lost; }
int64_t engine_nunknown(const struct engine *e) { return e->nunknown; }
int64_t engine_unknown_total(const struct engine *e) { return e->unknown_total; }

void engine_unknown(const struct engine *e, int64_t i, int64_t *kind_id, int64_t *count)
{
	*kind_id = e->unknown[i].kind_id;
	*count = e->unknown[i].count;
}

const char *engine_digest(const struct engine *e) { return e->digest; }

bool engine_applies(const struct engine *e, int pol, int64_t i)
{
	return !(e->sorted[i]->off & (1u << pol));
}

enum tdb_mmu engine_vm_mmu(const struct engine *e, int64_t i) { return e->sorted[i]->mmu; }

bool engine_has_kernel_flush(const struct engine *e) { return e->kflush_seen; }
int64_t engine_kernel_flushes(const struct engine *e, int64_t i) { return e->sorted[i]->kflush; }
int64_t engine_nvcpus(const struct engine *e, int64_t i) { return idmap_count(&e->sorted[i]->vcpus); }

void engine_vcpu(const struct engine *e, int64_t i, int64_t j, int64_t *vcpu, int64_t *kernel,
		 int64_t *flushes)
{
	const struct vm *v = e->sorted[i];

	*vcpu = v->vcpu_id[j];
	*kernel = v->vcpu_kflush[j];
	for (int p = 0; p < e->cfg.npol; p++)
		flushes[p] = v->vcpu_pflush[j * v->npol + p];
}
