// SPDX-License-Identifier: MIT
/*
 * datcheck.c - the layout of a trace.dat checked before libtracecmd reads it.
 *
 * What it owns: what the library would trust without checking. libtracecmd
 * 1.3 divides by the header's page size (0: SIGFPE), reads the v7 compression
 * name with an unbounded string reader (a name over 8 KiB: a heap over-read),
 * and follows sizes and offsets into the file. Here the file's own bytes are
 * read (no library) far enough to refuse those: the magic, the version (6 or
 * 7), the endianness byte, the long size (4 or 8), the page size (a power of
 * two from 4 KiB to 1 MiB), and then
 *   v6: every length of the header, format, kallsyms, printk and cmdline parts,
 *       the cpu count, the options (each within the file) and the flyrecord
 *       cpu offsets and sizes (within the file);
 *   v7: the compression name and version (short, a known algorithm), then the
 *       chain of options sections: each section header within the file, its
 *       size within the file, a compressed section's sizes within its own, and
 *       (uncompressed ones) each option within its section and every section
 *       an option points to (header info, formats, kallsyms, printk, cmdlines,
 *       buffers with their cpu data) within the file.
 * Interface: dat_check() (reader_impl.h): 0, or -1 with "byte N: what" in @err.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "reader_impl.h"

#define MIN_PAGE 4096u
#define MAX_PAGE (1u << 20)
#define MAX_CPUS 8192u
#define MAX_NAME 64		/* compression name, version, system names: well under this */
#define MAX_SECTIONS 4096	/* options sections followed: the chain cannot loop forever */
#define MAX_UNCOMPRESSED (1u << 30)

struct dc {
	FILE *f;
	uint64_t size;		/* file size */
	bool big;		/* big-endian file */
	char *err;
	size_t errlen;
};

static int bad(struct dc *d, uint64_t off, const char *what)
{
	snprintf(d->err, d->errlen, "byte %llu: %s", (unsigned long long)off, what);
	return -1;
}

static int read_at(struct dc *d, uint64_t off, void *buf, size_t n, const char *what)
{
	if (off > d->size || n > d->size - off)
		return bad(d, off, what);
	if (fseeko(d->f, (off_t)off, SEEK_SET) != 0 || fread(buf, 1, n, d->f) != n)
		return bad(d, off, what);
	return 0;
}

static uint64_t get(const struct dc *d, const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[d->big ? n - 1 - i : i] << (8 * i);
	return v;
}

static int read_u(struct dc *d, uint64_t off, int n, uint64_t *v, const char *what)
{
	unsigned char b[8];

	if (read_at(d, off, b, (size_t)n, what))
		return -1;
	*v = get(d, b, n);
	return 0;
}

/* A NUL-terminated string of at most @max bytes at @off; its length + 1 in *@len. */
static int read_str(struct dc *d, uint64_t off, char *out, size_t max, uint64_t *len, const char *what)
{
	size_t n = 0;

	if (off >= d->size || fseeko(d->f, (off_t)off, SEEK_SET) != 0)
		return bad(d, off, what);
	for (;;) {
		int c = fgetc(d->f);

		if (c == EOF || n + 1 >= max)
			return bad(d, off, what);
		out[n++] = (char)c;
		if (c == 0)
			break;
	}
	*len = n;
	return 0;
}

/* @n bytes from @off must lie within the file. */
static int span(struct dc *d, uint64_t off, uint64_t n, const char *what)
{
	if (off > d->size || n > d->size - off)
		return bad(d, off, what);
	return 0;
}

/* ------------------------------------------------------------------ v6 -- */

enum { OPT_DONE = 0, OPT_BUFFER = 3 };

