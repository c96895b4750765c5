/* SPDX-License-Identifier: MIT */
/*
 * vmm - a small KVM VMM for an emulated (or real) POWER KVM host running kvm_hv:
 * the ground truth the host captures of `make check-powernv` are checked against.
 *
 * What it owns: the schedule file, one process per VM (a VM is a process, as with
 * QEMU: the collector tells VMs apart by tgid), one thread per vcpu named like
 * QEMU's ("CPU N/KVM"), pinning each vcpu to the host cpu the schedule gives it
 * before each round (sched_setaffinity), the guest code, and the log.
 *
 * The guest: little-endian, real mode (MSR SF|ME|LE, no translation: the HPT
 * VM's real mode goes through the VRMA kvm_hv sets up on the first run). Its code
 * is generated here, one block per vcpu: for every round, H_ENTER x3, H_PROTECT,
 * H_REMOVE of a present and then of the same, now absent, entry, H_BULK_REMOVE of
 * 4 entries of which 2 are absent, then an hcall kvm_hv does not implement
 * (H_GET_TERM_CHAR), which exits to this VMM: the end of the round. The pte index
 * each H_ENTER returns is kept in a register and used by the calls after it. For
 * every call the guest stores r3..r11 before it, the timebase, and r3..r11 after
 * it into a result area; the VMM logs them after the round: what was asked for
 * and every return code, as the guest saw them. A radix VM (POWER9) runs only the
 * exit hcall per round (the HPT calls mean nothing there).
 *
 * Schedule file (lines; '#' comments):
 *   rounds R                      rounds every vcpu runs (default 8)
 *   pause-us U                    sleep between two rounds of a vcpu (default 2000)
 *   vm NAME hpt|radix NVCPUS      a VM
 *   vcpu NAME ID CPU[,CPU...]     round r of that vcpu runs on CPU[r % count]
 *                                 (a vcpu without a line runs on cpu ID % ncpus)
 * Log (one line per item, one write() each, O_APPEND: the VMs' lines never mix):
 *   start tb TB mono MONO_NS timebase_hz HZ ncpus N
 *   vm NAME pid PID mmu hpt|radix vcpus N
 *   round NAME VCPU ROUND tid TID cpu CPU prev_cpu CPU0 runs N mono0 NS mono1 NS tb0 TB tb1 TB pin NS
 *   hcall NAME VCPU ROUND SEQ tb TB op OP args A4 A5 A6 A7 A8 A9 A10 A11 rc RC ret R4 .. R11
 *   done NAME rc RC
 * (OP, A*, R* in hex; RC signed decimal; ROUND's prev_cpu is where the thread was
 * before sched_setaffinity, at CLOCK_MONOTONIC pin: a migration is expected exactly when
 * it differs. Before round 0's pin the thread is not pinned yet: the scheduler may move it.)
 * Exit 0 when every VM ran every round, 1 otherwise, 2 on bad usage or schedule.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_VMS		8
#define MAX_VCPUS	8
#define MAX_ROUNDS	256
#define MAX_CPUS_SEQ	16
#define MEM_SIZE	(64ul << 20)
#define CODE_BASE	0x100000ul	/* guest real address of vcpu 0's code */
#define CODE_SPAN	0x100000ul	/* code bytes per vcpu */
#define RES_BASE	0x1000000ul	/* results: per vcpu RES_SPAN bytes */
#define RES_SPAN	0x100000ul
#define PAGE_GPA	0x2000000ul	/* the guest pages the HPTEs map */
#define HTAB_ORDER	18		/* 256 KiB: 2048 PTEGs */
#define OPS_PER_ROUND	8
#define REC_WORDS	20		/* per call: 9 args, tb, 9 results, 1 spare */

/* PAPR hcall numbers and flags (include/asm/hvcall.h) */
#define H_REMOVE	0x04
#define H_ENTER		0x08
#define H_PROTECT	0x18
#define H_GET_TERM_CHAR	0x54
#define H_BULK_REMOVE	0x124
#define BULK_REQUEST	0x4000000000000000ull
#define HPTE_V_VALID	0x1ull
#define HPTE_R_M	0x10ull
#define HPTE_R_PP_RW	0x2ull

