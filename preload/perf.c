/* perf.c - writers without signals (COWTRACE_MODE=perf): the scan backend
 * finds the pages written; a minor-fault sampling event per thread names
 * the instruction behind each.  Once a page is privately written no fault
 * comes for it any more, so the last fault sample on a page before a scan
 * first sees it written is its first write (an earlier read fault that only
 * mapped the file page is superseded).
 *
 * Each event is opened, its ring buffer mapped, and its descriptor closed
 * at once: the mapping keeps the event alive, so the program sees no
 * descriptor it could close or reuse (closefrom, close_range, a low
 * RLIMIT_NOFILE).  Nothing here runs in signal context. */
#include <errno.h>
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

struct sample {                 /* the last fault sample on one page */
	uint64_t ip, t_ns;
	int32_t tid;
	uint16_t nframes;
	uint16_t via;           /* CT_VIA_SYSCALL | nr: a wrapped call's destination */
	uint32_t epoch;         /* pf.epoch when taken */
	uint64_t frames[];      /* nframes of ct.opt.backtrace, when enabled */
};

struct ring {
	struct perf_event_mmap_page *meta;   /* NULL: free slot */
	size_t size;                         /* data bytes, a power of two */
	pid_t tid;
};

static struct {
	struct ring rings[MAX_RINGS];
	int nrings;
	int off;                /* perf_event_open refused: page sets only */
	uint64_t lost;          /* samples the kernel could not store */
	uint32_t epoch;         /* samples lost so many times: a sample from an
				 * earlier epoch may have been followed by a
				 * lost one, so it names no writer */
	size_t sample_size;     /* bytes of one struct sample + frames */
} pf;

static int chain_len(void)
{
	return ct.opt.backtrace < MAX_CHAIN ? ct.opt.backtrace : MAX_CHAIN;
}

static struct sample *sample_at(struct ct_range *r, uintptr_t page)
{
	return (struct sample *)((char *)r->samples + (page - r->start) / ct.page_size * pf.sample_size);
}

/* Opens this thread's event; 0, or -1 with errno. */
static int open_event(void)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_PAGE_FAULTS_MIN;
	a.sample_period = 1;
	a.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR |
			(chain_len() ? PERF_SAMPLE_CALLCHAIN : 0);
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	a.exclude_callchain_kernel = 1;
	a.use_clockid = 1;
	a.clockid = CLOCK_MONOTONIC;    /* the log's clock */
	int fd = (int)ct_syscall(SYS_perf_event_open, (long)&a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* the ring is locked memory: past perf_event_mlock_kb an unprivileged
	 * user pays from RLIMIT_MEMLOCK, which many threads exhaust: a smaller
	 * ring then, down to one page, rather than none */
	size_t data = (size_t)ct.opt.perf_pages * ct.page_size;
	void *m = MAP_FAILED;
	for (; data >= ct.page_size; data /= 2) {
		m = ct_sys_mmap(NULL, data + ct.page_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m != MAP_FAILED || (errno != EPERM && errno != ENOMEM))
			break;
	}
	int e = errno;
	close(fd);              /* the mapping keeps the event */
	if (m == MAP_FAILED) {
		errno = e;
		return -1;
	}
	pthread_mutex_lock(&ct.lock); /* SIGNAL-UNSAFE-OK: thread start and attach */
	int i = 0;
	while (i < pf.nrings && pf.rings[i].meta)
		i++;
	if (i == MAX_RINGS) {
		pthread_mutex_unlock(&ct.lock);
		ct_sys_munmap(m, data + ct.page_size);
		errno = EMFILE;
		return -1;
	}
	pf.rings[i] = (struct ring){ m, data, ct_gettid() };
	if (i == pf.nrings)
		pf.nrings++;
	pthread_mutex_unlock(&ct.lock);
	return 0;
}

static void refused(const char *what)
{
	pf.off = 1;
	ct_warn("COWTRACE_MODE=perf: ", what, " (", ct_errstr(errno),
		"); pages are found without writers", NULL);
	ct_log_note(UINT32_MAX, CT_WHY_PERF, what);
}

