/* uffd.c - the scan backend (COWTRACE_MODE=scan): the writable ranges are
 * registered with a userfaultfd in asynchronous write-protect mode, and the
 * PAGEMAP_SCAN ioctl lists the pages written since.  The kernel resolves the
 * write-protect faults itself: no signal, no thread waits, and kernel writes
 * (read() into a global) just work.  Nothing here runs in signal context. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include "ct.h"
#include "uffd-compat.h"

static int uffd = -1;
static int started;     /* the backend runs (even if the program has since
			 * closed our descriptor: a fork child opens its own) */

/* The tracer's own ioctl: past its ioctl wrapper (kwrites.c). */
static long sys_ioctl(int fd, unsigned long req, void *arg)
{
	return ct_syscall(SYS_ioctl, fd, (long)req, (long)arg, 0, 0, 0);
}

/* The descriptor is the one thing this backend keeps: above what programs
 * use (64 below the soft limit; under a small limit, the highest number
 * free), close-on-exec, so that the numbers the program gets are those it
 * gets untraced. */
static int move_high(int fd)
{
	struct rlimit rl;
	long floor = 256, low = 256;
	if (ct_syscall(SYS_getrlimit, RLIMIT_NOFILE, (long)&rl, 0, 0, 0, 0) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY) {
		floor = rl.rlim_cur > 64 ? (long)rl.rlim_cur - 64 : (long)rl.rlim_cur - 1;
		low = floor > 8 ? floor - 8 : 1;
	}
	for (; floor > fd && floor >= low; floor--) {
		int high = (int)ct_syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, floor, 0, 0, 0);
		if (high >= 0) {
			ct_sys_close(fd);
			return high;
		}
	}
	return fd;
}

/* Is fd still our userfaultfd (the program may have closed it and reused
 * the number)? */
static int still_ours(int fd)
{
	char path[32] = "/proc/self/fd/", link[64];
	char *p = ct_utoa(path + 14, (unsigned long)fd);
	*p = 0;
	ssize_t n = ct_sys_readlink(path, link, sizeof link - 1);
	if (n <= 0)
		return 0;
	link[n] = 0;
	return strcmp(link, "anon_inode:[userfaultfd]") == 0;
}

/* Opens and sets up this process's userfaultfd.  Plain userfaultfd needs
 * CAP_SYS_PTRACE when vm.unprivileged_userfaultfd is 0 (Debian's default);
 * a user-mode-only one does not, and asynchronous write-protect never
 * raises a kernel-mode fault that it would refuse. */
static int open_uffd(const char **why)
{
	int fd = (int)ct_syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK, 0, 0, 0, 0, 0);
	if (fd < 0)
		fd = (int)ct_syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY,
				     0, 0, 0, 0, 0);
	if (fd < 0) {
		*why = "userfaultfd is not available";
		return -1;
	}
	struct uffdio_api api = { .api = UFFD_API,
				  .features = UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED };
	if (sys_ioctl(fd, UFFDIO_API, &api) != 0) {
		ct_sys_close(fd);
		*why = "the kernel has no asynchronous userfaultfd write-protect (6.7 or later)";
		return -1;
	}
	return move_high(fd);
}

/* Can PAGEMAP_SCAN be used (Linux 6.7)?  An empty range answers. */
static int pagemap_scan_works(void)
{
	int pm = ct_sys_open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC, 0);
	if (pm < 0)
		return 0;
	struct page_region v[1];
	struct pm_scan_arg a = { .size = sizeof a, .start = 0, .end = 0,
				 .vec = (uintptr_t)v, .vec_len = 1 };
	int ok = sys_ioctl(pm, PAGEMAP_SCAN, &a) >= 0;
	ct_sys_close(pm);
	return ok;
}

static int uffd_start(void)
{
	const char *why = NULL;
	if (ct_sandbox_forbids(0))
		why = "a seccomp filter forbids userfaultfd";
	else if (!pagemap_scan_works())
		why = "the kernel has no PAGEMAP_SCAN (6.7 or later)";
	else
		uffd = open_uffd(&why);
	if (uffd >= 0) {
		started = 1;
		return 0;
	}
	ct_warn("COWTRACE_MODE=scan: ", why, "; using the signal backend", NULL);
	ct_log_note(UINT32_MAX, CT_WHY_UFFD, why);
	return -1;
}

/* Registers and write-protects the writable ranges of m (RELRO is left to
 * the pagemap scans: ld.so has made it read-only).  A range the program
 * registered itself (EBUSY) is left to those scans too, with a note. */
