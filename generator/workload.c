/* SPDX-License-Identifier: MIT */
/*
 * workload - a seeded discrete-event simulation of KVM-HV guests on a POWER
 * host, written as schema-v1 events (interface in workload.h).
 *
 * The model (each part a parameter of tlbgen; defaults in workload_defaults):
 * - VM v has vcpus 0..V-1. As in KVM-HV on POWER7/8 (v3.8), vcpu i belongs to
 *   vcore i / T (T = host threads per core), and a vcore runs on the threads
 *   of one host core: vcpu i runs on thread core * T + i % T. Vcore g (counted
 *   over all VMs in order) starts on core g % cores. With more vcores than
 *   cores, vcores sharing a core are not time-sliced against each other: the
 *   replay only needs where each vcpu enters, not who waited.
 * - A vcpu in the guest makes hcalls (Poisson, --hcall-rate) and leaves the
 *   guest (Poisson, --exit-rate); it re-enters 1 to 5 us later on the thread
 *   its vcore then owns. Exits are HDEC, external interrupts, HPT faults or
 *   punted hcalls (assumed shares 40:30:25:5, below); real-mode hcalls do
 *   not exit, as on the real host.
 * - Hcalls follow --mix. H_REMOVE and H_PROTECT carry H_AVPN, and H_LOCAL
 *   with probability --hlocal-fraction; they find their HPTE (n = 1, rc 0)
 *   with probability --remove-found / --protect-found, else n = 0 and rc
 *   H_NOT_FOUND. H_BULK_REMOVE's flags are word0 of its first entry (control
 *   byte 0x42, then the HPTE index), as the guest's r4; it removes 1 to 4
 *   entries with the shares of the real guest sample (470:174:237:3818 calls
 *   of 1:2:3:4 entries), all found. Other hcalls invalidate nothing (n = 0,
 *   rc 0). An hcall's cpu is the thread its vcpu runs on (a host or merged
 *   capture), or -1 with --hcall-cpu unknown (a guest-only capture, where
 *   the replay takes the thread the vcpu last entered: the same thread).
 * - A vcore migrates (Poisson, --migration-rate) to another core: an idle
 *   one chosen uniformly if any (a core runs one vcore at a time), else any
 *   other core uniformly. Its vcpus in the guest exit (HDEC), each vcpu gets
 *   a migrate event (destination and origin thread), and they re-enter on
 *   the new core.
 * - The host invalidates HPTEs of VM v (Poisson, --host-inval-rate) from a
 *   host thread chosen uniformly: n valid HPTEs (0: 20%, 1: 70%, 2: 7%,
 *   3: 2%, 4: 1%, i.e. mostly one HPTE maps a page), reason unmap 60%,
 *   aging 35%, fault replace 5%. These shares are stated assumptions: no
 *   published host paging profile exists.
 * - --hpt-resets R per VM: the R x VMs resets are spread evenly over the
 *   trace (by event count, or by time with --duration-ms), VMs in turn. As in
 *   the kernel, a reset happens with none of the VM's vcpus in the guest:
 *   those inside exit (external interrupt) at the reset and re-enter after.
 * Defaults of the rates come from the real 2-vcpu guest sample
 * (samples/pseries-6.1-smp2/counts.txt: 39430 hcalls in 4.35 s on 2 vcpus,
 * i.e. 4532 per second per vcpu; the mix is its per-opcode count).
 *
 * Algorithm: superposed Poisson processes run as a discrete-event
 * simulation. Each actor (a vcpu, a vcore's migrations, a VM's host
 * invalidations, the reset timer) has its next time in an indexed binary
 * min-heap, ties broken by actor number so that the order never depends on
 * anything but the seed. Pop the earliest, write its event(s), draw its next
 * time, sift it back. Events therefore come out in time order, memory is
 * O(VMs x vcpus), and the cost per event is O(log actors) plus one insert.
 */
