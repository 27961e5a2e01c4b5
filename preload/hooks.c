/* hooks.c - interposed loader and signal functions: dlopen/dlmopen/dlclose
 * keep the object table right; sigaction/signal/sigprocmask keep SIGSEGV the
 * tracer's while the application sees what it set; fork gives the child its
 * own log; clone's thread-id words are made writable for the kernel. */
#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
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
	pthread_mutex_lock(&ct.lock); /* SIGNAL-UNSAFE-OK: after dlopen/dlclose, which are not signal-safe either */
	ct_modules_scan(1);
	pthread_mutex_unlock(&ct.lock);
	errno = saved;
}

static void *(*real_dlmopen)(Lmid_t, const char *, int);
static void *(*real_dlopen)(const char *, int);

static void *open_in(Lmid_t ns, const char *file, int mode)
{
	return ns == LM_ID_BASE ? real_dlopen(file, mode) : real_dlmopen(ns, file, mode);
}

/* Looks for `file` in the colon-separated `dirs` ($ORIGIN expanded to
 * origin); on success leaves the full path in out. */
static int search_dirs(const char *dirs, const char *origin, const char *file,
		       char *out, size_t size)
{
	for (const char *p = dirs; p && *p;) {
		size_t len = strcspn(p, ":");
		char dir[CT_MAX_PATH];
		size_t n = 0;
		for (size_t i = 0; i < len && n < sizeof dir - 1;) {
			size_t k = !strncmp(p + i, "${ORIGIN}", 9) ? 9 : !strncmp(p + i, "$ORIGIN", 7) ? 7 : 0;
			if (k) {
				n += ct_strlcpy(dir + n, origin, sizeof dir - n);
				i += k;
			} else {
				dir[n++] = p[i++];
			}
		}
		dir[n < sizeof dir ? n : sizeof dir - 1] = 0;
		if (n && n + strlen(file) + 2 < size && !strchr(dir, '$')) {
			memcpy(out, dir, n);
			out[n] = '/';
			ct_strlcpy(out + n + 1, file, size - n - 1);
			if (access(out, F_OK) == 0)
				return 1;
		}
		p += len;
		p += *p == ':';
	}
	return 0;
}

static const char *dyn_string(struct link_map *lm, long tag)
{
	const char *strtab = NULL;
	uintptr_t off = 0;
	int have = 0;
	for (const ElfW(Dyn) *d = lm->l_ld; d && d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_STRTAB)
			strtab = (const char *)d->d_un.d_ptr;
		else if (d->d_tag == tag) {
			off = d->d_un.d_val;
			have = 1;
		}
	}
	return have && strtab ? strtab + off : NULL;
}

/* The real dlopen finds the calling object from its return address, which
 * would now be inside libcowtrace: its RUNPATH/RPATH and its namespace
 * decide where a bare name is looked for.  Redo that part for the real
 * caller and hand the loader the path it would have found.  The rest of
 * the search order (LD_LIBRARY_PATH, cache, default directories) is the
 * same for every caller. */
static void *open_as(uintptr_t caller, const char *file, int mode)
{
	Dl_info info;
	struct link_map *lm = NULL;
	Lmid_t ns = LM_ID_BASE;
	char path[CT_MAX_PATH];

	if (!dladdr1((void *)caller, &info, (void **)&lm, RTLD_DL_LINKMAP) || !lm)
		return real_dlopen(file, mode);
	dlinfo(lm, RTLD_DI_LMID, &ns);
	if (!file || strchr(file, '/'))
		return open_in(ns, file, mode);
	void *h = open_in(ns, file, mode | RTLD_NOLOAD);
	if (h) {
		/* already loaded under that name: the search does not matter */
		void *r = open_in(ns, file, mode);
		dlclose(h);
		return r;
	}
	char origin[CT_MAX_PATH];
	const char *name = lm->l_name && lm->l_name[0] ? lm->l_name : NULL;
	if (!name) {
		ssize_t n = ct_sys_readlink("/proc/self/exe", origin, sizeof origin - 1);
		origin[n > 0 ? n : 0] = 0;
	} else {
		ct_strlcpy(origin, name, sizeof origin);
	}
	char *slash = strrchr(origin, '/');
	if (slash)
		*slash = 0;

	const char *runpath = dyn_string(lm, DT_RUNPATH);
	if (runpath) {
		if (!search_dirs(getenv("LD_LIBRARY_PATH"), origin, file, path, sizeof path) && /* SIGNAL-UNSAFE-OK: inside dlopen */
		    search_dirs(runpath, origin, file, path, sizeof path))
			return open_in(ns, path, mode);
	} else {
		/* the executable's RPATH is searched for every caller anyway */
		const char *rpath = dyn_string(lm, DT_RPATH);
		if (rpath && search_dirs(rpath, origin, file, path, sizeof path))
			return open_in(ns, path, mode);
	}
	return open_in(ns, file, mode);
}

CT_EXPORT void *dlopen(const char *file, int mode)
{
	if (!real_dlopen) {
		real_dlmopen = next("dlmopen");
		real_dlopen = next("dlopen");
	}
	void *h = open_as(RA, file, mode);
	if (h)
		rescan();
	return h;
}

