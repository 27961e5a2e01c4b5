/* init.c - attaching to the process: from the audit module right after
 * relocation (before any constructor) when LD_AUDIT is set, otherwise from
 * this library's constructor; and the clean end at exit. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "ct.h"

#define CT_EXPORT __attribute__((visibility("default")))

struct ct_state ct = { .lock = PTHREAD_MUTEX_INITIALIZER, .exit_status = -1,
		       .phase = CT_PHASE_STARTUP };

/* SIGNAL-SAFE: stop for good: no more claims, one line, one note. */
void ct_disable(const char *why, uint32_t reason)
{
	atomic_store(&ct.active, 0);
	ct.disabled = 1;
	ct_log_note(UINT32_MAX, reason, why);
	ct_log_set_flag(CT_LOGF_DISABLED);
	ct_warn(why, NULL);
}

/* Without /proc there is no pagemap (which pages are private already), no
 * count of mappings and no names: say so once and stay out of the way. */
static int proc_mounted(void)
{
	if (access("/proc/self/pagemap", F_OK) == 0)
		return 1;
	ct_warn("cannot find /proc/self/pagemap (is /proc mounted?): ", ct_errstr(errno),
		"; tracing is off for this process", NULL);
	return 0;
}

/* COWTRACE_MODE=scan or perf falls back to the signal backend when
 * userfaultfd or PAGEMAP_SCAN cannot be had (the backend said why). */
static int start_backend(void)
{
	if (ct.opt.mode == CT_BACKEND_SCAN || ct.opt.mode == CT_BACKEND_PERF) {
		ct.backend = ct.opt.mode == CT_BACKEND_PERF ? &ct_backend_perf : &ct_backend_uffd;
		if (ct.backend->start() == 0)
			return 0;
		ct.opt.mode = CT_BACKEND_SIGNAL;
		ct_log_set_backend(CT_BACKEND_SIGNAL);
	}
	ct.backend = &ct_backend_signal;
	return ct.backend->start();
}

/* Options, log and handler: the parts that need no initialised libc. */
static int start(char **envp)
{
	ct.page_size = getauxval(AT_PAGESZ);
	if (!ct.page_size)
		ct.page_size = 4096;
	if (ct_options_parse(&ct.opt, envp) || !proc_mounted() || ct_log_open()) {
		ct.disabled = 1;
		return -1;
	}
	ct_vma_init();
	if (start_backend()) {
		ct_disable("cannot install the SIGSEGV handler; tracing is off", CT_WHY_MPROTECT);
		return -1;
	}
	atomic_store(&ct.active, 1);
	return 0;
}

/* Called by libcowtrace-audit.so when the initial objects are relocated and
 * no constructor has run yet.  libc of this namespace is not initialised:
 * only system calls and our own code here.  libc's own pages wait for the
 * constructor, which first finds out which of them glibc writes with all
 * signals blocked. */
CT_EXPORT void cowtrace_audit_startup(char **envp)
{
	if (ct.early || ct.initialized || ct.disabled)
		return;
	if (start(envp))
		return;
	ct.early = 1;
	ct_unwind_init();
	pthread_mutex_lock(&ct.lock); /* SIGNAL-UNSAFE-OK: loader and constructor context */
	ct_modules_scan(0);
	ct_protect_attach_pending("libc.so.6");
	pthread_mutex_unlock(&ct.lock);
}

/* Called by the audit module when a later load or unload is complete as far
 * as the loader's lists go (for dlopen: before relocation, so relocation
 * writes are seen as run-time writes by ld.so). */
CT_EXPORT void cowtrace_audit_consistent(void)
{
	if (!ct.initialized || ct.disabled)
		return;
	pthread_mutex_lock(&ct.lock); /* SIGNAL-UNSAFE-OK: loader and constructor context */
	ct_modules_scan(1);
	pthread_mutex_unlock(&ct.lock);
}

/* Called by the audit module before an object is unmapped. */
CT_EXPORT void cowtrace_audit_close(uintptr_t bias, const void *phdr)
{
	if (!ct.initialized || ct.disabled)
		return;
	pthread_mutex_lock(&ct.lock); /* SIGNAL-UNSAFE-OK: loader and constructor context */
	ct_modules_unload_at(bias, phdr);
	pthread_mutex_unlock(&ct.lock);
}

