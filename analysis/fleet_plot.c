/* SPDX-License-Identifier: MIT */
/*
 * fleet_plot - the fleet's box plots: per parameter set, the distribution over its
 * hosts of each safe policy's distance to the floor (cycles over optimal's).
 *
 * What it owns: plots/fleet_distance_G.gp (G = the parameter set's number), made with
 * plot.c's shape and style. Only numbers and the known policy names (gp_escape()d all
 * the same) enter a script: never a host name or anything else a capture holds. The
 * boxes are the quartiles computed in fleet.c (the same numbers as the tables), the
 * whiskers the minimum and maximum, the black bar the median.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fleet.h"
#include "plot.h"

static long color_int(const char *hex)
{
	return strtol(hex + 1, NULL, 16);
}

static int one_plot(struct fleet *fl, size_t g, const char *plotdir, char *name,
		    char *err, size_t errlen)
{
	const struct fleet_group *gr = &fl->groups[g];
	struct gp_size size = { 900, 460 };
	char pol[32], src[128];
	size_t nbox = 0;
	double top = 1.0;
	FILE *f;

	snprintf(src, sizeof src, "the stored results of the %zu host%s of parameter set %zu",
		 gr->nhosts, gr->nhosts == 1 ? "" : "s", g + 1);
	f = gp_begin(plotdir, name, "distance to the floor (optimal) per safe policy, over hosts",
		     src, size, err, errlen);
	if (!f)
		return -1;
	gp_data_begin(f, "box");
	fputs("# x  min  q1  median  q3  max  hosts  colour\n", f);
	for (size_t k = 0; k < RS_NPOLICIES; k++) {
		const struct fleet_stat *s = &gr->stat[k];

		if (!s->nx || strcmp(rs_policies[k], "optimal") == 0)
			continue;
		nbox++;
		fprintf(f, "%zu %.6f %.6f %.6f %.6f %.6f %zu %ld\n", nbox, s->min, s->q1, s->median,
			s->q3, s->max, s->nx, color_int(gp_policy_color(rs_policies[k], k)));
		if (s->max > top)
			top = s->max;
	}
	gp_data_end(f);
	fputs("set xtics (", f);
	for (size_t k = 0, x = 0; k < RS_NPOLICIES; k++) {
		const struct fleet_stat *s = &gr->stat[k];

		if (!s->nx || strcmp(rs_policies[k], "optimal") == 0)
			continue;
		gp_escape(rs_policies[k], pol, sizeof pol);
		fprintf(f, "%s'%s (%zu)' %zu", x ? ", " : "", pol, s->nx, x + 1);
		x++;
	}
	fputs(")\n", f);
	fprintf(f, "set xrange [0.4:%zu.6]\n", nbox);
	if (top > 50) {
		/* hosts 1000x from the floor would crush the boxes near it */
		fprintf(f, "set logscale y 10\nset yrange [0.9:%.6f]\n", top * 1.5);
		fputs("set ylabel 'cycles / optimal   (1 = the floor; log scale)'\n", f);
	} else {
		fprintf(f, "set yrange [0.9:%.6f]\n", top * 1.08 + 0.05);
		fputs("set ylabel 'cycles / optimal   (1 = the floor)'\n", f);
	}
	fprintf(f, "set title 'Distance to the floor per safe policy over the %zu host%s of "
		"parameter set %zu (hosts with a floor, in brackets)'\n", gr->nhosts,
		gr->nhosts == 1 ? "" : "s", g + 1);
	fputs("set boxwidth 0.5\nset arrow from graph 0, first 1 to graph 1, first 1 nohead "
	      "dt 2 lc rgb '#111111'\n", f);
	gp_render_begin(f, name, size);
	/* the house style's white box border would hide the whiskers and the median */
	fputs("$box using 1:3:2:6:5:8 with candlesticks whiskerbars 0.6 lc rgb variable lw 1.5 "
	      "fs solid 0.55 border rgb '#444444' notitle, \\\n    $box using 1:4:4:4:4 with "
	      "candlesticks lc rgb '#111111' lw 2.5 fs empty border rgb '#111111' notitle", f);
	gp_render_end(f);
	if (gp_end(f) < 0) {
		snprintf(err, errlen, "%s/%s.gp: %s", plotdir, name, strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}

int fleet_plots(struct fleet *fl, const char *plotdir, char **names, size_t *n,
		char *err, size_t errlen)
{
	*n = 0;
	for (size_t g = 0; g < fl->ngroups && *n < 64; g++) {
		bool any = false;

		for (size_t k = 0; k < RS_NPOLICIES; k++)
			if (fl->groups[g].stat[k].nx && strcmp(rs_policies[k], "optimal") != 0)
				any = true;
		if (!any)
			continue;	/* no floor on any host: nothing to measure against */
		snprintf(fl->groups[g].plot, sizeof fl->groups[g].plot, "fleet_distance_%zu", g + 1);
		if (!(names[*n] = strdup(fl->groups[g].plot))) {
			snprintf(err, errlen, "%s", strerror(ENOMEM));
			return -1;
		}
		(*n)++;
		if (one_plot(fl, g, plotdir, names[*n - 1], err, errlen) < 0)
			return -1;
	}
	return 0;
}
