/* SPDX-License-Identifier: MIT */
/*
 * inputcheck - what the TRACE.db argument is, before SQLite opens it.
 *
 * What it owns: the errors that should say what to do (issue 12 item 2)
 * rather than SQLite's: a missing path says "no such file", a directory says
 * so, and a trace-cmd trace.dat (magic bytes 0x17 0x08 0x44 "tracing" at the
 * start, trace-cmd's trace-cmd.dat(5)) says to run tlbimport first. Kept in
 * replay/ so that it holds whatever common/tracedb.c checks.
 *
 * Interface:
 *   input_check()   0 when the path is a regular file that is not a trace.dat
 *                   (SQLite decides the rest), else -1 with the reason in @why
 */
#ifndef TLB_REPLAY_INPUTCHECK_H
#define TLB_REPLAY_INPUTCHECK_H

#include <stddef.h>

int input_check(const char *path, char *why, size_t len);

#endif
