/* kwrites.c - more entry points through which the kernel writes user memory,
 * beyond the plain calls of syscalls.c:
 *   - the other names of the same calls: the LFS names (stat64, preadv64,
 *     ...) that programs built with _FILE_OFFSET_BITS=64 call, the
 *     _FORTIFY_SOURCE checking versions (__read_chk, ...) that Debian's
 *     hardened builds call, and the pre-2.33 stat entry points (__xstat, ...)
 *     that older binaries call;
 *   - glibc functions that reach the kernel internally, where no wrapper of
 *     the system call's own name sees them (getentropy, arc4random_buf,
 *     pthread_getaffinity_np, pthread_getname_np, wait3, ...);
 *   - calls whose destination size is not in their signature: ioctl (the
 *     size is in the request number, or unknown for the old terminal
 *     requests), prctl, and the generic syscall().
 * Where the size is unknown the call runs first; only if it fails with
 * EFAULT and an argument points into a protected page is that page given
 * its first write and the call made again, and only for calls that have
 * no effect when they fail that way: queries, which copy their result out
 * as their last step (ioctl's reading requests, prctl's PR_GET_*, the
 * getters of retry_safe).  Calls with effects get their destination by
 * number before they run. */
#include <dlfcn.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <mqueue.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ct.h"

#define CT_EXPORT __attribute__((visibility("default")))
#define RA ((uintptr_t)__builtin_return_address(0))
#define CLAIM(p, n, nr) ct_claim_for_kernel((void *)(p), (size_t)(n), (nr), RA)

/* `real`: the next definition of NAME (a string), of type TYPE. */
#define REAL_AS(type, name)                                              \
	static __typeof__(type) real;                                              \
	if (!real)                                                       \
		real = (type)ct_next_sym(name)

/* `real` for a symbol glibc keeps only as a compatibility version. */
#define REAL_COMPAT(type, name)                                          \
	static __typeof__(type) real;                                              \
	if (!real)                                                       \
		real = (type)dlvsym(RTLD_NEXT, name, "GLIBC_2.2.5")

/* Argument-count-agnostic EFAULT retry: at most this many pages given per
 * call (each retry gives at least one page or stops). */
#define RETRY_PAGES 4

/* After a call failed with EFAULT: give the protected page at `p` (and, if
 * `p` is within `span` bytes of the page's end, the next page) its first
 * write.  Returns 1 if a page was given, so that the call is worth making
 * again. */
static int retry_claim(const void *p, size_t span, int nr, uintptr_t ra)
{
	if (!p)
		return 0;
	return ct_claim_for_kernel((void *)p, span ? span : 1, nr, ra) > 0;
}

static int retry_safe(long nr, const long *a);

/* ---- other names of calls in syscalls.c ---------------------------------- */

/* On x86_64 the LFS names are the same functions with 64-bit types. */
CT_EXPORT int stat64(const char *path, struct stat64 *st)
{
	REAL_AS(int (*)(const char *, struct stat64 *), "stat64");
	CLAIM(st, sizeof *st, SYS_newfstatat);
	return real(path, st);
}

CT_EXPORT int lstat64(const char *path, struct stat64 *st)
{
	REAL_AS(int (*)(const char *, struct stat64 *), "lstat64");
	CLAIM(st, sizeof *st, SYS_newfstatat);
	return real(path, st);
}

CT_EXPORT int fstat64(int fd, struct stat64 *st)
{
	REAL_AS(int (*)(int, struct stat64 *), "fstat64");
	CLAIM(st, sizeof *st, SYS_fstat);
	return real(fd, st);
}

CT_EXPORT int fstatat64(int dfd, const char *path, struct stat64 *st, int flags)
{
	REAL_AS(int (*)(int, const char *, struct stat64 *, int), "fstatat64");
	CLAIM(st, sizeof *st, SYS_newfstatat);
	return real(dfd, path, st, flags);
}

