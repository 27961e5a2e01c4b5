/* perf.c - writers from page-fault samples: in COWTRACE_MODE=perf the scan
 * backend finds the pages written, and under the signal backend the
 * pagemap scans find the pages it cannot watch; a page-fault sampling
 * event per thread names the instruction behind each.  Once a page is
 * privately written no fault comes for it any more, so the last fault
 * sample on a page before a scan first sees it written is its first write
 * (an earlier read fault that only mapped the file page is superseded).
 *
 * Each event is opened, its ring buffer mapped, and its descriptor closed
 * at once: the mapping keeps the event alive, so the program sees no
 * descriptor it could close or reuse (closefrom, close_range, a low
 * RLIMIT_NOFILE).  Functions marked SIGNAL-SAFE may run in a fault
 * handler (a drain at high water, the first need of samples). */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ct.h"

#define MAX_RINGS  4096         /* threads with an event at once */
#define MAX_CHAIN  32           /* frames kept per sample */
#define MARGIN     4096         /* ring bytes a record being written may
				 * overwrite before data_head says so */
#define MAX_FRESH  1024         /* pages checked at once after a drain */

struct sample {                 /* the last fault sample on one page */
	uint64_t ip, t_ns;
	int32_t tid;
	uint16_t nframes;
	uint16_t via;           /* CT_VIA_SYSCALL | nr: a wrapped call's destination */
	uint32_t gen;           /* pf.gen when taken: 0 or an older one is none */
	uint32_t pad;
	uint64_t frames[];      /* nframes of ct.opt.backtrace, when enabled */
};

/* One thread's event.  The ring is mapped read-only with write_backward:
 * the kernel overwrites the oldest samples when it is full, never drops
 * the newest, and data_head goes down as it writes. */
struct ring {
	struct perf_event_mmap_page *_Atomic meta; /* NULL: not (yet) in use */
	_Atomic int busy;                    /* the slot is taken */
	size_t size;                         /* data bytes, a power of two */
	pid_t tid;
	uint64_t last;                       /* data_head at the previous drain */
};

static struct {
	struct ring rings[MAX_RINGS];
	_Atomic int nrings;     /* slots ever used */
	_Atomic int on;         /* events are opened for new threads */
	int hybrid;             /* under the signal backend: writers of the
				 * pages it leaves unwatched, sampled only
				 * once there are such pages (ct_perf_need) */
	int refused;            /* perf_event_open cannot be had */
	uint32_t gen;           /* bumped in a fork child: older samples are
				 * the parent's */
	uint64_t lost_until;    /* a sample taken before this (ns) may have
				 * been followed by one the kernel overwrote:
				 * it names no writer */
	uint64_t overruns;      /* rings found overwritten past a drain */
	size_t sample_size;     /* bytes of one struct sample + frames */
} pf;

static CT_TLS struct ring *my_ring;
static CT_TLS int ring_looked;  /* my_ring looked up by thread id once */

/* Frames a sample keeps.  None under the signal backend: the kernel's
 * frame-pointer walk costs most of a sample (0.7-1.0 us of a fault, see
 * bench/perf-unwind.c), every fault of the process pays it, and on code
 * without frame pointers it yields the writer's pc alone. */
static int chain_len(void)
{
	if (pf.hybrid)
		return 0;
	return ct.opt.backtrace < MAX_CHAIN ? ct.opt.backtrace : MAX_CHAIN;
}

static struct sample *sample_at(struct ct_range *r, uintptr_t page)
{
	return (struct sample *)((char *)r->samples + (page - r->start) / ct.page_size * pf.sample_size);
}

static void event_attr(struct perf_event_attr *a);

/* SIGNAL-SAFE: can an event be opened (sandbox.c's probe, in a copy of
 * the process under the program's seccomp filter)?  0 when it can. */
int ct_perf_probe(void)
{
	struct perf_event_attr a;
	event_attr(&a);
	return ct_syscall(SYS_perf_event_open, (long)&a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC, 0) < 0;
}

/* May this process open events from now on (for new threads, a fork
 * child, or under the signal backend once it needs them)? */
