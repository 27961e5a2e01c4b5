/* advise.c - `cowtrace advise`: from the pages a run copied to the change
 * that would share them again.  Per library: the variables first written
 * on each page, how many pages they occupy and how few they would need if
 * the linker put them together (an ordering file for lld or gold), and,
 * for pages dirtied by relocation, what kind of relocations they hold and
 * which link options would change that.
 *
 * What a run can tell: each process logs the first write to each page, so
 * the variable named for a page is the first one written there; others
 * written later on the same page are not seen.  The prediction is an
 * upper bound for the variables seen; a second run after relinking
 * measures what is left. */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aggregate.h"
#include "inputs.h"
#include "lines.h"
#include "output.h"
#include "symbols.h"
#include "util.h"

static const char usage_text[] =
	"usage: cowtrace advise [--lib GLOB] [--format table|json]\n"
	"                       [--emit-symbol-order FILE] [--emit-section-order FILE]\n"
	"                       [--debug-dir DIR[:DIR...]] LOG_OR_DIR...\n"
	"For each library: the variables written, the pages they occupy and would\n"
	"occupy packed together, the saving per process and over the run, and\n"
	"what relocations dirty its RELRO and GOT pages.\n"
	"  --emit-symbol-order FILE   the written variables, hottest group first, for\n"
	"                             lld's --symbol-ordering-file\n"
	"  --emit-section-order FILE  the same as .data.NAME/.bss.NAME lines, for gold's\n"
	"                             --section-ordering-file\n"
	"Both need the library compiled with -fdata-sections.\n";

static const char *const phase_names[] = { "unknown", "startup", "main", "teardown" };

/* The order of the groups in the ordering files: what every request
 * writes first, then start-up, then the exit path (cheap: the process is
 * going away), then what old logs cannot place. */
static const int group_order[] = { CT_PHASE_MAIN, CT_PHASE_STARTUP, CT_PHASE_TEARDOWN, CT_PHASE_NONE };

struct wsym {
	const struct ct_sym *sym;
	const char *section;
	int phase;                /* earliest phase of a first write seen */
	uint64_t nproc;           /* processes that wrote it first on a page */
	const struct ct_log *cur;
	UT_hash_handle hh;        /* by sym */
};

struct rpage {                    /* a page dirty at attach, with relocations */
	uint64_t vaddr;
	UT_hash_handle hh;
};

struct alib {
	struct ct_lib *lib;
	struct wsym *syms;
	struct rpage *rpages;
	uint64_t nproc;           /* processes with a written variable */
	const struct ct_log *cur;
	uint64_t copy_pages;      /* executable's pages holding copies of its variables */
	uint64_t reloc_procs;     /* processes with relocation pages of it */
	const struct ct_log *rcur;
	UT_hash_handle hh;        /* by lib */
};

static int phase_of(const struct ct_page *pg)
{
	return pg->phase <= CT_PHASE_TEARDOWN ? pg->phase : CT_PHASE_NONE;
}

/* Earlier phase first; a version 1 log (no phase) does not override. */
static void note_phase(struct wsym *w, int phase)
{
	if (w->phase == CT_PHASE_NONE || (phase != CT_PHASE_NONE && phase < w->phase))
		w->phase = phase;
}

static struct alib *alib_of(struct alib **libs, struct ct_lib *lib)
{
	struct alib *a;
	HASH_FIND_PTR(*libs, &lib, a);
	if (!a) {
		a = ct_xcalloc(1, sizeof(*a));
		a->lib = lib;
		HASH_ADD_PTR(*libs, lib, a);
	}
	return a;
}