CT_EXPORT int statfs64(const char *path, struct statfs64 *st)
{
	REAL_AS(int (*)(const char *, struct statfs64 *), "statfs64");
	CLAIM(st, sizeof *st, SYS_statfs);
	return real(path, st);
}

CT_EXPORT int fstatfs64(int fd, struct statfs64 *st)
{
	REAL_AS(int (*)(int, struct statfs64 *), "fstatfs64");
	CLAIM(st, sizeof *st, SYS_fstatfs);
	return real(fd, st);
}

CT_EXPORT int getrlimit64(__rlimit_resource_t res, struct rlimit64 *rl)
{
	REAL_AS(int (*)(__rlimit_resource_t, struct rlimit64 *), "getrlimit64");
	CLAIM(rl, sizeof *rl, SYS_prlimit64);
	return real(res, rl);
}

CT_EXPORT int prlimit64(pid_t pid, __rlimit_resource_t res, const struct rlimit64 *nl,
			struct rlimit64 *ol)
{
	REAL_AS(int (*)(pid_t, __rlimit_resource_t, const struct rlimit64 *, struct rlimit64 *),
		"prlimit64");
	CLAIM(ol, sizeof *ol, SYS_prlimit64);
	return real(pid, res, nl, ol);
}

CT_EXPORT ssize_t preadv64(int fd, const struct iovec *iov, int n, off64_t off)
{
	REAL_AS(ssize_t (*)(int, const struct iovec *, int, off64_t), "preadv64");
	struct ct_lend_iov v;
	ct_lend_iov(&v, iov, n, SYS_preadv, RA);
	ssize_t r = real(fd, iov, n, off);
	ct_settle_iov(&v, r, SYS_preadv, RA);
	return r;
}

CT_EXPORT ssize_t preadv2(int fd, const struct iovec *iov, int n, off_t off, int flags)
{
	REAL_AS(ssize_t (*)(int, const struct iovec *, int, off_t, int), "preadv2");
	struct ct_lend_iov v;
	ct_lend_iov(&v, iov, n, SYS_preadv2, RA);
	ssize_t r = real(fd, iov, n, off, flags);
	ct_settle_iov(&v, r, SYS_preadv2, RA);
	return r;
}

CT_EXPORT ssize_t preadv64v2(int fd, const struct iovec *iov, int n, off64_t off, int flags)
{
	REAL_AS(ssize_t (*)(int, const struct iovec *, int, off64_t, int), "preadv64v2");
	struct ct_lend_iov v;
	ct_lend_iov(&v, iov, n, SYS_preadv2, RA);
	ssize_t r = real(fd, iov, n, off, flags);
	ct_settle_iov(&v, r, SYS_preadv2, RA);
	return r;
}

/* The pre-2.33 stat entry points (ver is _STAT_VER, 1 on x86_64). */
CT_EXPORT int __xstat(int ver, const char *path, struct stat *st)
{
	REAL_COMPAT(int (*)(int, const char *, struct stat *), "__xstat");
	CLAIM(st, sizeof *st, SYS_newfstatat);
	return real(ver, path, st);
}

CT_EXPORT int __lxstat(int ver, const char *path, struct stat *st)
{
	REAL_COMPAT(int (*)(int, const char *, struct stat *), "__lxstat");
	CLAIM(st, sizeof *st, SYS_newfstatat);
	return real(ver, path, st);
}

CT_EXPORT int __fxstat(int ver, int fd, struct stat *st)
{
	REAL_COMPAT(int (*)(int, int, struct stat *), "__fxstat");
	CLAIM(st, sizeof *st, SYS_fstat);
	return real(ver, fd, st);
}

CT_EXPORT int __fxstatat(int ver, int dfd, const char *path, struct stat *st, int flags)
{
	REAL_COMPAT(int (*)(int, int, const char *, struct stat *, int), "__fxstatat");
	CLAIM(st, sizeof *st, SYS_newfstatat);
	return real(ver, dfd, path, st, flags);
}

