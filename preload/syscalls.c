/* syscalls.c - wrappers of the calls whose destination the kernel writes.
 * A kernel write into a write-protected page does not fault: the call fails
 * with EFAULT.  Each wrapper gives the destination's protected pages their
 * first write (recorded with via = the system call) before the real call.
 * glibc's stdio reads into large user buffers through an internal read that
 * no wrapper of read() sees, so fread has a wrapper of its own. */
#include <errno.h>
#include <dirent.h>
#include <dlfcn.h>
#include <poll.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ct.h"

#undef fread_unlocked

#define CT_EXPORT __attribute__((visibility("default")))
#define RA ((uintptr_t)__builtin_return_address(0))
#define CLAIM(p, n, nr) ct_claim_for_kernel((void *)(p), (size_t)(n), (nr), RA)

/* Declares `real`, the next definition of the wrapped function. */
#define REAL(ret, name, params)                                          \
	static ret(*real) params;                                        \
	if (!real)                                                       \
		real = (ret(*) params)ct_next_sym(#name)

static void claim_msg(const struct msghdr *m, int nr, uintptr_t ra)
{
	if (!m)
		return;
	ct_claim_for_kernel(m->msg_name, m->msg_namelen, nr, ra);
	ct_claim_for_kernel(m->msg_control, m->msg_controllen, nr, ra);
	ct_claim_iov(m->msg_iov, (int)m->msg_iovlen, nr, ra);
}

/* Calls that return how much they wrote lend their destination (lend.c):
 * only the pages the result covers count as written. */
#define WRITTEN(r) ((r) > 0 ? (size_t)(r) : 0)

/* fread returns whole items; a last partial item (size > 1) may have
 * been read as well */
static size_t fread_written(size_t items, size_t size, size_t n)
{
	return (items < n && size > 1 ? items + 1 : items) * size;
}

/* ---- files ----------------------------------------------------------- */

CT_EXPORT ssize_t read(int fd, void *buf, size_t n)
{
	REAL(ssize_t, read, (int, void *, size_t));
	/* libunwind's check pipe (refused, fd -1: see unwind.c) from inside
	 * our handler: no cancellation point there */
	if (ct_in_unwinder)
		return ct_syscall(SYS_read, fd, (long)buf, (long)n, 0, 0, 0);
	struct ct_lend l;
	ct_lend(&l, buf, n);
	ssize_t r = real(fd, buf, n);
	ct_settle(&l, WRITTEN(r), SYS_read, RA);
	return r;
}

CT_EXPORT ssize_t pread64(int fd, void *buf, size_t n, off_t off)
{
	REAL(ssize_t, pread64, (int, void *, size_t, off_t));
	struct ct_lend l;
	ct_lend(&l, buf, n);
	ssize_t r = real(fd, buf, n, off);
	ct_settle(&l, WRITTEN(r), SYS_pread64, RA);
	return r;
}

CT_EXPORT ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	REAL(ssize_t, pread, (int, void *, size_t, off_t));
	struct ct_lend l;
	ct_lend(&l, buf, n);
	ssize_t r = real(fd, buf, n, off);
	ct_settle(&l, WRITTEN(r), SYS_pread64, RA);
	return r;
}

CT_EXPORT ssize_t readv(int fd, const struct iovec *iov, int n)
{
	REAL(ssize_t, readv, (int, const struct iovec *, int));
	struct ct_lend_iov v;
	ct_lend_iov(&v, iov, n, SYS_readv, RA);
	ssize_t r = real(fd, iov, n);
	ct_settle_iov(&v, r, SYS_readv, RA);
	return r;
}

CT_EXPORT ssize_t preadv(int fd, const struct iovec *iov, int n, off_t off)
{
	REAL(ssize_t, preadv, (int, const struct iovec *, int, off_t));
	struct ct_lend_iov v;
	ct_lend_iov(&v, iov, n, SYS_preadv, RA);
	ssize_t r = real(fd, iov, n, off);
	ct_settle_iov(&v, r, SYS_preadv, RA);
	return r;
}

