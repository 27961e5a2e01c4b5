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
#include <sys/socket.h>
#include <sys/uio.h>

#include "ct.h"

static void lend_page(struct ct_module *m, uintptr_t page, _Atomic uint8_t *st, void *arg)
{
	struct ct_lend *l = arg;
	uint8_t expect = CT_PG_PROTECTED;
	if (!atomic_compare_exchange_strong(st, &expect, CT_PG_LENT)) {
		/* another thread's fault is recording it but may not have
		 * made it writable yet */
		if (expect == CT_PG_CLAIMED)
			ct_page_unprotect(m, page);
		return;
	}
	if (ct_page_unprotect(m, page) != 0) {
		/* the module is being given up (VMA limit): the call fails as
		 * it would have */
		atomic_store(st, CT_PG_PROTECTED);
		return;
	}
	l->lent++;
}

/* SIGNAL-SAFE */
void ct_lend(struct ct_lend *l, void *addr, size_t len)
{
	l->lo = (uintptr_t)addr;
	l->hi = l->lo + len < l->lo ? UINTPTR_MAX : l->lo + len;
	l->lent = 0;
	if (!addr || !len || !atomic_load(&ct.active))
		return;
	int saved = errno;
	ct_pages_each(l->lo, l->hi, lend_page, l);
	errno = saved;
}

struct settle_ctx {
	uintptr_t lo, filled, ip;
	int via;
};

static void settle_page(struct ct_module *m, uintptr_t page, _Atomic uint8_t *st, void *arg)
{
	struct settle_ctx *c = arg;
	uint8_t expect = CT_PG_LENT;
	if (page < c->filled) {
		ct_mark_seen(m, page);  /* scans skip LENT pages until now */
		if (atomic_compare_exchange_strong(st, &expect, CT_PG_WRITTEN))
			ct_log_first_write(m, page, page < c->lo ? c->lo : page, c->ip, c->via, NULL);
	} else if (atomic_compare_exchange_strong(st, &expect, CT_PG_OPEN)) {
		ct_perf_need();
		ct_log_page(m, page, CT_PAGE_UNPROTECTED, CT_WHY_SHORT_READ);
	}
}

/* SIGNAL-SAFE: `written` bytes from the start of the destination were
 * written by the call (0 when it failed). */
void ct_settle(struct ct_lend *l, size_t written, int sysno, uintptr_t ip)
{
	int saved = errno;              /* the call's, for the program */
	if (written && l->hi > l->lo)   /* perf backend: the call is the writer */
		ct_perf_kernel_write(l->lo, written < l->hi - l->lo ? l->lo + written : l->hi,
				     sysno, ip);
	if (!l->lent) {
		errno = saved;
		return;
	}
	struct settle_ctx c = { l->lo, written < l->hi - l->lo ? l->lo + written : l->hi, ip,
				(int)(CT_VIA_SYSCALL | (unsigned)sysno) };
	ct_pages_each(l->lo, l->hi, settle_page, &c);
	errno = saved;
}

/* ---- helpers of the wrappers (syscalls.c, kwrites.c) ------------------- */

/* SIGNAL-SAFE */
void ct_claim_iov(const struct iovec *iov, int n, int nr, uintptr_t ra)
{
	for (int i = 0; iov && i < n; i++)
		ct_claim_for_kernel(iov[i].iov_base, iov[i].iov_len, nr, ra);
}

/* SIGNAL-SAFE: socklen_t *len is itself written, and *len bytes of addr */
void ct_claim_sockaddr(void *addr, socklen_t *len, int nr, uintptr_t ra)
{
	if (len) {
		ct_claim_for_kernel(len, sizeof *len, nr, ra);
		if (addr)
			ct_claim_for_kernel(addr, *len, nr, ra);
	}
}

/* SIGNAL-SAFE: each vector lent; more than CT_LEND_IOV are claimed */
void ct_lend_iov(struct ct_lend_iov *v, const struct iovec *iov, int n, int nr, uintptr_t ra)
{
	v->n = iov && n > 0 && n <= CT_LEND_IOV ? n : 0;
	if (!v->n) {
		ct_claim_iov(iov, n, nr, ra);
		return;
	}
	for (int i = 0; i < n; i++)
		ct_lend(&v->l[i], iov[i].iov_base, iov[i].iov_len);
}

/* SIGNAL-SAFE: the kernel fills the vectors in order */
void ct_settle_iov(struct ct_lend_iov *v, ssize_t r, int nr, uintptr_t ra)
{
	size_t left = r > 0 ? (size_t)r : 0;
	for (int i = 0; i < v->n; i++) {
		size_t len = v->l[i].hi - v->l[i].lo;
		size_t w = left < len ? left : len;
		ct_settle(&v->l[i], w, nr, ra);
		left -= w;
	}
}
