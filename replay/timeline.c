/* SPDX-License-Identifier: MIT */
/*
 * timeline - the trace-event JSON writer (layout and interface in timeline.h).
 *
 * State: the open run of each vcpu and the vcpu running on each host thread
 * (a hash of (vm, vcpu), and an array by the thread's dense index: ids from
 * the trace go through idmap.h, never straight into an index), the rank of each VM
 * (its vcpu process id), which (policy, core) threads have been named, and
 * the times of the HPT resets seen (to name the cause of an exposure). None
 * of it grows with the number of events, only with vcpus, cores, VMs and
 * resets. Every string written is built here from integers and fixed names:
 * nothing read from the trace becomes text in the file but numbers.
 */
#include "timeline.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idmap.h"

#define TID_UNKNOWN 2147483647	/* above any core number of a real host; names tell them apart */
#define PID_VMS 1000

struct run {
	int64_t vm, vcpu;	/* key; vm 0 = empty slot */
	int64_t start;		/* ts of the entry, or -1 not running */
	int64_t cpu;		/* host thread */
	int64_t cix;		/* its dense index (on_cpu) */
	bool named;		/* its thread has a name */
};

struct vm_rank {
	int64_t vm;
	int64_t rank;
};

struct reset_at {
	int64_t vm, ts;
};

struct timeline {
	FILE *f;
	char path[512];
	char tmp[528];		/* the temporary name of a regular file, or "" */
	const struct engine_config *cfg;
	struct engine_observer obs;
	bool first;			/* no event written yet */
	bool failed;
	int64_t last_ts;
	struct run *runs;		/* open addressing, capacity a power of two */
	int64_t capruns, nruns;
	struct idmap cpus;		/* host thread -> dense index (ids from the trace) */
	int64_t *on_cpu;		/* per dense cpu index: index+1 into runs of the running vcpu */
	int64_t ncpu;
	struct vm_rank *vms;		/* ranks by first appearance */
	int64_t nvms, capvms;
	struct idmap named[MAX_POLICIES];	/* core numbers whose thread has a name */
	bool unknown_named[MAX_POLICIES];
	struct reset_at *resets;
	int64_t nresets, capresets;
};

static void put_sep(struct timeline *t)
{
	fputs(t->first ? "\n" : ",\n", t->f);
	t->first = false;
}

/* ns as microseconds with three decimals, the unit of "ts" and "dur". */
static void put_us(FILE *f, const char *key, int64_t ns)
{
	uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;

	fprintf(f, "\"%s\":%s%" PRIu64 ".%03" PRIu64, key, ns < 0 ? "-" : "", a / 1000, a % 1000);
}

/* A process (tid < 0) or thread name: @name is "WORD" or "WORD <v>". */
static void meta_name(struct timeline *t, const char *what, int64_t pid, int64_t tid,
		      const char *name, const char *suffix, int64_t v)
{
	put_sep(t);
	fprintf(t->f, "{\"name\":\"%s\",\"ph\":\"M\",\"pid\":%" PRId64, what, pid);
	if (tid >= 0)
		fprintf(t->f, ",\"tid\":%" PRId64, tid);
	fprintf(t->f, ",\"args\":{\"name\":\"%s", name);
	if (suffix)
		fprintf(t->f, " %" PRId64 "%s", v, suffix);
	fputs("\"}}", t->f);
}

static int64_t vm_rank(struct timeline *t, int64_t vm)
{
	for (int64_t i = 0; i < t->nvms; i++)
		if (t->vms[i].vm == vm)
			return t->vms[i].rank;
	if (t->nvms == t->capvms) {
		int64_t cap = t->capvms ? t->capvms * 2 : 8;
		struct vm_rank *v = realloc(t->vms, sizeof(*v) * (size_t)cap);

		if (!v)
			return -1;
		t->vms = v;
		t->capvms = cap;
	}
	t->vms[t->nvms].vm = vm;
	t->vms[t->nvms].rank = t->nvms;
	meta_name(t, "process_name", PID_VMS + t->nvms, -1, "VM", " vcpus", vm);
	return t->nvms++;
}

static uint64_t run_hash(int64_t vm, int64_t vcpu)
{
	uint64_t x = (uint64_t)vm * 0x9e3779b97f4a7c15ull ^ (uint64_t)vcpu * 0xbf58476d1ce4e5b9ull;

	return x ^ (x >> 31);
}

