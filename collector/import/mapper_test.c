// SPDX-License-Identifier: MIT
/*
 * mapper_test.c - the mapper's host-side KVM rules, fed event by event (run by
 * tests/t4006-import-kvm-rules.sh). No machine here fires kvm_hv or kvm events
 * (no POWER host, no hardware virtualisation), so these rules are exercised
 * through the mapper's own interface with events shaped as the kernel's
 * TP_STRUCT__entry declares them (spec/kernel-policy.md section 4).
 * Every expected row is worked out by hand next to its events.
 */
#include <stdio.h>
#include <string.h>

#include "mapper.h"
#include "tap.h"

/* One event's fields: name=value pairs. */
struct fields {
	const char *name[8];
	int64_t val[8];
	int n;
};

static int get_int(void *ctx, const char *field, int64_t *out)
{
	const struct fields *f = ctx;

	for (int i = 0; i < f->n; i++)
		if (!strcmp(f->name[i], field)) {
			*out = f->val[i];
			return 0;
		}
	return -1;
}

static int get_str(void *ctx, const char *field, char *buf, int len)
{
	(void)ctx; (void)field; (void)buf; (void)len;
	return -1;
}

#define MAXROWS 64
static struct row {
	int64_t ts, cpu, vm, vcpu;
	int kind, nargs;
	int64_t a[4];
} rows[MAXROWS];
static int nrows;
static int64_t vm_pid[8];

static int sink_event(void *ctx, int64_t ts, int64_t cpu, int64_t vm, int64_t vcpu, int kind,
		      const int64_t *a, int nargs)
{
	(void)ctx;
	if (nrows == MAXROWS)
		return -1;
	rows[nrows] = (struct row){ ts, cpu, vm, vcpu, kind, nargs, { 0 } };
	memcpy(rows[nrows].a, a, (size_t)nargs * sizeof(*a));
	nrows++;
	return 0;
}

static int sink_vm(void *ctx, int64_t id, int64_t pid, const char *how)
{
	(void)ctx; (void)how;
	if (id > 0 && id < 8)
		vm_pid[id] = pid;
	return 0;
}

static struct imp_map *m;

static void ev(const char *sys, const char *name, int key, uint64_t ts, int cpu, struct fields f)
{
	struct imp_event e = { .ts = ts, .cpu = cpu, .pid = -1, .system = sys, .name = name,
			       .type_key = key, .f = { get_int, get_str, &f } };

	if (imp_map_event(m, &e))
		printf("# mapper error: %s\n", imp_map_error(m));
}

#define F(...) ((struct fields){ __VA_ARGS__ })

