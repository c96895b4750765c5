/* SPDX-License-Identifier: MIT */
/*
 * output - table, csv and json layouts (interface in output.h).
 *
 * JSON is written by hand in the spec's exact layout: one key per line,
 * indent one space per level, `"results": []` when there are no rows, the
 * trace path as given (escaped). The table sizes each column to its widest
 * cell so that it stays aligned whatever the counts.
 */
#include "output.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Row r of policy p: r < nvms is a VM, r == nvms the all row. */
static void get_row(const struct engine *e, int p, int64_t r, struct metrics *m)
{
	if (r < engine_nvms(e))
		engine_row(e, p, r, m);
	else
		engine_all(e, p, m);
}

static void vm_label(const struct engine *e, int64_t r, char *buf, size_t len)
{
	if (r < engine_nvms(e))
		snprintf(buf, len, "%" PRId64, engine_vm_id(e, r));
	else
		snprintf(buf, len, "all");
}

/* Is row r of policy p shown? The all row always; a VM's when the policy
 * models its MMU (or vm_mmu does not say it). */
static bool row_shown(const struct engine *e, int p, int64_t r)
{
	return r >= engine_nvms(e) || engine_applies(e, p, r);
}

/* kernel_flush events of row r of policy p (a VM, or the sum over the VMs of "all"). */
static int64_t row_kernel_flushes(const struct engine *e, int p, int64_t r)
{
	int64_t sum = 0;

	if (r < engine_nvms(e))
		return engine_kernel_flushes(e, r);
	for (int64_t i = 0; i < engine_nvms(e); i++)
		if (engine_applies(e, p, i))
			sum += engine_kernel_flushes(e, i);
	return sum;
}

static int cmp_vcpu(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;	/* pairs (id, index) */

	return (x[0] > y[0]) - (x[0] < y[0]);
}

/* Each vcpu of VM i, by id: @cb(arg, vm, vcpu, kernel, flushes[npol]); a policy
 * not replayed on the VM (engine_applies) has flushes -1. */
static int each_vcpu(const struct engine *e, int64_t i,
		     void (*cb)(void *, int64_t, int64_t, int64_t, const int64_t *), void *arg)
{
	int64_t n = engine_nvcpus(e, i), *pairs = malloc(sizeof(*pairs) * 2 * (size_t)(n ? n : 1));
	int64_t flushes[MAX_POLICIES], id, kernel;

	if (!pairs)
		return -1;
	for (int64_t j = 0; j < n; j++) {
		engine_vcpu(e, i, j, &id, &kernel, flushes);
		pairs[2 * j] = id;
		pairs[2 * j + 1] = j;
	}
	qsort(pairs, (size_t)n, 2 * sizeof(*pairs), cmp_vcpu);
	for (int64_t j = 0; j < n; j++) {
		engine_vcpu(e, i, pairs[2 * j + 1], &id, &kernel, flushes);
		for (int p = 0; p < MAX_POLICIES; p++)
			if (!engine_applies(e, p, i))
				flushes[p] = -1;
		cb(arg, engine_vm_id(e, i), id, kernel, flushes);
	}
	free(pairs);
	return 0;
}

struct vcpu_out {
	FILE *f;
	const struct engine_config *cfg;
	bool first;
};

static void json_vcpu(void *arg, int64_t vm, int64_t vcpu, int64_t kernel, const int64_t *flushes)
{
	struct vcpu_out *o = arg;

	fprintf(o->f, "%s  {\"vm\": %" PRId64 ", \"vcpu\": %" PRId64 ", \"kernel_flushes\": %" PRId64
		", \"full_flushes\": {", o->first ? "\n" : ",\n", vm, vcpu, kernel);
	for (int p = 0, n = 0; p < o->cfg->npol; p++)
		if (flushes[p] >= 0)
			fprintf(o->f, "%s\"%s\": %" PRId64, n++ ? ", " : "", o->cfg->pol[p]->name,
				flushes[p]);
	fputs("}}", o->f);
	o->first = false;
}