#include "workload.h"
#include "hcall.h"
#include "prng.h"
#include "tracewriter.h"
#include "util.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Traps of guest_exit (arch/powerpc/kvm/trace_book3s.h) and their shares. */
static const int64_t exit_trap[] = { 0x980, 0x500, 0xe00, 0xe20, 0xc00 };
static const double exit_cum[] = { 40, 70, 90, 95, 100 };	/* HDEC, EXT, HDSI, HISI, SC */
/* H_BULK_REMOVE entries per call, from the guest sample's histogram. */
static const double bulk_cum[] = { 470, 470 + 174, 470 + 174 + 237, 470 + 174 + 237 + 3818 };
/* host_inval: n valid HPTEs, and reason (0 unmap, 1 age, 3 fault replace). */
static const double inval_n_cum[] = { 20, 90, 97, 99, 100 };
static const int64_t inval_reason[] = { 0, 1, 3 };
static const double inval_reason_cum[] = { 60, 95, 100 };

#define HOST_TIME_MIN_NS 1000.0		/* exit to re-entry */
#define HOST_TIME_SPAN_NS 4000
#define START_SPREAD_NS 10000		/* first entries within 10 us */
#define BULK_WORD0_CTL (0x42ULL << 56)	/* request, AVPN match */
#define PTEX_SPAN (1u << 20)		/* HPTE indexes drawn below this */

void workload_defaults(struct workload *p)
{
	static const struct { int64_t op; double w; } mix[] = {
		/* per-opcode counts of the real guest sample (counts.txt) */
		{ H_ENTER, 23535 }, { H_REMOVE, 6737 }, { H_BULK_REMOVE, 4699 },
		{ H_PROTECT, 2759 }, { 0x6c /* H_IPI */, 839 }, { 0x74 /* H_XIRR */, 419 },
		{ 0x64 /* H_EOI */, 419 },
	};

	memset(p, 0, sizeof(*p));
	p->vms = 2;
	p->vcpus = 4;
	p->cores = 4;
	p->threads = 4;
	p->events = 100000;
	p->duration_ms = -1;
	p->seed = 1;
	p->hcall_rate = 4500;
	p->exit_rate = 1000;
	p->hlocal_fraction = 0;
	p->remove_found = 6733.0 / 6737.0;
	p->protect_found = 1110.0 / 2759.0;
	p->migration_rate = 10;
	p->host_inval_rate = 100;
	p->hpt_resets = 0;
	p->nmix = (int)(sizeof(mix) / sizeof(mix[0]));
	for (int i = 0; i < p->nmix; i++) {
		p->mix_opcode[i] = mix[i].op;
		p->mix_weight[i] = mix[i].w;
	}
}

int workload_set_mix(struct workload *p, const char *spec, char *err, size_t errlen)
{
	char *copy = strdup(spec), *save = NULL, *item;
	int n = 0, rc = -1;

	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		int64_t op;
		double w;

		if (!eq) {
			snprintf(err, errlen, "'%s' is not NAME=WEIGHT", item);
			goto out;
		}
		*eq = '\0';
		op = hcall_by_name(item);
		if (op < 0 && (parse_i64(item, &op) || op < 0)) {
			snprintf(err, errlen, "'%s' is not an hcall name or number", item);
			goto out;
		}
		if (parse_double(eq + 1, &w) || !(w >= 0) || !isfinite(w)) {
			snprintf(err, errlen, "weight '%s' of %s is not a number >= 0", eq + 1, item);
			goto out;
		}
		for (int i = 0; i < n; i++)
			if (p->mix_opcode[i] == op) {
				snprintf(err, errlen, "%s appears twice", item);
				goto out;
			}
		if (n == WL_MIX_MAX) {
			snprintf(err, errlen, "more than %d hcalls", WL_MIX_MAX);
			goto out;
		}
		p->mix_opcode[n] = op;
		p->mix_weight[n] = w;
		n++;
	}
	if (n == 0) {
		snprintf(err, errlen, "empty");
		goto out;
	}
	p->nmix = n;
	rc = 0;
out:
	free(copy);
	return rc;
}

