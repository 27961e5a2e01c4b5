/* oracle-reentry.c - first writes to tracked pages from places where the
 * tracer's handler must not take a lock or call malloc (issue 3 item 8):
 *   oracle-reentry CASE OUT
 * CASE: malloc   this program's own malloc (a bump allocator in its .bss,
 *                so its own stores fault) writes libctstress pages; main
 *                and 4 threads allocate; a malloc entered again in one
 *                thread (only a signal handler could do it) is reported
 *       phdr     dl_iterate_phdr callbacks (loader lock held) write pages,
 *                in 4 threads at once
 *       dlopen   dlopen of libctplugin.so, whose constructor writes
 *                libctstress pages under the loader lock, then a lazily
 *                bound call from it (oracle of the plugin in OUT.plugin)
 *       lazy     a fork child's first calls into liboracle bind its PLT
 *                slots: ld.so writes liboracle's .got.plt page, shared
 *                with the parent and so protected again in the child
 *                (child's oracle of liboracle in OUT.lazy)
 *       nested   the application's SIGSEGV handler (chained by the tracer)
 *                writes tracked pages and raises SIGUSR1, whose handler
 *                writes more; with and without SA_NODEFER
 * libctstress's pagemap oracle goes to OUT. */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stress-common.h"

#define PG 4096

static void touch(int i, int v)
{
	((volatile char *)cts_page(i))[64] = (char)v;
}

/* ---- malloc ----------------------------------------------------------- */

#define ARENA (48 << 20)
static char arena[ARENA] __attribute__((aligned(4096)));
static _Atomic size_t arena_used;
static __thread int malloc_depth;
static _Atomic int reentered, hook_on, hook_n;

struct hdr { size_t size; size_t pad; };

static void *bump(size_t align, size_t n)
{
	if (malloc_depth++)
		atomic_store(&reentered, 1);
	void *r = NULL;
	size_t need = (n + sizeof(struct hdr) + align + 15) & ~(size_t)15;
	size_t off = atomic_fetch_add(&arena_used, need);
	if (off + need <= ARENA) {
		uintptr_t p = ((uintptr_t)arena + off + sizeof(struct hdr) + align - 1) & ~(uintptr_t)(align - 1);
		((struct hdr *)p)[-1].size = n;	/* a first write, inside malloc */
		r = (void *)p;
	}
	if (atomic_load(&hook_on)) {
		int k = atomic_fetch_add(&hook_n, 1);
		if (k < 64)
			touch(500 + k, 1);
	}
	malloc_depth--;
	if (!r)
		errno = ENOMEM;
	return r;
}

void *malloc(size_t n) { return bump(16, n); }
void free(void *p) { (void)p; }
void *calloc(size_t a, size_t b) { return b && a > SIZE_MAX / b ? NULL : bump(16, a * b); }
void *memalign(size_t al, size_t n) { return bump(al < 16 ? 16 : al, n); }
void *aligned_alloc(size_t al, size_t n) { return memalign(al, n); }
void *valloc(size_t n) { return memalign(PG, n); }
void *pvalloc(size_t n) { return memalign(PG, (n + PG - 1) & ~(size_t)(PG - 1)); }
size_t malloc_usable_size(void *p) { return p ? ((struct hdr *)p)[-1].size : 0; }

int posix_memalign(void **r, size_t al, size_t n)
{
	*r = memalign(al, n);
	return *r ? 0 : ENOMEM;
}

void *realloc(void *p, size_t n)
{
	void *q = malloc(n);
	if (q && p) {
		size_t old = ((struct hdr *)p)[-1].size;
		memcpy(q, p, old < n ? old : n);
	}
	return q;
}

static void *alloc_thread(void *arg)
{
	unsigned long sum = 0;
	for (int i = 0; i < 2000; i++) {
		char *p = malloc(100 + i % 3000);
		if (!p)
			return (void *)1;
		p[0] = (char)i;
		sum += (unsigned char)p[0];
		char *q = strdup("a string to copy");
		free(q);
		free(p);
	}
	return (void *)(intptr_t)(sum == 0);
}

static int case_malloc(void)
{
	atomic_store(&hook_on, 1);
	pthread_t t[4];
	void *r;
	int bad = 0;
	for (int i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, alloc_thread, NULL))
			return -1;
	bad += alloc_thread(NULL) != NULL;
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], &r);
		bad += r != NULL;
	}
	atomic_store(&hook_on, 0);
	printf("malloc: failures %d, hook ran >= 64 times: %s, entered again in one thread: %s\n",
	       bad, hook_n >= 64 ? "yes" : "no", reentered ? "yes" : "no");
	return 0;
}

