// SPDX-License-Identifier: MIT
/*
 * mapper.c - named trace events to schema v1 rows (see mapper.h for the
 * interface, the mapping and the algorithm).
 *
 * The hcall kprobe format (what the pseries sample's kprobe_events.txt defines,
 * and what a user can define on any guest kernel):
 *   call-site probe   a kprobe on the `bl plpar_hcall*` instruction of a C caller,
 *                     with a field `op` (r3: the opcode) and `rb` (r4), and
 *                     optionally `a1`..`a9` (r5..r10, then stack words);
 *   return-site probe a kprobe on the next instruction (probe address + 4), with a
 *                     field `rc` (r3: the return code) and optionally `ret0`..`ret8`
 *                     (the words the hcall wrote back).
 * A return probe carrying ret0 means the site calls plpar_hcall/plpar_hcall9:
 * `rb` was the return buffer and the hcall's first argument (flags, guest r4)
 * is `a1`. Without retN the site calls plpar_hcall_norets: `rb` is the flags.
 * n: H_REMOVE / H_PROTECT 1 when rc is 0; H_BULK_REMOVE the entries whose
 * returned control byte says success (ret0..ret7, common/hcall.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcall.h"
#include "mapper.h"

enum handler {
	HD_UNRESOLVED = 0,
	HD_UNKNOWN,
	HD_HCALL_ENTRY,		/* powerpc:hcall_entry */
	HD_HCALL_EXIT,		/* powerpc:hcall_exit */
	HD_KPROBE_CALL,		/* kprobe with op/rb */
	HD_KPROBE_RET,		/* kprobe with rc */
	HD_KVM_HCALL_ENTER,	/* kvm_hv:kvm_hcall_enter */
	HD_KVM_HCALL_EXIT,	/* kvm_hv:kvm_hcall_exit */
	HD_GUEST_ENTER,		/* kvm_hv:kvm_guest_enter, kvm:kvm_entry */
	HD_GUEST_EXIT,		/* kvm_hv:kvm_guest_exit */
	HD_KVM_EXIT,		/* kvm:kvm_exit (exit_reason) */
	HD_RUN_CORE,		/* kvm_hv:kvmppc_run_core */
	HD_PF_ENTER,		/* kvm_hv:kvm_page_fault_enter */
	HD_PF_EXIT,		/* kvm_hv:kvm_page_fault_exit */
	HD_SCHED_SWITCH,
	HD_SCHED_MIGRATE,
};

struct row {
	int64_t ts, cpu, vm, vcpu;
	int64_t a[4];
	int kind;
	int nargs;
	bool open;
};

/* An hcall still waiting for its exit or kprobe return. */
struct open_hcall {
	uint64_t seq;		/* its row in the FIFO */
	uint64_t opcode;
	bool by_kprobe;		/* opened by a kprobe call: closes at the kprobe return */
	bool tp_entered;	/* a tracepoint entry joined it */
	bool tp_exited;		/* the tracepoint exit was seen */
	int64_t tp_rc;
	const char *sym;	/* kprobe call location (sym + off); sym points into a name cache */
	uint64_t off;
	int64_t rb, arg1;	/* r4, r5 at the call */
};

struct cpu_state {
	struct open_hcall st[IMP_STACK];
	int depth;
	int64_t vm;		/* VM of the last kvmppc_run_core here, 0 none */
};

struct imp_map {
	struct imp_options opt;
	struct imp_sink sink;
	struct imp_stats st;
	char err[256];

	struct row *fifo;	/* ring, capacity cap (power of two) */
	uint64_t cap, head, tail;	/* absolute sequence numbers: head..tail-1 live */

	struct cpu_state *cpus[IMP_MAX_CPUS];

	unsigned char *types;	/* handler per type_key */
	int *type_name;		/* unknown-name slot per type_key, -1 none */
	int ntypes;

	char *syms[256];	/* kprobe symbols seen (text input), owned */
	int nsyms;

	int64_t vm_key[64];	/* identity of each VM seen (vm id = index + 1), see vm_of_key() */
	int nvm;
	struct { int64_t vm, id; } declared[1024];	/* vcpu rows already written */
	int ndeclared;
	bool kvm_entry_seen;	/* a KVM guest-entry tracepoint fired */
};

static int set_err(struct imp_map *m, const char *fmt, const char *what)
{
	snprintf(m->err, sizeof(m->err), fmt, what);
	return -1;
}

const char *imp_map_error(const struct imp_map *m)
{
	return m->err;
}

const struct imp_stats *imp_map_stats(const struct imp_map *m)
{
	return &m->st;
}

