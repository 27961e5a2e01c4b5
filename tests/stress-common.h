/* stress-common.h - shared by the thread, signal and reentrancy test
 * programs: libctstress's pages, liboracle's pagemap oracle, a futex barrier
 * that raw clone() threads can use (no libc, no TLS), a seeded PRNG. */
#ifndef STRESS_COMMON_H
#define STRESS_COMMON_H
#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>

char *cts_page(int i);
int cts_npages(void);
int oracle_dump_file(const char *want, const char *path);
uint32_t oracle_rand(uint64_t *s);

/* A system call without errno (raw clone threads share the TLS, and errno,
 * of the thread that created them). */
static inline long raw_syscall4(long nr, long a, long b, long c, long d)
{
	long r;
	register long r10 __asm__("r10") = d;
	__asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return r;
}

/* Barrier on a futex; its words must not live in a tracked page that the
 * kernel would write (it only reads them here). */
struct stress_barrier {
	_Atomic int arrived;
	_Atomic int gen;
	int n;
};

static inline void stress_barrier_wait(struct stress_barrier *b)
{
	int g = atomic_load(&b->gen);
	if (atomic_fetch_add(&b->arrived, 1) + 1 == b->n) {
		atomic_store(&b->arrived, 0);
		atomic_fetch_add(&b->gen, 1);
		raw_syscall4(SYS_futex, (long)&b->gen, FUTEX_WAKE, INT_MAX, 0);
		return;
	}
	while (atomic_load(&b->gen) == g)
		raw_syscall4(SYS_futex, (long)&b->gen, FUTEX_WAIT, g, 0);
}
#endif
