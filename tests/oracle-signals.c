/* oracle-signals.c - signal semantics under the tracer (issue 3 item 2).
 * Each case prints what the program observes (the same untraced and traced),
 * makes first writes to libctstress pages where it matters, and writes the
 * pagemap oracle of libctstress to OUT.
 *   oracle-signals CASE OUT
 * CASE: onstack   SIGSEGV handlers with and without SA_ONSTACK, an
 *                 alternate stack set: does each run on it?
 *       samask    the handler's sa_mask (and SIGSEGV itself unless
 *                 SA_NODEFER) is blocked while it runs, a signal raised
 *                 there waits for its return
 *       longjmp   siglongjmp out of the SIGSEGV handler, with and without
 *                 the mask saved: is SIGSEGV blocked afterwards?
 *       blockall  a thread and the main thread block every signal
 *                 (pthread_sigmask/sigprocmask with sigfillset), then write
 *       waitmask  sigsuspend, pselect, ppoll, epoll_pwait with full masks
 *                 (less SIGUSR1, pending): the handler writes under that mask
 *       signalfd  SIGUSR1 and SIGSEGV blocked and read through a signalfd
 *       storm     a thread sends SIGUSR1 as fast as it can and an interval
 *                 timer SIGALRM while the main flow makes first writes; the
 *                 SIGUSR1 handler writes the same pages, SIGALRM's others
 *       grow      8192 first writes, half by a SIGUSR1 handler that a
 *                 thread keeps sending: one arrives while the tracer grows
 *                 its log, and its first write needs the log to grow too
 *       sigbus    a real SIGBUS to the application's handler (sigaction),
 *                 which writes a tracked page and siglongjmps out */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <unistd.h>

#include "stress-common.h"

#define PG 4096

/* first write to libctstress page i (a marker byte) */
static void touch(int i, int v)
{
	((volatile char *)cts_page(i))[64] = (char)v;
}

static int touched(int i, int v)
{
	return cts_page(i)[64] == (char)v;
}

/* ---- onstack ---------------------------------------------------------- */

static char *alt_lo, *alt_hi;
static char *victim;                 /* our own read-only page */
static volatile int on_alt, alt_flag, handler_page;

static void segv_where(int sig, siginfo_t *si, void *uc)
{
	char local;
	stack_t ss;
	on_alt = &local >= alt_lo && &local < alt_hi;
	alt_flag = sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK);
	touch(handler_page++, 1);
	mprotect(victim, PG, PROT_READ | PROT_WRITE);
}

static void fault_victim(void)
{
	mprotect(victim, PG, PROT_READ);
	*(volatile char *)victim = 1;
}

static int case_onstack(void)
{
	stack_t ss = { .ss_size = 64 * 1024 };
	ss.ss_sp = mmap(NULL, ss.ss_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ss.ss_sp == MAP_FAILED || sigaltstack(&ss, NULL))
		return -1;
	alt_lo = ss.ss_sp;
	alt_hi = alt_lo + ss.ss_size;
	static const int flags[] = { SA_SIGINFO | SA_ONSTACK, SA_SIGINFO, SA_SIGINFO | SA_ONSTACK, SA_SIGINFO };
	handler_page = 10;
	for (int i = 0; i < 4; i++) {
		struct sigaction sa = { .sa_sigaction = segv_where, .sa_flags = flags[i] };
		sigemptyset(&sa.sa_mask);
		sigaction(SIGSEGV, &sa, NULL);
		fault_victim();
		printf("handler %s SA_ONSTACK: on the alternate stack %s, SS_ONSTACK %s\n",
		       flags[i] & SA_ONSTACK ? "with" : "without", on_alt ? "yes" : "no",
		       alt_flag ? "yes" : "no");
	}
	return 0;
}

/* ---- samask ----------------------------------------------------------- */

static volatile int usr1_seen;
static volatile int seen_in_handler, seen_mask[4];
static const int probe_sigs[4] = { SIGSEGV, SIGUSR1, SIGUSR2, SIGALRM };

static void on_usr1(int sig)
{
	usr1_seen++;
	touch(40 + usr1_seen, 1);
}

