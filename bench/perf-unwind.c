/* perf-unwind - backtraces in perf mode: the kernel's frame-pointer
 * callchain against a copy of the user stack unwound offline (issue 10).
 *   perf-unwind [ROUNDS [PAGES [DEPTH]]]     (7, 4000, 14)
 *
 * One store per page of libbench.so's .data, each issued DEPTH calls deep
 * (as bench/firstwrite does; this file and the library are built -O2, which
 * on x86-64 means without frame pointers, as Debian builds).  A minor-fault
 * sampling event on the writing thread, in the configurations of the
 * table below; every measurement runs in its own forked child (a page is
 * written for the first time only once per process), the untraced one of
 * the same round included, so each ratio compares runs made side by side.
 *
 * The ring is 128 data pages (512 KiB: with its control page, the default
 * perf_event_mlock_kb, so no RLIMIT_MEMLOCK is needed and the figures hold
 * unprivileged).  32 KiB samples do not fit 4,000 times in that, so the
 * stores go in batches of BATCH with the event enabled only around them;
 * the ring is drained after each batch, outside the timed span, and that
 * copy is timed on its own ("drain": what the tracer would pay to move a
 * sample into its log).
 *
 * Afterwards the child unwinds its own samples: the callchain is taken as
 * it is; the stack copies are unwound with libdwfl, whose memory reads are
 * served from the copied stack and from the process's read-only file
 * mappings (text, .eh_frame: what a report has in the ELF files), never
 * from live writable memory, which no longer holds the sample's values.
 * Each frame is named and compared with the known chain: bench_touch,
 * deep x DEPTH (deep(0) reaches bench_touch by a tail call), write_batch,
 * run_child, spawn, main.  Then the same
 * again with a chain whose frames hold FAT bytes of locals each (depth
 * only: one child per configuration). */
#include <asm/perf_regs.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <link.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

long bench_pages(void);
int bench_read(long page);
void bench_touch(long page);

#define BATCH      12           /* stores between two drains */
#define RING_PAGES 128          /* data pages of the ring */
#define MAXFRAMES  64
#define FAT        512          /* bytes of locals in each frame of the fat chain */
#define MAXROUNDS  64

/* the sampled registers: what DWARF unwinding needs on x86-64 to start */
#define REGS_MASK ((1ULL << PERF_REG_X86_BP) | (1ULL << PERF_REG_X86_SP) | (1ULL << PERF_REG_X86_IP))

static const struct config {
	const char *name;
	int traced;
	uint64_t extra;         /* sample_type bits beyond IP|TID|TIME|ADDR */
	unsigned stack;         /* sample_stack_user */
} configs[] = {
	{ "untraced", 0, 0, 0 },
	{ "(a) ip|tid|time|addr", 1, 0, 0 },
	{ "(b) + callchain", 1, PERF_SAMPLE_CALLCHAIN, 0 },
	{ "(c) + regs, stack 4096", 1, PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER, 4096 },
	{ "(c) + regs, stack 8192", 1, PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER, 8192 },
	{ "(c) + regs, stack 16384", 1, PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER, 16384 },
	{ "(c) + regs, stack 32768", 1, PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER, 32768 },
};
#define NCONFIGS ((int)(sizeof configs / sizeof configs[0]))

/* what a child sends back */
struct result {
	int ok;                 /* 0: the event was refused (errno in err) */
	int err;
	double wall_ns, cpu_ns; /* per store */
	double drain_ns;        /* per sample */
	double bytes;           /* per sample, as stored in the ring */
	long samples, lost, stray;
	double depth_med;       /* frames matching the known chain */
	int depth_min, depth_max;
	double at_main;         /* fraction of samples whose frames reach main */
	double frames_med;      /* frames found at all (right or wrong) */
	double dyn_med;         /* stack bytes the kernel could copy */
	double outside;         /* unwinder reads outside the stack copy, per sample */
	double setup_us;        /* libdwfl set-up: modules, attach */
	double first_us;        /* the first unwind (loads the CFI) */
	double unwind_med_us, unwind_mean_us;   /* the others */
	int expected;           /* frames of the known chain */
};

static volatile long sink;
static int depth_arg = 14;

__attribute__((noinline)) static void deep(int depth, long page)
{
	if (depth > 0) {
		deep(depth - 1, page);
		sink++;
	} else {
		bench_touch(page);
	}
}

