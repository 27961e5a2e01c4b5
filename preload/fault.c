/* fault.c - the fault path: the SIGSEGV handler finds the page in the table,
 * makes it writable, records the first write, and returns so that the store
 * runs again.  Every other SIGSEGV is the application's: chained to its
 * handler as the kernel would call it, or made fatal exactly as without the
 * tracer. */
#include <errno.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "arch.h"
#include "ct.h"

/* A page seen writable by us that keeps faulting has been protected behind
 * our back: after this many retries the fault goes to the application. */
#define RETRY_MAX 3

static CT_TLS uintptr_t retry_addr;
static CT_TLS int retry_count;

/* SIGNAL-SAFE: is this thread one that glibc did not start (raw clone())?
 * Such a thread shares the TLS of its creator, and while no pthread exists
 * glibc takes its locks without atomics: libunwind's cache lock and the
 * loader lock of dl_iterate_phdr would deadlock or let two threads in.
 * glibc registers a robust-futex list for every thread it starts (the main
 * thread too); the kernel gives a raw clone child none. */
static int thread_is_raw(void)
{
	void *head = NULL;
	size_t len;
	return ct_syscall(SYS_get_robust_list, 0, (long)&head, (long)&len, 0, 0, 0) == 0 && head == NULL;
}

/* SIGNAL-SAFE: the first write to a protected page, by a store (uc set) or
 * by the kernel on behalf of a system call (via = its number, uc NULL).
 * Returns 0 when the page is writable now, -1 when it could not be made so. */
int ct_record_first_write(struct ct_module *m, _Atomic uint8_t *st, uintptr_t page,
			  uintptr_t addr, uintptr_t ip, int via, void *uc)
{
	uint8_t expect = CT_PG_PROTECTED;
	if (!atomic_compare_exchange_strong(st, &expect, CT_PG_CLAIMED)) {
		/* another thread is on it: make sure we can proceed */
		if (expect == CT_PG_CLAIMED)
			return ct_page_unprotect(m, page);
		return 0;
	}
	/* before the page can be dirty: a scan that finds it dirty finds
	 * it logged too (or claimed), never logs it a second time.  A page
	 * a scan logged already is private without this write: a fork
	 * child's copy left to it alone by its parent's write, after the
	 * child protected it again */
	int logged = ct_mark_seen(m, page) == CT_SEEN_LOGGED;
	if (ct_page_unprotect(m, page) != 0) {
		if (!logged)
			ct_unmark_seen(m, page);
		atomic_store(st, CT_PG_PROTECTED);
		return -1;
	}
	expect = CT_PG_CLAIMED;
	atomic_compare_exchange_strong(st, &expect, CT_PG_WRITTEN);
	if (!logged)
		ct_log_first_write(m, page, addr, ip, via, uc);
	return 0;
}

/* SIGNAL-SAFE: the FAULT record of a first write, with its backtrace. */
void ct_log_first_write(const struct ct_module *m, uintptr_t page, uintptr_t addr,
			uintptr_t ip, int via, void *uc)
{
	uint64_t frames[CT_MAX_FRAMES];
	int n = 0;
	if (ct.opt.backtrace > 0 && ct.unwind_ready && !thread_is_raw())
		n = ct_unwind(uc, frames, ct.opt.backtrace, ip);
	struct ct_rec_fault *r = ct_log_reserve(sizeof *r + (size_t)n * sizeof frames[0]);
	if (!r)
		return;
	r->module = m->id;
	r->tid = ct_gettid();
	r->page = page;
	r->addr = addr;
	r->ip = ip;
	r->t_ns = ct_now_ns();
	r->via = (uint16_t)via;
	r->nframes = (uint16_t)n;
	r->phase = (uint8_t)atomic_load(&ct.phase);
	memcpy(r->frames, frames, (size_t)n * sizeof frames[0]);
	ct_log_commit(r, CT_REC_FAULT);
}

struct claim_ctx {
	uintptr_t lo, ip;
	int via, given;
};

static void claim_page(struct ct_module *m, uintptr_t page, _Atomic uint8_t *st, void *arg)
{
	struct claim_ctx *c = arg;
	uint8_t now = atomic_load(st);
	if (now == CT_PG_PROTECTED &&
	    ct_record_first_write(m, st, page, page < c->lo ? c->lo : page, c->ip, c->via,
				  NULL) == 0)
		c->given++;
	else if (now == CT_PG_CLAIMED)  /* another thread's fault, not */
		ct_page_unprotect(m, page); /* writable yet: make sure */
}