int imp_vcpu_of_comm(const char *comm)
{
	/* QEMU names its vcpu threads "CPU %d/%s" with the accelerator's name. */
	if (strncmp(comm, "CPU ", 4) != 0)
		return -1;
	const char *p = comm + 4;
	int n = 0, digits = 0;

	while (*p >= '0' && *p <= '9' && digits < 6) {
		n = n * 10 + (*p++ - '0');
		digits++;
	}
	if (!digits || *p != '/')
		return -1;
	p++;
	if (strcmp(p, "KVM") && strcmp(p, "TCG"))
		return -1;
	return n;
}

struct imp_map *imp_map_init(const struct imp_options *opt, const struct imp_sink *sink)
{
	struct imp_map *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->opt = *opt;
	m->sink = *sink;
	m->st.max_cpu = -1;
	m->cap = 1024;
	m->fifo = malloc(m->cap * sizeof(*m->fifo));
	if (!m->fifo) {
		free(m);
		return NULL;
	}
	return m;
}

void imp_map_free(struct imp_map *m)
{
	if (!m)
		return;
	free(m->fifo);
	for (int i = 0; i < IMP_MAX_CPUS; i++)
		free(m->cpus[i]);
	free(m->types);
	free(m->type_name);
	for (int i = 0; i < m->nsyms; i++)
		free(m->syms[i]);
	for (int i = 0; i < m->st.nnames; i++)
		free(m->st.names[i].name);
	free(m);
}

/* ---- time ---- */

static int64_t to_ns(struct imp_map *m, uint64_t raw)
{
	if (raw < m->st.raw_first) {
		m->st.ts_back++;
		return 0;
	}
	uint64_t d = raw - m->st.raw_first;

	if (!m->opt.ticks)
		return (int64_t)d;
	/* ticks -> ns without overflow: whole seconds, then the remainder (< hz < 2^32). */
	uint64_t hz = m->opt.timebase_hz;
	return (int64_t)((d / hz) * 1000000000ULL + (d % hz) * 1000000000ULL / hz);
}

/* ---- the row FIFO ---- */

static int fifo_grow(struct imp_map *m)
{
	uint64_t ncap = m->cap * 2;
	struct row *n = malloc(ncap * sizeof(*n));

	if (!n)
		return set_err(m, "cannot allocate %s", "the row queue");
	for (uint64_t s = m->head; s < m->tail; s++)
		n[s & (ncap - 1)] = m->fifo[s & (m->cap - 1)];
	free(m->fifo);
	m->fifo = n;
	m->cap = ncap;
	return 0;
}

static struct row *row_at(struct imp_map *m, uint64_t seq)
{
	return &m->fifo[seq & (m->cap - 1)];
}

static int emit_row(struct imp_map *m, const struct row *r)
{
	if (m->sink.event(m->sink.ctx, r->ts, r->cpu, r->vm, r->vcpu, r->kind, r->a, r->nargs))
		return -1;
	m->st.written++;
	m->st.per_kind[r->kind]++;
	return 0;
}

static void close_hcall_row(struct imp_map *m, struct row *r, const struct open_hcall *oh,
			    bool have_words, const uint64_t *words, int nwords, bool have_rc);

/* Write every complete row at the head. */
static int fifo_flush(struct imp_map *m)
{
	while (m->head < m->tail) {
		struct row *r = row_at(m, m->head);

		if (r->open)
			break;
		if (emit_row(m, r))
			return -1;
		m->head++;
	}
	return 0;
}

/* Forget the open-hcall entry (on any cpu stack) that points at @seq. */
static void drop_open(struct imp_map *m, uint64_t seq, struct open_hcall *out)
{
	for (int c = 0; c <= m->st.max_cpu && c < IMP_MAX_CPUS; c++) {
		struct cpu_state *cs = m->cpus[c];

		if (!cs)
			continue;
		for (int i = 0; i < cs->depth; i++) {
			if (cs->st[i].seq != seq)
				continue;
			*out = cs->st[i];
			memmove(&cs->st[i], &cs->st[i + 1], (size_t)(cs->depth - i - 1) * sizeof(cs->st[0]));
			cs->depth--;
			return;
		}
	}
	memset(out, 0, sizeof(*out));
	out->seq = seq;
}

/* Complete the head row with what is known, so that memory stays bounded. */
static void force_close_head(struct imp_map *m)
{
	struct row *r = row_at(m, m->head);
	struct open_hcall oh;

	drop_open(m, m->head, &oh);
	m->st.hcall_open_at_end++;
	if (oh.tp_exited)
		r->a[3] = oh.tp_rc;
	close_hcall_row(m, r, &oh, false, NULL, 0, oh.tp_exited);
}

