/* SPDX-License-Identifier: MIT */
/*
 * hcall - the one table of PAPR hypervisor calls used everywhere in tlbreplay.
 *
 * What it owns: hcall numbers and names (arch/powerpc/include/asm/hvcall.h),
 * which ones invalidate HPTEs, which ones a POWER7/POWER8 host serves in real
 * mode (hcall_real_table: invisible to host tracepoints, kprobes and BPF), the
 * H_LOCAL flag, return codes, and the H_BULK_REMOVE control-byte decoding.
 */
#ifndef TLB_HCALL_H
#define TLB_HCALL_H

#include <stdbool.h>
#include <stdint.h>

#define H_REMOVE	0x04
#define H_ENTER		0x08
#define H_READ		0x0c
#define H_CLEAR_MOD	0x10
#define H_CLEAR_REF	0x14
#define H_PROTECT	0x18
#define H_CEDE		0xe0
#define H_BULK_REMOVE	0x124

#define H_LOCAL		0x10000000ULL	/* PowerPC bit 35 of flags (guest r4) */
#define H_AVPN		0x80000000ULL

#define H_SUCCESS	0
#define H_PARAMETER	(-4)
#define H_PTEG_FULL	(-6)
#define H_NOT_FOUND	(-7)

/* H_BULK_REMOVE returned control byte (bits 63:56 of word 0). */
#define HBR_CTL_TYPE(ctl)	(((ctl) >> 6) & 3)	/* 1 request, 3 end */
#define HBR_RC(ctl)		(((ctl) >> 4) & 3)	/* on return: 0 success, 1 not found, 2 param */
#define HBR_MAX_ENTRIES		4

struct hcall_info {
	uint32_t opcode;
	const char *name;
	bool invalidates;	/* may invalidate HPTEs: H_REMOVE, H_PROTECT, H_BULK_REMOVE */
	bool real_mode;		/* served in real mode on P7/P8 hosts: host cannot see it */
};

/* hcall_lookup - the entry for @opcode, or NULL for a number not in the table. */
const struct hcall_info *hcall_lookup(uint64_t opcode);
/* hcall_name - name, or "UNKNOWN" (never NULL). */
const char *hcall_name(uint64_t opcode);
/* hcall_by_name - opcode of "H_REMOVE" etc., or -1. */
int64_t hcall_by_name(const char *name);

/*
 * hcall_bulk_success - how many of the @nwords/2 entries of an H_BULK_REMOVE
 * return buffer (word0 of each pair as the guest's r4, r6, r8, r10 read back)
 * say success. Stops at an end marker.
 */
int hcall_bulk_success(const uint64_t *words, int nwords);

/* The whole table, for listings. */
extern const struct hcall_info hcall_table[];
extern const int hcall_table_len;

#endif
