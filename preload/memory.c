/* memory.c - the application's own changes to memory the tracer watches:
 * mprotect, pkey_mprotect, munmap, mremap, madvise and mmap(MAP_FIXED) over
 * tracked pages keep each page's state right.
 *
 * Every wrapper first makes the real system call with the application's
 * arguments, so that its result and errno are exactly the untraced ones,
 * and only on success updates the tracer's state.  The tracer's own calls
 * go through ct_sys_*, never through these wrappers.
 *
 * Policy (docs/design-notes.md, "Memory the application changes"):
 *  - mprotect to anything but the segment's own protection: the page is the
 *    application's (CT_PG_APP) for good: never unprotected, never
 *    re-protected; if it is dirty at exit it is logged as an exit page.
 *  - mprotect back to the segment's own protection: a page still waiting
 *    for its first write stays write-protected (the tracer's fault handler
 *    gives it exactly that protection on the first write); an APP page
 *    stays the application's.
 *  - munmap, mremap, mmap(MAP_FIXED) over tracked pages: the pages are gone
 *    (CT_PG_GONE); nothing the tracer does touches those addresses again.
 *  - madvise(MADV_DONTNEED): the private copy is thrown away and the page
 *    is clean again; a page whose first write was recorded is checked
 *    again at exit. */
#include <errno.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ct.h"

#define CT_EXPORT __attribute__((visibility("default")))

#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED 24
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

/* How long a state change waits for a thread that is unprotecting the
 * page (it only has one mprotect to make); a signal handler that
 * interrupted that very thread must not wait for ever. */
#define CLAIM_WAIT 1000

/* ---- raw calls for the tracer itself (SIGNAL-SAFE) ------------------- */

int ct_sys_mprotect(void *addr, size_t len, int prot)
{
	return (int)ct_syscall(SYS_mprotect, (long)addr, (long)len, (long)prot, 0, 0, 0);
}

static uintptr_t page_down(uintptr_t a) { return a & ~(uintptr_t)(ct.page_size - 1); }

/* [lo, hi) of a call over (addr, len) as the kernel rounds it; hi 0 when
 * the range wraps (the call failed anyway). */
static uintptr_t range_end(void *addr, size_t len)
{
	uintptr_t lo = (uintptr_t)addr, hi = lo + len + ct.page_size - 1;
	return hi < lo ? 0 : page_down(hi);
}

static int watching(void)
{
	return ct.hooked && !ct.disabled && atomic_load_explicit(&ct.table, memory_order_acquire);
}

/* SIGNAL-SAFE: moves a page to state `to`; a page being claimed by another
 * thread is waited for briefly first.  Returns the state it had; *claimed
 * tells whether a claim was seen on the way (it may have changed the
 * page's protection after the caller's system call). */
static uint8_t page_move(_Atomic uint8_t *st, uint8_t to, int *claimed)
{
	uint8_t s = atomic_load(st);
	*claimed = 0;
	for (int spin = 0;; spin++) {
		if (s == CT_PG_CLAIMED) {
			*claimed = 1;
			if (spin < CLAIM_WAIT) {
				ct_syscall(SYS_sched_yield, 0, 0, 0, 0, 0, 0);
				s = atomic_load(st);
				continue;
			}
		}
		if (atomic_compare_exchange_weak(st, &s, to))
			return s;
	}
}

/* SIGNAL-SAFE: one note per module and reason, not one per call: programs
 * with their own memory management call these in loops. */
static void note_once(struct ct_module *m, uint32_t reason, const char *text)
{
	uint32_t bit = reason == CT_WHY_UNMAPPED ? CT_MODN_UNMAPPED
		     : reason == CT_WHY_APP_PROTECT ? CT_MODN_APP_PROTECT : CT_MODN_REPROTECT;
	if (!(atomic_fetch_or(&m->noted, bit) & bit))
		ct_log_note(m->id, reason, text);
}

static _Atomic uint8_t *state_of(const struct ct_span *s, uintptr_t page)
{
	return s->state + (page - s->start) / ct.page_size;
}

/* ---- mprotect -------------------------------------------------------- */

/* Write-protects again the runs of pages in [a, e) that are still waiting
 * for their first write, after the application made them writable. */
static void reprotect_waiting(const struct ct_span *s, uintptr_t a, uintptr_t e)
{
	while (a < e) {
		if (atomic_load(state_of(s, a)) != CT_PG_PROTECTED) {
			a += ct.page_size;
			continue;
		}
		uintptr_t b = a;
		while (b < e && atomic_load(state_of(s, b)) == CT_PG_PROTECTED)
			b += ct.page_size;
		if (ct_sys_mprotect((void *)a, b - a, s->prot & ~PROT_WRITE)) {
			ct_module_degrade(s->mod, errno == ENOMEM ? CT_WHY_VMA_LIMIT : CT_WHY_MPROTECT);
			return;
		}
		a = b;
	}
}

