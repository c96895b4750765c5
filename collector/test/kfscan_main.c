/* SPDX-License-Identifier: MIT */
/*
 * collect-kfscan SITE FILE - the kernel_flush probe places kfscan.c finds in FILE, the
 * raw machine code of one function (SITE p8: kvmppc_check_need_tlb_flush, p9:
 * kvmhv_vcpu_entry_p9), printed as powernv/kflush-probes.sh prints them: t6320 checks
 * that both find the same places in Debian's vmlinux. Exit 0 found, 1 not found or
 * unreadable, 2 bad usage.
 * collect-kfscan lines FILE - kfs_parse_line() on each line of FILE: "TID TS_NS NAME
 * PCPU", "skip" (comment, empty) or "bad".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kfscan.h"

static int lines(const char *path)
{
	FILE *f = fopen(path, "r");
	char l[4096];

	if (!f) {
		perror(path);
		return 1;
	}
	while (fgets(l, sizeof(l), f)) {
		struct kfs_line pl;
		int r;

		l[strcspn(l, "\n")] = '\0';
		r = kfs_parse_line(l, &pl);
		if (r > 0)
			printf("%u %llu %s %u\n", pl.tid, (unsigned long long)pl.ts_ns,
			       pl.which == KFS_CHECK ? KFS_CHECK_NAME : KFS_FLUSH_NAME, pl.pcpu);
		else
			printf("%s\n", r == 0 ? "skip" : "bad");
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	static uint32_t code[64 * 1024 / 4];
	struct kfs_place p;
	char out[512];
	enum kfs_site site;
	size_t n;
	FILE *f;

	if (argc != 3 || (strcmp(argv[1], "p8") && strcmp(argv[1], "p9") && strcmp(argv[1], "lines"))) {
		fprintf(stderr, "usage: collect-kfscan p8|p9|lines FILE\n");
		return 2;
	}
	if (strcmp(argv[1], "lines") == 0)
		return lines(argv[2]);
	site = strcmp(argv[1], "p8") == 0 ? KFS_P8 : KFS_P9;
	f = fopen(argv[2], "rb");
	if (!f) {
		perror(argv[2]);
		return 1;
	}
	n = fread(code, 4, sizeof(code) / 4, f);
	fclose(f);
	if (kfs_scan(site, code, n, &p) || kfs_format(&p, out, sizeof(out))) {
		fprintf(stderr, "collect-kfscan: the need_tlb_flush test not found in %s\n", argv[2]);
		return 1;
	}
	printf("%s\n", out);
	return 0;
}
