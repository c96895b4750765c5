/* SPDX-License-Identifier: MIT */
/*
 * output - the results of a replay on stdout: table, csv or json.
 *
 * What it owns: the three layouts of replay-model.md "Machine-readable
 * output" (JSON with a one-space indent, as the spec's examples; CSV with the
 * header policy,vm,<metrics>) and the readable table with its foot lines
 * (events of unknown kinds skipped, lost events). Rows: per policy in the
 * order asked, one per VM with events (ascending id), then "all".
 *
 * Interface:
 *   output_results()   write @fmt to @f; 0, or -1 if the write (or a buffer) failed. @sort
 *                      orders the table's VM rows within each policy: SORT_BY_VM
 *                      (ascending id, the default and the only order of csv/json,
 *                      whose layout is the spec's) or a metric, largest first
 *   output_sort_key()  "vm" or a metric name to a @sort value; -2 if neither
 *   output_notes()     the foot facts on stderr (for csv/json, whose layout is fixed)
 *   output_json_string() @s as a JSON string, escaped as the json layout does
 */
#ifndef TLB_REPLAY_OUTPUT_H
#define TLB_REPLAY_OUTPUT_H

#include <stdio.h>

#include "engine.h"
#include "tracedb.h"

enum out_format { OUT_TABLE, OUT_CSV, OUT_JSON };

#define SORT_BY_VM (-1)

int output_sort_key(const char *name);
int output_results(FILE *f, enum out_format fmt, const char *trace,
		   const struct engine_config *cfg, const struct engine *e,
		   struct tdb *db, int sort);
void output_notes(const struct engine *e, struct tdb *db);
void output_json_string(FILE *f, const char *s);

#endif