int main(void)
{
	struct imp_options o = { .bulk_n_unknown = 4 };
	struct imp_sink sink = { sink_event, NULL, sink_vm, NULL };

	m = imp_map_init(&o, &sink);
	TAP_OK("4006.1 mapper created", m != NULL);
	if (!m)
		return 1;
	/* t=1000 cpu 8: vcore of VM tgid 4242 enters (where 0) with runner vcpu 0, 2 runnable
	 * -> vcore_run row, VM 1 (first tgid), vcpu 0, args (0, 2, 0, 4242) */
	ev("kvm_hv", "kvmppc_run_core", 1, 1000, 8,
	   F({ "n_runnable", "runner_vcpu", "where", "tgid" }, { 2, 0, 0, 4242 }, 4));
	/* t=1100 cpu 8: vcpu 0 enters the guest -> guest_enter cpu 8, vm 1 (the vcore's) */
	ev("kvm_hv", "kvm_guest_enter", 2, 1100, 8, F({ "vcpu_id", "pc" }, { 0, 0x100 }, 2));
	/* t=1200 cpu 8: hcall H_REMOVE (4) that left real mode, flags (gpr4) H_AVPN */
	ev("kvm_hv", "kvm_hcall_enter", 3, 1200, 8,
	   F({ "vcpu_id", "req", "gpr4", "gpr5" }, { 0, 4, 0x80000000, 7 }, 4));
	/* t=1250 cpu 8: it returns H_NOT_FOUND (-7) -> hcall row at 1200: n 0, rc -7 */
	ev("kvm_hv", "kvm_hcall_exit", 4, 1250, 8, F({ "vcpu_id", "ret", "hcall_rc" }, { 0, 1, -7 }, 3));
	/* t=1300 cpu 8: H_PROTECT (0x18) returning 0 -> n 1 */
	ev("kvm_hv", "kvm_hcall_enter", 3, 1300, 8,
	   F({ "vcpu_id", "req", "gpr4" }, { 0, 0x18, 0x10000000 }, 3));
	ev("kvm_hv", "kvm_hcall_exit", 4, 1350, 8, F({ "vcpu_id", "ret", "hcall_rc" }, { 0, 1, 0 }, 3));
	/* t=1400 cpu 8: H_BULK_REMOVE, no return words on the host side -> n assumed 4 */
	ev("kvm_hv", "kvm_hcall_enter", 3, 1400, 8, F({ "vcpu_id", "req", "gpr4" }, { 0, 0x124, 0 }, 3));
	ev("kvm_hv", "kvm_hcall_exit", 4, 1450, 8, F({ "vcpu_id", "ret", "hcall_rc" }, { 0, 1, 0 }, 3));
	/* t=1500 cpu 8: page fault of vcpu 0 at ea 0x7000 -> page_fault row (a0 ea) */
	ev("kvm_hv", "kvm_page_fault_enter", 5, 1500, 8, F({ "vcpu_id", "ea" }, { 0, 0x7000 }, 2));
	ev("kvm_hv", "kvm_page_fault_exit", 6, 1550, 8, F({ "vcpu_id", "ret" }, { 0, 0 }, 2));
	/* t=1600 cpu 8: vcpu 0 exits with trap 0x980 (HV decrementer) -> guest_exit a0 0x980 */
	ev("kvm_hv", "kvm_guest_exit", 7, 1600, 8, F({ "vcpu_id", "trap" }, { 0, 0x980 }, 2));
	/* t=1700 cpu 16: a second VM (tgid 5151) -> VM 2, its vcpu 1 enters on cpu 16 */
	ev("kvm_hv", "kvmppc_run_core", 1, 1700, 16,
	   F({ "n_runnable", "runner_vcpu", "where", "tgid" }, { 1, 1, 0, 5151 }, 4));
	ev("kvm_hv", "kvm_guest_enter", 2, 1800, 16, F({ "vcpu_id" }, { 1 }, 1));
	/* t=1900 cpu 3: generic kvm:kvm_exit (x86 names): guest_exit with exit_reason 30 */
	ev("kvm", "kvm_exit", 8, 1900, 3, F({ "exit_reason", "vcpu_id" }, { 30, 2 }, 2));
	/* an unknown kvm event is counted by name, not mapped */
	ev("kvm", "kvm_vcpu_wakeup", 9, 2000, 3, F({ "ns" }, { 5 }, 1));
	TAP_OK("4006.2 finish", imp_map_finish(m) == 0);

	/* the rows, in time order (ts relative to the first event, 1000) */
	struct row want[] = {
		{ 0, 8, 1, 0, IMP_KIND_VCORE_RUN, 4, { 0, 2, 0, 4242 } },
		{ 100, 8, 1, 0, TDB_GUEST_ENTER, 0, { 0 } },
		{ 200, 8, 1, 0, TDB_HCALL, 4, { 4, 0x80000000, 0, -7 } },
		{ 300, 8, 1, 0, TDB_HCALL, 4, { 0x18, 0x10000000, 1, 0 } },
		{ 400, 8, 1, 0, TDB_HCALL, 4, { 0x124, 0, 4, 0 } },
		{ 500, 8, 1, 0, IMP_KIND_PAGE_FAULT, 1, { 0x7000 } },
		{ 600, 8, 1, 0, TDB_GUEST_EXIT, 1, { 0x980 } },
		{ 700, 16, 2, 1, IMP_KIND_VCORE_RUN, 4, { 1, 1, 0, 5151 } },
		{ 800, 16, 2, 1, TDB_GUEST_ENTER, 0, { 0 } },
		{ 900, 3, 1, 2, TDB_GUEST_EXIT, 1, { 30 } },
	};
	int nw = (int)(sizeof(want) / sizeof(want[0]));

	tap_eq_i64("4006.3 row count", nw, nrows);
	for (int i = 0; i < nw && i < nrows; i++) {
		char d[64];
		const struct row *w = &want[i], *g = &rows[i];
		int same = w->ts == g->ts && w->cpu == g->cpu && w->vm == g->vm && w->vcpu == g->vcpu &&
			   w->kind == g->kind && w->nargs == g->nargs && !memcmp(w->a, g->a, sizeof(w->a));

		snprintf(d, sizeof(d), "4006.4.%d row %d", i + 1, i + 1);
		TAP_OK(d, same);
		if (!same)
			printf("#   got ts %lld cpu %lld vm %lld vcpu %lld kind %d nargs %d a %lld %lld %lld %lld\n",
			       (long long)g->ts, (long long)g->cpu, (long long)g->vm, (long long)g->vcpu, g->kind,
			       g->nargs, (long long)g->a[0], (long long)g->a[1], (long long)g->a[2],
			       (long long)g->a[3]);
	}
	tap_eq_i64("4006.5 VM 1 is tgid 4242", 4242, vm_pid[1]);
	tap_eq_i64("4006.6 VM 2 is tgid 5151", 5151, vm_pid[2]);
	const struct imp_stats *st = imp_map_stats(m);

	/* 2 run_core, 2 guest_enter, 3 hcall enter + 3 exit, 2 page fault, guest_exit, kvm_exit, wakeup */
	tap_eq_i64("4006.7 events read", 15, st->read);
	tap_eq_i64("4006.8 unknown: kvm:kvm_vcpu_wakeup", 1, st->unknown);
	TAP_OK("4006.9 ... counted under its name", st->nnames == 1 && !strcmp(st->names[0].name, "kvm:kvm_vcpu_wakeup"));
	tap_eq_i64("4006.10 skipped: 3 hcall exits + page fault exit", 4, st->skipped);
	tap_eq_i64("4006.11 H_BULK_REMOVE n assumed once", 1, st->hcall_n_assumed);
	imp_map_free(m);
	return tap_fails ? 1 : 0;
}