CT_EXPORT int __xstat64(int ver, const char *path, struct stat64 *st)
{
	REAL_COMPAT(int (*)(int, const char *, struct stat64 *), "__xstat64");
	CLAIM(st, sizeof *st, SYS_newfstatat);
	return real(ver, path, st);
}

CT_EXPORT int __lxstat64(int ver, const char *path, struct stat64 *st)
{
	REAL_COMPAT(int (*)(int, const char *, struct stat64 *), "__lxstat64");
	CLAIM(st, sizeof *st, SYS_newfstatat);
	return real(ver, path, st);
}

CT_EXPORT int __fxstat64(int ver, int fd, struct stat64 *st)
{
	REAL_COMPAT(int (*)(int, int, struct stat64 *), "__fxstat64");
	CLAIM(st, sizeof *st, SYS_fstat);
	return real(ver, fd, st);
}

CT_EXPORT int __fxstatat64(int ver, int dfd, const char *path, struct stat64 *st, int flags)
{
	REAL_COMPAT(int (*)(int, int, const char *, struct stat64 *, int), "__fxstatat64");
	CLAIM(st, sizeof *st, SYS_newfstatat);
	return real(ver, dfd, path, st, flags);
}

/* ---- _FORTIFY_SOURCE versions: same call, plus the buffer's size ---------- */

CT_EXPORT ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
	REAL_AS(ssize_t (*)(int, void *, size_t, size_t), "__read_chk");
	struct ct_lend l;
	ct_lend(&l, buf, n < buflen ? n : buflen);
	ssize_t r = real(fd, buf, n, buflen);
	ct_settle(&l, r > 0 ? (size_t)r : 0, SYS_read, RA);
	return r;
}

CT_EXPORT ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t buflen)
{
	REAL_AS(ssize_t (*)(int, void *, size_t, off_t, size_t), "__pread_chk");
	struct ct_lend l;
	ct_lend(&l, buf, n < buflen ? n : buflen);
	ssize_t r = real(fd, buf, n, off, buflen);
	ct_settle(&l, r > 0 ? (size_t)r : 0, SYS_pread64, RA);
	return r;
}

CT_EXPORT ssize_t __pread64_chk(int fd, void *buf, size_t n, off64_t off, size_t buflen)
{
	REAL_AS(ssize_t (*)(int, void *, size_t, off64_t, size_t), "__pread64_chk");
	struct ct_lend l;
	ct_lend(&l, buf, n < buflen ? n : buflen);
	ssize_t r = real(fd, buf, n, off, buflen);
	ct_settle(&l, r > 0 ? (size_t)r : 0, SYS_pread64, RA);
	return r;
}

CT_EXPORT ssize_t __readlink_chk(const char *path, char *buf, size_t n, size_t buflen)
{
	REAL_AS(ssize_t (*)(const char *, char *, size_t, size_t), "__readlink_chk");
	CLAIM(buf, n < buflen ? n : buflen, SYS_readlink);
	return real(path, buf, n, buflen);
}

CT_EXPORT ssize_t __readlinkat_chk(int dfd, const char *path, char *buf, size_t n,
				   size_t buflen)
{
	REAL_AS(ssize_t (*)(int, const char *, char *, size_t, size_t), "__readlinkat_chk");
	CLAIM(buf, n < buflen ? n : buflen, SYS_readlinkat);
	return real(dfd, path, buf, n, buflen);
}

CT_EXPORT char *__getcwd_chk(char *buf, size_t n, size_t buflen)
{
	REAL_AS(char *(*)(char *, size_t, size_t), "__getcwd_chk");
	CLAIM(buf, n < buflen ? n : buflen, SYS_getcwd);
	return real(buf, n, buflen);
}