static struct run *run_find(struct timeline *t, int64_t vm, int64_t vcpu, bool create);

static int runs_grow(struct timeline *t)
{
	struct run *old = t->runs;
	int64_t oldcap = t->capruns, cap = oldcap ? oldcap * 2 : 64;

	t->runs = calloc((size_t)cap, sizeof(*t->runs));
	if (!t->runs) {
		t->runs = old;
		return -1;
	}
	t->capruns = cap;
	t->nruns = 0;
	for (int64_t i = 0; i < oldcap; i++)
		if (old[i].vm) {
			struct run *r = run_find(t, old[i].vm, old[i].vcpu, true);

			*r = old[i];
		}
	/* on_cpu indices point into the old table: map them again */
	for (int64_t c = 0; c < t->ncpu; c++)
		if (t->on_cpu[c]) {
			const struct run *o = &old[t->on_cpu[c] - 1];

			t->on_cpu[c] = run_find(t, o->vm, o->vcpu, false) - t->runs + 1;
		}
	free(old);
	return 0;
}

static struct run *run_find(struct timeline *t, int64_t vm, int64_t vcpu, bool create)
{
	uint64_t i;

	if (create && 2 * (t->nruns + 1) > t->capruns && runs_grow(t))
		return NULL;
	for (i = run_hash(vm, vcpu) & (uint64_t)(t->capruns - 1);; i = (i + 1) & (uint64_t)(t->capruns - 1)) {
		struct run *r = &t->runs[i];

		if (r->vm == vm && r->vcpu == vcpu)
			return r;
		if (!r->vm) {
			if (!create)
				return NULL;
			r->vm = vm;
			r->vcpu = vcpu;
			r->start = -1;
			t->nruns++;
			return r;
		}
	}
}

/* Close @r's run at @ts as a complete slice on its vcpu's thread. */
static void run_end(struct timeline *t, struct run *r, int64_t ts)
{
	int64_t rank;

	if (r->start < 0)
		return;
	rank = vm_rank(t, r->vm);
	if (rank < 0) {
		t->failed = true;
		return;
	}
	put_sep(t);
	fprintf(t->f, "{\"name\":\"core %" PRId64 "\",\"cat\":\"run\",\"ph\":\"X\",",
		r->cpu / t->cfg->m.threads_per_core);
	put_us(t->f, "ts", r->start);
	fputc(',', t->f);
	put_us(t->f, "dur", ts - r->start);
	fprintf(t->f, ",\"pid\":%" PRId64 ",\"tid\":%" PRId64 ",\"args\":{\"cpu\":%" PRId64 "}}",
		PID_VMS + rank, r->vcpu, r->cpu);
	if (t->on_cpu[r->cix] == r - t->runs + 1)
		t->on_cpu[r->cix] = 0;
	r->start = -1;
}

/* The dense index of host thread @cpu, with its on_cpu slot; -1 out of memory. */
static int64_t cpu_index(struct timeline *t, int64_t cpu)
{
	int32_t cix = idmap_find(&t->cpus, cpu);
	int64_t cap = t->ncpu ? t->ncpu : 64, *p;

	if (cix >= 0)
		return cix;
	cix = idmap_add(&t->cpus, cpu);
	if (cix < 0)
		return -1;
	if (cix < t->ncpu)
		return cix;
	while (cap <= cix)
		cap *= 2;
	p = realloc(t->on_cpu, sizeof(*p) * (size_t)cap);
	if (!p)
		return -1;
	memset(p + t->ncpu, 0, sizeof(*p) * (size_t)(cap - t->ncpu));
	t->on_cpu = p;
	t->ncpu = cap;
	return cix;
}

