// SPDX-License-Identifier: MIT
/*
 * textfile.c - the text of a tracefs `trace` or `trace_pipe` file as input.
 *
 * What it owns: reading that text line by line and turning each event line into
 * an imp_event for the mapper, with fields read from its "key=value" text.
 *
 * Interface: imp_open_text() (reader.h), then the text_* callbacks behind
 * imp_run()/imp_close() in reader.c.
 *
 * Line grammar (what the kernel's default trace output prints):
 *   # header lines      "#P:N" gives the cpus, "entries-in-buffer/entries-written:
 *                       A/B" the events the buffer dropped (B - A)
 *   CPU:N [LOST M EVENTS]      a lost-events marker
 *   TASK-PID [CPU] FLAGS TIMESTAMP: NAME: ARGS
 * TASK may hold spaces and dashes: the pid is the digits before " [CPU]". FLAGS
 * (irq-info) is optional. TIMESTAMP is "secs.frac" for the ns clocks (local,
 * global, mono, boot, ...) and a bare integer for the counter clocks (counter,
 * ppc-tb, x86-tsc): ticks. ARGS are "key=value" pairs; a value runs up to the
 * next " key=" or " ==>" so that comms with spaces ("CPU 0/TCG") survive. A
 * kprobe event's ARGS start with its location "(sym+0xoff/0xsize)".
 * Text has no event systems: names are matched without one.
 *
 * kvm_hv's tracepoints print "VCPU %d: ..." with symbolic names
 * (arch/powerpc/kvm/trace_hv.h): kvm_hv_args() rewrites the five the mapper
 * uses into key=value form, names back to numbers (hcall names through
 * common/hcall.h, traps and return codes through the tables below). A name
 * not in them leaves that field out (a guest_exit without trap, an hcall
 * with rc unknown). Note: kvm_hcall_exit prints hcall_rc=H_TOO_HARD for every
 * hcall that went on to userspace, whatever it returned in the end.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hcall.h"
#include "reader_impl.h"

#define NAME_SLOTS 4096		/* distinct event names given a type key */

struct text_fields {
	const char *args;	/* NUL-terminated "key=value ..." */
};

/* Start of the value of @key in @args, with its length; NULL if absent. */
static const char *find_value(const char *args, const char *key, int *len)
{
	size_t kl = strlen(key);
	const char *p = args;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == args || p[-1] == ' ') && p[kl] == '=')
			break;
		p += kl;
	}
	if (!p)
		return NULL;
	const char *v = p + kl + 1, *e = v;

	for (;;) {
		e = strchr(e, ' ');
		if (!e) {
			e = v + strlen(v);
			break;
		}
		const char *q = e + 1;

		if (!strncmp(q, "==>", 3))
			break;
		while (isalnum((unsigned char)*q) || *q == '_')
			q++;
		if (*q == '=' && q > e + 1)
			break;
		e++;
	}
	*len = (int)(e - v);
	return v;
}

static int text_get_int(void *ctx, const char *field, int64_t *out)
{
	const struct text_fields *f = ctx;
	int len;
	const char *v = find_value(f->args, field, &len);
	char buf[32], *end;

	if (!v || len <= 0 || len >= (int)sizeof(buf))
		return -1;
	memcpy(buf, v, (size_t)len);
	buf[len] = 0;
	errno = 0;
	if (buf[0] == '-')
		*out = strtoll(buf, &end, 0);
	else
		*out = (int64_t)strtoull(buf, &end, 0);	/* 64-bit hex words wrap to negative */
	return (*end || errno) ? -1 : 0;
}

static int text_get_str(void *ctx, const char *field, char *buf, int blen)
{
	const struct text_fields *f = ctx;
	int len;
	const char *v = find_value(f->args, field, &len);

	if (!v || blen <= 0)
		return -1;
	if (len >= blen)
		len = blen - 1;
	memcpy(buf, v, (size_t)len);
	buf[len] = 0;
	return 0;
}