struct vcpu_plan {
	int ncpus;
	int cpus[MAX_CPUS_SEQ];
};

struct vm_plan {
	char name[32];
	int radix;
	int nvcpus;
	struct vcpu_plan v[MAX_VCPUS];
};

struct schedule {
	int rounds;
	long pause_us;
	int nvms;
	struct vm_plan vm[MAX_VMS];
};

static int logfd = 1;
static int kvmfd = -1;
static int host_ncpus = 1;

static uint64_t mftb(void)
{
#if defined(__powerpc64__)
	uint64_t t;

	__asm__ volatile("mfspr %0, 268" : "=r"(t));
	return t;
#else
	return 0;
#endif
}

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* One log line, one write(): lines of concurrent writers stay whole. */
static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(logfd, buf, (size_t)n) != n)
		fprintf(stderr, "vmm: cannot write the log: %s\n", strerror(errno));
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vmm: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* ------------------------------------------------------------ schedule -- */

static int parse_cpus(const char *s, struct vcpu_plan *p)
{
	char *end;

	p->ncpus = 0;
	for (;;) {
		long c = strtol(s, &end, 10);

		if (end == s || c < 0 || c >= 1024 || p->ncpus == MAX_CPUS_SEQ)
			return -1;
		p->cpus[p->ncpus++] = (int)c;
		if (*end == '\0')
			return 0;
		if (*end != ',')
			return -1;
		s = end + 1;
	}
}

static void read_schedule(const char *path, struct schedule *s)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int lineno = 0;

	if (!f) {
		fprintf(stderr, "vmm: cannot open %s: %s\n", path, strerror(errno));
		exit(2);
	}
	memset(s, 0, sizeof(*s));
	s->rounds = 8;
	s->pause_us = 2000;
	while (fgets(line, sizeof(line), f)) {
		char w[4][128];
		int n;

		lineno++;
		line[strcspn(line, "#\n")] = '\0';
		n = sscanf(line, "%127s %127s %127s %127s", w[0], w[1], w[2], w[3]);
		if (n <= 0)
			continue;
		if (strcmp(w[0], "rounds") == 0 && n == 2) {
			s->rounds = atoi(w[1]);
			if (s->rounds < 1 || s->rounds > MAX_ROUNDS)
				goto bad;
		} else if (strcmp(w[0], "pause-us") == 0 && n == 2) {
			s->pause_us = atol(w[1]);
			if (s->pause_us < 0 || s->pause_us > 10000000)
				goto bad;
		} else if (strcmp(w[0], "vm") == 0 && n == 4) {
			struct vm_plan *v;

			if (s->nvms == MAX_VMS || strlen(w[1]) >= sizeof(v->name))
				goto bad;
			v = &s->vm[s->nvms++];
			for (const char *c = w[1]; *c; c++)
				if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
					goto bad;
			snprintf(v->name, sizeof(v->name), "%s", w[1]);
			if (strcmp(w[2], "hpt") == 0)
				v->radix = 0;
			else if (strcmp(w[2], "radix") == 0)
				v->radix = 1;
			else
				goto bad;
			v->nvcpus = atoi(w[3]);
			if (v->nvcpus < 1 || v->nvcpus > MAX_VCPUS)
				goto bad;
		} else if (strcmp(w[0], "vcpu") == 0 && n == 4) {
			int i, id = atoi(w[2]);

			for (i = 0; i < s->nvms; i++)
				if (strcmp(s->vm[i].name, w[1]) == 0)
					break;
			if (i == s->nvms || id < 0 || id >= s->vm[i].nvcpus ||
			    parse_cpus(w[3], &s->vm[i].v[id]))
				goto bad;
		} else {
			goto bad;
		}
	}
	fclose(f);
	if (!s->nvms) {
		fprintf(stderr, "vmm: %s: no vm line\n", path);
		exit(2);
	}
	return;
bad:
	fprintf(stderr, "vmm: %s:%d: bad line\n", path, lineno);
	exit(2);
}

/* ----------------------------------------------------------- guest code -- */

struct code {
	uint32_t *p;
	size_t n, max;
};

static void emit(struct code *c, uint32_t insn)
{
	if (c->n == c->max)
		die("guest code does not fit in %zu instructions", c->max);
	c->p[c->n++] = insn;
}

