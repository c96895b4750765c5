/* SPDX-License-Identifier: MIT */
/*
 * settings - the machine settings one replay runs: `-m LIST` x `-t LIST`.
 *
 * What it owns: the comma lists of --machine and --threads-per-core (each item
 * checked; an empty item, a bad one or a repeated one refused, naming it) and
 * their combinations in output order: machine-major, then T in the order
 * given. A repeated item is refused rather than dropped: it would make two
 * identical combinations, which --store would keep as one run. A
 * combination's T of 0 means "not given": the trace's meta or the machine
 * profile decides, by tlbreplay's rule, for each combination on its own.
 *
 * Interface:
 *   settings_init()      power7, T not given (one combination: today's default)
 *   settings_machines()  parse -m LIST; 0, or -1 with the sentence in @why
 *   settings_threads()   parse -t LIST; 0, or -1 with the sentence in @why
 *   settings_count()     the number of combinations (at least 1)
 *   settings_get()       the i-th combination's profile and T (0: not given)
 * A list of one item behaves, and is refused, exactly as the single value was.
 */
#ifndef TLB_REPLAY_SETTINGS_H
#define TLB_REPLAY_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "machine.h"

#define SETTINGS_MAX_MACHINES 16	/* more than there are profiles: a repeat is refused first */
#define SETTINGS_MAX_THREADS 64		/* T is 1..64, each at most once */

struct settings {
	const struct machine *prof[SETTINGS_MAX_MACHINES];
	int nprof;
	int64_t threads[SETTINGS_MAX_THREADS];
	int nthreads;				/* 0: -t not given */
};

void settings_init(struct settings *s);
int settings_machines(struct settings *s, const char *list, char *why, size_t len);
int settings_threads(struct settings *s, const char *list, char *why, size_t len);
int settings_count(const struct settings *s);
void settings_get(const struct settings *s, int i, const struct machine **prof, int64_t *threads);

#endif
