/* lend.c - destinations of system calls that say how much they wrote.
 *
 * read(fd, buf, 65536) into a 16-page global buffer may return 10 bytes: the
 * kernel then dirties one page, not sixteen.  Giving all sixteen their
 * "first write" before the call (as ct_claim_for_kernel does) would report
 * fifteen pages that stay shared.  So for these calls the protected pages of
 * the destination are only lent: made writable before the call (state LENT,
 * nothing recorded), and settled after it, when the result says how far the
 * kernel wrote: pages within the result get their first write, the others
 * stay writable and become OPEN (like the pages libc writes with signals
 * blocked): the exit scan finds out from pagemap whether anything dirtied
 * them later.
 *
 * Why not protect the unfilled pages again: another thread's system call
 * may be writing into the same page at that moment, and would fail with
 * EFAULT; a tracer must never make a call fail.  A store from another thread
 * into a lent page goes unseen (the page is writable); it is counted at
 * settle time (inside the result) or by the exit scan (outside). */
#include <errno.h>

#include "ct.h"

/* SIGNAL-SAFE */
void ct_lend(struct ct_lend *l, void *addr, size_t len)
{
	l->lo = (uintptr_t)addr;
	l->hi = l->lo + len < l->lo ? UINTPTR_MAX : l->lo + len;
	l->lent = 0;
	if (!addr || !len || !atomic_load(&ct.active))
		return;
	int saved = errno;
	const struct ct_span *end, *s = ct_span_first(l->lo, &end);
	for (; s && s < end && s->start < l->hi; s++) {
		if (!atomic_load(&s->mod->live))
			continue;
		uintptr_t a = (l->lo > s->start ? l->lo : s->start) & ~(uintptr_t)(ct.page_size - 1);
		uintptr_t e = l->hi < s->end ? l->hi : s->end;
		for (; a < e; a += ct.page_size) {
			_Atomic uint8_t *st = s->state + (a - s->start) / ct.page_size;
			uint8_t expect = CT_PG_PROTECTED;
			if (!atomic_compare_exchange_strong(st, &expect, CT_PG_LENT)) {
				/* another thread's fault is recording it but may
				 * not have made it writable yet */
				if (expect == CT_PG_CLAIMED)
					ct_page_unprotect(s->mod, a);
				continue;
			}
			if (ct_page_unprotect(s->mod, a) != 0) {
				/* the module is being given up (VMA limit):
				 * the call fails as it would have */
				atomic_store(st, CT_PG_PROTECTED);
				continue;
			}
			l->lent++;
		}
	}
	errno = saved;
}

/* SIGNAL-SAFE: `written` bytes from the start of the destination were
 * written by the call (0 when it failed). */
void ct_settle(struct ct_lend *l, size_t written, int sysno, uintptr_t ip)
{
	if (!l->lent)
		return;
	int saved = errno;
	uintptr_t filled = written < l->hi - l->lo ? l->lo + written : l->hi;
	const struct ct_span *end, *s = ct_span_first(l->lo, &end);
	for (; s && s < end && s->start < l->hi; s++) {
		uintptr_t a = (l->lo > s->start ? l->lo : s->start) & ~(uintptr_t)(ct.page_size - 1);
		uintptr_t e = l->hi < s->end ? l->hi : s->end;
		for (; a < e; a += ct.page_size) {
			_Atomic uint8_t *st = s->state + (a - s->start) / ct.page_size;
			uint8_t expect = CT_PG_LENT;
			if (a < filled) {
				if (atomic_compare_exchange_strong(st, &expect, CT_PG_WRITTEN))
					ct_log_first_write(s->mod, a, a < l->lo ? l->lo : a, ip,
							   (int)(CT_VIA_SYSCALL | (unsigned)sysno),
							   NULL);
			} else if (atomic_compare_exchange_strong(st, &expect, CT_PG_OPEN)) {
				ct_log_page(s->mod, a, CT_PAGE_UNPROTECTED, CT_WHY_SHORT_READ);
			}
		}
	}
	errno = saved;
}
