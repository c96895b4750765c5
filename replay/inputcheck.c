/* SPDX-License-Identifier: MIT */
/* inputcheck - the TRACE.db argument before SQLite sees it (see inputcheck.h). */
#include "inputcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const unsigned char tracedat_magic[] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g' };

int input_check(const char *path, char *why, size_t len)
{
	unsigned char head[sizeof(tracedat_magic)];
	struct stat st;
	ssize_t got;
	int fd;

	if (stat(path, &st) != 0) {
		snprintf(why, len, "%s", errno == ENOENT ? "no such file" : strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(why, len, "a directory, not a trace DB file");
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, len, "not a regular file");
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(why, len, "%s", strerror(errno));
		return -1;
	}
	got = read(fd, head, sizeof(head));
	close(fd);
	if (got == (ssize_t)sizeof(head) && memcmp(head, tracedat_magic, sizeof(head)) == 0) {
		snprintf(why, len, "a trace-cmd file: run tlbimport first (tlbimport %s -o TRACE.db)",
			 path);
		return -1;
	}
	return 0;
}
