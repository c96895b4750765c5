/* SPDX-License-Identifier: MIT */
/*
 * test_brute - `optimal` checked against every local/global choice (t1060).
 *
 * A test program, not part of tlbreplay, and on purpose sharing none of its
 * code but the trace reader: it reads a small trace, and for each VM tries
 * every assignment of local or global to the invalidations that have a
 * choice (holds not empty, core known), simulating the schedule with its own
 * safety rule: a local invalidation makes every other core that holds the VM
 * stale, and a stale core flushes at its next entry (as does a core an HPT
 * reset emptied). That is the cheapest safe schedule for that assignment, so
 * the minimum over all assignments is the floor; among the cheapest it keeps
 * the one with the fewest local invalidations, which is the cut the spec
 * reports (the smallest source side, mincut.h). No max-flow, no windows, no
 * grouping: if the min-cut code is wrong, the two disagree.
 *
 * Usage: replay_brute TRACE.db T tlbiel tlbie tlbsync ptesync eieio lock refill sets MAX
 * prints one line per VM (ascending id):
 *   VM full_flushes tlbiel_flush tlbiel_inval local_seqs tlbie tlbie_seqs cycles
 * or "VM skip M" when the VM has M > MAX choices. Cores must be < 64.
 * Reading rules as replay-model.md: an hcall with cpu -1 takes its vcpu's last
 * entry's core; H_REMOVE, H_PROTECT, H_BULK_REMOVE and host_inval with n > 0
 * invalidate; a host_inval's global is n sequences of 1.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcall.h"
#include "tracedb.h"

enum { EV_ENTER, EV_INVAL, EV_RESET };

struct bev {
	int kind;
	int core;	/* -1 unknown */
	int host;	/* host_inval */
	int64_t n;
};

struct bvm {
	int64_t id;
	struct bev *ev;
	int64_t nev, capev;
	int64_t last_core[4096];	/* per vcpu id (small traces): -1 none */
};

struct counts {
	int64_t ff, tlbiel_flush, tlbiel_inval, local_seqs, tlbie, tlbie_seqs, cycles, nlocal;
};

static int64_t cost[8];	/* tlbiel tlbie tlbsync ptesync eieio lock refill sets */

static void push(struct bvm *v, struct bev e)
{
	if (v->nev == v->capev) {
		v->capev = v->capev ? v->capev * 2 : 64;
		v->ev = realloc(v->ev, sizeof(*v->ev) * (size_t)v->capev);
		if (!v->ev) {
			perror("replay_brute");
			exit(1);
		}
	}
	v->ev[v->nev++] = e;
}

static void simulate(const struct bvm *v, uint64_t mask, struct counts *c)
{
	uint64_t holds = 0, marked = 0, stale = 0;
	int j = 0;
	int64_t global_seq = cost[5] + 2 * cost[3] + cost[4] + cost[2];

	memset(c, 0, sizeof(*c));
	for (int64_t i = 0; i < v->nev; i++) {
		const struct bev *e = &v->ev[i];
		uint64_t bit = e->core >= 0 ? 1ull << e->core : 0;

		if (e->kind == EV_ENTER) {
			if ((marked | stale) & bit) {
				c->ff++;
				c->tlbiel_flush += cost[7];
				c->cycles += 2 * cost[3] + cost[7] * cost[0] + cost[6];
				marked &= ~bit;
				stale &= ~bit;
			}
			holds |= bit;
		} else if (e->kind == EV_RESET) {
			marked |= holds;
			holds = 0;
		} else if (holds) {
			bool local = e->core >= 0 && (mask >> j++ & 1);

			if (local) {
				c->nlocal++;
				c->local_seqs++;
				c->tlbiel_inval += e->n;
				c->cycles += 2 * cost[3] + e->n * cost[0];
				stale |= holds & ~bit;
			} else if (e->host) {
				c->tlbie += e->n;
				c->tlbie_seqs += e->n;
				c->cycles += e->n * (global_seq + cost[1]);
			} else {
				c->tlbie += e->n;
				c->tlbie_seqs++;
				c->cycles += global_seq + e->n * cost[1];
			}
		}
	}
}

