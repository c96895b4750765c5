/* SPDX-License-Identifier: MIT */
/*
 * kflush - tlbcollect --kernel-flush (interface and rules in kflush.h).
 *
 * The window: the kernel arms a kprobe as a trap and replaces it by a jump a
 * few jiffies later (kernel/kprobes.c, OPTIMIZE_DELAY); a disabled probe is
 * never optimized, so there is no way around that moment. On the emulated
 * POWER9 host, enabling the probes while a vcpu ran (powernv/run.sh
 * --collect-late) hung the host (watchdog: hard LOCKUP), where the same start
 * without --kernel-flush did not; on POWER7/8 the site is real mode, where a
 * trap-based probe hung the host. So we refuse while any vcpu thread exists
 * (start the capture before the VMs), and remove the probes if the kernel does
 * not optimize them within OPTIMIZE_WAIT_MS.
 *
 * The same holds backwards: disabling an optimized kprobe first puts the trap
 * back (unoptimize), then the original instruction. Stopping tlbcollect while a
 * vcpu ran (powernv/run.sh --stop-early) hung the emulated POWER8 host. So at the
 * end, while any vcpu thread exists, the events stay enabled and in place (only
 * the instance stops recording) and a message says how to remove them; the next
 * --kernel-flush run with no vcpu removes them (remove_stale()).
 *
 * Trace lines are read by kfs_parse_line() (kfscan.c).
 */
#include <ctype.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kflush.h"
#include "sink.h"
#include "tlbcollect.h"
#include "tracewriter.h"
#include "util.h"

#define MAX_CODE_BYTES (64 * 1024)	/* longer than any entry function */
#define OPTIMIZE_WAIT_MS 3000
#define BUFFER_KB 1024			/* per cpu, the instance's ring: ~20000 records of ~48 bytes between reads */
#define TID_CACHE 256
#define KPROBES_LIST "/sys/kernel/debug/kprobes/list"

struct tid_vcpu {
	uint32_t tid, tgid;
	int32_t vcpu;		/* -1: not a vcpu thread */
};

struct kflush {
	struct kfs_place place;
	char tracefs[256];
	char group[64];		/* tlbcollect_PID */
	char inst[320];		/* tracefs instance directory */
	char spec[2][200];	/* KFS_CHECK, KFS_FLUSH */
	bool created[2];	/* kprobe event defined */
	bool inst_made;
	int pipe_fd;
	char line[4096];	/* a partial line between reads */
	size_t used;
	struct tid_vcpu cache[TID_CACHE];
	int ncache;
	int64_t flushes, checks, unattributed, unparsed, lost;
	char end_state[320];	/* kprobes/list at the stop: still both optimized? */
	bool started;		/* kflush_start() succeeded: from now on, see may_unpatch() */
	bool left;		/* left in place at the end (vcpu threads were running) */
};

static const char *const probe_name[2] = { KFS_CHECK_NAME, KFS_FLUSH_NAME };

/* ----------------------------------------------------------------- files -- */

static int write_file(const char *path, const char *text, bool append)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
	ssize_t n;
	int e;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	e = errno;
	close(fd);
	errno = e;
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int read_first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return -1;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* ---------------------------------------------------------- the places -- */

