/* protect.c - which pages are dirty already (pagemap), write-protecting the
 * rest, giving pages back, the VMA budget, and the pages glibc writes with
 * every signal blocked (which must never be protected). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ct.h"

#define PM_PRESENT (1ull << 63)
#define PM_SWAP    (1ull << 62)
#define PM_FILE    (1ull << 61)
#define PM_UFFD_WP (1ull << 57)
#define PM_EXCL    (1ull << 56)
#define PM_FRAME   ((1ull << 55) - 1)
#define PM_CHUNK   512

/* A userfaultfd write-protect marker where no page was ever populated
 * (scan backend): it reads as a swap entry with the uffd-wp bit, of the
 * last swap type (31) when the frame bits are shown (root), all zero
 * otherwise.  It is not memory. */
static int pm_marker(uint64_t e)
{
	return (e & PM_SWAP) && (e & PM_UFFD_WP) && ((e & 0x1f) == 0x1f || !(e & PM_FRAME));
}

/* Private-dirty: a private anonymous copy mapped only here, or swapped out. */
static int pm_dirty(uint64_t e)
{
	return ((e & PM_SWAP) && !pm_marker(e)) ||
	       ((e & PM_PRESENT) && !(e & PM_FILE) && (e & PM_EXCL));
}

/* A private copy this process shares with another (after fork). */
static int pm_shared_copy(uint64_t e)
{
	return (e & PM_PRESENT) && !(e & PM_FILE) && !(e & PM_EXCL);
}

static void pagemap_unreadable(void)
{
	static int said;
	if (!said++) {
		ct_warn("cannot read /proc/self/pagemap: pages dirty before attach are "
			"counted as run-time writes", NULL);
		ct_log_note(UINT32_MAX, CT_WHY_PAGEMAP, "/proc/self/pagemap unreadable");
	}
}

/* Reads into buf the entries of the pages from a on, up to end and at most
 * PM_CHUNK of them, from the open pagemap fd; returns how many, or -1 when
 * it cannot be read. */
static ssize_t pagemap_chunk(int fd, uintptr_t a, uintptr_t end, uint64_t *buf)
{
	size_t n = (end - a) / ct.page_size;
	if (n > PM_CHUNK)
		n = PM_CHUNK;
	ssize_t r = ct_sys_pread(fd, buf, n * 8, (off_t)(a / ct.page_size * 8));
	if (r != (ssize_t)(n * 8)) {
		pagemap_unreadable();
		return -1;
	}
	return (ssize_t)n;
}

/* Calls fn(arg, page, entry) for each page of [start, end) from the open
 * pagemap fd; returns -1 when it cannot be read. */
static int pagemap_read(int fd, uintptr_t start, uintptr_t end,
			void (*fn)(void *, uintptr_t, uint64_t), void *arg)
{
	uint64_t buf[PM_CHUNK];
	for (uintptr_t a = start; a < end;) {
		ssize_t n = pagemap_chunk(fd, a, end, buf);
		if (n < 0)
			return -1;
		for (ssize_t i = 0; i < n; i++, a += ct.page_size)
			fn(arg, a, buf[i]);
	}
	return 0;
}

static int pagemap_open(void)
{
	int fd = ct_sys_open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		pagemap_unreadable();
	return fd;
}

static int pagemap_walk(uintptr_t start, uintptr_t end,
			void (*fn)(void *, uintptr_t, uint64_t), void *arg)
{
	int fd = pagemap_open();
	if (fd < 0)
		return -1;
	int r = pagemap_read(fd, start, end, fn, arg);
	ct_sys_close(fd);
	return r;
}

/* SIGNAL-SAFE */
int ct_is_sigblocked(uintptr_t page)
{
	for (int i = 0; i < ct.nsigblocked; i++)
		if (ct.sigblocked[i] == page)
			return 1;
	return 0;
}

/* SIGNAL-SAFE: the tracked range of m holding page, or NULL */
struct ct_range *ct_range_of(struct ct_module *m, uintptr_t page)
{
	for (int i = 0; i < m->nranges; i++)
		if (page >= m->ranges[i].start && page < m->ranges[i].end)
			return &m->ranges[i];
	return NULL;
}

/* Applies prot to each maximal run of pages in state `want`.
 * SIGNAL-SAFE.  Returns the number of runs, or -1 if an mprotect failed. */
static int protect_runs(struct ct_range *r, uint8_t want, int prot)
{
	size_t n = (r->end - r->start) / ct.page_size, runs = 0;
	for (size_t i = 0; i < n;) {
		if (atomic_load(&r->state[i]) != want) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && atomic_load(&r->state[j]) == want)
			j++;
		if (ct_sys_mprotect((void *)(r->start + i * ct.page_size), (j - i) * ct.page_size, prot))
			return -1;
		runs++;
		i = j;
	}
	return (int)runs;
}