/* A thread starts (pthread_create's trampoline): its own event. */
void ct_perf_thread_start(void)
{
	if (ct.opt.mode != CT_BACKEND_PERF || pf.off || ct.disabled)
		return;
	if (open_event() != 0)
		refused("perf_event_open was refused for a new thread");
}

/* ---- the ring buffers ------------------------------------------------- */

struct span { uintptr_t start, end; struct ct_module *m; struct ct_range *r; };
static struct span spans[CT_MAX_LIVE * 2];
static int nspans;

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
	if (seen && (atomic_load(seen) == CT_SEEN_LOGGED || atomic_load(seen) == CT_SEEN_GONE))
		return;         /* logged already: a later fault is not the first write */
	struct sample *sm = sample_at(s->r, page);
	sm->ip = ip;
	sm->t_ns = t;
	sm->tid = tid;
	sm->via = 0;
	sm->nframes = 0;
	sm->epoch = pf.epoch;
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

/* Reads every sample the kernel stored since the last drain; a ring whose
 * thread has exited is read once more and unmapped. */
static void drain(void)
{
	uint64_t buf[8 + MAX_CHAIN * 4];
	index_ranges();
	pid_t pid = getpid();
	for (int i = 0; i < pf.nrings; i++) {
		struct ring *rg = &pf.rings[i];
		if (!rg->meta)
			continue;
		int gone = ct_syscall(SYS_tgkill, pid, rg->tid, 0, 0, 0, 0) != 0;
		uint64_t head = __atomic_load_n(&rg->meta->data_head, __ATOMIC_ACQUIRE);
		uint64_t tail = rg->meta->data_tail;
		while (tail + sizeof(struct perf_event_header) <= head) {
			struct perf_event_header h;
			ring_copy(rg, tail, &h, sizeof h);
			if (h.size < sizeof h || tail + h.size > head)
				break;
			size_t body = h.size - sizeof h;
			if (h.type == PERF_RECORD_SAMPLE && body <= sizeof buf) {
				ring_copy(rg, tail + sizeof h, buf, body);
				take_sample(buf, body / 8);
			} else if (h.type == PERF_RECORD_LOST && body >= 16) {
				ring_copy(rg, tail + sizeof h, buf, 16);
				pf.lost += buf[1];
				pf.epoch++;     /* what came before may be superseded */
			}
			tail += h.size;
		}
		/* a ring that was full has lost what came next, and the kernel
		 * says so (PERF_RECORD_LOST) only once there is room again:
		 * none of its samples can be trusted to be a page's last */
		if (head - rg->meta->data_tail + sizeof buf + sizeof(struct perf_event_header) > rg->size) {
			pf.epoch++;
			pf.lost++;
		}
		__atomic_store_n(&rg->meta->data_tail, tail, __ATOMIC_RELEASE);
		if (gone) {
			ct_sys_munmap(rg->meta, rg->size + ct.page_size);
			rg->meta = NULL;
		}
	}
}

/* ---- the backend: the scan backend's, with writers ------------------- */

static int perf_start(void)
{
	if (ct_backend_uffd.start() != 0)
		return -1;
	pf.sample_size = (sizeof(struct sample) + (size_t)chain_len() * 8 + 7) & ~(size_t)7;
	if (open_event() != 0)
		refused("perf_event_open was refused");
	return 0;
}

static void perf_arm(struct ct_module *m)
{
	ct_backend_uffd.arm(m);
	if (pf.off)
		return;
	for (int i = 0; i < m->nranges; i++) {
		struct ct_range *r = &m->ranges[i];
		if (r->armed && !r->samples)
			r->samples = ct_arena_alloc((r->end - r->start) / ct.page_size * pf.sample_size);
	}
}

