/* oracle-race.c - NT threads (pthreads, or raw clone() threads without
 * pthread: own stack, no TLS of their own) released by a futex barrier race
 * to make the first write to the same pages of libctstress (ROUNDS rounds,
 * new pages each round, each thread in its own order), then each writes to
 * one of OWN pages (shared by every OWN-th thread).  At most 256 dirty pages
 * in all: liboracle's oracle lists no more.  Prints how many bytes are wrong (0) and writes the
 * pagemap oracle of libctstress to OUT.
 * clone-bss: the same, with the thread ids that the kernel sets and clears
 * (CLONE_PARENT_SETTID, CLONE_CHILD_CLEARTID) in this program's .bss, never
 * written by the program itself before: under the tracer a protected page,
 * which the kernel cannot write (no fault, the write is just lost).
 *   oracle-race pthread|clone|clone-bss NT SEED OUT */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "stress-common.h"

#define MAX_NT 256
#define ROUNDS 8
#define PER_ROUND 12
#define OWN 64
#define STACK (64 * 1024)

static int nt;
static int round_pages[ROUNDS][PER_ROUND];
static int own_page[OWN];
static struct stress_barrier *bar;	/* in an anonymous mapping */

/* No libc calls: raw clone threads run this too. */
static int work(void *arg)
{
	int t = (int)(intptr_t)arg;
	for (int r = 0; r < ROUNDS; r++) {
		stress_barrier_wait(bar);
		for (int k = 0; k < PER_ROUND; k++) {
			char *pg = cts_page(round_pages[r][(k + t) % PER_ROUND]);
			((volatile char *)pg)[t * 16 + r] = (char)(t + 1);
		}
	}
	((volatile char *)cts_page(own_page[t % OWN]))[t * 16 + 15] = (char)(t + 7);
	return 0;
}

static void *pthread_work(void *arg)
{
	work(arg);
	return NULL;
}

static int run_pthreads(void)
{
	pthread_t th[MAX_NT];
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, STACK * 2);
	for (int t = 0; t < nt; t++)
		if (pthread_create(&th[t], &a, pthread_work, (void *)(intptr_t)t) != 0) {
			printf("pthread_create failed\n");
			return -1;
		}
	for (int t = 0; t < nt; t++)
		pthread_join(th[t], NULL);
	return 0;
}

/* a page of its own: nothing else of ours writes it first */
static _Atomic int bss_tids[4096 / sizeof(int)] __attribute__((aligned(4096)));

/* Raw clone() threads: CLONE_CHILD_CLEARTID clears tids[t] and wakes the
 * futex when thread t exits; tids live in an anonymous mapping (or .bss). */
static int run_clones(int in_bss)
{
	const int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			  CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
	char *stacks = mmap(NULL, (size_t)nt * STACK, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	_Atomic int *tids = in_bss ? bss_tids
			    : mmap(NULL, (size_t)nt * sizeof *tids, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stacks == MAP_FAILED || tids == MAP_FAILED) {
		printf("mmap failed\n");
		return -1;
	}
	for (int t = 0; t < nt; t++) {
		if (!in_bss)
			tids[t] = -1;
		if (clone(work, stacks + (size_t)(t + 1) * STACK - 64, flags, (void *)(intptr_t)t,
			  &tids[t], NULL, &tids[t]) < 0) {
			printf("clone failed\n");
			return -1;
		}
	}
	for (int t = 0; t < nt; t++) {
		int v;
		while ((v = atomic_load(&tids[t])) != 0)
			raw_syscall4(SYS_futex, (long)&tids[t], FUTEX_WAIT, v, 0);
	}
	return 0;
}

static void pick_pages(uint64_t seed)
{
	uint64_t s = seed * 2654435761ULL + 1442695040888963407ULL;
	int n = cts_npages();
	static char used[4096];
	for (int i = 0; i < ROUNDS * PER_ROUND + OWN; i++) {
		int idx;
		do idx = (int)(oracle_rand(&s) % (uint32_t)n); while (used[idx]);
		used[idx] = 1;
		if (i < ROUNDS * PER_ROUND)
			round_pages[i / PER_ROUND][i % PER_ROUND] = idx;
		else
			own_page[i - ROUNDS * PER_ROUND] = idx;
	}
}

static int count_wrong(void)
{
	int bad = 0;
	for (int r = 0; r < ROUNDS; r++)
		for (int k = 0; k < PER_ROUND; k++)
			for (int t = 0; t < nt; t++)
				bad += cts_page(round_pages[r][k])[t * 16 + r] != (char)(t + 1);
	for (int t = 0; t < nt; t++)
		bad += cts_page(own_page[t % OWN])[t * 16 + 15] != (char)(t + 7);
	return bad;
}

int main(int argc, char **argv)
{
	if (argc < 5 || (strcmp(argv[1], "pthread") && strcmp(argv[1], "clone") &&
			 strcmp(argv[1], "clone-bss"))) {
		fprintf(stderr, "usage: oracle-race pthread|clone|clone-bss NT SEED OUT\n");
		return 2;
	}
	nt = atoi(argv[2]);
	if (nt < 1 || nt > MAX_NT)
		return 2;
	pick_pages(strtoull(argv[3], NULL, 0));
	bar = mmap(NULL, sizeof *bar, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (bar == MAP_FAILED)
		return 3;
	bar->n = nt;
	int r = argv[1][0] == 'p' ? run_pthreads() : run_clones(argv[1][5] == '-');
	if (r < 0)
		return 3;
	printf("%s threads: %d, wrong bytes: %d\n", argv[1], nt, count_wrong());
	fflush(stdout);
	if (oracle_dump_file("libctstress.so", argv[4]) < 0)
		return 4;
	return 0;
}