static void collect(const struct ct_report *r, struct alib **libs)
{
	for (size_t i = 0; i < r->nrows; i++) {
		const struct ct_row *row = &r->rows[i];
		if (!ct_report_lib_selected(r, row->lib->path) || row->lib->is_tracer)
			continue;
		struct alib *a = alib_of(libs, row->lib);
		if (row->copy) {        /* counted for the library that defines it */
			if (row->copy_mod && row->copy_mod->lib)
				a = alib_of(libs, row->copy_mod->lib);
			a->copy_pages++;
			continue;
		}
		if (row->pg->when == CT_WHEN_ATTACH) {
			struct rpage *rp;
			if (!row->relocs)
				continue;
			if (a->rcur != row->proc->log) {
				a->rcur = row->proc->log;
				a->reloc_procs++;
			}
			HASH_FIND(hh, a->rpages, &row->vaddr, sizeof(row->vaddr), rp);
			if (!rp) {
				rp = ct_xcalloc(1, sizeof(*rp));
				rp->vaddr = row->vaddr;
				HASH_ADD(hh, a->rpages, vaddr, sizeof(rp->vaddr), rp);
			}
			continue;
		}
		if (row->pg->when == CT_WHEN_UNPROTECTED)
			continue;
		if (!row->sym)
			continue;
		struct wsym *w;
		HASH_FIND_PTR(a->syms, &row->sym, w);
		if (!w) {
			w = ct_xcalloc(1, sizeof(*w));
			w->sym = row->sym;
			w->section = row->section;
			w->phase = CT_PHASE_NONE;
			HASH_ADD_PTR(a->syms, sym, w);
		}
		note_phase(w, phase_of(row->pg));
		if (w->cur != row->proc->log) {
			w->cur = row->proc->log;
			w->nproc++;
		}
		if (a->cur != row->proc->log) {
			a->cur = row->proc->log;
			a->nproc++;
		}
	}
}

/* ---- packing --------------------------------------------------------- */

struct plan {
	struct wsym **v;          /* the written variables, in emit order */
	size_t n;
	uint64_t bytes;
	uint64_t pages_now;       /* distinct pages they occupy now */
	uint64_t packed;          /* pages they would need packed */
};

static uint64_t align_of(uint64_t size)
{
	uint64_t a = 1;
	while (a < size && a < 64)
		a <<= 1;
	return a;
}

static int by_group(const void *x, const void *y)
{
	const struct wsym *a = *(struct wsym *const *)x, *b = *(struct wsym *const *)y;
	int ga = 0, gb = 0;
	for (int i = 0; i < 4; i++) {
		if (group_order[i] == a->phase)
			ga = i;
		if (group_order[i] == b->phase)
			gb = i;
	}
	if (ga != gb)
		return ga - gb;
	if (a->nproc != b->nproc)
		return a->nproc > b->nproc ? -1 : 1;
	return a->sym->addr < b->sym->addr ? -1 : a->sym->addr > b->sym->addr;
}

static int u64_cmp(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

/* Packed, the variables of one output section take `bytes` (each aligned
 * to its size, up to 64) from wherever the section puts them: at worst
 * they straddle one more page boundary than their size needs.  The
 * prediction is that worst case, so that a relinked run can be held to it. */
static uint64_t packed_pages(uint64_t bytes, uint64_t ps)
{
	return bytes ? (bytes + ps - 2) / ps + 1 : 0;
}

static void make_plan(const struct alib *a, uint64_t ps, struct plan *p)
{
	struct wsym *w, *tmp;
	size_t k = 0;
	memset(p, 0, sizeof(*p));
	p->n = HASH_COUNT(a->syms);
	p->v = ct_xcalloc(p->n ? p->n : 1, sizeof(*p->v));
	HASH_ITER(hh, a->syms, w, tmp)
		p->v[k++] = w;
	qsort(p->v, p->n, sizeof(*p->v), by_group);

	uint64_t *pages = ct_xcalloc(1, sizeof(uint64_t));
	size_t npages = 0, cap = 1;
	/* bytes per output section: .bss apart from the rest of .data */
	uint64_t bss = 0, data = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct ct_sym *s = p->v[i]->sym;
		uint64_t size = s->size ? s->size : 1, al = align_of(size);
		uint64_t *sect = p->v[i]->section && strncmp(p->v[i]->section, ".bss", 4) == 0 ? &bss : &data;
		*sect = (*sect + al - 1) / al * al + size;
		p->bytes += size;
		for (uint64_t pg = s->addr / ps; pg <= (s->addr + size - 1) / ps; pg++) {
			ct_grow(&pages, &cap, npages + 1, sizeof(*pages));
			pages[npages++] = pg;
		}
	}
	qsort(pages, npages, sizeof(*pages), u64_cmp);
	for (size_t i = 0; i < npages; i++)
		p->pages_now += i == 0 || pages[i] != pages[i - 1];
	free(pages);
	p->packed = packed_pages(data, ps) + packed_pages(bss, ps);
	if (p->packed > p->pages_now)
		p->packed = p->pages_now;    /* packing never needs more */
}

