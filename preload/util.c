/* util.c - small helpers: clock, tid, string formatting without stdio,
 * messages on stderr, glob matching and the never-freed arena. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "ct.h"

/* The tracer's own system calls.  libcowtrace exports wrappers named
 * syscall() and clock_gettime() (kwrites.c), and a call from inside the
 * library would bind to them like any other caller's: the tracer's own
 * calls go straight to the kernel instead (t-preload-selfcalls checks that
 * no call leaves the library for a name it wraps, except the few listed
 * there). */

/* SIGNAL-SAFE: syscall() without libc: -1 and errno on failure. */
long ct_syscall(long nr, long a, long b, long c, long d, long e, long f)
{
	long r = ct_arch_syscall(nr, a, b, c, d, e, f);
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/* SIGNAL-SAFE: libc's clock_gettime (the vDSO, no system call) once
 * ct_util_init has found it; the system call until then. */
static int (*libc_clock_gettime)(clockid_t, struct timespec *);

/* Wrappers find the function they wrap on their first call, with dlsym,
 * which takes the loader's lock and may allocate: unsafe in a signal
 * handler of the program that interrupted dlopen or malloc.  The wrapped
 * functions a signal handler may call (async-signal-safe ones, and a few
 * more handlers are known to use) are looked up once here, at start. */
static const char *const eager_names[] = {
	"read", "pread", "pread64", "readv", "recv", "recvfrom", "recvmsg", "accept",
	"accept4", "getsockname", "getpeername", "getsockopt", "socketpair", "pipe",
	"pipe2", "poll", "ppoll", "select", "pselect", "stat", "fstat", "lstat",
	"fstatat", "stat64", "fstat64", "lstat64", "fstatat64", "uname", "wait",
	"waitpid", "wait3", "wait4", "waitid", "clock_gettime", "clock_getres",
	"gettimeofday", "sigpending", "sigprocmask", "pthread_sigmask", "sigaction",
	"sigsuspend", "sigaltstack", "_exit", "execve", "execv", "fexecve",
	"getgroups", "readlink", "readlinkat", "times", "nanosleep",
	"clock_nanosleep", "getitimer", "setitimer", "timer_gettime",
	"timer_settime", "timerfd_gettime", "timerfd_settime", "getrusage",
	"sysinfo", "getresuid", "getresgid", "syscall", "ioctl", "prctl",
	"__read_chk", "__pread_chk", "__pread64_chk", "__recv_chk",
	"__recvfrom_chk", "__poll_chk", "__readlink_chk", "__readlinkat_chk",
	"mprotect", "munmap", "mmap", "madvise", "longjmp", "siglongjmp",
};
static void *eager_ptrs[sizeof eager_names / sizeof eager_names[0]];

void ct_util_init(void)
{
	if (!libc_clock_gettime)
		libc_clock_gettime = (int (*)(clockid_t, struct timespec *))
			dlsym(RTLD_NEXT, "clock_gettime");
	for (size_t i = 0; i < sizeof eager_names / sizeof eager_names[0]; i++)
		if (!eager_ptrs[i])
			eager_ptrs[i] = dlsym(RTLD_NEXT, eager_names[i]);
}

/* The next definition of name after libcowtrace (RTLD_NEXT from here is
 * the same as from any file of the library). */
void *ct_next_sym(const char *name)
{
	for (size_t i = 0; i < sizeof eager_names / sizeof eager_names[0]; i++)
		if (eager_ptrs[i] && !strcmp(eager_names[i], name))
			return eager_ptrs[i];
	return dlsym(RTLD_NEXT, name);
}

uint64_t ct_now_ns(void)
{
	struct timespec ts = { 0, 0 };
	if (libc_clock_gettime)
		libc_clock_gettime(CLOCK_MONOTONIC, &ts);
	else
		ct_syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&ts, 0, 0, 0, 0);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* SIGNAL-SAFE: the tracer's own mappings (log window, arena), past the
 * application's mmap/munmap/madvise wrappers (memory.c). */
void *ct_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	long r = ct_syscall(SYS_mmap, (long)addr, (long)len, prot, flags, fd, (long)off);
	return r == -1 ? MAP_FAILED : (void *)r;
}

int ct_sys_munmap(void *addr, size_t len)
{
	return (int)ct_syscall(SYS_munmap, (long)addr, (long)len, 0, 0, 0, 0);
}