/* kvm_trace_symbol_exit (trace_book3s.h): the traps' names (spec/kernel-policy.md section 4). */
static const struct { const char *name; int64_t v; } trap_names[] = {
	{ "SYSTEM_RESET", 0x100 }, { "MACHINE_CHECK", 0x200 }, { "DATA_STORAGE", 0x300 },
	{ "DATA_SEGMENT", 0x380 }, { "INST_STORAGE", 0x400 }, { "INST_SEGMENT", 0x480 },
	{ "EXTERNAL", 0x500 }, { "EXTERNAL_HV", 0x502 }, { "ALIGNMENT", 0x600 }, { "PROGRAM", 0x700 },
	{ "FP_UNAVAIL", 0x800 }, { "DECREMENTER", 0x900 }, { "HV_DECREMENTER", 0x980 },
	{ "SYSCALL", 0xc00 }, { "TRACE", 0xd00 }, { "H_DATA_STORAGE", 0xe00 },
	{ "H_INST_STORAGE", 0xe20 }, { "H_EMUL_ASSIST", 0xe40 }, { "PERFMON", 0xf00 },
	{ "ALTIVEC", 0xf20 }, { "VSX", 0xf40 },
};

/* kvm_trace_symbol_hcall_rc: the return codes that decide n, and H_TOO_HARD. */
static const struct { const char *name; int64_t v; } rc_names[] = {
	{ "H_SUCCESS", H_SUCCESS }, { "H_PARAMETER", H_PARAMETER }, { "H_PTEG_FULL", H_PTEG_FULL },
	{ "H_NOT_FOUND", H_NOT_FOUND }, { "H_TOO_HARD", 9999 },
};

/* Copy the token of @s up to a space, comma or end into @tok; returns its end. */
static const char *token(const char *s, char *tok, size_t len)
{
	size_t n = 0;

	while (*s && *s != ' ' && *s != ',' && n + 1 < len)
		tok[n++] = *s++;
	tok[n] = 0;
	return s;
}

/* A symbolic value: a name of @tab, or the number __print_symbolic prints for others. */
static int symbol_value(const char *tok, const void *tab, size_t n, size_t stride, int64_t *v)
{
	char *end;

	for (size_t i = 0; i < n; i++) {
		const struct { const char *name; int64_t v; } *e = (const void *)((const char *)tab + i * stride);

		if (!strcmp(e->name, tok)) {
			*v = e->v;
			return 0;
		}
	}
	if (!strncmp(tok, "0x", 2)) {
		*v = (int64_t)strtoull(tok, &end, 16);
		return *end ? -1 : 0;
	}
	return -1;
}