int workload_check(const struct workload *p, char *err, size_t errlen)
{
	double total = 0;

#define RANGE(field, lo, hi, name) \
	if (p->field < (lo) || p->field > (hi)) { \
		snprintf(err, errlen, "--%s must be in %lld..%lld", name, (long long)(lo), \
			 (long long)(hi)); \
		return -1; \
	}
	RANGE(vms, 1, 4096, "vms");
	RANGE(vcpus, 1, 2048, "vcpus");
	RANGE(cores, 1, 4096, "cores");
	RANGE(threads, 1, 64, "threads");
	RANGE(hpt_resets, 0, 1000000, "hpt-resets");
#undef RANGE
	if (p->vms * p->vcpus > (1 << 20)) {
		snprintf(err, errlen, "--vms x --vcpus must be at most %d", 1 << 20);
		return -1;
	}
	if (p->events >= 0 && p->duration_ms >= 0) {
		snprintf(err, errlen, "give --events or --duration-ms, not both");
		return -1;
	}
	if (p->duration_ms == 0 || p->duration_ms > 1000LL * 1000 * 1000 * 1000) {
		snprintf(err, errlen, "--duration-ms must be in 1..10^12");
		return -1;
	}
#define FRACTION(field, name) \
	if (!(p->field >= 0 && p->field <= 1)) { \
		snprintf(err, errlen, "--%s must be a fraction in 0..1", name); \
		return -1; \
	}
	FRACTION(hlocal_fraction, "hlocal-fraction");
	FRACTION(remove_found, "remove-found");
	FRACTION(protect_found, "protect-found");
#undef FRACTION
#define RATE(field, name) \
	if (!(p->field >= 0) || !isfinite(p->field) || p->field > 1e9) { \
		snprintf(err, errlen, "--%s must be a rate in 0..10^9 per second", name); \
		return -1; \
	}
	RATE(hcall_rate, "hcall-rate");
	RATE(exit_rate, "exit-rate");
	RATE(migration_rate, "migration-rate");
	RATE(host_inval_rate, "host-inval-rate");
#undef RATE
	if (p->hcall_rate + p->exit_rate <= 0) {
		snprintf(err, errlen, "--hcall-rate and --exit-rate are both 0: the vcpus would never act");
		return -1;
	}
	for (int i = 0; i < p->nmix; i++)
		total += p->mix_weight[i];
	if (!(total > 0)) {
		snprintf(err, errlen, "--mix: the weights add up to 0");
		return -1;
	}
	return 0;
}

/* Appends printf output to @buf at *@at, never past @len (the total is still counted). */
static void append(char *buf, size_t len, size_t *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*at < len ? buf + *at : NULL, *at < len ? len - *at : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*at += (size_t)n;
}

size_t workload_command(const struct workload *p, char *buf, size_t len)
{
	size_t at = 0;

	if (len)
		buf[0] = '\0';
	append(buf, len, &at, "tlbgen --vms %" PRId64 " --vcpus %" PRId64 " --cores %" PRId64
	       " --threads %" PRId64, p->vms, p->vcpus, p->cores, p->threads);
	if (p->duration_ms >= 0)
		append(buf, len, &at, " --duration-ms %" PRId64, p->duration_ms);
	else
		append(buf, len, &at, " --events %" PRId64, p->events);
	append(buf, len, &at, " --seed %" PRIu64 " --hcall-rate %.9g --exit-rate %.9g"
	       " --hlocal-fraction %.9g --remove-found %.9g --protect-found %.9g"
	       " --migration-rate %.9g --host-inval-rate %.9g --hpt-resets %" PRId64 " --mix ",
	       p->seed, p->hcall_rate, p->exit_rate, p->hlocal_fraction, p->remove_found,
	       p->protect_found, p->migration_rate, p->host_inval_rate, p->hpt_resets);
	for (int i = 0; i < p->nmix; i++) {
		const struct hcall_info *h = hcall_lookup((uint64_t)p->mix_opcode[i]);

		if (h)
			append(buf, len, &at, "%s%s=%.9g", i ? "," : "", h->name, p->mix_weight[i]);
		else
			append(buf, len, &at, "%s0x%" PRIx64 "=%.9g", i ? "," : "",
			       (uint64_t)p->mix_opcode[i], p->mix_weight[i]);
	}
	if (p->hcall_cpu_unknown)
		append(buf, len, &at, " --hcall-cpu unknown");
	if (p->start_time)
		append(buf, len, &at, " --start-time %s", p->start_time);
	return at;
}