static int count_runs(const struct ct_range *r, uint8_t want)
{
	size_t n = (r->end - r->start) / ct.page_size;
	int runs = 0;
	for (size_t i = 0; i < n; i++)
		if (atomic_load(&r->state[i]) == want &&
		    (i == 0 || atomic_load(&r->state[i - 1]) != want))
			runs++;
	return runs;
}

static void mark_shared(struct ct_module *m, uintptr_t page);
static int seen_logged(struct ct_module *m, uintptr_t page);
static void scan_all(int how);

struct classify_ctx {
	struct ct_module *m;
	struct ct_range *r;
	int reattach;
};

static void classify_page(void *arg, uintptr_t page, uint64_t e)
{
	struct classify_ctx *c = arg;
	_Atomic uint8_t *st = &c->r->state[(page - c->r->start) / ct.page_size];
	uint8_t old = atomic_load(st);

	if (c->reattach && pm_shared_copy(e))
		mark_shared(c->m, page);
	if (c->reattach && (old == CT_PG_PROTECTED || old == CT_PG_APP || old == CT_PG_GONE ||
			    (old == CT_PG_OPEN && ct_is_sigblocked(page))))
		return;
	if (pm_dirty(e)) {
		atomic_store(st, CT_PG_UNTRACKED);
		if (!seen_logged(c->m, page)) {
			ct_mark_seen(c->m, page);       /* the scan after must not log it again */
			ct_log_page(c->m, page, CT_PAGE_ATTACH, 0);
		}
	} else if (ct_is_sigblocked(page)) {
		atomic_store(st, CT_PG_OPEN);
		ct_perf_need();
		ct_log_page(c->m, page, CT_PAGE_UNPROTECTED, CT_WHY_SIGBLOCKED);
	} else {
		atomic_store(st, CT_PG_PROTECTED);
	}
}

/* Classifies every page of m (dirty now, left open, or to protect), makes
 * the table know them, then write-protects.  Also used after fork. */
static void attach(struct ct_module *m, int reattach)
{
	if ((m->flags & CT_MODF_UNTRACKED) || atomic_load(&m->degraded) || ct.disabled ||
	    !atomic_load(&ct.active))    /* stopped (sandbox.c) */
		return;
	int runs = 0;
	for (int i = 0; i < m->nranges; i++) {
		struct ct_range *r = &m->ranges[i];
		size_t n = (r->end - r->start) / ct.page_size;
		if (!r->state) {
			r->charged = ct_arena_alloc(n);
			r->state = r->charged ? ct_arena_alloc(n) : NULL;
		}
		if (!r->state) {
			ct_module_degrade(m, CT_WHY_TABLE_FULL);
			return;
		}
		struct classify_ctx c = { m, r, reattach };
		/* without pagemap every page counts as clean (a walk that
		 * fails calls nobody, so classify them here) */
		if (pagemap_walk(r->start, r->end, classify_page, &c))
			for (uintptr_t p = r->start; p < r->end; p += ct.page_size)
				classify_page(&c, p, 0);
		runs += count_runs(r, CT_PG_PROTECTED);
	}
	/* each protected run can split one mapping into three */
	if (!ct_vma_charge(m, 2L * runs)) {
		ct_module_degrade(m, CT_WHY_VMA_LIMIT);
		return;
	}
	ct_modules_publish();   /* the handler must know the pages first */
	for (int i = 0; i < m->nranges; i++)
		if (protect_runs(&m->ranges[i], CT_PG_PROTECTED,
				 m->ranges[i].prot & ~PROT_WRITE) < 0) {
			/* forbidden, not failed (seccomp, a security module):
			 * no module can be traced; one line says so */
			if (errno == EPERM || errno == EACCES)
				ct_disable("mprotect is not permitted (seccomp?); tracing is off",
					   CT_WHY_MPROTECT);
			ct_module_degrade(m, CT_WHY_MPROTECT);
			return;
		}
}

void ct_protect_attach(struct ct_module *m)
{
	m->attached = 1;
	ct.backend->arm(m);
}

/* Attaches every live module not attached yet, except the one whose file
 * name is `skip` (NULL: none). */
void ct_protect_attach_pending(const char *skip)
{
	for (uint32_t i = 0; i < ct.nmodules; i++) {
		struct ct_module *m = &ct.modules[i];
		const char *b = strrchr(m->path, '/');
		b = b ? b + 1 : m->path;
		if (atomic_load(&m->live) && !m->attached && !(skip && !strcmp(b, skip)))
			ct_protect_attach(m);
	}
}