static int on_event(void *arg, int64_t vm, enum tdb_kind kind, const struct pev *pe)
{
	struct timeline *t = arg;
	struct run *r;
	int64_t cix;

	t->last_ts = pe->ts;
	if (kind == TDB_HPT_RESET) {
		if (t->nresets == t->capresets) {
			int64_t cap = t->capresets ? t->capresets * 2 : 16;
			struct reset_at *p = realloc(t->resets, sizeof(*p) * (size_t)cap);

			if (!p)
				return -1;
			t->resets = p;
			t->capresets = cap;
		}
		t->resets[t->nresets].vm = vm;
		t->resets[t->nresets++].ts = pe->ts;
		return 0;
	}
	if (pe->vcpu < 0 || (kind != TDB_GUEST_ENTER && kind != TDB_GUEST_EXIT))
		return 0;
	if (vm_rank(t, vm) < 0)
		return -1;
	r = run_find(t, vm, pe->vcpu, true);
	if (!r)
		return -1;
	if (!r->named) {
		meta_name(t, "thread_name", PID_VMS + vm_rank(t, vm), pe->vcpu, "vcpu", "", pe->vcpu);
		r->named = true;
	}
	if (kind == TDB_GUEST_EXIT) {
		run_end(t, r, pe->ts);
		return t->failed ? -1 : 0;
	}
	if (pe->cpu < 0)
		return 0;
	cix = cpu_index(t, pe->cpu);
	if (cix < 0)
		return -1;
	run_end(t, r, pe->ts);
	if (t->on_cpu[cix])		/* another vcpu still on this thread: it left */
		run_end(t, &t->runs[t->on_cpu[cix] - 1], pe->ts);
	r->start = pe->ts;
	r->cpu = pe->cpu;
	r->cix = cix;
	t->on_cpu[cix] = r - t->runs + 1;
	return t->failed ? -1 : 0;
}

/* The (policy, core) thread, named at its first use. */
static int64_t core_tid(struct timeline *t, int pol, int64_t core)
{
	if (core < 0) {
		if (!t->unknown_named[pol]) {
			meta_name(t, "thread_name", pol + 1, TID_UNKNOWN, "core unknown", NULL, 0);
			t->unknown_named[pol] = true;
		}
		return TID_UNKNOWN;
	}
	if (idmap_find(&t->named[pol], core) < 0) {
		if (idmap_add(&t->named[pol], core) < 0)
			return -2;
		meta_name(t, "thread_name", pol + 1, core, "core", "", core);
	}
	return core;
}

static void instant(struct timeline *t, int pol, int64_t tid, const char *name, int64_t ts)
{
	put_sep(t);
	fprintf(t->f, "{\"name\":\"%s\",\"cat\":\"%s\",\"ph\":\"i\",\"s\":\"t\",", name,
		t->cfg->pol[pol]->name);
	put_us(t->f, "ts", ts);
	fprintf(t->f, ",\"pid\":%d,\"tid\":%" PRId64 ",\"args\":{", pol + 1, tid);
}

static bool was_reset(const struct timeline *t, int64_t vm, int64_t ts)
{
	for (int64_t i = t->nresets - 1; i >= 0 && t->resets[i].ts >= ts; i--)
		if (t->resets[i].ts == ts && t->resets[i].vm == vm)
			return true;
	return false;
}

static int on_policy(void *arg, int pol, int64_t vm, enum tdb_kind kind, const struct pev *pe,
		     const struct metrics *d, bool exposed, int64_t marked_ts)
{
	struct timeline *t = arg;
	int64_t tid = core_tid(t, pol, pe->core_id);	/* the core's number, not its index */

	if (tid == -2)
		return -1;
	if (kind == TDB_HPT_RESET) {
		instant(t, pol, core_tid(t, pol, -1), "hpt reset", pe->ts);
		fprintf(t->f, "\"vm\":%" PRId64 "}}", vm);
	}
	if (d->v[M_FULL_FLUSHES]) {
		instant(t, pol, tid, "full flush", pe->ts);
		fprintf(t->f, "\"vm\":%" PRId64 ",\"vcpu\":%" PRId64 ",\"tlbiel\":%" PRId64 "}}", vm,
			pe->vcpu, d->v[M_TLBIEL_FLUSH]);
	}
	if (d->v[M_LOCAL_SEQS]) {
		instant(t, pol, tid, "local invalidation", pe->ts);
		fprintf(t->f, "\"vm\":%" PRId64 ",\"n\":%" PRId64 ",\"seqs\":%" PRId64 "}}", vm,
			d->v[M_TLBIEL_INVAL], d->v[M_LOCAL_SEQS]);
	}
	if (d->v[M_TLBIE_SEQS]) {
		instant(t, pol, tid, "global invalidation", pe->ts);
		fprintf(t->f, "\"vm\":%" PRId64 ",\"n\":%" PRId64 ",\"seqs\":%" PRId64 "}}", vm,
			d->v[M_TLBIE], d->v[M_TLBIE_SEQS]);
	}
	if (exposed) {
		instant(t, pol, tid, "stale exposure", pe->ts);
		fprintf(t->f, "\"vm\":%" PRId64 ",\"vcpu\":%" PRId64 ",\"marked_at_ns\":%" PRId64
			",\"cause\":\"%s\"}}", vm, pe->vcpu, marked_ts,
			was_reset(t, vm, marked_ts) ? "hpt reset" : "local invalidation");
	}
	return ferror(t->f) ? -1 : 0;
}