/* kvm_hv text -> "key=value ..." in @out; 1 when @name is one of those rewritten. */
static int kvm_hv_args(const char *name, const char *args, char *out, size_t len)
{
	char tok[64];
	int vcpu, a, b, c;
	const char *p;
	int64_t v;
	size_t o = 0;

	if (!strcmp(name, "kvmppc_run_core")) {
		char where[8];

		if (sscanf(args, "%7s runner_vcpu==%d runnable=%d tgid=%d", where, &a, &b, &c) != 4)
			return 0;
		snprintf(out, len, "where=%d runner_vcpu=%d n_runnable=%d tgid=%d", strcmp(where, "Enter") != 0,
			 a, b, c);
		return 1;
	}
	if (strcmp(name, "kvm_guest_enter") && strcmp(name, "kvm_guest_exit") &&
	    strcmp(name, "kvm_hcall_enter") && strcmp(name, "kvm_hcall_exit") &&
	    strcmp(name, "kvm_page_fault_enter"))
		return 0;
	if (sscanf(args, "VCPU %d:", &vcpu) != 1 || !(p = strchr(args, ':')))
		return 0;
	o += (size_t)snprintf(out + o, len - o, "vcpu_id=%d", vcpu);
	if (!strcmp(name, "kvm_guest_exit") && (p = strstr(p, "trap="))) {
		token(p + 5, tok, sizeof(tok));
		if (!symbol_value(tok, trap_names, sizeof(trap_names) / sizeof(trap_names[0]),
				  sizeof(trap_names[0]), &v))
			o += (size_t)snprintf(out + o, len - o, " trap=%lld", (long long)v);
	} else if (!strcmp(name, "kvm_hcall_enter") && (p = strstr(p, "hcall="))) {
		unsigned long long g[4];
		const char *q = token(p + 6, tok, sizeof(tok));
		int64_t op = hcall_by_name(tok);

		if (op < 0 && symbol_value(tok, NULL, 0, sizeof(trap_names[0]), &op))
			return 0;
		o += (size_t)snprintf(out + o, len - o, " req=%lld", (long long)op);
		if ((q = strstr(q, "GPR4-7=")) && sscanf(q, "GPR4-7=%llx,%llx,%llx,%llx", &g[0], &g[1], &g[2], &g[3]) == 4)
			o += (size_t)snprintf(out + o, len - o, " gpr4=%lld gpr5=%lld gpr6=%lld gpr7=%lld",
					      (long long)g[0], (long long)g[1], (long long)g[2], (long long)g[3]);
	} else if (!strcmp(name, "kvm_hcall_exit") && (p = strstr(p, "hcall_rc="))) {
		token(p + 9, tok, sizeof(tok));
		if (!symbol_value(tok, rc_names, sizeof(rc_names) / sizeof(rc_names[0]), sizeof(rc_names[0]), &v))
			o += (size_t)snprintf(out + o, len - o, " hcall_rc=%lld", (long long)v);
	} else if (!strcmp(name, "kvm_page_fault_enter") && (p = strstr(p, "ea="))) {
		token(p + 3, tok, sizeof(tok));
		o += (size_t)snprintf(out + o, len - o, " ea=%lld", (long long)strtoull(tok, NULL, 0));
	}
	return o < len;
}

struct text_state {
	char *names[NAME_SLOTS];	/* type key -> event name */
	int nnames;
	char *pending;			/* first event line, read by open */
	int64_t pending_line;
};

static int name_key(struct text_state *ts, const char *name)
{
	/* Few distinct names: a linear probe over an open hash is plenty. */
	unsigned h = 5381;

	for (const char *p = name; *p; p++)
		h = h * 33 + (unsigned char)*p;
	for (int i = 0; i < NAME_SLOTS; i++) {
		unsigned s = (h + (unsigned)i) % NAME_SLOTS;

		if (!ts->names[s]) {
			if (ts->nnames >= NAME_SLOTS / 2)
				return -1;
			ts->names[s] = strdup(name);
			if (!ts->names[s])
				return -1;
			ts->nnames++;
			return (int)s;
		}
		if (!strcmp(ts->names[s], name))
			return (int)s;
	}
	return -1;
}

/* Parse "secs.frac" (ns clocks) or "ticks"; 0 ok. */
static int parse_ts(const char *s, size_t n, bool *ticks, uint64_t *out)
{
	uint64_t whole = 0, frac = 0;
	size_t i = 0, fd = 0;

	if (!n)
		return -1;
	for (; i < n && isdigit((unsigned char)s[i]); i++) {
		if (whole > (UINT64_MAX - 9) / 10)
			return -1;
		whole = whole * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0)
		return -1;
	if (i == n) {
		*ticks = true;
		*out = whole;
		return 0;
	}
	if (s[i] != '.')
		return -1;
	for (i++; i < n; i++, fd++) {
		if (!isdigit((unsigned char)s[i]) || fd >= 9)
			return -1;
		frac = frac * 10 + (uint64_t)(s[i] - '0');
	}
	for (; fd < 9; fd++)
		frac *= 10;
	if (whole > UINT64_MAX / 1000000000ULL - 1)
		return -1;
	*ticks = false;
	*out = whole * 1000000000ULL + frac;
	return 0;
}

struct parsed {
	int cpu, pid;
	uint64_t ts;
	bool ticks;
	char *name;
	char *args;
	bool lost;
	int64_t lost_count;
};