/* In the child of a fork: every page the child has not written itself is
 * shared with the parent again, so watch it again. */
void ct_protect_reattach_all(void)
{
	for (uint32_t i = 0; i < ct.nmodules; i++)
		ct.modules[i].scanned = 0;
	ct.backend->fork_child();
	scan_all(CT_SCAN_CHILD);
}

/* ---- the signal backend: mprotect + SIGSEGV (fault.c) ---------------- */

/* The fault handler logs each first write to a protected page.  The pages
 * it cannot watch (ld.so, libc's signal-blocked ones, a module given up,
 * the application's own protections) are found by the pagemap scans, and
 * fault samples (perf.c) name their writers: the signal backend opens a
 * sampling event per thread too, unless COWTRACE_PERF_PAGES=0. */
static int signal_start(void)
{
	if (ct_fault_install())
		return -1;
	ct.hooked = 1;
	ct_perf_start(1);
	return 0;
}

static void signal_arm(struct ct_module *m)
{
	attach(m, 0);
	ct_perf_arm(m);
}

static void signal_collect(int pm, struct ct_module *m)
{
	(void)pm;
	(void)m;
	ct_perf_drain_for_scan();
}

static void signal_fork_child(void)
{
	for (uint32_t i = 0; i < ct.nmodules; i++)
		if (atomic_load(&ct.modules[i].live))
			attach(&ct.modules[i], 1);
	ct_perf_fork_child();
}

const struct ct_backend ct_backend_signal = {
	.name = "signal",
	.start = signal_start,
	.arm = signal_arm,
	.collect = signal_collect,  /* drains the fault samples */
	.fork_child = signal_fork_child,
};

/* SIGNAL-SAFE: counts n more mappings of m against the budget; 0 (and
 * nothing counted) when that would pass it. */
int ct_vma_charge(struct ct_module *m, long n)
{
	if (atomic_fetch_add(&ct.vma_added, n) + n > ct.vma_limit && n > 0) {
		atomic_fetch_sub(&ct.vma_added, n);
		return 0;
	}
	atomic_fetch_add(&m->vma_charged, n);
	return 1;
}

/* SIGNAL-SAFE: the mappings that making `page` of r writable adds, as the
 * kernel splits and merges them: each neighbour still read-only (or of
 * unknown protection) splits one off, each writable one merges with it.
 * Beyond the range's ends lies another segment: counted as a split, the
 * worst case.  A neighbour being claimed by another thread counts as
 * read-only, so that two claims racing side by side overcount, never
 * under. */
static long vma_cost(const struct ct_range *r, uintptr_t page)
{
	size_t i = (page - r->start) / ct.page_size, n = (r->end - r->start) / ct.page_size;
	long cost = 0;
	for (int side = -1; side <= 1; side += 2) {
		if ((side < 0 && i == 0) || (side > 0 && i + 1 >= n)) {
			cost++;
			continue;
		}
		switch (atomic_load(&r->state[i + side])) {
		case CT_PG_PROTECTED: case CT_PG_CLAIMED: case CT_PG_APP: case CT_PG_GONE:
			cost++;
			break;
		default:
			cost--;
		}
	}
	return cost;
}

/* SIGNAL-SAFE: m's mappings are merged back (degraded) or gone (unloaded):
 * what it was charged goes back to the budget, so that a program that
 * loads and unloads plugins for ever does not run it dry. */
void ct_vma_refund(struct ct_module *m)
{
	atomic_fetch_sub(&ct.vma_added, atomic_exchange(&m->vma_charged, 0));
}

/* SIGNAL-SAFE: makes one page writable.  When the VMA budget is spent or
 * mprotect fails, gives up the whole module instead (which also makes the
 * page writable).  Returns 0 either way unless even that failed.  A page
 * is charged once: a second thread that finds it claimed unprotects it
 * again (mprotect is idempotent) without splitting anything more. */
int ct_page_unprotect(struct ct_module *m, uintptr_t page)
{
	struct ct_range *r = ct_range_of(m, page);
	if (!r)
		return -1;
	size_t i = (page - r->start) / ct.page_size;
	uint8_t s = atomic_load(&r->state[i]);
	if (s == CT_PG_APP || s == CT_PG_GONE)
		return 0;   /* the application's now (memory.c): hands off */
	_Atomic uint8_t *charged = &r->charged[i];
	if (!atomic_load(charged) && !atomic_exchange(charged, 1) &&
	    !ct_vma_charge(m, vma_cost(r, page))) {
		atomic_store(charged, 0);
		ct_module_degrade(m, CT_WHY_VMA_LIMIT);
		return 0;
	}
	if (ct_sys_mprotect((void *)page, ct.page_size, r->prot) == 0)
		return 0;
	ct_module_degrade(m, errno == ENOMEM ? CT_WHY_VMA_LIMIT : CT_WHY_MPROTECT);
	return ct_sys_mprotect((void *)page, ct.page_size, r->prot);
}