/* ---- the simulation ---- */

struct vcpu_state {
	int32_t vm;		/* vm id (1-based) */
	int32_t id;		/* vcpu id within the VM */
	int32_t vcore;		/* global vcore index */
	int32_t thread;		/* host thread it last entered or will enter */
	bool in_guest;		/* between guest_enter and guest_exit */
};

struct sim {
	const struct workload *p;
	struct tw *w;
	struct prng rng;
	int64_t kind[TDB_NKINDS];	/* the file's kind ids */
	int64_t ncpus;
	int64_t nvcpu;			/* actors 0..nvcpu-1 are vcpus */
	int64_t nvcore;			/* then vcores, then VMs, then the reset timer */
	struct vcpu_state *vcpu;
	int32_t *vcore_core;		/* current core of each vcore */
	int32_t *core_load;		/* vcores placed on each core */
	int32_t *vcore_first;		/* its first vcpu (actor index) */
	int32_t *vcore_size;		/* and how many */
	int64_t nactors;
	double *t;			/* next time of each actor, ns (INFINITY: never) */
	int64_t *heap;			/* actor indexes, min-heap on (t, index) */
	int64_t *pos;			/* position of each actor in heap */
	double mix_cum[WL_MIX_MAX];	/* cumulative hcall weights */
	double hcall_share;		/* hcall_rate / (hcall_rate + exit_rate) */
	double vcpu_rate;		/* hcall_rate + exit_rate, per ns */
	int64_t budget;			/* events still to write (events mode), else -1 */
	int64_t written;
	int64_t resets_total;		/* resets over all VMs */
	int64_t resets_done;
	double end_ns;			/* duration mode: stop before this */
	struct progress progress;
};

static bool earlier(const struct sim *s, int64_t a, int64_t b)
{
	return s->t[a] < s->t[b] || (s->t[a] == s->t[b] && a < b);
}

static void heap_swap(struct sim *s, int64_t i, int64_t j)
{
	int64_t a = s->heap[i], b = s->heap[j];

	s->heap[i] = b;
	s->heap[j] = a;
	s->pos[b] = i;
	s->pos[a] = j;
}

static void heap_down(struct sim *s, int64_t i)
{
	for (;;) {
		int64_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < s->nactors && earlier(s, s->heap[l], s->heap[m]))
			m = l;
		if (r < s->nactors && earlier(s, s->heap[r], s->heap[m]))
			m = r;
		if (m == i)
			return;
		heap_swap(s, i, m);
		i = m;
	}
}

