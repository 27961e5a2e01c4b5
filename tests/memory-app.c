/* memory-app.c - a program that changes the memory of liboracle's tracked
 * pages itself, for tests/t-tracer-memory*.sh.  stdout depends only on what
 * the program sees (compared traced vs untraced); the pagemap oracle of
 * liboracle goes to the OUT files.
 *   memory-app prot OUT         mprotect / pkey-less protection changes
 *   memory-app unmap OUT1 OUT2  munmap, mmap(MAP_FIXED) and mremap over them
 *   memory-app dontneed OUT1 OUT2  madvise(MADV_DONTNEED) of written pages
 * Pages (oracle_page): 0..63 .data (file-backed), 64..127 .bss. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

char *oracle_page(int i);
int oracle_dump_file(const char *want, const char *path);

#define PG 4096

static sigjmp_buf jb;
static volatile sig_atomic_t faults;
static volatile void *fault_addr;
static volatile int fault_code;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	faults++;
	fault_addr = si->si_addr;
	fault_code = si->si_code;
	siglongjmp(jb, 1);
}

/* A store or a load of one byte under the program's own SIGSEGV handler;
 * prints what happened. */
static void try_access(const char *what, volatile char *p, int write, char v)
{
	if (sigsetjmp(jb, 1)) {
		printf("%s: SIGSEGV code %s, address %s\n", what,
		       fault_code == SEGV_ACCERR ? "SEGV_ACCERR" :
		       fault_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other",
		       fault_addr == (void *)p ? "right" : "wrong");
		return;
	}
	if (write)
		*p = v;
	char got = *p;
	printf("%s: ok, reads %d\n", what, got);
}

static void said(const char *what, long r)
{
	if (r == -1)
		printf("%s: -1 %s\n", what, strerrorname_np(errno));
	else
		printf("%s: %ld\n", what, r);
}

/* private-dirty according to /proc/self/pagemap */
static int dirty(const void *p)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0 || pread(fd, &e, 8, (off_t)((uintptr_t)p / PG * 8)) != 8)
		e = 0;
	if (fd >= 0)
		close(fd);
	return (e & (1ULL << 62)) ||
	       ((e & (1ULL << 63)) && !(e & (1ULL << 61)) && (e & (1ULL << 56)));
}

static void install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
}

/* read() of n bytes from a pipe into p: the kernel writes the page */
static long pipe_read(void *p, size_t n)
{
	int fds[2];
	char buf[64];
	memset(buf, 7, sizeof buf);
	if (pipe(fds))
		return -2;
	if (write(fds[1], buf, n) != (ssize_t)n)
		return -2;
	long r = read(fds[0], p, n);
	int e = errno;
	close(fds[0]);
	close(fds[1]);
	errno = e;
	return r;
}

/* ---- prot ------------------------------------------------------------ */

__attribute__((noinline)) static void write_r(char *p) { *(volatile char *)p = 9; }

