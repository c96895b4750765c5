/* SPDX-License-Identifier: MIT */
/*
 * verdict - see verdict.h. Ties in cycles are broken by the display rank
 * (old, new, modern, tracked, optimal), so the same numbers always give
 * the same words.
 */
#include "verdict.h"

#include "report.h"
#include "util.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct rs_capture *sort_cap;

static int by_cycles(const void *pa, const void *pb)
{
	const struct rs_run *a = &sort_cap->runs[*(const size_t *)pa];
	const struct rs_run *b = &sort_cap->runs[*(const size_t *)pb];

	if (a->all.m[M_CYCLES] != b->all.m[M_CYCLES])
		return a->all.m[M_CYCLES] < b->all.m[M_CYCLES] ? -1 : 1;
	return rs_policy_rank(a->policy) - rs_policy_rank(b->policy);
}

static int by_exposures(const void *pa, const void *pb)
{
	const struct rs_run *a = &sort_cap->runs[*(const size_t *)pa];
	const struct rs_run *b = &sort_cap->runs[*(const size_t *)pb];

	if (a->all.m[M_STALE_EXPOSURES] != b->all.m[M_STALE_EXPOSURES])
		return a->all.m[M_STALE_EXPOSURES] > b->all.m[M_STALE_EXPOSURES] ? -1 : 1;
	return rs_policy_rank(a->policy) - rs_policy_rank(b->policy);
}

bool capture_on_power(const struct rs_capture *c)
{
	const char *m = rs_meta(c, "machine");

	return !m || strncmp(m, "ppc", 3) == 0 || strncmp(m, "powerpc", 7) == 0;
}

static int64_t profile_t(const char *machine)
{
	return strcmp(machine, "power8") == 0 ? 8 : 4;	/* power7 and power9-hash: 4 */
}

/*
 * A capture made on another architecture says nothing about POWER SMT
 * (replay-model.md, Machine): a run whose T equals that host's layout
 * rather than the profile's, with no record that -t chose it, misleads.
 */
static void check_t(const struct rs_capture *c, struct verdict *v)
{
	const struct rs_run *r = c->runs;
	const char *meta_t = rs_meta(c, "threads_per_core");
	int64_t mt;

	if (capture_on_power(c) || !meta_t || parse_i64(meta_t, &mt) < 0 || r->tpc < 0 ||
	    r->tpc != mt || r->tpc == profile_t(r->machine) || strcmp(r->tpc_source, "option") == 0)
		return;
	char host[48];

	term_safe(rs_meta(c, "machine"), host, sizeof host);
	snprintf(v->tdoubt, sizeof v->tdoubt, "this capture was made on a non-POWER host "
		 "(meta machine '%s'), whose layout (%" PRId64 " thread%s per core) says nothing about "
		 "POWER SMT, yet these runs use T = %" PRId64 " (the %s profile has %" PRId64 "): every "
		 "count depends on T; replay with tlbreplay -t %" PRId64 " (or a tlbreplay that "
		 "takes T from the profile for such captures)", host, mt, mt == 1 ? "" : "s",
		 r->tpc, r->machine, profile_t(r->machine), profile_t(r->machine));
}

/* Appends to @buf (size @len, @n used); returns the new n, never past len - 1. */
static size_t add(char *buf, size_t len, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t add(char *buf, size_t len, size_t n, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (n + 1 >= len)
		return n;
	va_start(ap, fmt);
	w = vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
	if (w < 0)
		return n;
	return (size_t)w >= len - n ? len - 1 : n + (size_t)w;
}

/* VM ids of MMU @mmu in vm_mmu, "1, 2, 3" (at most 12, then "and N more"). */
static size_t add_vms(const struct rs_capture *c, char mmu, char *buf, size_t len, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < c->nvmmmus; i++) {
		if (c->vmmmus[i].mmu != mmu)
			continue;
		if (k < 12)
			n = add(buf, len, n, "%s%" PRId64, k ? ", " : "", c->vmmmus[i].vm);
		k++;
	}
	if (k > 12)
		n = add(buf, len, n, " and %zu more", k - 12);
	return k ? n : add(buf, len, n, "none");
}

/*
 * The MMU each stored policy models, and what the capture says of its VMs.
 * Policy names come from runs rs_load has checked against the known list.
 */
