/* svg.c - a self-contained SVG map of dirty pages: one strip per library's writable range, a cell per page. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "lines.h"
#include "output.h"
#include "stack.h"
#include "util.h"

#define COLS      64              /* cells per row */
#define CELL      10              /* px */
#define GAP       1
#define MARGIN    10
#define MAX_CELLS 8192            /* per library; the rest is summarised */

/* One page of one library, over all processes. */
struct cell {
	uint64_t vaddr;           /* key */
	uint64_t n[5];            /* processes, by enum ct_when */
	const struct ct_row *first; /* the earliest runtime row, else any */
	UT_hash_handle hh;
};

struct strip {
	const struct ct_lib *lib;
	uint64_t lo, hi;          /* ELF addresses, page aligned */
	struct cell *cells;
};

static void xml_text(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	while (n) {
		size_t len = ct_utf8_len(p, n);

		if (!len || (*p < 0x20 && *p != '\n') || *p == 0x7f) {
			putc('?', f);       /* not representable in XML 1.0 */
			len = 1;
		} else if (*p == '&') {
			fputs("&amp;", f);
		} else if (*p == '<') {
			fputs("&lt;", f);
		} else if (*p == '>') {
			fputs("&gt;", f);
		} else if (*p == '"') {
			fputs("&quot;", f);
		} else {
			fwrite(p, 1, len, f);
		}
		p += len;
		n -= len;
	}
}

static const char *kind_colour(int when)
{
	switch (when) {
	case CT_WHEN_ATTACH:  return "#f5a623";
	case CT_WHEN_RUNTIME: return "#d0021b";
	case CT_WHEN_UNWATCHED:    return "#9013fe";
	}
	return "#e6e6e6";
}

static const char *section_colour(const char *name)
{
	static const struct { const char *name, *colour; } known[] = {
		{ ".data", "#4a90e2" },      { ".bss", "#7ed321" },
		{ ".got", "#f8e71c" },       { ".got.plt", "#b8a500" },
		{ ".data.rel.ro", "#50e3c2" }, { ".init_array", "#bd10e0" },
		{ ".fini_array", "#8b572a" }, { ".dynamic", "#417505" },
		{ ".tbss", "#9b9b9b" },      { ".tdata", "#9b9b9b" },
	};
	size_t i;

	if (!name)
		return "#ffffff";
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(name, known[i].name) == 0)
			return known[i].colour;
	return "#4a4a4a";
}

/* The kind a cell is drawn as: runtime if any process wrote it at run
 * time, else attach, else unwatched. */
static int cell_kind(const struct cell *c)
{
	if (!c)
		return 0;
	if (c->n[CT_WHEN_RUNTIME])
		return CT_WHEN_RUNTIME;
	if (c->n[CT_WHEN_ATTACH])
		return CT_WHEN_ATTACH;
	return CT_WHEN_UNWATCHED;
}

static void strip_range(const struct ct_report *r, struct strip *s)
{
	size_t i, j, k;
	int have = 0;

	for (i = 0; i < r->nprocs; i++) {
		const struct ct_log *log = r->procs[i].log;

		for (j = 0; j < log->nmods; j++) {
			const struct ct_module *m = &log->mods[j];

			if (m->lib != s->lib)
				continue;
			for (k = 0; k < m->nranges; k++) {
				uint64_t lo = m->ranges[k].start - m->bias, hi = m->ranges[k].end - m->bias;

				if (hi <= lo || m->ranges[k].start < m->bias)
					continue;
				if (!have || lo < s->lo)
					s->lo = lo;
				if (!have || hi > s->hi)
					s->hi = hi;
				have = 1;
			}
		}
	}
	if (!have)
		s->lo = s->hi = s->cells ? s->cells->vaddr : 0;
}

