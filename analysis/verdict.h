/* SPDX-License-Identifier: MIT */
/*
 * verdict - which policy a kernel should use on this capture, in one place,
 * so that the HTML, summary.md and stdout say the same thing.
 *
 * What it owns: the rules of replay-model.md's "Metrics": a policy is safe
 * when its stale_exposures is 0; the verdict ranks the safe policies by
 * cycles and names the cheapest one a kernel can run (every policy but
 * `optimal`), and says how far each safe policy is from `optimal`, the
 * floor ("modern: 1.10x the floor"). An unsafe policy is listed apart with
 * its exposures and is never called cheaper, whatever its cycles.
 *
 * MMUs: `radix` models radix-MMU guests, every other policy hash-MMU (HPT)
 * ones (tlbreplay's policy_ops .mmu). The ranking is the hash policies' only:
 * radix is never ranked with them nor measured against optimal (a hash
 * floor). When the trace's vm_mmu says which VMs are radix, tlbreplay
 * --store keeps each policy's rows to its own VMs, so the hash ranking is
 * over the hash VMs and radix's figures are its VMs'; when it does not say,
 * the note says so and radix stays apart (mmu_note).
 *
 * No verdict when the capture cannot give one, and the reason says what is
 * missing and what to do:
 *   - no guest entries (a guest-only capture): merge it with a host capture;
 *   - no invalidations at all (a host capture of POWER7/8, where the HPT
 *     hcalls run in real mode unseen): merge it with a guest capture;
 *   - no safe policy among those stored.
 *
 * Interface:
 *   verdict_compute()  fill a struct verdict from a capture's chosen runs
 *   verdict_line()     the one-line conclusion, plain text, into a buffer
 */
#ifndef TLB_VERDICT_H
#define TLB_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "results.h"

enum verdict_kind {
	VERDICT_OK,			/* a safe kernel policy is cheapest */
	VERDICT_NO_ENTRIES,		/* no guest entries: nothing to flush or expose */
	VERDICT_NO_INVALIDATIONS,	/* no invalidation reached any policy */
	VERDICT_NO_SAFE,		/* every stored kernel policy is unsafe */
	VERDICT_RADIX_ONLY,		/* only radix is stored: no hash policy to rank */
};

#define VERDICT_MAX 16

struct verdict {
	enum verdict_kind kind;
	size_t safe[VERDICT_MAX];	/* indexes into capture->runs, by cycles (ties: rank) */
	size_t nsafe;			/* optimal included when it is safe */
	size_t unsafe[VERDICT_MAX];	/* indexes of runs with exposures, by exposures */
	size_t nunsafe;
	int best;			/* cheapest safe policy but optimal, or -1 */
	int floor;			/* optimal's index when stored and safe, or -1 */
	char missing[400];		/* when no verdict: what is missing, what to do */
	char doubt[300];		/* a stored optimal that breaks its own definition, or "" */
	char tdoubt[500];		/* T taken from a non-POWER capture's layout, or "" */
	int radix;			/* the radix run's index, or -1 (never in safe/unsafe) */
	char mmu_note[900];		/* which MMU each stored policy models, which VMs the
					   capture says are which, radix's own figures */
};

void verdict_compute(const struct rs_capture *c, struct verdict *v);
/* Was the capture made on POWER? (meta machine absent, or ppc* / powerpc*) */
bool capture_on_power(const struct rs_capture *c);
/* Where a run's threads per core came from, in words (params threads_per_core_source). */
const char *verdict_tpc_source(const char *src);
/* "modern is the cheapest safe policy: 1.10x the floor (optimal); old is unsafe (2 exposures)" */
const char *verdict_line(const struct rs_capture *c, const struct verdict *v, char *buf,
			 size_t len);
/* cycles of run @i over the floor's, or 0 when there is no floor (or it is 0 cycles)
 * or run @i is radix (optimal is a hash-MMU floor). */
double verdict_x_floor(const struct rs_capture *c, const struct verdict *v, size_t i);

#endif