/* v6 flyrecord: @n cpus' <u64 offset><u64 size> at @off, each within the file. */
static int cpu_table(struct dc *d, uint64_t off, uint64_t n)
{
	for (uint64_t c = 0; c < n; c++, off += 16) {
		uint64_t o, s;

		if (read_u(d, off, 8, &o, "cpu data offset cut") || read_u(d, off + 8, 8, &s, "cpu data size cut"))
			return -1;
		if (span(d, o, s, "cpu data beyond the end of the file"))
			return bad(d, off, "cpu data beyond the end of the file");
	}
	return 0;
}

/* v6 BUFFER option at @off: <u64 offset><name>; at the offset "flyrecord\0" and the
 * instance's cpu table (or "latency  \0"). */
static int v6_buffer(struct dc *d, uint64_t off, uint64_t ncpus)
{
	char mark[10];
	uint64_t at;

	if (read_u(d, off, 8, &at, "buffer offset cut"))
		return -1;
	if (read_at(d, at, mark, sizeof(mark), "buffer data beyond the end of the file"))
		return bad(d, off, "buffer data beyond the end of the file");
	if (!memcmp(mark, "latency  ", 10))
		return 0;
	if (memcmp(mark, "flyrecord", 10))
		return bad(d, at, "buffer data: flyrecord or latency expected");
	return cpu_table(d, at + 10, ncpus);
}

