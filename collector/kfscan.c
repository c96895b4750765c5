/* SPDX-License-Identifier: MIT */
/*
 * kfscan - the kernel_flush probe places found in kvm_hv's code (see kfscan.h).
 *
 * Power ISA fields (big-endian bit numbering, word w): primary opcode w>>26;
 * D-form RT/RS (w>>21)&31, RA (w>>16)&31, immediate w&0xffff; X-form extended
 * opcode (w>>1)&0x3ff; M-form rlwinm SH (w>>11)&31, MB (w>>6)&31, ME (w>>1)&31;
 * B-form BO (w>>21)&31, BI (w>>16)&31, BD w&0xfffc, AA bit 1, LK bit 0.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kfscan.h"

#define OP(w)	((w) >> 26)
#define RT(w)	(((w) >> 21) & 31)
#define RA(w)	(((w) >> 16) & 31)
#define XO(w)	(((w) >> 1) & 0x3ff)

#define WINDOW 8	/* words from the addi to the andi. */

static int is_addi(uint32_t w) { return OP(w) == 14 && RA(w) != 0; }	/* RA 0 is li */
static int is_ldx(uint32_t w) { return OP(w) == 31 && XO(w) == 21; }
static int is_srd(uint32_t w) { return OP(w) == 31 && XO(w) == 539; }
static int is_andi_1(uint32_t w) { return OP(w) == 28 && (w & 0xffff) == 1; }
/* sync with L = 2 */
static int is_ptesync(uint32_t w) { return OP(w) == 31 && XO(w) == 598 && ((w >> 21) & 3) == 2; }
/* clrlwi rA,rS,n == rlwinm rA,rS,0,n,31 */
static int is_clrlwi(uint32_t w)
{
	return OP(w) == 21 && ((w >> 11) & 31) == 0 && ((w >> 1) & 31) == 31 && (w & 1) == 0;
}
/* bne (cr0), no hint, relative, no link: bc 4,2,target */
static int is_bne(uint32_t w)
{
	return OP(w) == 16 && RT(w) == 4 && RA(w) == 2 && (w & 3) == 0;
}

const char *kfs_function(enum kfs_site site)
{
	return site == KFS_P8 ? "kvmppc_check_need_tlb_flush" : "kvmhv_vcpu_entry_p9";
}

int kfs_scan(enum kfs_site site, const uint32_t *code, size_t n, struct kfs_place *out)
{
	for (size_t i = 0; i < n; i++) {
		size_t j, k, p;
		int seq = 0, pcpu = -1;

		if (!is_addi(code[i]))
			continue;
		for (j = i + 1; j <= i + WINDOW && j < n; j++)
			if (is_andi_1(code[j]))
				break;
		if (j > i + WINDOW || j >= n)
			continue;
		for (k = i + 1; k < j; k++) {
			if (is_ldx(code[k]) || is_srd(code[k]))
				seq++;
			if (is_clrlwi(code[k]))
				pcpu = (int)RT(code[k]);	/* rS: the source of the bit number */
		}
		if (seq < 2 || pcpu < 0)
			continue;
		memset(out, 0, sizeof(*out));
		out->site = site;
		out->kvm_reg = (int)RA(code[i]);
		out->pcpu_reg = pcpu;
		if (site == KFS_P8) {
			for (p = j; p < n; p++)
				if (is_ptesync(code[p]))
					break;
			if (p + 1 >= n)
				continue;
			out->check_off = (uint32_t)(i * 4);
			out->flush_off = (uint32_t)((p + 1) * 4);
			out->mask_off = (int16_t)(code[i] & 0xffff);
		} else {
			int32_t bd;

			if (j + 1 >= n || !is_bne(code[j + 1]))
				continue;
			bd = (int16_t)(code[j + 1] & 0xfffc);
			if ((int64_t)(j + 1) * 4 + bd < 0 || (int64_t)(j + 1) * 4 + bd >= (int64_t)n * 4)
				continue;	/* the flush code is in the function */
			out->check_off = (uint32_t)(j * 4);
			out->flush_off = (uint32_t)((int64_t)(j + 1) * 4 + bd);
			out->bit_reg = (int)RT(code[j]);	/* rS: the value before the andi. */
		}
		return 0;
	}
	return -1;
}

int kfs_spec(const struct kfs_place *p, enum kfs_probe which, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s+0x%x kvm=%%r%d:x64 pcpu=%%r%d:s32", kfs_function(p->site),
			 which == KFS_CHECK ? p->check_off : p->flush_off, p->kvm_reg, p->pcpu_reg);

	if (n >= 0 && (size_t)n < len && which == KFS_CHECK) {
		size_t used = (size_t)n;

		if (p->site == KFS_P8)
			n = snprintf(buf + used, len - used, " mask=%+d(%%r%d):x64", p->mask_off, p->kvm_reg);
		else
			n = snprintf(buf + used, len - used, " bit=%%r%d:x64", p->bit_reg);
		if (n >= 0)
			n += (int)used;
	}
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int kfs_format(const struct kfs_place *p, char *buf, size_t len)
{
	char c[160], f[160];
	int n;

	if (kfs_spec(p, KFS_CHECK, c, sizeof(c)) || kfs_spec(p, KFS_FLUSH, f, sizeof(f)))
		return -1;
	for (char *s = c; *s; s++)
		if (*s == ' ')
			*s = ';';
	for (char *s = f; *s; s++)
		if (*s == ' ')
			*s = ';';
	n = snprintf(buf, len, "kcheck=%s kflush=%s", c, f);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int kfs_parse_line(const char *l, struct kfs_line *out)
{
	static const char *const name[2] = { KFS_CHECK_NAME, KFS_FLUSH_NAME };
	unsigned long long secs, usecs;
	const char *p, *ev;
	long tid, pcpu;
	int which = -1, n = 0;
	char *end;

	if (l[0] == '#' || !l[0])
		return 0;
	/* the comm takes exactly 16 columns (TASK_COMM_LEN - 1 at most, right-aligned) */
	if (strnlen(l, 18) < 18 || l[16] != '-' || !isdigit((unsigned char)l[17]))
		return -1;
	errno = 0;
	tid = strtol(l + 17, &end, 10);
	if (errno || tid <= 0 || tid > 0x7fffffff || !(p = strstr(end, "] ")))
		return -1;
	/* the time: the first token "DIGITS.DIGITS: " after the cpu */
	for (p += 2;;) {
		p += strspn(p, " ");
		n = 0;
		if (!*p || (isdigit((unsigned char)*p) && sscanf(p, "%llu.%6llu: %n", &secs, &usecs, &n) == 2 && n > 0))
			break;
		p += strcspn(p, " ");
	}
	/* (six digits: the kernel prints microseconds as %06lu) */
	if (!*p || n <= 0 || secs > 1000000000ull || strspn(strchr(p, '.') + 1, "0123456789") != 6)
		return -1;
	ev = p + n;
	for (int i = 0; i < 2; i++)
		if (strncmp(ev, name[i], strlen(name[i])) == 0 && ev[strlen(name[i])] == ':')
			which = i;
	if (which < 0 || !(p = strstr(ev, " pcpu=")))
		return -1;
	errno = 0;
	pcpu = strtol(p + 6, &end, 10);
	if (errno || end == p + 6 || pcpu < 0 || pcpu > 65535 || (*end && *end != ' ' && *end != '\n'))
		return -1;
	out->tid = (uint32_t)tid;
	out->ts_ns = secs * 1000000000ull + usecs * 1000ull;
	out->which = (enum kfs_probe)which;
	out->pcpu = (uint32_t)pcpu;
	return 1;
}
