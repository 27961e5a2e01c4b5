/* sandbox.c - programs that forbid system calls to themselves: when a
 * seccomp filter the program installs with prctl() would make mprotect
 * fail, the tracer gives every page back first and stops watching (a
 * protected page it could no longer unprotect would kill the program at
 * its first write).  Both ways of installing one are seen: prctl() and
 * syscall(SYS_seccomp, ...) (libseccomp's way), both wrapped in kwrites.c. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <linux/userfaultfd.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ct.h"

enum { PROBE_HANDLER, PROBE_BACKTRACES, PROBE_SAMPLES, PROBE_UFFD };

/* In a copy of the process: installs the filter, then makes the calls of
 * the handler, of backtraces, the one that opens a thread's fault-sample
 * event, or the one a fork child makes to open its userfaultfd.  Only raw
 * system calls, and never a return: the copy runs the program's code. */
static void probe_child(unsigned long mode, unsigned long prog, void *page, size_t ps,
			int what)
{
	int code = 0;
	void *head;
	size_t len;
	char byte;
	struct iovec local = { &byte, 1 }, remote = { page, 1 };
	if (mode && (ct_syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0) != 0 ||
		     ct_syscall(SYS_prctl, PR_SET_SECCOMP, (long)mode, (long)prog, 0, 0, 0) != 0))
		code = 1;       /* refused: the program's call fails too */
	else if (what == PROBE_SAMPLES)
		code = ct_perf_probe() != 0 ? 2 : 0;
	else if (what == PROBE_UFFD)
		code = ct_syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY,
				  0, 0, 0, 0, 0) < 0 ? 2 : 0;
	else if (what == PROBE_HANDLER)
		code = ct_syscall(SYS_mprotect, (long)page, (long)ps, PROT_READ, 0, 0, 0) != 0 ||
		       ct_syscall(SYS_mprotect, (long)page, (long)ps, PROT_READ | PROT_WRITE,
				  0, 0, 0) != 0 ||
		       ct_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0) < 0 ||
		       ct_syscall(SYS_gettid, 0, 0, 0, 0, 0, 0) < 0 ? 2 : 0;
	else
		code = ct_syscall(SYS_get_robust_list, 0, (long)&head, (long)&len, 0, 0, 0) != 0 ||
		       ct_syscall(SYS_process_vm_readv, ct_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0),
				  (long)&local, 1, (long)&remote, 1, 0) != 1 ? 2 : 0;
	for (;;) {              /* a filter may refuse exit_group too */
		ct_syscall(SYS_exit_group, code, 0, 0, 0, 0, 0);
		ct_syscall(SYS_exit, code, 0, 0, 0, 0, 0);
	}
}

/* 1 when the calls fail or kill under the filter (or cannot be tried). */
static int probe(unsigned long mode, unsigned long prog, void *page, size_t ps, int what)
{
	long pid = ct_syscall(SYS_clone, 0, 0, 0, 0, 0, 0);
	if (pid == 0)
		probe_child(mode, prog, page, ps, what);
	if (pid < 0)
		return 1;
	int st = 0;
	while (ct_syscall(SYS_wait4, pid, (long)&st, __WALL, 0, 0, 0) < 0 && errno == EINTR)
		;
	/* 2: a call failed; killed: by the filter; 1: the filter was
	 * refused, as the program's own call will be */
	return WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) == 2);
}

/* Installs the filter in throwaway copies of the process (clone without
 * an exit signal: the program's SIGCHLD handler never hears of them, and no
 * atfork handler runs) and tries there the system calls the fault handler
 * makes (the two protections the tracer sets, getpid, gettid), then those
 * of backtraces (get_robust_list, process_vm_readv).  Returns 0 when all
 * work, 1 when the handler's fail (or kill), 2 when only the backtraces'
 * do. */
static int filter_forbids_mprotect(unsigned long mode, unsigned long prog)
{
	if (mode == SECCOMP_MODE_STRICT)
		return 1;
	if (mode != SECCOMP_MODE_FILTER)
		return 0;
	size_t ps = ct.page_size;
	void *page = ct_sys_mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return 1;               /* cannot tell: be safe */
	int r = probe(mode, prog, page, ps, PROBE_HANDLER) ? 1 :
		probe(mode, prog, page, ps, PROBE_BACKTRACES) ? 2 : 0;
	ct_sys_munmap(page, ps);
	return r;
}

/* New threads open a sampling event, and a fork child of the scan or perf
 * backend a userfaultfd: under a filter that forbids those calls (or kills
 * for them) neither is tried again, with a note. */