/* SIGNAL-SAFE: before a system call writes [addr, addr+len), give it the
 * protected pages it will write (the kernel would fail with EFAULT).
 * Returns how many pages were given. */
int ct_claim_for_kernel(void *addr, size_t len, int sysno, uintptr_t ip)
{
	if (!addr || !len || !atomic_load(&ct.active))
		return 0;
	int saved = errno;
	uintptr_t lo = (uintptr_t)addr, hi = lo + len < lo ? UINTPTR_MAX : lo + len;
	ct_perf_kernel_write(lo, hi, sysno, ip);
	struct claim_ctx c = { lo, ip, (int)(CT_VIA_SYSCALL | (unsigned)sysno), 0 };
	ct_pages_each(lo, hi, claim_page, &c);
	ct_perf_high_water();
	errno = saved;
	return c.given;
}

/* SIGNAL-SAFE: our handler runs on the alternate stack (SA_ONSTACK) even
 * when the application's handler does not ask for it.  The kernel would
 * have put that handler's frame on the interrupted stack; when the fault
 * lies where the frame would go (the stack overflowed), the kernel cannot,
 * and kills the process instead: so must we. */
static int app_frame_impossible(const struct sigaction *app, const siginfo_t *si,
				const ucontext_t *uc)
{
	stack_t ss;
	if ((app->sa_flags & SA_ONSTACK) || ct_syscall(SYS_sigaltstack, 0, (long)&ss, 0, 0, 0, 0) != 0 ||
	    !(ss.ss_flags & SS_ONSTACK))
		return 0;
	uintptr_t sp = ct_arch_sp(uc), a = (uintptr_t)si->si_addr;
	if (sp >= (uintptr_t)ss.ss_sp && sp - (uintptr_t)ss.ss_sp < ss.ss_size)
		return 0;       /* interrupted on the alternate stack already */
	unsigned long frame = getauxval(AT_MINSIGSTKSZ);
	if (!frame)
		frame = 4096;
	uintptr_t low = sp - CT_ARCH_RED_ZONE - frame - ct.page_size;
	return a >= low && a < sp + ct.page_size;
}

/* SIGNAL-SAFE: takes app_lock (held by the thread id).  Returns 0 when this
 * thread holds it already: a handler nested in chain()'s few instructions
 * under the lock, which only read and reset the action; waiting would be
 * for ever. */
static int app_lock_take(void)
{
	int me = ct_gettid(), expect = 0;
	while (!atomic_compare_exchange_weak(&ct.app_lock, &expect, me)) {
		if (expect == me)
			return 0;
		expect = 0;
	}
	return 1;
}

