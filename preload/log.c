/* log.c - the per-process log: a file mapped MAP_SHARED, so that every
 * committed record is in the page cache (and reaches the disk) even when the
 * process is killed.  The tracer keeps no descriptor open: the file is
 * reopened by path, briefly, only to grow it. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ct.h"

#define LOG_WINDOW   (256ul << 20)   /* address space reserved for the mapping */
#define LOG_INITIAL  (64ul << 10)
#define LOG_STEP_MAX (16ul << 20)

static struct {
	char path[CT_MAX_PATH];
	char *base;                  /* LOG_WINDOW bytes reserved; header at 0 */
	_Atomic size_t mapped;       /* bytes of file mapped at base */
	_Atomic int grow_lock;
	_Atomic int ok;
	_Atomic int full;            /* recording stopped: the log could not grow */
	volatile int *owner;         /* MADV_WIPEONFORK page: 0 in a forked child */
	pid_t pid;
	char comm[16];
} lg;

static struct ct_log_header *hdr(void)
{
	return (struct ct_log_header *)lg.base;
}

/* SIGNAL-SAFE: reads a small /proc file into buf, returns its length or -1. */
static ssize_t read_proc(const char *path, char *buf, size_t size)
{
	int fd = ct_sys_open(path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	size_t n = 0;
	while (n < size) {
		ssize_t r = ct_sys_read(fd, buf + n, size - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	ct_sys_close(fd);
	return (ssize_t)n;
}

/* SIGNAL-SAFE: extends the file to at least `need` bytes and maps the new
 * part.  Returns 0, or -1 when the log cannot grow (disk full, file gone). */
static int grow(size_t need)
{
	/* A signal handler's first write taken here (at the return of one of
	 * the calls below) would need to grow the log too, and wait for ever
	 * for the lock its own thread holds: no signals but the synchronous
	 * ones while growing. */
	sigset_t all, old;
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	ct_real_sigprocmask(SIG_BLOCK, &all, &old);
	int expect = 0;
	while (!atomic_compare_exchange_weak(&lg.grow_lock, &expect, 1)) {
		expect = 0;
		ct_syscall(SYS_sched_yield, 0, 0, 0, 0, 0, 0);
	}
	int rc = 0;
	size_t have = atomic_load(&lg.mapped);
	if (have >= need)
		goto out;
	size_t want = have + (have < LOG_STEP_MAX ? have : LOG_STEP_MAX);
	if (want < need)
		want = (need + LOG_INITIAL - 1) & ~(LOG_INITIAL - 1);
	if (want > LOG_WINDOW)
		want = LOG_WINDOW;
	rc = -1;
	if (want < need)
		goto out;
	/* system calls, not libc's open/fallocate/close: those are
	 * cancellation points, and a thread cancelled here, inside the
	 * handler, would leave grow_lock taken */
	int fd = (int)ct_syscall(SYS_openat, AT_FDCWD, (long)lg.path, O_RDWR | O_CLOEXEC | O_NOFOLLOW,
				 0, 0, 0);
	if (fd < 0)
		goto out;
	/* fallocate, not ftruncate: a sparse file on a full disk would turn
	 * the next store into SIGBUS inside the handler */
	if (ct_syscall(SYS_fallocate, fd, 0, (long)have, (long)(want - have), 0, 0) != 0 &&
	    (errno != EOPNOTSUPP || ct_syscall(SYS_ftruncate, fd, (long)want, 0, 0, 0, 0) != 0)) {
		ct_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
		goto out;
	}
	void *p = ct_sys_mmap(lg.base + have, want - have, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED, fd, (off_t)have);
	ct_syscall(SYS_close, fd, 0, 0, 0, 0, 0);
	if (p == MAP_FAILED)
		goto out;
	atomic_store(&lg.mapped, want);
	rc = 0;
out:
	atomic_store(&lg.grow_lock, 0);
	ct_real_sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* SIGNAL-SAFE: space for one record of `size` bytes (size field set), or
 * NULL when there is no log or it is full. */
void *ct_log_reserve(size_t size)
{
	if (!atomic_load(&lg.ok))
		return NULL;
	if (!ct_log_owned() && ct_log_reopen_child() != 0)
		return NULL;
	size = (size + CT_REC_ALIGN - 1) & ~(size_t)(CT_REC_ALIGN - 1);
	_Atomic uint64_t *used = (_Atomic uint64_t *)&hdr()->used;
	uint64_t off = atomic_load(used);
	do {
		if (CT_LOG_HEADER_SIZE + off + size > LOG_WINDOW) {
			__atomic_fetch_add(&hdr()->dropped, 1, __ATOMIC_RELAXED);
			__atomic_fetch_or(&hdr()->flags, CT_LOGF_FULL, __ATOMIC_RELAXED);
			return NULL;
		}
	} while (!atomic_compare_exchange_weak(used, &off, off + size));

	size_t end = CT_LOG_HEADER_SIZE + off + size;
	if (end > atomic_load(&lg.mapped) && grow(end) != 0) {
		/* the reservation stays unwritten (size 0): readers stop there */
		atomic_store(&lg.full, 1);
		atomic_store(&lg.ok, 0);
		__atomic_fetch_add(&hdr()->dropped, 1, __ATOMIC_RELAXED);
		__atomic_fetch_or(&hdr()->flags, CT_LOGF_FULL, __ATOMIC_RELAXED);
		ct_warn("the log ", lg.path, " cannot grow (disk full?): recording stops", NULL);
		return NULL;
	}
	struct ct_rec *r = (struct ct_rec *)(lg.base + CT_LOG_HEADER_SIZE + off);
	__atomic_store_n(&r->size, (uint32_t)size, __ATOMIC_RELAXED);
	return r;
}

/* SIGNAL-SAFE */
void ct_log_commit(void *rec, uint16_t type)
{
	__atomic_store_n(&((struct ct_rec *)rec)->type, type, __ATOMIC_RELEASE);
	__atomic_fetch_add(&hdr()->nrecords, 1, __ATOMIC_RELAXED);
}

/* SIGNAL-SAFE */
void ct_log_set_flag(uint32_t flag)
{
	if (atomic_load(&lg.ok))
		__atomic_fetch_or(&hdr()->flags, flag, __ATOMIC_RELAXED);
}

/* SIGNAL-SAFE */
void ct_log_clear_flag(uint32_t flag)
{
	if (atomic_load(&lg.ok) || atomic_load(&lg.full))
		__atomic_fetch_and(&hdr()->flags, ~flag, __ATOMIC_RELAXED);
}

/* SIGNAL-SAFE: false in the child of a fork (the owner page is wiped there),
 * true in threads and vfork children, which share our memory and log. */
int ct_log_owned(void)
{
	if (lg.owner)
		return *lg.owner != 0;
	return lg.pid == (pid_t)ct_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
}

/* SIGNAL-SAFE: this process is the log's process (not a vfork child
 * borrowing our memory, nor a fork child that has not switched yet). */
int ct_log_is_mine(void)
{
	return ct_log_owned() && lg.pid == (pid_t)ct_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
}

static void copy_comm(void)
{
	char buf[32];
	ssize_t n = read_proc("/proc/self/comm", buf, sizeof buf - 1);
	if (n <= 0)
		n = 0;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 15)
		n = 15;
	for (ssize_t i = 0; i < n; i++)
		lg.comm[i] = (buf[i] == '/' || buf[i] < ' ') ? '_' : buf[i];
	lg.comm[n] = 0;
	if (!n)
		memcpy(lg.comm, "unknown", 8);
}

/* SIGNAL-SAFE: appends s to p within end, returns the new end. */
static char *put(char *p, char *end, const char *s)
{
	while (*s && p < end)
		*p++ = *s++;
	return p;
}

/* SIGNAL-SAFE: creates cowtrace.<comm>.<pid>.cwt (a -N suffix when that
 * exists already, e.g. a reused pid) and returns its descriptor. */
static int create_file(void)
{
	char dir[CT_MAX_PATH];
	const char *d = ct.opt.dir;
	if (d[0] != '/') {
		long n = ct_syscall(SYS_getcwd, (long)dir, (long)(sizeof dir - 1), 0, 0, 0, 0);
		if (n <= 0)
			return -1;
		char *e = put(dir + strlen(dir), dir + sizeof dir - 1, "/");
		e = put(e, dir + sizeof dir - 1, d);
		*e = 0;
		d = dir;
	}
	for (unsigned attempt = 0; attempt < 100; attempt++) {
		char *p = lg.path, *end = lg.path + sizeof lg.path - 1;
		p = put(p, end, d);
		p = put(p, end, "/cowtrace.");
		p = put(p, end, lg.comm);
		p = put(p, end, ".");
		if (end - p < 48)
			return -1;
		p = ct_utoa(p, (unsigned long)lg.pid);
		if (attempt) {
			*p++ = '-';
			p = ct_utoa(p, attempt);
		}
		p = put(p, end, ".cwt");
		*p = 0;
		int fd = ct_sys_open(lg.path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

static void write_process_record(void)
{
	char exe[CT_MAX_PATH];
	char args[8192];
	ssize_t exe_len = ct_sys_readlink("/proc/self/exe", exe, sizeof exe);
	ssize_t args_len = read_proc("/proc/self/cmdline", args, sizeof args);
	if (exe_len < 0)
		exe_len = 0;
	if (args_len < 0)
		args_len = 0;
	if (args_len > 0 && args[args_len - 1] != 0)
		args[args_len - 1] = 0;     /* cut off: keep it terminated */
	uint32_t argc = 0;
	for (ssize_t i = 0; i < args_len; i++)
		argc += args[i] == 0;

	struct ct_rec_process *r = ct_log_reserve(sizeof *r + (size_t)exe_len + (size_t)args_len);
	if (!r)
		return;
	r->pid = lg.pid;
	r->ppid = (int32_t)getppid();
	r->argc = argc;
	r->exe_len = (uint32_t)exe_len;
	r->argv_len = (uint32_t)args_len;
	memcpy(r->comm, lg.comm, sizeof r->comm);
	memcpy(r->data, exe, (size_t)exe_len);
	memcpy(r->data + exe_len, args, (size_t)args_len);
	ct_log_commit(r, CT_REC_PROCESS);
}

/* SIGNAL-SAFE: maps a fresh file over the window and writes its header.
 * The previous mapping (if any) is replaced atomically by MAP_FIXED. */
static int start_log(void)
{
	int fd = create_file();
	if (fd < 0) {
		ct_warn("cannot create a log in ", ct.opt.dir, ": ", ct_errstr(errno),
			"; tracing is off for this process", NULL);
		return -1;
	}
	if (fallocate(fd, 0, 0, LOG_INITIAL) != 0 &&
	    (errno != EOPNOTSUPP || ftruncate(fd, LOG_INITIAL) != 0)) {
		ct_warn("cannot extend the log ", lg.path, ": ", ct_errstr(errno),
			"; tracing is off for this process", NULL);
		ct_sys_close(fd);
		unlink(lg.path);
		return -1;
	}
	void *p = ct_sys_mmap(lg.base, LOG_INITIAL, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED, fd, 0);
	ct_sys_close(fd);
	if (p == MAP_FAILED) {
		unlink(lg.path);
		return -1;
	}
	/* drop whatever the window still maps beyond the new file */
	ct_sys_mmap(lg.base + LOG_INITIAL, LOG_WINDOW - LOG_INITIAL, PROT_NONE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
	atomic_store(&lg.mapped, LOG_INITIAL);

	struct ct_log_header *h = hdr();
	memcpy(h->magic, CT_LOG_MAGIC, 8);
	h->version = CT_LOG_VERSION;
	h->header_size = CT_LOG_HEADER_SIZE;
	h->backend = (uint32_t)ct.opt.mode;
	h->pid = lg.pid;
	h->ppid = (int32_t)getppid();
	h->page_size = (uint32_t)ct.page_size;
	h->start_mono_ns = ct_now_ns();
	struct timespec ts = { 0, 0 };
	ct_syscall(SYS_clock_gettime, CLOCK_REALTIME, (long)&ts, 0, 0, 0, 0);
	h->start_real_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (lg.owner)
		*lg.owner = 1;
	atomic_store(&lg.ok, 1);
	write_process_record();
	ct_log_stage();         /* a fork child's: the phase it inherits */
	return 0;
}

/* SIGNAL-SAFE: in a child that must not write (the probe), forget the log. */
void ct_log_detach(void)
{
	atomic_store(&lg.ok, 0);
}

int ct_log_open(void)
{
	lg.pid = (pid_t)ct_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
	copy_comm();
	lg.base = ct_sys_mmap(NULL, LOG_WINDOW, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (lg.base == MAP_FAILED) {
		lg.base = NULL;
		ct_warn("cannot reserve address space for the log; tracing is off", NULL);
		return -1;
	}
	void *o = ct_sys_mmap(NULL, ct.page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (o != MAP_FAILED && ct_sys_madvise(o, ct.page_size, MADV_WIPEONFORK) == 0)
		lg.owner = o;
	else if (o != MAP_FAILED)
		ct_sys_munmap(o, ct.page_size);
	return start_log();
}

/* SIGNAL-SAFE: in the child of a fork, start the child's own log and
 * describe the objects again so that the log stands alone. */
int ct_log_reopen_child(void)
{
	static _Atomic int busy;
	if (ct_log_owned())
		return 0;
	if (atomic_exchange(&busy, 1))
		return -1;           /* a nested fault while we switch: drop it */
	atomic_store(&lg.ok, 0);
	atomic_store(&lg.full, 0);
	lg.pid = (pid_t)ct_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
	ct_seen_reset_all();    /* the new log has none of the pages */
	int rc = start_log();
	if (rc == 0)
		for (uint32_t i = 0; i < ct.nmodules; i++)
			if (atomic_load(&ct.modules[i].live))
				ct_log_module(&ct.modules[i]);
	atomic_store(&busy, 0);
	return rc;
}

/* SIGNAL-SAFE */
void ct_log_note(uint32_t module, uint32_t reason, const char *text)
{
	size_t len = strlen(text);
	if (len > 1024)
		len = 1024;
	struct ct_rec_note *r = ct_log_reserve(sizeof *r + len);
	if (!r)
		return;
	r->module = module;
	r->reason = reason;
	r->t_ns = ct_now_ns();
	r->len = (uint32_t)len;
	memcpy(r->text, text, len);
	ct_log_commit(r, CT_REC_NOTE);
}

/* SIGNAL-SAFE */
void ct_log_page(const struct ct_module *m, uintptr_t page, unsigned kind, unsigned reason)
{
	struct ct_rec_page *r = ct_log_reserve(sizeof *r);
	if (!r)
		return;
	r->module = m->id;
	r->kind = (uint16_t)kind;
	r->reason = (uint8_t)reason;
	r->phase = (uint8_t)atomic_load(&ct.phase);
	r->page = page;
	r->t_ns = ct_now_ns();
	ct_log_commit(r, CT_REC_PAGE);
}

/* SIGNAL-SAFE: a scan that began at t_ns is complete. */
void ct_log_scan(uint64_t t_ns)
{
	struct ct_rec_scan *r = ct_log_reserve(sizeof *r);
	if (!r)
		return;
	r->t_ns = t_ns;
	r->phase = (uint32_t)atomic_load(&ct.phase);
	ct_log_commit(r, CT_REC_SCAN);
}

/* The backend that runs (after a fallback, not the one asked for). */
void ct_log_set_backend(uint32_t backend)
{
	if (atomic_load(&lg.ok))
		hdr()->backend = backend;
}

/* SIGNAL-SAFE: the automatic phase in force from now on. */
void ct_log_stage(void)
{
	struct ct_rec_stage *r = ct_log_reserve(sizeof *r);
	if (!r)
		return;
	r->t_ns = ct_now_ns();
	r->tid = ct_gettid();
	r->phase = (uint32_t)atomic_load(&ct.phase);
	ct_log_commit(r, CT_REC_STAGE);
}

/* SIGNAL-SAFE */
void ct_log_module(const struct ct_module *m)
{
	size_t plen = strlen(m->path);
	if (plen > CT_MAX_PATH)
		plen = CT_MAX_PATH;
	size_t rsz = (size_t)m->nranges * sizeof(struct ct_rec_range);
	struct ct_rec_module *r = ct_log_reserve(sizeof *r + rsz + m->build_id_len + plen);
	if (!r)
		return;
	r->id = m->id;
	r->flags = m->flags;
	r->bias = m->bias;
	r->relro_start = m->relro_start;
	r->relro_end = m->relro_end;
	r->t_ns = ct_now_ns();
	r->untracked_reason = m->reason;
	r->nranges = (uint32_t)m->nranges;
	r->writable_pages = m->writable_pages;
	r->build_id_len = (uint16_t)m->build_id_len;
	r->path_len = (uint16_t)plen;
	for (int i = 0; i < m->nranges; i++) {
		r->ranges[i].start = m->ranges[i].start;
		r->ranges[i].end = m->ranges[i].end;
	}
	char *data = (char *)r->ranges + rsz;
	memcpy(data, m->build_id, m->build_id_len);
	memcpy(data + m->build_id_len, m->path, plen);
	ct_log_commit(r, CT_REC_MODULE);
}

void ct_log_unload(const struct ct_module *m)
{
	struct ct_rec_unload *r = ct_log_reserve(sizeof *r);
	if (!r)
		return;
	r->module = m->id;
	r->t_ns = ct_now_ns();
	ct_log_commit(r, CT_REC_UNLOAD);
}

void ct_log_close(int status)
{
	if (!ct_log_is_mine())
		return;
	/* a full log still tells that the process ended cleanly (its header
	 * needs no room); the FULL flag tells what is missing */
	if (atomic_load(&lg.full)) {
		__atomic_fetch_or(&hdr()->flags, CT_LOGF_COMPLETE, __ATOMIC_RELAXED);
		return;
	}
	if (!atomic_load(&lg.ok))
		return;
	struct ct_rec_exit *r = ct_log_reserve(sizeof *r);
	if (r) {
		r->t_ns = ct_now_ns();
		r->status = status;
		ct_log_commit(r, CT_REC_EXIT);
	}
	ct_log_set_flag(CT_LOGF_COMPLETE);
}

/* The application API (include/cowtrace.h): a named phase starts now. */
__attribute__((visibility("default"))) void cowtrace_phase(const char *name)
{
	if (!name)
		return;
	ct_phase_begin(0);      /* no new automatic phase; pages found dirty
				 * now belong to the mark that ends */
	size_t len = strlen(name);
	if (len > 256)
		len = 256;
	struct ct_rec_phase *r = ct_log_reserve(sizeof *r + len);
	if (!r)
		return;
	r->t_ns = ct_now_ns();
	r->tid = ct_gettid();
	r->len = (uint32_t)len;
	memcpy(r->name, name, len);
	ct_log_commit(r, CT_REC_PHASE);
}