/* ---- phdr ------------------------------------------------------------- */

static _Atomic int phdr_calls;

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	int n = atomic_fetch_add(&phdr_calls, 1);
	((volatile char *)cts_page(600 + n % 100))[n % PG] = 1;
	return 0;
}

static void *phdr_thread(void *arg)
{
	for (int i = 0; i < 10; i++)
		dl_iterate_phdr(phdr_cb, NULL);
	return NULL;
}

static int case_phdr(void)
{
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		if (pthread_create(&t[i], NULL, phdr_thread, NULL))
			return -1;
	phdr_thread(NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	printf("dl_iterate_phdr: callbacks >= 100: %s\n", phdr_calls >= 100 ? "yes" : "no");
	return 0;
}

/* ---- dlopen ----------------------------------------------------------- */

static const char *out_path;

static int case_dlopen(void)
{
	char path[4096], plug[4200];
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
	if (n <= 0)
		return -1;
	path[n] = 0;
	*strrchr(path, '/') = 0;
	snprintf(plug, sizeof plug, "%s/libctplugin.so", path);
	void *h = dlopen(plug, RTLD_LAZY);
	if (!h) {
		printf("dlopen: %s\n", dlerror());
		return -1;
	}
	int (*fn)(int) = (int (*)(int))dlsym(h, "plugin_write");
	int bad = 0;
	for (int i = 0; i < 10; i++)
		bad += cts_page(700 + i)[1] != (char)(i + 1);
	printf("dlopen: constructor wrote %s, plugin_write returned %d\n", bad ? "wrong bytes" : "its pages",
	       fn ? fn(720) : -1);
	snprintf(plug, sizeof plug, "%s.plugin", out_path);
	return oracle_dump_file("libctplugin.so", plug) < 0 ? -1 : 0;
}

/* ---- lazy ------------------------------------------------------------- */

static int case_lazy(void)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char p[4200];
		snprintf(p, sizeof p, "%s.lazy", out_path);
		for (int i = 0; i < 10; i++)
			touch(800 + i, 2);
		/* the first call of each liboracle -> libc function binds it */
		int a = oracle_dump_file("liboracle.so", p);
		int b = oracle_dump_file("libctstress.so", out_path);
		_exit(a < 0 || b < 0 ? 4 : 0);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	printf("lazy: child %s %d\n", WIFEXITED(st) ? "exited" : "killed by",
	       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return 1;	/* the child wrote the oracle */
}

/* ---- nested ----------------------------------------------------------- */

static char *victim;
static volatile int npage = 900, usr1_ran;

static void on_usr1(int sig)
{
	usr1_ran++;
	touch(npage++, 3);
}

static void on_segv(int sig)
{
	touch(npage++, 4);
	raise(SIGUSR1);
	touch(npage++, 5);
	mprotect(victim, PG, PROT_READ | PROT_WRITE);
}

static int case_nested(void)
{
	victim = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (victim == MAP_FAILED)
		return -1;
	signal(SIGUSR1, on_usr1);
	for (int i = 0; i < 10; i++) {
		struct sigaction sa = { .sa_handler = on_segv, .sa_flags = i & 1 ? SA_NODEFER : 0 };
		sigemptyset(&sa.sa_mask);
		sigaction(SIGSEGV, &sa, NULL);
		mprotect(victim, PG, PROT_READ);
		victim[i] = 1;
	}
	printf("nested: victim bytes %d, pages written %d, SIGUSR1 ran %d\n",
	       victim[0] + victim[9], npage - 900, usr1_ran);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct { const char *name; int (*fn)(void); } cases[] = {
		{ "malloc", case_malloc }, { "phdr", case_phdr }, { "dlopen", case_dlopen },
		{ "lazy", case_lazy }, { "nested", case_nested },
	};
	if (argc < 3) {
		fprintf(stderr, "usage: oracle-reentry CASE OUT\n");
		return 2;
	}
	out_path = argv[2];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (strcmp(argv[1], cases[i].name))
			continue;
		int r = cases[i].fn();
		if (r < 0) {
			printf("%s: set-up failed\n", argv[1]);
			return 3;
		}
		fflush(stdout);
		if (r > 0)
			return 0;
		return oracle_dump_file("libctstress.so", argv[2]) < 0 ? 4 : 0;
	}
	fprintf(stderr, "oracle-reentry: no case %s\n", argv[1]);
	return 2;
}
