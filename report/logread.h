/* logread.h - the parsed form of one cowtrace log and the parser that builds it.
 *
 * ct_log_parse() works on a memory buffer and never trusts it: every count
 * and length is checked against the record that carries it, allocations are
 * bounded by the buffer's size, and problems are reported through ct_err()
 * (silence them with ct_quiet) without aborting.  A fuzz target only needs
 * this header, logread.c and util.c. */
#ifndef CT_REPORT_LOGREAD_H
#define CT_REPORT_LOGREAD_H

#include <stddef.h>
#include <stdint.h>

#include "cowtrace_log.h"

struct ct_lib;

struct ct_module {
	uint32_t id;
	uint32_t flags;            /* CT_MODF_* */
	uint32_t untracked_reason; /* enum ct_reason */
	uint32_t writable_pages;
	uint64_t bias;
	uint64_t relro_start, relro_end;
	uint64_t t_load, t_unload; /* t_unload: UINT64_MAX while loaded */
	char *path;
	uint8_t build_id[CT_MAX_BUILD_ID];
	uint32_t build_id_len;
	uint32_t nranges;
	struct ct_rec_range *ranges;
	/* Filled by the aggregation step, not by the parser. */
	struct ct_lib *lib;
	uint64_t code_start, code_end; /* runtime; 0/0 when unknown */
	uint64_t nunprotected;         /* unprotected pages of this module */
};

enum ct_when {
	CT_WHEN_ATTACH = 1,        /* private-dirty when the tracer attached */
	CT_WHEN_RUNTIME = 2,       /* first write seen at run time */
	CT_WHEN_UNPROTECTED = 3,   /* deliberately left writable, not dirty */
	CT_WHEN_UNWATCHED = 4,     /* found private-dirty by a scan, first write unseen */
};

struct ct_page {
	uint64_t page;             /* runtime page address */
	uint64_t addr;             /* runtime fault address (runtime pages) */
	uint64_t ip;
	uint64_t t_ns;
	uint64_t since_ns;         /* pages found by a scan (no writer): the
				    * previous scan's start (or the log's), so
				    * the first write was in (since_ns, t_ns];
				    * 0 for the others */
	uint64_t *frames;          /* nframes return addresses, innermost first */
	uint32_t module;           /* index into ct_log.mods after parsing */
	int32_t tid;
	uint16_t via;              /* 0 = store, CT_VIA_SYSCALL | nr = syscall */
	uint16_t nframes;
	uint16_t reason;           /* enum ct_reason: unprotected and unwatched pages */
	uint8_t when;              /* enum ct_when */
	uint8_t phase;             /* enum ct_phase_id; CT_PHASE_NONE in v1 logs
				    * (and for a value outside the format) */
};

/* A run-time page found written whose fault sample was overwritten before
 * the tracer read it (perf mode): its writer is not known. */
static inline int ct_page_writer_lost(const struct ct_page *pg)
{
	return pg->when == CT_WHEN_RUNTIME && !pg->ip && !pg->via && pg->reason == CT_WHY_WRITER_LOST;
}

struct ct_note {
	uint32_t module;           /* index into ct_log.mods, UINT32_MAX: process */
	uint32_t reason;           /* enum ct_reason */
	uint64_t t_ns;
	char *text;                /* NUL-terminated copy (may hold any bytes) */
	size_t len;
};

/* cowtrace_phase(name): a phase of the process starts at t_ns. */
struct ct_phase {
	uint64_t t_ns;
	int32_t tid;
	size_t seq;                /* record order, for a stable sort */
	char *name;                /* NUL-terminated copy (may hold any bytes) */
};

/* v2: an automatic phase (enum ct_phase_id) begins at t_ns. */
struct ct_stage {
	uint64_t t_ns;
	int32_t tid;
	uint32_t phase;
};

struct ct_log {
	char *name;                /* file name, for messages */
	uint32_t version;
	uint32_t flags;            /* CT_LOGF_* */
	uint32_t backend;          /* CT_BACKEND_* */
	uint32_t page_size;
	int32_t pid, ppid;
	uint64_t dropped;
	uint64_t start_ns;         /* CLOCK_MONOTONIC at log creation */
	char *exe;                 /* NULL when unknown */
	char **argv;
	size_t argc;
	char comm[17];
	int has_exit;
	int32_t exit_status;
	uint64_t exit_ns;          /* the EXIT record's time, 0 without one */
	int complete;              /* CT_LOGF_COMPLETE or an EXIT record */
	int truncated;

	struct ct_module *mods;
	size_t nmods, capmods;
	struct ct_page *pages;     /* dirty and unprotected pages, one per page */
	size_t npages, cappages;
	struct ct_note *notes;
	size_t nnotes, capnotes;
	struct ct_phase *phases;   /* sorted by t_ns (stable) after parsing */
	size_t nphases, capphases;
	struct ct_stage *stages;   /* in record order */
	size_t nstages, capstages;

	size_t nrecords;           /* complete records read */
	size_t nuncommitted;       /* type == 0 records skipped */
	size_t nunknown_module;    /* page/fault records naming no module */
	size_t nconflicts;         /* a page reported both at attach and at run time */
	size_t nduplicates;        /* a page reported twice the same way */
	size_t nerrors;            /* bad records (each reported) */
};

/* Parse one log held in buf[0..len).  name is used in messages only.
 * Returns 0 when the log could be read (even partly), -1 when it is not a
 * usable log at all (bad magic, newer version, bad header).  out must be
 * freed with ct_log_free() in both cases. */
int ct_log_parse(const void *buf, size_t len, const char *name, struct ct_log *out);

/* Map path and parse it.  Same return value as ct_log_parse(). */
int ct_log_read_file(const char *path, struct ct_log *out);

void ct_log_free(struct ct_log *log);

/* Word for enum ct_reason ("loader", "mprotect", ...); NULL if unknown. */
const char *ct_reason_name(uint32_t reason);

/* Why a page was not watched, in words for people; NULL if unknown. */
const char *ct_reason_text(uint32_t reason);

/* Word for enum ct_phase_id ("startup", "main", "teardown"); NULL for
 * CT_PHASE_NONE and values outside the format. */
const char *ct_phase_name(uint32_t phase);

#endif