/* The address of @name in /proc/kallsyms (vmlinux only) and where the next symbol starts. */
static int kallsyms(const char *name, uint64_t *start, uint64_t *next, char *err, size_t len)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512];
	uint64_t s = 0, nx = UINT64_MAX;
	bool found = false, hidden = true;

	if (!f) {
		snprintf(err, len, "cannot read /proc/kallsyms: %s", strerror(errno));
		return -1;
	}
	/* two passes: the file is not sorted across modules */
	for (int pass = 0; pass < 2; pass++) {
		rewind(f);
		while (fgets(line, sizeof(line), f)) {
			unsigned long long a;
			char type, sym[256];
			int n = 0;

			if (sscanf(line, "%llx %c %255s %n", &a, &type, sym, &n) < 3)
				continue;
			if (a)
				hidden = false;
			if (pass == 0) {
				if (!found && strcmp(sym, name) == 0 && !strchr(line + n, '[')) {
					s = a;
					found = true;
				}
			} else if (a > s && a < nx) {
				nx = a;
			}
		}
		if (!found)
			break;
	}
	fclose(f);
	if (!found) {
		snprintf(err, len, "no symbol %s in /proc/kallsyms", name);
		return -1;
	}
	if (hidden || !s) {
		snprintf(err, len, "/proc/kallsyms hides the addresses (kptr_restrict; needs CAP_SYSLOG)");
		return -1;
	}
	*start = s;
	*next = nx;
	return 0;
}

/* @size bytes of kernel memory at @addr from /proc/kcore (an ELF core of the running kernel). */
static int kcore_read(uint64_t addr, void *buf, size_t size, char *err, size_t len)
{
	int fd = open("/proc/kcore", O_RDONLY | O_CLOEXEC);
	Elf64_Ehdr eh;
	int rc = -1;

	if (fd < 0) {
		snprintf(err, len, "cannot open /proc/kcore: %s (CONFIG_PROC_KCORE?)", strerror(errno));
		return -1;
	}
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr)) {
		snprintf(err, len, "cannot read /proc/kcore: not a 64-bit ELF core");
		goto out;
	}
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) != (ssize_t)sizeof(ph))
			break;
		if (ph.p_type != PT_LOAD || addr < ph.p_vaddr || addr - ph.p_vaddr > ph.p_memsz ||
		    size > ph.p_memsz - (addr - ph.p_vaddr))
			continue;
		if (pread(fd, buf, size, (off_t)(ph.p_offset + (addr - ph.p_vaddr))) == (ssize_t)size)
			rc = 0;
		else
			snprintf(err, len, "cannot read /proc/kcore at 0x%llx: %s", (unsigned long long)addr,
				 strerror(errno));
		goto out;
	}
	snprintf(err, len, "no segment of /proc/kcore holds 0x%llx", (unsigned long long)addr);
out:
	close(fd);
	return rc;
}

/* POWER7/8 enter guests through the real-mode path; POWER9 and later through kvmhv_vcpu_entry_p9. */
static enum kfs_site running_site(void)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[256];
	enum kfs_site site = KFS_P9;

	if (!f)
		return site;
	while (fgets(line, sizeof(line), f)) {
		char *v;

		if (strncmp(line, "cpu", 3) || !(v = strchr(line, ':')) || strspn(line + 3, " \t") != (size_t)(v - line - 3))
			continue;
		v += 1 + strspn(v + 1, " \t");
		if (strncmp(v, "POWER7", 6) == 0 || strncmp(v, "POWER8", 6) == 0)
			site = KFS_P8;
		break;
	}
	fclose(f);
	return site;
}

/*
 * A kprobe already in [start, next) (another tlbcollect --kernel-flush, a tool of the
 * admin's): an optimized one has replaced an instruction by a branch, so the code
 * /proc/kcore shows is not the pattern any more, and two sets of our probes would
 * count each flush twice. 1 (with the list's line in @err), 0 none or unknown.
 */
static int already_probed(uint64_t start, uint64_t next, char *err, size_t len)
{
	FILE *f = fopen(KPROBES_LIST, "re");
	char line[512];
	int found = 0;

	if (!f && mount("nodev", "/sys/kernel/debug", "debugfs", 0, NULL) == 0)
		f = fopen(KPROBES_LIST, "re");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long long a;

		if (sscanf(line, "%llx", &a) == 1 && a >= start && a < next) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(err, len, "kvm_hv's entry code is probed already (" KPROBES_LIST ": %.200s): "
				 "its code is patched and each flush would be counted twice; is another "
				 "tlbcollect --kernel-flush running?", line);
			found = 1;
		}
	}
	fclose(f);
	return found;
}