static struct row *fifo_push(struct imp_map *m, uint64_t *seq)
{
	if (m->tail - m->head == m->cap) {
		if (m->cap >= IMP_FIFO_MAX) {
			force_close_head(m);
			if (fifo_flush(m))
				return NULL;
		} else if (fifo_grow(m)) {
			return NULL;
		}
	}
	*seq = m->tail;
	return row_at(m, m->tail++);
}

static int add_row(struct imp_map *m, int64_t ts, int64_t cpu, int64_t vm, int64_t vcpu,
		   int kind, const int64_t *a, int nargs)
{
	uint64_t seq;
	struct row *r;

	if (m->head == m->tail) {	/* nothing waiting: straight out */
		struct row tmp = { ts, cpu, vm, vcpu, { 0 }, kind, nargs, false };

		if (nargs)
			memcpy(tmp.a, a, (size_t)nargs * sizeof(*a));
		return emit_row(m, &tmp);
	}
	r = fifo_push(m, &seq);
	if (!r)
		return -1;
	*r = (struct row){ ts, cpu, vm, vcpu, { 0 }, kind, nargs, false };
	if (nargs)
		memcpy(r->a, a, (size_t)nargs * sizeof(*a));
	return 0;
}

/* ---- hcalls ---- */

static struct cpu_state *cpu_state(struct imp_map *m, int cpu)
{
	if (!m->cpus[cpu])
		m->cpus[cpu] = calloc(1, sizeof(struct cpu_state));
	return m->cpus[cpu];
}

/* n of a completed hcall (trace-schema-v1.md: what the capture could establish). */
static int64_t hcall_n(struct imp_map *m, uint64_t opcode, int64_t rc, bool have_words,
		       const uint64_t *words, int nwords)
{
	switch (opcode) {
	case H_REMOVE:
	case H_PROTECT:
		return rc == H_SUCCESS;
	case H_BULK_REMOVE:
		if (have_words)
			return hcall_bulk_success(words, nwords);
		m->st.hcall_n_assumed++;
		return rc == H_SUCCESS ? m->opt.bulk_n_unknown : 0;
	default:
		return 0;
	}
}

static void close_hcall_row(struct imp_map *m, struct row *r, const struct open_hcall *oh,
			    bool have_words, const uint64_t *words, int nwords, bool have_rc)
{
	if (!oh->by_kprobe)
		m->st.hcall_no_args++;
	r->open = false;
	if (!have_rc) {	/* never returned in the capture: rc unknown (NULL), nothing established */
		r->a[2] = 0;
		r->nargs = 3;
		return;
	}
	r->a[2] = hcall_n(m, (uint64_t)r->a[0], r->a[3], have_words, words, nwords);
	r->nargs = 4;
}

static struct row *open_row(struct imp_map *m, struct cpu_state *cs, int64_t ts, int64_t cpu,
			    int64_t vm, int64_t vcpu, uint64_t opcode, struct open_hcall **ohp)
{
	uint64_t seq;
	struct row *r;

	if (cs->depth == IMP_STACK) {	/* deeper than any real nesting: close the oldest */
		struct row *old = row_at(m, cs->st[0].seq);
		struct open_hcall oh = cs->st[0];

		memmove(&cs->st[0], &cs->st[1], (IMP_STACK - 1) * sizeof(cs->st[0]));
		cs->depth--;
		m->st.hcall_open_at_end++;
		if (oh.tp_exited)
			old->a[3] = oh.tp_rc;
		close_hcall_row(m, old, &oh, false, NULL, 0, oh.tp_exited);
	}
	r = fifo_push(m, &seq);
	if (!r)
		return NULL;
	*r = (struct row){ ts, cpu, vm, vcpu, { (int64_t)opcode, 0, 0, 0 }, TDB_HCALL, 4, true };
	struct open_hcall *oh = &cs->st[cs->depth++];

	memset(oh, 0, sizeof(*oh));
	oh->seq = seq;
	oh->opcode = opcode;
	*ohp = oh;
	return r;
}

static void pop_open(struct cpu_state *cs, int i)
{
	memmove(&cs->st[i], &cs->st[i + 1], (size_t)(cs->depth - i - 1) * sizeof(cs->st[0]));
	cs->depth--;
}

/* Where a guest-side hcall goes: guest capture -> vm 1, vcpu = cpu, cpu -1. */
static void guest_place(struct imp_map *m, int cpu, int64_t *hcpu, int64_t *vm, int64_t *vcpu)
{
	*hcpu = -1;
	*vm = 1;
	*vcpu = cpu;
	(void)m;
}