/* SIGNAL-SAFE: the SIGSEGV was not ours. */
static void chain(int sig, siginfo_t *si, void *uc)
{
	struct sigaction app;
	int took = app_lock_take();
	app = ct.app_segv;
	if (app.sa_handler != SIG_DFL && app.sa_handler != SIG_IGN &&
	    (app.sa_flags & SA_RESETHAND))
		ct.app_segv.sa_handler = SIG_DFL;
	if (took)
		atomic_store(&ct.app_lock, 0);

	if (app.sa_handler == SIG_DFL || app.sa_handler == SIG_IGN) {
		/* Die as without us: with the default action in place, the
		 * faulting instruction runs again and the kernel kills the
		 * process with this signal (and a core dump).  A SIGSEGV sent
		 * by kill() is sent again. */
		if (app.sa_handler == SIG_IGN && si->si_code <= 0)
			return;
		ct_finish_fatal();
		struct sigaction dfl;
		memset(&dfl, 0, sizeof dfl);
		dfl.sa_handler = SIG_DFL;
		ct_real_sigaction(sig, &dfl, NULL);
		if (si->si_code <= 0) {
			sigset_t s;
			sigemptyset(&s);
			sigaddset(&s, sig);
			ct_real_sigprocmask(SIG_UNBLOCK, &s, NULL);
			ct_syscall(SYS_tgkill, (long)(getpid()), (long)(ct_gettid()), (long)sig, 0, 0, 0);
		}
		return;
	}
	if (app_frame_impossible(&app, si, uc)) {
		struct sigaction dfl;
		memset(&dfl, 0, sizeof dfl);
		dfl.sa_handler = SIG_DFL;
		ct_real_sigaction(sig, &dfl, NULL);
		return;         /* the access faults again and the kernel kills */
	}
	/* Call the application's handler the way the kernel would have:
	 * its sa_mask added, and the signal itself unless SA_NODEFER.  SIGSEGV
	 * stays deliverable so that its handler's own first writes are traced. */
	sigset_t mask = app.sa_mask, old;
	if (!(app.sa_flags & SA_NODEFER))
		sigaddset(&mask, sig);
	/* ... but the handler asking for its mask sees SIGSEGV blocked when
	 * the kernel would have blocked it */
	int view = ct_app_segv_view(sigismember(&mask, SIGSEGV));
	sigdelset(&mask, SIGSEGV);
	ct_real_sigprocmask(SIG_BLOCK, &mask, &old);
	if (app.sa_flags & SA_SIGINFO)
		app.sa_sigaction(sig, si, uc);
	else
		app.sa_handler(sig);
	ct_real_sigprocmask(SIG_SETMASK, &old, NULL);
	ct_app_segv_view(view);
}

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
	int saved = errno;
	ucontext_t *uc = ucv;

	if (si->si_code == SEGV_ACCERR && atomic_load(&ct.active) && ct_arch_is_write(uc)) {
		uintptr_t addr = (uintptr_t)si->si_addr;
		uintptr_t page = addr & ~(uintptr_t)(ct.page_size - 1);
		_Atomic uint8_t *st;
		struct ct_module *m = ct_module_find(addr, &st);
		if (m) {
			uint8_t s = atomic_load(st);
			if (s == CT_PG_PROTECTED &&
			    ct_record_first_write(m, st, page, addr, ct_arch_ip(uc), 0, uc) == 0) {
				retry_addr = 0;
				ct_perf_high_water();
				errno = saved;
				return;
			}
			/* claimed by another thread, or just unprotected: retry */
			if ((s == CT_PG_CLAIMED || s == CT_PG_WRITTEN || s == CT_PG_OPEN ||
			     s == CT_PG_LENT || s == CT_PG_CLEANED) &&
			    !(retry_addr == addr && retry_count >= RETRY_MAX)) {
				retry_count = retry_addr == addr ? retry_count + 1 : 1;
				retry_addr = addr;
				if (s == CT_PG_CLAIMED)
					ct_page_unprotect(m, page);
				errno = saved;
				return;
			}
		}
	}
	retry_addr = 0;
	chain(sig, si, uc);
	errno = saved;
}

/* Our handler runs where the application's would: on the alternate stack
 * only with SA_ONSTACK (a handler that checks its stack, or that must not
 * run on a small alternate stack, sees no difference), and system calls
 * that a SIGSEGV from kill() interrupts restart only with SA_RESTART.  With
 * no handler of the application, the alternate stack is used when there is
 * one: the process dies the same way, and our own handler has room. */
static int handler_flags(const struct sigaction *app)
{
	int f = SA_SIGINFO | SA_NODEFER;
	if (app->sa_handler == SIG_DFL || app->sa_handler == SIG_IGN)
		return f | SA_ONSTACK | SA_RESTART;
	return f | (app->sa_flags & (SA_ONSTACK | SA_RESTART));
}

/* SIGNAL-SAFE: (re)installs on_segv with the flags that `app` calls for;
 * the old action in *old when old is not NULL. */
static int install(const struct sigaction *app, struct sigaction *old)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = handler_flags(app);
	sigemptyset(&sa.sa_mask);
	return ct_real_sigaction(SIGSEGV, &sa, old);
}

/* Installs the handler; whatever was installed before becomes the
 * application's handler, called for every fault that is not ours. */
int ct_fault_install(void)
{
	struct sigaction old;
	if (ct_real_sigaction(SIGSEGV, NULL, &old) != 0 || install(&old, NULL) != 0) {
		ct_warn("cannot install the SIGSEGV handler; tracing is off", NULL);
		return -1;
	}
	ct.app_segv = old;
	return 0;
}

/* The application's sigaction(SIGSEGV, ...): remembered, never installed
 * over ours.  Returns what it would have returned. */
int ct_app_sigaction(const struct sigaction *act, struct sigaction *oldact)
{
	/* a signal handler taken while we hold app_lock could fault and
	 * chain() while we change the action: none until it is free */
	sigset_t all, mask;
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	ct_real_sigprocmask(SIG_BLOCK, &all, &mask);
	int took = app_lock_take();
	if (oldact)
		*oldact = ct.app_segv;
	if (act) {
		ct.app_segv = *act;
		install(act, NULL);
	}
	if (took)
		atomic_store(&ct.app_lock, 0);
	ct_real_sigprocmask(SIG_SETMASK, &mask, NULL);
	return 0;
}
