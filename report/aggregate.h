/* aggregate.h - processes, libraries and resolved dirty pages built from parsed logs. */
#ifndef CT_REPORT_AGGREGATE_H
#define CT_REPORT_AGGREGATE_H

#include <stddef.h>
#include <stdint.h>
#include <uthash.h>

#include "logread.h"
#include "symbols.h"

struct ct_sectcount {
	const char *name;         /* owned by the ELF cache */
	uint64_t pages;
	UT_hash_handle hh;
};

struct ct_row;

/* Dirty pages by how they were seen.  attach + runtime + unwatched = dirty;
 * reloc counts the attach pages holding relocation targets. */
struct ct_tally {
	uint64_t dirty, attach, runtime, unwatched, reloc, bytes;
	uint64_t writer_lost;     /* run-time pages whose fault sample was lost */
};

/* Dirty pages of a library, a process or a group: every one (what the
 * kernel counts), and those first written in teardown (exit handlers,
 * destructors), which a live process does not hold yet. */
struct ct_counts {
	struct ct_tally all, teardown;
};

void ct_counts_row(struct ct_counts *c, const struct ct_row *row);
void ct_counts_add(struct ct_counts *to, const struct ct_counts *from);
/* all minus teardown: the pages a live process keeps */
struct ct_tally ct_counts_live(const struct ct_counts *c);

/* A library: every module of every process with the same path and build-id. */
struct ct_lib {
	char *key;                /* path, '\n', build-id hex */
	char *path;
	char build_id[2 * CT_MAX_BUILD_ID + 1]; /* "" when the log had none */
	struct ct_elf *elf;
	int is_main;
	int is_tracer;            /* the tracer's own (CT_WHY_TRACER): not reported */
	uint32_t untracked_reason; /* of the last untracked module, else 0 */
	uint64_t nproc;           /* processes that loaded it */
	uint64_t writable;        /* sum over processes of its writable pages
				   * (in one process, the largest module's, so a
				   * reloaded library is not counted twice) */
	struct ct_counts n;
	uint64_t unprotected;
	struct ct_sectcount *sections;
	/* per-process bookkeeping while building */
	const struct ct_log *cur_log;
	uint64_t cur_writable;
	UT_hash_handle hh;
};

/* Code ranges of one process's modules, for instruction pointers. */
struct ct_codeent {
	uint64_t lo, hi;          /* runtime */
	struct ct_module *mod;
};

struct ct_proc {
	struct ct_log *log;
	struct ct_codeent *code;  /* sorted by lo */
	uint64_t *maxend;
	size_t ncode;
	uint64_t writable;
	struct ct_counts n;
};

/* One dirty page, resolved. */
struct ct_row {
	struct ct_proc *proc;
	struct ct_page *pg;
	struct ct_module *mod;
	struct ct_lib *lib;
	uint64_t vaddr;           /* page in the ELF's address space */
	const char *section;
	uint64_t section_start;   /* the section's address, for labels */
	uint64_t label_addr;      /* what a label names: the first written
				   * address, else the page (ELF space) */
	const struct ct_sym *sym;  /* data symbol of the page's object, or */
	const struct ct_sym *copy; /* the executable's copy of a library variable */
	const struct ct_module *copy_mod; /* the library defining it (NULL: unknown) */
	uint64_t symoff;          /* from sym or copy */
	struct ct_module *wmod;   /* module holding the writing ip */
	const struct ct_sym *writer;
	uint32_t relocs;          /* relocation targets on the page: */
	uint32_t relocs_rel;      /*   relative (RELATIVE, IRELATIVE, RELR) */
	uint32_t relocs_sym;      /*   symbolic (GLOB_DAT, JUMP_SLOT, 64, COPY, ...) */
	uint8_t phase;            /* enum ct_phase_id (CT_PHASE_NONE: v1 log) */
	/* cowtrace_phase(): the mark a main page was first written under */
	const char *mark;         /* NULL: none, or unknown */
	uint64_t mark_t;          /* its start; 0 without a mark */
};

/* The row's phase as --by phase and --phase name it: "startup", "main",
 * "main/MARK", "teardown", "unknown" or "unknown/MARK" (v1 logs). */
const char *ct_row_phase_label(const struct ct_row *row, char *buf, size_t size);

