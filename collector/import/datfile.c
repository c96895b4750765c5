// SPDX-License-Identifier: MIT
/*
 * datfile.c - a trace-cmd trace.dat as input, read through libtracecmd and
 * libtraceevent (they parse the file: headers, event formats, compression,
 * endianness, versions 6 and 7; nothing here parses its bytes).
 *
 * What it owns: opening the file and its buffer instances, iterating every
 * record of every buffer in time order (tracecmd_iterate_events_multi), and
 * reading fields by name from each record for the mapper, bounds-checked
 * against the record's size (a corrupted format must not make us read past it).
 *
 * Interface: imp_open_dat() (reader.h), dat_run(), dat_free() (reader_impl.h).
 *
 * Bad input: tracecmd_open() fails on a bad header; a damaged data section
 * shows up as libtracecmd/libtraceevent warnings or errors while iterating
 * (their tracecmd_warning/tep_warning hooks are weak symbols that we
 * override to count them), or as fewer records than the saved cpu stats
 * say were read into the file. Some damage makes libtracecmd 1.3 itself
 * crash (a version-6 file cut inside a buffer instance's data:
 * tracecmd_close() of the half-made instance handle faults); tlbimport's
 * fatal-signal handler turns that into exit 2 with nothing left behind.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <event-parse.h>
#include <trace-cmd.h>

#include "reader_impl.h"

/*
 * Exported by libtracecmd 1.3 (trace-cmd-private.h, not installed by Debian's
 * libtracecmd-dev): what the file says about its clock, version, compression.
 */
const char *tracecmd_get_trace_clock(struct tracecmd_input *handle);
unsigned long tracecmd_get_in_file_version(struct tracecmd_input *handle);
int tracecmd_get_file_compress_proto(struct tracecmd_input *handle, const char **name,
				     const char **version);
const char *tracecmd_get_uname(struct tracecmd_input *handle);
const char *tracecmd_get_cpustats(struct tracecmd_input *handle);
int tracecmd_cpus(struct tracecmd_input *handle);
int tracecmd_long_size(struct tracecmd_input *handle);

#define MAX_BUFFERS 64

struct dat_state {
	struct tracecmd_input *top;
	struct tracecmd_input *h[MAX_BUFFERS];	/* top, then instances */
	int nh;
};

/*
 * Under LeakSanitizer (make check), leaks inside the libraries are not ours:
 * libtraceevent 1.7's tep_parse_event keeps a few bytes per event format, and
 * libtracecmd's option parsing a sscanf %m buffer. LSan asks for this hook.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libtraceevent.so\nleak:libtracecmd.so\nleak:__isoc99_vsscanf\n";
}

const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}

/* Messages of the libraries while we read: each one means damaged input. */
static int lib_complaints;
static char lib_first[200];

static void lib_note(const char *fmt, va_list ap)
{
	if (lib_complaints++ == 0)
		vsnprintf(lib_first, sizeof(lib_first), fmt, ap);
}

/* Override the libraries' weak message hooks (trace-cmd-local.h, event-utils.h). */
void tracecmd_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lib_note(fmt, ap);
	va_end(ap);
}

void tracecmd_critical(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lib_note(fmt, ap);
	va_end(ap);
}

void tep_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lib_note(fmt, ap);
	va_end(ap);
}

void tep_critical(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lib_note(fmt, ap);
	va_end(ap);
}

/*
 * The kernel's per-cpu buffer stats, saved by trace-cmd at the end of the
 * recording (the text of per_cpu/cpuN/stats, every buffer). "read events" is
 * what was taken out of the kernel's buffers into this file (extract), so
 * fewer records than that means data is missing; record's splice path leaves
 * it 0, which checks nothing. "overrun" and "dropped events" are lost events.
 */
static void parse_cpustats(const char *s, int64_t *read, int64_t *lost)
{
	*read = -1;
	*lost = 0;
	for (const char *p = s; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		long long v;

		if (sscanf(p, "read events: %lld", &v) == 1)
			*read = (*read < 0 ? 0 : *read) + v;
		else if (sscanf(p, "overrun: %lld", &v) == 1 || sscanf(p, "dropped events: %lld", &v) == 1)
			*lost += v;
	}
}

struct imp_reader *imp_open_dat(const char *path, char *err, size_t errlen)
{
	struct imp_reader *r = calloc(1, sizeof(*r));
	struct dat_state *ds = calloc(1, sizeof(*ds));
	const char *clock, *cname = NULL, *cver = NULL;