static int on_hcall_entry(struct imp_map *m, const struct imp_event *ev, int64_t ts)
{
	int64_t op, hcpu, vm, vcpu;
	struct cpu_state *cs = cpu_state(m, ev->cpu);

	if (!cs)
		return set_err(m, "cannot allocate %s", "cpu state");
	if (ev->f.get_int(ev->f.ctx, "opcode", &op)) {
		m->st.skipped++;
		m->st.skip_no_field++;
		return 0;
	}
	/* A kprobe call on this cpu that this entry belongs to? */
	for (int i = cs->depth - 1; i >= 0; i--) {
		struct open_hcall *oh = &cs->st[i];

		if (oh->by_kprobe && !oh->tp_entered && oh->opcode == (uint64_t)op) {
			oh->tp_entered = true;
			m->st.skipped++;
			m->st.skip_hcall_exit++;
			return 0;
		}
	}
	struct open_hcall *oh;

	guest_place(m, ev->cpu, &hcpu, &vm, &vcpu);
	if (!open_row(m, cs, ts, hcpu, vm, vcpu, (uint64_t)op, &oh))
		return -1;
	oh->tp_entered = true;
	return 0;
}

static int on_hcall_exit(struct imp_map *m, const struct imp_event *ev)
{
	int64_t op, rc;
	struct cpu_state *cs = cpu_state(m, ev->cpu);

	if (!cs)
		return set_err(m, "cannot allocate %s", "cpu state");
	m->st.skipped++;
	if (ev->f.get_int(ev->f.ctx, "opcode", &op) || ev->f.get_int(ev->f.ctx, "retval", &rc)) {
		m->st.skip_no_field++;
		return 0;
	}
	for (int i = cs->depth - 1; i >= 0; i--) {
		struct open_hcall *oh = &cs->st[i];

		if (!oh->tp_entered || oh->tp_exited || oh->opcode != (uint64_t)op)
			continue;
		m->st.skip_hcall_exit++;
		oh->tp_exited = true;
		oh->tp_rc = rc;
		if (oh->by_kprobe)	/* its kprobe return completes it */
			return 0;
		struct row *r = row_at(m, oh->seq);

		r->a[3] = rc;
		struct open_hcall copy = *oh;

		pop_open(cs, i);
		close_hcall_row(m, r, &copy, false, NULL, 0, true);
		return fifo_flush(m);
	}
	m->st.skip_unpaired++;
	return 0;
}

static const char *intern_sym(struct imp_map *m, const char *sym)
{
	for (int i = 0; i < m->nsyms; i++)
		if (!strcmp(m->syms[i], sym))
			return m->syms[i];
	if (m->nsyms == (int)(sizeof(m->syms) / sizeof(m->syms[0])))
		return NULL;
	m->syms[m->nsyms] = strdup(sym);
	return m->syms[m->nsyms] ? m->syms[m->nsyms++] : NULL;
}

static int on_kprobe_call(struct imp_map *m, const struct imp_event *ev, int64_t ts)
{
	int64_t op, rb, a1 = 0, hcpu, vm, vcpu;
	struct cpu_state *cs = cpu_state(m, ev->cpu);
	const char *sym = intern_sym(m, ev->probe_sym ? ev->probe_sym : "");

	if (!cs || !sym)
		return set_err(m, "cannot allocate %s", "kprobe state");
	if (ev->f.get_int(ev->f.ctx, "op", &op) || ev->f.get_int(ev->f.ctx, "rb", &rb)) {
		m->st.skipped++;
		m->st.skip_no_field++;
		return 0;
	}
	(void)ev->f.get_int(ev->f.ctx, "a1", &a1);	/* absent: flags come from rb */
	struct open_hcall *oh;

	guest_place(m, ev->cpu, &hcpu, &vm, &vcpu);
	if (!open_row(m, cs, ts, hcpu, vm, vcpu, (uint64_t)op, &oh))
		return -1;
	oh->by_kprobe = true;
	oh->sym = sym;
	oh->off = ev->probe_off;
	oh->rb = rb;
	oh->arg1 = a1;
	return 0;
}

