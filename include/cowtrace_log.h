/* cowtrace_log.h - the on-disk log format, shared by the writer (preload/)
 * and the reader (report/).  One file per traced process.
 *
 * Layout: a fixed CT_LOG_HEADER_SIZE header, then records back to back.
 * Every record starts with struct ct_rec and is CT_REC_ALIGN aligned.
 *
 * Writers (any thread, any signal handler) reserve space by atomically
 * advancing hdr.used, write rec.size immediately, fill the body, and commit
 * by storing rec.type last (release).  A reader therefore sees, within
 * [header_size, header_size + used):
 *   - size == 0:  a reservation whose writer died before writing anything:
 *                 the end of usable data;
 *   - type == 0:  a record not (yet) committed: skip it by size;
 *   - otherwise:  a complete record.
 * Unknown record types are skipped by size (newer writers may add types;
 * incompatible changes bump CT_LOG_VERSION).
 *
 * All integers are little-endian host order (the tracer runs on the same
 * machine as the report, and the format records nothing about byte order
 * besides the magic).  Addresses are runtime addresses; the module record
 * gives the load bias to turn them into ELF virtual addresses.
 */
#ifndef COWTRACE_LOG_H
#define COWTRACE_LOG_H

#include <stdint.h>

#define CT_LOG_MAGIC       "COWTRACE"      /* 8 bytes, no NUL */
#define CT_LOG_VERSION     2u      /* what changed: docs/format.md */
#define CT_LOG_HEADER_SIZE 4096u
#define CT_REC_ALIGN       8u
#define CT_REC_MAX_SIZE    (64u * 1024u)   /* no record is larger */
#define CT_MAX_FRAMES      128u
#define CT_MAX_PATH        4096u
#define CT_MAX_BUILD_ID    64u

/* ct_log_header.flags */
#define CT_LOGF_COMPLETE   0x1u  /* the process reached a clean exit path */
#define CT_LOGF_DISABLED   0x2u  /* tracing was switched off (see NOTE records) */
#define CT_LOGF_FULL       0x4u  /* the log could not grow: records dropped */

/* ct_log_header.backend */
#define CT_BACKEND_SIGNAL  1u
#define CT_BACKEND_SCAN    2u
#define CT_BACKEND_PERF    3u      /* v2: scan + fault samples for writers */

struct ct_log_header {
	char     magic[8];        /* CT_LOG_MAGIC */
	uint32_t version;         /* CT_LOG_VERSION */
	uint32_t header_size;     /* CT_LOG_HEADER_SIZE: records start here */
	uint64_t used;            /* bytes of records reserved after the header */
	uint64_t nrecords;        /* records committed (informational) */
	uint64_t dropped;         /* records that did not fit */
	uint32_t flags;           /* CT_LOGF_* */
	uint32_t backend;         /* CT_BACKEND_* */
	int32_t  pid;
	int32_t  ppid;
	uint32_t page_size;
	uint32_t reserved0;
	uint64_t start_mono_ns;   /* CLOCK_MONOTONIC at log creation */
	uint64_t start_real_ns;   /* CLOCK_REALTIME at log creation */
};

enum ct_rec_type {
	CT_REC_PROCESS   = 1,  /* struct ct_rec_process */
	CT_REC_MODULE    = 2,  /* struct ct_rec_module */
	CT_REC_UNLOAD    = 3,  /* struct ct_rec_unload */
	CT_REC_PAGE      = 4,  /* struct ct_rec_page: dirty at attach, or unprotected */
	CT_REC_FAULT     = 5,  /* struct ct_rec_fault: first write at run time */
	CT_REC_NOTE      = 6,  /* struct ct_rec_note: a problem or a decision */
	CT_REC_PHASE     = 7,  /* struct ct_rec_phase: cowtrace_phase("name") */
	CT_REC_EXIT      = 8,  /* struct ct_rec_exit: clean end of tracing */
	CT_REC_STAGE     = 9,  /* struct ct_rec_stage: an automatic phase begins (v2) */
	CT_REC_SCAN      = 10, /* struct ct_rec_scan: a pagemap scan was made (v2) */
};

/* The automatic phases (v2): every page and fault record says in which one
 * its page was first seen written.  0 only in version 1 logs. */