static void mmu_note(const struct rs_capture *c, struct verdict *v)
{
	char *b = v->mmu_note;
	size_t len = sizeof v->mmu_note, n = 0, nh = 0;
	bool known = c->nvmmmus > 0;

	n = add(b, len, n, "Policies by MMU: ");
	if (!known && v->radix >= 0)
		n = add(b, len, n, "radix models radix-MMU VMs, the others (");
	for (size_t i = 0; i < c->nruns; i++)
		if (rs_policy_mmu(c->runs[i].policy) == 'h')
			n = add(b, len, n, "%s%s", nh++ ? ", " : "", c->runs[i].policy);
	if (!known && v->radix >= 0) {
		n = add(b, len, n, ") hash-MMU VMs; this capture does not say which its VMs use "
			"(no vm_mmu rows): every policy was replayed on every VM, and radix is kept "
			"out of the hash ranking");
	} else {
		if (nh)
			n = add(b, len, n, " model%s hash-MMU (HPT) guests", nh == 1 ? "s" : "");
		if (v->radix >= 0)
			n = add(b, len, n, "%sradix models radix-MMU guests (POWER9 and later)",
				nh ? "; " : "");
	}
	if (known) {
		n = add(b, len, n, ". This capture says which MMU its VMs use (vm_mmu): hash ");
		n = add_vms(c, 'h', b, len, n);
		n = add(b, len, n, "; radix ");
		n = add_vms(c, 'r', b, len, n);
		n = add(b, len, n, "; each policy's totals cover only the VMs of its MMU "
			"(and any VM vm_mmu does not name)");
	}
	if (v->radix >= 0) {
		const int64_t *m = c->runs[v->radix].all.m;

		n = add(b, len, n, ". radix on %s (run %" PRId64 "): %" PRId64 " full flush%s, %"
			PRId64 " cycles, %" PRId64 " stale-TLB exposure%s%s; not ranked against "
			"optimal, a hash-MMU floor (when the trace has kernel_flush events, the kernel's "
			"own flushes are shown beside it per VM)",
			known ? "the radix VMs" : "every VM", c->runs[v->radix].id,
			m[M_FULL_FLUSHES], m[M_FULL_FLUSHES] == 1 ? "" : "es", m[M_CYCLES],
			m[M_STALE_EXPOSURES],
			m[M_STALE_EXPOSURES] == 1 ? "" : "s",
			m[M_STALE_EXPOSURES] ? " (unsafe)" : " (safe)");
	}
	add(b, len, n, ".");
}

