/* sandbox.c - programs that forbid system calls to themselves: when a
 * seccomp filter the program installs with prctl() would make mprotect
 * fail, the tracer gives every page back first and stops watching (a
 * protected page it could no longer unprotect would kill the program at
 * its first write).  Both ways of installing one are seen: prctl() and
 * syscall(SYS_seccomp, ...) (libseccomp's way), both wrapped in kwrites.c. */
#include <dlfcn.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ct.h"

/* Installs the filter in a throwaway copy of the process and tries there
 * the two protections the tracer sets.  The copy is made by clone without
 * an exit signal: the program's SIGCHLD handler never hears of it, and no
 * atfork handler runs.  Returns 1 when mprotect fails (or kills) there. */
static int filter_forbids_mprotect(unsigned long mode, unsigned long prog)
{
	if (mode == SECCOMP_MODE_STRICT)
		return 1;
	if (mode != SECCOMP_MODE_FILTER)
		return 0;
	size_t ps = ct.page_size;
	void *page = ct_sys_mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return 0;
	long pid = ct_syscall(SYS_clone, (long)(0ul), (long)NULL, (long)NULL, (long)NULL, (long)(0ul), 0);
	if (pid == 0) {
		/* only raw system calls in here, and never a return: this is
		 * a copy of the program */
		int code = 0;
		if (ct_syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0) != 0 ||
		    ct_syscall(SYS_prctl, PR_SET_SECCOMP, (long)mode, (long)prog, 0, 0, 0) != 0)
			code = 1;       /* refused: the program's call fails too */
		else if (ct_syscall(SYS_mprotect, (long)page, (long)ps, PROT_READ, 0, 0, 0) != 0 ||
			 ct_syscall(SYS_mprotect, (long)page, (long)ps, PROT_READ | PROT_WRITE,
				    0, 0, 0) != 0)
			code = 2;
		for (;;) {              /* a filter may refuse exit_group too */
			ct_syscall(SYS_exit_group, code, 0, 0, 0, 0, 0);
			ct_syscall(SYS_exit, code, 0, 0, 0, 0, 0);
		}
	}
	int st = 0, forbidden = pid < 0;  /* cannot tell: be safe */
	if (pid > 0) {
		while (ct_syscall(SYS_wait4, (long)pid, (long)(&st), (long)__WALL, (long)NULL, 0, 0) < 0 && errno == EINTR)
			;
		/* 2: mprotect failed; killed: by the filter; 1: the filter
		 * was refused, as the program's own call will be */
		forbidden = WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) == 2);
	}
	ct_sys_munmap(page, ps);
	return forbidden;
}

/* Before the program's own filter goes on: every tracked page writable
 * again and the fault handler idle, with one line.  The log goes on: at
 * exit the pages dirtied since are found there (pagemap), as for modules
 * given up.  Other threads may fault meanwhile: the handler stays active
 * until no page is protected. */
static void before_filter(unsigned long mode, unsigned long prog)
{
	if (!ct.initialized || ct.disabled || !atomic_load(&ct.active) ||
	    !filter_forbids_mprotect(mode, prog))
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

/* From the prctl() and syscall() wrappers (kwrites.c), before a seccomp
 * filter goes on: mode is SECCOMP_MODE_STRICT or SECCOMP_MODE_FILTER. */
void ct_sandbox_check(unsigned long mode, unsigned long prog)
{
	int saved = errno;
	before_filter(mode, prog);
	errno = saved;
}
