/* ct.h - internal interfaces of libcowtrace.so: the process-wide state, the
 * tracked-object table and the functions each preload/ file offers.
 *
 * THE SIGNAL-HANDLER CONTRACT.  Functions marked SIGNAL-SAFE may run inside
 * the SIGSEGV handler, on any thread, at any moment, possibly nested: they
 * call no malloc, no stdio, take no lock that the interrupted code may hold,
 * preserve errno (the handler saves and restores it), and only read tables
 * that were built outside signal context and published with atomics.
 * Everything not marked SIGNAL-SAFE runs outside signal context only.
 */
#ifndef CT_H
#define CT_H

#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "cowtrace_log.h"

#define CT_HIDDEN       __attribute__((visibility("hidden")))
#define CT_TLS          __thread __attribute__((tls_model("initial-exec")))

#define CT_MAX_MODULES  16384   /* objects ever loaded in one process */
#define CT_MAX_LIVE     4096    /* objects loaded at once */
#define CT_MAX_RANGES   8       /* tracked ranges per object */
#define CT_MAX_GLOBS    16

/* Page states, one byte per tracked page. */
enum {
	CT_PG_UNTRACKED = 0,  /* never protected (dirty at attach, or left out) */
	CT_PG_PROTECTED = 1,  /* read-only, waiting for its first write */
	CT_PG_CLAIMED   = 2,  /* a thread is unprotecting and recording it */
	CT_PG_WRITTEN   = 3,  /* first write recorded, page writable */
	CT_PG_APP       = 4,  /* the application set its protection: not ours */
	CT_PG_OPEN      = 5,  /* clean when left writable (sigblocked, degraded,
	                         * or lent to a call that did not fill it) */
	CT_PG_GONE      = 6,  /* unmapped or replaced by the application */
	CT_PG_LENT      = 7,  /* writable for a system call under way (lend.c) */
	CT_PG_CLEANED   = 8,  /* made clean by MADV_DONTNEED, left writable */
};

/* ct_module.seen: what the log says of each page of the whole object */
enum {
	CT_SEEN_NO     = 0,  /* nothing yet */
	CT_SEEN_LOGGED = 1,  /* recorded: attach, first write or a scan */
	CT_SEEN_SHARED = 2,  /* a fork child's copy shared with its parent */
	CT_SEEN_GONE   = 3,  /* unmapped or replaced: no longer the object's */
};

/* ct_module.noted: notes already logged for this module (memory.c) */
#define CT_MODN_APP_PROTECT 0x1u
#define CT_MODN_UNMAPPED    0x2u
#define CT_MODN_REPROTECT   0x4u

struct ct_range {
	uintptr_t start, end;            /* page aligned, runtime */
	int prot;                        /* the segment's protection */
	_Atomic uint8_t *state;          /* (end - start) / page_size bytes */
	_Atomic uint8_t *charged;        /* per page: its unprotect is counted
					  * in the VMA budget */
	int armed;                       /* scan backend: write-protected */
	void *samples;                   /* perf backend: last fault sample per page */
};

/* One loaded object. */
struct ct_module {
	uint32_t id;                     /* log id, never reused */
	_Atomic int live;                /* 0 once unloaded or given up */
	_Atomic int degraded;            /* tracking stopped (VMA limit, ...) */
	uint32_t flags;                  /* CT_MODF_* */
	uint32_t reason;                 /* enum ct_reason when untracked */
	uintptr_t bias;
	const ElfW(Phdr) *phdr;
	int phnum;
	uintptr_t relro_start, relro_end;
	uintptr_t lo, hi;                /* every PT_LOAD page: what scans read */
	_Atomic uint8_t *seen;           /* per page of [lo, hi): CT_SEEN_* */
	int scanned;                     /* looked at since its relocation */
	int nranges;
	struct ct_range ranges[CT_MAX_RANGES];
	uint32_t writable_pages;
	const char *path;                /* arena copy */
	unsigned char build_id[CT_MAX_BUILD_ID];
	unsigned build_id_len;
	int present;                     /* scratch for rescans */
	int attached;                    /* pages classified and protected */
	_Atomic uint32_t noted;          /* CT_MODN_* */
	_Atomic long vma_charged;        /* its share of ct.vma_added */
};