CT_EXPORT void *dlmopen(Lmid_t lmid, const char *file, int mode)
{
	if (!real_dlmopen)
		real_dlmopen = next("dlmopen");
	void *h = real_dlmopen(lmid, file, mode);
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

/* SIGNAL-SAFE: sets whether the application believes SIGSEGV is blocked in
 * this thread (while its SIGSEGV handler runs, say); returns the old view. */
int ct_app_segv_view(int blocked)
{
	int was = app_blocks_segv;
	app_blocks_segv = blocked;
	return was;
}

/* A handler of another signal that blocks SIGSEGV while it runs would be
 * killed by its own first write to a tracked page: its mask loses SIGSEGV. */
CT_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (sig == SIGSEGV && ct.hooked)
		return ct_app_sigaction(act, old);
	if (old)
		ct_claim_for_kernel(old, sizeof *old, SYS_rt_sigaction, RA);
	struct sigaction copy;
	if (act && ct.hooked && sigismember(&act->sa_mask, SIGSEGV)) {
		copy = *act;
		sigdelset(&copy.sa_mask, SIGSEGV);
		act = &copy;
	}
	return __sigaction(sig, act, old);
}

/* The masks that calls install while they wait lose SIGSEGV too: a signal
 * handler run during the wait has that mask. */
const sigset_t *ct_wait_mask(const sigset_t *m, sigset_t *copy)
{
	if (!m || !ct.hooked || !sigismember(m, SIGSEGV))
		return m;
	*copy = *m;
	sigdelset(copy, SIGSEGV);
	return copy;
}

CT_EXPORT int sigsuspend(const sigset_t *mask)
{
	static int (*real)(const sigset_t *);
	sigset_t copy;
	if (!real)
		real = next("sigsuspend");
	return real(ct_wait_mask(mask, &copy));
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

/* A jump out of a signal handler (the application's SIGSEGV handler
 * included) with a saved mask restores that mask inside glibc, which no
 * hook sees: the application's view of SIGSEGV follows the mask restored.
 * Without a saved mask, the mask and the view stay as they are. */
typedef void (*jump_fn)(struct __jmp_buf_tag *, int) __attribute__((noreturn));
static jump_fn real_longjmp, real_longjmp_chk;

/* SIGNAL-SAFE */
static void jump_view(struct __jmp_buf_tag *env)
{
	if (env->__mask_was_saved)
		app_blocks_segv = sigismember((const sigset_t *)&env->__saved_mask, SIGSEGV);
}

CT_EXPORT void longjmp(struct __jmp_buf_tag env[1], int val)
{
	jump_view(env);
	if (!real_longjmp)
		real_longjmp = (jump_fn)next("longjmp");
	real_longjmp(env, val);
}

CT_EXPORT void _longjmp(struct __jmp_buf_tag env[1], int val)
{
	longjmp(env, val);
}

CT_EXPORT void siglongjmp(struct __jmp_buf_tag env[1], int val)
{
	longjmp(env, val);
}

/* what longjmp and siglongjmp become with _FORTIFY_SOURCE */
CT_EXPORT void __longjmp_chk(struct __jmp_buf_tag env[1], int val)
{
	jump_view(env);
	if (!real_longjmp_chk)
		real_longjmp_chk = (jump_fn)next("__longjmp_chk");
	real_longjmp_chk(env, val);
}

/* ---- exit ------------------------------------------------------------ */

CT_EXPORT void exit(int status)
{
	static void (*real)(int);
	ct.exit_status = status;
	if (!real)
		real = (void (*)(int))next("exit");
	real(status);
	__builtin_unreachable();
}

CT_EXPORT void _exit(int status)
{
	static void (*real)(int);
	ct_finish(status);
	if (!real)
		real = (void (*)(int))next("_exit");
	real(status);
	__builtin_unreachable();
}

CT_EXPORT void _Exit(int status)
{
	_exit(status);
}

/* ---- fork ------------------------------------------------------------ */

static void before_fork(void)
{
	pthread_mutex_lock(&ct.lock); /* SIGNAL-UNSAFE-OK: atfork handler, outside the fault path */
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

/* ---- clone ----------------------------------------------------------- */

/* The kernel stores the new thread's id at parent_tid and child_tid
 * (CLONE_PARENT_SETTID, CLONE_CHILD_SETTID) and clears child_tid when the
 * thread exits (CLONE_CHILD_CLEARTID, waking a futex there).  Into a
 * protected global those stores are lost without a fault, and whoever waits
 * for the clear waits for ever.  glibc's clone reads every argument whatever
 * the flags, and so does this. */
CT_EXPORT int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	static int (*real)(int (*)(void *), void *, int, void *, ...);
	va_list ap;
	va_start(ap, arg);
	pid_t *ptid = va_arg(ap, pid_t *);
	void *tls = va_arg(ap, void *);
	pid_t *ctid = va_arg(ap, pid_t *);
	va_end(ap);
	if (!real)
		real = (int (*)(int (*)(void *), void *, int, void *, ...))next("clone");
	if (flags & CLONE_PARENT_SETTID)
		ct_claim_for_kernel(ptid, sizeof *ptid, SYS_clone, RA);
	if (flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID))
		ct_claim_for_kernel(ctid, sizeof *ctid, SYS_clone, RA);
	return real(fn, stack, flags, arg, ptid, tls, ctid);
}

void ct_hooks_init(void)
{
	/* looked up now: dlsym is not safe in the signal handlers that jump */
	real_longjmp = (jump_fn)next("longjmp");
	real_longjmp_chk = (jump_fn)next("__longjmp_chk");
	pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}