/* ---- what the library was built with --------------------------------- */

/* -fdata-sections, from the compilation units' DW_AT_producer (GCC
 * records its options there by default; clang only with
 * -grecord-command-line).  1 every unit, 0 some unit without it, -1 no
 * producer to read. */
static int data_sections_flag(const char *path, const char *debug_path, int *units)
{
	const char *files[2] = { debug_path, path };
	*units = 0;
	for (int f = 0; f < 2; f++) {
		if (!files[f])
			continue;
		int fd = open(files[f], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		Dwarf *dw = dwarf_begin(fd, DWARF_C_READ);
		int all = 1, seen = 0;
		if (dw) {
			Dwarf_Off off = 0, next;
			size_t hsize;
			while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
				Dwarf_Die die;
				Dwarf_Attribute at;
				const char *prod;
				if (dwarf_offdie(dw, off + hsize, &die) &&
				    (prod = dwarf_formstring(dwarf_attr(&die, DW_AT_producer, &at)))) {
					seen++;
					all &= strstr(prod, "-fdata-sections") != NULL;
				}
				off = next;
			}
			dwarf_end(dw);
		}
		close(fd);
		if (seen) {
			*units = seen;
			return all;
		}
	}
	return -1;
}

static const char *symsrc_name(enum ct_symsrc s)
{
	switch (s) {
	case CT_SYMS_SYMTAB:    return "symtab";
	case CT_SYMS_DEBUG:     return "debug file";
	case CT_SYMS_MINIDEBUG: return "minidebuginfo";
	case CT_SYMS_DYNSYM:    return "dynsym only";
	case CT_SYMS_NONE:      break;
	}
	return "none";
}

/* Packing advice needs every variable named: .symtab or a debug file. */
static int can_pack(enum ct_symsrc s)
{
	return s == CT_SYMS_SYMTAB || s == CT_SYMS_DEBUG;
}

/* ---- relocation advice ------------------------------------------------ */

struct radvice {
	uint64_t pages, relative, symbolic, got_symbolic, copy_pages;
	const char *lines[5];
	size_t n;
};

/* Only what changes dirty pages is advised, with why; what does not (the
 * kind of a relocation, DT_RELR) is said not to. */