/* SIGNAL-SAFE: stops tracking m: every protected page becomes writable
 * again (whole runs, so mappings merge back) and is watched at exit only. */
void ct_module_degrade(struct ct_module *m, uint32_t reason)
{
	if (atomic_exchange(&m->degraded, 1))
		return;
	ct_perf_need();         /* its pages are the scans' from now on */
	for (int i = 0; i < m->nranges; i++) {
		struct ct_range *r = &m->ranges[i];
		if (!r->state)
			continue;
		size_t n = (r->end - r->start) / ct.page_size;
		for (size_t k = 0; k < n; k++) {
			uint8_t s = atomic_load(&r->state[k]);
			if (s == CT_PG_PROTECTED || s == CT_PG_CLAIMED || s == CT_PG_LENT)
				atomic_store(&r->state[k], CT_PG_OPEN);
			atomic_store(&r->charged[k], 0);
		}
		/* one call per range: the application's own protections (APP
		 * pages) are rare; keep them by protecting around them */
		protect_runs(r, CT_PG_OPEN, r->prot);
		protect_runs(r, CT_PG_WRITTEN, r->prot);
		protect_runs(r, CT_PG_UNTRACKED, r->prot);
	}
	ct_vma_refund(m);   /* its mappings merged back */
	m->reason = reason;
	const char *why = reason == CT_WHY_VMA_LIMIT ? (ct.opt.max_maps >= 0 ?
			"COWTRACE_MAX_MAPS mappings added" :
			"the mapping limit (vm.max_map_count) is near")
			: reason == CT_WHY_MPROTECT ? "mprotect failed"
			: "the tracer's tables are full";
	ct_log_note(m->id, reason, why);
	/* one line per process: a program that loads plugins for ever must not
	 * flood its stderr; the log has a note per module.  None once tracing
	 * is off: the line saying why was printed. */
	static _Atomic int said;
	if (!ct.disabled && !atomic_exchange(&said, 1))
		ct_warn("stopped tracing ", m->path, ": ", why, NULL);
}

/* ---- scans: dirty pages the log does not have yet -------------------- */

static _Atomic uint8_t *seen_at(struct ct_module *m, uintptr_t page)
{
	return m->seen && page >= m->lo && page < m->hi ?
		&m->seen[(page - m->lo) / ct.page_size] : NULL;
}

/* SIGNAL-SAFE: a new log (a fork child's) has none of the pages yet. */
void ct_seen_reset_all(void)
{
	for (uint32_t i = 0; i < ct.nmodules; i++) {
		struct ct_module *m = &ct.modules[i];
		if (atomic_load(&m->live) && m->seen)
			memset((void *)m->seen, CT_SEEN_NO, (m->hi - m->lo) / ct.page_size);
	}
}

/* SIGNAL-SAFE: returns what the page was (CT_SEEN_NO outside the object) */
int ct_mark_seen(struct ct_module *m, uintptr_t page)
{
	_Atomic uint8_t *s = seen_at(m, page);
	return s ? atomic_exchange(s, CT_SEEN_LOGGED) : CT_SEEN_NO;
}

/* SIGNAL-SAFE: a claim that failed: the page was never written */
void ct_unmark_seen(struct ct_module *m, uintptr_t page)
{
	_Atomic uint8_t *s = seen_at(m, page);
	if (s)
		atomic_store(s, CT_SEEN_NO);
}

static void mark_shared(struct ct_module *m, uintptr_t page)
{
	_Atomic uint8_t *s = seen_at(m, page);
	if (s && atomic_load(s) == CT_SEEN_NO)
		atomic_store(s, CT_SEEN_SHARED);
}

static int seen_logged(struct ct_module *m, uintptr_t page)
{
	_Atomic uint8_t *s = seen_at(m, page);
	return s && atomic_load(s) == CT_SEEN_LOGGED;
}

static int logged_or_gone(struct ct_module *m, uintptr_t page)
{
	_Atomic uint8_t *s = seen_at(m, page);
	uint8_t v = s ? atomic_load(s) : CT_SEEN_NO;
	return v == CT_SEEN_LOGGED || v == CT_SEEN_GONE;
}