/* the same with FAT bytes of locals per frame (a constant: a variable
 * size would make gcc keep a frame pointer in it) */
__attribute__((noinline)) static void deep_fat(int depth, long page)
{
	volatile char buf[FAT];
	buf[0] = (char)depth;
	buf[FAT - 1] = 0;
	if (depth > 0) {
		deep_fat(depth - 1, page);
		sink += buf[0] + buf[FAT - 1];
	} else {
		bench_touch(page);
	}
}

__attribute__((noinline)) static void write_batch(long first, long n, int fat)
{
	for (long p = first; p < first + n; p++) {
		if (fat)
			deep_fat(depth_arg, p);
		else
			deep(depth_arg, p);
	}
}

/* the stack the chains will use, touched before anything is timed */
__attribute__((noinline)) static void warm_stack(void)
{
	volatile char buf[128 * 1024];
	for (size_t i = 0; i < sizeof buf; i += 256)
		buf[i] = 0;
}

static double now(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, long n)
{
	if (n <= 0)
		return 0;
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- the samples, as drained --------------------------------------- */

struct rec {
	uint64_t ip, addr;
	uint32_t tid;
	uint16_t nchain;
	uint64_t chain[MAXFRAMES];      /* user entries, the ip first */
	uint64_t bp, sp, rip;           /* the sampled registers */
	int has_regs;
	uint64_t dyn;                   /* bytes of stack copied */
	unsigned char *stack;           /* dyn bytes, from sp up */
};

static struct rec *recs;
static long nrecs, maxrecs;
static unsigned char *stackstore;       /* maxrecs * stack size, pre-faulted */
static unsigned stack_size;
static uint64_t sample_type;
static double bytes_total;
static long lost, stray;
static uintptr_t data_lo, data_hi;      /* libbench.so's writable segment */

static const unsigned char *rec_bytes(const unsigned char *p, void *dst, size_t n)
{
	memcpy(dst, p, n);
	return p + n;
}

static void parse_sample(const unsigned char *p, const unsigned char *end)
{
	struct rec *r = &recs[nrecs];
	uint32_t pidtid[2];
	uint64_t t, n;
	p = rec_bytes(p, &r->ip, 8);
	p = rec_bytes(p, pidtid, 8);
	r->tid = pidtid[1];
	p = rec_bytes(p, &t, 8);
	p = rec_bytes(p, &r->addr, 8);
	if (r->addr < data_lo || r->addr >= data_hi) {
		stray++;        /* not one of the stores under test */
		return;
	}
	r->nchain = 0;
	if (sample_type & PERF_SAMPLE_CALLCHAIN) {
		p = rec_bytes(p, &n, 8);
		for (uint64_t i = 0; i < n; i++) {
			uint64_t a;
			p = rec_bytes(p, &a, 8);
			if (a >= (uint64_t)PERF_CONTEXT_MAX)
				continue;       /* a context marker */
			if (r->nchain < MAXFRAMES)
				r->chain[r->nchain++] = a;
		}
	}
	r->has_regs = 0;
	if (sample_type & PERF_SAMPLE_REGS_USER) {
		uint64_t abi;
		p = rec_bytes(p, &abi, 8);
		if (abi != PERF_SAMPLE_REGS_ABI_NONE) {
			/* in the order of the mask's bits: BP, SP, IP */
			p = rec_bytes(p, &r->bp, 8);
			p = rec_bytes(p, &r->sp, 8);
			p = rec_bytes(p, &r->rip, 8);
			r->has_regs = 1;
		}
	}
	r->dyn = 0;
	r->stack = NULL;
	if (sample_type & PERF_SAMPLE_STACK_USER) {
		uint64_t size;
		p = rec_bytes(p, &size, 8);
		if (size) {
			const unsigned char *data = p;
			p += size;
			p = rec_bytes(p, &r->dyn, 8);
			if (r->dyn > size)
				r->dyn = size;
			r->stack = stackstore + (size_t)nrecs * stack_size;
			memcpy(r->stack, data, r->dyn);
		}
	}
	if (p > end) {
		fprintf(stderr, "perf-unwind: a sample longer than its record\n");
		exit(1);
	}
	nrecs++;
}

/* Moves every record out of the ring. */
static void drain(struct perf_event_mmap_page *meta)
{
	static unsigned char tmp[65536];
	unsigned char *base = (unsigned char *)meta + sysconf(_SC_PAGESIZE);
	uint64_t size = meta->data_size, head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = meta->data_tail;
	while (tail < head) {
		struct perf_event_header h;
		uint64_t off = tail % size;
		/* a record may wrap round the end of the ring */
		if (off + sizeof h <= size)
			memcpy(&h, base + off, sizeof h);
		else {
			memcpy(&h, base + off, size - off);
			memcpy((char *)&h + (size - off), base, sizeof h - (size - off));
		}
		const unsigned char *rp = base + off;
		if (off + h.size > size) {
			memcpy(tmp, base + off, size - off);
			memcpy(tmp + (size - off), base, h.size - (size - off));
			rp = tmp;
		}
		if (h.type == PERF_RECORD_SAMPLE && nrecs < maxrecs) {
			bytes_total += h.size;
			parse_sample(rp + sizeof h, rp + h.size);
		} else if (h.type == PERF_RECORD_LOST) {
			uint64_t l[2];
			memcpy(l, rp + sizeof h, sizeof l);
			lost += (long)l[1];
		}
		tail += h.size;
	}
	__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
}

static int find_data(struct dl_phdr_info *info, size_t sz, void *arg)
{
	if (!strstr(info->dlpi_name, "libbench"))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W)) {
			data_lo = info->dlpi_addr + ph->p_vaddr;
			data_hi = data_lo + ph->p_memsz;
		}
	}
	return 1;
}

