/* SPDX-License-Identifier: MIT */
/*
 * sink - tlbcollect's writer thread and the translation of BPF records into
 * schema v1 rows (interface, call order and queue algorithm in sink.h).
 *
 * Translation rules (the trace contract is trace-schema-v1.md):
 *   switch-in of a vcpu thread   guest_enter on that cpu (see enum sink_enter)
 *   switch-out                   guest_exit, trap NULL (unknown: the thread left the cpu)
 *   switch pair (vcpu to vcpu)   the two above, switch-out first, at one ts
 *   sched_migrate_task           migrate: cpu = destination, a0 = origin
 *   kvm_entry / kvm_guest_enter  guest_enter;  kvm_exit / kvm_guest_exit: guest_exit, a0 trap
 *   kvm_unmap_hva_range/age_hva  host_inval: a0 n = pages of [start, end) (an upper bound: the
 *                                tracepoint does not say how many were mapped), a1 reason
 *                                0 unmap / 1 age, a2 start, a3 end
 *   kvmppc_run_core              vcore_run (runner_vcpu, n_runnable, where, tgid)
 *   kvm_hcall_enter + exit       hcall at the entry's time; n = 1 for H_REMOVE/H_PROTECT
 *                                returning H_SUCCESS, NULL for H_BULK_REMOVE (the host
 *                                tracepoint does not show the returned control bytes);
 *                                n and rc NULL when the exit says RESUME_FLAG_HOST
 *   kvm_page_fault_enter + exit  page_fault (ea, ret)
 *   guest hcall (paired in BPF)  hcall: cpu -1, vcpu = guest cpu, n by the contract's rule
 *                                (H_BULK_REMOVE: hcall_bulk_success() on the return buffer)
 * A VM is the process of a vcpu thread; its vm row is written at first sight
 * with the QEMU -name (else the process name). A vcpu's first record writes
 * its vcpu row and a vcpu_create event just before it.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/types.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hcall.h"
#include "rotate.h"
#include "sink.h"
#include "tlbcollect.h"
#include "tracewriter.h"
#include "util.h"

#define SINK_CHUNK_BYTES (1u << 20)
#define SINK_MAX_CHUNKS 16
#define SINK_LOST_REC 0x4c4f5354u	/* type of the queued "lost" pseudo-record */
#define RESUME_FLAG_HOST 2u		/* kvm_hcall_exit ret: the hcall left the kernel */

struct chunk {
	struct chunk *next;	/* queue / free list link */
	size_t used;		/* bytes of data[] in use */
	unsigned char data[];	/* [u32 size][u32 pad][record, 8-aligned]... */
};

enum sched_side { SIDE_UNKNOWN, SIDE_IN, SIDE_OUT };

struct vcpu_state {
	bool seen;		/* vcpu row and vcpu_create written */
	unsigned char side;	/* enum sched_side: its thread's last switch record */
	bool hc_pending;	/* a kvm_hcall_enter waits for its exit */
	bool pf_pending;	/* a kvm_page_fault_enter waits for its exit */
	int64_t hc_ts, pf_ts;	/* ts of those entries */
	int64_t hc_cpu, pf_cpu;	/* cpu of those entries */
	uint64_t hc_req, hc_flags;	/* opcode and r4 of the pending hcall */
	uint64_t hc_r5, hc_r6, hc_r7;	/* and r5..r7 (host: kvm_hcall_enter's gpr5..gpr7) */
	uint64_t pf_ea;		/* address of the pending fault */
};

struct vmrec {
	uint32_t tgid;		/* process id (QEMU), 0 for the guest itself */
	int64_t id;		/* vm.id, 0 when the process is no VM */
	bool kvm_entries;	/* a KVM entry tracepoint fired for it */
	struct vcpu_state *v;	/* indexed by vcpu id */
	int nv;			/* entries of v */
};

struct sink {
	struct tw *w;		/* the trace DB being written */
	struct sink_opts o;	/* options, copied */
	pthread_t thread;	/* the writer */
	bool started;		/* thread runs */
	pthread_mutex_t lock;	/* guards the fields down to "stopping" */
	pthread_cond_t ready;	/* a chunk was queued, or stop */
	pthread_cond_t space;	/* a chunk became free */
	struct chunk *head, *tail;	/* queued for the writer */
	struct chunk *free;	/* recycled chunks */
	int nchunks;		/* chunks allocated */
	bool stopping;		/* no more pushes: drain and exit */
	bool failed;		/* the writer failed: pushes are discarded */
	uint64_t failed_ns;	/* CLOCK_MONOTONIC ns of the failure */
	struct chunk *cur;	/* consumer's chunk being filled */
	/* writer-side state */
	struct vmrec *vms;	/* VMs and non-VM processes seen */
	int nvms, capvms;
	int64_t next_vm_id;
	int64_t k[TDB_NKINDS];	/* ids of the contract kinds in this file */
	int64_t k_vcore_run, k_page_fault, k_hcall_args, k_kernel_flush;
	struct sink_stats st;	/* counters */
	struct sink_stats part_base;	/* --rotate: the counts of the closed parts */
	struct sink_stats st_next;	/* --rotate: of st, the records of the next part's
					 * time, taken while the open part takes its last rows */
	int64_t open_calls;	/* --rotate: entries written without their exit at a part's end */
	char err[512];		/* writer failure */
	/* live counts (sink_live): written by the writer, copied by readers, under live_lock */
	pthread_mutex_t live_lock;
	struct sink_live_vm live[SINK_LIVE_VMS];
	int nlive_pub;		/* slots in live[] */
	int nlive;		/* writer: slots in use in live_w[] */
	struct sink_live_vm live_w[SINK_LIVE_VMS];	/* the writer's own copy */
};