/* Narrows [*lo, *hi) to run from the first to the last page of m that the
 * log does not have (seen neither logged nor gone); 0 when there is none.
 * Reading pagemap, or asking PAGEMAP_SCAN, about the pages left out can
 * log nothing: scan_page and ct_log_written return at once for a logged
 * or gone page, dirty or not (a fork child's shared copy is marked only
 * where nothing is logged).  Gone is for good, and a page leaves logged
 * only when the claim of a first write fails (still write-protected, so
 * as clean as it was) or when a fork child starts its own log, before
 * its first scan.  Costs nothing where the first page is not logged
 * (code, read-only data).  SIGNAL-SAFE */
int ct_seen_unlogged(struct ct_module *m, uintptr_t *lo, uintptr_t *hi)
{
	uintptr_t a = *lo, b = *hi;
	while (a < b && logged_or_gone(m, a))
		a += ct.page_size;
	while (b > a && logged_or_gone(m, b - ct.page_size))
		b -= ct.page_size;
	*lo = a;
	*hi = b;
	return a < b;
}

/* Why a page dirty now was not seen being written.  A fork child's copy
 * shared with its parent that became its alone is "shared": the parent's
 * write (or exit) left it to the child.  Where the child could have
 * written it unseen (ld.so, a module given up, an open page) its own
 * write would have named itself through its fault sample, which the
 * caller looked for first. */
static uint32_t unwatched_reason(struct ct_module *m, uintptr_t page, uint8_t seen)
{
	struct ct_range *r = ct_range_of(m, page);
	if (seen == CT_SEEN_SHARED && (ct_perf_sampling() || (r && r->armed)))
		return CT_WHY_SHARED;
	if (r && r->armed)      /* scan backend: not written here since armed */
		return CT_WHY_NONE;
	if (ct.backend != &ct_backend_signal && !(m->flags & CT_MODF_UNTRACKED) && r)
		return seen == CT_SEEN_SHARED ? CT_WHY_SHARED : CT_WHY_UFFD; /* disarmed */
	if (m->flags & CT_MODF_UNTRACKED)
		return m->reason;
	if (!r)
		return seen == CT_SEEN_SHARED ? CT_WHY_SHARED : CT_WHY_READONLY;
	if (atomic_load(&m->degraded) || !r->state)
		return m->reason;
	switch (atomic_load(&r->state[(page - r->start) / ct.page_size])) {
	case CT_PG_PROTECTED: return seen == CT_SEEN_SHARED ? CT_WHY_SHARED : CT_WHY_NONE;
	case CT_PG_APP: return CT_WHY_APP_PROTECT;
	case CT_PG_CLEANED: return CT_WHY_DONTNEED;
	case CT_PG_OPEN: return ct_is_sigblocked(page) ? CT_WHY_SIGBLOCKED : CT_WHY_SHORT_READ;
	case CT_PG_LENT: return CT_WHY_SHORT_READ;  /* a call that never came back */
	default: return CT_WHY_NONE;
	}
}

/* SIGNAL-SAFE: a first write or a system call under way logs the page
 * itself (claimed, or lent to the call). */
static int logging_itself(struct ct_module *m, uintptr_t page)
{
	struct ct_range *r = ct_range_of(m, page);
	if (!r || !r->state)
		return 0;
	uint8_t s = atomic_load(&r->state[(page - r->start) / ct.page_size]);
	return s == CT_PG_CLAIMED || s == CT_PG_LENT;
}

struct scan_ctx {
	struct ct_module *m;
	int child;      /* first scan in a fork child: mark the shared copies */
	int final;      /* the process ends: nothing is in flight any more */
};

static void scan_page(void *arg, uintptr_t page, uint64_t e)
{
	struct scan_ctx *c = arg;
	struct ct_module *m = c->m;
	_Atomic uint8_t *sn = seen_at(m, page);
	if (!pm_dirty(e)) {
		if (c->child && pm_shared_copy(e))
			mark_shared(m, page);
		return;
	}
	uint8_t was = atomic_load(sn);
	if (was == CT_SEEN_LOGGED || was == CT_SEEN_GONE)
		return;
	if (!c->final && logging_itself(m, page))
		return;
	atomic_store(sn, CT_SEEN_LOGGED);
	if (!m->scanned) {  /* the first look since its relocation */
		ct_log_page(m, page, CT_PAGE_ATTACH, 0);
		return;
	}
	/* a fault sample names the writer; without one, the reason the
	 * page was not watched says more than that its sample was lost */
	if (ct_perf_log_writer(m, page) <= 0)
		ct_log_page(m, page, CT_PAGE_UNWATCHED, unwatched_reason(m, page, was));
}

/* A scan's reading of [start, end): scan_page for each page that is
 * present and not file-backed, or swapped.  The others are the pages of
 * the file and those never touched (or given back): pm_dirty and
 * pm_shared_copy are false for them, so scan_page would return at once.
 * Most PT_LOAD pages are such (code, read-only data); testing the two bits
 * first spares them scan_page's lookups. */