static void relocation_advice(const struct alib *a, struct radvice *ra)
{
	struct rpage *rp, *tmp;
	memset(ra, 0, sizeof(*ra));
	HASH_ITER(hh, a->rpages, rp, tmp) {
		uint32_t rel = 0, sym = 0;
		const char *sect = ct_elf_section(a->lib->elf, rp->vaddr, 4096, rp->vaddr);
		ct_elf_relocs(a->lib->elf, rp->vaddr, rp->vaddr + 4096, &rel, &sym);
		ra->pages++;
		ra->relative += rel;
		ra->symbolic += sym;
		if (sect && !strncmp(sect, ".got", 4))
			ra->got_symbolic += sym;
	}
	ra->copy_pages = a->copy_pages;
	if (ra->pages)
		ra->lines[ra->n++] =
			"the loader writes addresses into these pages (vtables and pointer tables in "
			".data.rel.ro, the GOT): every relocation writes its page, relative or "
			"symbolic, so what removes pages is fewer stored addresses (offsets instead "
			"of pointers in tables, fewer virtual classes); DT_RELR "
			"(-z pack-relative-relocs) shrinks the relocation table, not these pages";
	if (ra->got_symbolic)
		ra->lines[ra->n++] =
			"GOT slots with symbolic relocations: -fvisibility=hidden (or a version "
			"script) lets code reach the library's own symbols PC-relative, without a GOT "
			"slot, so fewer GOT pages; -Wl,-Bsymbolic only turns them into relative "
			"relocations, which loads faster but writes the same pages";
	if (ra->copy_pages)
		ra->lines[ra->n++] =
			"the executable holds copies of this library's variables (copy relocations) "
			"and writes them there: building the executable with "
			"-fno-direct-extern-access, or giving the variables protected visibility, "
			"keeps them in the library";
	if (a->reloc_procs > 1)
		ra->lines[ra->n++] =
			"several processes relocated this library themselves: if they are workers "
			"forked from one parent, load it in the parent before forking (not with "
			"dlopen in each worker), and the relocated pages are shared";
}

/* ---- output ----------------------------------------------------------- */

struct advice {
	struct alib *a;
	struct plan plan;
	struct radvice rel;
	enum ct_symsrc src;
	int dsect, units;
	uint64_t procs;           /* processes that loaded the library */
};

static void print_table(FILE *f, struct advice *v, size_t n, uint64_t ps)
{
	for (size_t i = 0; i < n; i++) {
		struct advice *d = &v[i];
		const struct plan *p = &d->plan;
		fprintf(f, "%s\n", d->a->lib->path);
		fprintf(f, "  symbols: %s", symsrc_name(d->src));
		if (d->dsect == 1)
			fprintf(f, "; built with -fdata-sections (all %d compilation units)\n", d->units);
		else if (d->dsect == 0)
			fprintf(f, "; NOT built with -fdata-sections (some of %d compilation units): "
				"rebuild with it before using an ordering file\n", d->units);
		else
			fprintf(f, "; -fdata-sections unknown (no DW_AT_producer): an ordering file "
				"needs it\n");
		if (!can_pack(d->src)) {
			fprintf(f, "  no symbol table, no packing advice (static variables have no "
				"names in .dynsym: install the debug file or pass --debug-dir)\n");
		} else if (p->n) {
			uint64_t save = p->pages_now - p->packed;
			fprintf(f, "  %zu written variables, %" PRIu64 " bytes, on %" PRIu64
				" pages; packed: at most %" PRIu64 " pages\n", p->n, p->bytes,
				p->pages_now, p->packed);
			fprintf(f, "  saving: %" PRIu64 " pages (%" PRIu64 " KiB) per process, %"
				PRIu64 " KiB over the %" PRIu64 " processes that wrote them\n", save,
				save * ps / 1024, save * ps / 1024 * d->a->nproc, d->a->nproc);
			fprintf(f, "  link with the order of --emit-symbol-order (lld) or "
				"--emit-section-order (gold)\n");
			if (d->a->nproc > 1)
				fprintf(f, "  variables every process writes that are written once and "
					"then only read (lazy initialisation, caches) could be set by a "
					"parent before it forks: then they stay shared\n");
			for (int g = 0; g < 4; g++) {
				size_t cnt = 0;
				for (size_t k = 0; k < p->n; k++)
					cnt += p->v[k]->phase == group_order[g];
				if (!cnt)
					continue;
				fprintf(f, "  first written in %s: %zu\n", phase_names[group_order[g]], cnt);
				size_t shown = 0;
				for (size_t k = 0; k < p->n && shown < 8; k++)
					if (p->v[k]->phase == group_order[g]) {
						fprintf(f, "    %-40s %6" PRIu64 " B  %-14s %" PRIu64 " proc\n",
							p->v[k]->sym->name, p->v[k]->sym->size,
							p->v[k]->section ? p->v[k]->section : "?",
							p->v[k]->nproc);
						shown++;
					}
				if (cnt > shown)
					fprintf(f, "    ... %zu more\n", cnt - shown);
			}
		} else {
			fprintf(f, "  no written variable named\n");
		}
		if (d->rel.pages)
			fprintf(f, "  relocation pages: %" PRIu64 " (relocations on them: %" PRIu64
				" relative, %" PRIu64 " symbolic)\n", d->rel.pages, d->rel.relative,
				d->rel.symbolic);
		for (size_t k = 0; k < d->rel.n; k++)
			fprintf(f, "  - %s\n", d->rel.lines[k]);
		fputc('\n', f);
	}
}

