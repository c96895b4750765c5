/* SPDX-License-Identifier: MIT */
/*
 * resume - is a trace's replay already stored? (`tlbreplay -j N --store`)
 *
 * What it owns: the rule that lets a killed batch resume. A trace is skipped
 * when, for EVERY policy asked (of every setting, -m/-t lists), its file
 * holds a replay_run with the same
 * policy, the same params (machine, T and its source, costs, the policy's
 * options, and for parts which parts: store.h), the same series bucket width
 * and the digest of the trace's events as they are now.
 *
 * Cost: the digest is of the events, so knowing it takes a scan. The scan is
 * made only when every policy has a stored run with the same params and
 * bucket (one indexed look-up each, no scan): a trace never stored, or stored
 * with other parameters, is replayed at once, with no extra read. When they
 * match, one bare scan (decode and hash, no policy: a fraction of one replay
 * pass, and optimal's replay reads three) decides; a trace that changed since
 * is then replayed, having paid that scan once.
 *
 * Interface:
 *   resume_stored()  1 stored (why, naming the runs, in @why), 0 replay it,
 *                    -1 the results tables could not be read (why in @why)
 */
#ifndef TLB_REPLAY_RESUME_H
#define TLB_REPLAY_RESUME_H

#include <stddef.h>

#include "engine.h"
#include "tracedb.h"

int resume_stored(struct tdb *const *dbs, int ndbs, const struct engine_config *cfgs, int ncfg,
		  const char *extra, char *why, size_t len);

#endif