static void scan_anon(void *c, uintptr_t page, uint64_t e)
{
	if ((e & PM_SWAP) || (e & (PM_PRESENT | PM_FILE)) == PM_PRESENT)
		scan_page(c, page, e);
}

static int scan_range(int fd, uintptr_t start, uintptr_t end, struct scan_ctx *c)
{
	return pagemap_read(fd, start, end, scan_anon, c);
}

/* An object never protected (ld.so, the unwinder's liblzma) with writable
 * pages still clean after its relocation: they may be written unseen from
 * now on, and only fault samples can name who does (perf.c). */
static void need_samples_if_clean(struct ct_module *m)
{
	for (int i = 0; i < m->nranges; i++)
		for (uintptr_t p = m->ranges[i].start; p < m->ranges[i].end; p += ct.page_size) {
			_Atomic uint8_t *s = seen_at(m, p);
			if (s && atomic_load(s) != CT_SEEN_LOGGED) {
				ct_perf_need();
				return;
			}
		}
}

/* What m wrote since the last scan (the backend's collect) and, unless
 * `light` on a module looked at before, every PT_LOAD page of m that is
 * private-dirty and not in the log yet.  A light scan (dlopen, dlclose,
 * the program's munmap) reads no pagemap: pages that became dirty without
 * a watched write (RELRO, code, a fork's shared copy) wait for the next
 * full scan (phase change, fork, exit). */
static void scan_module(int fd, struct ct_module *m, int how)
{
	struct scan_ctx c = { m, how == CT_SCAN_CHILD, how == CT_SCAN_FINAL };
	if (!m->seen)
		return;
	if (ct.backend->collect)
		ct.backend->collect(fd, m);
	if (how == CT_SCAN_LIGHT && m->scanned)
		return;
	for (int i = 0; i < m->phnum; i++) {
		const ElfW(Phdr) *p = &m->phdr[i];
		if (p->p_type != PT_LOAD || !p->p_memsz)
			continue;
		uintptr_t s = (m->bias + p->p_vaddr) & ~(uintptr_t)(ct.page_size - 1);
		uintptr_t e = (m->bias + p->p_vaddr + p->p_memsz + ct.page_size - 1) &
			      ~(uintptr_t)(ct.page_size - 1);
		if (ct_seen_unlogged(m, &s, &e) && scan_range(fd, s, e, &c))
			return;
	}
	if (!m->scanned && (m->flags & CT_MODF_UNTRACKED))
		need_samples_if_clean(m);
	m->scanned = 1;
}

/* The objects a scan reads: all but the tracer's own and those the user
 * left out. */
static int scanned_object(const struct ct_module *m)
{
	return atomic_load(&m->live) && m->reason != CT_WHY_TRACER && m->reason != CT_WHY_EXCLUDED;
}

static void scan_all(int how)
{
	uint64_t t = ct_now_ns();
	ct.scans++;
	int fd = pagemap_open(), n;
	if (fd < 0)
		return;
	struct ct_module *const *live = ct_modules_live(&n);
	for (int i = 0; i < n; i++)
		if (scanned_object(live[i]))
			scan_module(fd, live[i], how);
	ct_sys_close(fd);
	ct_log_scan(t);
}

/* SIGNAL-SAFE: the application is about to unmap, replace, move or clean
 * [lo, hi) (memory.c): a backend that collects logs what was written there
 * first (gone = 0).  Once it is gone (gone = 1), scans leave those pages
 * alone: another mapping may take their place.  Skipped when the module
 * table is busy (the trylock is a compare-and-swap; it fails in a thread
 * that holds it). */
void ct_scan_before_change(uintptr_t lo, uintptr_t hi, int gone)
{
	if (!ct.initialized || ct.disabled || hi <= lo ||
	    pthread_mutex_trylock(&ct.lock) != 0) /* SIGNAL-UNSAFE-OK: trylock only */
		return;
	int fd = -1, n;
	struct ct_module *const *live = ct_modules_live(&n);
	for (int i = 0; i < n; i++) {
		struct ct_module *m = live[i];
		if (!scanned_object(m) || !m->seen || hi <= m->lo || lo >= m->hi)
			continue;
		if (!gone && ct.backend->collect && m->scanned && ct_log_is_mine()) {
			if (fd < 0 && (fd = pagemap_open()) >= 0)
				ct.scans++;
			if (fd >= 0)
				scan_module(fd, m, CT_SCAN_LIGHT);
		}
		if (gone)
			for (uintptr_t p = lo > m->lo ? lo : m->lo; p < hi && p < m->hi; p += ct.page_size)
				atomic_store(seen_at(m, p), CT_SEEN_GONE);
	}
	if (fd >= 0)
		ct_sys_close(fd);
	pthread_mutex_unlock(&ct.lock); /* SIGNAL-UNSAFE-OK: releases what the trylock took */
}

