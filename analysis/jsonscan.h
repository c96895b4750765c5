/* SPDX-License-Identifier: MIT */
/*
 * jsonscan - walk a JSON text and report every number in it with its key path.
 *
 * What it owns: the one piece of JSON *reading* tlbreport needs: the params
 * of a replay run (replay_run.params), whose exact nesting is the replay's
 * business. Rather than depend on a layout, the report asks for the numbers
 * and the keys above them.
 *
 * Interface:
 *   json_scan_numbers()  call @cb for every number, with its dotted key path
 *                        ("costs.tlbie"; array elements add no key); 0 or -1
 *   json_scan()          the same, and strings and booleans to a second callback
 *
 * Algorithm: a recursive-descent parser over RFC 8259 (objects, arrays,
 * strings with escapes, numbers, true/false/null), depth-limited to 32;
 * string values are skipped, keys are kept (escapes in keys are read as the
 * escaped character, \uXXXX as '?': cost names are ASCII). Trailing
 * non-space after the value is an error.
 */
#ifndef TLB_JSONSCAN_H
#define TLB_JSONSCAN_H

typedef void (*json_number_cb)(void *ctx, const char *path, double value);
/* A string value (unescaped; \uXXXX as '?', at most 255 bytes), or "true"/"false". */
typedef void (*json_text_cb)(void *ctx, const char *path, const char *text);

int json_scan_numbers(const char *text, json_number_cb cb, void *ctx);
/* json_scan - numbers to @cb, strings and booleans to @tcb (either may be NULL). */
int json_scan(const char *text, json_number_cb cb, json_text_cb tcb, void *ctx);

#endif