CT_EXPORT size_t fread(void *buf, size_t size, size_t n, FILE *f)
{
	REAL(size_t, fread, (void *, size_t, size_t, FILE *));
	struct ct_lend l;
	ct_lend(&l, buf, size && n <= SIZE_MAX / size ? size * n : 0);
	size_t r = real(buf, size, n, f);
	ct_settle(&l, fread_written(r, size, n), SYS_read, RA);
	return r;
}

CT_EXPORT size_t fread_unlocked(void *buf, size_t size, size_t n, FILE *f)
{
	REAL(size_t, fread_unlocked, (void *, size_t, size_t, FILE *));
	struct ct_lend l;
	ct_lend(&l, buf, size && n <= SIZE_MAX / size ? size * n : 0);
	size_t r = real(buf, size, n, f);
	ct_settle(&l, fread_written(r, size, n), SYS_read, RA);
	return r;
}

CT_EXPORT int fstat(int fd, struct stat *st)
{
	REAL(int, fstat, (int, struct stat *));
	CLAIM(st, sizeof *st, SYS_fstat);
	return real(fd, st);
}

CT_EXPORT int stat(const char *path, struct stat *st)
{
	REAL(int, stat, (const char *, struct stat *));
	CLAIM(st, sizeof *st, SYS_newfstatat);
	return real(path, st);
}

CT_EXPORT int lstat(const char *path, struct stat *st)
{
	REAL(int, lstat, (const char *, struct stat *));
	CLAIM(st, sizeof *st, SYS_newfstatat);
	return real(path, st);
}

CT_EXPORT int fstatat(int dfd, const char *path, struct stat *st, int flags)
{
	REAL(int, fstatat, (int, const char *, struct stat *, int));
	CLAIM(st, sizeof *st, SYS_newfstatat);
	return real(dfd, path, st, flags);
}

CT_EXPORT int statx(int dfd, const char *path, int flags, unsigned mask, struct statx *st)
{
	REAL(int, statx, (int, const char *, int, unsigned, struct statx *));
	CLAIM(st, sizeof *st, SYS_statx);
	return real(dfd, path, flags, mask, st);
}

CT_EXPORT int statfs(const char *path, struct statfs *st)
{
	REAL(int, statfs, (const char *, struct statfs *));
	CLAIM(st, sizeof *st, SYS_statfs);
	return real(path, st);
}

CT_EXPORT int fstatfs(int fd, struct statfs *st)
{
	REAL(int, fstatfs, (int, struct statfs *));
	CLAIM(st, sizeof *st, SYS_fstatfs);
	return real(fd, st);
}

CT_EXPORT ssize_t readlink(const char *path, char *buf, size_t n)
{
	REAL(ssize_t, readlink, (const char *, char *, size_t));
	CLAIM(buf, n, SYS_readlink);
	return real(path, buf, n);
}

CT_EXPORT ssize_t readlinkat(int dfd, const char *path, char *buf, size_t n)
{
	REAL(ssize_t, readlinkat, (int, const char *, char *, size_t));
	CLAIM(buf, n, SYS_readlinkat);
	return real(dfd, path, buf, n);
}

CT_EXPORT ssize_t getdents64(int fd, void *buf, size_t n)
{
	REAL(ssize_t, getdents64, (int, void *, size_t));
	struct ct_lend l;
	ct_lend(&l, buf, n);
	ssize_t r = real(fd, buf, n);
	ct_settle(&l, WRITTEN(r), SYS_getdents64, RA);
	return r;
}

CT_EXPORT char *getcwd(char *buf, size_t n)
{
	REAL(char *, getcwd, (char *, size_t));
	CLAIM(buf, n, SYS_getcwd);
	return real(buf, n);
}

CT_EXPORT int pipe(int fds[2])
{
	REAL(int, pipe, (int *));
	CLAIM(fds, 2 * sizeof(int), SYS_pipe);
	return real(fds);
}

