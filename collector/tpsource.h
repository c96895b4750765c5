/* SPDX-License-Identifier: MIT */
/*
 * tpsource - the catalogue of tracepoints tlbcollect can record, and which of
 * them the running kernel has.
 *
 * What it owns: the list of sources (tracepoint, BPF program name, host or
 * guest side, what it gives), making sure tracefs is mounted, and the
 * presence test of one tracepoint. The BPF programs are in
 * collector/tlbcollect.bpf.c (host) and collector/tlbcollect_guest.bpf.c.
 *
 * Interface:
 *   tps_sources[] / tps_nsources   the catalogue, in a fixed order
 *   tps_tracefs()                  path of a mounted tracefs (mounts one if none), or NULL
 *   tps_present()                  1 if the kernel has the source's tracepoint, 0 if not
 *   tps_have_btf()                 1 if the kernel exposes its BTF (host mode: CO-RE programs;
 *                                  without it, tracefs-format programs); TLBCOLLECT_NO_BTF=1
 *                                  makes it 0 (to test that mode on any kernel)
 *
 * Order of calls: tps_tracefs() once, then tps_present() per source.
 *
 * A tracepoint is present when tracefs has events/SYSTEM/EVENT/id: the same
 * registry the kernel attaches tracepoint programs from. Raw tracepoints of
 * the same name exist exactly when the tracepoint does.
 */
#ifndef TLBC_TPSOURCE_H
#define TLBC_TPSOURCE_H

#include <stdbool.h>

struct tps_source {
	const char *system;	/* tracefs system: "sched", "kvm", "kvm_hv", "powerpc" */
	const char *event;	/* tracepoint name */
	const char *prog;	/* BPF program in the skeleton */
	bool guest;		/* guest-side (--guest) source, else host-side */
	const char *gives;	/* what the trace DB gets from it */
};

extern const struct tps_source tps_sources[];
extern const int tps_nsources;

/* tps_tracefs - a mounted tracefs, mounting /sys/kernel/tracing if needed.
 * NULL with errno set when none can be found or mounted. */
const char *tps_tracefs(void);
int tps_present(const char *tracefs, const struct tps_source *s);
int tps_have_btf(void);

#endif
