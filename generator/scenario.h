/* SPDX-License-Identifier: MIT */
/*
 * scenario - the four named problem scenarios of commit 1b400ba0cd, as
 * fixed event tables small enough to replay by hand.
 *
 * What it owns: the scenarios' events, their one-line summaries, and the
 * meta they set (threads_per_core, ncpus, scenario). The hand counts of each
 * scenario under every policy live beside the assertions in
 * tests/t2001-gen-scenarios.sh; the story of each is in scenario.c.
 *
 * Interface:
 *   scenario_count()   how many scenarios there are
 *   scenario_at()      the i-th, for listings (NULL past the end)
 *   scenario_find()    by name, or NULL
 *   scenario_write()   every row of one scenario into an open trace writer
 *
 * Call order: find (or at), then write between tw_create() and tw_finish().
 */
#ifndef TLB_GEN_SCENARIO_H
#define TLB_GEN_SCENARIO_H

struct tw;
struct scenario;

int scenario_count(void);
const struct scenario *scenario_at(int i);
const struct scenario *scenario_find(const char *name);
const char *scenario_name(const struct scenario *s);
const char *scenario_summary(const struct scenario *s);
int scenario_nevents(const struct scenario *s);

/* scenario_write - 0, or -1 with the reason in tw_error(@w). */
int scenario_write(const struct scenario *s, struct tw *w);

#endif
