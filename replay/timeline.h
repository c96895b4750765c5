/* SPDX-License-Identifier: MIT */
/*
 * timeline - `tlbreplay --timeline FILE.json`: what each policy did, event by
 * event, in the Chrome / Perfetto JSON trace-event format (opens in
 * ui.perfetto.dev and chrome://tracing).
 *
 * What it owns: the file and its layout. It is an engine observer
 * (engine.h): it sees exactly the events the replay sees (so whatever
 * restricts the replay, a VM or time filter, restricts the timeline) and, per
 * policy, the change of that policy's counts on each event in the pass where
 * the policy counts, so the file agrees with the printed counts by
 * construction: one instant per full flush, per local sequence and per
 * global sequence (args: n), one per stale exposure.
 *
 * Layout (trace-event "ph" codes: M metadata, i instant, X complete):
 *   process "policy NAME" (pid = 1 + its index): one thread per host core
 *     ("core C", tid C; tid 2147483647 "core unknown" for invalidations whose
 *     core the trace does not give), with instants "full flush",
 *     "local invalidation", "global invalidation" (args vm, n, seqs) and
 *     "stale exposure" (args vm, vcpu, marked_at_ns: when the invalidation or
 *     HPT reset that made the core stale happened, and cause: "hpt reset" or
 *     "local invalidation", the one at that time);
 *     "hpt reset" instants on the "core unknown" thread.
 *   process "VM ID vcpus" (pid = 1000 + the VM's rank of first appearance):
 *     one thread per vcpu ("vcpu V", tid V) with a complete slice "core C"
 *     (args cpu) per run, from its guest_enter to its guest_exit, its next
 *     entry, another vcpu's entry on the same thread, or the end of the trace.
 * Times: the trace's ns printed as microseconds with three decimals ("ts");
 * "displayTimeUnit": "ns".
 *
 * Interface:
 *   timeline_open()      start FILE: a regular file is written under a temporary
 *                        name beside it and replaces FILE only when complete;
 *                        NULL with the reason
 *   timeline_observer()  the engine_observer to put in engine_config
 *   timeline_close()     finish the runs and the JSON, close, and when @keep put
 *                        the file in place (else remove the temporary one, never
 *                        the user's path); 0 or -1 with the reason (NULL-safe)
 *   timeline_error()     the reason of the last failure
 */
#ifndef TLB_REPLAY_TIMELINE_H
#define TLB_REPLAY_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"

struct timeline;

struct timeline *timeline_open(const char *path, const struct engine_config *cfg, char *err,
			       size_t errlen);
const struct engine_observer *timeline_observer(struct timeline *t);
int timeline_close(struct timeline *t, bool keep, char *err, size_t errlen);

#endif