/* Restores the heap order around position @i after its actor's time changed. */
static void heap_fix(struct sim *s, int64_t i)
{
	while (i > 0 && earlier(s, s->heap[i], s->heap[(i - 1) / 2])) {
		heap_swap(s, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	heap_down(s, i);
}

static void schedule(struct sim *s, int64_t actor, double t)
{
	s->t[actor] = t;
	heap_fix(s, s->pos[actor]);
}

/* Returns 1 when the budget is used up (stop), 0 to go on, -1 on a writer error. */
static int emit(struct sim *s, double t, int64_t cpu, int64_t vm, int64_t vcpu,
		enum tdb_kind kind, const int64_t *a, int nargs)
{
	if (tw_event(s->w, (int64_t)t, cpu, vm, vcpu, s->kind[kind], a, nargs))
		return -1;
	s->written++;
	if ((s->written & 0xffff) == 0)
		progress_tick(&s->progress, s->written);
	if (s->budget >= 0 && --s->budget == 0)
		return 1;
	return 0;
}

static int64_t vcpu_thread(const struct sim *s, int64_t v)
{
	return (int64_t)s->vcore_core[s->vcpu[v].vcore] * s->p->threads +
	       s->vcpu[v].id % s->p->threads;
}

static double host_time(struct sim *s)
{
	return HOST_TIME_MIN_NS + (double)prng_below(&s->rng, HOST_TIME_SPAN_NS);
}

static int do_hcall(struct sim *s, int64_t v, double now)
{
	const struct workload *p = s->p;
	struct vcpu_state *c = &s->vcpu[v];
	int64_t op = p->mix_opcode[prng_pick(&s->rng, s->mix_cum, p->nmix)];
	int64_t a[4] = { op, 0, 0, H_SUCCESS };

	if (op == H_REMOVE || op == H_PROTECT) {
		bool found = prng_unit(&s->rng) < (op == H_REMOVE ? p->remove_found : p->protect_found);

		a[1] = (int64_t)H_AVPN;
		/* H_PROTECT's new PP bits sit in the low flags; in the guest sample 6 came
		 * with a found HPTE and 7 with H_NOT_FOUND (1110 and 1648 of 2759 calls) */
		if (op == H_PROTECT)
			a[1] |= found ? 6 : 7;
		if (prng_unit(&s->rng) < p->hlocal_fraction)
			a[1] |= (int64_t)H_LOCAL;
		a[2] = found ? 1 : 0;
		a[3] = found ? H_SUCCESS : H_NOT_FOUND;
	} else if (op == H_BULK_REMOVE) {
		a[1] = (int64_t)(BULK_WORD0_CTL | prng_below(&s->rng, PTEX_SPAN));
		a[2] = 1 + prng_pick(&s->rng, bulk_cum, 4);
	}
	return emit(s, now, p->hcall_cpu_unknown ? -1 : c->thread, c->vm, c->id, TDB_HCALL, a, 4);
}

static int vcpu_act(struct sim *s, int64_t v, double now)
{
	struct vcpu_state *c = &s->vcpu[v];
	int rc;

	if (!c->in_guest) {
		c->thread = (int32_t)vcpu_thread(s, v);
		c->in_guest = true;
		rc = emit(s, now, c->thread, c->vm, c->id, TDB_GUEST_ENTER, NULL, 0);
	} else if (prng_unit(&s->rng) < s->hcall_share) {
		rc = do_hcall(s, v, now);
	} else {
		int64_t trap = exit_trap[prng_pick(&s->rng, exit_cum, 5)];

		c->in_guest = false;
		rc = emit(s, now, c->thread, c->vm, c->id, TDB_GUEST_EXIT, &trap, 1);
		schedule(s, v, now + host_time(s));
		return rc;
	}
	schedule(s, v, now + prng_exp(&s->rng, s->vcpu_rate));
	return rc;
}

static int vcore_migrate(struct sim *s, int64_t g, double now)
{
	const struct workload *p = s->p;
	int64_t from = s->vcore_core[g], idle = 0, core = -1, k;
	int rc = 0;

	/* an idle core if there is one (a core runs one vcore at a time), else any other */
	for (int64_t c = 0; c < p->cores; c++)
		idle += (c != from && s->core_load[c] == 0);
	if (idle > 0) {
		k = (int64_t)prng_below(&s->rng, (uint64_t)idle);
		for (core = 0; core < p->cores; core++)
			if (core != from && s->core_load[core] == 0 && k-- == 0)
				break;
	} else {
		core = (int64_t)prng_below(&s->rng, (uint64_t)p->cores - 1);
		if (core >= from)	/* skip over the current core */
			core++;
	}
	s->core_load[from]--;
	s->core_load[core]++;
	s->vcore_core[g] = (int32_t)core;
	for (int64_t v = s->vcore_first[g]; v < s->vcore_first[g] + s->vcore_size[g]; v++) {
		struct vcpu_state *c = &s->vcpu[v];
		int64_t orig = c->thread;

		if (c->in_guest) {
			int64_t trap = exit_trap[0];	/* the host takes the core back at HDEC */

			c->in_guest = false;
			if ((rc = emit(s, now, c->thread, c->vm, c->id, TDB_GUEST_EXIT, &trap, 1)))
				return rc;
			schedule(s, v, now + host_time(s));
		}
		c->thread = (int32_t)vcpu_thread(s, v);
		if ((rc = emit(s, now, c->thread, c->vm, c->id, TDB_MIGRATE, &orig, 1)))
			return rc;
	}
	schedule(s, s->nvcpu + g, now + prng_exp(&s->rng, p->migration_rate * 1e-9));
	return rc;
}

static int host_inval(struct sim *s, int64_t vm, double now)
{
	int64_t a[2];
	int64_t cpu = (int64_t)prng_below(&s->rng, (uint64_t)s->ncpus);

	a[0] = prng_pick(&s->rng, inval_n_cum, 5);
	a[1] = inval_reason[prng_pick(&s->rng, inval_reason_cum, 3)];
	schedule(s, s->nvcpu + s->nvcore + (vm - 1), now + prng_exp(&s->rng, s->p->host_inval_rate * 1e-9));
	return emit(s, now, cpu, vm, -1, TDB_HOST_INVAL, a, 2);
}

/*
 * The next reset, VMs in turn. The kernel resets an HPT only when no vcpu of the VM
 * is running (kvmppc_alloc_reset_hpt returns -EBUSY while vcpus_running), as when
 * QEMU reboots the guest: so the VM's vcpus in the guest are kicked out first (an
 * external interrupt), the reset follows, and they re-enter afterwards.
 */
static int hpt_reset(struct sim *s, double now)
{
	int64_t vm = 1 + s->resets_done % s->p->vms;
	int64_t first = (vm - 1) * s->p->vcpus;
	int rc;

	s->resets_done++;
	for (int64_t v = first; v < first + s->p->vcpus; v++) {
		struct vcpu_state *c = &s->vcpu[v];
		int64_t trap = exit_trap[1];	/* external: the kick */

		if (!c->in_guest)
			continue;
		c->in_guest = false;
		if ((rc = emit(s, now, c->thread, c->vm, c->id, TDB_GUEST_EXIT, &trap, 1)))
			return rc;
		schedule(s, v, now + host_time(s));
	}
	return emit(s, now, -1, vm, -1, TDB_HPT_RESET, NULL, 0);
}

/* Events mode: the count after which reset number @i (0-based) is written. */
static int64_t reset_at_count(const struct sim *s, int64_t i)
{
	return (int64_t)((double)(i + 1) * (double)s->p->events / (double)(s->resets_total + 1));
}

static int write_meta(struct sim *s)
{
	const struct workload *p = s->p;
	char buf[2048];
	struct tw *w = s->w;

	if (tw_meta_int(w, "threads_per_core", p->threads) ||
	    tw_meta_int(w, "ncpus", s->ncpus) ||
	    tw_meta(w, "host", "tlbgen") ||
	    tw_meta_int(w, "gen_vms", p->vms) ||
	    tw_meta_int(w, "gen_vcpus", p->vcpus) ||
	    tw_meta_int(w, "gen_cores", p->cores) ||
	    tw_meta_int(w, "gen_threads", p->threads) ||
	    tw_meta_int(w, "gen_seed", (int64_t)p->seed) ||
	    tw_meta_int(w, "gen_hpt_resets", p->hpt_resets) ||
	    tw_meta(w, "gen_hcall_cpu", p->hcall_cpu_unknown ? "unknown" : "thread"))
		return -1;
	if (p->duration_ms >= 0 ? tw_meta_int(w, "gen_duration_ms", p->duration_ms)
				: tw_meta_int(w, "gen_events", p->events))
		return -1;
#define META_DOUBLE(key, v) \
	snprintf(buf, sizeof(buf), "%.9g", (v)); \
	if (tw_meta(w, key, buf)) \
		return -1;
	META_DOUBLE("gen_hcall_rate", p->hcall_rate);
	META_DOUBLE("gen_exit_rate", p->exit_rate);
	META_DOUBLE("gen_hlocal_fraction", p->hlocal_fraction);
	META_DOUBLE("gen_remove_found", p->remove_found);
	META_DOUBLE("gen_protect_found", p->protect_found);
	META_DOUBLE("gen_migration_rate", p->migration_rate);
	META_DOUBLE("gen_host_inval_rate", p->host_inval_rate);
#undef META_DOUBLE
	if (workload_command(p, buf, sizeof(buf)) < sizeof(buf) && tw_meta(w, "gen_command", buf))
		return -1;
	if (p->start_time && tw_meta(w, "start_time", p->start_time))
		return -1;
	return 0;
}

static int sim_alloc(struct sim *s, char *err, size_t errlen)
{
	const struct workload *p = s->p;
	int64_t vcores_per_vm = (p->vcpus + p->threads - 1) / p->threads;

	s->ncpus = p->cores * p->threads;
	s->nvcpu = p->vms * p->vcpus;
	s->nvcore = p->vms * vcores_per_vm;
	s->nactors = s->nvcpu + s->nvcore + p->vms + 1;
	s->vcpu = calloc((size_t)s->nvcpu, sizeof(*s->vcpu));
	s->vcore_core = calloc((size_t)s->nvcore, sizeof(*s->vcore_core));
	s->core_load = calloc((size_t)p->cores, sizeof(*s->core_load));
	s->vcore_first = calloc((size_t)s->nvcore, sizeof(*s->vcore_first));
	s->vcore_size = calloc((size_t)s->nvcore, sizeof(*s->vcore_size));
	s->t = calloc((size_t)s->nactors, sizeof(*s->t));
	s->heap = calloc((size_t)s->nactors, sizeof(*s->heap));
	s->pos = calloc((size_t)s->nactors, sizeof(*s->pos));
	if (!s->vcpu || !s->vcore_core || !s->core_load || !s->vcore_first || !s->vcore_size || !s->t ||
	    !s->heap || !s->pos) {
		snprintf(err, errlen, "out of memory for %" PRId64 " vcpus", s->nvcpu);
		return -1;
	}
	for (int64_t vm = 0; vm < p->vms; vm++)
		for (int64_t i = 0; i < p->vcpus; i++) {
			int64_t v = vm * p->vcpus + i;
			int64_t g = vm * vcores_per_vm + i / p->threads;

			s->vcpu[v].vm = (int32_t)(vm + 1);
			s->vcpu[v].id = (int32_t)i;
			s->vcpu[v].vcore = (int32_t)g;
			if (i % p->threads == 0) {
				s->vcore_first[g] = (int32_t)v;
				s->vcore_core[g] = (int32_t)(g % p->cores);
				s->core_load[g % p->cores]++;
			}
			s->vcore_size[g]++;
		}
	for (int64_t v = 0; v < s->nvcpu; v++)
		s->vcpu[v].thread = (int32_t)vcpu_thread(s, v);
	return 0;
}

static void sim_free(struct sim *s)
{
	free(s->vcpu);
	free(s->vcore_core);
	free(s->core_load);
	free(s->vcore_first);
	free(s->vcore_size);
	free(s->t);
	free(s->heap);
	free(s->pos);
}

/* First times of every actor, then the heap built from them. */
static void sim_start(struct sim *s)
{
	const struct workload *p = s->p;
	int64_t a = 0;

	for (int64_t v = 0; v < s->nvcpu; v++)
		s->t[a++] = (double)prng_below(&s->rng, START_SPREAD_NS);
	for (int64_t g = 0; g < s->nvcore; g++)
		s->t[a++] = (p->migration_rate > 0 && p->cores > 1)
			? prng_exp(&s->rng, p->migration_rate * 1e-9) : INFINITY;
	for (int64_t vm = 0; vm < p->vms; vm++)
		s->t[a++] = p->host_inval_rate > 0 ? prng_exp(&s->rng, p->host_inval_rate * 1e-9)
						   : INFINITY;
	/* the reset timer runs by time only in duration mode */
	s->t[a] = (p->duration_ms >= 0 && s->resets_total > 0)
		? s->end_ns / (double)(s->resets_total + 1) : INFINITY;
	for (int64_t i = 0; i < s->nactors; i++) {
		s->heap[i] = i;
		s->pos[i] = i;
	}
	/* bottom-up heap construction: sift down only (sifting up here would break it) */
	for (int64_t i = s->nactors / 2; i >= 0; i--)
		heap_down(s, i);
}

int workload_write(const struct workload *p, struct tw *w, volatile sig_atomic_t *stop,
		   bool progress, char *err, size_t errlen)
{
	struct sim s;
	int rc = -1, r = 0;
	double now = 0;

	memset(&s, 0, sizeof(s));
	s.p = p;
	s.w = w;
	if (err && errlen)
		err[0] = '\0';
	prng_seed(&s.rng, p->seed);
	for (int k = 0; k < TDB_NKINDS; k++)
		s.kind[k] = tw_kind_id(w, (enum tdb_kind)k);
	for (int i = 0; i < p->nmix; i++)
		s.mix_cum[i] = (i ? s.mix_cum[i - 1] : 0) + p->mix_weight[i];
	s.hcall_share = p->hcall_rate / (p->hcall_rate + p->exit_rate);
	s.vcpu_rate = (p->hcall_rate + p->exit_rate) * 1e-9;
	s.budget = p->duration_ms >= 0 ? -1 : p->events;
	s.end_ns = p->duration_ms >= 0 ? (double)p->duration_ms * 1e6 : INFINITY;
	s.resets_total = p->hpt_resets * p->vms;
	if (sim_alloc(&s, err, errlen))
		goto out;
	progress_init(&s.progress, "events", p->duration_ms >= 0 ? -1 : p->events, progress);
	if (write_meta(&s))
		goto out;
	for (int64_t vm = 1; vm <= p->vms; vm++) {
		char name[32];

		snprintf(name, sizeof(name), "vm%" PRId64, vm);
		if (tw_vm(w, vm, name, -1, vm))
			goto out;
		for (int64_t i = 0; i < p->vcpus; i++)
			if (tw_vcpu(w, vm, i, -1, NULL))
				goto out;
	}
	if (s.budget == 0) {
		rc = 0;
		goto out;
	}
	sim_start(&s);
	for (int64_t v = 0; v < s.nvcpu && r == 0; v++)
		r = emit(&s, 0, -1, s.vcpu[v].vm, s.vcpu[v].id, TDB_VCPU_CREATE, NULL, 0);
	while (r == 0) {
		int64_t actor = s.heap[0];

		now = s.t[actor];
		if (now >= s.end_ns || isinf(now))
			break;
		if (stop && *stop) {
			snprintf(err, errlen, "interrupted after %" PRId64 " events", s.written);
			goto out;
		}
		if (actor < s.nvcpu)
			r = vcpu_act(&s, actor, now);
		else if (actor < s.nvcpu + s.nvcore)
			r = vcore_migrate(&s, actor - s.nvcpu, now);
		else if (actor < s.nvcpu + s.nvcore + p->vms)
			r = host_inval(&s, actor - s.nvcpu - s.nvcore + 1, now);
		else {
			r = hpt_reset(&s, now);
			schedule(&s, actor, s.resets_done < s.resets_total
				 ? s.end_ns * (double)(s.resets_done + 1) / (double)(s.resets_total + 1)
				 : INFINITY);
		}
		/* events mode: resets fall due by count */
		while (r == 0 && p->duration_ms < 0 && s.resets_done < s.resets_total &&
		       s.written >= reset_at_count(&s, s.resets_done))
			r = hpt_reset(&s, now);
	}
	if (r < 0)
		goto out;
	rc = 0;
out:
	progress_done(&s.progress, s.written);
	sim_free(&s);
	return rc;
}