/* Lookup snapshot for the fault handler: sorted, immutable once published. */
struct ct_span {
	uintptr_t start, end;
	struct ct_module *mod;
	_Atomic uint8_t *state;
	int prot;                        /* the range's own protection */
};
struct ct_table {
	size_t n;
	struct ct_span span[];
};

struct ct_options {
	int backtrace;                   /* frames, 0 = none */
	int unwind_slow;                 /* COWTRACE_UNWIND=slow: unw_step only */
	int mode;                        /* CT_BACKEND_* */
	int quiet;
	int follow;
	long max_maps;                   /* COWTRACE_MAX_MAPS, -1: not set */
	int perf_pages;                  /* COWTRACE_PERF_PAGES: ring data pages */
	int scan_ms;                     /* COWTRACE_SCAN_MS: 0, no scan thread */
	int nincl, nexcl;
	const char *incl[CT_MAX_GLOBS];
	const char *excl[CT_MAX_GLOBS];
	char dir[CT_MAX_PATH];
};

/* The whole process-wide state of the tracer, in one place. */
struct ct_state {
	_Atomic int active;              /* the fault handler may claim pages */
	int initialized;                 /* constructor ran */
	int early;                       /* attached from the audit module */
	int unwind_ready;                /* libunwind warmed up */
	int disabled;                    /* gave up: never trace */
	int hooked;                      /* our SIGSEGV handler is installed */
	const struct ct_backend *backend;
	int exit_status;                 /* from exit(), -1 if unknown */
	int finish_late;                 /* the log is finished after _dl_fini */
	_Atomic int phase;               /* enum ct_phase_id, now */
	unsigned scans;                  /* scans begun (under lock) */
	size_t page_size;
	struct ct_options opt;

	pthread_mutex_t lock;            /* module table writers */
	struct ct_module modules[CT_MAX_MODULES];
	uint32_t nmodules;
	_Atomic(struct ct_table *) table;

	/* libc pages that glibc writes with all signals blocked (page addresses) */
	uintptr_t sigblocked[256];
	int nsigblocked;

	/* VMA budget: the tracer may add mappings up to vma_limit */
	long vma_limit;                  /* COWTRACE_MAX_MAPS, or half of what
					  * vm.max_map_count leaves */
	_Atomic long vma_added;

	/* the application's view of SIGSEGV and SIGBUS */
	struct sigaction app_segv;
	_Atomic int app_lock;

	/* where the tracer's own code lives (never tracked) */
	uintptr_t self_base;
};

CT_HIDDEN extern struct ct_state ct;

/* How first writes are watched: one interface, two implementations (the
 * signal backend in protect.c and fault.c, the userfaultfd one in uffd.c).
 * The rest of preload/ calls only these; docs/design-notes.md explains. */
struct ct_backend {
	const char *name;
	int (*start)(void);                      /* process-wide set-up, 0: ready */
	void (*arm)(struct ct_module *m);        /* watch m's writable ranges */
	void (*collect)(int pagemap_fd, struct ct_module *m); /* log what was
						  * written since, or NULL: the
						  * backend logs as it goes */
	void (*fork_child)(void);                /* in a new child: watch its copies */
};
CT_HIDDEN extern const struct ct_backend ct_backend_signal, ct_backend_uffd, ct_backend_perf;

