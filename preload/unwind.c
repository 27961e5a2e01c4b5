/* unwind.c - backtraces of the faulting context with libunwind.
 *
 * Two ways, the same frames.  The fast one is unw_backtrace(): libunwind's
 * x86_64 trace path keeps a per-thread cache of how to step from each
 * instruction address (filled by real unw_step calls) and walks through our
 * own handler frames and the signal frame with no lock and no system call.
 * The slow one is unw_init_local2 on the handler's ucontext and a bounded
 * unw_step loop: Debian's libunwind 1.6 is built without per-thread caches,
 * so every unw_step takes the global cache mutex and blocks and restores
 * all signals (two rt_sigprocmask calls a frame, most of the time of a
 * 16-frame backtrace).  The slow one is used when the fast one does not
 * find the first frame wanted, cannot be used safely here (see key_inline,
 * FAST_THREADS_MAX), or COWTRACE_UNWIND=slow. */
#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <link.h>
#include <libunwind.h>
#include <pthread.h>
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "arch.h"
#include "ct.h"

/* Frames above the first one wanted that the fast path walks and drops:
 * ct_unwind, ct_record_first_write, the handler or the wrapper, the signal
 * trampoline; a few to spare for inlining that differs. */
#define SKIP_MAX 8

/* glibc keeps the first 32 thread-specific values in the thread
 * descriptor; a key past them makes pthread_setspecific allocate. */
#define KEY_INLINE 32

/* Each thread's trace cache is 256 KiB (2^14 slots, all written when it is
 * made) until the thread exits.  Only this many threads ever get one; the
 * others take the slow path: a bound on the memory the tracer adds. */
#define FAST_THREADS_MAX 64

static _Atomic int fast_ok;     /* unw_backtrace may run in the handler */
static _Atomic int fast_threads;
static CT_TLS int fast_here;    /* this thread: 0 unknown, 1 fast, -1 slow */

/* Set while this thread is inside libunwind.  A fault there (nested in
 * this thread's unwind) gets no frames: libunwind is not reentrant.  And
 * libunwind checks addresses, when it has to guess a frame without unwind
 * information (the outermost one, for example), by writing them into a
 * pipe it opens at set-up and reopens whenever a read from it fails.  Those
 * descriptors are the program's to see, close and reuse: a program that
 * closed them and opened a file of its own would have libunwind read from
 * and write into that file.  While this flag is set, pipe2 fails
 * (syscalls.c), so libunwind's descriptors stay -1, and its check, a write
 * of the byte at the address into the pipe made through syscall(), is
 * answered by ct_unwinder_check (kwrites.c) without a descriptor.  Debian's
 * libunwind checks every address it reads during unw_step
 * (CONSERVATIVE_CHECKS), not only guessed frames: without an answer every
 * backtrace would end at its first frame. */
CT_TLS int ct_in_unwinder;

/* SIGNAL-SAFE: libunwind's syscall(SYS_write, -1, addr, 1): 1 when the
 * byte at addr is readable, else -1 and EFAULT, as the write would have
 * answered.  process_vm_readv on ourselves reads it without a descriptor
 * and without faulting. */
long ct_unwinder_check(const void *addr)
{
	char byte;
	struct iovec local = { &byte, 1 }, remote = { (void *)addr, 1 };
	long r = ct_syscall(SYS_process_vm_readv, ct_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0),
			    (long)&local, 1, (long)&remote, 1, 0);
	if (r == 1)
		return 1;
	errno = EFAULT;
	return -1;
}

/* unw_backtrace must be the one of the libunwind we step with: a program
 * can bring another unwinder that exports the same name. */
static int same_unwinder(void)
{
	Dl_info a, b;
	if (!dladdr((void *)unw_backtrace, &a) || !dladdr((void *)unw_step, &b))
		return 0;
	return a.dli_fbase == b.dli_fbase;
}

/* The fast path reads libunwind's thread-local variables.  If their block
 * is in static TLS, every thread has it from its start; if it is dynamic
 * (seen when the audit module started the tracer: glibc gave libunwind no
 * static TLS offset), a thread's first access allocates it with the
 * application's malloc, from inside our handler, possibly inside malloc.
 * Static blocks sit next to the thread pointer (arch.h); dynamic ones were
 * allocated elsewhere, and then each thread allocates its block at its
 * start, before any first write can run the handler there. */
struct tls_find {
	const char *name;
	void *data;
	size_t modid;
};

/* libunwind's TLS module id when its block is dynamic: threads started by
 * pthread_create then allocate it at their start (ct_unwind_thread_start),
 * outside any handler; other threads take the slow path. */
static size_t tls_dynamic_modid;
static CT_TLS int tls_ready;    /* this thread has libunwind's block */

typedef struct { unsigned long ti_module, ti_offset; } tls_index;
extern void *__tls_get_addr(tls_index *ti);

static int tls_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct tls_find *f = arg;
	(void)size;
	if (info->dlpi_name && !strcmp(info->dlpi_name, f->name)) {
		f->data = info->dlpi_tls_data;
		f->modid = info->dlpi_tls_modid;
		return 1;
	}
	return 0;
}

/* 1 when the fast path may run in every thread, 0 never, -1 in threads
 * whose block was allocated outside the handler. */
static int unwinder_tls(void)
{
	Dl_info a;
	if (!dladdr((void *)unw_backtrace, &a) || !a.dli_fname)
		return 0;
	struct tls_find f = { a.dli_fname, NULL, 0 };
	dl_iterate_phdr(tls_cb, &f);
	if (!f.modid)
		return 1;               /* no TLS at all */
	if (f.data && ct_arch_tls_is_static(f.data))
		return 1;
	tls_dynamic_modid = f.modid;
	tls_ready = 1;                  /* this thread: the warm-up allocated it */
	return -1;
}

