/* SPDX-License-Identifier: MIT */
/*
 * plot - gnuplot scripts that a user can keep and re-style, and running them.
 *
 * What it owns: the shape of every .gp file tlbreport writes (a header saying
 * what it is and how to re-run it, the data inline as $data blocks, the house
 * style, one plot command rendered to NAME.png and NAME.svg by one loop), the
 * colours of the policies, and running gnuplot as a child process on several
 * scripts at once.
 *
 * Interface:
 *   gp_begin()        create DIR/NAME.gp and write its header and style; FILE* or NULL
 *   gp_data_begin()   start an inline data block ($NAME << EOD)
 *   gp_data_end()
 *   gp_render_begin() open the loop that renders to PNG and SVG, up to "plot "
 *   gp_render_end()   close it (after the caller wrote the plot command)
 *   gp_end()          close the script; 0 or -1 (write error)
 *   gp_policy_color() the colour of a policy (the same in every plot and table)
 *   gp_escape()       DB text made inert for a gnuplot script (whitelisted ASCII)
 *   gp_run_all()      run gnuplot on scripts, @jobs at a time; 0 or -1 with a message
 *
 * Order of calls: per script gp_begin, [gp_data_begin ... gp_data_end]...,
 * any "set" lines, gp_render_begin, the plot command, gp_render_end, gp_end; then gp_run_all on all of them.
 *
 * Each script is run with its directory as the working directory, so it
 * refers to its outputs by bare name and `cd DIR && gnuplot NAME.gp` redraws
 * them. gnuplot's messages go to NAME.log beside it; a failed run names it.
 */
#ifndef TLB_PLOT_H
#define TLB_PLOT_H

#include <stddef.h>
#include <stdio.h>

struct gp_size {
	int width;			/* pixels of the PNG and the SVG */
	int height;
};

FILE *gp_begin(const char *dir, const char *name, const char *what, const char *source,
	       struct gp_size size, char *err, size_t errlen);
void gp_data_begin(FILE *f, const char *block);
void gp_data_end(FILE *f);
/* Between the two the caller writes what follows "plot " (lines continued with '\'). */
void gp_render_begin(FILE *f, const char *name, struct gp_size size);
void gp_render_end(FILE *f);
int gp_end(FILE *f);

const char *gp_policy_color(const char *policy, size_t index);
/*
 * @s into @out (size @len) as text safe anywhere in a gnuplot script (inside
 * either kind of quotes, a comment, a data line): a whitelist of plain ASCII,
 * anything else '?'. Truncates.
 */
void gp_escape(const char *s, char *out, size_t len);

/* Set by the caller's signal handler: gp_run_all stops its children and fails. */
#include <signal.h>
extern volatile sig_atomic_t gp_interrupted;

int gp_run_all(const char *dir, char *const *names, size_t n, int jobs, char *err, size_t errlen);

#endif