static void table_vcpu(void *arg, int64_t vm, int64_t vcpu, int64_t kernel, const int64_t *flushes)
{
	struct vcpu_out *o = arg;

	fprintf(o->f, "%20" PRId64 " %11" PRId64 " %14" PRId64, vm, vcpu, kernel);
	for (int p = 0; p < o->cfg->npol; p++) {
		int w = (int)strlen(o->cfg->pol[p]->name) > 8 ? (int)strlen(o->cfg->pol[p]->name) : 8;

		if (flushes[p] < 0)
			fprintf(o->f, "  %*s", w, "-");
		else
			fprintf(o->f, "  %*" PRId64, w, flushes[p]);
	}
	fputc('\n', o->f);
}

static int write_json(FILE *f, const char *trace, const struct engine_config *cfg,
		      const struct engine *e)
{
	bool kf = engine_has_kernel_flush(e);
	int64_t nvms = engine_nvms(e);
	bool first = true;

	fputs("{\n \"trace\": ", f);
	json_string(f, trace);
	fputs(",\n \"machine\": ", f);
	json_string(f, cfg->m.name);
	fprintf(f, ",\n \"threads_per_core\": %" PRId64 ",\n \"threads_per_core_source\": \"%s\""
		",\n \"costs\": {", cfg->m.threads_per_core, cfg->m.tpc_source);
	for (int c = 0; c < NCOSTS; c++)
		fprintf(f, "\n  \"%s\": %" PRId64 "%s", cost_names[c], cfg->m.cost[c],
			c + 1 < NCOSTS ? "," : "\n },");
	fputs("\n \"results\": [", f);
	for (int p = 0; p < cfg->npol && nvms > 0; p++)
		for (int64_t r = 0; r <= nvms; r++) {
			struct metrics m;

			if (!row_shown(e, p, r))
				continue;
			get_row(e, p, r, &m);
			fputs(first ? "\n  {\n" : ",\n  {\n", f);
			first = false;
			fprintf(f, "   \"policy\": \"%s\",\n", cfg->pol[p]->name);
			if (r < nvms)
				fprintf(f, "   \"vm\": %" PRId64 ",\n", engine_vm_id(e, r));
			else
				fputs("   \"vm\": \"all\",\n", f);
			for (int k = 0; k < NMETRICS; k++)
				fprintf(f, "   \"%s\": %" PRId64 "%s\n", metric_names[k], m.v[k],
					k + 1 < NMETRICS || kf ? "," : "");
			if (kf)
				fprintf(f, "   \"kernel_flushes\": %" PRId64 "\n", row_kernel_flushes(e, p, r));
			fputs("  }", f);
		}
	fputs(first ? "]" : "\n ]", f);
	if (kf) {
		struct vcpu_out o = { f, cfg, true };

		fputs(",\n \"kernel_flushes_by_vcpu\": [", f);
		for (int64_t i = 0; i < nvms; i++)
			if (each_vcpu(e, i, json_vcpu, &o))
				return -1;
		fputs(o.first ? "]" : "\n ]", f);
	}
	fputs("\n}\n", f);
	return 0;
}

static void write_csv(FILE *f, const struct engine_config *cfg, const struct engine *e)
{
	int64_t nvms = engine_nvms(e);

	bool kf = engine_has_kernel_flush(e);

	fputs("policy,vm", f);
	for (int k = 0; k < NMETRICS; k++)
		fprintf(f, ",%s", metric_names[k]);
	fputs(kf ? ",kernel_flushes\n" : "\n", f);
	for (int p = 0; p < cfg->npol && nvms > 0; p++)
		for (int64_t r = 0; r <= nvms; r++) {
			struct metrics m;
			char vm[32];

			if (!row_shown(e, p, r))
				continue;
			get_row(e, p, r, &m);
			vm_label(e, r, vm, sizeof(vm));
			fprintf(f, "%s,%s", cfg->pol[p]->name, vm);
			for (int k = 0; k < NMETRICS; k++)
				fprintf(f, ",%" PRId64, m.v[k]);
			if (kf)
				fprintf(f, ",%" PRId64, row_kernel_flushes(e, p, r));
			fputc('\n', f);
		}
}

static int digits(int64_t v)
{
	char buf[32];

	return snprintf(buf, sizeof(buf), "%" PRId64, v);
}

/* Unknown kinds named in the foot: a file may declare any number of them. */
#define FOOT_KINDS 10