/* ---------------------------------------------------------------- queue -- */

static struct chunk *chunk_get(struct sink *s)
{
	struct chunk *c;

	pthread_mutex_lock(&s->lock);
	while (!s->free && s->nchunks >= SINK_MAX_CHUNKS && !s->failed)
		pthread_cond_wait(&s->space, &s->lock);
	c = s->free;
	if (c)
		s->free = c->next;
	else if (!s->failed)
		s->nchunks++;
	pthread_mutex_unlock(&s->lock);
	if (!c && !s->failed) {
		c = malloc(sizeof(*c) + SINK_CHUNK_BYTES);
		if (!c) {
			pthread_mutex_lock(&s->lock);
			s->nchunks--;
			pthread_mutex_unlock(&s->lock);
			return NULL;
		}
	}
	if (c) {
		c->next = NULL;
		c->used = 0;
	}
	return c;
}

static void chunk_queue(struct sink *s, struct chunk *c)
{
	pthread_mutex_lock(&s->lock);
	if (s->tail)
		s->tail->next = c;
	else
		s->head = c;
	s->tail = c;
	pthread_cond_signal(&s->ready);
	pthread_mutex_unlock(&s->lock);
}

int sink_push(struct sink *s, const void *rec, size_t size)
{
	size_t need = 8 + ((size + 7) & ~(size_t)7);
	uint32_t hdr[2] = { (uint32_t)size, 0 };

	if (size > SINK_CHUNK_BYTES / 4) {
		errno = EINVAL;
		return -1;
	}
	if (s->cur && s->cur->used + need > SINK_CHUNK_BYTES) {
		chunk_queue(s, s->cur);
		s->cur = NULL;
	}
	if (!s->cur) {
		s->cur = chunk_get(s);
		if (!s->cur)
			return -1;
	}
	memcpy(s->cur->data + s->cur->used, hdr, sizeof(hdr));
	memcpy(s->cur->data + s->cur->used + 8, rec, size);
	s->cur->used += need;
	return 0;
}

int sink_lost(struct sink *s, uint64_t ts, int cpu, uint64_t count)
{
	struct tc_event e;

	memset(&e, 0, sizeof(e));
	e.ts = ts;
	e.type = SINK_LOST_REC;
	e.cpu = (uint32_t)cpu;
	e.vcpu = -1;
	e.arg[0] = count;
	return sink_push(s, &e, sizeof(e));
}

void sink_flush(struct sink *s)
{
	if (s->cur && s->cur->used) {
		chunk_queue(s, s->cur);
		s->cur = NULL;
	}
}

/* ----------------------------------------------------------------- live -- */

/* The writer's live slot of vm @vm (ids from 1; later ones share the last slot). */
static struct sink_live_vm *live_slot(struct sink *s, int64_t vm)
{
	int i = vm <= SINK_LIVE_VMS - 1 ? (int)vm - 1 : SINK_LIVE_VMS - 1;

	while (s->nlive <= i) {
		struct sink_live_vm *l = &s->live_w[s->nlive++];

		memset(l, 0, sizeof(*l));
		l->vm = s->nlive == SINK_LIVE_VMS ? -1 : s->nlive;
		snprintf(l->name, sizeof(l->name), "%s", l->vm < 0 ? "(later VMs)" : "");
	}
	return &s->live_w[i];
}

/* Publish the writer's live counts to readers (a copy under the lock, not per row). */
static void live_publish(struct sink *s)
{
	pthread_mutex_lock(&s->live_lock);
	memcpy(s->live, s->live_w, sizeof(s->live[0]) * (size_t)s->nlive);
	s->nlive_pub = s->nlive;
	pthread_mutex_unlock(&s->live_lock);
}