	if (!r || !ds) {
		free(r);
		free(ds);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	r->dat = ds;
	r->path = path;
	r->info.format = "trace.dat";
	r->info.header_lost = -1;
	lib_complaints = 0;
	ds->top = tracecmd_open(path, TRACECMD_FL_LOAD_NO_PLUGINS);
	if (!ds->top) {
		snprintf(err, errlen, "%s: libtracecmd cannot open it as a trace.dat (bad or truncated headers%s%s)",
			 path, lib_complaints ? ": " : "", lib_complaints ? lib_first : "");
		goto fail;
	}
	ds->h[ds->nh++] = ds->top;
	int ni = tracecmd_buffer_instances(ds->top);

	for (int i = 0; i < ni && ds->nh < MAX_BUFFERS; i++) {
		struct tracecmd_input *ih = tracecmd_buffer_instance_handle(ds->top, i);

		if (!ih) {
			snprintf(err, errlen, "%s: cannot open buffer instance %d (%s)", path, i,
				 tracecmd_buffer_instance_name(ds->top, i) ?: "?");
			goto fail;
		}
		ds->h[ds->nh++] = ih;
	}
	r->info.buffers = ds->nh;
	struct tep_handle *tep = tracecmd_get_tep(ds->top);

	if (!tep) {
		snprintf(err, errlen, "%s: no event formats in the file", path);
		goto fail;
	}
	r->info.big_endian = tep_is_file_bigendian(tep);
	r->info.long_size = tracecmd_long_size(ds->top);
	r->info.file_version = (int)tracecmd_get_in_file_version(ds->top);
	r->info.ncpus = tracecmd_cpus(ds->top);
	for (int i = 1; i < ds->nh; i++)
		if (tracecmd_cpus(ds->h[i]) > r->info.ncpus)
			r->info.ncpus = tracecmd_cpus(ds->h[i]);
	if (tracecmd_get_file_compress_proto(ds->top, &cname, &cver) == 0 && cname)
		snprintf(r->info.compression, sizeof(r->info.compression), "%s", cname);
	else
		snprintf(r->info.compression, sizeof(r->info.compression), "none");
	const char *un = tracecmd_get_uname(ds->top);
	const char *stats = tracecmd_get_cpustats(ds->top);

	parse_cpustats(stats, &r->info.stats_read, &r->info.stats_lost);

	snprintf(r->info.uname, sizeof(r->info.uname), "%s", un ? un : "");
	/* The clock in force is the bracketed one of the saved trace_clock file. */
	clock = tracecmd_get_trace_clock(ds->top);
	if (clock) {
		const char *b = strchr(clock, '['), *e = b ? strchr(b, ']') : NULL;
		size_t n = b && e ? (size_t)(e - b - 1) : strcspn(clock, " \n");

		if (b && e)
			clock = b + 1;
		if (n >= sizeof(r->info.clock))
			n = sizeof(r->info.clock) - 1;
		memcpy(r->info.clock, clock, n);
		r->info.clock[n] = 0;
	}
	/* Counter clocks count ticks; all the others count ns (tracefs documentation). */
	r->info.clock_is_ticks = !strcmp(r->info.clock, "counter") || !strcmp(r->info.clock, "ppc-tb") ||
				 !strcmp(r->info.clock, "x86-tsc");
	return r;
fail:
	imp_close(r);
	return NULL;
}

struct dat_fields {
	struct tep_event *event;
	struct tep_record *record;
};

static struct tep_format_field *field_of(struct dat_fields *d, const char *name)
{
	struct tep_format_field *f = tep_find_any_field(d->event, name);

	if (!f || f->offset < 0 || f->size <= 0 || f->offset + f->size > d->record->size)
		return NULL;
	return f;
}

static int dat_get_int(void *ctx, const char *name, int64_t *out)
{
	struct dat_fields *d = ctx;
	struct tep_format_field *f = field_of(d, name);
	unsigned long long v;

	if (!f || f->size > 8 || (f->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC)))
		return -1;
	if (tep_read_number_field(f, d->record->data, &v))
		return -1;
	if ((f->flags & TEP_FIELD_IS_SIGNED) && f->size < 8) {
		int sh = 64 - 8 * f->size;

		*out = (int64_t)(v << sh) >> sh;
	} else {
		*out = (int64_t)v;
	}
	return 0;
}