CT_EXPORT ssize_t __recv_chk(int fd, void *buf, size_t n, size_t buflen, int flags)
{
	REAL_AS(ssize_t (*)(int, void *, size_t, size_t, int), "__recv_chk");
	struct ct_lend l;
	ct_lend(&l, buf, n < buflen ? n : buflen);
	ssize_t r = real(fd, buf, n, buflen, flags);
	ct_settle(&l, r > 0 ? (size_t)r : 0, SYS_recvfrom, RA);
	return r;
}

CT_EXPORT ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t buflen, int flags,
				 struct sockaddr *a, socklen_t *alen)
{
	REAL_AS(ssize_t (*)(int, void *, size_t, size_t, int, struct sockaddr *, socklen_t *),
		"__recvfrom_chk");
	struct ct_lend l;
	ct_lend(&l, buf, n < buflen ? n : buflen);
	ct_claim_sockaddr(a, alen, SYS_recvfrom, RA);
	ssize_t r = real(fd, buf, n, buflen, flags, a, alen);
	ct_settle(&l, r > 0 ? (size_t)r : 0, SYS_recvfrom, RA);
	return r;
}

CT_EXPORT size_t __fread_chk(void *buf, size_t buflen, size_t size, size_t n, FILE *f)
{
	REAL_AS(size_t (*)(void *, size_t, size_t, size_t, FILE *), "__fread_chk");
	struct ct_lend l;
	size_t total = size && n <= SIZE_MAX / size ? size * n : 0;
	ct_lend(&l, buf, total < buflen ? total : buflen);
	size_t r = real(buf, buflen, size, n, f);
	ct_settle(&l, (r < n && size > 1 ? r + 1 : r) * size, SYS_read, RA);
	return r;
}

CT_EXPORT size_t __fread_unlocked_chk(void *buf, size_t buflen, size_t size, size_t n, FILE *f)
{
	REAL_AS(size_t (*)(void *, size_t, size_t, size_t, FILE *), "__fread_unlocked_chk");
	struct ct_lend l;
	size_t total = size && n <= SIZE_MAX / size ? size * n : 0;
	ct_lend(&l, buf, total < buflen ? total : buflen);
	size_t r = real(buf, buflen, size, n, f);
	ct_settle(&l, (r < n && size > 1 ? r + 1 : r) * size, SYS_read, RA);
	return r;
}

CT_EXPORT int __getgroups_chk(int n, gid_t *list, size_t listlen)
{
	REAL_AS(int (*)(int, gid_t *, size_t), "__getgroups_chk");
	if (n > 0)
		CLAIM(list, (size_t)n * sizeof *list < listlen ? (size_t)n * sizeof *list : listlen,
		      SYS_getgroups);
	return real(n, list, listlen);
}

CT_EXPORT int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen)
{
	REAL_AS(int (*)(struct pollfd *, nfds_t, int, size_t), "__poll_chk");
	CLAIM(fds, n * sizeof *fds < fdslen ? n * sizeof *fds : fdslen, SYS_poll);
	return real(fds, n, timeout, fdslen);
}

/* ---- glibc functions that reach the kernel internally ----------------- */

CT_EXPORT int getentropy(void *buf, size_t n)
{
	REAL_AS(int (*)(void *, size_t), "getentropy");
	CLAIM(buf, n, SYS_getrandom);
	return real(buf, n);
}

CT_EXPORT void arc4random_buf(void *buf, size_t n)
{
	REAL_AS(void (*)(void *, size_t), "arc4random_buf");
	CLAIM(buf, n, SYS_getrandom);
	real(buf, n);
}

CT_EXPORT int pthread_getaffinity_np(pthread_t t, size_t n, cpu_set_t *set)
{
	REAL_AS(int (*)(pthread_t, size_t, cpu_set_t *), "pthread_getaffinity_np");
	CLAIM(set, n, SYS_sched_getaffinity);
	return real(t, n, set);
}

CT_EXPORT int pthread_getname_np(pthread_t t, char *buf, size_t n)
{
	REAL_AS(int (*)(pthread_t, char *, size_t), "pthread_getname_np");
	CLAIM(buf, n, SYS_prctl);
	return real(t, buf, n);
}