static void perf_collect(int pm, struct ct_module *m)
{
	static unsigned drained_for;
	static uint64_t noted_lost;
	/* one drain per scan (ct.scans counts them), before its first module */
	if (!pf.off && drained_for != ct.scans) {
		drain();
		drained_for = ct.scans;
		if (pf.lost > noted_lost) {
			ct_log_note(UINT32_MAX, CT_WHY_PERF, "fault samples lost: the ring buffer was full "
				    "(COWTRACE_PERF_PAGES); pages written then have no writer");
			noted_lost = pf.lost;
		}
	}
	ct_backend_uffd.collect(pm, m);
}

/* SIGNAL-SAFE: the log record of a written page: a first write with its
 * writer when a sample names one, else 0 (the caller logs it without). */
int ct_perf_log_writer(struct ct_module *m, uintptr_t page)
{
	struct ct_range *r = NULL;
	for (int i = 0; i < m->nranges && !r; i++)
		if (page >= m->ranges[i].start && page < m->ranges[i].end)
			r = &m->ranges[i];
	if (!r || !r->samples)
		return 0;
	struct sample *sm = sample_at(r, page);
	if ((!sm->ip && !sm->via) || sm->epoch != pf.epoch)
		return 0;       /* none, or one a lost sample may have superseded */
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

/* SIGNAL-SAFE: a wrapped system call is about to write [lo, hi): the
 * kernel's own faults are not sampled (exclude_kernel), so the call is
 * the writer of those pages unless a store samples later. */
void ct_perf_kernel_write(uintptr_t lo, uintptr_t hi, int sysno, uintptr_t ip)
{
	if (ct.opt.mode != CT_BACKEND_PERF || pf.off || hi <= lo)
		return;
	uint64_t frames[MAX_CHAIN];
	int n = -1;
	for (uint32_t i = 0; i < ct.nmodules; i++) {
		struct ct_module *m = &ct.modules[i];
		if (!atomic_load(&m->live) || hi <= m->lo || lo >= m->hi)
			continue;
		for (int k = 0; k < m->nranges; k++) {
			struct ct_range *r = &m->ranges[k];
			if (!r->samples || hi <= r->start || lo >= r->end)
				continue;
			uintptr_t a = lo > r->start ? lo & ~(uintptr_t)(ct.page_size - 1) : r->start;
			for (; a < hi && a < r->end; a += ct.page_size) {
				uint8_t sn = m->seen ? atomic_load(&m->seen[(a - m->lo) / ct.page_size]) : 0;
				if (sn == CT_SEEN_LOGGED || sn == CT_SEEN_GONE)
					continue;
				struct sample *sm = sample_at(r, a);
				if (n < 0)      /* the call's stack, once per call */
					n = chain_len() && ct.unwind_ready ?
					    ct_unwind(NULL, frames, chain_len(), ip) : 0;
				sm->ip = ip;
				sm->t_ns = ct_now_ns();
				sm->tid = ct_gettid();
				sm->nframes = (uint16_t)n;
				memcpy(sm->frames, frames, (size_t)n * 8);
				sm->via = (uint16_t)(CT_VIA_SYSCALL | (unsigned)sysno);
				sm->epoch = pf.epoch;
			}
		}
	}
}

/* The child of a fork: its own userfaultfd, and an event for its one
 * thread.  The parent's rings are not in the child (perf maps them
 * VM_DONTCOPY): forgotten. */
static void perf_fork_child(void)
{
	ct_backend_uffd.fork_child();
	memset(pf.rings, 0, sizeof pf.rings);
	pf.nrings = 0;
	for (uint32_t i = 0; i < ct.nmodules; i++)
		for (int k = 0; k < ct.modules[i].nranges; k++) {
			struct ct_range *r = &ct.modules[i].ranges[k];
			if (r->samples)
				memset(r->samples, 0, (r->end - r->start) / ct.page_size * pf.sample_size);
		}
	if (!pf.off && open_event() != 0)
		refused("perf_event_open was refused in a forked child");
}

const struct ct_backend ct_backend_perf = {
	.name = "perf",
	.start = perf_start,
	.arm = perf_arm,
	.collect = perf_collect,
	.fork_child = perf_fork_child,
};