static void live_count(struct sink *s, int64_t vm, int64_t kind, const int64_t *a, int nargs)
{
	struct sink_live_vm *l;

	if (vm <= 0)
		return;
	if (kind == s->k[TDB_GUEST_ENTER] || kind == s->k[TDB_GUEST_EXIT] ||
	    kind == s->k[TDB_MIGRATE] || kind == s->k[TDB_HCALL]) {
		l = live_slot(s, vm);
		if (kind == s->k[TDB_GUEST_ENTER])
			l->enter++;
		else if (kind == s->k[TDB_GUEST_EXIT])
			l->exit++;
		else if (kind == s->k[TDB_MIGRATE])
			l->migrate++;
		else {
			uint64_t op = nargs > 0 ? (uint64_t)a[0] : 0;
			int j;

			l->hcalls++;
			for (j = 0; j < l->nops && l->op[j] != op; j++)
				;
			if (j == l->nops && l->nops < SINK_LIVE_OPS)
				l->op[l->nops++] = op;
			if (j < l->nops)
				l->op_count[j]++;
			else
				l->other_hcalls++;
		}
	}
}

/* ------------------------------------------------------------- identity -- */

static void fail(struct sink *s, const char *what)
{
	if (!s->err[0])
		snprintf(s->err, sizeof(s->err), "%s", what);
	pthread_mutex_lock(&s->lock);
	if (!s->failed)
		s->failed_ns = now_ns();
	s->failed = true;
	pthread_cond_broadcast(&s->space);
	pthread_mutex_unlock(&s->lock);
}

