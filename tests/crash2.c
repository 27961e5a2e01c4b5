/* crash2.c - genuine crashes other than a NULL pointer.
 *   crash2 overflow            unbounded recursion, no alternate stack
 *   crash2 altstack OUT        the same with sigaltstack and an SA_ONSTACK
 *                              handler, which writes a liboracle page, the
 *                              pagemap oracle to OUT, and _exits(42)
 *   crash2 altstack-unused OUT the handler without SA_ONSTACK: the kernel
 *                              cannot run it on the overflowed stack: SIGSEGV
 *   crash2 altstack-null OUT   that handler, a NULL store: it runs, exits 42
 *   crash2 sigbus FILE         touches a shared mapping of FILE beyond its
 *                              end (after truncating it): SIGBUS
 *   crash2 sigbus-handler FILE OUT   the same, caught: the handler writes a
 *                              liboracle page and siglongjmps; oracle to OUT
 *   crash2 null                NULL store (for the core dump comparison)
 *   crash2 abort               abort()
 * Each writes a few liboracle pages first; stdout is compared with the
 * untraced run's. */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

char *oracle_page(int i);
int oracle_dump_file(const char *want, const char *path);

static const char *oracle_out;
static sigjmp_buf env;

static void say(const char *s)
{
	ssize_t r = write(1, s, strlen(s));
	(void)r;
}

/* a frame the compiler cannot turn into a loop */
static int recurse(volatile char *prev, int depth)
{
	volatile char buf[512];
	if (depth < 0)          /* never: keeps the compiler from calling it infinite */
		return 0;
	buf[0] = (char)depth;
	buf[511] = prev ? prev[0] : 0;
	return recurse(buf, depth + 1) + buf[1];
}

static void on_overflow(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	oracle_page(70)[sig] = 1;     /* a tracked page, from the alternate stack */
	if (oracle_dump_file("liboracle.so", oracle_out) < 0)
		_exit(4);
	say(sig == SIGSEGV ? "caught SIGSEGV\n" : "caught another signal\n");
	_exit(42);
}

static int altstack(int onstack, int null)
{
	stack_t ss;
	ss.ss_size = 256 * 1024;
	ss.ss_sp = malloc(ss.ss_size);
	ss.ss_flags = 0;
	if (!ss.ss_sp || sigaltstack(&ss, NULL) != 0)
		return 3;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_overflow;
	sa.sa_flags = SA_SIGINFO | (onstack ? SA_ONSTACK : 0);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL) != 0)
		return 3;
	if (null) {
		say("NULL store\n");
		volatile int *volatile np = NULL;
		*np = 1;
		return 0;
	}
	say("recursing\n");
	return recurse(NULL, 0);
}

/* a page of FILE mapped shared, then the file cut to nothing */
static volatile char *beyond_eof(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, 8192) != 0)
		return NULL;
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED || ftruncate(fd, 0) != 0)
		return NULL;
	close(fd);
	return p;
}

static volatile int bus_code;

static void on_bus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	bus_code = si->si_code;
	oracle_page(71)[1] = 1;
	siglongjmp(env, 1);
}

static int sigbus_handler(const char *path)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_bus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) != 0)
		return 3;
	volatile char *p = beyond_eof(path);
	if (!p)
		return 3;
	for (int i = 0; i < 2; i++) {
		if (sigsetjmp(env, 1) == 0) {
			p[4096 * i + 5] = 1;
			printf("round %d: no SIGBUS\n", i);
		} else {
			printf("round %d: SIGBUS, code %d\n", i, bus_code);
		}
		oracle_page(20 + i)[2] = 1;
	}
	fflush(stdout);
	return oracle_dump_file("liboracle.so", oracle_out) < 0 ? 4 : 0;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	for (int i = 0; i < 4; i++)
		oracle_page(i)[i] = 1;
	if (!strcmp(m, "overflow")) {
		say("recursing\n");
		return recurse(NULL, 0);
	}
	if (!strcmp(m, "altstack") && argc == 3) {
		oracle_out = argv[2];
		return altstack(1, 0);
	}
	if (!strcmp(m, "altstack-unused") && argc == 3) {
		oracle_out = argv[2];
		return altstack(0, 0);
	}
	if (!strcmp(m, "altstack-null") && argc == 3) {
		oracle_out = argv[2];
		return altstack(0, 1);
	}
	if (!strcmp(m, "sigbus") && argc == 3) {
		volatile char *p = beyond_eof(argv[2]);
		if (!p)
			return 3;
		say("touching beyond the end\n");
		p[5] = 1;
		say("survived\n");
		return 0;
	}
	if (!strcmp(m, "sigbus-handler") && argc == 4) {
		oracle_out = argv[3];
		return sigbus_handler(argv[2]);
	}
	if (!strcmp(m, "null")) {
		say("NULL store\n");
		volatile int *volatile np = NULL;
		*np = 1;
		return 0;
	}
	if (!strcmp(m, "abort")) {
		say("abort\n");
		abort();
	}
	fprintf(stderr, "usage: see the comment at the top of tests/crash2.c\n");
	return 2;
}
