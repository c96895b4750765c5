/* SPDX-License-Identifier: MIT */
/*
 * hcall - the table of PAPR hcalls (numbers from arch/powerpc/include/asm/
 * hvcall.h; real-mode membership from hcall_real_table in book3s_hv_rmhandlers.S
 * as of v3.6-v3.8 on POWER7/POWER8 hosts). Lookup is a linear scan of a short
 * table: it is called per distinct opcode in reports, never per event in the
 * replay's hot loop (the replay compares opcodes directly).
 */
#include "hcall.h"

#include <string.h>

const struct hcall_info hcall_table[] = {
	{ 0x04, "H_REMOVE", true, true },
	{ 0x08, "H_ENTER", false, true },
	{ 0x0c, "H_READ", false, true },
	{ 0x10, "H_CLEAR_MOD", false, false },
	{ 0x14, "H_CLEAR_REF", false, false },
	{ 0x18, "H_PROTECT", true, true },
	{ 0x1c, "H_GET_TCE", false, false },
	{ 0x20, "H_PUT_TCE", false, true },
	{ 0x24, "H_SET_SPRG0", false, false },
	{ 0x28, "H_SET_DABR", false, true },
	{ 0x2c, "H_PAGE_INIT", false, false },
	{ 0x54, "H_GET_TERM_CHAR", false, false },
	{ 0x58, "H_PUT_TERM_CHAR", false, false },
	{ 0x64, "H_EOI", false, false },
	{ 0x68, "H_CPPR", false, false },
	{ 0x6c, "H_IPI", false, false },
	{ 0x70, "H_IPOLL", false, false },
	{ 0x74, "H_XIRR", false, false },
	{ 0xdc, "H_REGISTER_VPA", false, false },
	{ 0xe0, "H_CEDE", false, true },
	{ 0xe4, "H_CONFER", false, false },
	{ 0xe8, "H_PROD", false, false },
	{ 0x124, "H_BULK_REMOVE", true, true },
	{ 0x134, "H_SET_XDABR", false, false },
	{ 0x138, "H_STUFF_TCE", false, false },
	{ 0x13c, "H_PUT_TCE_INDIRECT", false, false },
	{ 0x2fc, "H_XIRR_X", false, false },
	{ 0x300, "H_RANDOM", false, false },
	{ 0x31c, "H_SET_MODE", false, false },
	{ 0xf000, "H_RTAS", false, false },
};
const int hcall_table_len = (int)(sizeof(hcall_table) / sizeof(hcall_table[0]));

const struct hcall_info *hcall_lookup(uint64_t opcode)
{
	for (int i = 0; i < hcall_table_len; i++)
		if (hcall_table[i].opcode == opcode)
			return &hcall_table[i];
	return NULL;
}

const char *hcall_name(uint64_t opcode)
{
	const struct hcall_info *h = hcall_lookup(opcode);

	return h ? h->name : "UNKNOWN";
}

int64_t hcall_by_name(const char *name)
{
	for (int i = 0; i < hcall_table_len; i++)
		if (strcmp(hcall_table[i].name, name) == 0)
			return hcall_table[i].opcode;
	return -1;
}

/*
 * On return the kernel rewrites each control byte to 0x80|match for success
 * (R and C may add 0x08/0x04), 0x90|match for not found, 0xa0|match for a
 * parameter error (kvmppc_h_bulk_remove). A request byte (0x40) or the end
 * marker (0xc0) that comes back unchanged was not processed.
 */
int hcall_bulk_success(const uint64_t *words, int nwords)
{
	int found = 0;

	for (int i = 0; i < nwords && i / 2 < HBR_MAX_ENTRIES; i += 2) {
		unsigned ctl = (unsigned)(words[i] >> 56);

		if (HBR_CTL_TYPE(ctl) == 3)
			break;
		if ((ctl & 0xf0) == 0x80)
			found++;
	}
	return found;
}