int ct_perf_sampling(void)
{
	return !pf.refused && (atomic_load(&pf.on) || pf.hybrid);
}

/* No event opened from now on (the rings there are kept). */
void ct_perf_stop(void)
{
	pf.refused = 1;
	atomic_store(&pf.on, 0);
}

static void event_attr(struct perf_event_attr *a)
{
	memset(a, 0, sizeof *a);
	a->size = sizeof *a;
	a->type = PERF_TYPE_SOFTWARE;
	/* every fault, not only minor ones: a write that must first read
	 * the file page from disk is a major fault (seen under load: one
	 * page of a given-up module without writer in 25 runs) */
	a->config = PERF_COUNT_SW_PAGE_FAULTS;
	a->sample_period = 1;
	a->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR |
			 (chain_len() ? PERF_SAMPLE_CALLCHAIN : 0);
	a->exclude_kernel = 1;
	a->exclude_hv = 1;
	a->exclude_callchain_kernel = 1;
	a->write_backward = 1;
	a->use_clockid = 1;
	a->clockid = CLOCK_MONOTONIC;   /* the log's clock */
}

/* SIGNAL-SAFE: opens the event of thread tid (0: this one); 0, or -1
 * with errno.  Slots are claimed without a lock: under the signal backend
 * a fault handler may open the events of every thread (ct_perf_need). */
static int open_event(pid_t tid)
{
	struct perf_event_attr a;
	event_attr(&a);
	int fd = (int)ct_syscall(SYS_perf_event_open, (long)&a, tid, -1, -1, PERF_FLAG_FD_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* the ring is locked memory: past perf_event_mlock_kb an unprivileged
	 * user pays from RLIMIT_MEMLOCK, which many threads exhaust: a smaller
	 * ring then, down to one page, rather than none.  Read-only: the
	 * kernel overwrites instead of dropping. */
	size_t data = (size_t)ct.opt.perf_pages * ct.page_size;
	void *m = MAP_FAILED;
	for (; data >= ct.page_size; data /= 2) {
		m = ct_sys_mmap(NULL, data + ct.page_size, PROT_READ, MAP_SHARED, fd, 0);
		if (m != MAP_FAILED || (errno != EPERM && errno != ENOMEM))
			break;
	}
	int e = errno;
	ct_sys_close(fd);       /* the mapping keeps the event */
	if (m == MAP_FAILED) {
		errno = e;
		return -1;
	}
	int i = 0;
	for (; i < MAX_RINGS; i++) {
		int expect = 0;
		if (!atomic_load(&pf.rings[i].busy) &&
		    atomic_compare_exchange_strong(&pf.rings[i].busy, &expect, 1))
			break;
	}
	if (i == MAX_RINGS) {
		ct_sys_munmap(m, data + ct.page_size);
		errno = EMFILE;
		return -1;
	}
	struct ring *rg = &pf.rings[i];
	rg->size = data;
	rg->tid = tid ? tid : ct_gettid();
	rg->last = 0;
	atomic_store(&rg->meta, (struct perf_event_mmap_page *)m);
	for (int n = atomic_load(&pf.nrings); n < i + 1 &&
	     !atomic_compare_exchange_weak(&pf.nrings, &n, i + 1);)
		;
	if (!tid)
		my_ring = rg;
	return 0;
}

/* SIGNAL-SAFE: gives a ring's slot back. */
static void free_ring(struct ring *rg)
{
	struct perf_event_mmap_page *m = atomic_exchange(&rg->meta, NULL);
	if (m)
		ct_sys_munmap(m, rg->size + ct.page_size);
	atomic_store(&rg->busy, 0);
}

/* perf_event_open cannot be had: page sets without writers.  Said on
 * stderr in perf mode, where writers are what was asked for; only noted
 * in the log under the signal backend (stock kernels refuse perf to
 * users: a line for every process would be noise). */
static void refused(const char *what)
{
	pf.on = 0;
	pf.refused = 1;
	if (!pf.hybrid)
		ct_warn("COWTRACE_MODE=perf: ", what, " (", ct_errstr(errno),
			"); pages are found without writers", NULL);
	ct_log_note(UINT32_MAX, CT_WHY_PERF, what);
}

/* Process start.  In perf mode this thread's event opens now (0 when it
 * did).  Under the signal backend (hybrid) nothing opens yet: a sample on
 * every fault of the process costs (an event is 50-60 us to open and as
 * much to free, and every fault pays 0.2-0.5 us), and in most processes
 * the backend leaves no clean page to the scans at all (ld.so's and the
 * signal-blocked libc pages are dirty by the time main runs), so the
 * events open when it first does (ct_perf_need). */
int ct_perf_start(int hybrid)
{
	pf.hybrid = hybrid;
	pf.gen = 1;
	pf.sample_size = (sizeof(struct sample) + (size_t)chain_len() * 8 + 7) & ~(size_t)7;
	if (!ct.opt.perf_pages) {
		pf.refused = 1;
		return -1;      /* COWTRACE_PERF_PAGES=0: none asked for */
	}
	if (hybrid)
		return -1;
	if (ct_sandbox_forbids(1)) {
		errno = EPERM;
		refused("a seccomp filter forbids perf_event_open");
		return -1;
	}
	pf.on = 1;
	if (open_event(0) != 0) {
		refused("perf_event_open was refused");
		return -1;
	}
	return 0;
}

/* Opens an event for each thread of the process (read from /proc/self/task:
 * raw system calls, no lock); a thread that starts meanwhile opens its own
 * too (pf.on is set first), and a thread with two events has its samples
 * twice, which does no harm. */
static void open_all_threads(void)
{
	static char buf[4096];  /* once (ct_perf_need), maybe on a small
				 * alternate signal stack */
	pid_t me = ct_gettid();
	int fd = ct_sys_open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0) {
		if (open_event(0) != 0)
			refused("perf_event_open was refused");
		return;
	}
	long n;
	while ((n = ct_syscall(SYS_getdents64, fd, (long)buf, sizeof buf, 0, 0, 0)) > 0) {
		for (long off = 0; off < n;) {
			struct { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; }
				*d = (void *)(buf + off);
			off += d->reclen;
			if (d->name[0] < '0' || d->name[0] > '9')
				continue;
			pid_t tid = 0;
			for (const char *c = d->name; *c >= '0' && *c <= '9'; c++)
				tid = tid * 10 + (*c - '0');
			if (open_event(tid == me ? 0 : tid) != 0 && errno != ESRCH) {
				ct_sys_close(fd);
				refused("perf_event_open was refused");
				return;
			}
		}
	}
	ct_sys_close(fd);
}

