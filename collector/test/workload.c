/* SPDX-License-Identifier: MIT */
/*
 * collect-workload - a stand-in VM for tlbcollect's tests and benchmark.
 *
 * What it owns: threads named like QEMU's vcpu threads ("CPU N/KVM", or
 * "CPU N/TCG" with --tcg) whose movements between cpus it chooses itself,
 * and prints, so that a test can compare the recorded migrate events with
 * what really happened; and a ping-pong mode that makes those threads switch
 * as fast as the machine allows (the heavy load of the stop and bench tests).
 *
 * Modes:
 *   (default)        N threads; each pins itself to one cpu, takes its vcpu name and
 *                    waits; then, one at a time, thread (k mod N) moves itself
 *                    (sched_setaffinity) to the next cpu, MOVES times. Each move
 *                    prints "migrate VCPU FROM TO" after it happened.
 *   --pingpong SEC   N/2 pairs of vcpu threads, each pair pinned to one cpu, passing a
 *                    byte through two pipes for SEC seconds (or until SIGINT/SIGTERM);
 *                    prints "roundtrips R". --rate R paces them to R round trips/s.
 * --wait: print "ready" once the threads are named and asleep, and wait for SIGUSR1
 * before starting, so that a collector can be started in between.
 * --hold (with --wait, moves): after the moves, once every thread is asleep again,
 * print "done" and wait for a second SIGUSR1 before the threads end. A tracer stopped
 * in between has seen every switch of these threads: none runs before the first
 * signal or after "done" (a thread's last switch-out on exit can otherwise come after
 * pthread_join() has returned, and after the process was reaped).
 *
 * Why a thread can only move when we say so: every thread's affinity is one
 * cpu at all times, so neither wakeup placement nor load balancing may move
 * it; the only migrations are the ones sched_setaffinity() forces, and each
 * is one sched_migrate_task event (orig = old cpu, dest = new cpu).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define MAX_THREADS 64

struct vthread {
	pthread_t t;		/* the thread */
	atomic_int tid;		/* its kernel thread id */
	int vcpu;		/* N of "CPU N/KVM" */
	int cpu;		/* the one cpu it may run on */
	sem_t go;		/* main -> thread: move now (or start ping-pong) */
	sem_t done;		/* thread -> main: moved */
	int in, out;		/* ping-pong: pipe ends */
	bool leader;		/* ping-pong: sends first */
	long trips;		/* ping-pong: round trips done */
};

static struct vthread th[MAX_THREADS];
static int nthreads = 2, moves = 8, ncpus;
static double pingpong;
static double rate;		/* --rate: round trips per second over all pairs, 0 = flat out */
static const char *flavour = "KVM";
static atomic_int stop;
static atomic_int ready_count;

static void on_stop(int sig)
{
	(void)sig;
	atomic_store(&stop, 1);
}