/* ---- util.c: small signal-safe helpers ------------------------------- */
uint64_t ct_now_ns(void);                          /* SIGNAL-SAFE */
pid_t ct_gettid(void);                             /* SIGNAL-SAFE */
long ct_syscall(long nr, long a, long b, long c, long d, long e, long f); /* SIGNAL-SAFE */
void ct_util_init(void);
void *ct_next_sym(const char *name);
size_t ct_strlcpy(char *dst, const char *src, size_t n); /* SIGNAL-SAFE */
char *ct_utoa(char *p, unsigned long v);           /* SIGNAL-SAFE */
const char *ct_errstr(int e);                      /* SIGNAL-SAFE */
void ct_warn(const char *s, ...) __attribute__((sentinel)); /* SIGNAL-SAFE */
ssize_t ct_sys_read(int fd, void *buf, size_t n);  /* SIGNAL-SAFE */
int ct_sys_open(const char *path, int flags, int mode); /* SIGNAL-SAFE, no cancellation point */
int ct_sys_close(int fd);                          /* SIGNAL-SAFE, no cancellation point */
void *ct_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off); /* SIGNAL-SAFE */
int ct_sys_munmap(void *addr, size_t len);         /* SIGNAL-SAFE */
int ct_sys_madvise(void *addr, size_t len, int advice); /* SIGNAL-SAFE */
ssize_t ct_sys_pread(int fd, void *buf, size_t n, off_t off); /* SIGNAL-SAFE */
ssize_t ct_sys_readlink(const char *path, char *buf, size_t n); /* SIGNAL-SAFE */
int ct_glob_match(const char *pat, const char *s);
void *ct_arena_alloc(size_t size);                 /* zeroed, never freed */

/* ---- options.c ------------------------------------------------------- */
int ct_options_parse(struct ct_options *o, char **envp);

/* ---- log.c: the per-process log file ---------------------------------- */
int ct_log_open(void);
void ct_log_detach(void);                          /* SIGNAL-SAFE */
void *ct_log_reserve(size_t size);                 /* SIGNAL-SAFE */
void ct_log_commit(void *rec, uint16_t type);      /* SIGNAL-SAFE */
int ct_log_owned(void);                            /* SIGNAL-SAFE */
int ct_log_is_mine(void);                          /* SIGNAL-SAFE */
int ct_log_reopen_child(void);                     /* SIGNAL-SAFE */
void ct_log_set_flag(uint32_t flag);               /* SIGNAL-SAFE */
void ct_log_clear_flag(uint32_t flag);             /* SIGNAL-SAFE */
void ct_log_close(int status);
void ct_log_note(uint32_t module, uint32_t reason, const char *text); /* SIGNAL-SAFE */
void ct_log_page(const struct ct_module *m, uintptr_t page, unsigned kind,
		 unsigned reason);                 /* SIGNAL-SAFE */
void ct_log_module(const struct ct_module *m);
void ct_log_stage(void);                           /* SIGNAL-SAFE */
void ct_log_scan(uint64_t t_ns);                   /* SIGNAL-SAFE */
void ct_log_set_backend(uint32_t backend);
void ct_log_unload(const struct ct_module *m);

/* ---- modules.c: discovery of loaded objects --------------------------- */
void ct_modules_scan(int attach);      /* find new objects, drop gone ones */
void ct_modules_publish(void);
struct ct_module *const *ct_modules_live(int *n); /* caller holds ct.lock */
void ct_modules_unload_at(uintptr_t bias, const void *phdr); /* audit: before unmap */
struct ct_module *ct_module_find(uintptr_t addr, _Atomic uint8_t **state); /* SIGNAL-SAFE */
typedef void ct_span_fn(const struct ct_span *s, uintptr_t first, uintptr_t end, void *arg);
typedef void ct_page_fn(struct ct_module *m, uintptr_t page, _Atomic uint8_t *st, void *arg);
void ct_spans_each(uintptr_t lo, uintptr_t hi, ct_span_fn *fn, void *arg); /* SIGNAL-SAFE */
void ct_pages_each(uintptr_t lo, uintptr_t hi, ct_page_fn *fn, void *arg); /* SIGNAL-SAFE */

