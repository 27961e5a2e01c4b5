/* hooks.c - interposed loader and signal functions: dlopen/dlmopen/dlclose
 * keep the object table right; sigaction/signal/sigprocmask keep SIGSEGV the
 * tracer's while the application sees what it set; fork gives the child its
 * own log; exec and daemon() finish the log of the image they end; clone's
 * thread-id words are made writable for the kernel. */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
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
	long r = ct_syscall(SYS_rt_sigprocmask, (long)how, (long)set, (long)old, (long)(_NSIG / 8), 0, 0);
	return r == 0 ? 0 : -1;
}

static void *next(const char *name)
{
	return ct_next_sym(name);
}

/* ---- loader ---------------------------------------------------------- */

/* After dlopen/dlclose: new objects are attached and, relocated now, looked
 * at whole.  With a backend that collects (scan), every dlopen and dlclose
 * is a scan point of all objects; with signals, only the new ones are read
 * (programs that load and unload plugins for ever pay per plugin). */
static void rescan(void)
{
	if (!ct.initialized || ct.disabled)
		return;
	int saved = errno;
	pthread_mutex_lock(&ct.lock); /* SIGNAL-UNSAFE-OK: after dlopen/dlclose, which are not signal-safe either */
	ct_modules_scan(1);
	if (ct.backend->collect)
		ct_scan_all(CT_SCAN_LIGHT);
	else
		ct_scan_pending();
	pthread_mutex_unlock(&ct.lock);
	errno = saved;
}

/* Before dlclose may unmap objects: what they had written (scan backend). */
static void scan_before_unload(void)
{
	if (!ct.initialized || ct.disabled || !ct.backend->collect)
		return;
	int saved = errno;
	pthread_mutex_lock(&ct.lock); /* SIGNAL-UNSAFE-OK: dlclose is not signal-safe either */
	ct_scan_all(CT_SCAN_LIGHT);
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
	scan_before_unload();
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
	/* libunwind's own blocking around its cache (two calls a frame on
	 * the slow path): not the application's mask, no bookkeeping */
	if (ct_in_unwinder)
		return ct_real_sigprocmask(how, set, old);
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

/* ---- phases: main is entered, main returns ------------------------------ */

typedef int main_fn(int, char **, char **);
typedef int start_fn(main_fn *, int, char **, void (*)(void), void (*)(void),
		     void (*)(void), void *);
static main_fn *app_main;
static void (*app_rtld_fini)(void);

/* Between __libc_start_main and the program's main: startup ends when main
 * is entered (ld.so, relocation, every constructor done), teardown begins
 * when it returns (then libc calls exit: atexit handlers, destructors). */
static int main_entered(int argc, char **argv, char **envp)
{
	ct_phase_begin(CT_PHASE_MAIN);
	int r = app_main(argc, argv, envp);
	ct.exit_status = r;             /* libc's own exit call is not ours */
	ct_phase_begin(CT_PHASE_TEARDOWN);
	return r;
}

/* ld.so's _dl_fini, which runs every library's destructors at exit, is
 * the last exit handler (__libc_start_main registers it first): the log
 * is finished after it, so that pages the destructors of libraries
 * finalised after libcowtrace write are found too (the scan backend sees
 * no write as it happens).  glibc's exit then ends in its internal _exit,
 * which no hook sees. */
static void fini_then_finish(void)
{
	app_rtld_fini();
	ct_finish(ct.exit_status);
}

CT_EXPORT int __libc_start_main(main_fn *main, int argc, char **argv, void (*init)(void),
				void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
	start_fn *real = (start_fn *)next("__libc_start_main");
	app_main = main;
	app_rtld_fini = rtld_fini;
	ct.finish_late = rtld_fini != NULL;
	return real(main_entered, argc, argv, init, fini, rtld_fini ? fini_then_finish : NULL,
		    stack_end);
}

/* ---- exit ------------------------------------------------------------ */

CT_EXPORT void exit(int status)
{
	static void (*real)(int);
	ct.exit_status = status;
	ct_phase_begin(CT_PHASE_TEARDOWN);
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

/* ---- exec and daemon ------------------------------------------------- */

/* exec ends this program image without exit: its log is finished first
 * (the new image, traced or not, gets a log of its own).  glibc's exec
 * functions reach the kernel through its internal __execve, so each one
 * needs its own wrapper.  The real functions are looked up at start: a
 * vfork child must not run dlsym on its parent's memory. */
static struct {
	int (*execve)(const char *, char *const[], char *const[]);
	int (*execv)(const char *, char *const[]);
	int (*execvp)(const char *, char *const[]);
	int (*execvpe)(const char *, char *const[], char *const[]);
	int (*fexecve)(int, char *const[], char *const[]);
	int (*execveat)(int, const char *, char *const[], char *const[], int);
	int (*daemon)(int, int);
} real_exec;

static void resolve_exec(void)
{
	real_exec.execve = next("execve");
	real_exec.execv = next("execv");
	real_exec.execvp = next("execvp");
	real_exec.execvpe = next("execvpe");
	real_exec.fexecve = next("fexecve");
	real_exec.execveat = next("execveat");
	real_exec.daemon = next("daemon");
}

/* even when tracing is off (bad settings): the wrappers stay */
__attribute__((constructor)) static void resolve_exec_at_load(void)
{
	resolve_exec();
}

/* the exec returned: it failed, and the image goes on */
static int exec_failed(int marked)
{
	int saved = errno;
	ct_finish_undo(marked);
	errno = saved;
	return -1;
}

#define EXEC_CALL(fn, ...)                                              \
	do {                                                            \
		if (!real_exec.fn)                                      \
			resolve_exec();                                 \
		int marked = ct_finish_image();                         \
		real_exec.fn(__VA_ARGS__);                              \
		return exec_failed(marked);                             \
	} while (0)

CT_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	EXEC_CALL(execve, path, argv, envp);
}

CT_EXPORT int execv(const char *path, char *const argv[])
{
	EXEC_CALL(execv, path, argv);
}

CT_EXPORT int execvp(const char *file, char *const argv[])
{
	EXEC_CALL(execvp, file, argv);
}

CT_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	EXEC_CALL(execvpe, file, argv, envp);
}

