/* SPDX-License-Identifier: MIT */
/*
 * kflush - tlbcollect --kernel-flush: the running kernel's own full TLB flushes
 * at guest entry (kvm_hv on POWER), recorded as kernel_flush rows.
 *
 * What it owns: the places for the running kernel (kfscan.c on the function's
 * code read from /proc/kcore at its /proc/kallsyms address), the life of two
 * tracefs kprobe events under a group of our own (tlbcollect_PID: "kflush" on
 * the flush path, "kcheck" at the need_tlb_flush test) in a tracefs instance
 * of our own (trace_clock mono: the collector's clock), the check that the
 * kernel optimized both into jumps before anything may hit them (a trap-based
 * kprobe in kvm_hv's real-mode entry code hung the host: never kept), reading
 * the instance's trace_pipe into records for the sink, and removing the events
 * and the instance again (also after an error or a signal: kflush_free()).
 *
 * Why tracefs and not a BPF program on the kprobe: on POWER7/8 the probe site
 * runs in real mode, where BPF cannot run; the tracefs ring buffer works there.
 *
 * Interface:
 *   kflush_find()     the places for the running kernel (also for --list)
 *   kflush_start()    find, create, enable, verify [OPTIMIZED]; NULL with the reason
 *   kflush_poll()     (main thread) trace lines -> TC_KERNEL_FLUSH / TC_KERNEL_CHECK records
 *   kflush_stop()     disable, drain the rest, count what the ring lost
 *   kflush_entries()  whether guest_enter rows come from the check probe (POWER9)
 *   kflush_meta()     how kernel_flush was recorded, and the counts
 *   kflush_free()     remove the events and the instance; NULL-safe, idempotent
 */
#ifndef TLBC_KFLUSH_H
#define TLBC_KFLUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kfscan.h"

struct kflush;
struct sink;
struct tw;

int kflush_find(struct kfs_place *p, char *err, size_t len);
struct kflush *kflush_start(const char *tracefs, char *err, size_t len);
/* @t0: CLOCK_MONOTONIC ns the capture starts at; flushes before it are left out */
int kflush_poll(struct kflush *k, struct sink *s, uint64_t t0, char *err, size_t len);
int kflush_stop(struct kflush *k, struct sink *s, uint64_t t0, char *err, size_t len);
bool kflush_entries(const struct kflush *k);
/* @tracepoint_enters: kvm_hv:kvm_guest_enter records the sink left out (kflush_entries) */
int kflush_meta(const struct kflush *k, struct tw *w, int64_t tracepoint_enters);
void kflush_free(struct kflush *k);

#endif