/* SIGNAL-SAFE: under the signal backend, a page is left to the scans that
 * may be written from now on (a module given up, a short read's leftover,
 * the program's own protection, a clean signal-blocked page, a fork
 * child's copies of ld.so's): the fault samples that name its writer
 * start now, for every thread.  Once. */
void ct_perf_need(void)
{
	if (!pf.hybrid || pf.refused || ct.disabled || atomic_exchange(&pf.on, 1))
		return;
	if (ct_sandbox_forbids(1)) {    /* a filter the process inherited */
		errno = EPERM;
		refused("a seccomp filter forbids perf_event_open");
		return;
	}
	open_all_threads();
}

/* A thread starts (pthread_create's trampoline): its own event. */
void ct_perf_thread_start(void)
{
	my_ring = NULL;
	ring_looked = 0;
	if (!atomic_load(&pf.on) || ct.disabled)
		return;
	if (open_event(0) != 0)
		refused("perf_event_open was refused for a new thread");
}

/* Sample slots for m's ranges: the armed ones in perf mode, all of them
 * under the signal backend (which may leave any page to the scans: the
 * arena's pages cost nothing until a sample is kept there). */
void ct_perf_arm(struct ct_module *m)
{
	if (pf.refused || !ct.opt.perf_pages || m->reason == CT_WHY_TRACER ||
	    m->reason == CT_WHY_EXCLUDED)
		return;
	for (int i = 0; i < m->nranges; i++) {
		struct ct_range *r = &m->ranges[i];
		if ((r->armed || pf.hybrid) && !r->samples)
			r->samples = ct_arena_alloc((r->end - r->start) / ct.page_size * pf.sample_size);
	}
}