static int dat_get_str(void *ctx, const char *name, char *buf, int blen)
{
	struct dat_fields *d = ctx;
	struct tep_format_field *f = field_of(d, name);
	const char *p;
	int len;

	if (!f || blen <= 0)
		return -1;
	if (f->flags & TEP_FIELD_IS_DYNAMIC) {
		/* __data_loc: 16-bit offset, 16-bit length in a 32-bit word */
		unsigned long long loc;

		if (f->size != 4 || tep_read_number_field(f, d->record->data, &loc))
			return -1;
		int off = (int)(loc & 0xffff);

		len = (int)(loc >> 16);
		if (f->flags & TEP_FIELD_IS_RELATIVE)
			off += f->offset + f->size;
		if (off < 0 || len < 0 || off + len > d->record->size)
			return -1;
		p = (const char *)d->record->data + off;
	} else {
		p = (const char *)d->record->data + f->offset;
		len = f->size;
	}
	int n = (int)strnlen(p, (size_t)len);

	if (n >= blen)
		n = blen - 1;
	memcpy(buf, p, (size_t)n);
	buf[n] = 0;
	return 0;
}

struct run_ctx {
	struct imp_reader *r;
	struct imp_map *m;
	struct progress *p;
	int failed;		/* mapper error */
	char *err;
	size_t errlen;
};

static int on_record(struct tracecmd_input *h, struct tep_record *rec, int cpu, void *data)
{
	struct run_ctx *c = data;
	struct tep_handle *tep = tracecmd_get_tep(h);
	struct tep_event *event = tep ? tep_find_event_by_record(tep, rec) : NULL;
	(void)cpu;

	if (rec->missed_events) {
		if (imp_map_lost(c->m, rec->ts, rec->cpu, rec->missed_events > 0 ? rec->missed_events : -1))
			goto mapper_failed;
	}
	c->r->last_ts = rec->ts;
	if (!event) {
		snprintf(c->err, c->errlen, "%s: cpu %d, record at file offset %llu: unknown event type "
			 "(corrupted data)", c->r->path, rec->cpu, rec->offset);
		c->failed = 1;
		return -1;
	}
	struct dat_fields df = { event, rec };
	struct imp_event ev = {
		.ts = rec->ts, .cpu = rec->cpu, .pid = -1, .system = event->system,
		.name = event->name, .type_key = event->id >= 0 && event->id < (1 << 20) ? event->id : -1,
		.f = { dat_get_int, dat_get_str, &df },
	};
	int64_t v;

	if (dat_get_int(&df, "common_pid", &v) == 0)
		ev.pid = (int)v;
	if (dat_get_int(&df, "__probe_ip", &v) == 0) {
		ev.is_kprobe = true;
		ev.probe_sym = "";
		ev.probe_off = (uint64_t)v;
	}
	if (imp_map_event(c->m, &ev))
		goto mapper_failed;
	if ((imp_map_stats(c->m)->read & 0xffff) == 0 && c->p)
		progress_tick(c->p, imp_map_stats(c->m)->read);
	return 0;
mapper_failed:
	snprintf(c->err, c->errlen, "%s: cpu %d, record at file offset %llu: %s", c->r->path, rec->cpu,
		 rec->offset, imp_map_error(c->m));
	c->failed = 1;
	return -1;
}

int dat_run(struct imp_reader *r, struct imp_map *m, struct progress *p, char *err, size_t errlen)
{
	struct dat_state *ds = r->dat;
	struct run_ctx c = { r, m, p, 0, err, errlen };

	lib_complaints = 0;
	int rc = tracecmd_iterate_events_multi(ds->h, ds->nh, on_record, &c);

	if (c.failed)
		return -1;
	if (rc < 0) {
		snprintf(err, errlen, "%s: libtracecmd cannot iterate its records", r->path);
		return -1;
	}
	if (lib_complaints) {
		snprintf(err, errlen, "%s: damaged data after %" PRId64 " records: %s", r->path,
			 imp_map_stats(m)->read, lib_first);
		size_t l = strlen(err);

		while (l && err[l - 1] == '\n')
			err[--l] = 0;
		return -1;
	}
	if (r->info.stats_read > imp_map_stats(m)->read) {
		snprintf(err, errlen, "%s: %" PRId64 " records in the data, but the saved cpu stats say %"
			 PRId64 " events were read into it: truncated or corrupted data", r->path,
			 imp_map_stats(m)->read, r->info.stats_read);
		return -1;
	}
	return 0;
}

void dat_free(struct dat_state *ds)
{
	if (!ds)
		return;
	for (int i = ds->nh - 1; i >= 1; i--)
		tracecmd_close(ds->h[i]);
	if (ds->top)
		tracecmd_close(ds->top);
	free(ds);
}