/* At the start of a thread made by pthread_create (hooks.c), outside any
 * signal handler: allocate libunwind's dynamic TLS block now. */
void ct_unwind_thread_start(void)
{
	if (tls_dynamic_modid && atomic_load(&fast_ok)) {
		tls_index ti = { tls_dynamic_modid, 0 };
		__tls_get_addr(&ti);
		tls_ready = 1;
	}
}

/* The first unw_backtrace on a thread creates its trace cache: mmap, and
 * pthread_setspecific on libunwind's key, which was created by the warm-up
 * just before.  Keys are handed out lowest free first, so a key of ours made
 * right after it is larger: if ours still fits in the descriptor, so does
 * libunwind's, and no thread's first backtrace calls malloc. */
static int key_inline(void)
{
	pthread_key_t k;
	if (pthread_key_create(&k, NULL) != 0)
		return 0;
	pthread_key_delete(k);
	return k < KEY_INLINE;
}

/* Outside signal context, once: a first unwind so that libunwind has set
 * itself up before any handler needs it.  unw_backtrace does it all (it
 * steps through each new address, so the unw_step path is ready too) and
 * also creates its thread key and this thread's trace cache. */
void ct_unwind_init(void)
{
	void *buf[8];

	ct_in_unwinder = 1;
	/* COWTRACE_UNWIND=slow: the unw_step loop only (tests compare both) */
	if (!ct.opt.unwind_slow && same_unwinder() && unw_backtrace(buf, 8) > 0) {
		fast_ok = key_inline() && unwinder_tls() != 0;
	} else {
		unw_context_t ctx;
		unw_cursor_t cur;
		if (unw_getcontext(&ctx) == 0 && unw_init_local(&cur, &ctx) == 0)
			for (int i = 0; i < 8 && unw_step(&cur) > 0; i++)
				;
	}
	ct_in_unwinder = 0;
	fast_here = fast_ok ? 1 : -1;
	fast_threads = 1;
	ct.unwind_ready = 1;
}

/* An object was unloaded.  libunwind keeps its step rules by instruction
 * address alone (both the unw_step cache and the trace caches): code loaded
 * later at the same address would be stepped with the old object's rules,
 * giving wrong frames or reads of wild addresses.  The unw_step cache can be
 * flushed; other threads' trace caches cannot, so the fast path ends here
 * for this process. */
void ct_unwind_forget(void)
{
	atomic_store(&fast_ok, 0);
	ct_in_unwinder = 1;
	unw_flush_cache(unw_local_addr_space, 0, 0);
	ct_in_unwinder = 0;
}

/* SIGNAL-SAFE: may this thread take the fast path? */
static int fast_thread(void)
{
	if (tls_dynamic_modid && !tls_ready)
		return 0;
	if (!fast_here)
		fast_here = atomic_fetch_add(&fast_threads, 1) < FAST_THREADS_MAX ? 1 : -1;
	return fast_here > 0;
}

/* SIGNAL-SAFE: the fast path; -1 when `first` is not among the first
 * SKIP_MAX + 1 addresses, so that the slow path decides. */
static int unwind_fast(uint64_t *frames, int max, uintptr_t first)
{
	void *buf[max + SKIP_MAX + 1];
	int got = unw_backtrace(buf, max + SKIP_MAX + 1);
	int i = 0;
	while (i < got && i <= SKIP_MAX && (uintptr_t)buf[i] != first)
		i++;
	if (i >= got || i > SKIP_MAX)
		return -1;
	int n = got - i < max ? got - i : max;
	for (int j = 0; j < n; j++)
		frames[j] = (uintptr_t)buf[i + j];
	return n;
}

/* SIGNAL-SAFE: the slow path, one unw_step a frame. */
static int unwind_slow(void *uc, uint64_t *frames, int max, uintptr_t from)
{
	unw_context_t ctx;
	unw_cursor_t cur;
	int n = 0, skip = 0;

	if (uc) {
		if (unw_init_local2(&cur, (unw_context_t *)uc, UNW_INIT_SIGNAL_FRAME) < 0)
			return 0;
	} else {
		if (unw_getcontext(&ctx) < 0 || unw_init_local(&cur, &ctx) < 0)
			return 0;
		skip = 1;
	}
	do {
		unw_word_t ip;
		if (unw_get_reg(&cur, UNW_REG_IP, &ip) < 0 || !ip)
			break;
		if (skip) {
			if (ip != from) {
				/* the call site never came: no frames, not wrong ones */
				if (++skip > SKIP_MAX)
					return 0;
				continue;
			}
			skip = 0;
		}
		frames[n++] = ip;
	} while (n < max && unw_step(&cur) > 0);
	return n;
}

/* SIGNAL-SAFE: up to max instruction addresses, innermost first.  With uc
 * (a signal's ucontext) the first is the faulting instruction; without, the
 * tracer's own frames are skipped up to the return address `from` (the call
 * site of the wrapper).  A fault inside libunwind itself (nested in this
 * thread's unwind) gets no frames: libunwind is not reentrant. */
int ct_unwind(void *uc, uint64_t *frames, int max, uintptr_t from)
{
	if (ct_in_unwinder || max <= 0)
		return 0;
	if (max > (int)CT_MAX_FRAMES)
		max = CT_MAX_FRAMES;
	ct_in_unwinder = 1;
	int n = -1;
	if (fast_ok && fast_thread())
		n = unwind_fast(frames, max, uc ? ct_arch_ip(uc) : from);
	if (n < 0)
		n = unwind_slow(uc, frames, max, from);
	ct_in_unwinder = 0;
	return n;
}
