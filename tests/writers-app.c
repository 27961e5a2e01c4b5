/* writers-app.c - the subject of t-tracer-writers.sh: pages the signal
 * backend leaves to its scans, and the fault samples that name their
 * writers.  It loads a C++ library (libvtables.so: relocated vtables,
 * libstdc++), dlopen()s oracle-plugin.so and runs it, writes libwriters'
 * early_area with stride 2 through early_writer_fn (under a small
 * COWTRACE_MAX_MAPS the library is given up after a few of those), then
 * writes scattered pages of late_area through late_writer_fn: in a thread
 * (pages 120, 122, ... 138), in the main thread (0, 3, ... 117), and in a
 * forked child (1, 4, ... 58).  While the child waits, the parent writes
 * early_area pages both had private before the fork (the child's copies
 * become its alone: "shared" in the child, which wrote nothing there) and
 * one new page.  Before the fork, a short read() into a 16-page buffer of
 * the executable's .bss (one page filled, the others left writable by the
 * tracer) is followed by stores of after_read_fn into pages 9 and 12.  Each process then snapshots its own pagemap over every
 * object (tests/snapshot.h) to OUT.PID and _exits.
 *   writers-app OUT */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "snapshot.h"

long vt_make(int n);
void early_writer_fn(int page);
long late_writer_fn(int first, int step, int n);
long writers_sum(void);

__attribute__((aligned(4096))) static char inbox[16 * 4096];

__attribute__((noinline)) void after_read_fn(int page)
{
	inbox[page * 4096L + 100] = 7;
	__asm__ volatile("" ::: "memory");
}

static void *thread_main(void *arg)
{
	*(long *)arg = late_writer_fn(120, 2, 10);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: writers-app OUT\n");
		return 2;
	}
	const char *out = argv[1];
	long s = vt_make(300);
	void *h = dlopen("oracle-plugin.so", RTLD_NOW);      /* found by RUNPATH $ORIGIN */
	unsigned long (*plugin_run)(unsigned) = h ? (unsigned long (*)(unsigned))dlsym(h, "plugin_run") : NULL;
	if (!plugin_run)
		return 4;
	s += (long)plugin_run(7);
	for (int i = 0; i < 120; i++)
		early_writer_fn(2 * i);
	pthread_t t;
	long ts = 0;
	if (pthread_create(&t, NULL, thread_main, &ts) || pthread_join(t, NULL))
		return 5;
	s += ts + late_writer_fn(0, 3, 40) + writers_sum();
	int p[2];
	if (pipe(p) || write(p[1], "hello", 5) != 5)
		return 12;
	close(p[1]);
	ssize_t n = read(p[0], inbox, sizeof inbox);
	close(p[0]);
	after_read_fn(9);
	after_read_fn(12);
	printf("read %zd\n", n);
	printf("sum %ld\n", s);
	fflush(stdout);

	int go[2], done[2];
	if (pipe(go) || pipe(done))
		return 6;
	pid_t pid = fork();
	if (pid < 0)
		return 7;
	char c;
	if (pid == 0) {
		if (read(go[0], &c, 1) != 1)
			_exit(8);
		long cs = late_writer_fn(1, 3, 20);
		printf("child sum %ld\n", cs);
		fflush(stdout);
		if (write(done[1], "d", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(9);
		snapshot_and_exit(out, 0);
	}
	if (write(go[1], "g", 1) != 1 || read(done[0], &c, 1) != 1)
		return 10;
	/* pages both had private before the fork: the child's copies become
	 * its alone; and a new one */
	early_writer_fn(0);
	early_writer_fn(100);
	early_writer_fn(251);
	int st;
	if (write(go[1], "g", 1) != 1 || waitpid(pid, &st, 0) != pid)
		return 11;
	printf("child %s\n", WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "ok" : "failed");
	fflush(stdout);
	snapshot_and_exit(out, 0);
}
