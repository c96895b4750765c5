/* SPDX-License-Identifier: MIT */
/*
 * memout - hand a file to the machine emulator through guest memory: the fast way back
 * from an emulated powernv host, whose only console takes ~5 KB/s.
 *
 * What it owns: the file read into locked memory of its own, the physical address of
 * every page of it (/proc/self/pagemap, root), printed on stdout as
 *   memout page INDEX PHYS LEN
 *   memout end SIZE
 * for powernv/run.sh to save with QEMU's monitor (pmemsave PHYS LEN), and staying alive
 * (the pages stay where they are) until it is killed or STDIN closes.
 * Exit 1 on failure (nothing printed but the reason on stderr), 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	struct stat sb;
	size_t size, npages, got = 0;
	uint8_t *buf;
	int fd, pm;

	if (argc != 2) {
		fprintf(stderr, "usage: memout FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &sb) < 0 || sb.st_size <= 0) {
		fprintf(stderr, "memout: cannot read %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	size = (size_t)sb.st_size;
	npages = (size + (size_t)page - 1) / (size_t)page;
	buf = mmap(NULL, npages * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || mlock(buf, npages * (size_t)page) < 0) {
		fprintf(stderr, "memout: cannot lock %zu bytes: %s\n", npages * (size_t)page, strerror(errno));
		return 1;
	}
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);

		if (n <= 0) {
			fprintf(stderr, "memout: cannot read %s: %s\n", argv[1], n ? strerror(errno) : "short");
			return 1;
		}
		got += (size_t)n;
	}
	close(fd);
	pm = open("/proc/self/pagemap", O_RDONLY);
	if (pm < 0) {
		fprintf(stderr, "memout: cannot open /proc/self/pagemap: %s\n", strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < npages; i++) {
		uint64_t e, pfn;
		off_t at = (off_t)(((uintptr_t)buf / (uintptr_t)page + i) * sizeof(e));

		if (pread(pm, &e, sizeof(e), at) != (ssize_t)sizeof(e) || !(e >> 63)) {
			fprintf(stderr, "memout: page %zu is not present in pagemap\n", i);
			return 1;
		}
		pfn = e & ((1ull << 55) - 1);
		if (!pfn) {
			fprintf(stderr, "memout: no page frame numbers in pagemap (not root?)\n");
			return 1;
		}
		printf("memout page %zu %llu %zu\n", i, (unsigned long long)(pfn * (uint64_t)page),
		       i + 1 < npages ? (size_t)page : size - i * (size_t)page);
	}
	printf("memout end %zu\n", size);
	fflush(stdout);
	/* the pages must stay put until the emulator has saved them */
	for (;;)
		pause();
}
