/* SPDX-License-Identifier: MIT */
/*
 * multiout - several settings' outputs as one (layouts in multiout.h).
 *
 * csv and json are made from output.c's own text for each setting (written to
 * memory, then prefixed or indented line by line), so a setting's numbers and
 * keys are those of a single-setting run by construction. Line by line is
 * safe: output.c escapes every line break inside a JSON string, and the csv
 * cells are numbers and names without commas.
 */
#include "multiout.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* output.c's text of one setting in @fmt, NUL-terminated (free it); NULL if it failed. */
static char *one_output(enum out_format fmt, const char *trace, const struct engine_config *cfg,
			const struct engine *e, struct tdb *db, int sort)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int rc;

	if (!m)
		return NULL;
	rc = output_results(m, fmt, trace, cfg, e, db, sort);
	if (fclose(m) != 0 || rc) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Each line of @text led by @lead, from line @from on; a last line without
 * '\n' is left open. */
static void put_lines(FILE *f, const char *text, const char *lead, int from)
{
	int line = 0;

	for (const char *p = text; *p; line++) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (line >= from)
			fprintf(f, "%s%.*s%s", lead, (int)n, p, nl ? "\n" : "");
		p += n + (nl ? 1 : 0);
	}
}

static int write_csv(FILE *f, const char *trace, const struct engine_config *cfgs,
		     struct engine *const *es, int n, struct tdb *db)
{
	for (int i = 0; i < n; i++) {
		char *text = one_output(OUT_CSV, trace, &cfgs[i], es[i], db, SORT_BY_VM);
		char lead[96];

		if (!text)
			return -1;
		/* the header line once, led by the two columns' names */
		if (i == 0)
			fprintf(f, "machine,threads_per_core,%.*s\n", (int)strcspn(text, "\n"), text);
		snprintf(lead, sizeof(lead), "%s,%" PRId64 ",", cfgs[i].m.name,
			 cfgs[i].m.threads_per_core);
		put_lines(f, text, lead, 1);
		free(text);
	}
	return 0;
}

static int write_json(FILE *f, const char *trace, const struct engine_config *cfgs,
		      struct engine *const *es, int n, struct tdb *db)
{
	fputs("{\n \"trace\": ", f);
	output_json_string(f, trace);
	fputs(",\n \"runs\": [\n", f);
	for (int i = 0; i < n; i++) {
		char *text = one_output(OUT_JSON, trace, &cfgs[i], es[i], db, SORT_BY_VM);
		size_t len;

		if (!text)
			return -1;
		len = strlen(text);
		if (len && text[len - 1] == '\n')
			text[len - 1] = '\0';	/* the closing brace, then "," or nothing */
		put_lines(f, text, "  ", 0);
		fputs(i + 1 < n ? ",\n" : "\n", f);
		free(text);
	}
	fputs(" ]\n}\n", f);
	return 0;
}

static int write_table(FILE *f, const char *trace, const struct engine_config *cfgs,
		       struct engine *const *es, int n, struct tdb *db, int sort)
{
	for (int i = 0; i < n; i++) {
		fprintf(f, "%s== setting %d of %d: machine %s, threads_per_core %" PRId64 " ==\n",
			i ? "\n" : "", i + 1, n, cfgs[i].m.name, cfgs[i].m.threads_per_core);
		if (output_results(f, OUT_TABLE, trace, &cfgs[i], es[i], db, sort))
			return -1;
	}
	return 0;
}

int multiout_results(FILE *f, enum out_format fmt, const char *trace,
		     const struct engine_config *cfgs, struct engine *const *es, int n,
		     struct tdb *db, int sort)
{
	int rc;

	if (fmt == OUT_JSON)
		rc = write_json(f, trace, cfgs, es, n, db);
	else if (fmt == OUT_CSV)
		rc = write_csv(f, trace, cfgs, es, n, db);
	else
		rc = write_table(f, trace, cfgs, es, n, db, sort);
	if (rc)
		return -1;
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