/* Split one event line (modified in place). 1 event, 2 lost marker, 0 not an event line. */
static int parse_line(char *line, struct parsed *p)
{
	char *s = line;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s || *s == '#' || *s == '\n')
		return 0;
	if (!strncmp(s, "CPU:", 4)) {
		long long lc;
		int cpu;

		if (sscanf(s, "CPU:%d [LOST %lld EVENTS]", &cpu, &lc) == 2) {
			p->cpu = cpu;
			p->lost_count = lc;
			return 2;
		}
		return -1;
	}
	/* " [ddd]" closing the TASK-PID part */
	char *b = s;

	for (;;) {
		b = strstr(b, " [");
		if (!b)
			return -1;
		char *q = b + 2;

		while (isdigit((unsigned char)*q))
			q++;
		if (q > b + 2 && *q == ']')
			break;
		b += 2;
	}
	p->cpu = atoi(b + 2);
	char *dash = b;

	while (dash > s && dash[-1] == ' ')
		dash--;
	char *pe = dash;

	while (dash > s && isdigit((unsigned char)dash[-1]))
		dash--;
	p->pid = (dash < pe && dash > s && dash[-1] == '-') ? atoi(dash) : -1;
	char *t = strchr(b + 2, ']') + 1;

	/* optional irq-info flags, then "TIMESTAMP:" */
	for (int tok = 0; tok < 3; tok++) {
		while (*t == ' ')
			t++;
		char *e = t;

		while (*e && *e != ' ')
			e++;
		if (e > t && e[-1] == ':') {
			if (parse_ts(t, (size_t)(e - 1 - t), &p->ticks, &p->ts))
				return -1;
			t = e;
			goto name;
		}
		t = e;
	}
	return -1;
name:
	while (*t == ' ')
		t++;
	char *c = strchr(t, ':');

	if (!c || c == t)
		return -1;
	*c = 0;
	p->name = t;
	t = c + 1;
	while (*t == ' ')
		t++;
	size_t al = strlen(t);

	while (al && (t[al - 1] == '\n' || t[al - 1] == '\r'))
		t[--al] = 0;
	p->args = t;
	return 1;
}

struct imp_reader *imp_open_text(FILE *f, const char *path, char *err, size_t errlen)
{
	struct imp_reader *r = calloc(1, sizeof(*r));
	struct text_state *ts = calloc(1, sizeof(*ts));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!r || !ts) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	r->text = ts;
	r->f = f;
	r->path = path;
	r->info.format = "tracefs-text";
	r->info.header_lost = -1;
	r->info.stats_read = -1;
	snprintf(r->info.compression, sizeof(r->info.compression), "none");
	while ((n = getline(&line, &cap, f)) > 0) {
		r->line++;
		r->offset += n;
		if ((size_t)n != strlen(line)) {
			snprintf(err, errlen, "%s: line %" PRId64 ": a NUL byte: not trace text", path, r->line);
			goto fail;
		}
		char *s = line;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '#') {
			const char *pp = strstr(s, "#P:");
			long long a, b;
			const char *eb = strstr(s, "entries-in-buffer/entries-written:");

			if (pp)
				r->info.ncpus = atoi(pp + 3);
			if (eb && sscanf(eb, "entries-in-buffer/entries-written: %lld/%lld", &a, &b) == 2)
				r->info.header_lost = b - a;
			continue;
		}
		if (*s == '\n' || !*s)
			continue;
		struct parsed p;
		char *copy = strdup(line);

		if (!copy) {
			snprintf(err, errlen, "%s: out of memory", path);
			goto fail;
		}
		int kind = parse_line(copy, &p);

		free(copy);
		if (kind < 0) {
			snprintf(err, errlen, "%s: line %" PRId64 ": not a trace event line", path, r->line);
			goto fail;
		}
		if (kind == 1)
			r->info.clock_is_ticks = p.ticks;
		ts->pending = line;
		ts->pending_line = r->line;
		line = NULL;
		break;
	}
	free(line);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail_nofree;
	}
	if (!ts->pending) {
		snprintf(err, errlen, "%s: no trace event in %" PRId64 " lines", path, r->line);
		goto fail_nofree;
	}
	return r;
fail:
	free(line);
fail_nofree:
	if (r)
		imp_close(r);	/* frees ts and closes f */
	else
		free(ts);
	return NULL;
}