CT_EXPORT int pipe2(int fds[2], int flags)
{
	REAL(int, pipe2, (int *, int));
	if (ct_in_unwinder) {           /* libunwind's pipe: see unwind.c */
		errno = EMFILE;
		return -1;
	}
	CLAIM(fds, 2 * sizeof(int), SYS_pipe2);
	return real(fds, flags);
}

/* ---- process and system information ------------------------------------ */

CT_EXPORT int uname(struct utsname *u)
{
	REAL(int, uname, (struct utsname *));
	CLAIM(u, sizeof *u, SYS_uname);
	return real(u);
}

CT_EXPORT int getrlimit(__rlimit_resource_t res, struct rlimit *rl)
{
	REAL(int, getrlimit, (__rlimit_resource_t, struct rlimit *));
	CLAIM(rl, sizeof *rl, SYS_prlimit64);
	return real(res, rl);
}

CT_EXPORT int prlimit(pid_t pid, __rlimit_resource_t res, const struct rlimit *nl,
		      struct rlimit *ol)
{
	REAL(int, prlimit, (pid_t, __rlimit_resource_t, const struct rlimit *, struct rlimit *));
	CLAIM(ol, sizeof *ol, SYS_prlimit64);
	return real(pid, res, nl, ol);
}

CT_EXPORT int getrusage(__rusage_who_t who, struct rusage *ru)
{
	REAL(int, getrusage, (__rusage_who_t, struct rusage *));
	CLAIM(ru, sizeof *ru, SYS_getrusage);
	return real(who, ru);
}

CT_EXPORT clock_t times(struct tms *t)
{
	REAL(clock_t, times, (struct tms *));
	CLAIM(t, sizeof *t, SYS_times);
	return real(t);
}

CT_EXPORT int sysinfo(struct sysinfo *si)
{
	REAL(int, sysinfo, (struct sysinfo *));
	CLAIM(si, sizeof *si, SYS_sysinfo);
	return real(si);
}

CT_EXPORT ssize_t getrandom(void *buf, size_t n, unsigned flags)
{
	REAL(ssize_t, getrandom, (void *, size_t, unsigned));
	CLAIM(buf, n, SYS_getrandom);
	return real(buf, n, flags);
}

CT_EXPORT int getgroups(int n, gid_t *list)
{
	REAL(int, getgroups, (int, gid_t *));
	if (n > 0)
		CLAIM(list, (size_t)n * sizeof *list, SYS_getgroups);
	return real(n, list);
}

CT_EXPORT int sched_getaffinity(pid_t pid, size_t n, cpu_set_t *set)
{
	REAL(int, sched_getaffinity, (pid_t, size_t, cpu_set_t *));
	CLAIM(set, n, SYS_sched_getaffinity);
	return real(pid, n, set);
}

CT_EXPORT int nanosleep(const struct timespec *req, struct timespec *rem)
{
	REAL(int, nanosleep, (const struct timespec *, struct timespec *));
	CLAIM(rem, sizeof *rem, SYS_nanosleep);
	return real(req, rem);
}

CT_EXPORT int clock_nanosleep(clockid_t c, int flags, const struct timespec *req,
			      struct timespec *rem)
{
	REAL(int, clock_nanosleep, (clockid_t, int, const struct timespec *, struct timespec *));
	CLAIM(rem, sizeof *rem, SYS_clock_nanosleep);
	return real(c, flags, req, rem);
}

CT_EXPORT pid_t wait4(pid_t pid, int *status, int opt, struct rusage *ru)
{
	REAL(pid_t, wait4, (pid_t, int *, int, struct rusage *));
	CLAIM(status, sizeof *status, SYS_wait4);
	CLAIM(ru, sizeof *ru, SYS_wait4);
	return real(pid, status, opt, ru);
}

CT_EXPORT pid_t waitpid(pid_t pid, int *status, int opt)
{
	REAL(pid_t, waitpid, (pid_t, int *, int));
	CLAIM(status, sizeof *status, SYS_wait4);
	return real(pid, status, opt);
}