/* The VM name QEMU was given (-name NAME or -name guest=NAME,...), else its comm. */
static void process_name(uint32_t tgid, char *buf, size_t len)
{
	char path[64], args[4096];
	size_t n = 0;
	FILE *f;

	snprintf(buf, len, "pid %u", tgid);
	snprintf(path, sizeof(path), "/proc/%u/cmdline", tgid);
	f = fopen(path, "r");
	if (f) {
		n = fread(args, 1, sizeof(args) - 1, f);
		fclose(f);
	}
	args[n] = '\0';
	for (size_t i = 0; i < n;) {
		const char *a = args + i;
		size_t al = strlen(a);

		if (strcmp(a, "-name") == 0 && i + al + 1 < n) {
			const char *v = a + al + 1;

			if (strncmp(v, "guest=", 6) == 0)
				v += 6;
			snprintf(buf, len, "%.*s", (int)strcspn(v, ","), v);
			return;
		}
		i += al + 1;
	}
	snprintf(path, sizeof(path), "/proc/%u/comm", tgid);
	f = fopen(path, "r");
	if (f) {
		if (fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

/* Whether process @tgid has a thread named like a vcpu ("CPU N/KVM", "CPU N/TCG"). */
static bool has_vcpu_threads(uint32_t tgid)
{
	char path[64], comm[64];
	struct dirent *d;
	bool found = false;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%u/task", tgid);
	dir = opendir(path);
	if (!dir)
		return false;
	while (!found && (d = readdir(dir))) {
		char cp[300];
		unsigned id;
		char fl[4];
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(cp, sizeof(cp), "/proc/%u/task/%s/comm", tgid, d->d_name);
		f = fopen(cp, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && sscanf(comm, "CPU %u/%3s", &id, fl) == 2 &&
		    (strcmp(fl, "KVM") == 0 || strcmp(fl, "TCG") == 0))
			found = true;
		fclose(f);
	}
	closedir(dir);
	return found;
}

/*
 * vm_of - the record of process @tgid, creating it. @known_vm: the record
 * came from a vcpu thread or a vcpu tracepoint, so the process is a VM;
 * otherwise /proc decides. NULL on failure (s->failed set).
 */
static struct vmrec *vm_of(struct sink *s, uint32_t tgid, bool known_vm)
{
	struct vmrec *m = NULL;
	char name[256];

	for (int i = 0; i < s->nvms; i++)
		if (s->vms[i].tgid == tgid) {
			m = &s->vms[i];
			break;
		}
	if (m && (m->id || !known_vm))
		return m;
	if (!m) {
		if (s->nvms == s->capvms) {
			int cap = s->capvms ? 2 * s->capvms : 16;
			struct vmrec *n = realloc(s->vms, cap * sizeof(*n));

			if (!n) {
				fail(s, "cannot allocate the VM table: out of memory");
				return NULL;
			}
			s->vms = n;
			s->capvms = cap;
		}
		m = &s->vms[s->nvms++];
		memset(m, 0, sizeof(*m));
		m->tgid = tgid;
		if (!known_vm && !s->o.guest && !has_vcpu_threads(tgid))
			return m;	/* not a VM: id 0 */
	}
	m->id = s->next_vm_id++;
	if (s->o.guest)
		snprintf(name, sizeof(name), "%s", s->o.guest_name ? s->o.guest_name : "guest");
	else
		process_name(tgid, name, sizeof(name));
	if (tw_vm(s->w, m->id, name, s->o.guest ? -1 : (int64_t)tgid, -1) != 0) {
		fail(s, tw_error(s->w));
		return NULL;
	}
	s->st.vms++;
	{
		struct sink_live_vm *l = live_slot(s, m->id);

		if (l->vm == m->id)
			snprintf(l->name, sizeof(l->name), "%.47s", name);
	}
	return m;
}

static struct vcpu_state *vcpu_of(struct sink *s, struct vmrec *m, int vcpu)
{
	if (vcpu < 0 || vcpu > 1 << 20)
		return NULL;
	if (vcpu >= m->nv) {
		int nv = vcpu < 8 ? 8 : 2 * vcpu;
		struct vcpu_state *n = realloc(m->v, nv * sizeof(*n));

		if (!n) {
			fail(s, "cannot allocate the vcpu table: out of memory");
			return NULL;
		}
		memset(n + m->nv, 0, (nv - m->nv) * sizeof(*n));
		m->v = n;
		m->nv = nv;
	}
	return &m->v[vcpu];
}

/* One row; a[i] NULL where bit i of @nulls is set. */
static int row_nulls(struct sink *s, int64_t ts, int64_t cpu, int64_t vm, int64_t vcpu,
		     int64_t kind, const int64_t *a, unsigned nulls)
{
	if (s->o.rot) {
		if (rotate_event_nulls(s->o.rot, s->w, ts, cpu, vm, vcpu, kind, a, nulls) != 0) {
			fail(s, rotate_error(s->o.rot));
			return -1;
		}
	} else if (tw_event_nulls(s->w, ts, cpu, vm, vcpu, kind, a, nulls) != 0) {
		fail(s, tw_error(s->w));
		return -1;
	}
	live_count(s, vm, kind, a, nulls & 1u ? 0 : 4);
	return 0;
}

static int row(struct sink *s, int64_t ts, int64_t cpu, int64_t vm, int64_t vcpu,
	       int64_t kind, const int64_t *a, int nargs)
{
	return row_nulls(s, ts, cpu, vm, vcpu, kind, a,
			 nargs >= 4 ? 0u : 0xfu & ~((1u << (nargs > 0 ? nargs : 0)) - 1u));
}

/* First sight of a vcpu: its vcpu row and a vcpu_create event at @ts. */
static int see_vcpu(struct sink *s, struct vmrec *m, struct vcpu_state *v, int vcpu,
		    const struct tc_event *e, int64_t ts, int64_t cpu)
{
	char name[32];

	if (v->seen)
		return 0;
	v->seen = true;
	if (s->o.guest)
		snprintf(name, sizeof(name), "cpu %d", vcpu);
	else if (e->type == TC_SWITCH_IN || e->type == TC_SWITCH_OUT || e->type == TC_MIGRATE)
		snprintf(name, sizeof(name), "CPU %d/%s", vcpu, e->flags & TC_F_TCG ? "TCG" : "KVM");
	else
		name[0] = '\0';
	if (tw_vcpu(s->w, m->id, vcpu, s->o.guest ? -1 : (int64_t)e->tid,
		    name[0] ? name : NULL) != 0) {
		fail(s, tw_error(s->w));
		return -1;
	}
	s->st.vcpus++;
	return row(s, ts, cpu, m->id, vcpu, s->k[TDB_VCPU_CREATE], NULL, 0);
}

/* ------------------------------------------------------------ translate -- */

static int64_t hcall_n(uint64_t opcode, int64_t rc, const uint64_t *ret, bool have_ret)
{
	switch (opcode) {
	case H_REMOVE:
	case H_PROTECT:
		return rc == H_SUCCESS;
	case H_BULK_REMOVE:
		return have_ret ? hcall_bulk_success(ret, TC_RET_WORDS) : 0;
	default:
		return 0;
	}
}

static int guest_hcall(struct sink *s, const struct tc_hcall *h, int64_t ts)
{
	struct vmrec *m = vm_of(s, 0, true);
	struct vcpu_state *v;
	int64_t a[4];

	if (!m || !(v = vcpu_of(s, m, h->h.vcpu)))
		return -1;
	if (see_vcpu(s, m, v, h->h.vcpu, &h->h, ts, -1))
		return -1;
	a[0] = (int64_t)h->h.arg[0];
	a[1] = (int64_t)h->h.arg[1];
	a[3] = (int64_t)h->h.arg[2];
	uint64_t ret[TC_RET_WORDS];

	for (int i = 0; i < TC_RET_WORDS; i++)
		ret[i] = h->ret[i];
	a[2] = hcall_n(h->h.arg[0], a[3], ret, h->h.arg[3] != 0);
	if (row(s, ts, -1, m->id, h->h.vcpu, s->k[TDB_HCALL], a, 4))
		return -1;
	if (s->o.hcall_args) {
		for (int i = 0; i < 4; i++)
			a[i] = (int64_t)h->args[i];
		if (row(s, ts, -1, m->id, h->h.vcpu, s->k_hcall_args, a, 4))
			return -1;
	}
	return 1;
}

/*
 * A host hcall (kvm_hcall_enter/exit pair) of @v at its entry: the hcall row with the
 * columns the host knows (@known: a bit per a[i]), then, with --hcall-args, an
 * hcall_args row: r5..r7 from kvm_hcall_enter (its gpr5..gpr7); r8 is not in that
 * tracepoint (arch/powerpc/kvm/trace_hv.h): NULL.
 */
static int host_hcall(struct sink *s, const struct vmrec *m, const struct vcpu_state *v, int vcpu,
		      const int64_t *a, unsigned known)
{
	int64_t r[3] = { (int64_t)v->hc_r5, (int64_t)v->hc_r6, (int64_t)v->hc_r7 };

	if (row_nulls(s, v->hc_ts, v->hc_cpu, m->id, vcpu, s->k[TDB_HCALL], a, 0xfu & ~known))
		return -1;
	if (s->o.hcall_args && row(s, v->hc_ts, v->hc_cpu, m->id, vcpu, s->k_hcall_args, r, 3))
		return -1;
	return 0;
}

/* Whether a switch-in / switch-out of @m becomes guest_enter / guest_exit. */
static bool sched_enters(const struct sink *s, const struct vmrec *m)
{
	return s->o.enter == SINK_ENTER_SCHED || (s->o.enter == SINK_ENTER_AUTO && !m->kvm_entries);
}

/* One record: 1 written, 0 filtered by rule, -1 failure. */
static int translate(struct sink *s, const struct tc_event *e, size_t size)
{
	int64_t ts = e->ts > s->o.t0 ? (int64_t)(e->ts - s->o.t0) : 0;
	int64_t cpu = e->cpu, a[4];
	struct vcpu_state *v = NULL;
	struct vmrec *m;
	bool host_vcpu_rec;

	if (e->type == SINK_LOST_REC) {
		a[0] = (int64_t)e->arg[0];
		s->st.lost += (int64_t)e->arg[0];
		return row(s, ts, cpu, 0, -1, s->k[TDB_LOST], a, 1) ? -1 : 1;
	}
	if (e->type == TC_GUEST_HCALL)
		return size >= sizeof(struct tc_hcall) ? guest_hcall(s, (const void *)e, ts) : 0;

	host_vcpu_rec = e->type != TC_HVA_UNMAP && e->type != TC_HVA_AGE;
	m = vm_of(s, e->tgid, host_vcpu_rec);
	if (!m)
		return -1;
	if (host_vcpu_rec) {
		v = vcpu_of(s, m, e->vcpu);
		if (!v)
			return s->failed ? -1 : 0;
		if (see_vcpu(s, m, v, e->vcpu, e, ts, e->type == TC_MIGRATE ? (int64_t)e->arg[1] : cpu))
			return -1;
	}
	switch (e->type) {
	case TC_SWITCH_IN:
		/* Ring order is a thread's switch order: a thread is switched in on one
		 * cpu only after its switch-out on another has been traced. */
		if (v->side == SIDE_IN && s->o.switch_out)
			s->st.out_unreported++;
		v->side = SIDE_IN;
		if (!sched_enters(s, m))
			return 0;
		s->st.enter_sched++;
		return row(s, ts, cpu, m->id, e->vcpu, s->k[TDB_GUEST_ENTER], NULL, 0) ? -1 : 1;
	case TC_SWITCH_OUT:
		if (v->side == SIDE_OUT)
			s->st.in_unreported++;
		v->side = SIDE_OUT;
		if (!sched_enters(s, m))
			return 0;
		s->st.exit_sched++;
		return row(s, ts, cpu, m->id, e->vcpu, s->k[TDB_GUEST_EXIT], NULL, 0) ? -1 : 1;
	case TC_MIGRATE:
		a[0] = (int64_t)(int32_t)e->arg[0];
		return row(s, ts, (int32_t)e->arg[1], m->id, e->vcpu, s->k[TDB_MIGRATE], a, 1) ? -1 : 1;
	case TC_KVM_ENTRY:
	case TC_HV_ENTER:
	case TC_KERNEL_CHECK:
		m->kvm_entries = true;
		if (s->o.enter == SINK_ENTER_SCHED)
			return 0;
		/* POWER9 with --kernel-flush: the entries are the kernel's need_tlb_flush
		 * tests; kvm_guest_enter also fires for HV_DECREMENTER early returns */
		if (s->o.probe_entries && e->type == TC_HV_ENTER) {
			s->st.enter_replaced++;
			return 0;
		}
		if (!s->o.probe_entries && e->type == TC_KERNEL_CHECK)
			return 0;
		s->st.enter_kvm++;
		return row(s, ts, cpu, m->id, e->vcpu, s->k[TDB_GUEST_ENTER], NULL, 0) ? -1 : 1;
	case TC_KVM_EXIT:
	case TC_HV_EXIT:
		if (s->o.enter == SINK_ENTER_SCHED)
			return 0;
		a[0] = (int64_t)(int32_t)e->arg[0];
		return row(s, ts, cpu, m->id, e->vcpu, s->k[TDB_GUEST_EXIT], a, 1) ? -1 : 1;
	case TC_HVA_UNMAP:
	case TC_HVA_AGE: {
		uint64_t len = e->arg[1] > e->arg[0] ? e->arg[1] - e->arg[0] : 0;

		a[0] = (int64_t)((len + (uint64_t)s->o.page_size - 1) / (uint64_t)s->o.page_size);
		a[1] = e->type == TC_HVA_UNMAP ? 0 : 1;
		a[2] = (int64_t)e->arg[0];
		a[3] = (int64_t)e->arg[1];
		if (!m->id)
			s->st.inval_unattributed++;
		return row(s, ts, cpu, m->id, -1, s->k[TDB_HOST_INVAL], a, 4) ? -1 : 1;
	}
	case TC_KERNEL_FLUSH:
		s->st.kernel_flush++;
		return row(s, ts, cpu, m->id, e->vcpu, s->k_kernel_flush, NULL, 0) ? -1 : 1;
	case TC_HV_RUN_CORE:
		for (int i = 0; i < 4; i++)
			a[i] = (int64_t)(int32_t)e->arg[i];
		return row(s, ts, cpu, m->id, e->vcpu, s->k_vcore_run, a, 4) ? -1 : 1;
	case TC_HV_HCALL_ENTER:
		/* Written with its exit; a second entry first means the exit was not seen. */
		if (v->hc_pending) {
			a[0] = (int64_t)v->hc_req;
			a[1] = (int64_t)v->hc_flags;
			if (host_hcall(s, m, v, e->vcpu, a, 0x3))
				return -1;
		}
		v->hc_pending = true;
		v->hc_ts = ts;
		v->hc_cpu = cpu;
		v->hc_req = e->arg[0];
		v->hc_flags = e->arg[1];
		v->hc_r5 = e->arg[2];
		v->hc_r6 = e->arg[3];
		v->hc_r7 = size >= sizeof(struct tc_hv_hcall) ? ((const struct tc_hv_hcall *)e)->gpr7 : 0;
		return 1;
	case TC_HV_HCALL_EXIT:
		if (!v->hc_pending)
			return 0;
		v->hc_pending = false;
		a[0] = (int64_t)v->hc_req;
		a[1] = (int64_t)v->hc_flags;
		a[2] = 0;
		a[3] = (int64_t)e->arg[1];
		/* RESUME_FLAG_HOST (arch/powerpc/include/asm/kvm_ppc.h): the call went on to
		 * the host or QEMU; gpr3 is not its return code yet (trace_hv.h prints
		 * H_TOO_HARD then), so n and rc stay NULL. */
		if (e->arg[0] & RESUME_FLAG_HOST)
			return host_hcall(s, m, v, e->vcpu, a, 0x3) ? -1 : 1;
		/* H_BULK_REMOVE: rc is kvm_hcall_exit's hcall_rc; n (entries removed) is in
		 * the control bytes the call returns in r4..r11, which the exit tracepoint
		 * does not carry (trace_hv.h: vcpu_id, ret, hcall_rc): NULL. */
		if (v->hc_req == H_BULK_REMOVE)
			return host_hcall(s, m, v, e->vcpu, a, 0xb) ? -1 : 1;
		a[2] = hcall_n(v->hc_req, a[3], NULL, false);
		return host_hcall(s, m, v, e->vcpu, a, 0xf) ? -1 : 1;
	case TC_HV_PF_ENTER:
		if (v->pf_pending) {
			a[0] = (int64_t)v->pf_ea;
			if (row(s, v->pf_ts, v->pf_cpu, m->id, e->vcpu, s->k_page_fault, a, 1))
				return -1;
		}
		v->pf_pending = true;
		v->pf_ts = ts;
		v->pf_cpu = cpu;
		v->pf_ea = e->arg[0];
		return 1;
	case TC_HV_PF_EXIT:
		if (!v->pf_pending)
			return 0;
		v->pf_pending = false;
		a[0] = (int64_t)v->pf_ea;
		a[1] = (int64_t)e->arg[0];
		return row(s, v->pf_ts, v->pf_cpu, m->id, e->vcpu, s->k_page_fault, a, 2) ? -1 : 1;
	default:
		return 0;
	}
}

/* At the end: entries whose exit never came are still calls that happened. */
static void write_pending(struct sink *s)
{
	int64_t a[4] = { 0, 0, 0, 0 };

	for (int i = 0; i < s->nvms && !s->failed; i++) {
		struct vmrec *m = &s->vms[i];

		for (int j = 0; j < m->nv; j++) {
			struct vcpu_state *v = &m->v[j];

			if (v->hc_pending) {
				a[0] = (int64_t)v->hc_req;
				a[1] = (int64_t)v->hc_flags;
				host_hcall(s, m, v, j, a, 0x3);
			}
			if (v->pf_pending) {
				a[0] = (int64_t)v->pf_ea;
				row(s, v->pf_ts, v->pf_cpu, m->id, j, s->k_page_fault, a, 1);
			}
		}
	}
}

/* d = a - b, for the counts that add up over a capture's parts */
static void stats_add(struct sink_stats *d, const struct sink_stats *a);

static void stats_minus(struct sink_stats *d, const struct sink_stats *a, const struct sink_stats *b)
{
	*d = *a;
	d->records -= b->records;
	d->written -= b->written;
	d->filtered -= b->filtered;
	d->lost -= b->lost;
	d->enter_sched -= b->enter_sched;
	d->enter_kvm -= b->enter_kvm;
	d->exit_sched -= b->exit_sched;
	d->in_unreported -= b->in_unreported;
	d->out_unreported -= b->out_unreported;
	d->inval_unattributed -= b->inval_unattributed;
	d->enter_replaced -= b->enter_replaced;
	d->kernel_flush -= b->kernel_flush;
}

static void stats_add(struct sink_stats *d, const struct sink_stats *a)
{
	d->records += a->records;
	d->written += a->written;
	d->filtered += a->filtered;
	d->lost += a->lost;
	d->enter_sched += a->enter_sched;
	d->enter_kvm += a->enter_kvm;
	d->exit_sched += a->exit_sched;
	d->in_unreported += a->in_unreported;
	d->out_unreported += a->out_unreported;
	d->inval_unattributed += a->inval_unattributed;
	d->enter_replaced += a->enter_replaced;
	d->kernel_flush += a->kernel_flush;
}

/* One event: translated and counted. */
static void take(struct sink *s, const struct tc_event *e, size_t size)
{
	struct sink_stats before;
	int r;

	if (s->o.rot)
		before = s->st;
	s->st.records++;
	r = translate(s, e, size);
	if (r > 0)
		s->st.written++;
	else if (r == 0)
		s->st.filtered++;
	/* --rotate: a record of the next part's time counts there, like its rows */
	if (s->o.rot && rotate_holds(s->o.rot, e->ts > s->o.t0 ? (int64_t)(e->ts - s->o.t0) : 0)) {
		struct sink_stats d;

		stats_minus(&d, &s->st, &before);
		stats_add(&s->st_next, &d);
	}
}

/* TC_SWITCH_PAIR: the switch-out, then the switch-in, at the same ts and cpu. */
static void take_pair(struct sink *s, const struct tc_event *p)
{
	struct tc_event e = *p;

	e.type = TC_SWITCH_OUT;
	e.tgid = (uint32_t)p->arg[0];
	e.tid = (uint32_t)p->arg[1];
	e.vcpu = (int32_t)p->arg[2];
	e.flags = (uint32_t)p->arg[3];
	e.arg[0] = e.arg[1] = e.arg[2] = e.arg[3] = 0;
	take(s, &e, sizeof(e));
	if (s->failed)
		return;
	e = *p;
	e.type = TC_SWITCH_IN;
	e.arg[0] = e.arg[1] = e.arg[2] = e.arg[3] = 0;
	take(s, &e, sizeof(e));
}

/*
 * --rotate: close the open part. Entries still waiting for their exit with an entry
 * before the cut are written into it now (their exit, in the next part's time, is then
 * unpaired and filtered); later ones stay pending for the next part.
 */
static void rotate_now(struct sink *s)
{
	int64_t cut = rotate_cut(s->o.rot), a[4] = { 0, 0, 0, 0 };
	struct sink_stats part, open;

	for (int i = 0; i < s->nvms && !s->failed; i++) {
		struct vmrec *m = &s->vms[i];

		for (int j = 0; j < m->nv && !s->failed; j++) {
			struct vcpu_state *v = &m->v[j];

			if (v->hc_pending && v->hc_ts < cut) {
				v->hc_pending = false;
				s->open_calls++;
				a[0] = (int64_t)v->hc_req;
				a[1] = (int64_t)v->hc_flags;
				host_hcall(s, m, v, j, a, 0x3);
			}
			if (v->pf_pending && v->pf_ts < cut) {
				v->pf_pending = false;
				s->open_calls++;
				a[0] = (int64_t)v->pf_ea;
				row(s, v->pf_ts, v->pf_cpu, m->id, j, s->k_page_fault, a, 1);
			}
		}
	}
	if (s->failed)
		return;
	stats_minus(&open, &s->st, &s->part_base);
	stats_minus(&part, &open, &s->st_next);
	if (rotate_switch(s->o.rot, &s->w, &part, s->open_calls, s->o.t0) != 0) {
		fail(s, rotate_error(s->o.rot));
		return;
	}
	stats_minus(&s->part_base, &s->st, &s->st_next);
	memset(&s->st_next, 0, sizeof(s->st_next));
	s->open_calls = 0;
}

static void process(struct sink *s, struct chunk *c)
{
	uint64_t t = now_ns();

	for (size_t off = 0; off < c->used && !s->failed;) {
		uint32_t size;
		const struct tc_event *e = (const void *)(c->data + off + 8);

		memcpy(&size, c->data + off, sizeof(size));
		off += 8 + ((size + 7) & ~(size_t)7);
		if (size < sizeof(*e))
			continue;
		if (e->type == SINK_LOST_REC) {
			translate(s, e, size);
			continue;	/* its ts is the read time, not the ring's order */
		}
		if (e->type == TC_SWITCH_PAIR)
			take_pair(s, e);
		else
			take(s, e, size);
		if (s->o.rot && !s->failed &&
		    rotate_due(s->o.rot, e->ts > s->o.t0 ? (int64_t)(e->ts - s->o.t0) : 0))
			rotate_now(s);
	}
	s->st.busy_ns += now_ns() - t;
}

static void *writer_main(void *arg)
{
	struct sink *s = arg;

	for (;;) {
		struct chunk *c;

		pthread_mutex_lock(&s->lock);
		while (!s->head && !s->stopping)
			pthread_cond_wait(&s->ready, &s->lock);
		c = s->head;
		if (c) {
			s->head = c->next;
			if (!s->head)
				s->tail = NULL;
		}
		pthread_mutex_unlock(&s->lock);
		if (!c)
			break;	/* stopping and drained */
		if (!s->failed) {
			process(s, c);
			live_publish(s);
		}
		pthread_mutex_lock(&s->lock);
		c->next = s->free;
		s->free = c;
		pthread_cond_signal(&s->space);
		pthread_mutex_unlock(&s->lock);
	}
	if (!s->failed)
		write_pending(s);
	if (s->o.rot && !s->failed && s->w && rotate_end(s->o.rot, s->w))
		fail(s, rotate_error(s->o.rot));
	live_publish(s);
	{
		struct timespec t;

		if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) == 0)
			s->st.cpu_ns = (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
	}
	return NULL;
}

/* ------------------------------------------------------------ lifecycle -- */

struct sink *sink_create(struct tw *w, const struct sink_opts *o)
{
	struct sink *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->w = w;
	s->o = *o;
	if (s->o.page_size <= 0)
		s->o.page_size = 4096;
	s->next_vm_id = 1;
	for (int k = 0; k < TDB_NKINDS; k++)
		s->k[k] = tw_kind_id(w, (enum tdb_kind)k);
	s->k_vcore_run = tw_kind(w, "vcore_run", "runner_vcpu", "n_runnable", "where", "tgid");
	s->k_page_fault = tw_kind(w, "page_fault", "ea", "ret", NULL, NULL);
	s->k_hcall_args = o->hcall_args ? tw_kind(w, "hcall_args", "r5", "r6", "r7", "r8") : 0;
	s->k_kernel_flush = tw_kind(w, "kernel_flush", NULL, NULL, NULL, NULL);
	if (s->k_vcore_run < 0 || s->k_page_fault < 0 || s->k_hcall_args < 0 || s->k_kernel_flush < 0) {
		free(s);
		errno = EIO;
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->live_lock, NULL);
	pthread_cond_init(&s->ready, NULL);
	pthread_cond_init(&s->space, NULL);
	return s;
}

int sink_start(struct sink *s)
{
	int rc = pthread_create(&s->thread, NULL, writer_main, s);

	if (rc) {
		errno = rc;
		return -1;
	}
	s->started = true;
	return 0;
}

int sink_stop(struct sink *s)
{
	if (!s->started)
		return s->failed ? -1 : 0;
	sink_flush(s);
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_signal(&s->ready);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	s->started = false;
	s->st.rows = (s->w ? tw_event_count(s->w) : 0) +
		     (s->o.rot ? rotate_rows_closed(s->o.rot) : 0);
	return s->failed ? -1 : 0;
}

void sink_stats(const struct sink *s, struct sink_stats *st)
{
	*st = s->st;
}

struct tw *sink_writer(const struct sink *s)
{
	return s->w;
}

void sink_part_stats(const struct sink *s, struct sink_stats *st)
{
	stats_minus(st, &s->st, &s->part_base);
	if (s->o.rot)
		st->lost = rotate_lost(s->o.rot);
	st->rows = s->w ? tw_event_count(s->w) : 0;
}

const char *sink_error(const struct sink *s)
{
	return s->err[0] ? s->err : "unknown error";
}

bool sink_failed(struct sink *s, uint64_t *at)
{
	bool f;

	pthread_mutex_lock(&s->lock);
	f = s->failed;
	if (at)
		*at = s->failed_ns;
	pthread_mutex_unlock(&s->lock);
	return f;
}

int sink_live(struct sink *s, struct sink_live_vm *out, int max)
{
	int n;

	pthread_mutex_lock(&s->live_lock);
	n = s->nlive_pub < max ? s->nlive_pub : max;
	memcpy(out, s->live, sizeof(out[0]) * (size_t)n);
	pthread_mutex_unlock(&s->live_lock);
	return n;
}

void sink_free(struct sink *s)
{
	struct chunk *c, *n;

	if (!s)
		return;
	if (s->started)
		sink_stop(s);
	for (c = s->head; c; c = n) {
		n = c->next;
		free(c);
	}
	for (c = s->free; c; c = n) {
		n = c->next;
		free(c);
	}
	free(s->cur);
	for (int i = 0; i < s->nvms; i++)
		free(s->vms[i].v);
	free(s->vms);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->live_lock);
	pthread_cond_destroy(&s->ready);
	pthread_cond_destroy(&s->space);
	free(s);
}