/* ---- offline unwinding with libdwfl --------------------------------- */

struct span { uintptr_t lo, hi; };
static struct span ro[256];     /* read-only file mappings */
static int nro;
static const struct rec *cur;   /* the sample being unwound */
static long reads_outside;
static uint64_t pcs[MAXFRAMES];
static int npcs;

static void read_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	nro = 0;
	while (f && fgets(line, sizeof line, f) && nro < 256) {
		unsigned long lo, hi, ino;
		char perm[8];
		if (sscanf(line, "%lx-%lx %7s %*s %*s %lu", &lo, &hi, perm, &ino) != 4)
			continue;
		if (perm[0] == 'r' && perm[1] != 'w' && ino != 0)
			ro[nro++] = (struct span){ lo, hi };
	}
	if (f)
		fclose(f);
}

static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	if (*thread_argp)
		return 0;
	*thread_argp = arg;
	return (pid_t)cur->tid;
}

static bool get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	*thread_argp = arg;
	return true;
}

static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	if (addr >= cur->sp && addr + 8 <= cur->sp + cur->dyn) {
		memcpy(result, cur->stack + (addr - cur->sp), 8);
		return true;
	}
	reads_outside++;
	for (int i = 0; i < nro; i++)
		if (addr >= ro[i].lo && addr + 8 <= ro[i].hi) {
			memcpy(result, (const void *)(uintptr_t)addr, 8);
			return true;
		}
	return false;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	/* DWARF numbering on x86-64: 6 rbp, 7 rsp; the pc apart */
	Dwarf_Word r[2] = { cur->bp, cur->sp };
	if (!dwfl_thread_state_registers(thread, 6, 2, r))
		return false;
	dwfl_thread_state_register_pc(thread, cur->rip);
	return true;
}

static const Dwfl_Thread_Callbacks thread_cb = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

static int frame_cb(Dwfl_Frame *state, void *arg)
{
	Dwarf_Addr pc;
	bool activation;
	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	/* a return address names its call: look up the byte before it */
	pcs[npcs++] = activation ? pc : pc - 1;
	return npcs < MAXFRAMES ? DWARF_CB_OK : DWARF_CB_ABORT;
}

static char *find_debuginfo_path;
static const Dwfl_Callbacks proc_cb = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &find_debuginfo_path,
};

/* Frames of F (n of them, lookup addresses) that match the known chain. */
static int matching(Dwfl *dwfl, const uint64_t *f, int n, const char **expect, int nexpect)
{
	int k = 0;
	for (; k < n && k < nexpect; k++) {
		Dwfl_Module *m = dwfl_addrmodule(dwfl, f[k]);
		const char *name = m ? dwfl_module_addrname(m, f[k]) : NULL;
		size_t len = strlen(expect[k]);
		/* deep.isra.0 and the like count as deep */
		if (!name || strncmp(name, expect[k], len) != 0 || (name[len] && name[len] != '.'))
			break;
	}
	return k;
}

/* ---- one measurement, in a child ------------------------------------ */