CT_EXPORT pid_t wait(int *status)
{
	REAL(pid_t, wait, (int *));
	CLAIM(status, sizeof *status, SYS_wait4);
	return real(status);
}

CT_EXPORT int waitid(idtype_t type, id_t id, siginfo_t *si, int opt)
{
	REAL(int, waitid, (idtype_t, id_t, siginfo_t *, int));
	CLAIM(si, sizeof *si, SYS_waitid);
	return real(type, id, si, opt);
}

CT_EXPORT int sigpending(sigset_t *set)
{
	REAL(int, sigpending, (sigset_t *));
	CLAIM(set, sizeof *set, SYS_rt_sigpending);
	return real(set);
}

CT_EXPORT int sigtimedwait(const sigset_t *set, siginfo_t *si, const struct timespec *t)
{
	REAL(int, sigtimedwait, (const sigset_t *, siginfo_t *, const struct timespec *));
	CLAIM(si, sizeof *si, SYS_rt_sigtimedwait);
	return real(set, si, t);
}

CT_EXPORT int sigwaitinfo(const sigset_t *set, siginfo_t *si)
{
	REAL(int, sigwaitinfo, (const sigset_t *, siginfo_t *));
	CLAIM(si, sizeof *si, SYS_rt_sigtimedwait);
	return real(set, si);
}

/* ---- polling --------------------------------------------------------- */

CT_EXPORT int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	REAL(int, poll, (struct pollfd *, nfds_t, int));
	CLAIM(fds, n * sizeof *fds, SYS_poll);
	return real(fds, n, timeout);
}

CT_EXPORT int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *t, const sigset_t *m)
{
	REAL(int, ppoll, (struct pollfd *, nfds_t, const struct timespec *, const sigset_t *));
	sigset_t copy;
	CLAIM(fds, n * sizeof *fds, SYS_ppoll);
	return real(fds, n, t, ct_wait_mask(m, &copy));
}

static void claim_fdsets(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *t,
			 int nr, uintptr_t ra)
{
	size_t bytes = n > 0 ? ((size_t)n + 63) / 64 * 8 : 0;
	ct_claim_for_kernel(r, bytes, nr, ra);
	ct_claim_for_kernel(w, bytes, nr, ra);
	ct_claim_for_kernel(e, bytes, nr, ra);
	ct_claim_for_kernel(t, t ? sizeof *t : 0, nr, ra);
}

CT_EXPORT int select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *t)
{
	REAL(int, select, (int, fd_set *, fd_set *, fd_set *, struct timeval *));
	claim_fdsets(n, r, w, e, t, SYS_select, RA);
	return real(n, r, w, e, t);
}

CT_EXPORT int pselect(int n, fd_set *r, fd_set *w, fd_set *e, const struct timespec *t,
		      const sigset_t *m)
{
	REAL(int, pselect, (int, fd_set *, fd_set *, fd_set *, const struct timespec *,
			    const sigset_t *));
	sigset_t copy;
	claim_fdsets(n, r, w, e, NULL, SYS_pselect6, RA);
	return real(n, r, w, e, t, ct_wait_mask(m, &copy));
}

CT_EXPORT int epoll_wait(int ep, struct epoll_event *ev, int n, int timeout)
{
	REAL(int, epoll_wait, (int, struct epoll_event *, int, int));
	if (n > 0)
		CLAIM(ev, (size_t)n * sizeof *ev, SYS_epoll_wait);
	return real(ep, ev, n, timeout);
}

CT_EXPORT int epoll_pwait(int ep, struct epoll_event *ev, int n, int timeout, const sigset_t *m)
{
	REAL(int, epoll_pwait, (int, struct epoll_event *, int, int, const sigset_t *));
	sigset_t copy;
	if (n > 0)
		CLAIM(ev, (size_t)n * sizeof *ev, SYS_epoll_pwait);
	return real(ep, ev, n, timeout, ct_wait_mask(m, &copy));
}

