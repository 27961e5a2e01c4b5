/* ticker.c - COWTRACE_SCAN_MS: a thread of the tracer's own that makes a
 * light scan every so many milliseconds (the backend's collect: PAGEMAP_SCAN
 * of the watched ranges, the fault-sample rings drained).  It narrows the
 * time window of the scan backend's pages and keeps the sample rings from
 * overflowing in a program that only computes between two scan points.
 * Only when asked for: a thread is visible to the program (/proc/self/task,
 * a debugger, a program counting its threads).
 *
 * The scan points that must not be skipped (a phase change, the end of the
 * process) take the module table's lock with a trylock, since they may run
 * where waiting would deadlock; while the ticker holds the lock they wait
 * for it instead (ct_lock_scan): it never waits for anything while it
 * holds it, and it runs with the program's signals blocked, so no handler
 * of the program can interrupt it there. */
#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>

#include "ct.h"

static _Atomic int ticking;     /* the ticker holds, or is taking, ct.lock */
static _Atomic int stopped;     /* the process is finishing its log */

/* SIGNAL-SAFE: takes ct.lock for a scan point: a trylock, that waits only
 * while the ticker is the holder.  1 when taken. */
int ct_lock_scan(void)
{
	for (;;) {
		if (pthread_mutex_trylock(&ct.lock) == 0) /* SIGNAL-UNSAFE-OK: trylock only */
			return 1;
		if (!atomic_load(&ticking))
			return 0;
		ct_syscall(SYS_sched_yield, 0, 0, 0, 0, 0, 0);
	}
}

static void *tick(void *arg)
{
	(void)arg;
	long ms = ct.opt.scan_ms;
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };
	ct_syscall(SYS_prctl, PR_SET_NAME, (long)"cowtrace-scan", 0, 0, 0, 0);
	while (!atomic_load(&stopped) && !ct.disabled) {
		struct timespec left = ts;
		while (ct_syscall(SYS_nanosleep, (long)&left, (long)&left, 0, 0, 0, 0) != 0 && errno == EINTR)
			;
		atomic_store(&ticking, 1);
		if (pthread_mutex_trylock(&ct.lock) == 0) { /* SIGNAL-UNSAFE-OK: the ticker's own thread */
			if (!atomic_load(&stopped) && ct_log_is_mine())
				ct_scan_all(CT_SCAN_LIGHT);
			pthread_mutex_unlock(&ct.lock);
		}
		atomic_store(&ticking, 0);
	}
	return NULL;
}

/* Starts the ticker (the constructor, and a fork child: threads are not
 * inherited).  With every signal blocked but SIGSEGV and SIGBUS (the
 * creating thread's first writes in pthread_create may be watched ones):
 * the program's signals go to its own threads, as without the tracer. */
void ct_ticker_start(void)
{
	if (ct.opt.scan_ms <= 0 || ct.disabled)
		return;
	atomic_store(&ticking, 0);
	atomic_store(&stopped, 0);
	sigset_t all, old;
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	ct_real_sigprocmask(SIG_BLOCK, &all, &old);
	pthread_t t;
	pthread_attr_t a;
	int ok = pthread_attr_init(&a) == 0 && pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED) == 0 &&
		 ct_real_pthread_create(&t, &a, tick, NULL) == 0;
	pthread_attr_destroy(&a);
	ct_real_sigprocmask(SIG_SETMASK, &old, NULL);
	if (!ok) {
		ct_warn("COWTRACE_SCAN_MS: cannot start the scan thread; scans at the usual points only", NULL);
		ct_log_note(UINT32_MAX, CT_WHY_OPTIONS, "COWTRACE_SCAN_MS: no scan thread (pthread_create failed)");
	}
}

/* SIGNAL-SAFE: the log is being finished: no tick from now on. */
void ct_ticker_stop(void)
{
	atomic_store(&stopped, 1);
}
