// SPDX-License-Identifier: MIT
/*
 * fuzz_tracedb.c - libFuzzer target: the trace DB reader (common/tracedb),
 * the one every consumer (tlbreplay, tlbmerge, tlbreport) reads through.
 *
 * Each input is written to a file in /dev/shm (SQLite resolves the links of
 * a path, so a memfd's /proc/self/fd/N does not open) and opened by path as
 * a SQLite file (read-only, as tlbreplay opens one): tdb_open's checks, a few meta keys,
 * then the validated ordered scan to its end, each event fed to a tiny
 * replay-like consumer: per-kind counts, the kind's name, and per (vm, vcpu)
 * the cpu it last entered in a fixed-size open-addressing table (memory
 * bounded whatever the ids, as the replay's must be).
 * Corpus: small trace DBs written by tlbgen (fuzz/run.sh makes them).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "tracedb.h"

#define SLOTS 1024

struct slot {
	int64_t vm, vcpu, cpu;
	int used;
};

static void consume(struct tdb *db, const struct tdb_event *ev, struct slot *t, int64_t *per_kind)
{
	uint64_t h;

	per_kind[ev->kind]++;
	if (!tdb_kind_name(db, ev->kind_id))
		abort();	/* the scan promised a kind of event_kind */
	if (ev->kind != TDB_GUEST_ENTER && ev->kind != TDB_GUEST_EXIT)
		return;
	h = ((uint64_t)ev->vm * 0x9e3779b97f4a7c15ull) ^ (uint64_t)ev->vcpu;
	for (int i = 0; i < SLOTS; i++) {
		struct slot *s = &t[(h + (uint64_t)i) % SLOTS];

		if (s->used && (s->vm != ev->vm || s->vcpu != ev->vcpu))
			continue;
		s->used = 1;
		s->vm = ev->vm;
		s->vcpu = ev->vcpu;
		s->cpu = ev->kind == TDB_GUEST_ENTER ? ev->cpu : -1;
		return;
	}
}

static char path[128];

static void remove_file(void)
{
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct slot table[SLOTS];
	int64_t per_kind[TDB_NKINDS + 1] = { 0 };
	char err[512];
	struct tdb_event ev;
	struct tdb *db;
	int fd;

	if (!path[0]) {
		snprintf(path, sizeof(path), "%s/tlb-fuzz-tracedb-%ld.db",
			 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (long)getpid());
		atexit(remove_file);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	close(fd);
	db = tdb_open(path, TDB_READONLY, err, sizeof(err));
	if (db) {
		memset(table, 0, sizeof(table));
		(void)tdb_meta(db, "threads_per_core");
		(void)tdb_meta(db, "event_order");
		(void)tdb_event_count(db);
		if (tdb_scan_begin(db) == 0) {
			while (tdb_scan_next(db, &ev) == 1)
				consume(db, &ev, table, per_kind);
			tdb_scan_end(db);
		}
		tdb_close(db);
	}
	return 0;
}