CT_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	EXEC_CALL(fexecve, fd, argv, envp);
}

CT_EXPORT int execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags)
{
	EXEC_CALL(execveat, dirfd, path, argv, envp, flags);
}

/* execl, execlp, execle: the list into an array on the stack (as glibc
 * does), then the array form above.  n counts arg and the arguments up to
 * the NULL that ends the list. */
static size_t list_length(const char *arg, va_list *ap)
{
	va_list c;
	size_t n = 0;
	if (!arg)
		return 0;
	va_copy(c, *ap);
	for (n = 1; va_arg(c, char *); n++)
		;
	va_end(c);
	return n;
}

/* argv gets n + 1 entries; with env, returns what follows the NULL
 * (execle's envp) */
static char *const *list_fill(char **argv, const char *arg, size_t n, va_list *ap, int env)
{
	argv[0] = (char *)arg;
	for (size_t i = 1; i < n; i++)
		argv[i] = va_arg(*ap, char *);
	argv[n] = NULL;
	if (!env)
		return NULL;
	if (n)
		(void)va_arg(*ap, char *);      /* the NULL */
	return va_arg(*ap, char *const *);
}

CT_EXPORT int execl(const char *path, const char *arg, ...)
{
	va_list ap;
	va_start(ap, arg);
	size_t n = list_length(arg, &ap);
	char *argv[n + 1];
	list_fill(argv, arg, n, &ap, 0);
	va_end(ap);
	return execv(path, argv);
}

CT_EXPORT int execlp(const char *file, const char *arg, ...)
{
	va_list ap;
	va_start(ap, arg);
	size_t n = list_length(arg, &ap);
	char *argv[n + 1];
	list_fill(argv, arg, n, &ap, 0);
	va_end(ap);
	return execvp(file, argv);
}

CT_EXPORT int execle(const char *path, const char *arg, ...)
{
	va_list ap;
	va_start(ap, arg);
	size_t n = list_length(arg, &ap);
	char *argv[n + 1];
	char *const *envp = list_fill(argv, arg, n, &ap, 1);
	va_end(ap);
	return execve(path, argv, envp);
}

/* glibc's daemon() forks and ends the parent with its internal _exit,
 * which the _exit hook never sees: the parent's log is finished before
 * (and taken back if daemon fails in the parent, before its fork). */
CT_EXPORT int daemon(int nochdir, int noclose)
{
	if (!real_exec.daemon)
		resolve_exec();
	pid_t me = getpid();
	int marked = ct_finish_image();
	int r = real_exec.daemon(nochdir, noclose);
	if (r != 0 && getpid() == me) {
		int saved = errno;
		ct_finish_undo(marked);
		errno = saved;
	}
	return r;
}

/* ---- threads --------------------------------------------------------- */

/* A new thread first gets what the fault handler must not allocate there
 * (libunwind's dynamic TLS block, see unwind.c), then runs the program's
 * start routine: same argument, same result, pthread_exit and
 * cancellation unchanged. */
struct thread_start {
	void *(*fn)(void *);
	void *arg;
};

static void *thread_trampoline(void *p)
{
	struct thread_start ts = *(struct thread_start *)p;
	free(p);        /* SIGNAL-UNSAFE-OK: the new thread's start, no handler */
	ct_unwind_thread_start();
	ct_perf_thread_start();
	return ts.fn(ts.arg);
}

typedef int pthread_create_fn(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

/* libc's, for the tracer's own thread (the start-up probe) */
int ct_real_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
			   void *arg)
{
	static pthread_create_fn *real;
	if (!real)
		real = (pthread_create_fn *)next("pthread_create");
	return real(t, attr, fn, arg);
}

CT_EXPORT int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
			     void *arg)
{
	pthread_create_fn *real = ct_real_pthread_create;
	/* pthread_create is not async-signal-safe either: never in a handler */
	struct thread_start *ts = NULL;
	if (ct.unwind_ready)
		ts = malloc(sizeof *ts); /* SIGNAL-UNSAFE-OK: see above */
	if (!ts)
		return real(t, attr, fn, arg);
	ts->fn = fn;
	ts->arg = arg;
	int r = real(t, attr, thread_trampoline, ts);
	if (r != 0)
		free(ts);       /* SIGNAL-UNSAFE-OK: as above */
	return r;
}

/* ---- fork ------------------------------------------------------------ */

static void before_fork(void)
{
	pthread_mutex_lock(&ct.lock); /* SIGNAL-UNSAFE-OK: atfork handler, outside the fault path */
	if (ct.initialized && !ct.disabled && ct.backend->collect)
		ct_scan_all(CT_SCAN_FULL);      /* the parent's pages up to the fork */
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
	ct_ticker_start();
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