static int on_kprobe_ret(struct imp_map *m, const struct imp_event *ev)
{
	int64_t rc;
	struct cpu_state *cs = cpu_state(m, ev->cpu);
	const char *sym = ev->probe_sym ? ev->probe_sym : "";

	if (!cs)
		return set_err(m, "cannot allocate %s", "cpu state");
	m->st.skipped++;
	if (ev->f.get_int(ev->f.ctx, "rc", &rc)) {
		m->st.skip_no_field++;
		return 0;
	}
	for (int i = cs->depth - 1; i >= 0; i--) {
		struct open_hcall *oh = &cs->st[i];

		/* The return probe sits on the instruction after the call (4 bytes on POWER). */
		if (!oh->by_kprobe || strcmp(oh->sym, sym) || oh->off + 4 != ev->probe_off)
			continue;
		uint64_t words[8];
		int64_t w;
		bool have_words = ev->f.get_int(ev->f.ctx, "ret0", &w) == 0;
		struct row *r = row_at(m, oh->seq);
		struct open_hcall copy = *oh;
		int nwords = 0;

		if (have_words) {
			for (nwords = 0; nwords < 8; nwords++) {
				char name[16];

				snprintf(name, sizeof(name), "ret%d", nwords);
				if (ev->f.get_int(ev->f.ctx, name, &w))
					break;
				words[nwords] = (uint64_t)w;
			}
		}
		/* plpar_hcall sites (retN present) pass the buffer in r4, flags in r5. */
		r->a[1] = have_words ? copy.arg1 : copy.rb;
		r->a[3] = rc;
		if (copy.tp_exited && copy.tp_rc != rc)
			m->st.hcall_rc_mismatch++;
		m->st.skip_hcall_exit++;
		m->st.hcall_with_args++;
		pop_open(cs, i);
		close_hcall_row(m, r, &copy, have_words, words, nwords, true);
		return fifo_flush(m);
	}
	m->st.skip_unpaired++;
	return 0;
}

/* Host-side hcalls that left real mode: kvm_hv:kvm_hcall_enter/exit. */
static int64_t vm_of_cpu(struct imp_map *m, int cpu)
{
	struct cpu_state *cs = m->cpus[cpu];

	return cs && cs->vm ? cs->vm : 1;
}

static int on_kvm_hcall_enter(struct imp_map *m, const struct imp_event *ev, int64_t ts)
{
	int64_t vcpu, req, gpr4 = 0;
	struct cpu_state *cs = cpu_state(m, ev->cpu);
	struct open_hcall *oh;

	if (!cs)
		return set_err(m, "cannot allocate %s", "cpu state");
	if (ev->f.get_int(ev->f.ctx, "vcpu_id", &vcpu) || ev->f.get_int(ev->f.ctx, "req", &req)) {
		m->st.skipped++;
		m->st.skip_no_field++;
		return 0;
	}
	(void)ev->f.get_int(ev->f.ctx, "gpr4", &gpr4);
	struct row *r = open_row(m, cs, ts, ev->cpu, vm_of_cpu(m, ev->cpu), vcpu, (uint64_t)req, &oh);

	if (!r)
		return -1;
	r->a[1] = gpr4;
	oh->tp_entered = true;
	return 0;
}

static int on_kvm_hcall_exit(struct imp_map *m, const struct imp_event *ev)
{
	int64_t rc;
	struct cpu_state *cs = cpu_state(m, ev->cpu);

	if (!cs)
		return set_err(m, "cannot allocate %s", "cpu state");
	m->st.skipped++;
	/* an exit whose rc cannot be read still closes its hcall (rc unknown) */
	bool have_rc = ev->f.get_int(ev->f.ctx, "hcall_rc", &rc) == 0;

	for (int i = cs->depth - 1; i >= 0; i--) {
		struct open_hcall *oh = &cs->st[i];

		if (oh->by_kprobe || !oh->tp_entered)
			continue;
		struct row *r = row_at(m, oh->seq);
		struct open_hcall copy = *oh;

		if (have_rc)
			r->a[3] = rc;
		m->st.skip_hcall_exit++;
		pop_open(cs, i);
		close_hcall_row(m, r, &copy, false, NULL, 0, have_rc);
		return fifo_flush(m);
	}
	m->st.skip_unpaired++;
	return 0;
}

/* ---- placement ---- */

static int declare_vcpu(struct imp_map *m, int64_t vm, int64_t id, int64_t tid, const char *comm)
{
	for (int i = 0; i < m->ndeclared; i++)
		if (m->declared[i].vm == vm && m->declared[i].id == id)
			return 0;
	if (m->ndeclared == (int)(sizeof(m->declared) / sizeof(m->declared[0])))
		return 0;
	m->declared[m->ndeclared].vm = vm;
	m->declared[m->ndeclared++].id = id;
	return m->sink.vcpu ? m->sink.vcpu(m->sink.ctx, vm, id, tid, comm) : 0;
}

/*
 * A VM's id from what identifies it: the tgid of kvm_hv events (key = tgid),
 * or, for vcpu threads seen only by the scheduler, tid - vcpu number (key =
 * -(tid - vcpu) - 1): QEMU starts its vcpu threads one after the other, so
 * "CPU 0/TCG" .. "CPU 3/TCG" of one VM share that base and another VM's don't.
 * Ids are given in order of first appearance.
 */
