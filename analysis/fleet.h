/* SPDX-License-Identifier: MIT */
/*
 * fleet - tlbreport --fleet: one report over many hosts' captures, from their stored
 * results only (what `tlbreplay --store` wrote; nothing is replayed).
 *
 * What it owns (fleet.c): the list of captures (files as given; a directory gives its
 * *.db regular files, not recursive, sorted by name in bytes), loading each one's chosen
 * runs (results.c, totals only) with its verdict (verdict.c) and its sweeps
 * (sensitivity.c), then keeping a compact summary per host and freeing the rest, so
 * that a fleet costs its hosts' totals, not their series; grouping the hosts by
 * parameter set, and the order of work: output directory (outdir.c), plots, fleet.db
 * (fleetdb.c), pages (fleet_pages.c), the summary on stdout.
 *
 * Host: meta `host`, else the file name without .db (hostile text: escaped by every
 * writer, never in a plot). A capture whose file is fine but has nothing stored that
 * fits (no results, no run of --machine) is left out with the reason, never replayed;
 * a capture that is bad input (not a trace DB, a trigger, a bad row) is left out too,
 * named on stderr, and makes the exit 2 once the report is written.
 *
 * Comparability: a host's parameter set is its chosen runs' machine, threads per core,
 * vcores, the eight costs and the options (results.c's signature, options sorted by
 * name). Hosts are compared only within one set (a group); groups are numbered by size
 * (largest first, then by the first host's name) and each is shown apart, never mixed.
 *
 * Interface:
 *   fleet_run()  the whole --fleet run; returns the exit code
 */
#ifndef TLB_FLEET_H
#define TLB_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"

#define FLEET_MAX_POLICIES 16

struct fleet_pol {
	char policy[16];		/* a known policy name (results.c checked it) */
	int64_t run;			/* replay_run.id in the capture */
	int64_t cycles, exposures, full_flushes;
	double x_floor;			/* cycles over optimal's, 0 when none (or radix) */
	bool safe;			/* no stale-TLB exposure */
};

struct fleet_host {
	char *path;			/* as given (or DIR/NAME) */
	char *name;			/* meta host, else the file name without .db: hostile */
	char *left_out;			/* why it is not in the report, or NULL */
	bool bad_input;			/* left out because the file is bad (exit 2) */
	size_t nruns_stored;		/* rows of its replay_run (0 when unknown) */
	size_t group;			/* index into fleet.groups (reported hosts) */
	char key[1700];			/* the parameter set, as compared */
	char machine[16];		/* known profile name */
	int64_t tpc;			/* threads per core, -1 unknown */
	char vcores[48];		/* DB text */
	char options[512];		/* DB text: "name=v, ..." sorted */
	double costs[NCOSTS];		/* -1 when not stated */
	struct fleet_pol pols[FLEET_MAX_POLICIES];
	size_t npols;
	enum verdict_kind kind;
	int best;			/* index into pols of the cheapest safe kernel policy */
	bool has_floor;			/* optimal stored and safe */
	char verdict[1024];		/* verdict_line(): known names and numbers only */
	bool flips;			/* the cheapest safe policy changes within a sweep's range */
	bool sweep_ok;			/* the sweeps could be made */
	char sweep[CM_NSWEEPS][512];	/* sens_describe() per sweep (known names) */
	bool sweep_flips[CM_NSWEEPS];	/* that sweep flips within its range */
	double sweep_max[CM_NSWEEPS];	/* the range's right end (left: 0) */
};

struct fleet_stat {
	size_t nsafe, nunsafe, nabsent;	/* hosts of the group: safe, unsafe, not stored */
	size_t ncheapest;		/* hosts where it is the cheapest safe kernel policy */
	size_t nx;			/* hosts with a distance to the floor */
	double min, q1, median, q3, max;	/* of those distances */
};

struct fleet_group {
	size_t *hosts;			/* indexes into fleet.hosts, by name */
	size_t nhosts;
	struct fleet_stat stat[RS_NPOLICIES];	/* per policy of rs_policies */
	char plot[48];			/* plot stem when one was made, else "" */
};

struct fleet {
	struct fleet_host *hosts;	/* every capture, in argument order */
	size_t nhosts;
	size_t nreported, nleft, nbad;
	struct fleet_group *groups;
	size_t ngroups;
	double sweep_factor;
	char dir[4096];			/* private directory being written */
	char shown[4096];		/* where it ends up */
	char dbname[32];		/* "fleet.db" */
	char dbnote[512];		/* fleet.db's outcome in words (ours) */
	size_t db_captures, db_runs, db_totals;	/* rows copied into fleet.db */
};

struct fleet_options {
	const char *outdir;
	bool force;
	enum out_format format;
	const char *machine;
	const char *const *policies;
	size_t npolicies;
	double sweep_factor;
	int jobs;
};

int fleet_run(const struct fleet_options *o, char *const *args, size_t nargs);

/* fleet_pages.c */
int fleet_html(const struct fleet *fl, char *err, size_t errlen);
int fleet_md(const struct fleet *fl, char *err, size_t errlen);
int fleet_stdout(FILE *f, enum out_format fmt, const struct fleet *fl);
/* the group's parameters in words (DB text inside: escape it), into @buf */
const char *fleet_group_params(const struct fleet *fl, size_t g, char *buf, size_t len);
/* the host's policy @p (a name of rs_policies), or NULL */
const struct fleet_pol *fleet_pol(const struct fleet_host *h, const char *p);

/* fleet_plot.c: one box plot per group with distances; names into fl->groups[g].plot */
int fleet_plots(struct fleet *fl, const char *plotdir, char **names, size_t *n,
		char *err, size_t errlen);

/* fleetdb.c: DIR/fleet.db with every capture's stored runs (ATTACH, read-only) */
int fleetdb_write(struct fleet *fl, const char *path, char *err, size_t errlen);

#endif
