/* SPDX-License-Identifier: MIT */
/*
 * test_units - TAP checks of the replay's building blocks, below what a trace
 * can reach easily: the need_tlb_flush generations (needmask), the stale
 * tracker across several 64-core words, the cost formula and --cost parsing,
 * the named options, the minimum cut of `optimal` (mincut) on networks small
 * enough to cut by hand. Run by tests/t1050-replay-units.sh. Every expected value
 * is worked out by hand in the comment beside it.
 */
#include <string.h>

#include "bucket.h"
#include "idmap.h"
#include "machine.h"
#include "mincut.h"
#include "needmask.h"
#include "options.h"
#include "stale.h"
#include "../tests/tap.h"

static void test_needmask(void)
{
	struct needmask nm;

	needmask_init(&nm, true);
	/* VM creation sets every bit, including cores never seen (core 5000). */
	TAP_OK("needmask: all set at init, seen or not", needmask_test(&nm, 0) && needmask_test(&nm, 5000));
	TAP_EQ_I64("needmask: clear core 3", 0, needmask_clear(&nm, 3));
	TAP_OK("needmask: core 3 clear, core 2 and 4 still set",
	       !needmask_test(&nm, 3) && needmask_test(&nm, 2) && needmask_test(&nm, 4));
	/* set_all is one generation step: core 3 is set again without touching its slot. */
	needmask_set_all(&nm);
	TAP_OK("needmask: set_all sets the cleared core again", needmask_test(&nm, 3));
	TAP_EQ_I64("needmask: clear core 100 (beyond the array: grows)", 0, needmask_clear(&nm, 100));
	TAP_OK("needmask: core 100 clear, 99 and 101 set",
	       !needmask_test(&nm, 100) && needmask_test(&nm, 99) && needmask_test(&nm, 101));
	needmask_free(&nm);

	needmask_init(&nm, false);
	/* --option new-vm-init-flush=0: nothing set until the first set_all. */
	TAP_OK("needmask: all clear at init when asked", !needmask_test(&nm, 0) && !needmask_test(&nm, 7000));
	needmask_set_all(&nm);
	TAP_OK("needmask: then set_all sets every core", needmask_test(&nm, 0) && needmask_test(&nm, 7000));
	needmask_free(&nm);

	/* radix_flush_cpu: one core's bit alone */
	needmask_init(&nm, false);
	TAP_EQ_I64("needmask: set core 9 alone", 0, needmask_set(&nm, 9));
	TAP_OK("needmask: only core 9 is set", needmask_test(&nm, 9) && !needmask_test(&nm, 8) &&
	       !needmask_test(&nm, 10) && !needmask_test(&nm, 5000));
	needmask_set_all(&nm);
	TAP_OK("needmask: a set bit stays set through set_all", needmask_test(&nm, 9) && needmask_test(&nm, 8));
	TAP_EQ_I64("needmask: clear core 9", 0, needmask_clear(&nm, 9));
	TAP_OK("needmask: core 9 clear again", !needmask_test(&nm, 9));
	needmask_free(&nm);
}

static void test_idmap(void)
{
	struct idmap m;
	bool all = true;

	idmap_init(&m);
	TAP_EQ_I64("idmap: empty finds nothing", -1, idmap_find(&m, 0));
	/* 20000 ids spread over 0..2^31-1, in first-sight order */
	for (int64_t i = 0; i < 20000; i++)
		all &= idmap_add(&m, i * 107374) == i;
	TAP_OK("idmap: dense indices in order of first sight", all);
	for (int64_t i = 0; i < 20000; i++)
		all &= idmap_find(&m, i * 107374) == i;
	TAP_OK("idmap: every id found again", all);
	TAP_EQ_I64("idmap: count", 20000, idmap_count(&m));
	TAP_EQ_I64("idmap: an absent id", -1, idmap_find(&m, 2147483647));
	TAP_OK("idmap: the table stays within 4 slots per id", m.mask + 1 <= 4 * 20000);
	idmap_free(&m);
	/* ids below IDMAP_DIRECT take the direct array, the others the table: one sequence */
	TAP_OK("idmap: direct and hashed ids share one sequence of indices",
	       idmap_add(&m, 5) == 0 && idmap_add(&m, 1000000) == 1 && idmap_add(&m, 63) == 2 &&
	       idmap_add(&m, 64) == 3 && idmap_find(&m, 5) == 0 && idmap_find(&m, 1000000) == 1 &&
	       idmap_find(&m, 63) == 2 && idmap_find(&m, 64) == 3 && idmap_find(&m, 6) == -1 &&
	       idmap_find(&m, 65) == -1 && idmap_count(&m) == 4);
	idmap_free(&m);
	/* kind ids may be any int64: negative ones, -1 and INT64_MIN included */
	TAP_OK("idmap: negative keys, -1 and INT64_MIN",
	       idmap_add(&m, -1) == 0 && idmap_add(&m, INT64_MIN) == 1 && idmap_add(&m, -7) == 2 &&
	       idmap_add(&m, INT64_MAX) == 3 && idmap_find(&m, -1) == 0 &&
	       idmap_find(&m, INT64_MIN) == 1 && idmap_find(&m, -7) == 2 &&
	       idmap_find(&m, INT64_MAX) == 3 && idmap_find(&m, -2) == -1);
	idmap_free(&m);
	TAP_EQ_I64("idmap: INT64_MIN absent from an empty map", -1, idmap_find(&m, INT64_MIN));
}