CT_EXPORT pid_t wait3(int *status, int opt, struct rusage *ru)
{
	REAL_AS(pid_t (*)(int *, int, struct rusage *), "wait3");
	CLAIM(status, sizeof *status, SYS_wait4);
	CLAIM(ru, sizeof *ru, SYS_wait4);
	return real(status, opt, ru);
}

/* ---- clocks and timers ------------------------------------------------ */

/* Called often, and mostly answered by the vDSO, which writes from user
 * space (a plain fault); only when the kernel answers (CPU-time clocks, a
 * clock source the vDSO cannot read) does the call fail with EFAULT, with
 * no effect, and run again once the page is given. */
#define RETRY_GETTER(call, dst, nr)                                       \
	int r = call;                                                     \
	if (r == -1 && errno == EFAULT && retry_claim(dst, sizeof *(dst), nr, RA)) \
		r = call;                                                 \
	return r

CT_EXPORT int clock_gettime(clockid_t c, struct timespec *ts)
{
	REAL_AS(int (*)(clockid_t, struct timespec *), "clock_gettime");
	RETRY_GETTER(real(c, ts), ts, SYS_clock_gettime);
}

CT_EXPORT int clock_getres(clockid_t c, struct timespec *ts)
{
	REAL_AS(int (*)(clockid_t, struct timespec *), "clock_getres");
	RETRY_GETTER(real(c, ts), ts, SYS_clock_getres);
}

CT_EXPORT int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	REAL_AS(int (*)(struct timeval *, void *), "gettimeofday");
	RETRY_GETTER(real(tv, tz), tv, SYS_gettimeofday);
}

CT_EXPORT int getitimer(__itimer_which_t which, struct itimerval *v)
{
	REAL_AS(int (*)(__itimer_which_t, struct itimerval *), "getitimer");
	CLAIM(v, sizeof *v, SYS_getitimer);
	return real(which, v);
}

CT_EXPORT int setitimer(__itimer_which_t which, const struct itimerval *nv,
			struct itimerval *ov)
{
	REAL_AS(int (*)(__itimer_which_t, const struct itimerval *, struct itimerval *),
		"setitimer");
	CLAIM(ov, sizeof *ov, SYS_setitimer);
	return real(which, nv, ov);
}

CT_EXPORT int timer_gettime(timer_t t, struct itimerspec *v)
{
	REAL_AS(int (*)(timer_t, struct itimerspec *), "timer_gettime");
	CLAIM(v, sizeof *v, SYS_timer_gettime);
	return real(t, v);
}

CT_EXPORT int timer_settime(timer_t t, int flags, const struct itimerspec *nv,
			    struct itimerspec *ov)
{
	REAL_AS(int (*)(timer_t, int, const struct itimerspec *, struct itimerspec *),
		"timer_settime");
	CLAIM(ov, sizeof *ov, SYS_timer_settime);
	return real(t, flags, nv, ov);
}

CT_EXPORT int timerfd_gettime(int fd, struct itimerspec *v)
{
	REAL_AS(int (*)(int, struct itimerspec *), "timerfd_gettime");
	CLAIM(v, sizeof *v, SYS_timerfd_gettime);
	return real(fd, v);
}

CT_EXPORT int timerfd_settime(int fd, int flags, const struct itimerspec *nv,
			      struct itimerspec *ov)
{
	REAL_AS(int (*)(int, int, const struct itimerspec *, struct itimerspec *),
		"timerfd_settime");
	CLAIM(ov, sizeof *ov, SYS_timerfd_settime);
	return real(fd, flags, nv, ov);
}

/* ---- identity, scheduling, signals, IPC, attributes --------------------- */

CT_EXPORT int getresuid(uid_t *r, uid_t *e, uid_t *s)
{
	REAL_AS(int (*)(uid_t *, uid_t *, uid_t *), "getresuid");
	CLAIM(r, sizeof *r, SYS_getresuid);
	CLAIM(e, sizeof *e, SYS_getresuid);
	CLAIM(s, sizeof *s, SYS_getresuid);
	return real(r, e, s);
}