static void tooltip(FILE *f, const struct strip *s, uint64_t vaddr, const struct cell *c)
{
	static const char *const whens[] = { "", "attach", "runtime", "", "unwatched" };
	const struct ct_row *row = c ? c->first : NULL;
	const char *sect = row ? row->section : ct_elf_section(s->lib->elf, vaddr, 4096, UINT64_MAX);
	const char *sym;
	char sbuf[1024];
	int w, first = 1;

	fprintf(f, "<title>");
	xml_text(f, ct_basename(s->lib->path));
	fprintf(f, " 0x%" PRIx64, vaddr);
	if (sect) {
		putc(' ', f);
		xml_text(f, sect);
	}
	if (!c) {
		fputs(": clean</title>", f);
		return;
	}
	fputs(": dirty", f);
	for (w = CT_WHEN_ATTACH; w <= CT_WHEN_UNWATCHED; w++) {
		if (!c->n[w])
			continue;
		fprintf(f, "%s %s in %" PRIu64, first ? "" : ",", whens[w], c->n[w]);
		first = 0;
	}
	fprintf(f, " of %zu processes", s->lib ? (size_t)s->lib->nproc : (size_t)0);
	sym = ct_row_symbol(row, 1, sbuf, sizeof(sbuf));
	fputs("\nsymbol: ", f);
	xml_text(f, sym);
	if (row->pg->when == CT_WHEN_UNWATCHED) {
		const char *why = ct_reason_text(row->pg->reason);

		fputs("\nunwatched: ", f);
		xml_text(f, why ? why : "reason unknown");
	}
	if (row->phase != CT_PHASE_NONE || row->mark) {
		char pbuf[1024];

		fputs("\nphase: ", f);
		xml_text(f, ct_row_phase_label(row, pbuf, sizeof(pbuf)));
	}
	char wbuf[512];
	const char *wname = ct_row_writer(row, wbuf, sizeof(wbuf));
	if (wname) {
		const char *file;
		int line;

		fputs("\nwriter: ", f);
		if (row->wmod) {
			xml_text(f, ct_basename(row->wmod->lib->path));
			putc(':', f);
		}
		xml_text(f, wname);
		if (row->wmod &&
		    ct_line(row->wmod->lib->elf, row->pg->ip - row->wmod->bias, &file, &line)) {
			fputs(" (", f);
			xml_text(f, file);
			fprintf(f, ":%d)", line);
		}
	}
	fputs("</title>", f);
}

/* Draws one strip at y; returns its height. */
static int draw_strip(FILE *f, const struct strip *s, int y)
{
	uint64_t npages = (s->hi - s->lo) / 4096, i, shown;
	uint64_t dirty = 0;
	struct cell *c, *tmp;
	int rows;

	HASH_ITER(hh, s->cells, c, tmp)
		dirty++;
	shown = npages > MAX_CELLS ? MAX_CELLS : npages;
	rows = (int)((shown + COLS - 1) / COLS);
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"t\">", MARGIN, y + 12);
	xml_text(f, s->lib->path);
	fprintf(f, " \xe2\x80\x94 %" PRIu64 " dirty of %" PRIu64 " pages (0x%" PRIx64 "-0x%" PRIx64 ")",
		dirty, npages, s->lo, s->hi);
	if (shown < npages)
		fprintf(f, ", first %" PRIu64 " drawn", shown);
	fputs("</text>\n", f);
	y += 18;
	for (i = 0; i < shown; i++) {
		uint64_t vaddr = s->lo + i * 4096;
		int x = MARGIN + (int)(i % COLS) * (CELL + GAP), yy = y + (int)(i / COLS) * (CELL + GAP + 2);
		const char *sect;

		HASH_FIND(hh, s->cells, &vaddr, sizeof(vaddr), c);
		sect = c && c->first ? c->first->section : NULL;
		fprintf(f, "<g><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>",
			x, yy, CELL, CELL, kind_colour(cell_kind(c)));
		if (c)
			fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"2\" fill=\"%s\"/>",
				x, yy + CELL, CELL, section_colour(sect));
		tooltip(f, s, vaddr, c);
		fputs("</g>\n", f);
	}
	return 18 + rows * (CELL + GAP + 2) + 12;
}