/* ---- protect.c: pagemap, mprotect, VMA budget ------------------------- */
void ct_protect_attach(struct ct_module *m);
void ct_protect_reattach_all(void);    /* after fork, in the child */
enum ct_scan_how {
	CT_SCAN_LIGHT,  /* dlopen, dlclose, munmap: what was written (collect) */
	CT_SCAN_FULL,   /* phase change, fork: and every page dirty, not logged */
	CT_SCAN_CHILD,  /* a fork child's first: and mark the shared copies */
	CT_SCAN_FINAL,  /* exit, exec, death: nothing is in flight any more */
};
void ct_scan_all(int how);             /* every live object (ct_scan_how) */
void ct_scan_pending(void);            /* objects not looked at since relocation */
void ct_phase_begin(int phase);        /* scan, then the phase changes */
int ct_mark_seen(struct ct_module *m, uintptr_t page); /* SIGNAL-SAFE */
struct ct_range *ct_range_of(struct ct_module *m, uintptr_t page); /* SIGNAL-SAFE */
void ct_log_written(struct ct_module *m, uintptr_t page); /* scan backend */
int ct_seen_unlogged(struct ct_module *m, uintptr_t *lo, uintptr_t *hi); /* SIGNAL-SAFE */
void ct_log_if_written(int pm, struct ct_module *m, uintptr_t page); /* SIGNAL-SAFE */
void ct_unmark_seen(struct ct_module *m, uintptr_t page); /* SIGNAL-SAFE */
void ct_seen_reset_all(void);          /* SIGNAL-SAFE */
void ct_scan_before_change(uintptr_t lo, uintptr_t hi, int gone); /* SIGNAL-SAFE */
int ct_page_unprotect(struct ct_module *m, uintptr_t page); /* SIGNAL-SAFE */
void ct_module_degrade(struct ct_module *m, uint32_t reason); /* SIGNAL-SAFE */
void ct_probe_sigblocked(void);
void ct_protect_open_sigblocked(void);
void ct_protect_attach_pending(const char *skip);
void ct_vma_init(void);
int ct_vma_charge(struct ct_module *m, long n); /* SIGNAL-SAFE: 0 when over budget */
void ct_vma_refund(struct ct_module *m);          /* SIGNAL-SAFE */
int ct_is_sigblocked(uintptr_t page);  /* SIGNAL-SAFE */

/* ---- memory.c: the application's mprotect/munmap/mremap/madvise ------ */
int ct_sys_mprotect(void *addr, size_t len, int prot); /* SIGNAL-SAFE */

/* ---- perf.c: fault samples name the writers (COWTRACE_MODE=perf, and
 * under the signal backend the pages it leaves to the scans) ------------ */
int ct_perf_start(int hybrid);         /* 0: this thread samples */
void ct_perf_need(void);               /* SIGNAL-SAFE: hybrid: sample from now on */
int ct_perf_probe(void);               /* SIGNAL-SAFE: 0 when an event opens */
int ct_perf_sampling(void);
void ct_perf_stop(void);               /* no events for new threads */
void ct_perf_thread_start(void);
void ct_perf_arm(struct ct_module *m);
void ct_perf_drain_for_scan(void);     /* SIGNAL-SAFE: once per scan */
void ct_perf_high_water(void);         /* SIGNAL-SAFE: drains a ring half full */
void ct_perf_fork_child(void);
int ct_perf_log_writer(struct ct_module *m, uintptr_t page); /* SIGNAL-SAFE */
void ct_perf_kernel_write(uintptr_t lo, uintptr_t hi, int sysno, uintptr_t ip); /* SIGNAL-SAFE */

/* ---- ticker.c: COWTRACE_SCAN_MS ------------------------------------------ */
int ct_lock_scan(void);                /* SIGNAL-SAFE: ct.lock for a scan point */
void ct_ticker_start(void);
void ct_ticker_stop(void);             /* SIGNAL-SAFE */