/* A string from the trace on a terminal: printable ASCII only (no escape
 * sequences, no line breaks from a hostile file), at most @max characters. */
static void put_printable(FILE *f, const char *s, int max)
{
	int n = 0;

	for (; *s && n < max; s++, n++)
		fputc(*s >= 0x20 && *s < 0x7f ? *s : '?', f);
	if (*s)
		fputs("...", f);
}

static void write_foot(FILE *f, const struct engine *e, struct tdb *db, const char *prefix)
{
	int64_t meta_lost = engine_meta_lost(e);

	if (engine_unknown_total(e) > 0) {
		fprintf(f, "%s%" PRId64 " events of kinds the replay does not know were skipped:",
			prefix, engine_unknown_total(e));
		for (int64_t i = 0; i < engine_nunknown(e) && i < FOOT_KINDS; i++) {
			int64_t id, count;
			const char *name;

			engine_unknown(e, i, &id, &count);
			name = tdb_kind_name(db, id);
			fputs(i ? ", " : " ", f);
			put_printable(f, name ? name : "?", 64);
			fprintf(f, " (id %" PRId64 ") %" PRId64, id, count);
		}
		if (engine_nunknown(e) > FOOT_KINDS)
			fprintf(f, ", and %" PRId64 " other kinds", engine_nunknown(e) - FOOT_KINDS);
		fputc('\n', f);
	}
	if (engine_lost(e) > 0)
		fprintf(f, "%s%" PRId64 " events were lost during the capture (lost records): "
			"counts are lower bounds\n", prefix, engine_lost(e));
	/* A producer may count losses in meta only; show that figure when it says more. */
	if (meta_lost > engine_lost(e))
		fprintf(f, "%smeta lost_events says %" PRId64 " events were lost during the "
			"capture: counts are lower bounds\n", prefix, meta_lost);
}

static void write_ids(FILE *f, const char *what, const struct id_set *s)
{
	fprintf(f, " %s", what);
	for (int64_t i = 0; i < s->n; i++)
		fprintf(f, "%s%" PRId64, i ? "," : " ", s->ids[i]);
	fputc(';', f);
}

/* What a filtered table counts (the meaning of each filter is in --help). */
static void write_filter(FILE *f, const struct replay_filter *flt)
{
	fputs("counted:", f);
	if (flt->vms.on)
		write_ids(f, "vm", &flt->vms);
	if (flt->vcpus.on)
		write_ids(f, "events of vcpu", &flt->vcpus);
	if (flt->window) {
		fputs(" events from ", f);
		if (flt->from == INT64_MIN)
			fputs("the start", f);
		else
			fprintf(f, "%" PRId64 " ns", flt->from);
		if (flt->to == INT64_MAX)
			fputs(" to the end", f);
		else
			fprintf(f, " to before %" PRId64 " ns", flt->to);
		fputs(" (the whole trace replayed)", f);
	}
	fputc('\n', f);
}

int output_sort_key(const char *name)
{
	if (strcmp(name, "vm") == 0)
		return SORT_BY_VM;
	for (int k = 0; k < NMETRICS; k++)
		if (strcmp(name, metric_names[k]) == 0)
			return k;
	return -2;
}

/* --sort: the VM rows of policy @p in table order (the "all" row stays last). */
struct sort_ctx {
	const struct engine *e;
	int pol, key;
};

static int cmp_rows(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *c = arg;
	int64_t ra = *(const int64_t *)a, rb = *(const int64_t *)b;
	struct metrics ma, mb;

	engine_row(c->e, c->pol, ra, &ma);
	engine_row(c->e, c->pol, rb, &mb);
	if (ma.v[c->key] != mb.v[c->key])
		return ma.v[c->key] < mb.v[c->key] ? 1 : -1;	/* largest first */
	return (ra > rb) - (ra < rb);				/* then by VM id */
}

static void table_order(const struct engine *e, int pol, int sort, int64_t *order)
{
	struct sort_ctx c = { e, pol, sort };
	int64_t nvms = engine_nvms(e);

	for (int64_t r = 0; r < nvms; r++)
		order[r] = r;
	if (sort != SORT_BY_VM)
		qsort_r(order, (size_t)nvms, sizeof(*order), cmp_rows, &c);
	order[nvms] = nvms;
}