static void li64(struct code *c, int r, uint64_t v)
{
	emit(c, 0x3c000000u | (uint32_t)r << 21 | (uint32_t)((v >> 48) & 0xffff));	/* lis r,hi */
	emit(c, 0x60000000u | (uint32_t)r << 21 | (uint32_t)r << 16 | (uint32_t)((v >> 32) & 0xffff)); /* ori */
	emit(c, 0x780007c6u | (uint32_t)r << 21 | (uint32_t)r << 16);		/* sldi r,r,32 */
	emit(c, 0x64000000u | (uint32_t)r << 21 | (uint32_t)r << 16 | (uint32_t)((v >> 16) & 0xffff)); /* oris */
	emit(c, 0x60000000u | (uint32_t)r << 21 | (uint32_t)r << 16 | (uint32_t)(v & 0xffff)); /* ori */
}

static void mr(struct code *c, int ra, int rs)
{
	emit(c, 0x7c000378u | (uint32_t)rs << 21 | (uint32_t)ra << 16 | (uint32_t)rs << 11);
}

static void std_(struct code *c, int rs, int ra, int ds)
{
	emit(c, 0xf8000000u | (uint32_t)rs << 21 | (uint32_t)ra << 16 | ((uint32_t)ds & 0xfffc));
}

static void mftb_(struct code *c, int rd)
{
	emit(c, 0x7c0c42a6u | (uint32_t)rd << 21);
}

/* An argument: a constant, or the pte index a previous H_ENTER returned (in r20+k). */
struct arg {
	int from_reg;	/* 0: constant; else the register */
	uint64_t v;	/* constant, or OR'ed into the register value */
};

#define CONST(x) ((struct arg){ 0, (x) })
#define SAVED(k) ((struct arg){ 20 + (k), 0 })

/*
 * One hcall: r3..r11 loaded, stored to rec (args), timebase, sc 1, results stored.
 * r31 holds the record's address. save_to >= 0: r4 (H_ENTER's pte index) to r20+save_to.
 */
static void hcall(struct code *c, uint64_t rec_gpa, uint64_t op, const struct arg *a, int nargs,
		  int save_to)
{
	li64(c, 31, rec_gpa);
	li64(c, 3, op);
	for (int i = 0; i < 8; i++) {
		int r = 4 + i;

		if (i < nargs && a[i].from_reg) {
			mr(c, r, a[i].from_reg);
			if (a[i].v) {	/* flags above the index: or in the high bits */
				li64(c, 12, a[i].v);
				emit(c, 0x7c000378u | (uint32_t)r << 21 | (uint32_t)r << 16 | 12u << 11); /* or r,r,r12 */
			}
		} else {
			li64(c, r, i < nargs ? a[i].v : 0);
		}
	}
	for (int r = 3; r <= 11; r++)
		std_(c, r, 31, (r - 3) * 8);
	mftb_(c, 12);
	std_(c, 12, 31, 9 * 8);
	emit(c, 0x44000022u);	/* sc 1 */
	for (int r = 3; r <= 11; r++)
		std_(c, r, 31, (10 + r - 3) * 8);
	if (save_to >= 0)
		mr(c, 20 + save_to, 4);
}

static uint64_t rec_gpa(int vcpu, int round, int seq)
{
	return RES_BASE + (uint64_t)vcpu * RES_SPAN +
	       ((uint64_t)round * OPS_PER_ROUND + (uint64_t)seq) * REC_WORDS * 8;
}

