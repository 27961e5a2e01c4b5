/* lines.c - map code addresses to source lines with libdwfl, one offline Dwfl per ELF file, cached. */
#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "lines.h"
#include "util.h"

struct hit {
	uint64_t addr;            /* key */
	const char *file;         /* NULL: no line known */
	int line;
	UT_hash_handle hh;
};

struct fname {
	char *s;
	UT_hash_handle hh;
};

/* Everything known about one object's lines. */
struct objlines {
	const struct ct_elf *elf; /* key */
	Dwfl *dwfl;               /* NULL: no debug info, every answer is "unknown" */
	Dwfl_Module *mod;
	struct hit *hits;
	UT_hash_handle hh;
};

static struct objlines *objs;
static struct fname *fnames;  /* file names, interned */

/* libdwfl's search path: the file's own directory and its .debug/ (for
 * .gnu_debuglink), then ct_debug_dirs (build-id and debuglink). */
static char *debuginfo_path;

static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &debuginfo_path,
};

static const char *intern(const char *s)
{
	struct fname *f;

	HASH_FIND_STR(fnames, s, f);
	if (!f) {
		f = ct_xcalloc(1, sizeof(*f));
		f->s = ct_xstrdup(s);
		HASH_ADD_KEYPTR(hh, fnames, f->s, strlen(f->s), f);
	}
	return f->s;
}

/* Report the file at its own addresses (base 0: no bias) and check that
 * some DWARF came with it; otherwise drop the Dwfl. */
static void open_obj(struct objlines *o)
{
	Dwarf_Addr bias = 0;

	if (ct_elf_status(o->elf) != CT_ELF_OK)
		return;
	if (!debuginfo_path) {
		size_t n = strlen(ct_debug_dirs) + sizeof(":.debug:");

		debuginfo_path = ct_xmalloc(n);
		snprintf(debuginfo_path, n, ":.debug:%s", ct_debug_dirs);
	}
	o->dwfl = dwfl_begin(&callbacks);
	if (!o->dwfl)
		return;
	dwfl_report_begin(o->dwfl);
	o->mod = dwfl_report_elf(o->dwfl, ct_elf_path(o->elf), ct_elf_path(o->elf), -1, 0, false);
	dwfl_report_end(o->dwfl, NULL, NULL);
	if (!o->mod || !dwfl_module_getdwarf(o->mod, &bias) || bias != 0) {
		dwfl_end(o->dwfl);
		o->dwfl = NULL;
		o->mod = NULL;
	}
}

int ct_line(const struct ct_elf *e, uint64_t addr, const char **file, int *line)
{
	struct objlines *o;
	struct hit *h;

	HASH_FIND_PTR(objs, &e, o);
	if (!o) {
		o = ct_xcalloc(1, sizeof(*o));
		o->elf = e;
		open_obj(o);
		HASH_ADD_PTR(objs, elf, o);
	}
	if (!o->dwfl)
		return 0;
	HASH_FIND(hh, o->hits, &addr, sizeof(addr), h);
	if (!h) {
		Dwfl_Line *dl = dwfl_module_getsrc(o->mod, addr);
		const char *src = NULL;
		int lineno = 0;

		if (dl)
			src = dwfl_lineinfo(dl, NULL, &lineno, NULL, NULL, NULL);
		h = ct_xcalloc(1, sizeof(*h));
		h->addr = addr;
		h->file = src && lineno > 0 ? intern(src) : NULL;
		h->line = lineno;
		HASH_ADD(hh, o->hits, addr, sizeof(h->addr), h);
	}
	if (!h->file)
		return 0;
	*file = h->file;
	*line = h->line;
	return 1;
}

void ct_lines_free(void)
{
	struct objlines *o, *otmp;
	struct fname *f, *ftmp;

	HASH_ITER(hh, objs, o, otmp) {
		struct hit *h, *htmp;

		HASH_ITER(hh, o->hits, h, htmp) {
			HASH_DEL(o->hits, h);
			free(h);
		}
		if (o->dwfl)
			dwfl_end(o->dwfl);
		HASH_DEL(objs, o);
		free(o);
	}
	HASH_ITER(hh, fnames, f, ftmp) {
		HASH_DEL(fnames, f);
		free(f->s);
		free(f);
	}
	free(debuginfo_path);
	debuginfo_path = NULL;
}
