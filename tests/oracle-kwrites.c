/* oracle-kwrites.c - system calls whose destination is a global of
 * liboracle, reached through entry points other than the plain wrappers:
 * ioctl (sized and old-style requests), prctl, syscall(), the CPU-time
 * clock, the LFS and _FORTIFY_SOURCE names, and glibc functions that call
 * the kernel internally.  Each call writes its own liboracle page; without
 * the tracer's help the kernel's write fails with EFAULT, so the printed
 * results differ from the untraced run's.  Ends with liboracle's pagemap
 * oracle in OUT.
 *   oracle-kwrites OUT SHORTFILE     (built with -D_FORTIFY_SOURCE=2 -O2)
 * SHORTFILE: a file of less than a page, for the short reads at the end. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

char *oracle_page(int i);
int oracle_dump_file(const char *want, const char *path);

/* glibc's pre-2.33 stat entry point, as old binaries bind it */
extern int old_xstat(int ver, const char *path, struct stat *st);
__asm__(".symver old_xstat, __xstat@GLIBC_2.2.5");

/* 0/-1 and errno, the same traced and untraced */
static void show(const char *what, long r)
{
	printf("%-22s %s\n", what, r < 0 ? strerror(errno) : "ok");
}

/* a length the compiler cannot see, and buffers whose size it can, so that
 * _FORTIFY_SOURCE calls __*_chk; they are the executable's own (tracked too) */
static volatile size_t opaque = 64;
static char chk_read[4096] __attribute__((aligned(4096)));
static char chk_cwd[4096] __attribute__((aligned(4096)));
static char chk_link[4096] __attribute__((aligned(4096)));

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: oracle-kwrites OUT SHORTFILE\n");
		return 2;
	}
	int pg = 3;	/* each call its own page: oracle_page(3), (4), ... */
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 3;

	/* ioctl with a sized request (_IOR): FIONREAD is old-style, so use
	 * both it and TIOCGWINSZ-like terminals through a pty-less socket */
	write(sv[1], "hello", 5);
	show("ioctl FIONREAD", ioctl(sv[0], FIONREAD, (int *)oracle_page(pg++)));
	printf("  FIONREAD -> %d\n", *(int *)oracle_page(pg - 1));
	show("ioctl SIOCINQ-like", ioctl(sv[0], TIOCOUTQ, (int *)oracle_page(pg++)));
	/* prctl */
	show("prctl PR_GET_NAME", prctl(PR_GET_NAME, oracle_page(pg++)));
	show("prctl PR_GET_PDEATHSIG", prctl(PR_GET_PDEATHSIG, (int *)oracle_page(pg++)));
	/* syscall(): a known writer and an unknown one */
	show("syscall getrandom", syscall(SYS_getrandom, oracle_page(pg++), 16, 0));
	show("syscall getcpu", syscall(SYS_getcpu, (unsigned *)oracle_page(pg++), NULL, NULL));
	show("syscall uname", syscall(SYS_uname, oracle_page(pg++)));
	/* clocks answered by the kernel */
	show("clock_gettime cputime",
	     clock_gettime(CLOCK_PROCESS_CPUTIME_ID, (struct timespec *)oracle_page(pg++)));
	show("clock_getres cputime",
	     clock_getres(CLOCK_THREAD_CPUTIME_ID, (struct timespec *)oracle_page(pg++)));
	show("getitimer", getitimer(ITIMER_REAL, (struct itimerval *)oracle_page(pg++)));
	/* LFS names */
	show("stat64", stat64("/", (struct stat64 *)oracle_page(pg++)));
	show("fstat64", fstat64(0, (struct stat64 *)oracle_page(pg++)));
	show("getrlimit64", getrlimit64(RLIMIT_NOFILE, (struct rlimit64 *)oracle_page(pg++)));
	/* what a binary built against glibc < 2.33 calls for stat() */
	show("__xstat (compat)", old_xstat(1, "/", (struct stat *)oracle_page(pg++)));
	/* _FORTIFY_SOURCE names (size known to the compiler, length not) */
	int fd = open("/proc/self/cmdline", O_RDONLY);
	show("__read_chk", read(fd, chk_read, opaque));
	close(fd);
	show("__getcwd_chk", getcwd(chk_cwd, opaque) ? 0 : -1);
	show("__readlink_chk", readlink("/proc/self/exe", chk_link, opaque));
	/* glibc functions that reach the kernel internally */
	show("getentropy", getentropy(oracle_page(pg++), 32));
	cpu_set_t *cs = (cpu_set_t *)oracle_page(pg++);
	show("pthread_getaffinity_np", -pthread_getaffinity_np(pthread_self(), sizeof *cs, cs));
	show("pthread_getname_np", -pthread_getname_np(pthread_self(), oracle_page(pg++), 16));
	show("getresuid", getresuid((uid_t *)oracle_page(pg), (uid_t *)oracle_page(pg) + 1,
				    (uid_t *)oracle_page(pg) + 2));
	pg++;
	show("sigaltstack old", sigaltstack(NULL, (stack_t *)oracle_page(pg++)));
	pid_t c = fork();
	if (c == 0)
		_exit(7);
	int *ws = (int *)oracle_page(pg++);
	show("wait3", wait3(ws, 0, NULL));
	printf("  child status %d\n", WEXITSTATUS(*ws));
	/* syscall() with effects: a reaped child cannot be reaped again, so
	 * the status word must be writable before the call, not after */
	c = fork();
	if (c == 0)
		_exit(9);
	int *ws2 = (int *)oracle_page(pg++);
	show("syscall wait4", syscall(SYS_wait4, c, ws2, 0, NULL) == c ? 0 : -1);
	printf("  child status %d\n", WEXITSTATUS(*ws2));
	/* libseccomp's feature probes: invalid requests that must not make
	 * the tracer think a filter forbids mprotect */
	show("seccomp strict probe", syscall(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 1, NULL));
	show("seccomp filter probe", syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, NULL));

	/* short reads into large destinations: only the pages the result
	 * covers are dirtied (the rest must not be reported) */
	int tf = open(argv[2], O_RDONLY);
	struct iovec iov[2] = { { oracle_page(38), 4 * 4096 }, { oracle_page(43), 4096 } };
	printf("short read %zd\n", read(tf, oracle_page(24), 8 * 4096));
	printf("short pread %zd\n", pread(tf, oracle_page(33) + 100, 4 * 4096, 0));
	printf("short preadv %zd\n", preadv(tf, iov, 2, 0));
	FILE *f = fopen(argv[2], "r");
	printf("short fread %zu\n", fread(oracle_page(45), 1, 6 * 4096, f));
	fclose(f);
	close(tf);
	/* exactly one page from a file of exactly one page: the page after
	 * it is not read into */
	char tmpl[] = "/tmp/oracle-kwrites.XXXXXX";
	int pf = mkstemp(tmpl);
	static char onepage[4096];
	if (pf < 0 || write(pf, onepage, sizeof onepage) != (ssize_t)sizeof onepage)
		return 5;
	unlink(tmpl);
	FILE *pff = fdopen(pf, "r");
	rewind(pff);
	printf("page fread %zu\n", fread(oracle_page(56), 1, 3 * 4096, pff));
	fclose(pff);
	write(sv[1], "12345", 5);
	printf("short recv %zd\n", recv(sv[0], oracle_page(52), 4 * 4096, 0));
	/* a page lent to the short read and dirtied later by a store */
	oracle_page(26)[7] = 1;
	fflush(stdout);
	return oracle_dump_file("liboracle.so", argv[1]) < 0 ? 4 : 0;
}