enum ct_phase_id {
	CT_PHASE_NONE     = 0,  /* version 1 log: not recorded */
	CT_PHASE_STARTUP  = 1,  /* loading, relocation, constructors: until main */
	CT_PHASE_MAIN     = 2,  /* main() runs (cowtrace_phase names subdivide it) */
	CT_PHASE_TEARDOWN = 3,  /* exit() or main's return: atexit, destructors, _dl_fini */
};

struct ct_rec {
	uint16_t type;            /* enum ct_rec_type, 0 = not committed */
	uint16_t reserved;
	uint32_t size;            /* whole record incl. this header, aligned */
};

/* Process identity, written once at log creation.
 * data: exe path (exe_len bytes), then argv as NUL-terminated strings
 * (argv_len bytes in all). */
struct ct_rec_process {
	struct ct_rec rec;
	int32_t  pid;
	int32_t  ppid;
	uint32_t argc;
	uint32_t exe_len;
	uint32_t argv_len;
	char     comm[16];        /* NUL-padded */
	uint32_t reserved;
	char     data[];
};

/* ct_rec_module.flags */
#define CT_MODF_MAIN       0x1u   /* the executable */
#define CT_MODF_UNTRACKED  0x2u   /* never protected; see reason */

/* ct_rec_module.untracked_reason, ct_rec_note.reason */
enum ct_reason {
	CT_WHY_NONE          = 0,
	CT_WHY_LOADER        = 1,  /* ld.so: writes with all signals blocked */
	CT_WHY_TRACER        = 2,  /* libcowtrace itself or its unwinder */
	CT_WHY_EXCLUDED      = 3,  /* COWTRACE_INCLUDE/COWTRACE_EXCLUDE */
	CT_WHY_SIGBLOCKED    = 4,  /* written by libc with all signals blocked */
	CT_WHY_VMA_LIMIT     = 5,  /* would exceed vm.max_map_count */
	CT_WHY_MPROTECT      = 6,  /* mprotect failed */
	CT_WHY_TABLE_FULL    = 7,  /* tracer's own tables are full */
	CT_WHY_LOG           = 8,  /* log problem (disk full, ...) */
	CT_WHY_OPTIONS       = 9,  /* bad COWTRACE_* value */
	CT_WHY_PAGEMAP       = 10, /* /proc/self/pagemap unreadable */
	CT_WHY_APP_PROTECT   = 11, /* the application changed protection */
	CT_WHY_UNMAPPED      = 12, /* the application unmapped or remapped it */
	CT_WHY_SHORT_READ    = 13, /* left writable for a call that did not fill it */
	CT_WHY_DONTNEED      = 14, /* made clean by MADV_DONTNEED, left writable */
	CT_WHY_READONLY      = 15, /* v2: in a segment the tracer never protects:
				    * RELRO after relocation, code, read-only data
				    * (written after mprotect, by a debugger, ...) */
	CT_WHY_SHARED        = 16, /* v2: shared with another process after fork,
				    * made this process's alone by that process's
				    * write to its own copy (or its exit) */
	CT_WHY_UNWINDER      = 17, /* v2: a library the tracer's unwinder uses
				    * (liblzma): never protected, still scanned
				    * and reported, unlike the tracer itself */
	CT_WHY_UFFD          = 18, /* v2: the scan backend could not be used (for
				    * the process, or one range): see the text */
	CT_WHY_PERF          = 19, /* v2: fault samples refused or lost: pages
				    * without writers (see the text) */
	CT_WHY_WRITER_LOST   = 20, /* v2, a page found written: fault samples
				    * were overwritten before they were read
				    * (COWTRACE_PERF_PAGES), its writer is not
				    * known */
};

/* A loaded object.  ranges[] are the write-protected (watched) ranges
 * (runtime, page aligned, RELRO removed).  writable_pages counts every page
 * of every PT_LOAD with PF_W, RELRO included (version 1: the ranges only).
 * data: build_id (build_id_len bytes) then path (path_len bytes, no NUL). */
struct ct_rec_range { uint64_t start, end; };