static int64_t vm_of_key(struct imp_map *m, int64_t key, int64_t pid, const char *how)
{
	for (int i = 0; i < m->nvm; i++)
		if (m->vm_key[i] == key)
			return i + 1;
	if (m->nvm == (int)(sizeof(m->vm_key) / sizeof(m->vm_key[0])))
		return m->nvm;	/* more VMs than tracked: the last id takes them */
	m->vm_key[m->nvm++] = key;
	if (m->sink.vm && m->sink.vm(m->sink.ctx, m->nvm, pid, how))
		return -1;
	return m->nvm;
}

static int64_t vm_of_tgid(struct imp_map *m, int64_t tgid)
{
	return vm_of_key(m, tgid, tgid, "tgid");
}

static int64_t vm_of_thread(struct imp_map *m, int64_t tid, int vcpu)
{
	if (tid < 0)
		return vm_of_key(m, INT64_MIN, -1, "vcpu threads");
	return vm_of_key(m, -(tid - vcpu) - 1, tid - vcpu, "vcpu threads from tid");
}

static bool switch_enter_on(const struct imp_map *m)
{
	/* auto: until a KVM entry tracepoint fires (formats of absent events are often saved too) */
	if (m->opt.switch_enter == IMP_SWITCH_AUTO)
		return !m->kvm_entry_seen;
	return m->opt.switch_enter == IMP_SWITCH_YES;
}

static int on_sched_switch(struct imp_map *m, const struct imp_event *ev, int64_t ts)
{
	char prev[64], next[64];
	int64_t prev_pid = -1, next_pid = -1;
	int written = 0;

	if (m->opt.guest) {
		m->st.skipped++;
		m->st.skip_guest_sched++;
		return 0;
	}
	if (!switch_enter_on(m)) {
		m->st.skipped++;
		m->st.skip_not_vcpu++;
		return 0;
	}
	if (ev->f.get_str(ev->f.ctx, "prev_comm", prev, sizeof(prev)) ||
	    ev->f.get_str(ev->f.ctx, "next_comm", next, sizeof(next))) {
		m->st.skipped++;
		m->st.skip_no_field++;
		return 0;
	}
	int pv = imp_vcpu_of_comm(prev), nv = imp_vcpu_of_comm(next);

	(void)ev->f.get_int(ev->f.ctx, "prev_pid", &prev_pid);
	(void)ev->f.get_int(ev->f.ctx, "next_pid", &next_pid);
	if (pv >= 0) {	/* the vcpu thread leaves this cpu: its guest exits here */
		int64_t vm = vm_of_thread(m, prev_pid, pv);

		if (vm < 0 || declare_vcpu(m, vm, pv, prev_pid, prev) ||
		    add_row(m, ts, ev->cpu, vm, pv, TDB_GUEST_EXIT, NULL, 0))
			return -1;
		written++;
	}
	if (nv >= 0) {	/* switch-in of a vcpu thread: its guest_enter on this cpu */
		int64_t vm = vm_of_thread(m, next_pid, nv);

		if (vm < 0 || declare_vcpu(m, vm, nv, next_pid, next) ||
		    add_row(m, ts, ev->cpu, vm, nv, TDB_GUEST_ENTER, NULL, 0))
			return -1;
		written++;
	}
	if (!written) {
		m->st.skipped++;
		m->st.skip_not_vcpu++;
	}
	return 0;
}

static int on_sched_migrate(struct imp_map *m, const struct imp_event *ev, int64_t ts)
{
	char comm[64];
	int64_t orig, dest, pid = -1;

	m->st.skipped++;
	if (m->opt.guest) {
		m->st.skip_guest_sched++;
		return 0;
	}
	if (ev->f.get_str(ev->f.ctx, "comm", comm, sizeof(comm)) ||
	    ev->f.get_int(ev->f.ctx, "orig_cpu", &orig) || ev->f.get_int(ev->f.ctx, "dest_cpu", &dest)) {
		m->st.skip_no_field++;
		return 0;
	}
	int v = imp_vcpu_of_comm(comm);

	if (v < 0) {
		m->st.skip_not_vcpu++;
		return 0;
	}
	m->st.skipped--;
	(void)ev->f.get_int(ev->f.ctx, "pid", &pid);
	int64_t vm = vm_of_thread(m, pid, v);

	if (vm < 0 || declare_vcpu(m, vm, v, pid, comm))
		return -1;
	return add_row(m, ts, dest, vm, v, TDB_MIGRATE, &orig, 1);
}

static int on_guest_enter(struct imp_map *m, const struct imp_event *ev, int64_t ts)
{
	int64_t vcpu;

	m->kvm_entry_seen = true;
	if (ev->f.get_int(ev->f.ctx, "vcpu_id", &vcpu)) {
		m->st.skipped++;
		m->st.skip_no_field++;
		return 0;
	}
	return add_row(m, ts, ev->cpu, vm_of_cpu(m, ev->cpu), vcpu, TDB_GUEST_ENTER, NULL, 0);
}