static int run_prot(const char *out)
{
	char *p = oracle_page(3), *q = oracle_page(5), *r = oracle_page(7);
	char *t = oracle_page(70);
	install();

	/* a clean page the application makes read-only: its writes fault */
	said("mprotect P read-only", mprotect(p, PG, PROT_READ));
	try_access("P write while read-only", p, 1, 1);
	try_access("P read while read-only", p, 0, 0);
	said("read() into read-only P", pipe_read(p, 16));
	said("mprotect P read-write", mprotect(p, PG, PROT_READ | PROT_WRITE));
	try_access("P write after read-write", p, 1, 2);

	/* a page written first, then read-only, then no access, then back */
	try_access("Q first write", q, 1, 3);
	said("mprotect Q read-only", mprotect(q, PG, PROT_READ));
	try_access("Q write while read-only", q, 1, 4);
	said("mprotect Q none", mprotect(q, PG, PROT_NONE));
	try_access("Q read while none", q, 0, 0);
	said("mprotect Q read-write", mprotect(q, PG, PROT_READ | PROT_WRITE));
	try_access("Q write after read-write", q, 1, 5);

	/* pkey_mprotect with no key is mprotect */
	char *k = oracle_page(9);
	said("pkey_mprotect K read-only, no key", pkey_mprotect(k, PG, PROT_READ, -1));
	try_access("K write while read-only", k, 1, 1);
	said("pkey_mprotect K read-write, no key", pkey_mprotect(k, PG, PROT_READ | PROT_WRITE, -1));
	try_access("K write after read-write", k, 1, 2);

	/* a clean page handed its own protection: the tracer keeps watching */
	said("mprotect R read-write", mprotect(r, PG, PROT_READ | PROT_WRITE));
	write_r(r);
	try_access("R after write", r, 0, 0);

	/* .bss: read-only over a range of clean pages, then written by the
	 * kernel (EFAULT untraced) */
	said("mprotect T..T+1 read-only", mprotect(t, 2 * PG, PROT_READ));
	said("read() into read-only T", pipe_read(t + PG, 16));
	try_access("T write while read-only", t, 1, 6);

	/* calls that fail must fail as untraced */
	said("mprotect unaligned", mprotect(p + 1, PG, PROT_READ));
	said("mprotect bad prot", mprotect(p, PG, 0x40000));
	char *hole = mmap(NULL, 3 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(hole + PG, PG);
	said("mprotect over a hole", mprotect(hole, 3 * PG, PROT_READ));
	/* the kernel changes the part before the first hole, then fails */
	said("munmap page 60", munmap(oracle_page(60), PG));
	said("mprotect 58..62 over the hole at 60",
	     mprotect(oracle_page(58), 5 * PG, PROT_READ));
	try_access("page 59 write after the failed mprotect", oracle_page(59), 1, 7);
	try_access("page 61 write after the failed mprotect", oracle_page(61), 1, 8);

	/* a fork child: the tracer watches its pages again, but not the ones
	 * the application protected (P, 59) or unmapped (60) */
	said("mprotect P read-only again", mprotect(p, PG, PROT_READ));
	pid_t child = fork();
	if (child == 0) {
		try_access("child: P write while read-only", p, 1, 9);
		try_access("child: page 59 write", oracle_page(59), 1, 9);
		try_access("child: page 62 write", oracle_page(62), 1, 9);
		fflush(stdout);
		_exit(0);
	}
	int st = 0;
	waitpid(child, &st, 0);
	printf("child exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st));
	said("mprotect P read-write again", mprotect(p, PG, PROT_READ | PROT_WRITE));
	printf("faults seen by the program: %d\n", (int)faults);
	return oracle_dump_file("liboracle.so", out) < 0;
}

/* ---- unmap ----------------------------------------------------------- */

static int run_unmap(const char *out1, const char *out2)
{
	char *u = oracle_page(10), *f = oracle_page(12), *m = oracle_page(20);
	install();
	oracle_page(0)[100] = 1;
	oracle_page(21)[5] = 1;   /* unprotected: the range is several mappings */
	if (oracle_dump_file("liboracle.so", out1) < 0)
		return 1;

	/* munmap, then anonymous memory at the same address */
	said("munmap unaligned", munmap(u + 1, PG));
	said("munmap U", munmap(u, 2 * PG));
	char *a = mmap(u, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("anonymous at U: %s\n", a == u ? "yes" : "no");
	try_access("U write", u, 1, 1);
	said("read() into U+1", pipe_read(u + PG, 16));

	/* mmap(MAP_FIXED) straight over tracked pages, read-only */
	char *b = mmap(f, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("anonymous read-only at F: %s\n", b == f ? "yes" : "no");
	said("read() into read-only F", pipe_read(f, 16));
	try_access("F write", f, 1, 2);

	/* mremap of a range with a written page in it, to a new place */
	char *dst = mmap(NULL, 4 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *moved = mremap(m, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	said("mremap M", moved == MAP_FAILED ? -1 : 0);
	if (moved != MAP_FAILED) {
		for (int i = 0; i < 4; i++)
			try_access("moved page write", moved + i * PG, 1, (char)(10 + i));
		said("read() into moved page", pipe_read(moved + 2 * PG, 16));
		char *c = mmap(m, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		printf("anonymous at old M: %s\n", c == m ? "yes" : "no");
		said("read() into old M", pipe_read(m + PG, 16));
		munmap(c, 4 * PG);
	}
	said("mremap unaligned", mremap(u + 1, PG, PG, 0) == MAP_FAILED ? -1 : 0);

	/* mremap shrinking tracked pages in place: the tail is gone */
	char *s = oracle_page(30);
	char *shrunk = mremap(s, 4 * PG, PG, 0);
	said("mremap shrink S", shrunk == s ? 0 : -1);
	char *g = mmap(s + PG, 3 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	printf("anonymous read-only after S: %s\n", g == s + PG ? "yes" : "no");
	said("read() into the old tail of S", pipe_read(s + 2 * PG, 16));
	try_access("S write", s, 1, 3);
	munmap(g, 3 * PG);

	/* the replacements go: the final oracle sees only liboracle's pages */
	munmap(u, 2 * PG);
	munmap(f, 2 * PG);
	oracle_page(1)[0] = 1;
	printf("faults seen by the program: %d\n", (int)faults);
	return oracle_dump_file("liboracle.so", out2) < 0;
}

/* ---- dontneed -------------------------------------------------------- */

__attribute__((noinline)) static void write_first(char *p) { *(volatile char *)p = 1; }
__attribute__((noinline)) static void write_second(char *p) { *(volatile char *)p = 2; }

static int dn_pipe[2], dn_errno;
static ssize_t dn_got;
static pthread_t dn_thread;

static void *dn_reader(void *p)
{
	memset(p, 0, 8);
	dn_got = read(dn_pipe[0], p, 5);
	dn_errno = errno;
	return NULL;
}

static int run_dontneed(const char *out1, const char *out2)
{
	char *d = oracle_page(40), *e = oracle_page(80), *c = oracle_page(42);
	write_first(d);
	write_first(e);
	printf("dirty after first write: %d %d\n", dirty(d), dirty(e));
	said("madvise DONTNEED D", madvise(d, PG, MADV_DONTNEED));
	said("madvise DONTNEED E", madvise(e, PG, MADV_DONTNEED));
	said("madvise DONTNEED C (never written)", madvise(c, PG, MADV_DONTNEED));
	said("madvise unaligned", madvise(d + 1, PG, MADV_DONTNEED));
	printf("after DONTNEED: dirty %d %d, contents %d %d\n", dirty(d), dirty(e), d[0], e[0]);
	if (oracle_dump_file("liboracle.so", out1) < 0)
		return 1;
	write_second(d);
	write_second(e);
	printf("dirty after second write: %d %d, contents %d %d\n", dirty(d), dirty(e), d[0], e[0]);
	/* a read() blocked on a pipe into a written page while the page is
	 * made clean: the tracer must not make that read fail */
	char *fp = oracle_page(44);
	write_first(fp);
	if (pipe(dn_pipe) || pthread_create(&dn_thread, NULL, dn_reader, fp))
		return 1;
	usleep(100000);
	said("madvise DONTNEED F (a read into it under way)", madvise(fp, PG, MADV_DONTNEED));
	if (write(dn_pipe[1], "hello", 5) != 5)
		return 1;
	pthread_join(dn_thread, NULL);
	printf("read into F during DONTNEED: %zd %s\n", dn_got, dn_got < 0 ? strerror(dn_errno) : fp);
	if (oracle_dump_file("liboracle.so", out2) < 0)
		return 1;
	/* for the test: which pages and which function wrote them second */
	FILE *f = fopen(out2, "a");
	if (!f)
		return 1;
	fprintf(f, "# second-write %p %p %p\n", (void *)write_second, (void *)d, (void *)e);
	return fclose(f) != 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "prot"))
		return run_prot(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "unmap"))
		return run_unmap(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "dontneed"))
		return run_dontneed(argv[2], argv[3]);
	fprintf(stderr, "usage: memory-app prot OUT | unmap OUT1 OUT2 | dontneed OUT1 OUT2\n");
	return 2;
}