/* A regular file (or a new one) is written beside it under a temporary name
 * and renamed when complete, so a failed run leaves the user's path as it
 * was; anything else the user names (a pipe, /dev/stdout) is written in
 * place and never removed. */
static FILE *open_output(struct timeline *t, const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd;
	FILE *f;

	if (strlen(path) + sizeof(".tmpXXXXXX") > sizeof(t->tmp)) {
		snprintf(err, errlen, "the path is too long");
		return NULL;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		f = fopen(path, "w");
		if (!f)
			snprintf(err, errlen, "%s", strerror(errno));
		return f;
	}
	snprintf(t->tmp, sizeof(t->tmp), "%s.tmpXXXXXX", path);
	fd = mkstemp(t->tmp);
	if (fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		t->tmp[0] = 0;
		return NULL;
	}
	/* mkstemp's 0600 stays: the timeline holds the trace's vcpu runs, like the DB. */
	f = fdopen(fd, "w");
	if (!f) {
		snprintf(err, errlen, "%s", strerror(errno));
		close(fd);
		unlink(t->tmp);
		t->tmp[0] = 0;
	}
	return f;
}

struct timeline *timeline_open(const char *path, const struct engine_config *cfg, char *err,
			       size_t errlen)
{
	struct timeline *t = calloc(1, sizeof(*t));

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(t->path, sizeof(t->path), "%s", path);
	t->f = open_output(t, path, err, errlen);
	if (!t->f) {
		free(t);
		return NULL;
	}
	t->cfg = cfg;
	t->first = true;
	idmap_init(&t->cpus);
	for (int p = 0; p < MAX_POLICIES; p++)
		idmap_init(&t->named[p]);
	t->obs.arg = t;
	t->obs.event = on_event;
	t->obs.policy = on_policy;
	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", t->f);
	for (int p = 0; p < cfg->npol; p++) {
		put_sep(t);
		fprintf(t->f, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%d,"
			"\"args\":{\"name\":\"policy %s\"}}", p + 1, cfg->pol[p]->name);
		put_sep(t);
		fprintf(t->f, "{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":%d,"
			"\"args\":{\"sort_index\":%d}}", p + 1, p + 1);
	}
	return t;
}

const struct engine_observer *timeline_observer(struct timeline *t) { return &t->obs; }

int timeline_close(struct timeline *t, bool keep, char *err, size_t errlen)
{
	int rc = 0;

	if (!t)
		return 0;
	for (int64_t i = 0; i < t->capruns; i++)
		if (t->runs[i].vm)
			run_end(t, &t->runs[i], t->last_ts);
	fputs("\n]}\n", t->f);
	if (t->failed || ferror(t->f)) {
		snprintf(err, errlen, "%s: %s", t->path, t->failed ? "out of memory" : strerror(errno));
		rc = -1;
	}
	if (fclose(t->f) && !rc) {
		snprintf(err, errlen, "%s: %s", t->path, strerror(errno));
		rc = -1;
	}
	if (t->tmp[0]) {
		if (keep && !rc && rename(t->tmp, t->path)) {
			snprintf(err, errlen, "%s: %s", t->path, strerror(errno));
			rc = -1;
		}
		if (!keep || rc)
			unlink(t->tmp);
	}
	for (int p = 0; p < MAX_POLICIES; p++)
		idmap_free(&t->named[p]);
	idmap_free(&t->cpus);
	free(t->runs);
	free(t->on_cpu);
	free(t->vms);
	free(t->resets);
	free(t);
	return rc;
}
