// SPDX-License-Identifier: MIT
/*
 * hcallcmp - compare hcall counts per opcode (and per return code) from several sources.
 *
 * What it is: the pseries harness's judge. Each source is a file of count
 * lines in hcallcount's format (pseries/hcallcount.c):
 *   entry 0xOPCODE COUNT          calls seen
 *   exit 0xOPCODE RC COUNT        returns with that code
 *   bulk_ok 0xOPCODE N            H_BULK_REMOVE entries removed (the n's sum)
 * (other lines are ignored). The harness writes one such file from the
 * guest's tracefs text (pseries/tracecounts.awk), one from hcallcount's BPF
 * maps and one from tlbcollect's DB (SQL in pseries/check.sh).
 *
 * It prints one table in perf kvm stat's spirit: a row per opcode with its
 * name from the one hcall table (common/hcall.h), a column per source, then
 * a row per (opcode, return code), then the bulk sums; a '*' marks a row
 * whose sources disagree. A source that has no line of a kind at all (no
 * bulk_ok lines, say) is shown as '-' and not compared on that kind.
 *
 * USAGE: hcallcmp LABEL=FILE LABEL=FILE...
 * Exit 0 when every compared row agrees, 1 when one differs, 2 on bad usage
 * or unreadable input.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcall.h"

#define MAX_SRC 8
#define MAX_ROWS 512

enum row_kind { ROW_ENTRY, ROW_EXIT, ROW_BULK, ROW_NKINDS };

struct row {
	enum row_kind kind;		/* which count */
	uint64_t opcode;		/* hcall number */
	int64_t rc;			/* return code (ROW_EXIT), else 0 */
	int64_t count[MAX_SRC];		/* per source; -1 = the source has no such line */
};

static struct row rows[MAX_ROWS];
static int nrows;
static int has_kind[MAX_SRC][ROW_NKINDS];	/* the source had lines of that kind */

static struct row *row_get(enum row_kind kind, uint64_t opcode, int64_t rc, int nsrc)
{
	int i, s;

	for (i = 0; i < nrows; i++)
		if (rows[i].kind == kind && rows[i].opcode == opcode && rows[i].rc == rc)
			return &rows[i];
	if (nrows == MAX_ROWS)
		return NULL;
	rows[nrows] = (struct row){ .kind = kind, .opcode = opcode, .rc = rc };
	for (s = 0; s < nsrc; s++)
		rows[nrows].count[s] = -1;
	return &rows[nrows++];
}

static int load(int src, int nsrc, const char *path)
{
	char line[256], word[32];
	uint64_t opcode;
	int64_t a, b;
	FILE *f = fopen(path, "r");
	int lineno = 0;

	if (!f) {
		fprintf(stderr, "hcallcmp: cannot open %s: %m\n", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		enum row_kind kind;
		int64_t rc = 0, count;
		struct row *r;
		int n;

		lineno++;
		n = sscanf(line, "%31s %" SCNx64 " %" SCNd64 " %" SCNd64, word, &opcode, &a, &b);
		if (!strcmp(word, "entry") && n == 3)
			kind = ROW_ENTRY, count = a;
		else if (!strcmp(word, "exit") && n == 4)
			kind = ROW_EXIT, rc = a, count = b;
		else if (!strcmp(word, "bulk_ok") && n == 3)
			kind = ROW_BULK, count = a;
		else
			continue;
		r = row_get(kind, opcode, rc, nsrc);
		if (!r) {
			fprintf(stderr, "hcallcmp: cannot read %s:%d: more than %d rows\n", path, lineno, MAX_ROWS);
			fclose(f);
			return -1;
		}
		r->count[src] = (r->count[src] < 0 ? 0 : r->count[src]) + count;
		has_kind[src][kind] = 1;
	}
	fclose(f);
	return 0;
}

static int cmp_rows(const void *pa, const void *pb)
{
	const struct row *x = pa, *y = pb;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->opcode != y->opcode)
		return x->opcode < y->opcode ? -1 : 1;
	return x->rc < y->rc ? -1 : x->rc > y->rc;
}

int main(int argc, char **argv)
{
	static const char *const kind_title[ROW_NKINDS] = {
		"calls per opcode (hcall_entry)",
		"returns per opcode and return code (hcall_exit)",
		"H_BULK_REMOVE entries removed (sum of n)",
	};
	const char *label[MAX_SRC];
	int nsrc = argc - 1, s, i, differ = 0;
	enum row_kind shown = ROW_NKINDS;

	if (nsrc < 2 || nsrc > MAX_SRC) {
		fprintf(stderr, "USAGE: hcallcmp LABEL=FILE LABEL=FILE... (2 to %d sources)\n", MAX_SRC);
		return 2;
	}
	for (s = 0; s < nsrc; s++) {
		char *eq = strchr(argv[s + 1], '=');

		if (!eq || eq == argv[s + 1]) {
			fprintf(stderr, "hcallcmp: bad source '%s': want LABEL=FILE\n", argv[s + 1]);
			return 2;
		}
		*eq = '\0';
		label[s] = argv[s + 1];
		if (load(s, nsrc, eq + 1))
			return 2;
	}
	qsort(rows, (size_t)nrows, sizeof(rows[0]), cmp_rows);
	for (i = 0; i < nrows; i++) {
		struct row *r = &rows[i];
		int64_t want = -1;
		int bad = 0;
		char what[48];

		if (r->kind != shown) {
			shown = r->kind;
			printf("%s%s\n%-7s %-26s", i ? "\n" : "", kind_title[shown], "opcode", "name");
			for (s = 0; s < nsrc; s++)
				printf(" %12s", label[s]);
			printf("\n");
		}
		for (s = 0; s < nsrc; s++) {
			int64_t c = r->count[s];

			if (!has_kind[s][r->kind])
				continue;
			if (c < 0)
				c = 0;
			if (want < 0)
				want = c;
			else if (c != want)
				bad = 1;
		}
		if (r->kind == ROW_EXIT)
			snprintf(what, sizeof(what), "%s rc=%" PRId64, hcall_name(r->opcode), r->rc);
		else
			snprintf(what, sizeof(what), "%s", hcall_name(r->opcode));
		printf("0x%-5" PRIx64 " %-26s", r->opcode, what);
		for (s = 0; s < nsrc; s++) {
			if (!has_kind[s][r->kind])
				printf(" %12s", "-");
			else
				printf(" %12" PRId64, r->count[s] < 0 ? 0 : r->count[s]);
		}
		printf("%s\n", bad ? "  *" : "");
		differ |= bad;
	}
	if (differ)
		printf("\nhcallcmp: the sources disagree on the rows marked *\n");
	return differ ? 1 : 0;
}