__attribute__((noinline)) static void run_child(const struct config *c, long pages, int fat, int out)
{
	struct result res;
	memset(&res, 0, sizeof res);
	res.ok = 1;
	dl_iterate_phdr(find_data, NULL);
	for (long i = 0; i < pages; i++)
		sink += bench_read(i);  /* mapped from the page cache: no read fault timed */
	warm_stack();

	struct perf_event_mmap_page *meta = NULL;
	size_t ringlen = (size_t)(RING_PAGES + 1) * sysconf(_SC_PAGESIZE);
	int fd = -1;
	stack_size = c->stack;
	maxrecs = pages;
	/* pre-faulted, as the stack store: the drain's time is the copy's */
	recs = mmap(NULL, (size_t)pages * sizeof *recs, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (recs == MAP_FAILED) {
		perror("perf-unwind: mmap");
		_exit(1);
	}
	if (c->stack) {
		stackstore = mmap(NULL, (size_t)pages * c->stack, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (stackstore == MAP_FAILED) {
			perror("perf-unwind: mmap");
			_exit(1);
		}
	}
	if (c->traced) {
		struct perf_event_attr a;
		memset(&a, 0, sizeof a);
		a.size = sizeof a;
		a.type = PERF_TYPE_SOFTWARE;
		a.config = PERF_COUNT_SW_PAGE_FAULTS_MIN;
		a.sample_period = 1;
		a.sample_type = sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
					      PERF_SAMPLE_ADDR | c->extra;
		a.exclude_kernel = 1;
		a.exclude_hv = 1;
		a.exclude_callchain_kernel = 1;
		a.disabled = 1;
		a.use_clockid = 1;
		a.clockid = CLOCK_MONOTONIC;
		if (c->extra & PERF_SAMPLE_REGS_USER)
			a.sample_regs_user = REGS_MASK;
		a.sample_stack_user = c->stack;
		fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd >= 0) {
			meta = mmap(NULL, ringlen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			if (meta == MAP_FAILED)
				meta = NULL;
		}
		if (!meta) {
			res.ok = 0;
			res.err = errno;
			if (write(out, &res, sizeof res) < 0)
				_exit(1);
			_exit(0);
		}
	}

	double wall = 0, cpu = 0, drain_t = 0;
	for (long first = 0; first < pages; first += BATCH) {
		long n = pages - first < BATCH ? pages - first : BATCH;
		if (fd >= 0)
			ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
		double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_THREAD_CPUTIME_ID);
		write_batch(first, n, fat);
		double c1 = now(CLOCK_THREAD_CPUTIME_ID), t1 = now(CLOCK_MONOTONIC);
		wall += t1 - t0;
		cpu += c1 - c0;
		if (fd >= 0) {
			ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
			double d0 = now(CLOCK_MONOTONIC);
			drain(meta);
			drain_t += now(CLOCK_MONOTONIC) - d0;
		}
	}
	if (fd >= 0) {
		munmap(meta, ringlen);
		close(fd);
	}
	res.wall_ns = wall / pages;
	res.cpu_ns = cpu / pages;
	res.samples = nrecs;
	res.lost = lost;
	res.stray = stray;
	res.drain_ns = nrecs ? drain_t / nrecs : 0;
	res.bytes = nrecs ? bytes_total / nrecs : 0;

	/* the chain each sample should show */
	const char *expect[MAXFRAMES];
	int ne = 0;
	expect[ne++] = "bench_touch";
	/* deep(0) tail-calls bench_touch: DEPTH frames of deep, not DEPTH + 1 */
	for (int i = 0; i < depth_arg && ne < MAXFRAMES - 4; i++)
		expect[ne++] = fat ? "deep_fat" : "deep";
	expect[ne++] = "write_batch";
	expect[ne++] = "run_child";
	expect[ne++] = "spawn";
	expect[ne++] = "main";
	res.expected = ne;

	if (nrecs && (c->extra & (PERF_SAMPLE_CALLCHAIN | PERF_SAMPLE_STACK_USER))) {
		double *depth = calloc((size_t)nrecs, sizeof *depth);
		double *frames = calloc((size_t)nrecs, sizeof *frames);
		double *dyn = calloc((size_t)nrecs, sizeof *dyn);
		double *ut = calloc((size_t)nrecs, sizeof *ut);
		long at_main = 0;
		double t0 = now(CLOCK_MONOTONIC);
		Dwfl *dwfl = dwfl_begin(&proc_cb);
		dwfl_report_begin(dwfl);
		dwfl_linux_proc_report(dwfl, getpid());
		dwfl_report_end(dwfl, NULL, NULL);
		cur = &recs[0];
		if ((c->extra & PERF_SAMPLE_STACK_USER) &&
		    !dwfl_attach_state(dwfl, NULL, getpid(), &thread_cb, NULL)) {
			fprintf(stderr, "perf-unwind: dwfl_attach_state: %s\n", dwfl_errmsg(-1));
			_exit(1);
		}
		res.setup_us = (now(CLOCK_MONOTONIC) - t0) / 1e3;
		read_maps();
		res.depth_min = MAXFRAMES;
		for (long i = 0; i < nrecs; i++) {
			const struct rec *r = &recs[i];
			int n;
			if (c->extra & PERF_SAMPLE_STACK_USER) {
				cur = r;
				npcs = 0;
				double u0 = now(CLOCK_MONOTONIC);
				if (r->has_regs)
					dwfl_getthread_frames(dwfl, (pid_t)r->tid, frame_cb, NULL);
				ut[i] = now(CLOCK_MONOTONIC) - u0;
				n = npcs;
				dyn[i] = (double)r->dyn;
				depth[i] = matching(dwfl, pcs, npcs, expect, ne);
			} else {
				uint64_t f[MAXFRAMES];
				n = r->nchain;
				for (int k = 0; k < n; k++)
					f[k] = k ? r->chain[k] - 1 : r->chain[k];
				depth[i] = matching(dwfl, f, n, expect, ne);
			}
			frames[i] = n;
			at_main += depth[i] == ne;
			res.depth_min = depth[i] < res.depth_min ? (int)depth[i] : res.depth_min;
			res.depth_max = depth[i] > res.depth_max ? (int)depth[i] : res.depth_max;
		}
		res.at_main = (double)at_main / nrecs;
		res.outside = (double)reads_outside / nrecs;
		res.depth_med = median(depth, nrecs);
		res.frames_med = median(frames, nrecs);
		if (c->extra & PERF_SAMPLE_STACK_USER) {
			res.dyn_med = median(dyn, nrecs);
			res.first_us = ut[0] / 1e3;
			double sum = 0;
			for (long i = 1; i < nrecs; i++)
				sum += ut[i];
			res.unwind_mean_us = nrecs > 1 ? sum / (nrecs - 1) / 1e3 : 0;
			res.unwind_med_us = median(ut + 1, nrecs - 1) / 1e3;
		}
		dwfl_end(dwfl);
	}
	if (write(out, &res, sizeof res) != sizeof res)
		_exit(1);
	_exit(0);
}

__attribute__((noinline)) static int spawn(const struct config *c, long pages, int fat, struct result *res)
{
	int p[2];
	if (pipe(p) != 0)
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(p[0]);
		run_child(c, pages, fat, p[1]);
	}
	close(p[1]);
	ssize_t got = read(p[0], res, sizeof *res);
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);
	return got == (ssize_t)sizeof *res && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* ---- the tables ------------------------------------------------------ */