/* ---- the ring buffers ------------------------------------------------- */

struct span { uintptr_t start, end; struct ct_module *m; struct ct_range *r; };
static struct span spans[CT_MAX_LIVE * 2];
static int nspans;

static int in_drain;
static uintptr_t asking;        /* the page being logged while a drain runs
				 * for it: marked logged already, wants its
				 * sample */

/* pages given a sample by this drain, for drain() */
static struct fresh { struct ct_module *m; uintptr_t page; } fresh[MAX_FRESH];
static int nfresh;

/* Sorted by start with a shell sort: a drain may run in a handler (a
 * process dying of a signal), where glibc's qsort may call malloc. */
static void sort_spans(void)
{
	for (int gap = nspans / 2; gap > 0; gap /= 2)
		for (int i = gap; i < nspans; i++) {
			struct span t = spans[i];
			int j = i;
			for (; j >= gap && spans[j - gap].start > t.start; j -= gap)
				spans[j] = spans[j - gap];
			spans[j] = t;
		}
}

static void index_ranges(void)
{
	nspans = 0;
	for (uint32_t i = 0; i < ct.nmodules && nspans < (int)(sizeof spans / sizeof spans[0]); i++) {
		struct ct_module *m = &ct.modules[i];
		if (!atomic_load(&m->live))
			continue;
		for (int k = 0; k < m->nranges && nspans < (int)(sizeof spans / sizeof spans[0]); k++)
			if (m->ranges[k].samples)
				spans[nspans++] = (struct span){ m->ranges[k].start, m->ranges[k].end,
								 m, &m->ranges[k] };
	}
	sort_spans();
}

static struct span *span_of(uintptr_t a)
{
	int lo = 0, hi = nspans;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (a < spans[mid].start)
			hi = mid;
		else if (a >= spans[mid].end)
			lo = mid + 1;
		else
			return &spans[mid];
	}
	return NULL;
}

/* Copies n bytes at offset off of a ring's data area (which wraps). */
static void ring_copy(const struct ring *rg, uint64_t off, void *dst, size_t n)
{
	const char *data = (const char *)rg->meta + rg->meta->data_offset;
	size_t at = (size_t)(off & (rg->size - 1)), first = rg->size - at < n ? rg->size - at : n;
	memcpy(dst, data + at, first);
	memcpy((char *)dst + first, data, n - first);
}

/* Under the signal backend, is this page one the fault handler leaves to
 * the scans (so a sample is its only writer)? */
static int left_to_scans(const struct span *s, uintptr_t page)
{
	const struct ct_range *r = s->r;
	if (!r->state || atomic_load(&s->m->degraded))
		return 1;
	switch (atomic_load(&r->state[(page - r->start) / ct.page_size])) {
	case CT_PG_OPEN: case CT_PG_CLEANED: case CT_PG_APP:
		return 1;
	default:
		return 0;
	}
}

/* A sample, newest first within a ring: kept when it is the newest of
 * its page so far (rings are read one after the other). */
static void take_sample(const uint64_t *v, size_t words)
{
	/* IP, PID/TID, TIME, ADDR, then CALLCHAIN (nr, ips) */
	if (words < 4)
		return;
	uint64_t ip = v[0], t = v[2], addr = v[3];
	int32_t tid = (int32_t)(v[1] >> 32);
	uintptr_t page = addr & ~(uintptr_t)(ct.page_size - 1);
	struct span *s = span_of(page);
	if (!s)
		return;
	_Atomic uint8_t *seen = s->m->seen ? &s->m->seen[(page - s->m->lo) / ct.page_size] : NULL;
	if (seen && page != asking &&
	    (atomic_load(seen) == CT_SEEN_LOGGED || atomic_load(seen) == CT_SEEN_GONE))
		return;         /* logged already: a later fault is not the first write */
	struct sample *sm = sample_at(s->r, page);
	if (sm->gen == pf.gen && sm->t_ns >= t)
		return;         /* a newer one is kept */
	if (nfresh < MAX_FRESH && (!pf.hybrid || left_to_scans(s, page)))
		fresh[nfresh++] = (struct fresh){ s->m, page };
	sm->ip = ip;
	sm->t_ns = t;
	sm->tid = tid;
	sm->via = 0;
	sm->nframes = 0;
	sm->gen = pf.gen;
	if (words > 4 && chain_len()) {
		uint64_t nr = v[4];
		/* the user chain starts with the sample's ip, as the signal
		 * backend's frames do; a frame-pointer walk that leaves the
		 * stack ends in 0 or in a non-canonical address */
		for (uint64_t k = 0; k < nr && 5 + k < words && sm->nframes < chain_len(); k++) {
			uint64_t f = v[5 + k];
			if (f >= (uint64_t)PERF_CONTEXT_MAX)
				continue;       /* a context marker */
			if (f == 0 || f >= (1ull << 47))
				break;
			sm->frames[sm->nframes++] = f;
		}
	}
}