static void on_usr1(int sig)
{
	(void)sig;
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static void take_name(int vcpu)
{
	char name[16];

	snprintf(name, sizeof(name), "CPU %d/%s", vcpu, flavour);
	prctl(PR_SET_NAME, name, 0, 0, 0);
}

static void *mover(void *arg)
{
	struct vthread *v = arg;

	if (pin(v->cpu)) {
		perror("collect-workload: cannot pin a thread");
		exit(1);
	}
	take_name(v->vcpu);
	atomic_store(&v->tid, (int)gettid());
	atomic_fetch_add(&ready_count, 1);
	for (;;) {
		sem_wait(&v->go);
		if (atomic_load(&stop))
			return NULL;
		if (pin((v->cpu + 1) % ncpus)) {
			perror("collect-workload: cannot move a thread");
			exit(1);
		}
		v->cpu = (v->cpu + 1) % ncpus;
		sem_post(&v->done);
	}
}

static void *ponger(void *arg)
{
	struct vthread *v = arg;
	char b = 0;

	if (pin(v->cpu)) {
		perror("collect-workload: cannot pin a thread");
		exit(1);
	}
	take_name(v->vcpu);
	atomic_fetch_add(&ready_count, 1);
	sem_wait(&v->go);
	uint64_t start = now_ns();
	double per_pair = rate / (nthreads / 2);

	if (v->leader && write(v->out, &b, 1) != 1)
		return NULL;
	while (!atomic_load(&stop)) {
		if (read(v->in, &b, 1) != 1)
			break;
		if (v->leader) {
			v->trips++;
			/* pacing: sleep when ahead of the schedule by more than 0.2 ms */
			if (per_pair > 0 && (v->trips & 31) == 0) {
				uint64_t due = start + (uint64_t)((double)v->trips * 1e9 / per_pair);
				uint64_t now = now_ns();

				if (due > now + 200000) {
					struct timespec ts = { (time_t)((due - now) / 1000000000u),
							       (long)((due - now) % 1000000000u) };
					nanosleep(&ts, NULL);
				}
			}
		}
		if (write(v->out, &b, 1) != 1)
			break;
	}
	return NULL;
}

/* Whether thread @tid of this process is asleep (state S in /proc). */
static bool asleep(int tid)
{
	char path[64], buf[512], *p;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* the name may hold spaces: the state follows its ')' */
	return p && p[1] == ' ' && p[2] == 'S';
}

/*
 * Until every mover sleeps, then 20 ms more: a thread shows S a moment before
 * its switch-out is traced, and, preempted in that moment, runs once more.
 */
static void wait_all_asleep(void)
{
	for (int i = 0; i < nthreads; i++)
		while (!asleep(atomic_load(&th[i].tid)))
			usleep(1000);
	usleep(20000);
}

static void usage(void)
{
	printf("collect-workload - vcpu-named threads that move or switch on command (tlbcollect tests)\n\n"
	       "USAGE: collect-workload [--threads N] [--moves M] [--pingpong SEC] [--tcg] [--wait]\n\n"
	       "  --threads N      vcpu threads                                 2\n"
	       "  --moves M        moves between cpus, one thread at a time     8\n"
	       "  --pingpong SEC   pairs of threads switching through pipes     off\n"
	       "  --rate R         ping-pong: at most R round trips/s in all    flat out\n"
	       "  --tcg            name threads \"CPU N/TCG\" (QEMU emulation)    CPU N/KVM\n"
	       "  --wait           print \"ready\", start at SIGUSR1\n"
	       "  --hold           with --wait: after the moves print \"done\", end at SIGUSR1\n\n"
	       "EXAMPLES:\n"
	       "  collect-workload --moves 6              # 2 threads, 6 moves, printed\n"
	       "  collect-workload --pingpong 5 --threads 4   # 2 pairs switching for 5 s\n");
}

int main(int argc, char **argv)
{
	bool wait = false, hold = false;
	struct sigaction sa;
	sigset_t set;
	int64_t v;

	tlb_prog = "collect-workload";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--threads") && i + 1 < argc && !parse_i64(argv[i + 1], &v) &&
		    v >= 1 && v <= MAX_THREADS)
			nthreads = (int)v, i++;
		else if (!strcmp(argv[i], "--moves") && i + 1 < argc && !parse_i64(argv[i + 1], &v) &&
			 v >= 0)
			moves = (int)v, i++;
		else if (!strcmp(argv[i], "--pingpong") && i + 1 < argc &&
			 !parse_double(argv[i + 1], &pingpong) && pingpong > 0)
			i++;
		else if (!strcmp(argv[i], "--rate") && i + 1 < argc &&
			 !parse_double(argv[i + 1], &rate) && rate > 0)
			i++;
		else if (!strcmp(argv[i], "--tcg"))
			flavour = "TCG";
		else if (!strcmp(argv[i], "--wait"))
			wait = true;
		else if (!strcmp(argv[i], "--hold"))
			hold = true;
		else if (!strcmp(argv[i], "--help")) {
			usage();
			return 0;
		} else {
			tlb_msg("cannot use argument '%s' (see --help)", argv[i]);
			return 2;
		}
	}
	ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpus < 2 && !pingpong) {
		tlb_msg("cannot move threads: this machine has one cpu");
		return 1;
	}
	if (pingpong && nthreads % 2)
		nthreads++;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);	/* threads inherit: only main takes it */

	for (int i = 0; i < nthreads; i++) {
		struct vthread *t = &th[i];

		t->vcpu = i;
		sem_init(&t->go, 0, 0);
		sem_init(&t->done, 0, 0);
		if (pingpong) {
			int p[2];

			t->cpu = (i / 2) % ncpus;
			t->leader = i % 2 == 0;
			if (t->leader) {
				int q[2];

				if (pipe(p) || pipe(q)) {
					perror("collect-workload: cannot create pipes");
					return 1;
				}
				t->out = p[1];
				t->in = q[0];
				th[i + 1].in = p[0];
				th[i + 1].out = q[1];
			}
		} else {
			t->cpu = i % ncpus;
		}
	}
	for (int i = 0; i < nthreads; i++)
		if (pthread_create(&th[i].t, NULL, pingpong ? ponger : mover, &th[i])) {
			tlb_msg("cannot create thread %d", i);
			return 1;
		}
	while (atomic_load(&ready_count) < nthreads)
		usleep(1000);
	if (!pingpong)
		wait_all_asleep();
	if (wait) {
		int sig;

		printf("ready\n");
		fflush(stdout);
		sigwait(&set, &sig);
	}
	if (pingpong) {
		uint64_t end = now_ns() + (uint64_t)(pingpong * 1e9);
		long trips = 0;

		for (int i = 0; i < nthreads; i++)
			sem_post(&th[i].go);
		while (!atomic_load(&stop) && now_ns() < end)
			usleep(10000);
		atomic_store(&stop, 1);
		/* unblock the pairs: closing the write ends ends every read */
		for (int i = 0; i < nthreads; i++)
			close(th[i].out);
		for (int i = 0; i < nthreads; i++) {
			pthread_join(th[i].t, NULL);
			trips += th[i].trips;
		}
		printf("roundtrips %ld\n", trips);
		return 0;
	}
	for (int k = 0; k < moves && !atomic_load(&stop); k++) {
		struct vthread *t = &th[k % nthreads];
		int from = t->cpu;

		sem_post(&t->go);
		sem_wait(&t->done);
		printf("migrate %d %d %d\n", t->vcpu, from, t->cpu);
		usleep(2000);
	}
	if (wait && hold) {
		int sig;

		wait_all_asleep();
		printf("done\n");
		fflush(stdout);
		sigwait(&set, &sig);
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < nthreads; i++) {
		sem_post(&th[i].go);
		pthread_join(th[i].t, NULL);
	}
	return 0;
}