void verdict_compute(const struct rs_capture *c, struct verdict *v)
{
	bool any_entries = false, any_inval = false;
	size_t nhash = 0;

	memset(v, 0, sizeof *v);
	v->best = v->floor = v->radix = -1;
	for (size_t i = 0; i < c->nruns; i++) {
		const int64_t *m = c->runs[i].all.m;

		if (rs_policy_mmu(c->runs[i].policy) == 'r') {
			if (v->radix < 0)
				v->radix = (int)i;
			continue;	/* another MMU: never ranked with the hash policies */
		}
		nhash++;
		if (m[M_GUEST_ENTRIES] > 0)
			any_entries = true;
		if (m[M_LOCAL_SEQS] > 0 || m[M_TLBIE_SEQS] > 0)
			any_inval = true;
		if (m[M_STALE_EXPOSURES] == 0 && v->nsafe < VERDICT_MAX)
			v->safe[v->nsafe++] = i;
		else if (m[M_STALE_EXPOSURES] > 0 && v->nunsafe < VERDICT_MAX)
			v->unsafe[v->nunsafe++] = i;
	}
	sort_cap = c;
	qsort(v->safe, v->nsafe, sizeof v->safe[0], by_cycles);
	qsort(v->unsafe, v->nunsafe, sizeof v->unsafe[0], by_exposures);
	for (size_t k = 0; k < v->nsafe; k++) {
		const char *p = c->runs[v->safe[k]].policy;

		if (strcmp(p, "optimal") == 0)
			v->floor = (int)v->safe[k];
		else if (v->best < 0)
			v->best = (int)v->safe[k];
	}
	/*
	 * optimal is the floor by definition: safe, and no safe policy below it.
	 * Stored results that say otherwise are not trusted silently.
	 */
	for (size_t i = 0; i < c->nruns; i++) {
		const struct rs_run *run = &c->runs[i];

		if (strcmp(run->policy, "optimal") == 0 && run->all.m[M_STALE_EXPOSURES] > 0)
			snprintf(v->doubt, sizeof v->doubt, "optimal has %" PRId64 " stale-TLB "
				 "exposures although it is safe by construction: the replay that "
				 "stored run %" PRId64 " is wrong", run->all.m[M_STALE_EXPOSURES], run->id);
	}
	if (v->floor >= 0 && !v->doubt[0])
		for (size_t k = 0; k < v->nsafe; k++) {
			const struct rs_run *run = &c->runs[v->safe[k]];

			if (run->all.m[M_CYCLES] < c->runs[v->floor].all.m[M_CYCLES]) {
				snprintf(v->doubt, sizeof v->doubt, "%s (run %" PRId64 ") costs fewer "
					 "cycles than optimal although no safe policy can: the stored "
					 "optimal is not the floor", run->policy, run->id);
				break;	/* the cheapest one: the list is by cycles */
			}
		}
	check_t(c, v);
	mmu_note(c, v);
	if (nhash == 0 && v->radix >= 0) {
		v->kind = VERDICT_RADIX_ONLY;
		snprintf(v->missing, sizeof v->missing,
			 "only radix (radix-MMU guests) is stored here: the hash-MMU policies the "
			 "verdict ranks were not replayed; radix's own figures are below");
	} else if (!any_entries) {
		v->kind = VERDICT_NO_ENTRIES;
		snprintf(v->missing, sizeof v->missing,
			 "no guest entries in this capture (a guest-side capture alone?): no "
			 "policy has a core to flush or expose, so they cannot be compared. "
			 "Merge it with a host capture of the same run (tlbmerge host.db guest.db "
			 "-o merged.db), replay that (tlbreplay --store merged.db) and report it");
	} else if (!any_inval) {
		v->kind = VERDICT_NO_INVALIDATIONS;
		snprintf(v->missing, sizeof v->missing,
			 "no TLB invalidation in this capture (no H_REMOVE, H_PROTECT, "
			 "H_BULK_REMOVE or host invalidation reached the replay): the policies "
			 "differ only in what they flush. On POWER7/POWER8 hosts these hcalls run "
			 "in real mode, unseen by the host: capture inside the guest too "
			 "(tlbcollect --guest) and merge (tlbmerge host.db guest.db -o merged.db)");
	} else if (v->best < 0) {
		v->kind = VERDICT_NO_SAFE;
		snprintf(v->missing, sizeof v->missing,
			 "no kernel policy stored here is safe (each has stale-TLB exposures): "
			 "none can be recommended");
	} else {
		v->kind = VERDICT_OK;
	}
}

double verdict_x_floor(const struct rs_capture *c, const struct verdict *v, size_t i)
{
	int64_t f;

	if (v->floor < 0 || rs_policy_mmu(c->runs[i].policy) == 'r')
		return 0.0;
	f = c->runs[v->floor].all.m[M_CYCLES];
	return f > 0 ? (double)c->runs[i].all.m[M_CYCLES] / (double)f : 0.0;
}

const char *verdict_line(const struct rs_capture *c, const struct verdict *v, char *buf,
			 size_t len)
{
	size_t n;

	if (v->kind != VERDICT_OK) {
		snprintf(buf, len, "no verdict: %s", v->missing);
		return buf;
	}
	const struct rs_run *b = &c->runs[v->best];

	n = (size_t)snprintf(buf, len, "%s is the cheapest safe policy", b->policy);
	if (v->floor >= 0 && n < len) {
		double x = verdict_x_floor(c, v, (size_t)v->best);

		if (x > 0)
			n += (size_t)snprintf(buf + n, len - n, ": %.2fx the floor (optimal)", x);
		else
			n += (size_t)snprintf(buf + n, len - n, ": the floor (optimal) is 0 cycles");
	} else if (n < len) {
		n += (size_t)snprintf(buf + n, len - n, " (optimal, the floor, was not replayed)");
	}
	for (size_t k = 0; k < v->nunsafe && n < len; k++) {
		const struct rs_run *u = &c->runs[v->unsafe[k]];

		n += (size_t)snprintf(buf + n, len - n, "%s%s%s", k ? ", " : "; unsafe: ",
				      u->policy, "");
		if (n < len)
			n += (size_t)snprintf(buf + n, len - n, " (%" PRId64 " stale-TLB exposure%s)",
					      u->all.m[M_STALE_EXPOSURES],
					      u->all.m[M_STALE_EXPOSURES] == 1 ? "" : "s");
	}
	return buf;
}

const char *verdict_tpc_source(const char *src)
{
	if (strcmp(src, "option") == 0)
		return "set with -t";
	if (strcmp(src, "meta") == 0)
		return "from the capture's meta";
	if (strcmp(src, "profile") == 0)
		return "the machine profile's";
	return "source unknown: replayed before tlbreplay recorded it";
}