/* The samples one ring got since the previous drain, newest first.  What
 * the kernel overwrote before it could be read is lost: every sample taken
 * before the oldest one left may have been superseded by a lost one
 * (pf.lost_until). */
static void drain_ring(struct ring *rg)
{
	uint64_t buf[8 + MAX_CHAIN * 4];
	uint64_t head = __atomic_load_n(&rg->meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t fresh_bytes = rg->last - head, off = 0, oldest = 0;
	int cut = fresh_bytes > rg->size - MARGIN;
	uint64_t limit = cut ? rg->size - MARGIN : fresh_bytes;
	while (off + sizeof(struct perf_event_header) <= limit) {
		struct perf_event_header h;
		ring_copy(rg, head + off, &h, sizeof h);
		size_t body = h.size >= sizeof h ? h.size - sizeof h : 0;
		if (h.size < sizeof h || off + h.size > limit || body > sizeof buf) {
			cut = 1;
			break;
		}
		ring_copy(rg, head + off + sizeof h, buf, body);
		/* still there?  The kernel writes below data_head, over the
		 * oldest bytes: those within MARGIN of a full ring are suspect */
		uint64_t now = __atomic_load_n(&rg->meta->data_head, __ATOMIC_ACQUIRE);
		if (head + off + h.size - now > rg->size - MARGIN) {
			cut = 1;
			break;
		}
		if (h.type == PERF_RECORD_SAMPLE) {
			take_sample(buf, body / 8);
			if (body >= 24)
				oldest = buf[2];
		} else if (h.type == PERF_RECORD_LOST) {
			cut = 1;        /* older samples may be superseded */
			break;
		}
		off += h.size;
	}
	rg->last = head;
	if (cut) {
		uint64_t until = oldest ? oldest : ct_now_ns();
		if (until > pf.lost_until)
			pf.lost_until = until;
		pf.overruns++;
	}
}


/* Reads every ring; a ring whose thread has exited is read once more and
 * unmapped.  Then the pages given a sample are looked up in pagemap: one
 * that is written now was written by that sample (protect.c logs it), so
 * that it is named before a later overrun could make its sample suspect. */
static void drain(void)
{
	in_drain = 1;
	index_ranges();
	nfresh = 0;
	pid_t pid = getpid();
	for (int i = 0; i < pf.nrings; i++) {
		struct ring *rg = &pf.rings[i];
		if (!rg->meta)
			continue;
		int gone = ct_syscall(SYS_tgkill, pid, rg->tid, 0, 0, 0, 0) != 0;
		drain_ring(rg);
		if (gone)
			free_ring(rg);
	}
	int pm = nfresh ? ct_sys_open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC, 0) : -1;
	for (int i = 0; pm >= 0 && i < nfresh; i++)
		ct_log_if_written(pm, fresh[i].m, fresh[i].page);
	if (pm >= 0)
		ct_sys_close(pm);
	nfresh = 0;
	in_drain = 0;
}

/* Has any ring got samples since it was drained? */
static int rings_fresh(void)
{
	for (int i = 0; i < pf.nrings; i++)
		if (pf.rings[i].meta &&
		    __atomic_load_n(&pf.rings[i].meta->data_head, __ATOMIC_ACQUIRE) != pf.rings[i].last)
			return 1;
	return 0;
}