/* Scan backend: a page PAGEMAP_SCAN found written, unless logged. */
void ct_log_written(struct ct_module *m, uintptr_t page)
{
	_Atomic uint8_t *sn = seen_at(m, page);
	if (!sn || atomic_load(sn) == CT_SEEN_LOGGED || atomic_load(sn) == CT_SEEN_GONE)
		return;
	atomic_store(sn, CT_SEEN_LOGGED);
	int w = ct_perf_log_writer(m, page);   /* perf backend: with its writer */
	if (w <= 0)
		ct_log_page(m, page, CT_PAGE_WRITTEN, w < 0 ? CT_WHY_WRITER_LOST : 0);
}

/* SIGNAL-SAFE: after a drain of the fault samples (perf.c): a page given a
 * sample that is private-dirty now was written by it, and is logged with
 * that writer at once (a later overrun of a ring would make the sample
 * suspect).  Only in a module looked at since its relocation (else its
 * dirty pages are the relocation's), and not while a first write or a
 * system call is logging it.  pm: /proc/self/pagemap, open. */
void ct_log_if_written(int pm, struct ct_module *m, uintptr_t page)
{
	_Atomic uint8_t *sn = seen_at(m, page);
	uint64_t e;
	if (!sn || !m->scanned || !atomic_load(&m->live))
		return;
	uint8_t was = atomic_load(sn);
	if (was == CT_SEEN_LOGGED || was == CT_SEEN_GONE)
		return;
	if (logging_itself(m, page))
		return;
	if (ct_sys_pread(pm, &e, sizeof e, (off_t)(page / ct.page_size * 8)) != sizeof e || !pm_dirty(e))
		return;
	if (!atomic_compare_exchange_strong(sn, &was, CT_SEEN_LOGGED))
		return;
	if (ct_perf_log_writer(m, page) <= 0)
		atomic_store(sn, was);  /* the next scan logs it, with its reason */
}

/* A scan point (enum ct_scan_how).  Caller holds ct.lock. */
void ct_scan_all(int how)
{
	scan_all(how);
}

/* Objects not looked at since they were relocated (loaded by dlopen after
 * an audit attach that came before their relocation).  Caller holds
 * ct.lock. */
void ct_scan_pending(void)
{
	int fd = -1, n;
	struct ct_module *const *live = ct_modules_live(&n);
	for (int i = 0; i < n; i++) {
		struct ct_module *m = live[i];
		if (m->scanned || !scanned_object(m))
			continue;
		if (fd < 0) {
			if ((fd = pagemap_open()) < 0)
				return;
			ct.scans++;
		}
		scan_module(fd, m, CT_SCAN_FULL);
	}
	if (fd >= 0)
		ct_sys_close(fd);
}

/* Pages found by this scan belong to the phase that ends; then `phase`
 * begins (0: a cowtrace_phase mark, no new automatic phase).  Phases only
 * go forward.  Skips the scan (the next one finds the pages) when the
 * module table is busy: exit() from a handler that interrupted a dlopen. */
void ct_phase_begin(int phase)
{
	if (phase && atomic_load(&ct.phase) >= phase)
		return;
	if (ct.initialized && !ct.disabled && ct_log_is_mine() && ct_lock_scan()) {
		ct_scan_all(CT_SCAN_FULL);
		pthread_mutex_unlock(&ct.lock);
	}
	if (phase) {
		atomic_store(&ct.phase, phase);
		ct_log_stage();
	}
}

/* ---- VMA budget ---------------------------------------------------- */