static void test_stale(void)
{
	struct stale s;
	int64_t marked = -1;

	memset(&s, 0, sizeof(s));
	/* cores 1 and 130 (words 0 and 2) hold the VM */
	TAP_EQ_I64("stale: first entry on core 1, no exposure", 0, stale_enter(&s, 1, false, &marked));
	TAP_EQ_I64("stale: first entry on core 130, no exposure", 0, stale_enter(&s, 130, false, &marked));
	/* a local invalidation from core 1 at t=50 marks 130 only */
	stale_local(&s, 1, 50);
	TAP_EQ_I64("stale: re-entry on core 1 (the invalidating one) is clean", 0,
		   stale_enter(&s, 1, false, &marked));
	/* a second local from core 1 at t=70 keeps 130's first mark time, 50 */
	stale_local(&s, 1, 70);
	TAP_EQ_I64("stale: unflushed entry on core 130 is an exposure", 1, stale_enter(&s, 130, false, &marked));
	TAP_EQ_I64("stale: marked at the first invalidation (50)", 50, marked);
	TAP_EQ_I64("stale: the mark stays: the next unflushed entry counts again", 1,
		   stale_enter(&s, 130, false, &marked));
	TAP_EQ_I64("stale: a flushed entry clears it", 0, stale_enter(&s, 130, true, &marked));
	TAP_EQ_I64("stale: and the next entry is clean", 0, stale_enter(&s, 130, false, &marked));
	/* an unknown core (-1) excepts nobody: both 1 and 130 become stale at t=90 */
	stale_local(&s, -1, 90);
	TAP_EQ_I64("stale: unknown-core local marks core 1", 1, stale_enter(&s, 1, false, &marked));
	TAP_EQ_I64("stale: unknown-core local marks core 130", 1, stale_enter(&s, 130, false, &marked));
	TAP_EQ_I64("stale: ... at 90", 90, marked);
	/* a reset marks every holding core; a core that never held the VM is never stale */
	stale_enter(&s, 1, true, &marked);
	stale_enter(&s, 130, true, &marked);
	stale_reset(&s, 120);
	TAP_EQ_I64("stale: reset marks core 1", 1, stale_enter(&s, 1, false, &marked));
	TAP_EQ_I64("stale: ... at 120", 120, marked);
	TAP_EQ_I64("stale: a core that never held the VM is clean (core 64)", 0,
		   stale_enter(&s, 64, false, &marked));
	stale_free(&s);
}

static void test_machine(void)
{
	struct machine m = *machine_profile("power7");
	struct metrics c;

	memset(&c, 0, sizeof(c));
	/* one full flush: 50 + 128*20 + 50 + 20000 = 22660 */
	c.v[M_FULL_FLUSHES] = 1;
	c.v[M_TLBIEL_FLUSH] = 128;
	TAP_EQ_I64("cycles: one power7 full flush", 22660, machine_cycles(&m, &c));
	/* plus a global of 3: 50+50+600+10+500+50 = 1260 */
	c.v[M_TLBIE] = 3;
	c.v[M_TLBIE_SEQS] = 1;
	TAP_EQ_I64("cycles: + a global sequence of 3", 22660 + 1260, machine_cycles(&m, &c));
	/* plus a local of 2: 50+40+50 = 140 */
	c.v[M_TLBIEL_INVAL] = 2;
	c.v[M_LOCAL_SEQS] = 1;
	TAP_EQ_I64("cycles: + a local sequence of 2", 22660 + 1260 + 140, machine_cycles(&m, &c));
	TAP_EQ_I64("cost: lock=0 parses", 0, machine_set_cost(&m, "lock=0"));
	/* without the lock: 24060 - 50 = 24010 */
	TAP_EQ_I64("cycles: lock=0 removes 50 per global sequence", 24010, machine_cycles(&m, &c));
	TAP_EQ_I64("cost: 0x10 is accepted", 0, machine_set_cost(&m, "eieio=0x10"));
	TAP_EQ_I64("cost: eieio is 16", 16, m.cost[COST_EIEIO]);
	TAP_EQ_I64("cost: unknown name refused", -1, machine_set_cost(&m, "tlbiex=1"));
	TAP_EQ_I64("cost: prefix of a name refused", -1, machine_set_cost(&m, "tlb=1"));
	TAP_EQ_I64("cost: negative refused", -1, machine_set_cost(&m, "tlbie=-5"));
	TAP_EQ_I64("cost: empty value refused", -1, machine_set_cost(&m, "tlbie="));
	TAP_OK("profiles: power9-hash has one vcore per vcpu",
	       machine_vcore(machine_profile("power9-hash"), 5) == 5);
	TAP_OK("profiles: power7 groups vcpu 5 into vcore 1 (5/4)",
	       machine_vcore(machine_profile("power7"), 5) == 1);
	TAP_OK("profiles: power10 is not one", machine_profile("power10") == NULL);
}

