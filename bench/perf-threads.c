/* perf-threads - what a thread costs under each way of giving every thread
 * of a process a page-fault sampling event (issue: per-thread events opened
 * at thread start, or per-CPU events inherited by new threads).
 *   perf-threads [THREADS] [FAULTS]
 * For each way, starts THREADS threads one after the other; each makes
 * FAULTS first writes to pages of its own (one minor fault each) and ends.
 * Prints, per way: microseconds per thread (create to join), the samples
 * read back, and the locked memory the rings take:
 *   none      no event
 *   thread    an event per thread, opened by the thread itself, its ring
 *             (16 data pages) mapped, the descriptor closed (the tracer's way)
 *   percpu    one event per CPU opened by the main thread with inherit and
 *             inherit_thread, one ring per CPU; new threads inherit them */
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define RING_PAGES 16

static long faults = 256;
static long page;

struct ring { struct perf_event_mmap_page *meta; size_t size; };

static void attr_of(struct perf_event_attr *a, int inherit)
{
	memset(a, 0, sizeof *a);
	a->size = sizeof *a;
	a->type = PERF_TYPE_SOFTWARE;
	a->config = PERF_COUNT_SW_PAGE_FAULTS_MIN;
	a->sample_period = 1;
	a->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR;
	a->exclude_kernel = 1;
	a->exclude_hv = 1;
	a->write_backward = 1;
	a->inherit = (unsigned)inherit;
	a->inherit_thread = (unsigned)inherit;
}

static int map_ring(int fd, struct ring *r)
{
	r->size = RING_PAGES * (size_t)page;
	void *m = mmap(NULL, r->size + (size_t)page, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return -1;
	r->meta = m;
	return 0;
}

/* samples written since the ring was mapped, counted from data_head (a
 * backward ring: head goes down by each record's size; all records here
 * have the same size) */
static uint64_t ring_bytes(const struct ring *r)
{
	return -__atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
}

static _Atomic uint64_t thread_bytes;   /* summed over the per-thread rings */
static int mode;

static void *worker(void *arg)
{
	struct ring r = { 0 };
	(void)arg;
	if (mode == 1) {
		struct perf_event_attr a;
		attr_of(&a, 0);
		int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd < 0 || map_ring(fd, &r)) {
			perror("perf-threads: per-thread event");
			exit(1);
		}
		close(fd);
	}
	char *p = mmap(NULL, (size_t)(faults * page), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (long i = 0; i < faults; i++)
		p[i * page] = 1;
	munmap(p, (size_t)(faults * page));
	if (mode == 1) {
		thread_bytes += ring_bytes(&r);
		munmap(r.meta, r.size + (size_t)page);
	}
	return NULL;
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
	long threads = argc > 1 ? atol(argv[1]) : 200;
	faults = argc > 2 ? atol(argv[2]) : 256;
	page = sysconf(_SC_PAGESIZE);
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	static const char *names[] = { "none", "thread", "percpu" };
	struct ring cpu_rings[1024];
	for (mode = 0; mode < 3; mode++) {
		int ncr = 0;
		if (mode == 2) {
			for (long c = 0; c < ncpu && c < 1024; c++) {
				struct perf_event_attr a;
				attr_of(&a, 1);
				int fd = (int)syscall(SYS_perf_event_open, &a, 0, (int)c, -1, PERF_FLAG_FD_CLOEXEC);
				if (fd < 0 || map_ring(fd, &cpu_rings[ncr])) {
					perror("perf-threads: per-CPU event");
					return 1;
				}
				close(fd);
				ncr++;
			}
		}
		thread_bytes = 0;
		double t0 = now_us();
		for (long i = 0; i < threads; i++) {
			pthread_t t;
			if (pthread_create(&t, NULL, worker, NULL) || pthread_join(t, NULL))
				return 1;
		}
		double per = (now_us() - t0) / threads;
		uint64_t bytes = thread_bytes;
		for (int c = 0; c < ncr; c++)
			bytes += ring_bytes(&cpu_rings[c]);
		size_t locked = mode == 1 ? (RING_PAGES + 1) * (size_t)page :
				mode == 2 ? (size_t)ncr * (RING_PAGES + 1) * (size_t)page : 0;
		printf("  %-7s %8.1f us per thread  samples %8llu (%lld expected at least)  "
		       "rings: %zu KiB %s\n", names[mode], per,
		       (unsigned long long)(bytes / 40), (long long)(threads * faults),
		       locked / 1024, mode == 1 ? "per live thread" : mode == 2 ? "per process" : "");
		for (int c = 0; c < ncr; c++)
			munmap(cpu_rings[c].meta, cpu_rings[c].size + (size_t)page);
	}
	return 0;
}
