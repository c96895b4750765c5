/* SPDX-License-Identifier: MIT */
/*
 * multiout - the results of several machine settings (tlbreplay -m/-t lists) on stdout.
 *
 * What it owns: how the outputs of several settings of one trace go together;
 * each setting's own output is output.c's, unchanged:
 *   table  each setting's table under a heading line
 *          "== setting I of N: machine NAME, threads_per_core T ==",
 *          the settings separated by an empty line
 *   csv    one header, every row led by two columns: machine,threads_per_core
 *   json   {"trace": ..., "runs": [ one object per setting, the object a
 *          single setting prints, indented one level deeper ]}
 * The settings come in the order of the combinations (settings.h). With one
 * setting tlbreplay prints output.c's layout itself, with none of this.
 *
 * Interface:
 *   multiout_results()   write @fmt to @f; 0, or -1 if a write (or a buffer) failed
 */
#ifndef TLB_REPLAY_MULTIOUT_H
#define TLB_REPLAY_MULTIOUT_H

#include <stdio.h>

#include "engine.h"
#include "output.h"
#include "tracedb.h"

int multiout_results(FILE *f, enum out_format fmt, const char *trace,
		     const struct engine_config *cfgs, struct engine *const *es, int n,
		     struct tdb *db, int sort);

#endif