static void legend(FILE *f, int y)
{
	static const struct { int when; const char *text; } kinds[] = {
		{ CT_WHEN_RUNTIME, "written at run time" }, { CT_WHEN_ATTACH, "dirty at attach" },
		{ CT_WHEN_UNWATCHED, "dirty, first write unseen (unwatched)" }, { 0, "clean" },
	};
	static const char *const sects[] = { ".data", ".bss", ".got", ".got.plt", ".data.rel.ro", "other" };
	size_t i;
	int x = MARGIN;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"%d\" class=\"l\">%s</text>\n", x, y, CELL, CELL,
			kind_colour(kinds[i].when), x + CELL + 4, y + 9, kinds[i].text);
		x += CELL + 14 + 7 * (int)strlen(kinds[i].text);
	}
	x = MARGIN;
	y += 16;
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"l\">section (bar under a dirty page):</text>\n", x, y + 9);
	x += 200;
	for (i = 0; i < sizeof(sects) / sizeof(sects[0]); i++) {
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"4\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"%d\" class=\"l\">%s</text>\n", x, y + 4, CELL,
			section_colour(strcmp(sects[i], "other") ? sects[i] : "?"), x + CELL + 4, y + 9, sects[i]);
		x += CELL + 14 + 7 * (int)strlen(sects[i]);
	}
}

void ct_output_svg(FILE *f, const struct ct_report *r, const struct ct_outopts *o)
{
	size_t i, n = o->top && o->top < r->nlibv ? o->top : r->nlibv;
	struct strip *strips = ct_xcalloc(n, sizeof(*strips));
	int height = 60, width = 2 * MARGIN + COLS * (CELL + GAP) + 40, y;

	if (width < 760)
		width = 760;
	for (i = 0; i < n; i++)
		strips[i].lib = r->libv[i];
	for (i = 0; i < r->nrows; i++) {
		const struct ct_row *row = &r->rows[i];
		struct strip *s = NULL;
		struct cell *c;
		size_t j;

		for (j = 0; j < n && !s; j++)
			if (strips[j].lib == row->lib)
				s = &strips[j];
		if (!s)
			continue;
		HASH_FIND(hh, s->cells, &row->vaddr, sizeof(row->vaddr), c);
		if (!c) {
			c = ct_xcalloc(1, sizeof(*c));
			c->vaddr = row->vaddr;
			HASH_ADD(hh, s->cells, vaddr, sizeof(c->vaddr), c);
		}
		c->n[row->pg->when < 5 ? row->pg->when : 0]++;
		if (!c->first || (row->pg->when == CT_WHEN_RUNTIME &&
				  (c->first->pg->when != CT_WHEN_RUNTIME || row->pg->t_ns < c->first->pg->t_ns)))
			c->first = row;
	}
	for (i = 0; i < n; i++) {
		struct strip *s = &strips[i];
		struct cell *c, *tmp;
		uint64_t npages;

		strip_range(r, s);
		HASH_ITER(hh, s->cells, c, tmp) {       /* pages outside the ranges */
			if (c->vaddr < s->lo)
				s->lo = c->vaddr;
			if (c->vaddr + 4096 > s->hi)
				s->hi = c->vaddr + 4096;
		}
		s->lo &= ~(uint64_t)4095;
		npages = (s->hi - s->lo) / 4096;
		if (npages > MAX_CELLS)
			npages = MAX_CELLS;
		height += 30 + (int)((npages + COLS - 1) / COLS) * (CELL + GAP + 2) + 12;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\">\n<style>.t{font:12px sans-serif}.l{font:11px sans-serif}</style>\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n", width, height, width, height);
	fprintf(f, "<text x=\"%d\" y=\"16\" class=\"t\">cowtrace: dirty pages of writable segments, "
		"%zu processes (hover a page for symbol and writer)</text>\n", MARGIN, r->nprocs);
	legend(f, 26);
	y = 64;
	for (i = 0; i < n; i++) {
		struct cell *c, *tmp;

		y += draw_strip(f, &strips[i], y);
		HASH_ITER(hh, strips[i].cells, c, tmp) {
			HASH_DEL(strips[i].cells, c);
			free(c);
		}
	}
	fputs("</svg>\n", f);
	free(strips);
}