static void print_json(FILE *f, struct advice *v, size_t n)
{
	fputs("{\"libraries\":[", f);
	for (size_t i = 0; i < n; i++) {
		struct advice *d = &v[i];
		const struct plan *p = &d->plan;
		int pack = can_pack(d->src);
		fputs(i ? ",\n{\"path\":" : "\n{\"path\":", f);
		ct_json_str(f, d->a->lib->path);
		fprintf(f, ",\"processes\":%" PRIu64 ",\"writing_processes\":%" PRIu64
			",\"symbols\":\"%s\",\"data_sections\":%s",
			d->procs, d->a->nproc, symsrc_name(d->src),
			d->dsect == 1 ? "true" : d->dsect == 0 ? "false" : "null");
		if (pack)
			fprintf(f, ",\"dirty_pages\":%" PRIu64 ",\"packed_pages\":%" PRIu64
				",\"saving_pages\":%" PRIu64 ",\"saving_pages_run\":%" PRIu64,
				p->pages_now, p->packed, p->pages_now - p->packed,
				(p->pages_now - p->packed) * d->a->nproc);
		else
			fputs(",\"dirty_pages\":null,\"packed_pages\":null,\"saving_pages\":null,"
			      "\"saving_pages_run\":null", f);
		fputs(",\"written_symbols\":[", f);
		for (size_t k = 0; pack && k < p->n; k++) {
			const struct wsym *w = p->v[k];
			uint64_t size = w->sym->size ? w->sym->size : 1;
			fputs(k ? ",{\"name\":" : "{\"name\":", f);
			ct_json_str(f, w->sym->name);
			fprintf(f, ",\"size\":%" PRIu64 ",\"section\":", w->sym->size);
			ct_json_str(f, w->section);
			fprintf(f, ",\"pages\":%" PRIu64 ",\"phase\":",
				(w->sym->addr + size - 1) / 4096 - w->sym->addr / 4096 + 1);
			ct_json_str(f, w->phase ? phase_names[w->phase] : NULL);
			fprintf(f, ",\"processes\":%" PRIu64 "}", w->nproc);
		}
		fprintf(f, "],\"relocation_pages\":%" PRIu64 ",\"relocations_relative\":%" PRIu64
			",\"relocations_symbolic\":%" PRIu64 ",\"copy_relocation_pages\":%" PRIu64
			",\"advice\":[", d->rel.pages, d->rel.relative, d->rel.symbolic, d->rel.copy_pages);
		if (!pack) {
			fputs("\"no symbol table, no packing advice\"", f);
		}
		for (size_t k = 0; k < d->rel.n; k++) {
			if (k || !pack)
				putc(',', f);
			ct_json_str(f, d->rel.lines[k]);
		}
		fputs("]}", f);
	}
	fputs("\n]}\n", f);
}