/* How many invalidations of @v have a choice: holds not empty, core known. */
static int choices(const struct bvm *v)
{
	uint64_t holds = 0;
	int m = 0;

	for (int64_t i = 0; i < v->nev; i++) {
		const struct bev *e = &v->ev[i];

		if (e->kind == EV_ENTER)
			holds |= 1ull << e->core;
		else if (e->kind == EV_RESET)
			holds = 0;
		else if (holds && e->core >= 0)
			m++;
	}
	return m;
}

int main(int argc, char **argv)
{
	struct bvm *vms = NULL;
	int nvms = 0;
	struct tdb *db;
	struct tdb_event ev;
	char err[512];
	int64_t T, max;
	int rc;

	if (argc != 12) {
		fprintf(stderr, "usage: replay_brute TRACE.db T tlbiel tlbie tlbsync ptesync eieio lock refill sets MAX\n");
		return 2;
	}
	T = strtoll(argv[2], NULL, 10);
	for (int i = 0; i < 8; i++)
		cost[i] = strtoll(argv[3 + i], NULL, 10);
	max = strtoll(argv[11], NULL, 10);
	db = tdb_open(argv[1], TDB_READONLY, err, sizeof(err));
	if (!db || T < 1) {
		fprintf(stderr, "replay_brute: cannot read %s\n", db ? "T" : err);
		return 2;
	}
	if (tdb_scan_begin(db))
		return 1;
	while ((rc = tdb_scan_next(db, &ev)) == 1) {
		struct bvm *v = NULL;
		struct bev e = { 0, -1, 0, 0 };

		if (ev.vm == 0 || ev.kind == TDB_OTHER)
			continue;
		for (int i = 0; i < nvms; i++)
			if (vms[i].id == ev.vm)
				v = &vms[i];
		if (!v) {
			int at = 0;

			vms = realloc(vms, sizeof(*vms) * (size_t)(nvms + 1));
			if (!vms)
				return 1;
			while (at < nvms && vms[at].id < ev.vm)
				at++;
			memmove(vms + at + 1, vms + at, sizeof(*vms) * (size_t)(nvms - at));
			v = &vms[at];
			memset(v, 0, sizeof(*v));
			v->id = ev.vm;
			for (int i = 0; i < 4096; i++)
				v->last_core[i] = -1;
			nvms++;
		}
		if (ev.cpu >= 64 * T || ev.vcpu >= 4096) {
			fprintf(stderr, "replay_brute: a core >= 64 or vcpu >= 4096: too big for this test\n");
			return 2;
		}
		e.core = ev.cpu >= 0 ? (int)(ev.cpu / T) : -1;
		switch (ev.kind) {
		case TDB_GUEST_ENTER:
			if (ev.cpu < 0)
				continue;
			v->last_core[ev.vcpu] = e.core;
			e.kind = EV_ENTER;
			break;
		case TDB_HCALL:
			if (ev.a[2] <= 0 || (ev.a[0] != H_REMOVE && ev.a[0] != H_PROTECT &&
					     ev.a[0] != H_BULK_REMOVE))
				continue;
			if (e.core < 0 && ev.vcpu >= 0)
				e.core = (int)v->last_core[ev.vcpu];
			e.kind = EV_INVAL;
			e.n = ev.a[2];
			break;
		case TDB_HOST_INVAL:
			if (ev.a[0] <= 0)
				continue;
			e.kind = EV_INVAL;
			e.host = 1;
			e.n = ev.a[0];
			break;
		case TDB_HPT_RESET:
			e.kind = EV_RESET;
			break;
		default:
			continue;
		}
		push(v, e);
	}
	tdb_scan_end(db);
	tdb_close(db);
	if (rc < 0)
		return 2;
	for (int i = 0; i < nvms; i++) {
		int m = choices(&vms[i]);
		struct counts best, c;

		if (m > max) {
			printf("%" PRId64 " skip %d\n", vms[i].id, m);
			continue;
		}
		simulate(&vms[i], 0, &best);
		for (uint64_t mask = 1; mask < (1ull << m); mask++) {
			simulate(&vms[i], mask, &c);
			if (c.cycles < best.cycles || (c.cycles == best.cycles && c.nlocal < best.nlocal))
				best = c;
		}
		printf("%" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64
		       " %" PRId64 "\n", vms[i].id, best.ff, best.tlbiel_flush, best.tlbiel_inval,
		       best.local_seqs, best.tlbie, best.tlbie_seqs, best.cycles);
		free(vms[i].ev);
	}
	free(vms);
	return 0;
}