CT_EXPORT int getresgid(gid_t *r, gid_t *e, gid_t *s)
{
	REAL_AS(int (*)(gid_t *, gid_t *, gid_t *), "getresgid");
	CLAIM(r, sizeof *r, SYS_getresgid);
	CLAIM(e, sizeof *e, SYS_getresgid);
	CLAIM(s, sizeof *s, SYS_getresgid);
	return real(r, e, s);
}

CT_EXPORT int sched_getparam(pid_t pid, struct sched_param *p)
{
	REAL_AS(int (*)(pid_t, struct sched_param *), "sched_getparam");
	CLAIM(p, sizeof *p, SYS_sched_getparam);
	return real(pid, p);
}

CT_EXPORT int sched_rr_get_interval(pid_t pid, struct timespec *ts)
{
	REAL_AS(int (*)(pid_t, struct timespec *), "sched_rr_get_interval");
	CLAIM(ts, sizeof *ts, SYS_sched_rr_get_interval);
	return real(pid, ts);
}

CT_EXPORT int sigaltstack(const stack_t *ss, stack_t *old)
{
	REAL_AS(int (*)(const stack_t *, stack_t *), "sigaltstack");
	CLAIM(old, sizeof *old, SYS_sigaltstack);
	return real(ss, old);
}

CT_EXPORT ssize_t msgrcv(int id, void *msg, size_t n, long type, int flags)
{
	REAL_AS(ssize_t (*)(int, void *, size_t, long, int), "msgrcv");
	CLAIM(msg, sizeof(long) + n, SYS_msgrcv);
	return real(id, msg, n, type, flags);
}

CT_EXPORT ssize_t mq_receive(mqd_t q, char *msg, size_t n, unsigned *prio)
{
	REAL_AS(ssize_t (*)(mqd_t, char *, size_t, unsigned *), "mq_receive");
	CLAIM(msg, n, SYS_mq_timedreceive);
	CLAIM(prio, sizeof *prio, SYS_mq_timedreceive);
	return real(q, msg, n, prio);
}

CT_EXPORT ssize_t mq_timedreceive(mqd_t q, char *msg, size_t n, unsigned *prio,
				  const struct timespec *t)
{
	REAL_AS(ssize_t (*)(mqd_t, char *, size_t, unsigned *, const struct timespec *),
		"mq_timedreceive");
	CLAIM(msg, n, SYS_mq_timedreceive);
	CLAIM(prio, sizeof *prio, SYS_mq_timedreceive);
	return real(q, msg, n, prio, t);
}