/* One drain per scan (ct.scans counts them), before its first module. */
void ct_perf_drain_for_scan(void)
{
	static unsigned drained_for;
	if (!atomic_load(&pf.nrings) || drained_for == ct.scans)
		return;
	drain();
	drained_for = ct.scans;
}

/* SIGNAL-SAFE: this thread's ring is half full since its last drain: all
 * rings are drained now, unless the module table is busy (the trylock
 * fails in a thread that holds it) or this thread is a raw clone(). */
void ct_perf_high_water(void)
{
	struct ring *rg = my_ring;
	if (!rg && atomic_load(&pf.on) && !ring_looked) {
		/* an event another thread opened for this one (ct_perf_need) */
		ring_looked = 1;
		pid_t me = ct_gettid();
		for (int i = 0; i < atomic_load(&pf.nrings) && !rg; i++)
			if (pf.rings[i].meta && pf.rings[i].tid == me)
				rg = my_ring = &pf.rings[i];
	}
	if (!rg || !rg->meta)
		return;
	uint64_t head = __atomic_load_n(&rg->meta->data_head, __ATOMIC_RELAXED);
	if (rg->last - head < rg->size / 2 || rg->tid != ct_gettid() ||
	    pthread_mutex_trylock(&ct.lock) != 0) /* SIGNAL-UNSAFE-OK: trylock only */
		return;
	drain();
	pthread_mutex_unlock(&ct.lock); /* SIGNAL-UNSAFE-OK: releases what the trylock took */
}

/* ---- writers --------------------------------------------------------- */

/* SIGNAL-SAFE: logs a page found written with the writer its sample names:
 * 1 when logged, 0 when there is no sample, -1 when samples were lost since
 * the one there (writer_lost): the caller logs the page without a writer. */
int ct_perf_log_writer(struct ct_module *m, uintptr_t page)
{
	struct ct_range *r = ct_range_of(m, page);
	struct sample *sm = r && r->samples ? sample_at(r, page) : NULL;
	/* written after this scan's drain (another thread, the scan thread
	 * racing the program): its sample is in a ring still */
	if (sm && sm->gen != pf.gen && atomic_load(&pf.nrings) && !in_drain && rings_fresh()) {
		asking = page;
		drain();
		asking = 0;
	}
	if (!sm || sm->gen != pf.gen || sm->t_ns < pf.lost_until) {
		if (!pf.lost_until)
			return 0;
		/* said once per overrun, and only when a page is left without */
		static uint64_t noted;
		if (noted != pf.overruns) {
			noted = pf.overruns;
			ct_log_note(UINT32_MAX, CT_WHY_PERF, "fault samples overwritten before they were "
				    "read (COWTRACE_PERF_PAGES): pages written then have no writer");
		}
		return -1;
	}
	struct ct_rec_fault *f = ct_log_reserve(sizeof *f + (size_t)sm->nframes * 8);
	if (!f)
		return 1;
	f->module = m->id;
	f->tid = sm->tid;
	f->page = page;
	f->addr = page;         /* the sample's address is the page's */
	f->ip = sm->ip;
	f->t_ns = sm->t_ns;
	f->via = sm->via;
	f->nframes = sm->nframes;
	f->phase = (uint8_t)atomic_load(&ct.phase);
	memcpy(f->frames, sm->frames, (size_t)sm->nframes * 8);
	ct_log_commit(f, CT_REC_FAULT);
	return 1;
}

struct kwrite_ctx {
	int sysno, n;
	uintptr_t ip;
	uint64_t frames[MAX_CHAIN];
};

/* SIGNAL-SAFE: the call is the writer of the page, unless a store samples
 * later. */