static void ratio_line(const char *what, double *v, double *base, int rounds)
{
	double val[MAXROUNDS], r[MAXROUNDS], lo = 0, hi = 0;
	for (int i = 0; i < rounds; i++) {
		val[i] = v[i];
		r[i] = v[i] / base[i];
		lo = i == 0 || r[i] < lo ? r[i] : lo;
		hi = i == 0 || r[i] > hi ? r[i] : hi;
	}
	printf("  %-26s %7.0f ns  ratio %5.2fx  (rounds %.2f-%.2fx)\n", what, median(val, rounds),
	       median(r, rounds), lo, hi);
}

static void depth_table(const struct result *res)
{
	printf("  %-26s %6s %8s %8s %7s %9s %8s\n", "", "depth", "(range)", "at main", "frames", "copied",
	       "outside");
	for (int c = 2; c < NCONFIGS; c++) {
		const struct result *r = &res[c];
		char range[32], copied[32], outside[32];
		snprintf(range, sizeof range, "%d-%d", r->depth_min, r->depth_max);
		snprintf(copied, sizeof copied, "-");
		snprintf(outside, sizeof outside, "-");
		if (configs[c].stack) {
			snprintf(copied, sizeof copied, "%.0f B", r->dyn_med);
			snprintf(outside, sizeof outside, "%.1f", r->outside);
		}
		printf("  %-26s %6.0f %8s %7.0f%% %7.0f %9s %8s\n", configs[c].name, r->depth_med, range,
		       100 * r->at_main, r->frames_med, copied, outside);
	}
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 7;
	long pages = argc > 2 ? atol(argv[2]) : 4000;
	depth_arg = argc > 3 ? atoi(argv[3]) : 14;
	if (rounds < 1 || rounds > MAXROUNDS)
		rounds = 7;
	if (pages < 1 || pages > bench_pages())
		pages = bench_pages();
	if (depth_arg < 0 || depth_arg > MAXFRAMES - 6)
		depth_arg = 14;

	static struct result res[MAXROUNDS][NCONFIGS];
	for (int r = 0; r < rounds; r++)
		for (int c = 0; c < NCONFIGS; c++) {
			if (spawn(&configs[c], pages, 0, &res[r][c]) != 0) {
				fprintf(stderr, "perf-unwind: the child for %s failed\n", configs[c].name);
				return 1;
			}
			if (!res[r][c].ok) {
				printf("  perf_event_open refused for %s (%s): skipped\n",
				       configs[c].name, strerror(res[r][c].err));
				return 0;
			}
			if (c && (res[r][c].samples != pages || res[r][c].lost)) {
				fprintf(stderr, "perf-unwind: %s: %ld samples of %ld stores, %ld lost\n",
					configs[c].name, res[r][c].samples, pages, res[r][c].lost);
				return 1;
			}
		}

	printf("  %d rounds of %ld first writes, %d calls deep; one child per figure, the\n"
	       "  untraced one of the same round the base of each ratio; ring %d KiB\n",
	       rounds, pages, depth_arg, RING_PAGES * 4);
	double v[MAXROUNDS], base[MAXROUNDS];
	printf("  CPU time of the writing thread (user + system) per first write:\n");
	for (int c = 0; c < NCONFIGS; c++) {
		for (int r = 0; r < rounds; r++)
			v[r] = res[r][c].cpu_ns, base[r] = res[r][0].cpu_ns;
		ratio_line(configs[c].name, v, base, rounds);
	}
	printf("  wall time per first write:\n");
	for (int c = 0; c < NCONFIGS; c++) {
		for (int r = 0; r < rounds; r++)
			v[r] = res[r][c].wall_ns, base[r] = res[r][0].wall_ns;
		ratio_line(configs[c].name, v, base, rounds);
	}
	printf("  per sample: bytes in the ring, the drain's copy out of it, and the\n"
	       "  offline unwind (libdwfl: set-up once, the first sample, then the median\n"
	       "  and mean of the others):\n");
	for (int c = 1; c < NCONFIGS; c++) {
		double b[MAXROUNDS], d[MAXROUNDS], s[MAXROUNDS], f[MAXROUNDS], um[MAXROUNDS], ua[MAXROUNDS];
		for (int r = 0; r < rounds; r++) {
			b[r] = res[r][c].bytes;
			d[r] = res[r][c].drain_ns;
			s[r] = res[r][c].setup_us;
			f[r] = res[r][c].first_us;
			um[r] = res[r][c].unwind_med_us;
			ua[r] = res[r][c].unwind_mean_us;
		}
		printf("  %-26s %6.0f B  drain %5.0f ns", configs[c].name, median(b, rounds), median(d, rounds));
		if (configs[c].stack)
			printf("  unwind: set-up %.0f us, first %.0f us, then %.1f us (mean %.1f)",
			       median(s, rounds), median(f, rounds), median(um, rounds), median(ua, rounds));
		printf("\n");
	}
	printf("  depth: frames matching the known chain (bench_touch, deep x %d, write_batch,\n"
	       "  run_child, spawn, main = %d), the median and range over the samples of\n"
	       "  the last round; how many reach main; frames found at all; stack bytes\n"
	       "  the kernel copied (median); the unwinder's reads outside the copy, per\n"
	       "  sample (served from read-only file mappings, or refused):\n",
	       depth_arg, res[0][0].expected);
	depth_table(res[rounds - 1]);

	static struct result fat[NCONFIGS];
	for (int c = 2; c < NCONFIGS; c++)
		if (spawn(&configs[c], pages, 1, &fat[c]) != 0 || !fat[c].ok) {
			fprintf(stderr, "perf-unwind: the child for %s (fat frames) failed\n", configs[c].name);
			return 1;
		}
	printf("  the same chain with %d bytes of locals in each frame (one run):\n", FAT);
	depth_table(fat);
	return 0;
}