struct ct_rec_module {
	struct ct_rec rec;
	uint32_t id;              /* unique within the log, never reused */
	uint32_t flags;           /* CT_MODF_* */
	uint64_t bias;            /* load bias: ELF vaddr = runtime - bias */
	uint64_t relro_start;     /* runtime, 0/0 if none */
	uint64_t relro_end;
	uint64_t t_ns;            /* CLOCK_MONOTONIC */
	uint32_t untracked_reason;/* enum ct_reason when CT_MODF_UNTRACKED */
	uint32_t nranges;
	uint32_t writable_pages;
	uint16_t build_id_len;
	uint16_t path_len;
	struct ct_rec_range ranges[]; /* nranges, then data */
};

struct ct_rec_unload {
	struct ct_rec rec;
	uint32_t module;
	uint32_t reserved;
	uint64_t t_ns;
};

/* ct_rec_page.kind */
#define CT_PAGE_ATTACH       1u  /* private-dirty at the first look at the
				    object after its relocation (v2: any
				    PT_LOAD page, RELRO included; v1: the
				    watched ranges only) */
#define CT_PAGE_UNPROTECTED  2u  /* clean, deliberately left writable (reason) */
#define CT_PAGE_UNWATCHED    3u  /* found private-dirty by a pagemap scan (at a
				    phase change, a dlopen, exit) in a page
				    whose first write was not observed (reason).
				    v1 wrote it at exit only ("exit"). */
#define CT_PAGE_WRITTEN      4u  /* v2, scan backend: found written by
				    PAGEMAP_SCAN in a write-protected range; the
				    first write happened after the previous
				    SCAN record (or the log's start) and before
				    t_ns.  No writer. */

struct ct_rec_page {
	struct ct_rec rec;
	uint32_t module;
	uint16_t kind;            /* CT_PAGE_* */
	uint8_t  reason;          /* enum ct_reason (UNPROTECTED, UNWATCHED) */
	uint8_t  phase;           /* enum ct_phase_id; v1: 0 (its reason was a
				   * uint16 here, always below 256) */
	uint64_t page;            /* runtime address */
	uint64_t t_ns;
};

/* ct_rec_fault.via: 0 = a store; CT_VIA_SYSCALL | nr = the destination of
 * system call nr (x86-64 numbering; read is 0), made writable by the tracer
 * before the call. */
#define CT_VIA_SYSCALL 0x8000u
struct ct_rec_fault {
	struct ct_rec rec;
	uint32_t module;
	int32_t  tid;
	uint64_t page;            /* runtime page address */
	uint64_t addr;            /* runtime fault address */
	uint64_t ip;              /* instruction (or call site for syscalls) */
	uint64_t t_ns;
	uint16_t via;
	uint16_t nframes;
	uint8_t  phase;           /* enum ct_phase_id; v1: 0 */
	uint8_t  reserved[3];
	uint64_t frames[];        /* return addresses, innermost first */
};

/* A decision or a problem, in words, for the report to show.
 * module is UINT32_MAX when it concerns the whole process. */
struct ct_rec_note {
	struct ct_rec rec;
	uint32_t module;
	uint32_t reason;          /* enum ct_reason */
	uint64_t t_ns;
	uint32_t len;
	char     text[];
};

struct ct_rec_phase {
	struct ct_rec rec;
	uint64_t t_ns;
	int32_t  tid;
	uint32_t len;
	char     name[];
};

/* v2: an automatic phase begins (enum ct_phase_id).  Every log has one at
 * its start: STARTUP for a new program, the parent's phase for a fork
 * child.  Pages found by the scan made just before it belong to the phase
 * that ends. */
struct ct_rec_stage {
	struct ct_rec rec;
	uint64_t t_ns;
	int32_t  tid;
	uint32_t phase;
};

/* v2: a scan point (phase change, dlopen, fork, exit): pages logged by
 * this scan (UNWATCHED, WRITTEN) changed between the previous SCAN record
 * and this one.  t_ns is when the scan began. */
struct ct_rec_scan {
	struct ct_rec rec;
	uint64_t t_ns;
	uint32_t phase;           /* enum ct_phase_id in force */
	uint32_t reserved;
};

struct ct_rec_exit {
	struct ct_rec rec;
	uint64_t t_ns;
	int32_t  status;          /* exit status when known, else -1 */
	uint32_t reserved;
};

#endif