static void kwrite_page(struct ct_module *m, struct ct_range *r, uintptr_t a, struct kwrite_ctx *c)
{
	uint8_t sn = m->seen ? atomic_load(&m->seen[(a - m->lo) / ct.page_size]) : 0;
	if (sn == CT_SEEN_LOGGED || sn == CT_SEEN_GONE)
		return;
	struct sample *sm = sample_at(r, a);
	if (c->n < 0)      /* the call's stack, once per call */
		c->n = chain_len() && ct.unwind_ready ? ct_unwind(NULL, c->frames, chain_len(), c->ip) : 0;
	sm->ip = c->ip;
	sm->t_ns = ct_now_ns();
	sm->tid = ct_gettid();
	sm->nframes = (uint16_t)c->n;
	memcpy(sm->frames, c->frames, (size_t)c->n * 8);
	sm->via = (uint16_t)(CT_VIA_SYSCALL | (unsigned)c->sysno);
	sm->gen = pf.gen;
}

/* SIGNAL-SAFE: under the signal backend, the pages of a tracked range it
 * leaves to the scans. */
static void kwrite_span(const struct ct_span *s, uintptr_t a, uintptr_t e, void *arg)
{
	struct ct_range *r = ct_range_of(s->mod, s->start);
	if (!r || !r->samples)
		return;
	struct span sp = { s->start, s->end, s->mod, r };
	for (; a < e; a += ct.page_size)
		if (left_to_scans(&sp, a))
			kwrite_page(s->mod, r, a, arg);
}

/* SIGNAL-SAFE: a wrapped system call is about to write [lo, hi): the
 * kernel's own faults are not sampled (exclude_kernel), so the call is
 * the writer of those pages unless a store samples later.  Under the
 * signal backend only the pages it leaves to the scans: it names the
 * call itself for the others (fault.c). */
void ct_perf_kernel_write(uintptr_t lo, uintptr_t hi, int sysno, uintptr_t ip)
{
	if (!atomic_load(&pf.nrings) || hi <= lo)
		return;
	struct kwrite_ctx c = { .sysno = sysno, .n = -1, .ip = ip };
	if (pf.hybrid) {
		ct_spans_each(lo, hi, kwrite_span, &c);
		return;
	}
	for (uint32_t i = 0; i < ct.nmodules; i++) {
		struct ct_module *m = &ct.modules[i];
		if (!atomic_load(&m->live) || hi <= m->lo || lo >= m->hi)
			continue;
		for (int k = 0; k < m->nranges; k++) {
			struct ct_range *r = &m->ranges[k];
			if (!r->samples || hi <= r->start || lo >= r->end)
				continue;
			uintptr_t a = lo > r->start ? lo & ~(uintptr_t)(ct.page_size - 1) : r->start;
			for (; a < hi && a < r->end; a += ct.page_size)
				kwrite_page(m, r, a, &c);
		}
	}
}

/* The child of a fork: an event for its one thread.  The parent's rings
 * are not in the child (perf maps them VM_DONTCOPY): forgotten, and so
 * are the samples taken in the parent (a new generation). */
void ct_perf_fork_child(void)
{
	memset(pf.rings, 0, sizeof pf.rings);
	pf.nrings = 0;
	my_ring = NULL;
	ring_looked = 0;
	pf.gen++;
	pf.lost_until = 0;
	if (atomic_load(&pf.on) && open_event(0) != 0)
		refused("perf_event_open was refused in a forked child");
	/* under the signal backend the child's copies of ld.so's pages (and
	 * of whatever else it cannot protect) are shared with the parent:
	 * written by the child, they are its own, unseen */
	ct_perf_need();
}

/* ---- the backend: the scan backend's, with writers ------------------- */

static int perf_start(void)
{
	if (ct_backend_uffd.start() != 0)
		return -1;
	ct_perf_start(0);
	return 0;
}

static void perf_arm(struct ct_module *m)
{
	ct_backend_uffd.arm(m);
	ct_perf_arm(m);
}

static void perf_collect(int pm, struct ct_module *m)
{
	ct_perf_drain_for_scan();
	ct_backend_uffd.collect(pm, m);
}

static void perf_fork_child(void)
{
	ct_backend_uffd.fork_child();
	ct_perf_fork_child();
}

const struct ct_backend ct_backend_perf = {
	.name = "perf",
	.start = perf_start,
	.arm = perf_arm,
	.collect = perf_collect,
	.fork_child = perf_fork_child,
};