/* lld: one symbol a line; gold: .data.NAME / .bss.NAME */
static int emit(const char *file, struct advice *v, size_t n, int sections)
{
	FILE *f = fopen(file, "w");
	if (!f) {
		ct_err(file, "cannot write the ordering file: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!can_pack(v[i].src))
			continue;
		for (size_t k = 0; k < v[i].plan.n; k++) {
			const struct wsym *w = v[i].plan.v[k];
			if (!sections)
				fprintf(f, "%s\n", w->sym->name);
			else
				fprintf(f, "%s.%s\n", w->section && !strncmp(w->section, ".bss", 4) ? ".bss" :
					".data", w->sym->name);
		}
	}
	if (fclose(f) != 0) {
		ct_err(file, "writing the ordering file: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int by_saving(const void *x, const void *y)
{
	const struct advice *a = x, *b = y;
	uint64_t sa = (a->plan.pages_now - a->plan.packed) * a->a->nproc + a->rel.pages;
	uint64_t sb = (b->plan.pages_now - b->plan.packed) * b->a->nproc + b->rel.pages;
	if (sa != sb)
		return sa > sb ? -1 : 1;
	return strcmp(a->a->lib->path, b->a->lib->path);
}

int ct_advise_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lib", required_argument, NULL, 'l' },
		{ "format", required_argument, NULL, 'f' },
		{ "emit-symbol-order", required_argument, NULL, 's' },
		{ "emit-section-order", required_argument, NULL, 'S' },
		{ "debug-dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *symfile = NULL, *sectfile = NULL;
	struct ct_report rep;
	struct ct_inputs in = { NULL, 0 };
	int json = 0, c, rc = 0;

	memset(&rep, 0, sizeof(rep));
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l': rep.lib_glob = optarg; break;
		case 's': symfile = optarg; break;
		case 'S': sectfile = optarg; break;
		case 'd': ct_debug_dirs = optarg; break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "table")) {
				fprintf(stderr, "cowtrace advise: unknown --format value '%s'\n%s", optarg,
					usage_text);
				return 2;
			}
			json = strcmp(optarg, "json") == 0;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "cowtrace advise: no log file or directory given\n%s", usage_text);
		return 2;
	}
	if (ct_inputs_read(&in, argv + optind, (size_t)(argc - optind)) == 0) {
		ct_err(NULL, "no usable log");
		ct_inputs_free(&in);
		return 1;
	}
	ct_report_build(&rep, in.logs, in.n);
	uint64_t ps = in.logs[0].page_size ? in.logs[0].page_size : 4096;

	struct alib *libs = NULL, *a, *tmp;
	collect(&rep, &libs);
	size_t n = HASH_COUNT(libs), k = 0;
	struct advice *v = ct_xcalloc(n ? n : 1, sizeof(*v));
	HASH_ITER(hh, libs, a, tmp) {
		struct advice *d = &v[k++];
		d->a = a;
		d->procs = a->lib->nproc;
		d->src = ct_elf_symbols_from(a->lib->elf);
		make_plan(a, ps, &d->plan);
		relocation_advice(a, &d->rel);
		d->dsect = data_sections_flag(a->lib->path, ct_elf_debug_path(a->lib->elf), &d->units);
	}
	qsort(v, n, sizeof(*v), by_saving);
	if (json)
		print_json(stdout, v, n);
	else
		print_table(stdout, v, n, ps);
	if ((symfile && emit(symfile, v, n, 0)) || (sectfile && emit(sectfile, v, n, 1)))
		rc = 1;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ct_err(NULL, "writing the advice: %s", strerror(errno));
		rc = 1;
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].plan.v);
	free(v);
	HASH_ITER(hh, libs, a, tmp) {
		struct wsym *w, *wt;
		struct rpage *rp, *rt;
		HASH_ITER(hh, a->syms, w, wt) {
			HASH_DEL(a->syms, w);
			free(w);
		}
		HASH_ITER(hh, a->rpages, rp, rt) {
			HASH_DEL(a->rpages, rp);
			free(rp);
		}
		HASH_DEL(libs, a);
		free(a);
	}
	ct_report_free(&rep);
	ct_inputs_free(&in);
	ct_lines_free();
	ct_elf_cache_free();
	return rc;
}