static void after_mprotect(const struct ct_span *s, uintptr_t a, uintptr_t e, void *arg)
{
	int prot = *(int *)arg;
	if (prot == s->prot) {
		reprotect_waiting(s, a, e);
		return;
	}
	int changed = 0;
	for (; a < e; a += ct.page_size) {
		_Atomic uint8_t *st = state_of(s, a);
		uint8_t old = atomic_load(st);
		if (old == CT_PG_APP || old == CT_PG_GONE)
			continue;
		int claimed;
		page_move(st, CT_PG_APP, &claimed);
		/* a claim that was under way may have made it writable after
		 * the application's call: the application's protection wins */
		if (claimed)
			ct_sys_mprotect((void *)a, ct.page_size, prot);
		changed = 1;
	}
	if (changed) {
		ct_perf_need();
		note_once(s->mod, CT_WHY_APP_PROTECT,
			  "the application changed the protection of tracked pages: "
			  "they are its own from then on");
	}
}

/* After a failed mprotect over [lo, hi): the kernel changes mapping after
 * mapping and stops with ENOMEM at the first hole, so the part before the
 * hole has the new protection.  Finds where the hole is (msync says ENOMEM
 * when a range is not all mapped, and does nothing on these pages). */
static uintptr_t mapped_prefix(uintptr_t lo, uintptr_t hi)
{
	size_t ok = 0, bad = (hi - lo) / ct.page_size;
	if (ct_syscall(SYS_msync, (long)lo, (long)(hi - lo), (long)MS_ASYNC, 0, 0, 0) == 0)
		return hi;   /* no hole: out of mappings (vm.max_map_count) midway */
	while (bad - ok > 1) {
		size_t mid = ok + (bad - ok) / 2;
		if (ct_syscall(SYS_msync, (long)lo, (long)(mid * ct.page_size), (long)MS_ASYNC, 0, 0, 0) == 0)
			ok = mid;
		else
			bad = mid;
	}
	return lo + ok * ct.page_size;
}

static int app_mprotect(long sysno, void *addr, size_t len, int prot, int pkey)
{
	int r = (int)ct_syscall(sysno, (long)addr, (long)len, (long)prot, (long)pkey, 0, 0);
	if ((r && errno != ENOMEM) || !watching())
		return r;
	int saved = errno;
	uintptr_t hi = range_end(addr, len);
	if (r && hi)
		hi = mapped_prefix((uintptr_t)addr, hi);
	if (sysno == SYS_pkey_mprotect && pkey != -1)
		prot |= 1 << 30;   /* another key is another protection */
	if (hi)
		ct_spans_each((uintptr_t)addr, hi, after_mprotect, &prot);
	errno = saved;
	return r;
}

CT_EXPORT int mprotect(void *addr, size_t len, int prot)
{
	return app_mprotect(SYS_mprotect, addr, len, prot, 0);
}

CT_EXPORT int pkey_mprotect(void *addr, size_t len, int prot, int pkey)
{
	return app_mprotect(SYS_pkey_mprotect, addr, len, prot, pkey);
}

/* ---- munmap, mmap(MAP_FIXED), mremap --------------------------------- */

/* arg: the protection of the new mapping (mmap MAP_FIXED), or NULL */
static void mark_gone(const struct ct_span *s, uintptr_t a, uintptr_t e, void *arg)
{
	int changed = 0;
	for (; a < e; a += ct.page_size) {
		_Atomic uint8_t *st = state_of(s, a);
		int claimed;
		if (atomic_load(st) != CT_PG_GONE) {
			page_move(st, CT_PG_GONE, &claimed);
			/* a claim under way may have made the new mapping
			 * writable after the application's call */
			if (claimed && arg)
				ct_sys_mprotect((void *)a, ct.page_size, *(int *)arg);
			changed = 1;
		}
	}
	if (changed)
		note_once(s->mod, CT_WHY_UNMAPPED,
			  "the application unmapped or replaced tracked pages");
}

/* SIGNAL-SAFE: the tracer forgets [lo, hi): the memory there is no longer
 * the object's. */
static void forget(uintptr_t lo, uintptr_t hi, int *new_prot)
{
	ct_scan_before_change(lo, hi, 1);       /* for the whole-object scans */
	if (hi > lo && watching())
		ct_spans_each(lo, hi, mark_gone, new_prot);
}

