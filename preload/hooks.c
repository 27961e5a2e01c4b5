/* hooks.c - interposed loader and signal functions: dlopen/dlmopen/dlclose
 * keep the object table right; sigaction/signal/sigprocmask keep SIGSEGV the
 * tracer's while the application sees what it set; fork gives the child its
 * own log. */
#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ct.h"

#define CT_EXPORT __attribute__((visibility("default")))
#define RA ((uintptr_t)__builtin_return_address(0))

/* glibc's own entry point behind sigaction(): exported, never interposed. */
extern int __sigaction(int, const struct sigaction *, struct sigaction *);

/* SIGNAL-SAFE */
int ct_real_sigaction(int sig, const struct sigaction *sa, struct sigaction *old)
{
	return __sigaction(sig, sa, old);
}

/* SIGNAL-SAFE: the kernel's per-thread mask, as pthread_sigmask would set
 * it (glibc's internal cancellation signals are never in our sets). */
int ct_real_sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	long r = syscall(SYS_rt_sigprocmask, how, set, old, _NSIG / 8);
	return r == 0 ? 0 : -1;
}

static void *next(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

/* ---- loader ---------------------------------------------------------- */

static void rescan(void)
{
	if (!ct.initialized || ct.disabled)
		return;
	int saved = errno;
	pthread_mutex_lock(&ct.lock);
	ct_modules_scan(1);
	pthread_mutex_unlock(&ct.lock);
	errno = saved;
}

/* The real dlopen finds the calling object from its return address, which
 * is now inside libcowtrace: an object with its own RUNPATH that opens a
 * bare name could miss.  See docs/loading.md. */
CT_EXPORT void *dlopen(const char *file, int mode)
{
	static void *(*real)(const char *, int);
	if (!real)
		real = next("dlopen");
	void *h = real(file, mode);
	if (h)
		rescan();
	return h;
}

CT_EXPORT void *dlmopen(Lmid_t lmid, const char *file, int mode)
{
	static void *(*real)(Lmid_t, const char *, int);
	if (!real)
		real = next("dlmopen");
	void *h = real(lmid, file, mode);
	if (h)
		rescan();
	return h;
}

CT_EXPORT int dlclose(void *handle)
{
	static int (*real)(void *);
	if (!real)
		real = next("dlclose");
	int r = real(handle);
	rescan();
	return r;
}

/* ---- signals --------------------------------------------------------- */

/* Does the application believe SIGSEGV is blocked in this thread? */
static CT_TLS int app_blocks_segv;

CT_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (sig == SIGSEGV && ct.hooked)
		return ct_app_sigaction(act, old);
	if (old)
		ct_claim_for_kernel(old, sizeof *old, SYS_rt_sigaction, RA);
	return __sigaction(sig, act, old);
}

/* signal() and friends reach the kernel through glibc's internal
 * sigaction, which the hook above never sees: handle SIGSEGV here, with
 * each function's historical flags. */
static __sighandler_t app_signal(int sig, __sighandler_t h, int flags, int mask_self)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = h;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (mask_self)
		sigaddset(&sa.sa_mask, sig);
	ct_app_sigaction(&sa, &old);
	return old.sa_handler;
}

CT_EXPORT __sighandler_t signal(int sig, __sighandler_t h)
{
	static __sighandler_t (*real)(int, __sighandler_t);
	if (sig == SIGSEGV && ct.hooked)
		return app_signal(sig, h, SA_RESTART, 1);
	if (!real)
		real = next("signal");
	return real(sig, h);
}

CT_EXPORT __sighandler_t bsd_signal(int sig, __sighandler_t h)
{
	return signal(sig, h);
}

CT_EXPORT __sighandler_t sysv_signal(int sig, __sighandler_t h)
{
	static __sighandler_t (*real)(int, __sighandler_t);
	if (sig == SIGSEGV && ct.hooked)
		return app_signal(sig, h, SA_RESETHAND | SA_NODEFER, 0);
	if (!real)
		real = next("sysv_signal");
	return real(sig, h);
}

/* Removes SIGSEGV from a mask the application installs: a write fault
 * while SIGSEGV is blocked kills the process instead of reaching us.  The
 * application keeps seeing its own view in the old mask it gets back. */
static int filter_mask(int how, const sigset_t *set, sigset_t *copy, int *was)
{
	*was = app_blocks_segv;
	if (!set || !ct.hooked)
		return 0;
	*copy = *set;
	if (sigismember(copy, SIGSEGV)) {
		sigdelset(copy, SIGSEGV);
		if (how == SIG_BLOCK || how == SIG_SETMASK)
			app_blocks_segv = 1;
		else if (how == SIG_UNBLOCK)
			app_blocks_segv = 0;
	} else if (how == SIG_SETMASK) {
		app_blocks_segv = 0;
	}
	return 1;
}

static int masked_call(int (*real)(int, const sigset_t *, sigset_t *), int how,
		       const sigset_t *set, sigset_t *old, uintptr_t ra)
{
	sigset_t copy;
	int was;
	if (filter_mask(how, set, &copy, &was))
		set = &copy;
	if (old)
		ct_claim_for_kernel(old, sizeof *old, SYS_rt_sigprocmask, ra);
	int r = real(how, set, old);
	if (r != 0)
		app_blocks_segv = was;
	else if (old && was)
		sigaddset(old, SIGSEGV);
	return r;
}

CT_EXPORT int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	static int (*real)(int, const sigset_t *, sigset_t *);
	if (!real)
		real = next("sigprocmask");
	return masked_call(real, how, set, old, RA);
}

CT_EXPORT int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	static int (*real)(int, const sigset_t *, sigset_t *);
	if (!real)
		real = next("pthread_sigmask");
	return masked_call(real, how, set, old, RA);
}

/* ---- fork ------------------------------------------------------------ */

static void before_fork(void)
{
	pthread_mutex_lock(&ct.lock);
}

static void after_fork_parent(void)
{
	pthread_mutex_unlock(&ct.lock);
}

static void after_fork_child(void)
{
	pthread_mutex_unlock(&ct.lock);
	if (ct.disabled)
		return;
	ct_log_reopen_child();
	ct_protect_reattach_all();
}

void ct_hooks_init(void)
{
	pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}