static int feed_line(struct imp_reader *r, struct imp_map *m, char *line, char *err, size_t errlen)
{
	struct parsed p = { 0 };
	int kind = parse_line(line, &p);

	if (kind == 0)
		return 0;
	if (kind < 0) {
		snprintf(err, errlen, "%s: line %" PRId64 " (byte %" PRId64 "): not a trace event line",
			 r->path, r->line, r->offset);
		return -1;
	}
	if (kind == 2) {
		if (imp_map_lost(m, r->last_ts, p.cpu, p.lost_count)) {
			snprintf(err, errlen, "%s: line %" PRId64 ": %s", r->path, r->line, imp_map_error(m));
			return -1;
		}
		return 0;
	}
	if (p.ticks != r->info.clock_is_ticks) {
		snprintf(err, errlen, "%s: line %" PRId64 ": timestamp format changes (%s)", r->path,
			 r->line, p.ticks ? "ticks after seconds" : "seconds after ticks");
		return -1;
	}
	struct text_fields tf = { p.args };
	struct imp_event ev = {
		.ts = p.ts, .cpu = p.cpu, .pid = p.pid, .system = NULL, .name = p.name,
		.f = { text_get_int, text_get_str, &tf },
	};
	char symbuf[128];

	/* kprobe location "(sym+0xoff/0xsize)" */
	if (p.args[0] == '(') {
		char *close = strchr(p.args, ')');
		char *plus = strchr(p.args, '+');

		if (close && plus && plus < close && (size_t)(plus - p.args - 1) < sizeof(symbuf)) {
			memcpy(symbuf, p.args + 1, (size_t)(plus - p.args - 1));
			symbuf[plus - p.args - 1] = 0;
			ev.is_kprobe = true;
			ev.probe_sym = symbuf;
			ev.probe_off = strtoull(plus + 1, NULL, 0);
			tf.args = close[1] ? close + 2 : close + 1;
		}
	}
	char kv[256];

	if (!ev.is_kprobe && kvm_hv_args(p.name, tf.args, kv, sizeof(kv)))
		tf.args = kv;
	ev.type_key = name_key(r->text, p.name);
	r->last_ts = p.ts;
	if (imp_map_event(m, &ev)) {
		snprintf(err, errlen, "%s: line %" PRId64 ": %s", r->path, r->line, imp_map_error(m));
		return -1;
	}
	return 0;
}

int text_run(struct imp_reader *r, struct imp_map *m, struct progress *pr, char *err, size_t errlen)
{
	struct text_state *ts = r->text;
	char *line = ts->pending;
	size_t cap = line ? strlen(line) + 1 : 0;
	ssize_t n;
	int64_t line0 = r->line;
	int rc = 0;

	r->line = ts->pending_line;
	ts->pending = NULL;
	if (line && feed_line(r, m, line, err, errlen))
		rc = -1;
	r->line = line0;
	while (!rc && (n = getline(&line, &cap, r->f)) > 0) {
		r->line++;
		if ((size_t)n != strlen(line)) {
			snprintf(err, errlen, "%s: line %" PRId64 " (byte %" PRId64 "): a NUL byte",
				 r->path, r->line, r->offset);
			rc = -1;
			break;
		}
		if (line[n - 1] != '\n') {	/* tracefs ends every line: the file was cut */
			snprintf(err, errlen, "%s: line %" PRId64 " (byte %" PRId64 "): truncated line at the end",
				 r->path, r->line, r->offset);
			rc = -1;
			break;
		}
		if (feed_line(r, m, line, err, errlen))
			rc = -1;
		r->offset += n;
		if ((r->line & 0xffff) == 0 && pr)
			progress_tick(pr, r->offset);
	}
	if (!rc && ferror(r->f)) {
		snprintf(err, errlen, "%s: %s", r->path, strerror(errno));
		rc = -1;
	}
	free(line);
	return rc;
}

void text_free(struct text_state *ts)
{
	if (!ts)
		return;
	for (int i = 0; i < NAME_SLOTS; i++)
		free(ts->names[i]);
	free(ts->pending);
	free(ts);
}