struct ct_report {
	/* filters */
	const char *lib_glob;     /* NULL: all */
	int pid_set;
	int32_t pid;
	const char *const *phase_sel; /* --phase names; NULL: all */
	size_t nphase_sel;
	/* built */
	struct ct_proc *procs;
	size_t nprocs;
	struct ct_lib *libs;      /* hash by key */
	struct ct_lib **libv;     /* selected libraries, dirty pages desc */
	size_t nlibv;
	struct ct_row *rows;
	size_t nrows;
	struct pidlib *pidlibs;   /* (pid, library) -> module instances, while building */
	size_t nmulti;            /* pairs with more than one instance */
	int have_marks;           /* some log has PHASE records (cowtrace_phase) */
	int have_auto_phases;     /* some selected log is version 2 or newer */
};

enum ct_by { CT_BY_LIBRARY, CT_BY_SECTION, CT_BY_SYMBOL, CT_BY_WRITER, CT_BY_PAGE, CT_BY_PROCESS,
	     CT_BY_PHASE };

struct ct_group {
	char *key;
	uint64_t nproc;
	struct ct_counts n;
	int64_t writable;         /* -1: not meaningful for this grouping */
	unsigned order;           /* --by phase: startup, main, teardown, unknown */
	uint64_t order_t;         /* --by phase: the mark's earliest start */
	const struct ct_log *cur_log;
	UT_hash_handle hh;
};

/* Is name a --phase value that logs[0..n) know: startup, main, teardown,
 * a cowtrace_phase() mark, or main/MARK? */
int ct_phase_name_known(const char *name, const struct ct_log *logs, size_t n);

/* Takes the logs (array of n, owned by the caller) and resolves everything. */
void ct_report_build(struct ct_report *r, struct ct_log *logs, size_t n);
void ct_report_free(struct ct_report *r);

/* Does path pass --lib? */
int ct_report_lib_selected(const struct ct_report *r, const char *path);

/* Is m one of the tracer's own modules (libcowtrace, its unwinder)?  Those
 * are left out of every listing. */
int ct_module_is_tracer(const struct ct_module *m);

/* Module of proc whose code range holds ip at time t_ns; NULL if none. */
struct ct_module *ct_proc_module_at(const struct ct_proc *p, uint64_t ip, uint64_t t_ns);

/* Groups for --by, sorted by dirty pages desc then key; free with ct_groups_free. */
struct ct_group *ct_report_group(const struct ct_report *r, enum ct_by by, size_t *n);
void ct_groups_free(struct ct_group *g, size_t n);

/* Frame i of a runtime page's backtrace, resolved.  Return addresses are
 * looked up at address - 1 (the call), except a first frame equal to the
 * faulting ip.  off is from the function's start when fn is known, else
 * the ELF address in mod, else the raw address. */
struct ct_frame {
	const struct ct_module *mod;
	const struct ct_sym *fn;
	uint64_t off;
	uint64_t addr;            /* in mod's ELF space (raw when mod is NULL) */
	uint64_t lookup;          /* the address looked up (the call), same space */
};

void ct_resolve_frame(const struct ct_row *row, size_t i, struct ct_frame *fr);

/* The row's symbol as shown: "name", "name+0xoff", or for a copy
 * relocation "libfoo.so:name+0xoff (copy in executable)".  A page with no
 * symbol is named after its section, "SECTION+0xOFF" (.bss+0x2000), or
 * without one "LIBRARY+0xVADDR": never NULL.  with_off 0 leaves the offset
 * out (a grouping key: every unnamed page of a section in one group). */
const char *ct_row_symbol(const struct ct_row *row, int with_off, char *buf, size_t size);

/* The row's writer as shown: the function, or "LIBRARY+0xOFF" (ELF
 * address) when it has no symbol, "[unknown]+0xIP" outside every object;
 * NULL when the page has no writer (attach, unwatched, scan backend). */
const char *ct_row_writer(const struct ct_row *row, char *buf, size_t size);

/* A frame as shown in every format: the function, else "LIBRARY+0xOFF". */
const char *ct_frame_label(const struct ct_module *mod, const struct ct_sym *fn, uint64_t addr,
			   char *buf, size_t size);

#endif