static void segv_mask(int sig)
{
	sigset_t cur;
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	for (int i = 0; i < 4; i++)
		seen_mask[i] = sigismember(&cur, probe_sigs[i]);
	touch(handler_page++, 2);
	raise(SIGUSR1);
	seen_in_handler = usr1_seen;
	mprotect(victim, PG, PROT_READ | PROT_WRITE);
}

static int case_samask(void)
{
	signal(SIGUSR1, on_usr1);
	handler_page = 20;
	for (int i = 0; i < 3; i++) {
		struct sigaction sa = { .sa_handler = segv_mask };
		sigemptyset(&sa.sa_mask);
		if (i == 0)
			sigaddset(&sa.sa_mask, SIGUSR1);
		if (i == 1) {
			sigaddset(&sa.sa_mask, SIGUSR2);
			sa.sa_flags = SA_NODEFER;
		}
		if (i == 2)
			sigaddset(&sa.sa_mask, SIGSEGV);	/* SA_NODEFER, but in sa_mask */
		sa.sa_flags |= i == 2 ? SA_NODEFER : 0;
		sigaction(SIGSEGV, &sa, NULL);
		usr1_seen = 0;
		fault_victim();
		printf("handler %d: blocked in it: SEGV %d USR1 %d USR2 %d ALRM %d; "
		       "SIGUSR1 raised there ran %s\n", i, seen_mask[0], seen_mask[1], seen_mask[2],
		       seen_mask[3], seen_in_handler ? "at once" : "after it");
		sigset_t now;
		sigprocmask(SIG_BLOCK, NULL, &now);
		printf("  after it: SEGV blocked %d, USR1 blocked %d, SIGUSR1 ran %d time(s)\n",
		       sigismember(&now, SIGSEGV), sigismember(&now, SIGUSR1), usr1_seen);
	}
	return 0;
}

/* ---- longjmp ---------------------------------------------------------- */

static sigjmp_buf segv_jmp;

static void segv_jump(int sig)
{
	touch(handler_page++, 10);
	mprotect(victim, PG, PROT_READ | PROT_WRITE);
	siglongjmp(segv_jmp, 1);
}

static int segv_blocked(void)
{
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, SIGSEGV);
}

static int case_longjmp(void)
{
	struct sigaction sa = { .sa_handler = segv_jump };
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGSEGV, &sa, NULL);
	handler_page = 30;
	for (volatile int save = 1; save >= 0; save--) {
		if (sigsetjmp(segv_jmp, save) == 0)
			fault_victim();
		printf("left the SIGSEGV handler by siglongjmp, mask %s: SEGV blocked %d\n",
		       save ? "restored" : "kept", segv_blocked());
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGSEGV);
		sigaddset(&s, SIGUSR2);
		sigprocmask(SIG_UNBLOCK, &s, NULL);
	}
	touch(handler_page++, 11);
	return 0;
}

/* ---- blockall --------------------------------------------------------- */

static void *blocked_thread(void *arg)
{
	sigset_t all, cur;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, NULL);
	for (int i = 0; i < 20; i++)
		touch(100 + i, 3);
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	return (void *)(intptr_t)sigismember(&cur, SIGSEGV);
}

static int case_blockall(void)
{
	pthread_t t;
	void *r;
	if (pthread_create(&t, NULL, blocked_thread, NULL))
		return -1;
	pthread_join(t, &r);
	printf("thread with every signal blocked: SEGV blocked %d\n", (int)(intptr_t)r);
	sigset_t all, cur;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	for (int i = 0; i < 20; i++)
		touch(130 + i, 4);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	printf("main with every signal blocked: SEGV blocked %d\n", sigismember(&cur, SIGSEGV));
	int bad = 0;
	for (int i = 0; i < 20; i++)
		bad += !touched(100 + i, 3) + !touched(130 + i, 4);
	printf("wrong bytes: %d\n", bad);
	return 0;
}

/* ---- waitmask --------------------------------------------------------- */

static volatile int usr1_page;

static void on_usr1_write(int sig)
{
	touch(usr1_page++, 5);
}

