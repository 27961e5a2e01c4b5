/* firstwrite - cost of the first write to each page of a library's .data.
 *   firstwrite [PAGES] [DEPTH]
 * (at most as many pages as the library it is linked with has: libbench.so
 * 4096, libbench20k.so 20,000 for firstwrite20k, written front to back)
 * Reads every page first (so they are mapped from the page cache), then
 * times one store per page, issued DEPTH calls deep so that a backtrace has
 * real frames to walk.  Prints nanoseconds per first write: wall time, then
 * this thread's CPU time (user + system: the fault, the handler, the
 * copy), which a busy machine disturbs much less. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

long bench_pages(void);
int bench_read(long page);
void bench_touch(long page);

static volatile long sink;

__attribute__((noinline)) static void deep(int depth, long page)
{
	if (depth > 0) {
		deep(depth - 1, page);
		sink++;
	} else {
		bench_touch(page);
	}
}

static double now(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long pages = argc > 1 ? atol(argv[1]) : 4000;
	int depth = argc > 2 ? atoi(argv[2]) : 14;
	if (pages < 1 || pages > bench_pages())
		pages = bench_pages();
	for (long i = 0; i < pages; i++)
		sink += bench_read(i);
	double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_THREAD_CPUTIME_ID);
	for (long i = 0; i < pages; i++)
		deep(depth, i);
	double c1 = now(CLOCK_THREAD_CPUTIME_ID), t1 = now(CLOCK_MONOTONIC);
	printf("%.1f %.1f\n", (t1 - t0) / pages, (c1 - c0) / pages);
	return 0;
}