/* ---- sockets --------------------------------------------------------- */

CT_EXPORT ssize_t recv(int fd, void *buf, size_t n, int flags)
{
	REAL(ssize_t, recv, (int, void *, size_t, int));
	struct ct_lend l;
	ct_lend(&l, buf, n);
	ssize_t r = real(fd, buf, n, flags);
	ct_settle(&l, WRITTEN(r), SYS_recvfrom, RA);
	return r;
}

CT_EXPORT ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *a,
			   socklen_t *alen)
{
	REAL(ssize_t, recvfrom, (int, void *, size_t, int, struct sockaddr *, socklen_t *));
	struct ct_lend l;
	ct_lend(&l, buf, n);
	ct_claim_sockaddr(a, alen, SYS_recvfrom, RA);
	ssize_t r = real(fd, buf, n, flags, a, alen);
	ct_settle(&l, WRITTEN(r), SYS_recvfrom, RA);
	return r;
}

CT_EXPORT ssize_t recvmsg(int fd, struct msghdr *m, int flags)
{
	REAL(ssize_t, recvmsg, (int, struct msghdr *, int));
	struct ct_lend_iov v = { 0 };
	if (m) {
		ct_claim_for_kernel(m->msg_name, m->msg_namelen, SYS_recvmsg, RA);
		ct_claim_for_kernel(m->msg_control, m->msg_controllen, SYS_recvmsg, RA);
		ct_lend_iov(&v, m->msg_iov, (int)m->msg_iovlen, SYS_recvmsg, RA);
	}
	ssize_t r = real(fd, m, flags);
	ct_settle_iov(&v, r, SYS_recvmsg, RA);
	return r;
}

CT_EXPORT int recvmmsg(int fd, struct mmsghdr *v, unsigned n, int flags, struct timespec *t)
{
	REAL(int, recvmmsg, (int, struct mmsghdr *, unsigned, int, struct timespec *));
	for (unsigned i = 0; v && i < n; i++) {
		claim_msg(&v[i].msg_hdr, SYS_recvmmsg, RA);
		CLAIM(&v[i].msg_len, sizeof v[i].msg_len, SYS_recvmmsg);
	}
	return real(fd, v, n, flags, t);
}

CT_EXPORT int socketpair(int d, int type, int proto, int sv[2])
{
	REAL(int, socketpair, (int, int, int, int *));
	CLAIM(sv, 2 * sizeof(int), SYS_socketpair);
	return real(d, type, proto, sv);
}

CT_EXPORT int accept(int fd, struct sockaddr *a, socklen_t *alen)
{
	REAL(int, accept, (int, struct sockaddr *, socklen_t *));
	ct_claim_sockaddr(a, alen, SYS_accept, RA);
	return real(fd, a, alen);
}

CT_EXPORT int accept4(int fd, struct sockaddr *a, socklen_t *alen, int flags)
{
	REAL(int, accept4, (int, struct sockaddr *, socklen_t *, int));
	ct_claim_sockaddr(a, alen, SYS_accept4, RA);
	return real(fd, a, alen, flags);
}

CT_EXPORT int getsockname(int fd, struct sockaddr *a, socklen_t *alen)
{
	REAL(int, getsockname, (int, struct sockaddr *, socklen_t *));
	ct_claim_sockaddr(a, alen, SYS_getsockname, RA);
	return real(fd, a, alen);
}

CT_EXPORT int getpeername(int fd, struct sockaddr *a, socklen_t *alen)
{
	REAL(int, getpeername, (int, struct sockaddr *, socklen_t *));
	ct_claim_sockaddr(a, alen, SYS_getpeername, RA);
	return real(fd, a, alen);
}

CT_EXPORT int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	REAL(int, getsockopt, (int, int, int, void *, socklen_t *));
	ct_claim_sockaddr(val, len, SYS_getsockopt, RA);
	return real(fd, level, name, val, len);
}