int ct_sys_madvise(void *addr, size_t len, int advice)
{
	return (int)ct_syscall(SYS_madvise, (long)addr, (long)len, advice, 0, 0, 0);
}

/* SIGNAL-SAFE */
pid_t ct_gettid(void)
{
	return (pid_t)ct_syscall(SYS_gettid, 0, 0, 0, 0, 0, 0);
}

/* SIGNAL-SAFE: copies at most n-1 bytes, always terminates, returns strlen(src). */
size_t ct_strlcpy(char *dst, const char *src, size_t n)
{
	size_t len = strlen(src);
	if (n) {
		size_t k = len < n - 1 ? len : n - 1;
		memcpy(dst, src, k);
		dst[k] = 0;
	}
	return len;
}

/* SIGNAL-SAFE: writes decimal v at p, returns the end (not terminated). */
char *ct_utoa(char *p, unsigned long v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* SIGNAL-SAFE: joins the strings (NULL ends the list) into one
 * "cowtrace: ..." line on stderr, unless COWTRACE_QUIET. */
void ct_warn(const char *s, ...)
{
	char buf[512] = "cowtrace: ";
	size_t n = 10;
	int saved = errno;
	va_list ap;

	if (ct.opt.quiet)
		return;
	va_start(ap, s);
	for (; s; s = va_arg(ap, const char *)) {
		size_t k = strlen(s);
		if (k > sizeof buf - 2 - n)
			k = sizeof buf - 2 - n;
		memcpy(buf + n, s, k);
		n += k;
	}
	va_end(ap);
	buf[n++] = '\n';
	ssize_t r = write(2, buf, n);
	(void)r;
	errno = saved;
}

int ct_glob_match(const char *pat, const char *s)
{
	if (fnmatch(pat, s, 0) == 0)
		return 1;
	const char *base = strrchr(s, '/');
	return base && fnmatch(pat, base + 1, 0) == 0;
}

/* Memory for tables and page states, taken outside signal context (callers
 * hold ct.lock) and never given back: the fault handler may still be reading
 * a table that was replaced a moment ago. */
void *ct_arena_alloc(size_t size)
{
	static char *cur, *end;
	size = (size + 15) & ~(size_t)15;
	if (!cur || (size_t)(end - cur) < size) {
		size_t chunk = size > (1u << 20) ? size : (1u << 20);
		void *p = ct_sys_mmap(NULL, chunk, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		cur = p;
		end = cur + chunk;
	}
	void *r = cur;
	cur += size;
	return r;
}

/* SIGNAL-SAFE: open and close for the tracer's own descriptors, past
 * libc: they are cancellation points there, and a thread with a pending
 * cancellation must not be cancelled inside the tracer (at thread start,
 * in a scan holding the module table's lock). */
int ct_sys_open(const char *path, int flags, int mode)
{
	return (int)ct_syscall(SYS_openat, AT_FDCWD, (long)path, flags, mode, 0, 0);
}

int ct_sys_close(int fd)
{
	return (int)ct_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
}

/* SIGNAL-SAFE: raw system calls for the tracer's own reads, so that they
 * never pass through its own wrappers (which may not be resolved yet when
 * the audit module calls in before libc is initialised). */
ssize_t ct_sys_read(int fd, void *buf, size_t n)
{
	return ct_syscall(SYS_read, (long)fd, (long)buf, (long)n, 0, 0, 0);
}

ssize_t ct_sys_pread(int fd, void *buf, size_t n, off_t off)
{
	return ct_syscall(SYS_pread64, (long)fd, (long)buf, (long)n, (long)off, 0, 0);
}

ssize_t ct_sys_readlink(const char *path, char *buf, size_t n)
{
	return ct_syscall(SYS_readlink, (long)path, (long)buf, (long)n, 0, 0, 0);
}

/* SIGNAL-SAFE: strerror without locale machinery (which may allocate). */
const char *ct_errstr(int e)
{
	switch (e) {
	case ENOENT: return "no such file or directory";
	case EACCES: return "permission denied";
	case EPERM: return "operation not permitted";
	case EROFS: return "read-only file system";
	case ENOSPC: return "no space left on device";
	case EDQUOT: return "disk quota exceeded";
	case ENOTDIR: return "not a directory";
	case ENAMETOOLONG: return "file name too long";
	case EMFILE: case ENFILE: return "too many open files";
	case ENOMEM: return "out of memory";
	case EEXIST: return "file exists";
	default: return "system error";
	}
}