/* ---- uffd.c --------------------------------------------------------- */
void ct_uffd_no_reopen(void);          /* fork children open no userfaultfd */

/* ---- probecache.c: the probe's answer kept for the next process ------- */
int ct_probe_cache_load(void);         /* 1: ct.sigblocked filled, no probe */
void ct_probe_cache_save(int child_ok);

/* ---- fault.c: the SIGSEGV handler ------------------------------------ */
int ct_fault_install(void);
int ct_app_sigaction(const struct sigaction *act, struct sigaction *oldact); /* SIGNAL-SAFE */
int ct_claim_for_kernel(void *addr, size_t len, int sysno, uintptr_t ip); /* SIGNAL-SAFE */
int ct_record_first_write(struct ct_module *m, _Atomic uint8_t *st, uintptr_t page,
			  uintptr_t addr, uintptr_t ip, int via, void *uc); /* SIGNAL-SAFE */
void ct_log_first_write(const struct ct_module *m, uintptr_t page, uintptr_t addr,
			uintptr_t ip, int via, void *uc); /* SIGNAL-SAFE */

/* ---- lend.c: destinations of calls that say how much they wrote ----------- */
struct ct_lend {
	uintptr_t lo, hi;     /* the destination */
	int lent;             /* pages made writable for the call */
};
void ct_lend(struct ct_lend *l, void *addr, size_t len); /* SIGNAL-SAFE */
void ct_settle(struct ct_lend *l, size_t written, int sysno, uintptr_t ip); /* SIGNAL-SAFE */
#define CT_LEND_IOV 8
struct ct_lend_iov {
	int n;                          /* 0: too many vectors, claimed */
	struct ct_lend l[CT_LEND_IOV];
};
struct iovec;
void ct_lend_iov(struct ct_lend_iov *v, const struct iovec *iov, int n, int nr, uintptr_t ra);
void ct_settle_iov(struct ct_lend_iov *v, ssize_t r, int nr, uintptr_t ra);
void ct_claim_iov(const struct iovec *iov, int n, int nr, uintptr_t ra);
void ct_claim_sockaddr(void *addr, socklen_t *len, int nr, uintptr_t ra);

/* ---- unwind.c -------------------------------------------------------- */
/* set while this thread is inside libunwind: its memory-check pipe is
 * refused (see pipe2 in syscalls.c) */
CT_HIDDEN extern CT_TLS int ct_in_unwinder;
long ct_unwinder_check(const void *addr);          /* SIGNAL-SAFE */
void ct_unwind_thread_start(void);
void ct_unwind_init(void);
void ct_unwind_forget(void);           /* after an object is unloaded */
int ct_unwind(void *uc, uint64_t *frames, int max, uintptr_t from); /* SIGNAL-SAFE */

/* ---- hooks.c --------------------------------------------------------- */
int ct_real_sigaction(int sig, const struct sigaction *sa, struct sigaction *old); /* SIGNAL-SAFE */
int ct_real_sigprocmask(int how, const sigset_t *set, sigset_t *old); /* SIGNAL-SAFE */
void ct_hooks_init(void);
int ct_real_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
			   void *arg);
const sigset_t *ct_wait_mask(const sigset_t *m, sigset_t *copy);
int ct_app_segv_view(int blocked);                 /* SIGNAL-SAFE */

/* ---- sandbox.c: seccomp filters the program installs ------------------ */
void ct_sandbox_check(unsigned long mode, unsigned long prog);
int ct_sandbox_forbids(int samples);   /* the inherited filter: 1 refuses */

/* ---- init.c ---------------------------------------------------------- */
void ct_disable(const char *why, uint32_t reason); /* SIGNAL-SAFE */
void ct_finish(int status);
void ct_finish_fatal(void);                        /* SIGNAL-SAFE */
int ct_finish_image(void);
void ct_finish_undo(int marked);

#endif
