/* SPDX-License-Identifier: MIT */
/*
 * fuzz_argv.h - what the option-parsing fuzz targets share (make fuzz).
 *
 * What it owns: turning a fuzz input into an argv (words separated by NUL
 * bytes, at most FUZZ_MAX_ARGS, argv[0] the program's name), resetting
 * getopt between runs, and catching the program's exit(): --help and
 * --version end the process in the real program; here exit() becomes a
 * longjmp back to the target (a target must not end libFuzzer's process).
 *
 * Use: include this before the program's own .c file (which the target
 * includes, to reach its static parse function), then FUZZ_PARSE(call).
 */
#ifndef TLB_FUZZ_ARGV_H
#define TLB_FUZZ_ARGV_H

#include <getopt.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_ARGS 64

static jmp_buf fuzz_exit_jmp;

static void fuzz_exit(int code) __attribute__((noreturn));
static void fuzz_exit(int code)
{
	longjmp(fuzz_exit_jmp, code + 1);
}

/* argv from @data into @argv (FUZZ_MAX_ARGS + 2 slots); the words live in *@buf (free it). */
static int fuzz_argv(const uint8_t *data, size_t size, const char *prog, char **argv, char **buf)
{
	int argc = 0;

	*buf = malloc(size + 1);
	if (!*buf)
		return -1;
	memcpy(*buf, data, size);
	(*buf)[size] = '\0';
	argv[argc++] = (char *)prog;
	for (size_t i = 0; i <= size && argc <= FUZZ_MAX_ARGS;) {
		size_t n = strlen(*buf + i);

		argv[argc++] = *buf + i;
		i += n + 1;
	}
	argv[argc] = NULL;
	return argc;
}

static void fuzz_getopt_reset(void)
{
	optind = 0;	/* glibc: 0 re-initialises getopt completely */
	opterr = 1;
}

#define exit(code) fuzz_exit(code)

#endif