static int check_v6(struct dc *d, uint64_t off)
{
	char name[MAX_NAME * 4];
	uint64_t v, n, len;

	if (read_at(d, off, name, 12, "no header_page") || memcmp(name, "header_page", 12))
		return bad(d, off, "header_page expected");
	if (read_u(d, off + 12, 8, &v, "header_page size cut") || span(d, off + 20, v, "header_page larger than the file"))
		return -1;
	off += 20 + v;
	if (read_at(d, off, name, 13, "no header_event") || memcmp(name, "header_event", 13))
		return bad(d, off, "header_event expected");
	if (read_u(d, off + 13, 8, &v, "header_event size cut") || span(d, off + 21, v, "header_event larger than the file"))
		return -1;
	off += 21 + v;
	if (read_u(d, off, 4, &n, "ftrace format count cut"))
		return -1;
	for (off += 4; n; n--) {
		if (read_u(d, off, 8, &v, "ftrace format size cut") || span(d, off + 8, v, "ftrace format larger than the file"))
			return -1;
		off += 8 + v;
	}
	if (read_u(d, off, 4, &n, "event system count cut"))
		return -1;
	for (off += 4; n; n--) {
		uint64_t ne;

		if (read_str(d, off, name, sizeof(name), &len, "event system name too long or cut"))
			return -1;
		off += len;
		if (read_u(d, off, 4, &ne, "event count cut"))
			return -1;
		for (off += 4; ne; ne--) {
			if (read_u(d, off, 8, &v, "event format size cut") || span(d, off + 8, v, "event format larger than the file"))
				return -1;
			off += 8 + v;
		}
	}
	if (read_u(d, off, 4, &v, "kallsyms size cut") || span(d, off + 4, v, "kallsyms larger than the file"))
		return -1;
	off += 4 + v;
	if (read_u(d, off, 4, &v, "printk size cut") || span(d, off + 4, v, "printk formats larger than the file"))
		return -1;
	off += 4 + v;
	if (read_u(d, off, 8, &v, "cmdlines size cut") || span(d, off + 8, v, "cmdlines larger than the file"))
		return -1;
	off += 8 + v;
	if (read_u(d, off, 4, &n, "cpu count cut"))
		return -1;
	if (n > MAX_CPUS)
		return bad(d, off, "more than 8192 cpus");
	off += 4;
	for (int part = 0; part < 2; part++) {
		if (read_at(d, off, name, 10, "no data part"))
			return -1;
		if (!memcmp(name, "latency  ", 10))
			return 0;
		if (!memcmp(name, "flyrecord", 10))
			return cpu_table(d, off + 10, n);
		if (part || memcmp(name, "options  ", 10))
			return bad(d, off, "options, latency or flyrecord expected");
		for (off += 10;;) {
			uint64_t id, sz;

			if (read_u(d, off, 2, &id, "option id cut"))
				return -1;
			off += 2;
			if (id == 0)
				break;
			if (read_u(d, off, 4, &sz, "option size cut") || span(d, off + 4, sz, "option larger than the file"))
				return -1;
			/* BUFFER: <u64 offset><name>; at the offset, the instance's cpus'
			 * <u64 offset><u64 size> like the flyrecord's */
			if (id == OPT_BUFFER && sz >= 8 && v6_buffer(d, off + 4, n))
				return -1;
			off += 4 + sz;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ v7 -- */

enum { SEC_HDR = 16, OPT_HEADER_INFO = 16, OPT_CMDLINES = 21,
       OPT_BUFFER_TEXT = 22 };

/* A section header at @off: its size fits the file; the id and flags in *@id, *@flags.
 * @chunked: trace data, whose compressed form is chunks (a count, then each chunk's sizes). */
static int section(struct dc *d, uint64_t off, uint64_t *id, uint64_t *flags, uint64_t *size,
		   bool chunked)
{
	unsigned char h[SEC_HDR];

	if (read_at(d, off, h, SEC_HDR, "section header beyond the end of the file"))
		return -1;
	*id = get(d, h, 2);
	*flags = get(d, h + 2, 2);
	*size = get(d, h + 8, 8);
	if (span(d, off + SEC_HDR, *size, "section larger than the file"))
		return -1;
	if ((*flags & 1) && chunked) {
		if (*size && *size < 4)	/* 0: a buffer without data */
			return bad(d, off, "compressed trace data without its chunk count");
	} else if (*flags & 1) {	/* compressed: <u32 compressed size><u32 uncompressed size> */
		uint64_t cs, us;

		if (*size < 8 || read_u(d, off + SEC_HDR, 4, &cs, "compression header cut") ||
		    read_u(d, off + SEC_HDR + 4, 4, &us, "compression header cut"))
			return bad(d, off, "compressed section without its sizes");
		if (cs > *size - 8)
			return bad(d, off + SEC_HDR, "compressed size larger than its section");
		if (us > MAX_UNCOMPRESSED)
			return bad(d, off + SEC_HDR + 4, "uncompressed size over 1 GiB");
	}
	return 0;
}

/* The BUFFER option's data (@len bytes at @off): its cpus' data within the file. */
static int buffer_option(struct dc *d, uint64_t off, uint64_t len)
{
	char s[512];
	uint64_t p = off + 8, l, page, ncpu, sec, id, fl, sz;

	if (len < 8 || read_u(d, off, 8, &sec, "buffer offset cut") || section(d, sec, &id, &fl, &sz, true))
		return bad(d, off, "buffer option points outside the file");
	if (read_str(d, p, s, sizeof(s), &l, "buffer name too long or cut"))
		return -1;
	p += l;
	if (read_str(d, p, s, sizeof(s), &l, "buffer clock too long or cut"))
		return -1;
	p += l;
	if (p + 8 > off + len || read_u(d, p, 4, &page, "buffer page size cut") ||
	    read_u(d, p + 4, 4, &ncpu, "buffer cpu count cut"))
		return bad(d, p, "buffer option cut");
	if (page < MIN_PAGE || page > MAX_PAGE || (page & (page - 1)))
		return bad(d, p, "buffer page size not a power of two from 4096 to 1048576");
	if (ncpu > MAX_CPUS || 8 + ncpu * 20 > off + len - p)
		return bad(d, p + 4, "buffer cpu count larger than the option");
	for (p += 8; ncpu; ncpu--, p += 20) {
		uint64_t o, n;

		if (read_u(d, p + 4, 8, &o, "cpu offset cut") || read_u(d, p + 12, 8, &n, "cpu size cut"))
			return -1;
		if (span(d, o, n, "cpu data beyond the end of the file"))
			return bad(d, p, "cpu data beyond the end of the file");
	}
	return 0;
}

static int check_v7(struct dc *d, uint64_t off)
{
	char name[MAX_NAME];
	uint64_t len, next;

	if (read_str(d, off, name, sizeof(name), &len, "compression name too long (over 63 bytes) or cut"))
		return -1;
	if (strcmp(name, "none") && strcmp(name, "zlib") && strcmp(name, "zstd"))
		return bad(d, off, "unknown compression (none, zlib, zstd)");
	off += len;
	if (read_str(d, off, name, sizeof(name), &len, "compression version too long (over 63 bytes) or cut"))
		return -1;
	off += len;
	if (read_u(d, off, 8, &next, "options offset cut"))
		return -1;
	for (int nsec = 0; next; nsec++) {
		uint64_t id, flags, size, at = next, p, end;

		if (nsec == MAX_SECTIONS)
			return bad(d, at, "options sections chained without end");
		if (section(d, at, &id, &flags, &size, false))
			return -1;
		if (id != 0)
			return bad(d, at, "options section expected");
		if (flags & 1)
			return 0;	/* compressed: the library checks what it decompresses */
		next = 0;
		for (p = at + SEC_HDR, end = p + size; p < end;) {
			uint64_t oid, olen, target, tid, tfl, tsz;

			if (end - p < 6 || read_u(d, p, 2, &oid, "option cut") || read_u(d, p + 2, 4, &olen, "option cut"))
				return bad(d, p, "option cut");
			p += 6;
			if (olen > end - p)
				return bad(d, p - 4, "option larger than its section");
			if (oid == OPT_DONE) {
				if (olen < 8 || read_u(d, p, 8, &next, "next options offset cut"))
					return bad(d, p, "end of options without the next offset");
				break;
			}
			if (oid >= OPT_HEADER_INFO && oid <= OPT_CMDLINES) {
				if (olen < 8 || read_u(d, p, 8, &target, "section offset cut") ||
				    section(d, target, &tid, &tfl, &tsz, false))
					return bad(d, p, "option points to a section outside the file");
			} else if (oid == OPT_BUFFER) {
				if (buffer_option(d, p, olen))
					return -1;
			} else if (oid == OPT_BUFFER_TEXT) {
				if (olen < 8 || read_u(d, p, 8, &target, "section offset cut") ||
				    section(d, target, &tid, &tfl, &tsz, true))
					return bad(d, p, "latency buffer outside the file");
			}
			p += olen;
		}
	}
	return 0;
}

int dat_check(FILE *f, uint64_t size, char *err, size_t errlen)
{
	struct dc d = { .f = f, .size = size, .err = err, .errlen = errlen };
	unsigned char h[10];
	char version[8];
	uint64_t len, page, off;

	if (read_at(&d, 0, h, 10, "cut inside the magic"))
		return -1;
	if (read_str(&d, 10, version, sizeof(version), &len, "version string too long or cut"))
		return -1;
	if (strcmp(version, "6") && strcmp(version, "7"))
		return bad(&d, 10, "unsupported trace.dat version (6 and 7 are read)");
	off = 10 + len;
	if (read_at(&d, off, h, 2, "cut in the header"))
		return -1;
	if (h[0] > 1)
		return bad(&d, off, "endianness neither 0 (little) nor 1 (big)");
	d.big = h[0] == 1;
	if (h[1] != 4 && h[1] != 8)
		return bad(&d, off + 1, "long size neither 4 nor 8");
	if (read_u(&d, off + 2, 4, &page, "page size cut"))
		return -1;
	if (page < MIN_PAGE || page > MAX_PAGE || (page & (page - 1)))
		return bad(&d, off + 2, "page size not a power of two from 4096 to 1048576");
	off += 6;
	return version[0] == '6' ? check_v6(&d, off) : check_v7(&d, off);
}