/* The calls of one round, in order; returns how many. */
static int gen_round(struct code *c, int radix, int vcpu, int round)
{
	uint64_t group = 64 + (uint64_t)vcpu * MAX_ROUNDS + (uint64_t)round;	/* a PTEG of its own */
	int seq = 0;

	if (!radix) {
		for (int k = 0; k < 3; k++) {
			uint64_t avpn = (0x100000ull + (uint64_t)vcpu * 0x10000 + (uint64_t)round * 8 + (uint64_t)k);
			struct arg a[3] = { CONST(0), CONST(group * 8), CONST(avpn << 7 | HPTE_V_VALID) };
			struct arg all[4] = { a[0], a[1], a[2],
					      CONST((PAGE_GPA + ((uint64_t)k << 12)) | HPTE_R_M | HPTE_R_PP_RW) };

			hcall(c, rec_gpa(vcpu, round, seq++), H_ENTER, all, 4, k);
		}
		{
			struct arg p[3] = { CONST(1), SAVED(0), CONST(0) };	/* pp = 01 */

			hcall(c, rec_gpa(vcpu, round, seq++), H_PROTECT, p, 3, -1);
		}
		{
			struct arg r[3] = { CONST(0), SAVED(0), CONST(0) };

			hcall(c, rec_gpa(vcpu, round, seq++), H_REMOVE, r, 3, -1);	/* present */
			hcall(c, rec_gpa(vcpu, round, seq++), H_REMOVE, r, 3, -1);	/* now absent */
		}
		{
			/* 4 entries: E1 present, E0 absent (removed), E2 present, E1 again (absent by then) */
			struct arg b[8] = {
				{ 21, BULK_REQUEST }, CONST(0),
				{ 20, BULK_REQUEST }, CONST(0),
				{ 22, BULK_REQUEST }, CONST(0),
				{ 21, BULK_REQUEST }, CONST(0),
			};

			hcall(c, rec_gpa(vcpu, round, seq++), H_BULK_REMOVE, b, 8, -1);
		}
	}
	{
		struct arg e[1] = { CONST((uint64_t)round) };

		hcall(c, rec_gpa(vcpu, round, seq++), H_GET_TERM_CHAR, e, 1, -1);
	}
	return seq;
}

/* --------------------------------------------------------------- the VM -- */

struct vm {
	const struct schedule *s;
	const struct vm_plan *plan;
	int fd;
	uint8_t *mem;
	int ncalls[MAX_VCPUS];	/* calls per round */
	int failed;
};

struct vcpu_arg {
	struct vm *vm;
	int id;
};

static int vcpu_cpu(const struct vm_plan *p, int id, int round)
{
	const struct vcpu_plan *v = &p->v[id];

	if (!v->ncpus)
		return id % host_ncpus;
	return v->cpus[round % v->ncpus];
}