static void test_options(void)
{
	struct replay_options o;
	char buf[256];

	replay_options_default(&o);
	TAP_OK("options: defaults are the spec's",
	       o.on[OPT_OLD_H_LOCAL] && !o.on[OPT_OLD_HPT_RESET_FLUSH] && o.on[OPT_NEW_VM_INIT_FLUSH] &&
	       o.on[OPT_NEW_HPT_RESET_FLUSH] && !o.on[OPT_NEW_BULK_GLOBAL_INVALIDATES]);
	TAP_EQ_I64("options: set one", 0, replay_option_set(&o, "new-bulk-global-invalidates=1"));
	TAP_EQ_I64("options: value 2 refused", -1, replay_option_set(&o, "new-hpt-reset-flush=2"));
	TAP_EQ_I64("options: unknown refused", -1, replay_option_set(&o, "new-hpt=1"));
	replay_options_json(&o, "modern", buf, sizeof(buf));
	TAP_OK("options: modern's params name only new-vm-init-flush and virt-mode-global",
	       strcmp(buf, "{\"new-vm-init-flush\":1,\"virt-mode-global\":0}") == 0);
	replay_options_machine(&o, "power9-hash");
	TAP_OK("options: power9-hash turns virt-mode-global on", o.on[OPT_VIRT_MODE_GLOBAL]);
	replay_options_default(&o);
	replay_options_machine(&o, "power8");
	TAP_OK("options: power8 leaves it off", !o.on[OPT_VIRT_MODE_GLOBAL]);
	replay_options_json(&o, "tracked", buf, sizeof(buf));
	TAP_OK("options: tracked's params name none", strcmp(buf, "{}") == 0);
	replay_options_json(&o, "optimal", buf, sizeof(buf));
	TAP_OK("options: optimal's params name none", strcmp(buf, "{}") == 0);
}

/* Invalidation nodes hang off s with their w, windows off t with F; i -> window is
 * infinite. The source side after the flow is the spec's decision. */