static int case_waitmask(void)
{
	sigset_t usr1, wait;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	struct sigaction sa = { .sa_handler = on_usr1_write };
	sigfillset(&sa.sa_mask);	/* the handler too runs with every signal blocked */
	sigaction(SIGUSR1, &sa, NULL);
	sigfillset(&wait);
	sigdelset(&wait, SIGUSR1);
	struct timespec ts = { 2, 0 };
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev;
	usr1_page = 150;
	for (int k = 0; k < 4; k++) {
		raise(SIGUSR1);	/* pending: the wait below lets it in at once */
		int r = -2;
		errno = 0;
		switch (k) {
		case 0: r = sigsuspend(&wait); break;
		case 1: r = pselect(0, NULL, NULL, NULL, &ts, &wait); break;
		case 2: r = ppoll(NULL, 0, &ts, &wait); break;
		case 3: r = epoll_pwait(ep, &ev, 1, 2000, &wait); break;
		}
		static const char *name[] = { "sigsuspend", "pselect", "ppoll", "epoll_pwait" };
		printf("%s: %d %s, handler wrote %d page(s)\n", name[k], r,
		       errno == EINTR ? "EINTR" : "?", usr1_page - 150);
		touch(160 + k, 6);	/* and the main flow after it */
	}
	/* full masks with nothing to wait for: a timeout */
	sigfillset(&wait);
	ts.tv_sec = 0;
	ts.tv_nsec = 1000000;
	printf("ppoll, full mask: %d\n", ppoll(NULL, 0, &ts, &wait));
	printf("pselect, full mask: %d\n", pselect(0, NULL, NULL, NULL, &ts, &wait));
	touch(170, 7);
	return 0;
}

/* ---- signalfd --------------------------------------------------------- */

static int case_signalfd(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGSEGV);
	sigprocmask(SIG_BLOCK, &s, NULL);
	int fd = signalfd(-1, &s, SFD_CLOEXEC);
	if (fd < 0)
		return -1;
	for (int k = 0; k < 3; k++) {
		raise(SIGUSR1);
		struct signalfd_siginfo si;
		ssize_t n = read(fd, &si, sizeof si);
		touch(180 + k, 8);	/* SIGSEGV blocked by the application */
		printf("signalfd read %zd bytes, signal %u\n", n, n > 0 ? si.ssi_signo : 0);
	}
	close(fd);
	return 0;
}

/* ---- storm ------------------------------------------------------------ */

#define STORM_PAGES 60
static _Atomic int usr1_n, alrm_n, main_done;

/* the pages the main flow is writing: a signal taken while the main flow
 * is inside the tracer's handler for a page may write that same page */
static void storm_usr1(int sig)
{
	int n = atomic_fetch_add(&usr1_n, 1);
	((volatile char *)cts_page(400 + n % STORM_PAGES))[1 + n % 63] = 1;
}

static void storm_alrm(int sig)
{
	int n = atomic_fetch_add(&alrm_n, 1);
	((volatile char *)cts_page(300 + n % STORM_PAGES))[n % PG] = 1;
}

static void *storm_sender(void *arg)
{
	pthread_t main_thread = *(pthread_t *)arg;
	while (!atomic_load(&main_done) || atomic_load(&usr1_n) < STORM_PAGES)
		pthread_kill(main_thread, SIGUSR1);
	return NULL;
}

static int case_storm(void)
{
	struct sigaction sa = { .sa_handler = storm_usr1, .sa_flags = SA_RESTART };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = storm_alrm;
	sigfillset(&sa.sa_mask);	/* SIGSEGV too: its first writes still fault */
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, 50 }, { 0, 50 } };
	setitimer(ITIMER_REAL, &it, NULL);
	pthread_t self = pthread_self(), t;
	if (pthread_create(&t, NULL, storm_sender, &self))
		return -1;
	for (int i = 0; i < STORM_PAGES; i++) {
		char *pg = cts_page(400 + i);
		for (int k = 0; k < PG; k += 64)
			((volatile char *)pg)[k] = (char)i;
	}
	while (atomic_load(&alrm_n) < STORM_PAGES)
		;	/* the timer fills its pages */
	atomic_store(&main_done, 1);
	pthread_join(t, NULL);
	memset(&it, 0, sizeof it);
	setitimer(ITIMER_REAL, &it, NULL);
	int bad = 0;
	for (int i = 0; i < STORM_PAGES; i++)
		for (int k = 0; k < PG; k += 64)
			bad += cts_page(400 + i)[k] != (char)i;
	printf("storm: main flow wrong bytes %d, SIGUSR1 >= %d: %s, SIGALRM >= %d: %s\n", bad,
	       STORM_PAGES, usr1_n >= STORM_PAGES ? "yes" : "no", STORM_PAGES,
	       alrm_n >= STORM_PAGES ? "yes" : "no");
	return 0;
}