static void uffd_arm(struct ct_module *m)
{
	if (uffd < 0 || m->reason == CT_WHY_TRACER || m->reason == CT_WHY_EXCLUDED)
		return;
	for (int i = 0; i < m->nranges; i++) {
		struct ct_range *r = &m->ranges[i];
		struct uffdio_register reg = { .range = { r->start, r->end - r->start },
					       .mode = UFFDIO_REGISTER_MODE_WP };
		struct uffdio_writeprotect wp = { .range = { r->start, r->end - r->start },
						  .mode = UFFDIO_WRITEPROTECT_MODE_WP };
		if (sys_ioctl(uffd, UFFDIO_REGISTER, &reg) != 0 ||
		    sys_ioctl(uffd, UFFDIO_WRITEPROTECT, &wp) != 0) {
			ct_log_note(m->id, CT_WHY_UFFD, errno == EBUSY ?
				    "range registered by the program's own userfaultfd: found by scans only" :
				    "userfaultfd registration failed: found by scans only");
			continue;
		}
		r->armed = 1;
	}
}

/* Once per scan: is the userfaultfd still there?  The program may close
 * it (closefrom, close_range: descriptors are its business); the kernel
 * then drops every registration, and the pagemap scans find the pages
 * written from then on, without a time window as narrow. */
static int uffd_alive(void)
{
	static unsigned checked = ~0u;
	if (uffd < 0 || checked == ct.scans)
		return uffd >= 0;
	checked = ct.scans;
	if (still_ours(uffd))
		return 1;
	uffd = -1;              /* never touched again: the number may be reused */
	for (uint32_t i = 0; i < ct.nmodules; i++)
		for (int k = 0; k < ct.modules[i].nranges; k++)
			ct.modules[i].ranges[k].armed = 0;
	ct_log_note(UINT32_MAX, CT_WHY_UFFD, "the program closed the tracer's userfaultfd: "
		    "written pages are found by the pagemap scans from then on");
	return 0;
}

/* Logs the pages of m's armed ranges written since they were armed and not
 * logged yet: each was first written between the previous scan and this
 * one (its record's time).  Only the part of a range that holds pages not
 * logged yet is asked about, and a range whose pages are all logged not
 * at all (most of them, once a program has run a while). */
static void uffd_collect(int pm, struct ct_module *m)
{
	struct page_region v[64];
	if (!uffd_alive())
		return;
	for (int i = 0; i < m->nranges; i++) {
		struct ct_range *r = &m->ranges[i];
		uintptr_t lo = r->start, hi = r->end;
		if (!r->armed || !ct_seen_unlogged(m, &lo, &hi))
			continue;
		for (uintptr_t at = lo; at < hi;) {
			struct pm_scan_arg a = {
				.size = sizeof a, .start = at, .end = hi,
				.vec = (uintptr_t)v, .vec_len = 64,
				/* pages of a mapping that is not registered (the
				 * program replaced ours) read as written too */
				.category_mask = PAGE_IS_WRITTEN | PAGE_IS_WPALLOWED,
				.return_mask = PAGE_IS_WRITTEN,
			};
			long n = sys_ioctl(pm, PAGEMAP_SCAN, &a);
			if (n < 0)
				break;
			for (long k = 0; k < n; k++)
				for (uintptr_t p = v[k].start; p < v[k].end; p += ct.page_size)
					ct_log_written(m, p);
			if (a.walk_end <= at)
				break;
			at = a.walk_end;
		}
	}
}

/* A seccomp filter forbids userfaultfd (sandbox.c): fork children no
 * longer open one. */
void ct_uffd_no_reopen(void)
{
	started = 0;
}

/* Registration is not inherited (no UFFD_FEATURE_EVENT_FORK): the child
 * opens its own userfaultfd and write-protects its ranges again, so that
 * pages it shares with its parent count when it writes them. */
static void uffd_fork_child(void)
{
	if (!started)
		return;
	if (uffd >= 0 && still_ours(uffd))   /* never a number the program has reused */
		ct_sys_close(uffd);
	const char *why = NULL;
	uffd = open_uffd(&why);
	if (uffd < 0) {
		ct_warn("COWTRACE_MODE=scan: ", why, " in a forked child; its pages are found by scans only",
			NULL);
		ct_log_note(UINT32_MAX, CT_WHY_UFFD, why);
	}
	for (uint32_t i = 0; i < ct.nmodules; i++) {
		struct ct_module *m = &ct.modules[i];
		for (int k = 0; k < m->nranges; k++)
			m->ranges[k].armed = 0;
		if (atomic_load(&m->live))
			uffd_arm(m);
	}
}

const struct ct_backend ct_backend_uffd = {
	.name = "scan",
	.start = uffd_start,
	.arm = uffd_arm,
	.collect = uffd_collect,
	.fork_child = uffd_fork_child,
};