int kflush_find(struct kfs_place *p, char *err, size_t len)
{
	enum kfs_site site = running_site();
	const char *fn = kfs_function(site);
	uint64_t start, next;
	size_t size;
	uint32_t *code;
	int rc;

	if (kallsyms(fn, &start, &next, err, len) || already_probed(start, next, err, len))
		return -1;
	size = next - start > MAX_CODE_BYTES ? MAX_CODE_BYTES : (size_t)(next - start);
	size &= ~(size_t)3;
	code = malloc(size ? size : 4);
	if (!code) {
		snprintf(err, len, "cannot read %s: out of memory", fn);
		return -1;
	}
	rc = kcore_read(start, code, size, err, len);
	if (rc == 0 && kfs_scan(site, code, size / 4, p)) {
		snprintf(err, len, "the need_tlb_flush test not found in the code of %s (%zu bytes at 0x%llx)",
			 fn, size, (unsigned long long)start);
		rc = -1;
	}
	free(code);
	return rc;
}

/* ----------------------------------------------------------- life cycle -- */

/* Whether a thread named like a KVM vcpu ("CPU N/KVM") exists. */
static bool vcpu_threads_exist(void)
{
	DIR *proc = opendir("/proc");
	struct dirent *p;
	bool found = false;

	if (!proc)
		return false;
	while (!found && (p = readdir(proc))) {
		char path[600], comm[64];
		struct dirent *t;
		DIR *tasks;

		if (!isdigit((unsigned char)p->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", p->d_name);
		if (!(tasks = opendir(path)))
			continue;
		while (!found && (t = readdir(tasks))) {
			int v;
			char tail[8];

			if (!isdigit((unsigned char)t->d_name[0]))
				continue;
			snprintf(path, sizeof(path), "/proc/%s/task/%s/comm", p->d_name, t->d_name);
			if (read_first_line(path, comm, sizeof(comm)) == 0 &&
			    sscanf(comm, "CPU %d/%7s", &v, tail) == 2 && strcmp(tail, "KVM") == 0)
				found = true;
		}
		closedir(tasks);
	}
	closedir(proc);
	return found;
}

/* Whether kprobes/list shows both probes as [OPTIMIZED]; @why gets the lines otherwise. */
static int optimized(const struct kflush *k, char *why, size_t len)
{
	FILE *f = fopen(KPROBES_LIST, "re");
	char line[512], at[2][160];
	bool ok[2] = { false, false };
	size_t n = 0;

	if (!f)
		return -1;
	for (int i = 0; i < 2; i++)
		snprintf(at[i], sizeof(at[i]), "%.*s", (int)strcspn(k->spec[i], " "), k->spec[i]);
	why[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *tok;
		int which = -1;
		bool opt = false;

		for (tok = strtok_r(line, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
			for (int i = 0; i < 2; i++)
				if (strcmp(tok, at[i]) == 0)
					which = i;
			if (strcmp(tok, "[OPTIMIZED]") == 0)
				opt = true;
		}
		if (which < 0)
			continue;
		if (opt)
			ok[which] = true;
		else if (n < len)
			n += (size_t)snprintf(why + n, len - n, "%s%s not optimized", n ? "; " : "", at[which]);
	}
	fclose(f);
	if (!ok[0] && !ok[1] && !why[0])
		snprintf(why, len, "neither probe in " KPROBES_LIST);
	return ok[0] && ok[1];
}

/*
 * A tlbcollect killed by SIGKILL (or a crash) cannot remove its events: remove those of
 * groups tlbcollect_PID whose process is gone (their instance first: an event enabled
 * in it cannot be removed). Others' groups and live ones are left alone.
 */
static void remove_stale(const char *tracefs)
{
	char path[512], line[512], inst[400], text[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/kprobe_events", tracefs);
	if (!(f = fopen(path, "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		int pid, n = 0;
		char name[64];

		if (sscanf(line, "p:tlbcollect_%d/%63[A-Za-z0-9_] %n", &pid, name, &n) < 2 || n == 0 ||
		    pid <= 0 || pid == (int)getpid() || kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(inst, sizeof(inst), "%s/instances/tlbcollect_%d", tracefs, pid);
		snprintf(path, sizeof(path), "%.300s/events/tlbcollect_%d/%s/enable", inst, pid, name);
		write_file(path, "0", false);
		rmdir(inst);
		snprintf(path, sizeof(path), "%s/kprobe_events", tracefs);
		snprintf(text, sizeof(text), "-:tlbcollect_%d/%s\n", pid, name);
		if (write_file(path, text, true) == 0)
			tlb_msg("removed the kprobe event tlbcollect_%d/%s of a tlbcollect that is gone", pid, name);
	}
	fclose(f);
}

struct kflush *kflush_start(const char *tracefs, char *err, size_t len)
{
	struct kflush *k = calloc(1, sizeof(*k));
	char path[512], text[512], val[64];
	struct stat sb;
	int waited = 0, opt = 0;

	if (!k) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	k->pipe_fd = -1;
	snprintf(k->tracefs, sizeof(k->tracefs), "%s", tracefs);
	snprintf(k->group, sizeof(k->group), "tlbcollect_%d", (int)getpid());
	snprintf(k->inst, sizeof(k->inst), "%s/instances/%s", tracefs, k->group);
	/* (the variable: powernv/run.sh --collect-late, the experiment that found the hang) */
	if (!getenv("TLBCOLLECT_KFLUSH_WITH_VCPUS") && vcpu_threads_exist()) {
		snprintf(err, len, "a KVM vcpu thread exists: the kernel arms a new kprobe as a trap for a few "
			 "jiffies before it optimizes it into a jump, and a vcpu entering kvm_hv's entry code "
			 "then hung an emulated POWER9 host (POWER7/8: real mode). Start tlbcollect "
			 "--kernel-flush before the VMs");
		goto fail;
	}
	remove_stale(tracefs);	/* first: they would look like another tlbcollect's */
	if (kflush_find(&k->place, err, len))
		goto fail;
	for (int i = 0; i < 2; i++)
		if (kfs_spec(&k->place, (enum kfs_probe)i, k->spec[i], sizeof(k->spec[i]))) {
			snprintf(err, len, "probe definition too long");
			goto fail;
		}
	if (read_first_line("/proc/sys/debug/kprobes-optimization", val, sizeof(val)) == 0 && strcmp(val, "1")) {
		snprintf(err, len, "kprobe optimization is off (/proc/sys/debug/kprobes-optimization is %s): "
			 "only trap-based probes, which hang a host in kvm_hv's real-mode code", val);
		goto fail;
	}
	if (stat(KPROBES_LIST, &sb) != 0)
		mount("nodev", "/sys/kernel/debug", "debugfs", 0, NULL);
	if (stat(KPROBES_LIST, &sb) != 0) {
		snprintf(err, len, "cannot check that the probes are optimized: no " KPROBES_LIST " (debugfs)");
		goto fail;
	}
	if (mkdir(k->inst, 0700) != 0) {
		snprintf(err, len, "cannot create the tracefs instance %s: %s", k->inst, strerror(errno));
		goto fail;
	}
	k->inst_made = true;
	snprintf(path, sizeof(path), "%s/trace_clock", k->inst);
	if (write_file(path, "mono", false)) {
		snprintf(err, len, "cannot set %s to mono: %s", path, strerror(errno));
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/buffer_size_kb", k->inst);
	snprintf(val, sizeof(val), "%d", BUFFER_KB);
	if (write_file(path, val, false)) {
		snprintf(err, len, "cannot size %s: %s", path, strerror(errno));
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/kprobe_events", tracefs);
	for (int i = 0; i < 2; i++) {
		snprintf(text, sizeof(text), "p:%s/%s %s\n", k->group, probe_name[i], k->spec[i]);
		if (write_file(path, text, true)) {
			snprintf(err, len, "the kernel refused the kprobe event %s/%s (%s): %s", k->group,
				 probe_name[i], k->spec[i], strerror(errno));
			goto fail;
		}
		k->created[i] = true;
	}
	snprintf(path, sizeof(path), "%s/trace_pipe", k->inst);
	k->pipe_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->pipe_fd < 0) {
		snprintf(err, len, "cannot open %s: %s", path, strerror(errno));
		goto fail;
	}
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/events/%s/%s/enable", k->inst, k->group, probe_name[i]);
		if (write_file(path, "1", false)) {
			snprintf(err, len, "cannot enable %s: %s", path, strerror(errno));
			goto fail;
		}
	}
	/* the optimizer runs a few jiffies after arming */
	while ((opt = optimized(k, text, sizeof(text))) == 0 && waited < OPTIMIZE_WAIT_MS) {
		struct timespec ts = { 0, 20 * 1000000L };

		nanosleep(&ts, NULL);
		waited += 20;
	}
	if (opt != 1) {
		snprintf(err, len, "the kernel did not optimize the kprobes into jumps within %d ms (%s): a "
			 "trap-based probe in kvm_hv's entry code hung a host; removed, not recording",
			 OPTIMIZE_WAIT_MS, opt < 0 ? "cannot read " KPROBES_LIST : text);
		goto fail;
	}
	k->started = true;
	return k;
fail:
	kflush_free(k);
	return NULL;
}

/* ----------------------------------------------------------------- lines -- */

/* The process and vcpu of thread @tid (cached; /proc while it lives). */
static const struct tid_vcpu *vcpu_of_tid(struct kflush *k, uint32_t tid)
{
	struct tid_vcpu *c;
	char path[64], line[128];
	FILE *f;

	for (int i = 0; i < k->ncache; i++)
		if (k->cache[i].tid == tid)
			return &k->cache[i];
	c = &k->cache[k->ncache < TID_CACHE ? k->ncache++ : (int)(tid % TID_CACHE)];
	c->tid = tid;
	c->tgid = 0;
	c->vcpu = -1;
	snprintf(path, sizeof(path), "/proc/%u/comm", tid);
	if (read_first_line(path, line, sizeof(line)) == 0) {
		int v;
		char tail[8];

		if (sscanf(line, "CPU %d/%7s", &v, tail) == 2 && v >= 0 && (strcmp(tail, "KVM") == 0 || strcmp(tail, "TCG") == 0))
			c->vcpu = v;
	}
	snprintf(path, sizeof(path), "/proc/%u/status", tid);
	if (c->vcpu >= 0 && (f = fopen(path, "re"))) {
		unsigned tg;

		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "Tgid: %u", &tg) == 1) {
				c->tgid = tg;
				break;
			}
		fclose(f);
	}
	if (!c->tgid)
		c->vcpu = -1;
	return c;
}

/* One trace line: 1 pushed, 0 not ours or not attributable, -1 the sink failed. */
static int take_line(struct kflush *k, struct sink *s, uint64_t t0, const char *l)
{
	const struct tid_vcpu *t;
	struct kfs_line pl;
	struct tc_event e;
	int r = kfs_parse_line(l, &pl);

	if (r <= 0) {
		k->unparsed += r < 0;
		return 0;
	}
	if (pl.ts_ns < t0)
		return 0;	/* before the capture began (the probes start first) */
	if (pl.which == KFS_CHECK)
		k->checks++;
	else
		k->flushes++;
	t = vcpu_of_tid(k, pl.tid);
	if (t->vcpu < 0) {
		if (pl.which == KFS_FLUSH)
			k->unattributed++;
		return 0;
	}
	/* the checks become rows only where they are the real entries (POWER9) */
	if (pl.which == KFS_CHECK && !kflush_entries(k))
		return 0;
	memset(&e, 0, sizeof(e));
	e.ts = pl.ts_ns;
	e.type = pl.which == KFS_CHECK ? TC_KERNEL_CHECK : TC_KERNEL_FLUSH;
	e.cpu = pl.pcpu;
	e.tgid = t->tgid;
	e.tid = t->tid;
	e.vcpu = t->vcpu;
	return sink_push(s, &e, sizeof(e)) ? -1 : 1;
}

int kflush_poll(struct kflush *k, struct sink *s, uint64_t t0, char *err, size_t len)
{
	for (;;) {
		ssize_t n = read(k->pipe_fd, k->line + k->used, sizeof(k->line) - 1 - k->used);
		char *start, *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0) {
			if (n == 0)
				return 0;
			snprintf(err, len, "cannot read the kernel_flush trace: %s", strerror(errno));
			return -1;
		}
		k->used += (size_t)n;
		k->line[k->used] = '\0';
		start = k->line;
		while ((nl = strchr(start, '\n'))) {
			*nl = '\0';
			if (take_line(k, s, t0, start) < 0) {
				snprintf(err, len, "the writer failed");
				return -1;
			}
			start = nl + 1;
		}
		k->used -= (size_t)(start - k->line);
		memmove(k->line, start, k->used);
		if (k->used == sizeof(k->line) - 1) {
			k->unparsed++;	/* a line longer than any the kernel writes for us */
			k->used = 0;
		}
	}
}

/* Whether the probes may be disabled and removed now (see the header comment). */
static bool may_unpatch(struct kflush *k)
{
	if (k->started && !k->left && vcpu_threads_exist())
		k->left = true;
	return !k->left;
}

int kflush_stop(struct kflush *k, struct sink *s, uint64_t t0, char *err, size_t len)
{
	char path[512], line[128], why[256];
	int rc, opt = optimized(k, why, sizeof(why));

	/* another kprobe near ours can make the kernel unoptimize it: say so in meta */
	snprintf(k->end_state, sizeof(k->end_state), "%s%s", opt == 1 ? "both still optimized at the end" :
		 opt < 0 ? "cannot read " KPROBES_LIST " at the end" : "NOT optimized at the end: ", opt == 0 ? why : "");
	if (may_unpatch(k)) {
		for (int i = 0; i < 2; i++) {
			snprintf(path, sizeof(path), "%s/events/%s/%s/enable", k->inst, k->group, probe_name[i]);
			write_file(path, "0", false);
		}
	} else {
		snprintf(path, sizeof(path), "%s/tracing_on", k->inst);
		write_file(path, "0", false);	/* the ring only: the probes stay as they are */
	}
	rc = kflush_poll(k, s, t0, err, len);
	/* what the instance's ring overwrote or dropped */
	for (int cpu = 0; cpu < 65536; cpu++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/stats", k->inst, cpu);
		if (!(f = fopen(path, "re")))
			break;
		while (fgets(line, sizeof(line), f)) {
			long long v;

			if (sscanf(line, "overrun: %lld", &v) == 1 || sscanf(line, "dropped events: %lld", &v) == 1)
				k->lost += v;
		}
		fclose(f);
	}
	return rc;
}

bool kflush_entries(const struct kflush *k)
{
	return k && k->place.site == KFS_P9;
}

int kflush_meta(const struct kflush *k, struct tw *w, int64_t tracepoint_enters)
{
	char text[1024];
	int e = 0;

	snprintf(text, sizeof(text), "tlbcollect --kernel-flush: tracefs kprobe events %s/kflush at %.*s (the flush "
		 "path) and %s/kcheck at %.*s (the need_tlb_flush test), both optimized into jumps "
		 "(kprobes/list [OPTIMIZED]); places found in the running kernel's code (/proc/kcore); "
		 "read from tracefs instance %s (trace_clock mono, 1 us resolution)%s",
		 k->group, (int)strcspn(k->spec[KFS_FLUSH], " "), k->spec[KFS_FLUSH], k->group,
		 (int)strcspn(k->spec[KFS_CHECK], " "), k->spec[KFS_CHECK], k->group,
		 k->place.site == KFS_P8 ? ": POWER7/8 real mode, where BPF cannot run" : "");
	e |= tw_meta(w, "kernel_flush_source", text);
	snprintf(text, sizeof(text), "kcheck %s; kflush %s", k->spec[KFS_CHECK], k->spec[KFS_FLUSH]);
	e |= tw_meta(w, "kernel_flush_probes", text);
	if (k->left) {
		char left[1100];

		snprintf(left, sizeof(left), "%s; left in place (enabled, instance %s not recording): vcpu "
			 "threads still ran at the end, and disabling a kprobe in kvm_hv's entry code turns it "
			 "back into a trap for a moment (a hang on an emulated POWER8 host); the next "
			 "tlbcollect --kernel-flush with no vcpu running removes them", k->end_state, k->inst);
		e |= tw_meta(w, "kernel_flush_probes_end", left);
	} else {
		e |= tw_meta(w, "kernel_flush_probes_end", k->end_state);
	}
	e |= tw_meta_int(w, "kernel_flush_checks", k->checks);
	e |= tw_meta_int(w, "kernel_flush_seen", k->flushes);
	e |= tw_meta_int(w, "kernel_flush_unattributed", k->unattributed);
	e |= tw_meta_int(w, "kernel_flush_lost", k->lost);
	e |= tw_meta_int(w, "kernel_flush_unparsed", k->unparsed);
	if (kflush_entries(k)) {
		e |= tw_meta(w, "guest_enter_source", "kprobe kcheck at the need_tlb_flush test of "
			     "kvmhv_vcpu_entry_p9 (real entries only): kvm_hv:kvm_guest_enter fires before "
			     "the HV_DECREMENTER early returns that never enter; its rows were left out");
		e |= tw_meta_int(w, "guest_enter_tracepoint_rows", tracepoint_enters);
	}
	return e ? -1 : 0;
}

void kflush_free(struct kflush *k)
{
	char path[512], text[160];

	if (!k)
		return;
	if (!may_unpatch(k)) {
		if (k->pipe_fd >= 0)
			close(k->pipe_fd);
		snprintf(path, sizeof(path), "%s/tracing_on", k->inst);
		write_file(path, "0", false);
		tlb_msg("left the kprobe events %s/%s and %s/%s enabled, and the tracefs instance %s: vcpu "
			"threads still run, and disabling a kprobe in kvm_hv's entry code makes it a trap "
			"for a moment (that hung an emulated POWER8 host). Once no VM runs, any "
			"`tlbcollect --kernel-flush` removes them", k->group, probe_name[0], k->group,
			probe_name[1], k->inst);
		free(k);
		return;
	}
	for (int i = 0; i < 2 && k->inst_made; i++) {
		snprintf(path, sizeof(path), "%s/events/%s/%s/enable", k->inst, k->group, probe_name[i]);
		write_file(path, "0", false);
	}
	if (k->pipe_fd >= 0)
		close(k->pipe_fd);
	k->pipe_fd = -1;
	if (k->inst_made && rmdir(k->inst) != 0)
		tlb_msg("cannot remove the tracefs instance %s: %s", k->inst, strerror(errno));
	k->inst_made = false;
	snprintf(path, sizeof(path), "%s/kprobe_events", k->tracefs);
	for (int i = 0; i < 2; i++) {
		if (!k->created[i])
			continue;
		snprintf(text, sizeof(text), "-:%s/%s\n", k->group, probe_name[i]);
		if (write_file(path, text, true))
			tlb_msg("cannot remove the kprobe event %s/%s: %s", k->group, probe_name[i], strerror(errno));
		k->created[i] = false;
	}
	free(k);
}