/* Where T came from, in words for the table's first line. The meta value is
 * the capture's, so it is shown only when it is a plain architecture name. */
static void tpc_source_text(const char *src, struct tdb *db, char *buf, size_t len)
{
	const char *arch = tdb_meta(db, "machine");
	bool plain = arch && *arch && strlen(arch) < 32 &&
		strspn(arch, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == strlen(arch);

	if (strcmp(src, "option") == 0)
		snprintf(buf, len, "--threads-per-core");
	else if (strcmp(src, "meta") == 0)
		snprintf(buf, len, "the capture's meta, a POWER host");
	else if (arch && tdb_meta(db, "threads_per_core"))
		snprintf(buf, len, "the machine profile: the capture's host is %s, not POWER",
			 plain ? arch : "not POWER");
	else
		snprintf(buf, len, "the machine profile");
}

/* Which VMs vm_mmu says are hash or radix, and what that does to the rows;
 * nothing when it says none of them (every output as before). */
#define MMU_IDS 16
static void write_mmus(FILE *f, const struct engine_config *cfg, const struct engine *e)
{
	int64_t nvms = engine_nvms(e), known = 0;

	for (int64_t i = 0; i < nvms; i++)
		known += engine_vm_mmu(e, i) != TDB_MMU_UNKNOWN;
	if (!known)
		return;
	fputs("MMU (vm_mmu):", f);
	for (int mmu = TDB_MMU_UNKNOWN; mmu <= TDB_MMU_RADIX; mmu++) {
		int64_t n = 0;

		for (int64_t i = 0; i < nvms; i++) {
			if (engine_vm_mmu(e, i) != (enum tdb_mmu)mmu)
				continue;
			if (n < MMU_IDS)
				fprintf(f, "%s%" PRId64, n ? "," : " vm ", engine_vm_id(e, i));
			n++;
		}
		if (n > MMU_IDS)
			fprintf(f, " and %" PRId64 " more", n - MMU_IDS);
		if (n)
			fprintf(f, " %s;", tdb_mmu_names[mmu]);
	}
	fputs(" policies:", f);
	for (int p = 0; p < cfg->npol; p++)
		fprintf(f, "%s %s %s", p ? "," : "", cfg->pol[p]->name,
			tdb_mmu_names[cfg->pol[p]->mmu]);
	fputs("\n(a policy has rows only for the VMs of its MMU and of unknown MMU; its all row sums those)\n", f);
}

static int write_table(FILE *f, const char *trace, const struct engine_config *cfg,
		       const struct engine *e, struct tdb *db, int64_t *order, int sort)
{
	int64_t nvms = engine_nvms(e);
	int w[NMETRICS], wpol = 6, wvm = 3, wkf = 0;
	bool kf = engine_has_kernel_flush(e);
	char tsrc[96];

	tpc_source_text(cfg->m.tpc_source, db, tsrc, sizeof(tsrc));
	fprintf(f, "trace %s: %" PRId64 " events, %" PRId64 " VM%s; machine %s, %" PRId64
		" threads/core (from %s), %" PRId64 " sets, vcores %s\n", trace, engine_events(e),
		nvms, nvms == 1 ? "" : "s", cfg->m.name, cfg->m.threads_per_core, tsrc,
		cfg->m.cost[COST_SETS], machine_vcore_rule_name(cfg->m.vcores));
	fprintf(f, "costs (cycles):");
	for (int c = 0; c < NCOSTS; c++)
		if (c != COST_SETS)
			fprintf(f, " %s %" PRId64, cost_names[c], cfg->m.cost[c]);
	fputc('\n', f);
	for (int i = 0, n = 0; i < NOPTIONS; i++)
		if (cfg->opt.on[i] != replay_option_defs[i].dflt)
			fprintf(f, "%s %s=%d", n++ ? "," : "options (not the spec's reading):",
				replay_option_defs[i].name, cfg->opt.on[i] ? 1 : 0);
	for (int i = 0; i < NOPTIONS; i++)
		if (cfg->opt.on[i] != replay_option_defs[i].dflt) {
			fputc('\n', f);
			break;
		}
	if (filter_active(cfg->filter))
		write_filter(f, cfg->filter);
	write_mmus(f, cfg, e);
	fputc('\n', f);
	for (int k = 0; k < NMETRICS; k++)
		w[k] = (int)strlen(metric_names[k]);
	for (int p = 0; p < cfg->npol; p++) {
		if ((int)strlen(cfg->pol[p]->name) > wpol)
			wpol = (int)strlen(cfg->pol[p]->name);
		for (int64_t r = 0; r <= nvms && nvms > 0; r++) {
			struct metrics m;
			char vm[32];

			get_row(e, p, r, &m);
			vm_label(e, r, vm, sizeof(vm));
			if ((int)strlen(vm) > wvm)
				wvm = (int)strlen(vm);
			for (int k = 0; k < NMETRICS; k++)
				if (digits(m.v[k]) > w[k])
					w[k] = digits(m.v[k]);
		}
	}
	fprintf(f, "%-*s  %*s", wpol, "policy", wvm, "vm");
	for (int k = 0; k < NMETRICS; k++)
		fprintf(f, "  %*s", w[k], metric_names[k]);
	if (kf) {
		wkf = (int)strlen("kernel_flushes");
		for (int p = 0; p < cfg->npol; p++)
			if (digits(row_kernel_flushes(e, p, nvms)) > wkf)
				wkf = digits(row_kernel_flushes(e, p, nvms));
		fprintf(f, "  %*s", wkf, "kernel_flushes");
	}
	fputc('\n', f);
	if (nvms == 0)
		fputs("(no events of any VM)\n", f);
	for (int p = 0; p < cfg->npol && nvms > 0; p++) {
		table_order(e, p, sort, order);
		for (int64_t i = 0; i <= nvms; i++) {
			int64_t r = order[i];
			struct metrics m;
			char vm[32];

			if (!row_shown(e, p, r))
				continue;
			get_row(e, p, r, &m);
			vm_label(e, r, vm, sizeof(vm));
			fprintf(f, "%-*s  %*s", wpol, cfg->pol[p]->name, wvm, vm);
			for (int k = 0; k < NMETRICS; k++)
				fprintf(f, "  %*" PRId64, w[k], m.v[k]);
			if (kf)
				fprintf(f, "  %*" PRId64, wkf, row_kernel_flushes(e, p, r));
			fputc('\n', f);
		}
	}
	if (kf && nvms > 0) {
		struct vcpu_out o = { f, cfg, true };

		fputs("\nkernel_flushes: full flushes the kernel itself did (kernel_flush events), "
		      "per vcpu,\nbeside each policy's full flushes on that vcpu's entries:\n", f);
		fprintf(f, "%20s %11s %14s", "vm", "vcpu", "kernel_flushes");
		for (int p = 0; p < cfg->npol; p++)
			fprintf(f, "  %*s", (int)strlen(cfg->pol[p]->name) > 8
				? (int)strlen(cfg->pol[p]->name) : 8, cfg->pol[p]->name);
		fputc('\n', f);
		for (int64_t i = 0; i < nvms; i++)
			if (each_vcpu(e, i, table_vcpu, &o))
				return -1;
	}
	if (engine_unknown_total(e) > 0 || engine_lost(e) > 0 || engine_meta_lost(e) > 0)
		fputc('\n', f);
	write_foot(f, e, db, "");
	return 0;
}

int output_results(FILE *f, enum out_format fmt, const char *trace,
		   const struct engine_config *cfg, const struct engine *e, struct tdb *db,
		   int sort)
{
	int rc = 0;

	if (fmt == OUT_JSON) {
		rc = write_json(f, trace, cfg, e);
	} else if (fmt == OUT_CSV) {
		write_csv(f, cfg, e);
	} else {
		int64_t *order = malloc(sizeof(*order) * (size_t)(engine_nvms(e) + 1));

		if (!order)
			return -1;
		rc = write_table(f, trace, cfg, e, db, order, sort);
		free(order);
	}
	if (rc)
		return -1;
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

void output_notes(const struct engine *e, struct tdb *db)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "%s: note: ", tlb_prog);
	write_foot(stderr, e, db, prefix);
}

void output_json_string(FILE *f, const char *s)
{
	json_string(f, s);
}