/* ---- grow ------------------------------------------------------------- */

/* Many first writes, half of them by a SIGUSR1 handler that a thread keeps
 * sending: the log grows several times while signals keep arriving, so one
 * is taken in the middle of the tracer's own log growth (its system calls
 * return to user space with SIGUSR1 pending), and its handler's first write
 * needs the log to grow as well. */
#define GROW_PAGES 4096
static char grow_area[2 * GROW_PAGES * PG] __attribute__((aligned(4096)));
static _Atomic int grow_n, grow_done;

static void grow_usr1(int sig)
{
	int n = atomic_fetch_add(&grow_n, 1);
	if (n < GROW_PAGES)
		((volatile char *)grow_area)[(2 * n + 1) * PG] = 1;
}

static void *grow_sender(void *arg)
{
	pthread_t main_thread = *(pthread_t *)arg;
	while (!atomic_load(&grow_done) || atomic_load(&grow_n) < GROW_PAGES)
		pthread_kill(main_thread, SIGUSR1);
	return NULL;
}

static int case_grow(void)
{
	struct sigaction sa = { .sa_handler = grow_usr1, .sa_flags = SA_RESTART };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	pthread_t self = pthread_self(), t;
	if (pthread_create(&t, NULL, grow_sender, &self))
		return -1;
	for (int i = 0; i < GROW_PAGES; i++)
		((volatile char *)grow_area)[2 * i * PG] = 2;
	atomic_store(&grow_done, 1);
	pthread_join(t, NULL);
	int bad = 0;
	for (int i = 0; i < GROW_PAGES; i++)
		bad += grow_area[(2 * i + 1) * PG] != 1 || grow_area[2 * i * PG] != 2;
	for (int i = 0; i < 20; i++)
		touch(i, 12);
	printf("grow: wrong bytes %d\n", bad);
	return 0;
}

/* ---- sigbus ----------------------------------------------------------- */

static sigjmp_buf bus_jmp;

static void on_bus(int sig, siginfo_t *si, void *uc)
{
	touch(handler_page++, 9);
	siglongjmp(bus_jmp, si->si_code == BUS_ADRERR ? 1 : 2);
}

static int case_sigbus(void)
{
	char path[] = "/tmp/oracle-signals.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	unlink(path);
	if (ftruncate(fd, PG))
		return -1;
	char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -1;
	struct sigaction sa = { .sa_sigaction = on_bus, .sa_flags = SA_SIGINFO }, old;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	handler_page = 190;
	for (int k = 0; k < 3; k++) {
		int r = sigsetjmp(bus_jmp, 1);
		if (r == 0)
			m[PG + k] = 1;	/* beyond the end of the file */
		printf("SIGBUS %d: handler left with %d\n", k, r);
	}
	sigaction(SIGBUS, NULL, &old);
	printf("SIGBUS handler still ours: %s\n", old.sa_sigaction == on_bus ? "yes" : "no");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct { const char *name; int (*fn)(void); } cases[] = {
		{ "onstack", case_onstack }, { "samask", case_samask },
		{ "blockall", case_blockall }, { "waitmask", case_waitmask },
		{ "signalfd", case_signalfd }, { "storm", case_storm },
		{ "sigbus", case_sigbus }, { "longjmp", case_longjmp }, { "grow", case_grow },
	};
	if (argc < 3) {
		fprintf(stderr, "usage: oracle-signals CASE OUT\n");
		return 2;
	}
	victim = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (strcmp(argv[1], cases[i].name))
			continue;
		if (cases[i].fn() < 0) {
			printf("%s: set-up failed\n", argv[1]);
			return 3;
		}
		fflush(stdout);
		return oracle_dump_file("libctstress.so", argv[2]) < 0 ? 4 : 0;
	}
	fprintf(stderr, "oracle-signals: no case %s\n", argv[1]);
	return 2;
}