static int on_guest_exit(struct imp_map *m, const struct imp_event *ev, int64_t ts, const char *trap_field)
{
	int64_t vcpu, trap;

	if (ev->f.get_int(ev->f.ctx, "vcpu_id", &vcpu)) {
		m->st.skipped++;
		m->st.skip_no_field++;
		return 0;
	}
	if (ev->f.get_int(ev->f.ctx, trap_field, &trap))
		return add_row(m, ts, ev->cpu, vm_of_cpu(m, ev->cpu), vcpu, TDB_GUEST_EXIT, NULL, 0);
	return add_row(m, ts, ev->cpu, vm_of_cpu(m, ev->cpu), vcpu, TDB_GUEST_EXIT, &trap, 1);
}

static int on_run_core(struct imp_map *m, const struct imp_event *ev, int64_t ts)
{
	int64_t a[4];

	if (ev->f.get_int(ev->f.ctx, "runner_vcpu", &a[0]) ||
	    ev->f.get_int(ev->f.ctx, "n_runnable", &a[1]) ||
	    ev->f.get_int(ev->f.ctx, "where", &a[2]) || ev->f.get_int(ev->f.ctx, "tgid", &a[3])) {
		m->st.skipped++;
		m->st.skip_no_field++;
		return 0;
	}
	int64_t vm = vm_of_tgid(m, a[3]);
	struct cpu_state *cs = cpu_state(m, ev->cpu);

	if (vm < 0 || !cs)
		return -1;
	cs->vm = vm;
	return add_row(m, ts, ev->cpu, vm, a[0], IMP_KIND_VCORE_RUN, a, 4);
}

static int on_page_fault(struct imp_map *m, const struct imp_event *ev, int64_t ts)
{
	int64_t vcpu, ea;

	if (ev->f.get_int(ev->f.ctx, "vcpu_id", &vcpu) || ev->f.get_int(ev->f.ctx, "ea", &ea)) {
		m->st.skipped++;
		m->st.skip_no_field++;
		return 0;
	}
	return add_row(m, ts, ev->cpu, vm_of_cpu(m, ev->cpu), vcpu, IMP_KIND_PAGE_FAULT, &ea, 1);
}

/* ---- dispatch ---- */

static bool is(const struct imp_event *ev, const char *sys, const char *name)
{
	return !strcmp(ev->name, name) && (!ev->system || !strcmp(ev->system, sys));
}

static enum handler resolve(const struct imp_event *ev)
{
	int64_t v;