CT_EXPORT int munmap(void *addr, size_t len)
{
	ct_scan_before_change((uintptr_t)addr, range_end(addr, len), 0);
	int r = (int)ct_syscall(SYS_munmap, (long)addr, (long)len, 0, 0, 0, 0);
	if (r == 0) {
		int saved = errno;
		forget((uintptr_t)addr, range_end(addr, len), NULL);
		errno = saved;
	}
	return r;
}

/* glibc's mmap is the system call after one check: an offset that is not
 * a multiple of the page size is EINVAL (the kernel says the same). */
CT_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (flags & MAP_FIXED)
		ct_scan_before_change((uintptr_t)addr, range_end(addr, len), 0);
	void *r = (void *)ct_syscall(SYS_mmap, (long)addr, (long)len, (long)prot, (long)flags, (long)fd, (long)off);
	if (r != MAP_FAILED && (flags & MAP_FIXED)) {
		int saved = errno;
		forget((uintptr_t)r, range_end(r, len), &prot);
		errno = saved;
	}
	return r;
}

CT_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap(addr, len, prot, flags, fd, off);
}

/* Gives the pages of [a, e) waiting for their first write their own
 * protection back (OPEN: watched at exit only), so that the range is one
 * mapping again, as mremap needs it to be. */
static void release(const struct ct_span *s, uintptr_t a, uintptr_t e, void *arg)
{
	(void)arg;
	uintptr_t run = 0;
	for (; a <= e; a += ct.page_size) {
		uint8_t expect = CT_PG_PROTECTED;
		if (a < e && atomic_compare_exchange_strong(state_of(s, a), &expect, CT_PG_OPEN)) {
			ct_perf_need();
			if (!run)
				run = a;
			continue;
		}
		if (run)
			ct_sys_mprotect((void *)run, a - run, s->prot);
		run = 0;
	}
}

CT_EXPORT void *mremap(void *old, size_t oldsz, size_t newsz, int flags, ...)
{
	void *want = NULL;
	if (flags & MREMAP_FIXED) {
		va_list ap;
		va_start(ap, flags);
		want = va_arg(ap, void *);
		va_end(ap);
	}
	uintptr_t lo = (uintptr_t)old, hi = range_end(old, oldsz);
	ct_scan_before_change(lo, hi, 0);
	if (hi > lo && !(lo & (ct.page_size - 1)) && watching())
		ct_spans_each(lo, hi, release, NULL);
	void *r = (void *)ct_syscall(SYS_mremap, (long)old, (long)oldsz, (long)newsz, (long)flags, (long)want, 0);
	if (r == MAP_FAILED)
		return r;
	int saved = errno;
	if (r != old || (flags & MREMAP_DONTUNMAP))
		forget(lo, hi, NULL);
	else if (newsz < oldsz)
		forget(range_end(old, newsz), hi, NULL);
	if (r != old)
		forget((uintptr_t)r, range_end(r, newsz), NULL);
	errno = saved;
	return r;
}

/* ---- madvise --------------------------------------------------------- */

/* After MADV_DONTNEED the pages hold the file's contents (or zeros in
 * .bss) again and are shared with every other process.  The ones whose
 * first write the tracer recorded become CLEANED: still writable, and
 * checked by the exit scan (`exit_reason: dontneed`, no writer) if written
 * again.  They are not write-protected again to catch that write with its
 * writer: another thread's system call may be writing into the page at
 * this moment (a read() blocked on a pipe) and would fail with EFAULT.
 * Pages dirty at attach are left alone (the page was dirty at attach). */
static void after_dontneed(const struct ct_span *s, uintptr_t a, uintptr_t e, void *arg)
{
	(void)arg;
	struct ct_module *m = s->mod;
	if (atomic_load(&m->degraded) || (m->flags & CT_MODF_UNTRACKED))
		return;
	for (; a < e; a += ct.page_size) {
		uint8_t old = CT_PG_WRITTEN;
		if (atomic_compare_exchange_strong(state_of(s, a), &old, CT_PG_CLEANED))
			ct_perf_need();
	}
}

CT_EXPORT int madvise(void *addr, size_t len, int advice)
{
	if (advice == MADV_DONTNEED || advice == MADV_DONTNEED_LOCKED)
		ct_scan_before_change((uintptr_t)addr, range_end(addr, len), 0);
	int r = (int)ct_syscall(SYS_madvise, (long)addr, (long)len, (long)advice, 0, 0, 0);
	/* with a hole in the range, the mapped parts are done, then ENOMEM */
	if ((r && errno != ENOMEM) || (advice != MADV_DONTNEED && advice != MADV_DONTNEED_LOCKED) ||
	    !watching())
		return r;
	int saved = errno;
	uintptr_t hi = range_end(addr, len);
	if (hi)
		ct_spans_each((uintptr_t)addr, hi, after_dontneed, NULL);
	errno = saved;
	return r;
}