static void test_mincut(void)
{
	struct mincut g;
	int64_t a, b, w1, w2;

	/* ex4: 40 H_REMOVEs (w 29600) share a window (F 22660): local + flush; the 3
	 * (w 2220) with their own window stay global, their window unflushed. */
	mincut_init(&g);
	a = mincut_node(&g), w1 = mincut_node(&g), b = mincut_node(&g), w2 = mincut_node(&g);
	mincut_arc(&g, MINCUT_S, a, 29600);
	mincut_arc(&g, a, w1, MINCUT_INF);
	mincut_arc(&g, w1, MINCUT_T, 22660);
	mincut_arc(&g, MINCUT_S, b, 2220);
	mincut_arc(&g, b, w2, MINCUT_INF);
	mincut_arc(&g, w2, MINCUT_T, 22660);
	TAP_EQ_I64("mincut: ex4 solves", 0, mincut_solve(&g));
	TAP_OK("mincut: ex4: the 40 local, their window flushes; the 3 global, no flush",
	       mincut_source_side(&g, a) && mincut_source_side(&g, w1) &&
	       !mincut_source_side(&g, b) && !mincut_source_side(&g, w2));

	/* A tie: w = F = 100. Both cuts cost 100; the smallest source side is {s}:
	 * global, no flush. */
	mincut_reset(&g);
	a = mincut_node(&g), w1 = mincut_node(&g);
	mincut_arc(&g, MINCUT_S, a, 100);
	mincut_arc(&g, a, w1, MINCUT_INF);
	mincut_arc(&g, w1, MINCUT_T, 100);
	mincut_solve(&g);
	TAP_OK("mincut: a tie prefers global and no flush",
	       !mincut_source_side(&g, a) && !mincut_source_side(&g, w1));

	/* One window serves two: 60 + 60 > 100, so both local and one flush. */
	mincut_reset(&g);
	a = mincut_node(&g), b = mincut_node(&g), w1 = mincut_node(&g);
	mincut_arc(&g, MINCUT_S, a, 60);
	mincut_arc(&g, MINCUT_S, b, 60);
	mincut_arc(&g, a, w1, MINCUT_INF);
	mincut_arc(&g, b, w1, MINCUT_INF);
	mincut_arc(&g, w1, MINCUT_T, 100);
	mincut_solve(&g);
	TAP_OK("mincut: a shared window is worth it for two",
	       mincut_source_side(&g, a) && mincut_source_side(&g, b) && mincut_source_side(&g, w1));

	/* A (150) needs W1 and W2, B (80) needs W2, F = 100. Cuts: nothing local 230;
	 * {B} 150 + 100 = 250; {A} 80 + 200 = 280; {A, B} 200: the cheapest. */
	mincut_reset(&g);
	a = mincut_node(&g), b = mincut_node(&g), w1 = mincut_node(&g), w2 = mincut_node(&g);
	mincut_arc(&g, MINCUT_S, a, 150);
	mincut_arc(&g, MINCUT_S, b, 80);
	mincut_arc(&g, a, w1, MINCUT_INF);
	mincut_arc(&g, a, w2, MINCUT_INF);
	mincut_arc(&g, b, w2, MINCUT_INF);
	mincut_arc(&g, w1, MINCUT_T, 100);
	mincut_arc(&g, w2, MINCUT_T, 100);
	mincut_solve(&g);
	TAP_OK("mincut: overlapping windows: all local, both flush (200 < 230)",
	       mincut_source_side(&g, a) && mincut_source_side(&g, b) &&
	       mincut_source_side(&g, w1) && mincut_source_side(&g, w2));
	/* The same with B at 40: {A, B} 200, nothing 190: nothing local. */
	mincut_reset(&g);
	a = mincut_node(&g), b = mincut_node(&g), w1 = mincut_node(&g), w2 = mincut_node(&g);
	mincut_arc(&g, MINCUT_S, a, 150);
	mincut_arc(&g, MINCUT_S, b, 40);
	mincut_arc(&g, a, w1, MINCUT_INF);
	mincut_arc(&g, a, w2, MINCUT_INF);
	mincut_arc(&g, b, w2, MINCUT_INF);
	mincut_arc(&g, w1, MINCUT_T, 100);
	mincut_arc(&g, w2, MINCUT_T, 100);
	mincut_solve(&g);
	TAP_OK("mincut: overlapping windows: nothing local (190 < 200)",
	       !mincut_source_side(&g, a) && !mincut_source_side(&g, b) &&
	       !mincut_source_side(&g, w1) && !mincut_source_side(&g, w2));
	mincut_free(&g);
}

/* Expectations by hand: width = smallest 1-2-5 step >= max(span / 50, 1000). */
static void test_bucket(void)
{
	int64_t ns = 0;

	/* 4 ms: 4e6 / 50 = 80000 -> 100000 (100 us): 40 buckets */
	TAP_OK("bucket: 4 ms span -> 100 us", bucket_fit(4000000) == 100000);
	/* 60 ms: 1.2e6 -> 2e6 (2 ms): 30 buckets */
	TAP_OK("bucket: 60 ms span -> 2 ms", bucket_fit(60000000) == 2000000);
	/* exactly 50 steps: 5e9 / 50 = 1e8 is itself a step */
	TAP_OK("bucket: 5 s span -> 100 ms", bucket_fit(5000000000) == 100000000);
	/* one ns over: 100000001 / 50 rounds up past 2000000 -> 5000000 */
	TAP_OK("bucket: 100000001 ns -> 5 ms", bucket_fit(100000001) == 5000000);
	TAP_OK("bucket: empty or tiny span -> 1 us", bucket_fit(0) == 1000 && bucket_fit(49999) == 1000);
	/* 50001 / 50 = 1000.02 -> 2000 */
	TAP_OK("bucket: 50001 ns -> 2 us", bucket_fit(50001) == 2000);
	/* the largest span: (2^63-1) / 50 = 1.8e17 -> 2e17 */
	TAP_OK("bucket: int64 span -> 2e17", bucket_fit(INT64_MAX) == 200000000000000000);
	TAP_OK("bucket: -b 10 is 10 ms", bucket_parse("10", &ns) == 0 && ns == 10000000);
	TAP_OK("bucket: -b 200us", bucket_parse("200us", &ns) == 0 && ns == 200000);
	TAP_OK("bucket: -b 1.5s", bucket_parse("1.5s", &ns) == 0 && ns == 1500000000);
	TAP_OK("bucket: -b 0, 0us, -1, x, 9223372036855 refused",
	       bucket_parse("0", &ns) && bucket_parse("0us", &ns) && bucket_parse("-1", &ns) &&
	       bucket_parse("x", &ns) && bucket_parse("9223372036855", &ns));
}

int main(void)
{
	test_bucket();
	test_needmask();
	test_idmap();
	test_stale();
	test_machine();
	test_options();
	test_mincut();
	return tap_failed();
}