#define XATTR_GET(name, nr, ...)                                          \
	REAL_AS(ssize_t (*)(__VA_ARGS__), #name);                         \
	CLAIM(buf, n, nr)

CT_EXPORT ssize_t getxattr(const char *path, const char *attr, void *buf, size_t n)
{
	XATTR_GET(getxattr, SYS_getxattr, const char *, const char *, void *, size_t);
	return real(path, attr, buf, n);
}

CT_EXPORT ssize_t lgetxattr(const char *path, const char *attr, void *buf, size_t n)
{
	XATTR_GET(lgetxattr, SYS_lgetxattr, const char *, const char *, void *, size_t);
	return real(path, attr, buf, n);
}

CT_EXPORT ssize_t fgetxattr(int fd, const char *attr, void *buf, size_t n)
{
	XATTR_GET(fgetxattr, SYS_fgetxattr, int, const char *, void *, size_t);
	return real(fd, attr, buf, n);
}

CT_EXPORT ssize_t listxattr(const char *path, char *buf, size_t n)
{
	XATTR_GET(listxattr, SYS_listxattr, const char *, char *, size_t);
	return real(path, buf, n);
}

CT_EXPORT ssize_t llistxattr(const char *path, char *buf, size_t n)
{
	XATTR_GET(llistxattr, SYS_llistxattr, const char *, char *, size_t);
	return real(path, buf, n);
}

CT_EXPORT ssize_t flistxattr(int fd, char *buf, size_t n)
{
	XATTR_GET(flistxattr, SYS_flistxattr, int, char *, size_t);
	return real(fd, buf, n);
}

/* ---- calls with an untyped argument ------------------------------------- */

/* ioctl: requests built with _IOR/_IOWR carry direction and size; the old
 * ones (terminals: TCGETS, TIOCGWINSZ, FIONREAD, ...) carry neither, so for
 * them the EFAULT retry finds the page. */
CT_EXPORT int ioctl(int fd, unsigned long req, ...)
{
	REAL_AS(int (*)(int, unsigned long, void *), "ioctl");
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);

	if ((_IOC_DIR(req) & _IOC_READ) && _IOC_SIZE(req))
		CLAIM(arg, _IOC_SIZE(req), SYS_ioctl);
	int r = real(fd, req, arg);
	/* retried only for the old requests (no direction: the terminal and
	 * socket queries); a request that says it only reads its argument may
	 * still act and write back (TUNSETIFF), and acting twice is not ours */
	for (int i = 0; r == -1 && errno == EFAULT && _IOC_DIR(req) == _IOC_NONE &&
			i < RETRY_PAGES; i++) {
		if (!retry_claim(arg, 256, SYS_ioctl, RA))
			break;
		r = real(fd, req, arg);
	}
	return r;
}

/* prctl: the PR_GET_* options write through their second argument. */
CT_EXPORT int prctl(int op, ...)
{
	REAL_AS(int (*)(int, unsigned long, unsigned long, unsigned long, unsigned long),
		"prctl");
	va_list ap;
	va_start(ap, op);
	unsigned long a2 = va_arg(ap, unsigned long), a3 = va_arg(ap, unsigned long);
	unsigned long a4 = va_arg(ap, unsigned long), a5 = va_arg(ap, unsigned long);
	va_end(ap);

	if (op == PR_GET_NAME)
		CLAIM(a2, 16, SYS_prctl);
	else if (op == PR_SET_SECCOMP)
		ct_sandbox_check(a2, a3);
	int r = real(op, a2, a3, a4, a5);
	long args[1] = { op };
	for (int i = 0; r == -1 && errno == EFAULT && retry_safe(SYS_prctl, args) &&
			i < RETRY_PAGES; i++) {
		if (!retry_claim((void *)a2, sizeof(long), SYS_prctl, RA))
			break;
		r = real(op, a2, a3, a4, a5);
	}
	return r;
}

/* System calls that only report: failing with EFAULT they changed nothing,
 * so running them again once the page is given is the untraced result. */
static int retry_safe(long nr, const long *a)
{
	switch (nr) {
	case SYS_uname: case SYS_getcpu: case SYS_sysinfo: case SYS_getrusage:
	case SYS_times: case SYS_getrlimit: case SYS_fstat: case SYS_stat:
	case SYS_lstat: case SYS_newfstatat: case SYS_statx: case SYS_statfs:
	case SYS_fstatfs: case SYS_sched_getaffinity: case SYS_sched_getparam:
	case SYS_getresuid: case SYS_getresgid: case SYS_getgroups:
	case SYS_clock_gettime: case SYS_clock_getres: case SYS_gettimeofday:
	case SYS_getitimer: case SYS_rt_sigpending: case SYS_getcwd:
	case SYS_readlink: case SYS_readlinkat: case SYS_capget:
	case SYS_getsockopt: case SYS_timer_gettime: case SYS_timerfd_gettime:
	case SYS_sched_rr_get_interval: case SYS_getxattr: case SYS_lgetxattr:
	case SYS_fgetxattr: case SYS_listxattr: case SYS_llistxattr:
	case SYS_flistxattr: case SYS_get_robust_list:
		return 1;
	case SYS_prlimit64:
		return a[2] == 0;       /* no new limit: a query */
	case SYS_prctl:
		return a[0] == PR_GET_NAME || a[0] == PR_GET_PDEATHSIG ||
		       a[0] == PR_GET_CHILD_SUBREAPER || a[0] == PR_GET_TID_ADDRESS;
	}
	return 0;
}