	if (ev->is_kprobe) {
		if (!ev->f.get_int(ev->f.ctx, "op", &v) && !ev->f.get_int(ev->f.ctx, "rb", &v))
			return HD_KPROBE_CALL;
		if (!ev->f.get_int(ev->f.ctx, "rc", &v))
			return HD_KPROBE_RET;
		return HD_UNKNOWN;
	}
	static const struct { const char *sys, *name; enum handler h; } tab[] = {
		{ "powerpc", "hcall_entry", HD_HCALL_ENTRY },
		{ "powerpc", "hcall_exit", HD_HCALL_EXIT },
		{ "kvm_hv", "kvm_hcall_enter", HD_KVM_HCALL_ENTER },
		{ "kvm_hv", "kvm_hcall_exit", HD_KVM_HCALL_EXIT },
		{ "kvm_hv", "kvm_guest_enter", HD_GUEST_ENTER },
		{ "kvm_hv", "kvm_guest_exit", HD_GUEST_EXIT },
		{ "kvm", "kvm_entry", HD_GUEST_ENTER },
		{ "kvm", "kvm_exit", HD_KVM_EXIT },
		{ "kvm_hv", "kvmppc_run_core", HD_RUN_CORE },
		{ "kvm_hv", "kvm_page_fault_enter", HD_PF_ENTER },
		{ "kvm_hv", "kvm_page_fault_exit", HD_PF_EXIT },
		{ "sched", "sched_switch", HD_SCHED_SWITCH },
		{ "sched", "sched_migrate_task", HD_SCHED_MIGRATE },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (is(ev, tab[i].sys, tab[i].name))
			return tab[i].h;
	return HD_UNKNOWN;
}

static int type_slot(struct imp_map *m, int key)
{
	if (key < m->ntypes)
		return 0;
	int n = m->ntypes ? m->ntypes : 64;

	while (n <= key)
		n *= 2;
	unsigned char *t = realloc(m->types, (size_t)n);

	if (!t)
		return -1;
	m->types = t;
	int *tn = realloc(m->type_name, (size_t)n * sizeof(int));

	if (!tn)
		return -1;
	m->type_name = tn;
	for (int i = m->ntypes; i < n; i++) {
		m->types[i] = HD_UNRESOLVED;
		m->type_name[i] = -1;
	}
	m->ntypes = n;
	return 0;
}

static int count_unknown(struct imp_map *m, const struct imp_event *ev, int key)
{
	m->st.unknown++;
	if (key >= 0 && m->type_name[key] >= 0) {
		m->st.names[m->type_name[key]].count++;
		return 0;
	}
	char full[160];

	snprintf(full, sizeof(full), "%s%s%s", ev->system ? ev->system : "",
		 ev->system ? ":" : "", ev->name);
	for (int i = 0; i < m->st.nnames; i++) {
		if (!strcmp(m->st.names[i].name, full)) {
			m->st.names[i].count++;
			if (key >= 0)
				m->type_name[key] = i;
			return 0;
		}
	}
	if (m->st.nnames == IMP_MAX_NAMES) {
		m->st.names_overflow++;
		return 0;
	}
	char *d = strdup(full);

	if (!d)
		return set_err(m, "cannot allocate %s", "an event name");
	m->st.names[m->st.nnames] = (struct imp_name_count){ d, 1 };
	if (key >= 0)
		m->type_name[key] = m->st.nnames;
	m->st.nnames++;
	return 0;
}

int imp_map_event(struct imp_map *m, const struct imp_event *ev)
{
	enum handler h = HD_UNRESOLVED;
	int key = ev->type_key;

	if (ev->cpu < 0 || ev->cpu >= IMP_MAX_CPUS) {
		char what[32];

		snprintf(what, sizeof(what), "%d", ev->cpu);
		return set_err(m, "cpu %s out of range", what);
	}
	if (!m->st.any) {
		m->st.any = true;
		m->st.raw_first = ev->ts;
	}
	m->st.raw_last = ev->ts;
	m->st.read++;
	if (ev->cpu > m->st.max_cpu)
		m->st.max_cpu = ev->cpu;
	if (key >= 0) {
		if (type_slot(m, key))
			return set_err(m, "cannot allocate %s", "event types");
		h = m->types[key];
	}
	if (h == HD_UNRESOLVED) {
		h = resolve(ev);
		if (key >= 0)
			m->types[key] = (unsigned char)h;
	}
	int64_t ts = to_ns(m, ev->ts);

	switch (h) {
	case HD_HCALL_ENTRY: return on_hcall_entry(m, ev, ts);
	case HD_HCALL_EXIT: return on_hcall_exit(m, ev);
	case HD_KPROBE_CALL: return on_kprobe_call(m, ev, ts);
	case HD_KPROBE_RET: return on_kprobe_ret(m, ev);
	case HD_KVM_HCALL_ENTER: return on_kvm_hcall_enter(m, ev, ts);
	case HD_KVM_HCALL_EXIT: return on_kvm_hcall_exit(m, ev);
	case HD_GUEST_ENTER: return on_guest_enter(m, ev, ts);
	case HD_GUEST_EXIT: return on_guest_exit(m, ev, ts, "trap");
	case HD_KVM_EXIT: return on_guest_exit(m, ev, ts, "exit_reason");
	case HD_RUN_CORE: return on_run_core(m, ev, ts);
	case HD_PF_ENTER: return on_page_fault(m, ev, ts);
	case HD_PF_EXIT:
		m->st.skipped++;
		m->st.skip_other++;
		return 0;
	case HD_SCHED_SWITCH: return on_sched_switch(m, ev, ts);
	case HD_SCHED_MIGRATE: return on_sched_migrate(m, ev, ts);
	default:
		return count_unknown(m, ev, key);
	}
}

int imp_map_lost(struct imp_map *m, uint64_t ts, int cpu, int64_t count)
{
	if (cpu < 0 || cpu >= IMP_MAX_CPUS)
		return set_err(m, "cpu %s out of range", "of a lost-events marker");
	if (!m->st.any) {
		m->st.any = true;
		m->st.raw_first = ts;
	}
	if (count < 0) {
		m->st.lost_unknown++;
		return add_row(m, to_ns(m, ts), cpu, 0, -1, TDB_LOST, NULL, 0);
	}
	m->st.lost += count;
	return add_row(m, to_ns(m, ts), cpu, 0, -1, TDB_LOST, &count, 1);
}

void imp_map_set_ticks(struct imp_map *m, bool ticks, uint64_t timebase_hz)
{
	m->opt.ticks = ticks;
	m->opt.timebase_hz = timebase_hz;
}

int imp_map_finish(struct imp_map *m)
{
	while (m->head < m->tail) {
		if (row_at(m, m->head)->open)
			force_close_head(m);
		if (fifo_flush(m))
			return -1;
	}
	return 0;
}
