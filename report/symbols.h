/* symbols.h - offline ELF knowledge: sections, symbols, relocations, code range.
 *
 * One struct ct_elf per distinct (path, build-id), opened once and cached
 * for the whole run.  All addresses here are ELF virtual addresses (runtime
 * address minus load bias).  Lookups are binary searches over sorted arrays.
 * Symbols come from .symtab, else a separate debug file found by build-id
 * (ct_debug_dirs), else MiniDebugInfo (.gnu_debugdata: an xz-compressed ELF
 * holding a .symtab, usually the functions .dynsym lacks); .dynsym always.
 * Source lines are another lookup on the same object: lines.h. */
#ifndef CT_REPORT_SYMBOLS_H
#define CT_REPORT_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

enum ct_elf_status {
	CT_ELF_OK = 0,
	CT_ELF_MISSING,           /* not a file we can open (vdso, deleted, ...) */
	CT_ELF_BAD,               /* not a usable ELF file */
	CT_ELF_MISMATCH,          /* build-id differs from the log's */
};

struct ct_sym {
	uint64_t addr, size;
	const char *name;
};

struct ct_elf;

/* The cached object for path whose build-id the log gave as build_id
 * (len 0: not checked).  Never NULL; check ct_elf_status(). */
struct ct_elf *ct_elf_get(const char *path, const uint8_t *build_id, size_t len);
enum ct_elf_status ct_elf_status(const struct ct_elf *e);
const char *ct_elf_path(const struct ct_elf *e);

/* [lo, hi) spanned by the PT_LOAD segments; 0 if unknown. */
int ct_elf_load_range(const struct ct_elf *e, uint64_t *lo, uint64_t *hi);

/* Section holding the page [page, page + size).  When addr lies in the page
 * and inside a section, that section; otherwise the section covering most
 * of the page (lowest address on ties).  Writable sections are preferred
 * over read-only ones.  NULL when none. */
const char *ct_elf_section(const struct ct_elf *e, uint64_t page, uint64_t size, uint64_t addr);

/* Data symbol (object, or sized untyped symbol in a writable section)
 * containing addr; the innermost when they nest. */
const struct ct_sym *ct_elf_data_sym(const struct ct_elf *e, uint64_t addr);

/* Function (STT_FUNC, STT_GNU_IFUNC) containing addr. */
const struct ct_sym *ct_elf_func(const struct ct_elf *e, uint64_t addr);

/* Number of dynamic relocation targets (RELA, REL, JMPREL, RELR) in
 * [lo, hi); *rel gets the relative ones (R_*_RELATIVE, R_*_IRELATIVE, RELR
 * entries), *sym those naming a symbol (GLOB_DAT, JUMP_SLOT, 64, COPY, ...).
 * rel and sym may be NULL. */
uint32_t ct_elf_relocs(const struct ct_elf *e, uint64_t lo, uint64_t hi, uint32_t *rel, uint32_t *sym);

/* Copy relocation (R_*_COPY: an executable's own copy of a library's
 * variable) whose destination holds addr; NULL when none.  s.name is the
 * symbol's name without version. */
const struct ct_sym *ct_elf_copy_reloc(const struct ct_elf *e, uint64_t addr);

/* The lowest copy relocation destination overlapping [lo, hi); NULL if none. */
const struct ct_sym *ct_elf_copy_in(const struct ct_elf *e, uint64_t lo, uint64_t hi);

/* Does the object export (define in .dynsym, global or weak) a data
 * symbol named name? */
int ct_elf_exports(const struct ct_elf *e, const char *name);

/* Directories searched for separate debug files by build-id
 * (DIR/.build-id/xx/yyyy.debug), colon-separated; set before the first
 * ct_elf_get().  Symbols and lines (lines.c) both use it. */
extern const char *ct_debug_dirs;
#define CT_DEBUG_DIRS_DEFAULT "/usr/lib/debug"

/* Where an object's symbols came from: its own .symtab, a separate debug
 * file found by build-id, MiniDebugInfo (functions mostly), or only
 * .dynsym (exported symbols: static variables are not named). */
enum ct_symsrc { CT_SYMS_NONE, CT_SYMS_SYMTAB, CT_SYMS_DEBUG, CT_SYMS_MINIDEBUG, CT_SYMS_DYNSYM };
enum ct_symsrc ct_elf_symbols_from(const struct ct_elf *e);

/* The separate debug file whose symbols were read, or NULL. */
const char *ct_elf_debug_path(const struct ct_elf *e);

/* Release every cached object. */
void ct_elf_cache_free(void);

#endif