/* COWTRACE_FOLLOW=0: children started by exec are not traced. */
static void drop_from_env(const char *var, const char *needle)
{
	const char *v = getenv(var); /* SIGNAL-UNSAFE-OK: constructor */
	if (!v || !strstr(v, needle))
		return;
	char buf[CT_MAX_PATH * 2];
	size_t n = 0, nlen = strlen(needle);
	for (const char *p = v; *p;) {
		size_t len = strcspn(p, ": ");
		if (len && !memmem(p, len, needle, nlen) && n + len + 2 < sizeof buf) {
			if (n)
				buf[n++] = ':';
			memcpy(buf + n, p, len);
			n += len;
		}
		p += len;
		p += *p != 0;
	}
	buf[n] = 0;
	if (n)
		setenv(var, buf, 1);
	else
		unsetenv(var);
}

__attribute__((constructor(101))) static void cowtrace_init(int argc, char **argv, char **envp)
{
	(void)argc;
	(void)argv;
	if (ct.disabled || ct.initialized)
		return;
	if (!ct.early && start(envp))
		return;
	ct_hooks_init();
	ct_util_init();
	if (!ct.unwind_ready)
		ct_unwind_init();

	pthread_mutex_lock(&ct.lock); /* SIGNAL-UNSAFE-OK: loader and constructor context */
	if (!ct.early)
		ct_modules_scan(0);
	if (ct.backend == &ct_backend_signal) {  /* signals only */
		ct_probe_sigblocked();
		ct_protect_open_sigblocked();
	}
	ct_protect_attach_pending(NULL);
	ct_scan_pending();      /* RELRO, text relocations, untracked objects */
	ct.initialized = 1;
	pthread_mutex_unlock(&ct.lock);

	if (!ct.opt.follow) {
		drop_from_env("LD_PRELOAD", "libcowtrace");
		drop_from_env("LD_AUDIT", "libcowtrace");
	}
	ct_ticker_start();
}

/* The end of the process as far as its log goes: pages that could not be
 * watched are checked once more, and the log is marked complete.  Runs from
 * exit's destructors or from _exit; never in a vfork child (which shares
 * the parent's memory and log) and never twice in one process (a fork
 * child of a finished process still finishes its own log). */
void ct_finish(int status)
{
	static _Atomic pid_t finished;
	pid_t me = getpid();
	if (!ct.initialized || ct.disabled || !ct_log_is_mine() || atomic_exchange(&finished, me) == me)
		return;
	ct_ticker_stop();
	if (ct_lock_scan()) {
		ct_scan_all(CT_SCAN_FINAL);
		pthread_mutex_unlock(&ct.lock);
	}
	ct_log_close(status);
}

/* SIGNAL-SAFE: the process is about to die of a signal (our handler's
 * chain, where the application has no handler of its own).  The pages not
 * watched are looked at once more, unless the module table is busy (the
 * trylock is a plain compare-and-swap in glibc, and fails in a thread that
 * already holds it).  The log stays incomplete: the process did not end
 * cleanly. */
void ct_finish_fatal(void)
{
	if (!ct.initialized || ct.disabled || !ct_log_is_mine())
		return;
	ct_ticker_stop();
	if (ct_lock_scan()) {
		ct_scan_all(CT_SCAN_FINAL);
		pthread_mutex_unlock(&ct.lock); /* SIGNAL-UNSAFE-OK: releases what the trylock took */
	}
}

/* The program image ends without an exit: exec replaces it, or glibc's
 * daemon() ends the parent with an internal _exit that no hook sees.  The
 * log is finished now, without an exit status; if the call returns after
 * all (exec failed), ct_finish_undo takes the mark back.  Returns whether
 * it marked. */
int ct_finish_image(void)
{
	if (!ct.initialized || ct.disabled || !ct_log_is_mine())
		return 0;
	if (ct_lock_scan()) {
		ct_scan_all(CT_SCAN_FINAL);
		pthread_mutex_unlock(&ct.lock);
	}
	ct_log_set_flag(CT_LOGF_COMPLETE);
	return 1;
}

void ct_finish_undo(int marked)
{
	if (marked && ct_log_is_mine())
		ct_log_clear_flag(CT_LOGF_COMPLETE);
}

/* Without __libc_start_main's help (a program that does not start through
 * it), the log is finished here, among the destructors. */
__attribute__((destructor)) static void cowtrace_fini(void)
{
	if (!ct.finish_late)
		ct_finish(ct.exit_status);
}