static long read_long_file(const char *path)
{
	char buf[32];
	int fd = ct_sys_open(path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	ssize_t n = ct_sys_read(fd, buf, sizeof buf - 1);
	ct_sys_close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

static long count_mappings(void)
{
	char buf[4096];
	long lines = 0;
	int fd = ct_sys_open("/proc/self/maps", O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	ssize_t n;
	while ((n = ct_sys_read(fd, buf, sizeof buf)) > 0)
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
	ct_sys_close(fd);
	return lines;
}

/* The tracer may add COWTRACE_MAX_MAPS mappings, or else half of those the
 * process has left. */
void ct_vma_init(void)
{
	atomic_store(&ct.vma_added, 0);
	if (ct.opt.max_maps >= 0) {
		ct.vma_limit = ct.opt.max_maps;
		return;
	}
	long max = read_long_file("/proc/sys/vm/max_map_count");
	long used = count_mappings();
	if (max <= 0)
		max = 65530;
	if (used < 0)
		used = 1000;
	ct.vma_limit = max > used ? (max - used) / 2 : 0;
	atomic_store(&ct.vma_added, 0);
}

/* ---- pages glibc writes with all signals blocked -------------------- */

static void *probe_thread(void *arg)
{
	/* exercise the thread's arena: its exit frees it with signals blocked */
	void *p = malloc(64); /* SIGNAL-UNSAFE-OK: probe child's thread */
	free(p); /* SIGNAL-UNSAFE-OK: probe child's thread */
	return arg;
}

struct snap_ctx {
	uint8_t *before;
	size_t idx;
	int fd;
	int after;
};

static void snap_page(void *arg, uintptr_t page, uint64_t e)
{
	struct snap_ctx *c = arg;
	if (!c->after) {
		c->before[c->idx++] = (uint8_t)pm_dirty(e);
	} else if (!c->before[c->idx++] && pm_dirty(e)) {
		ssize_t r = write(c->fd, &page, sizeof page);
		(void)r;
	}
}

static void probe_walk(struct snap_ctx *c)
{
	c->idx = 0;
	for (uint32_t i = 0; i < ct.nmodules; i++) {
		struct ct_module *m = &ct.modules[i];
		if (!atomic_load(&m->live) || (m->flags & CT_MODF_UNTRACKED))
			continue;
		for (int k = 0; k < m->nranges; k++)
			pagemap_walk(m->ranges[k].start, m->ranges[k].end, snap_page, c);
	}
}

/* glibc blocks every signal with direct system calls around clone() in
 * pthread_create and while a thread exits; a write-protected page written
 * there kills the process.  Which pages those are depends on the libc build,
 * so ask it: a child creates and joins one thread and reports the tracked
 * pages that became private while it did.  Those are never protected. */
void ct_probe_sigblocked(void)
{
	int fds[2];
	size_t total = 0;
	if (ct_probe_cache_load())
		return;
	for (uint32_t i = 0; i < ct.nmodules; i++)
		for (int k = 0; k < ct.modules[i].nranges; k++)
			total += (ct.modules[i].ranges[k].end - ct.modules[i].ranges[k].start) / ct.page_size;
	uint8_t *before = ct_arena_alloc(total + 1);
	if (!before || pipe2(fds, O_CLOEXEC))
		return;
	pid_t pid = _Fork();
	if (pid < 0) {
		ct_sys_close(fds[0]);
		ct_sys_close(fds[1]);
		return;
	}
	if (pid == 0) {
		atomic_store(&ct.active, 0);
		ct_log_detach();
		ct.opt.quiet = 1;       /* the parent says what goes wrong here too */
		for (uint32_t i = 0; i < ct.nmodules; i++)
			for (int k = 0; k < ct.modules[i].nranges; k++) {
				struct ct_range *r = &ct.modules[i].ranges[k];
				ct_sys_mprotect((void *)r->start, r->end - r->start, r->prot);
			}
		struct snap_ctx c = { before, 0, fds[1], 0 };
		probe_walk(&c);
		pthread_t t;
		int ran = ct_real_pthread_create(&t, NULL, probe_thread, NULL) == 0;
		if (ran)
			pthread_join(t, NULL);
		c.after = 1;
		probe_walk(&c);
		ct_syscall(SYS_exit_group, ran ? 0 : 1, 0, 0, 0, 0, 0); /* not our _exit: no log */
	}
	ct_sys_close(fds[1]);
	uintptr_t page;
	while (ct_sys_read(fds[0], &page, sizeof page) == sizeof page)
		if (ct.nsigblocked < (int)(sizeof ct.sigblocked / sizeof ct.sigblocked[0]))
			ct.sigblocked[ct.nsigblocked++] = page;
	ct_sys_close(fds[0]);
	int st = 0;
	pid_t w;
	while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	ct_probe_cache_save(w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* After the probe: pages of already attached modules that turn out to be
 * written with signals blocked are opened again. */
void ct_protect_open_sigblocked(void)
{
	for (int i = 0; i < ct.nsigblocked; i++) {
		_Atomic uint8_t *st;
		uintptr_t page = ct.sigblocked[i];
		struct ct_module *m = ct_module_find(page, &st);
		if (!m || atomic_load(st) != CT_PG_PROTECTED)
			continue;
		atomic_store(st, CT_PG_OPEN);
		ct_perf_need();
		ct_sys_mprotect((void *)page, ct.page_size, ct_range_of(m, page)->prot);
		ct_log_page(m, page, CT_PAGE_UNPROTECTED, CT_WHY_SIGBLOCKED);
	}
}