/* syscall(): the common writers get their destination by number first;
 * a query (retry_safe) that fails with EFAULT has each pointer-like
 * argument that lies in a protected page given its first write, and runs
 * again.  Other calls are not repeated: wait4 would have reaped its child,
 * accept its connection, recvfrom its datagram. */
CT_EXPORT long syscall(long nr, ...)
{
	REAL_AS(long (*)(long, long, long, long, long, long, long), "syscall");
	va_list ap;
	long a[6];
	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);

	/* libunwind's address check, whose pipe we refuse (unwind.c) */
	if (ct_in_unwinder && nr == SYS_write && (int)a[0] < 0 && a[2] == 1)
		return ct_unwinder_check((const void *)a[1]);
	switch (nr) {
	case SYS_read:
	case SYS_pread64:
		CLAIM(a[1], (size_t)a[2], (int)nr);
		break;
	case SYS_getrandom:
		CLAIM(a[0], (size_t)a[1], (int)nr);
		break;
	case SYS_clock_gettime:
	case SYS_clock_getres:
		CLAIM(a[1], sizeof(struct timespec), (int)nr);
		break;
	case SYS_wait4:       /* a reaped child cannot be reaped again */
		CLAIM(a[1], sizeof(int), (int)nr);
		CLAIM(a[3], sizeof(struct rusage), (int)nr);
		break;
	case SYS_waitid:
		CLAIM(a[2], sizeof(siginfo_t), (int)nr);
		CLAIM(a[4], sizeof(struct rusage), (int)nr);
		break;
	case SYS_accept:      /* nor a connection accepted twice */
	case SYS_accept4:
	case SYS_getsockname:
	case SYS_getpeername:
		ct_claim_sockaddr((void *)a[1], (socklen_t *)a[2], (int)nr, RA);
		break;
	case SYS_recvfrom:    /* nor a datagram received twice */
		CLAIM(a[1], (size_t)a[2], (int)nr);
		ct_claim_sockaddr((void *)a[4], (socklen_t *)a[5], (int)nr, RA);
		break;
	case SYS_pipe:
	case SYS_pipe2:
		CLAIM(a[0], 2 * sizeof(int), (int)nr);
		break;
	case SYS_socketpair:
		CLAIM(a[3], 2 * sizeof(int), (int)nr);
		break;
	case SYS_getdents64:
		CLAIM(a[1], (size_t)a[2], (int)nr);
		break;
	case SYS_seccomp:     /* libseccomp installs its filters this way */
		/* only a valid request: libseccomp probes with invalid ones */
		if (a[0] == SECCOMP_SET_MODE_STRICT && a[1] == 0 && a[2] == 0)
			ct_sandbox_check(SECCOMP_MODE_STRICT, 0);
		else if (a[0] == SECCOMP_SET_MODE_FILTER && a[2] != 0)
			ct_sandbox_check(SECCOMP_MODE_FILTER, (unsigned long)a[2]);
		break;
	case SYS_prctl:
		if (a[0] == PR_SET_SECCOMP)
			ct_sandbox_check((unsigned long)a[1], (unsigned long)a[2]);
		break;
	}
	long r = real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	/* the EFAULT retry only for calls that have no effect when they fail
	 * that way (getters copy their result out last) */
	for (int i = 0; r == -1 && errno == EFAULT && retry_safe(nr, a) && i < RETRY_PAGES; i++) {
		int given = 0;
		for (int k = 0; k < 6; k++)
			given += retry_claim((void *)a[k], sizeof(long), (int)nr, RA);
		if (!given)
			break;
		r = real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
	return r;
}