static void *vcpu_main(void *arg)
{
	struct vcpu_arg *va = arg;
	struct vm *vm = va->vm;
	const struct vm_plan *p = vm->plan;
	int id = va->id, fd, mmap_size;
	struct kvm_run *run;
	struct kvm_regs regs;
	struct kvm_enable_cap cap;
	char name[16];

	snprintf(name, sizeof(name), "CPU %d/KVM", id);
	prctl(PR_SET_NAME, name, 0, 0, 0);
	fd = ioctl(vm->fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (fd < 0) {
		logf_("error %s %d KVM_CREATE_VCPU: %s", p->name, id, strerror(errno));
		vm->failed = 1;
		return NULL;
	}
	/* Without PAPR mode kvm_hv refuses the first KVM_RUN (EINVAL). */
	memset(&cap, 0, sizeof(cap));
	cap.cap = KVM_CAP_PPC_PAPR;
	if (ioctl(fd, KVM_ENABLE_CAP, &cap) < 0) {
		logf_("error %s %d KVM_ENABLE_CAP(PAPR): %s", p->name, id, strerror(errno));
		vm->failed = 1;
		return NULL;
	}
	mmap_size = ioctl(kvmfd, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, (size_t)mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (run == MAP_FAILED) {
		logf_("error %s %d mmap kvm_run: %s", p->name, id, strerror(errno));
		vm->failed = 1;
		return NULL;
	}
	memset(&regs, 0, sizeof(regs));
	regs.pc = CODE_BASE + (uint64_t)id * CODE_SPAN;
	regs.msr = 0x8000000000001001ull;	/* SF | ME | LE, real mode */
	if (ioctl(fd, KVM_SET_REGS, &regs) < 0) {
		logf_("error %s %d KVM_SET_REGS: %s", p->name, id, strerror(errno));
		vm->failed = 1;
		return NULL;
	}
	for (int r = 0; r < vm->s->rounds && !vm->failed; r++) {
		int cpu = vcpu_cpu(p, id, r), prev = sched_getcpu(), runs = 0;
		uint64_t m0, m1, t0, t1, pin = mono_ns();
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0) {
			logf_("error %s %d round %d sched_setaffinity(%d): %s", p->name, id, r, cpu,
			      strerror(errno));
			vm->failed = 1;
			break;
		}
		m0 = mono_ns();
		t0 = mftb();
		for (;;) {
			runs++;
			if (ioctl(fd, KVM_RUN, 0) < 0) {
				if (errno == EINTR || errno == EAGAIN)
					continue;
				logf_("error %s %d round %d KVM_RUN: %s", p->name, id, r, strerror(errno));
				vm->failed = 1;
				break;
			}
			if (run->exit_reason == KVM_EXIT_PAPR_HCALL && run->papr_hcall.nr == H_GET_TERM_CHAR) {
				run->papr_hcall.ret = 0;	/* H_SUCCESS, nothing read */
				break;
			}
			if (run->exit_reason == KVM_EXIT_INTR)
				continue;
			logf_("error %s %d round %d unexpected exit %u (hcall nr 0x%llx)", p->name, id, r,
			      run->exit_reason, (unsigned long long)run->papr_hcall.nr);
			vm->failed = 1;
			break;
		}
		t1 = mftb();
		m1 = mono_ns();
		if (vm->failed)
			break;
		logf_("round %s %d %d tid %d cpu %d prev_cpu %d runs %d mono0 %llu mono1 %llu tb0 %llu tb1 %llu pin %llu",
		      p->name, id, r, (int)gettid(), cpu, prev, runs, (unsigned long long)m0,
		      (unsigned long long)m1, (unsigned long long)t0, (unsigned long long)t1,
		      (unsigned long long)pin);
		for (int k = 0; k < vm->ncalls[id]; k++) {
			const uint64_t *w = (const uint64_t *)(vm->mem + rec_gpa(id, r, k));
			uint64_t zero[REC_WORDS] = { 0 };
			/* The exit hcall's results are the VMM's own answer (H_SUCCESS): the guest
			 * stores them only when the next round resumes it. */
			const uint64_t *res = k == vm->ncalls[id] - 1 ? zero + 10 : w + 10;

			logf_("hcall %s %d %d %d tb %llu op 0x%llx args 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx"
			      " rc %lld ret 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx",
			      p->name, id, r, k, (unsigned long long)w[9], (unsigned long long)w[0],
			      (unsigned long long)w[1], (unsigned long long)w[2], (unsigned long long)w[3],
			      (unsigned long long)w[4], (unsigned long long)w[5], (unsigned long long)w[6],
			      (unsigned long long)w[7], (unsigned long long)w[8],
			      (long long)res[0], (unsigned long long)res[1], (unsigned long long)res[2],
			      (unsigned long long)res[3], (unsigned long long)res[4], (unsigned long long)res[5],
			      (unsigned long long)res[6], (unsigned long long)res[7], (unsigned long long)res[8]);
		}
		if (vm->s->pause_us) {
			struct timespec ts = { vm->s->pause_us / 1000000, (vm->s->pause_us % 1000000) * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	close(fd);
	return NULL;
}

static int run_vm(const struct schedule *s, const struct vm_plan *p)
{
	struct kvm_userspace_memory_region region;
	struct vcpu_arg args[MAX_VCPUS];
	pthread_t th[MAX_VCPUS];
	struct vm vm;

	memset(&vm, 0, sizeof(vm));
	vm.s = s;
	vm.plan = p;
	vm.fd = ioctl(kvmfd, KVM_CREATE_VM, 0ul);
	if (vm.fd < 0)
		die("%s: KVM_CREATE_VM: %s", p->name, strerror(errno));
	if (!p->radix) {
		__u32 order = HTAB_ORDER;

		/* On a radix host this also switches the VM to HPT (kvmppc_alloc_reset_hpt). */
		if (ioctl(vm.fd, KVM_PPC_ALLOCATE_HTAB, &order) < 0)
			die("%s: KVM_PPC_ALLOCATE_HTAB: %s", p->name, strerror(errno));
	} else {
		/* the process table's GR bit must say radix too (kvmhv_configure_mmu); the guest
		 * runs in real mode and needs no process table */
		struct kvm_ppc_mmuv3_cfg cfg = { KVM_PPC_MMUV3_RADIX | KVM_PPC_MMUV3_GTSE, 1ull << 63 };

		if (ioctl(vm.fd, KVM_PPC_CONFIGURE_V3_MMU, &cfg) < 0)
			die("%s: KVM_PPC_CONFIGURE_V3_MMU(radix): %s (needs POWER9)", p->name, strerror(errno));
	}
	vm.mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm.mem == MAP_FAILED)
		die("%s: mmap guest memory: %s", p->name, strerror(errno));
	memset(&region, 0, sizeof(region));
	region.slot = 0;
	region.guest_phys_addr = 0;
	region.memory_size = MEM_SIZE;
	region.userspace_addr = (uint64_t)(uintptr_t)vm.mem;
	if (ioctl(vm.fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("%s: KVM_SET_USER_MEMORY_REGION: %s", p->name, strerror(errno));
	for (int v = 0; v < p->nvcpus; v++) {
		struct code c = { (uint32_t *)(vm.mem + CODE_BASE + (uint64_t)v * CODE_SPAN), 0,
				  CODE_SPAN / 4 - 1 };

		for (int r = 0; r < s->rounds; r++)
			vm.ncalls[v] = gen_round(&c, p->radix, v, r);
		emit(&c, 0x48000000u);	/* b . : never reached, the last round's exit ends it */
		__builtin___clear_cache((char *)c.p, (char *)(c.p + c.n));
	}
	logf_("vm %s pid %d mmu %s vcpus %d", p->name, (int)getpid(), p->radix ? "radix" : "hpt", p->nvcpus);
	for (int v = 0; v < p->nvcpus; v++) {
		args[v].vm = &vm;
		args[v].id = v;
		if (pthread_create(&th[v], NULL, vcpu_main, &args[v]) != 0)
			die("%s: cannot start vcpu thread %d", p->name, v);
	}
	for (int v = 0; v < p->nvcpus; v++)
		pthread_join(th[v], NULL);
	logf_("done %s rc %d", p->name, vm.failed);
	return vm.failed;
}

static void usage(void)
{
	fprintf(stderr,
		"USAGE: vmm [-o LOG] SCHEDULE\n"
		"  -o LOG   append the log to LOG (default stdout)\n"
		"Runs the VMs of SCHEDULE under /dev/kvm (kvm_hv), one process each, all at once.\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct schedule s;
	pid_t pids[MAX_VMS];
	int opt, rc = 0;
	long tbhz = 0;
	FILE *f;
	char line[256];

	while ((opt = getopt(argc, argv, "o:h")) != -1) {
		if (opt == 'o') {
			logfd = open(optarg, O_WRONLY | O_CREAT | O_APPEND, 0644);
			if (logfd < 0) {
				fprintf(stderr, "vmm: cannot open %s: %s\n", optarg, strerror(errno));
				return 1;
			}
		} else {
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	read_schedule(argv[optind], &s);
	host_ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (host_ncpus < 1)
		host_ncpus = 1;
	for (int i = 0; i < s.nvms; i++)
		for (int v = 0; v < s.vm[i].nvcpus; v++)
			for (int k = 0; k < s.vm[i].v[v].ncpus; k++)
				if (s.vm[i].v[v].cpus[k] >= host_ncpus) {
					fprintf(stderr, "vmm: %s: vm %s vcpu %d: cpu %d does not exist (%d cpus)\n",
						argv[optind], s.vm[i].name, v, s.vm[i].v[v].cpus[k], host_ncpus);
					return 2;
				}
	f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "timebase : %ld", &tbhz) == 1)
			break;
	if (f)
		fclose(f);
	kvmfd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvmfd < 0)
		die("cannot open /dev/kvm: %s (kvm-hv loaded?)", strerror(errno));
	logf_("start tb %llu mono %llu timebase_hz %ld ncpus %d", (unsigned long long)mftb(),
	      (unsigned long long)mono_ns(), tbhz, host_ncpus);
	for (int i = 0; i < s.nvms; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("cannot fork: %s", strerror(errno));
		if (pids[i] == 0)
			_exit(run_vm(&s, &s.vm[i]) ? 1 : 0);
	}
	for (int i = 0; i < s.nvms; i++) {
		int st;

		if (waitpid(pids[i], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "vmm: vm %s failed\n", s.vm[i].name);
			rc = 1;
		}
	}
	return rc;
}