static void probe_later_calls(unsigned long mode, unsigned long prog)
{
	size_t ps = ct.page_size;
	if (ct_perf_sampling() &&
	    (mode == SECCOMP_MODE_STRICT || probe(mode, prog, NULL, ps, PROBE_SAMPLES))) {
		ct_perf_stop();
		ct_log_note(UINT32_MAX, CT_WHY_PERF, "a seccomp filter forbids perf_event_open: "
			    "threads started from now on have no fault samples");
	}
	if (ct.backend != &ct_backend_signal &&
	    (mode == SECCOMP_MODE_STRICT || probe(mode, prog, NULL, ps, PROBE_UFFD))) {
		ct_uffd_no_reopen();
		ct_log_note(UINT32_MAX, CT_WHY_UFFD, "a seccomp filter forbids userfaultfd: "
			    "fork children from now on are watched by pagemap scans only");
	}
}

/* Before the program's own filter goes on: every tracked page writable
 * again and the fault handler idle, with one line.  The log goes on: at
 * exit the pages dirtied since are found there (pagemap), as for modules
 * given up.  Other threads may fault meanwhile: the handler stays active
 * until no page is protected. */
static void before_filter(unsigned long mode, unsigned long prog)
{
	if (!ct.initialized || ct.disabled || !atomic_load(&ct.active))
		return;
	probe_later_calls(mode, prog);
	int forbids = filter_forbids_mprotect(mode, prog);
	if (forbids == 2 && ct.opt.backtrace) {
		ct.opt.backtrace = 0;
		ct_log_note(UINT32_MAX, CT_WHY_NONE,
			    "a seccomp filter forbids the system calls of backtraces: none from now on");
	}
	if (forbids != 1)
		return;
	pthread_mutex_lock(&ct.lock); /* SIGNAL-UNSAFE-OK: prctl is not called from handlers */
	int quiet = ct.opt.quiet;
	ct.opt.quiet = 1;                /* one line for all modules, below */
	for (uint32_t i = 0; i < ct.nmodules; i++)
		if (atomic_load(&ct.modules[i].live))
			ct_module_degrade(&ct.modules[i], CT_WHY_MPROTECT);
	ct.opt.quiet = quiet;
	atomic_store(&ct.active, 0);     /* and no module attached from now on */
	ct_log_note(UINT32_MAX, CT_WHY_MPROTECT, "a seccomp filter forbids mprotect: tracing stopped");
	ct_warn("the program installs a seccomp filter that forbids mprotect: tracing stops; "
		"pages written from now on are counted at exit, without writers", NULL);
	pthread_mutex_unlock(&ct.lock);
}

/* Is this process under a seccomp filter from the start (a service
 * manager's, a container's)?  Seen in /proc/self/status, whose Groups line
 * can be long.  Called once (ct_sandbox_forbids), possibly from a fault
 * handler on a small alternate stack: the buffer is static.  SIGNAL-SAFE */
static int filtered_now(void)
{
	static char buf[65536];
	int fd = ct_sys_open("/proc/self/status", O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	size_t used = 0;
	ssize_t n;
	while (used < sizeof buf - 1 && (n = ct_sys_read(fd, buf + used, sizeof buf - 1 - used)) > 0)
		used += (size_t)n;
	ct_sys_close(fd);
	buf[used] = 0;
	const char *s = strstr(buf, "\nSeccomp:");
	if (!s)
		return 0;
	for (s += 9; *s == ' ' || *s == '\t'; s++)
		;
	return *s >= '1' && *s <= '9';
}

/* At start: 1 when the filter the process inherited refuses or kills the
 * call that opens a fault-sample event (samples) or a userfaultfd (!samples):
 * tried in a throwaway copy, which inherits the filter too.  0 without a
 * filter (no copy is made). */
int ct_sandbox_forbids(int samples)
{
	static int filtered = -1;
	if (filtered < 0)
		filtered = filtered_now();
	return filtered && probe(0, 0, NULL, ct.page_size, samples ? PROBE_SAMPLES : PROBE_UFFD);
}

/* From the prctl() and syscall() wrappers (kwrites.c), before a seccomp
 * filter goes on: mode is SECCOMP_MODE_STRICT or SECCOMP_MODE_FILTER. */
void ct_sandbox_check(unsigned long mode, unsigned long prog)
{
	int saved = errno;
	before_filter(mode, prog);
	errno = saved;
}
