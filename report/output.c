/* output.c - write the aggregated report as a table, JSON or CSV. */
#include <inttypes.h>
#include <string.h>

#include "output.h"
#include "lines.h"
#include "syscalls.h"
#include "util.h"

#define TABLE_WIDTH 110           /* columns a table row may use */

const char *const ct_by_names[] = {
	[CT_BY_LIBRARY] = "library", [CT_BY_SECTION] = "section",
	[CT_BY_SYMBOL] = "symbol",   [CT_BY_WRITER] = "writer",
	[CT_BY_PAGE] = "page",       [CT_BY_PROCESS] = "process",
	[CT_BY_PHASE] = "phase",
};

/* Output goes through the _unlocked stdio calls: one thread, and JSON
 * for a million pages is mostly these calls. */

/* ---- shared helpers ---- */

/* ct_rec_fault.via: 0 a store, CT_VIA_SYSCALL | nr system call nr (read
 * is 0).  Anything else is outside the format: "unknown:0xN". */
static const char *via_name(const struct ct_page *pg, char *buf, size_t size)
{
	const char *name;
	unsigned nr;

	if (pg->when != CT_WHEN_RUNTIME)
		return NULL;
	if (pg->via == 0)
		return "store";
	if (!(pg->via & CT_VIA_SYSCALL)) {
		snprintf(buf, size, "unknown:0x%x", (unsigned)pg->via);
		return buf;
	}
	nr = pg->via & ~CT_VIA_SYSCALL;
	name = ct_syscall_name(nr);
	if (name)
		snprintf(buf, size, "syscall:%s", name);
	else
		snprintf(buf, size, "syscall:%u", nr);
	return buf;
}

static const char *when_name(const struct ct_page *pg)
{
	switch (pg->when) {
	case CT_WHEN_ATTACH:  return "attach";
	case CT_WHEN_RUNTIME: return "runtime";
	case CT_WHEN_UNWATCHED: return "unwatched";
	}
	return "unprotected";
}

/* Why an unwatched page was not watched; NULL for other pages. */
static const char *unwatched_reason(const struct ct_page *pg, char *buf, size_t size)
{
	const char *why;

	if (pg->when != CT_WHEN_UNWATCHED)
		return NULL;
	why = ct_reason_name(pg->reason);
	if (why)
		return why;
	snprintf(buf, size, "reason:%u", (unsigned)pg->reason);
	return buf;
}

/* Note about a module the report leaves out (the tracer's own)? */
static int note_hidden(const struct ct_report *r, const struct ct_log *log, const struct ct_note *n)
{
	const struct ct_module *m;

	if (n->module == UINT32_MAX)
		return 0;
	m = &log->mods[n->module];
	return ct_module_is_tracer(m) || !ct_report_lib_selected(r, m->path);
}

static const char *attach_cause(const struct ct_row *row)
{
	if (row->pg->when != CT_WHEN_ATTACH)
		return NULL;
	return row->relocs ? "relocation" : "other";
}

static const char *backend_name(uint32_t b)
{
	return b == CT_BACKEND_SIGNAL ? "signal" : b == CT_BACKEND_SCAN ? "scan" :
	       b == CT_BACKEND_PERF ? "perf" : "unknown";
}

/* ---- JSON ---- */

/* Bytes that JSON strings can carry as they are (before UTF-8 checks). */
static int plain_byte(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

void ct_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (!s) {
		fputs_unlocked("null", f);
		return;
	}
	for (n = 0; plain_byte(p[n]); n++)
		;
	if (!p[n]) {                    /* the common case: plain ASCII */
		putc_unlocked('"', f);
		fwrite_unlocked(s, 1, n, f);
		putc_unlocked('"', f);
		return;
	}
	n = strlen(s);
	putc_unlocked('"', f);
	while (n) {
		size_t len = ct_utf8_len(p, n);

		if (len == 0) {
			fprintf(f, "\\u%04x", *p);      /* stray byte: as Latin-1 */
			len = 1;
		} else if (*p == '"' || *p == '\\') {
			putc_unlocked('\\', f);
			putc_unlocked(*p, f);
		} else if (*p == '\n') {
			fputs_unlocked("\\n", f);
		} else if (*p == '\t') {
			fputs_unlocked("\\t", f);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p);
		} else {
			fwrite_unlocked(p, 1, len, f);
		}
		p += len;
		n -= len;
	}
	putc_unlocked('"', f);
}

static void json_hex(FILE *f, uint64_t v)
{
	char buf[24], *p = buf + sizeof(buf);

	*--p = '"';
	do {
		*--p = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	*--p = 'x';
	*--p = '0';
	*--p = '"';
	fwrite_unlocked(p, 1, (size_t)(buf + sizeof(buf) - p), f);
}

/* Source line of ELF address addr in mod: "file:line" (one value) or
 * ,"file":..,"line":.. (two keys); null when unknown. */
static void json_line(FILE *f, const struct ct_module *mod, uint64_t addr, int one)
{
	const char *file = NULL;
	int line = 0;

	if (mod && !ct_line(mod->lib->elf, addr, &file, &line))
		file = NULL;
	if (one) {
		char buf[4096 + 16];

		if (file)
			snprintf(buf, sizeof(buf), "%s:%d", file, line);
		ct_json_str(f, file ? buf : NULL);
		return;
	}
	fputs_unlocked(",\"file\":", f);
	ct_json_str(f, file);
	if (file)
		fprintf(f, ",\"line\":%d", line);
	else
		fputs_unlocked(",\"line\":null", f);
}

static void json_processes(FILE *f, const struct ct_report *r)
{
	size_t i, j;

	fputs_unlocked("\"processes\":[", f);
	for (i = 0; i < r->nprocs; i++) {
		const struct ct_log *log = r->procs[i].log;

		fprintf(f, "%s\n{\"pid\":%d,\"ppid\":%d,\"exe\":", i ? "," : "", (int)log->pid,
			(int)log->ppid);
		ct_json_str(f, log->exe);
		fputs_unlocked(",\"argv\":[", f);
		for (j = 0; j < log->argc; j++) {
			if (j)
				putc_unlocked(',', f);
			ct_json_str(f, log->argv[j]);
		}
		fprintf(f, "],\"backend\":\"%s\",\"complete\":%s,\"comm\":", backend_name(log->backend),
			log->complete ? "true" : "false");
		ct_json_str(f, log->comm);
		fputs_unlocked(",\"log\":", f);
		ct_json_str(f, log->name);
		fprintf(f, ",\"truncated\":%s,\"dropped\":%" PRIu64 ",\"dirty_pages\":%" PRIu64 "}",
			log->truncated ? "true" : "false", log->dropped, r->procs[i].n.all.dirty);
	}
	fputs_unlocked("]", f);
}

static const char *elf_status_name(const struct ct_lib *lib)
{
	switch (ct_elf_status(lib->elf)) {
	case CT_ELF_OK:       return "ok";
	case CT_ELF_MISSING:  return "missing";
	case CT_ELF_BAD:      return "not ELF";
	case CT_ELF_MISMATCH: return "build-id mismatch";
	}
	return "?";
}

/* Pages a live process keeps (teardown left out), per process. */
static double per_process(const struct ct_counts *n, uint64_t nproc)
{
	return nproc ? (double)ct_counts_live(n).dirty / (double)nproc : 0.0;
}

static void json_counts(FILE *f, const struct ct_counts *n)
{
	fprintf(f, ",\"dirty_pages\":%" PRIu64 ",\"attach_pages\":%" PRIu64
		",\"runtime_pages\":%" PRIu64 ",\"unwatched_pages\":%" PRIu64
		",\"relocation_pages\":%" PRIu64 ",\"teardown_pages\":%" PRIu64
		",\"writer_lost_pages\":%" PRIu64,
		n->all.dirty, n->all.attach, n->all.runtime, n->all.unwatched, n->all.reloc,
		n->teardown.dirty, n->all.writer_lost);
}

static void json_libraries(FILE *f, const struct ct_report *r, size_t top)
{
	size_t i, n = top && top < r->nlibv ? top : r->nlibv;

	fputs_unlocked(",\n\"libraries\":[", f);
	for (i = 0; i < n; i++) {
		const struct ct_lib *lib = r->libv[i];
		const struct ct_sectcount *s;
		int first = 1;

		fputs_unlocked(i ? ",\n{\"path\":" : "\n{\"path\":", f);
		ct_json_str(f, lib->path);
		fputs_unlocked(",\"build_id\":", f);
		ct_json_str(f, lib->build_id[0] ? lib->build_id : NULL);
		fprintf(f, ",\"processes\":%" PRIu64 ",\"writable_pages\":%" PRIu64,
			lib->nproc, lib->writable);
		json_counts(f, &lib->n);
		fprintf(f, ",\"per_process\":%.2f,\"sections\":{", per_process(&lib->n, lib->nproc));
		for (s = lib->sections; s; s = s->hh.next) {
			if (!first)
				putc_unlocked(',', f);
			first = 0;
			ct_json_str(f, s->name);
			fprintf(f, ":%" PRIu64, s->pages);
		}
		fprintf(f, "},\"unprotected_pages\":%" PRIu64 ",\"main\":%s,\"untracked\":",
			lib->unprotected, lib->is_main ? "true" : "false");
		ct_json_str(f, lib->untracked_reason ? ct_reason_name(lib->untracked_reason) : NULL);
		fputs_unlocked(",\"symbols\":", f);
		ct_json_str(f, elf_status_name(lib));
		putc_unlocked('}', f);
	}
	fputs_unlocked("]", f);
}

static void json_page(FILE *f, const struct ct_row *row)
{
	const struct ct_page *pg = row->pg;
	char sbuf[512], vbuf[32], rbuf[32], wbuf[512];
	size_t i;

	fprintf(f, "{\"pid\":%d,\"library\":", (int)row->proc->log->pid);
	ct_json_str(f, row->lib->path);
	fputs_unlocked(",\"vaddr\":", f);
	json_hex(f, row->vaddr);
	fputs_unlocked(",\"section\":", f);
	ct_json_str(f, row->section);
	fprintf(f, ",\"when\":\"%s\",\"attach_cause\":", when_name(pg));
	ct_json_str(f, attach_cause(row));
	fputs_unlocked(",\"unwatched_reason\":", f);
	ct_json_str(f, unwatched_reason(pg, rbuf, sizeof(rbuf)));
	fprintf(f, ",\"relocations\":%u,\"relocations_relative\":%u,\"relocations_symbolic\":%u"
		",\"symbol\":", row->relocs, row->relocs_rel, row->relocs_sym);
	ct_json_str(f, ct_row_symbol(row, 1, sbuf, sizeof(sbuf)));
	fprintf(f, ",\"copy_relocation\":%s,\"symbol_library\":", row->copy ? "true" : "false");
	ct_json_str(f, row->copy ? (row->copy_mod ? row->copy_mod->path : NULL) :
		 row->sym ? row->lib->path : NULL);
	fputs_unlocked(",\"writer\":", f);
	ct_json_str(f, ct_row_writer(row, wbuf, sizeof(wbuf)));
	fputs_unlocked(",\"writer_library\":", f);
	ct_json_str(f, row->wmod ? row->wmod->lib->path : NULL);
	fputs_unlocked(",\"writer_line\":", f);
	json_line(f, row->wmod, row->wmod ? row->pg->ip - row->wmod->bias : 0, 1);
	fputs_unlocked(",\"via\":", f);
	ct_json_str(f, via_name(pg, vbuf, sizeof(vbuf)));
	fprintf(f, ",\"writer_lost\":%s", ct_page_writer_lost(pg) ? "true" : "false");
	fputs_unlocked(",\"phase\":", f);
	ct_json_str(f, ct_phase_name(row->phase));
	fputs_unlocked(",\"mark\":", f);
	ct_json_str(f, row->mark);
	if (pg->when == CT_WHEN_RUNTIME && pg->ip)   /* 0: scan backend, no writer */
		fprintf(f, ",\"tid\":%d,\"addr\":\"0x%" PRIx64 "\",\"ip\":\"0x%" PRIx64 "\"",
			(int)pg->tid, pg->addr - row->mod->bias, pg->ip);
	else
		fputs_unlocked(",\"tid\":null,\"addr\":null,\"ip\":null", f);
	fprintf(f, ",\"t_ns\":%" PRIu64 ",\"since_ns\":", pg->t_ns);
	if (pg->since_ns && !pg->ip && !pg->via)
		fprintf(f, "%" PRIu64, pg->since_ns);
	else
		fputs_unlocked("null", f);
	fputs_unlocked(",\"backtrace\":[", f);
	for (i = 0; i < pg->nframes; i++) {
		struct ct_frame fr;

		ct_resolve_frame(row, i, &fr);
		fputs_unlocked(i ? ",{\"library\":" : "{\"library\":", f);
		ct_json_str(f, fr.mod ? fr.mod->lib->path : NULL);
		fputs_unlocked(",\"function\":", f);
		ct_json_str(f, ct_frame_label(fr.mod, fr.fn, fr.addr, wbuf, sizeof(wbuf)));
		fputs_unlocked(",\"offset\":", f);
		json_hex(f, fr.off);
		json_line(f, fr.mod, fr.lookup, 0);
		putc_unlocked('}', f);
	}
	fputs_unlocked("]}", f);
}

/* Calls fn for every note the report shows (the tracer's own and those of
 * libraries --lib leaves out are skipped), with the note's library (NULL:
 * the whole process) and its reason as a word ("reason:N" when unknown). */
typedef void note_fn(FILE *f, const struct ct_log *log, const struct ct_note *n,
		     const char *lib, const char *why, int first);

static void each_note(FILE *f, const struct ct_report *r, note_fn *fn)
{
	size_t i, j;
	int first = 1;

	for (i = 0; i < r->nprocs; i++) {
		const struct ct_log *log = r->procs[i].log;

		for (j = 0; j < log->nnotes; j++) {
			const struct ct_note *n = &log->notes[j];
			const char *why = ct_reason_name(n->reason);
			char rbuf[32];

			if (note_hidden(r, log, n))
				continue;
			if (!why) {
				snprintf(rbuf, sizeof(rbuf), "reason:%u", n->reason);
				why = rbuf;
			}
			fn(f, log, n, n->module == UINT32_MAX ? NULL : log->mods[n->module].path,
			   why, first);
			first = 0;
		}
	}
}

static void json_note(FILE *f, const struct ct_log *log, const struct ct_note *n,
		      const char *lib, const char *why, int first)
{
	fprintf(f, "%s\n{\"pid\":%d,\"library\":", first ? "" : ",", (int)log->pid);
	ct_json_str(f, lib);
	fputs_unlocked(",\"reason\":", f);
	ct_json_str(f, why);
	fputs_unlocked(",\"text\":", f);
	ct_json_str(f, n->text);
	fprintf(f, ",\"t_ns\":%" PRIu64 "}", n->t_ns);
}

static void json_notes(FILE *f, const struct ct_report *r)
{
	fputs_unlocked(",\n\"notes\":[", f);
	each_note(f, r, json_note);
	fputs_unlocked("]", f);
}

static void json_groups(FILE *f, const struct ct_report *r, const struct ct_outopts *o)
{
	struct ct_group *g;
	size_t i, n, total;

	g = ct_report_group(r, o->by, &total);
	n = o->top && o->top < total ? o->top : total;
	fprintf(f, ",\n\"by\":\"%s\",\"groups\":[", ct_by_names[o->by]);
	for (i = 0; i < n; i++) {
		fputs_unlocked(i ? ",\n{\"key\":" : "\n{\"key\":", f);
		ct_json_str(f, g[i].key);
		fprintf(f, ",\"processes\":%" PRIu64, g[i].nproc);
		json_counts(f, &g[i].n);
		fprintf(f, ",\"bytes\":%" PRIu64 "}", g[i].n.all.bytes);
	}
	fputs_unlocked("]", f);
	ct_groups_free(g, total);
}

void ct_output_json(FILE *f, const struct ct_report *r, const struct ct_outopts *o)
{
	size_t i;

	putc_unlocked('{', f);
	json_processes(f, r);
	json_libraries(f, r, o->top);
	fputs_unlocked(",\n\"pages\":[", f);
	for (i = 0; i < r->nrows; i++) {
		fputs_unlocked(i ? ",\n" : "\n", f);
		json_page(f, &r->rows[i]);
	}
	fputs_unlocked("]", f);
	json_notes(f, r);
	if (o->by_set && o->by != CT_BY_LIBRARY)
		json_groups(f, r, o);
	fputs_unlocked("}\n", f);
}

/* ---- CSV ---- */

static void csv_field(FILE *f, const char *s, int always_quote)
{
	if (!s)
		return;
	if (!always_quote && !strpbrk(s, ",\"\r\n")) {
		fputs_unlocked(s, f);
		return;
	}
	putc_unlocked('"', f);
	for (; *s; s++) {
		if (*s == '"')
			putc_unlocked('"', f);
		putc_unlocked(*s, f);
	}
	putc_unlocked('"', f);
}

/* s inside a quoted CSV field: quotes doubled */
static void csv_quoted(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '"')
			putc_unlocked('"', f);
		putc_unlocked(*s, f);
	}
}

/* "LIBRARY:FUNCTION+0xOFF;..." innermost first; a frame without a symbol
 * is named as in every format, LIBRARY_FILE+0xOFF */
static void csv_backtrace(FILE *f, const struct ct_row *row)
{
	size_t i;

	putc_unlocked('"', f);
	for (i = 0; i < row->pg->nframes; i++) {
		struct ct_frame fr;
		char buf[600];

		ct_resolve_frame(row, i, &fr);
		if (i)
			putc_unlocked(';', f);
		csv_quoted(f, fr.mod ? fr.mod->lib->path : "?");
		putc_unlocked(':', f);
		if (fr.fn)
			snprintf(buf, sizeof(buf), "%s+0x%" PRIx64, fr.fn->name, fr.off);
		else
			ct_frame_label(fr.mod, NULL, fr.addr, buf, sizeof(buf));
		csv_quoted(f, buf);
	}
	putc_unlocked('"', f);
}

void ct_output_csv(FILE *f, const struct ct_report *r, const struct ct_outopts *o)
{
	size_t i;

	fputs_unlocked("pid,library,vaddr,section,when,attach_cause,unwatched_reason,relocations,"
		       "relocations_relative,relocations_symbolic,symbol,writer,via,phase,mark,tid,t_ns,"
		       "backtrace\r\n", f);
	for (i = 0; i < r->nrows; i++) {
		const struct ct_row *row = &r->rows[i];
		const struct ct_page *pg = row->pg;
		char sbuf[512], vbuf[32], rbuf[32], wbuf[512];

		fprintf(f, "%d,", (int)row->proc->log->pid);
		csv_field(f, row->lib->path, 0);
		fprintf(f, ",0x%" PRIx64 ",", row->vaddr);
		csv_field(f, row->section, 0);
		fprintf(f, ",%s,", when_name(pg));
		csv_field(f, attach_cause(row), 0);
		putc_unlocked(',', f);
		csv_field(f, unwatched_reason(pg, rbuf, sizeof(rbuf)), 0);
		fprintf(f, ",%u,%u,%u,", row->relocs, row->relocs_rel, row->relocs_sym);
		csv_field(f, ct_row_symbol(row, 1, sbuf, sizeof(sbuf)), 0);
		putc_unlocked(',', f);
		csv_field(f, ct_row_writer(row, wbuf, sizeof(wbuf)), 0);
		putc_unlocked(',', f);
		csv_field(f, via_name(pg, vbuf, sizeof(vbuf)), 0);
		putc_unlocked(',', f);
		csv_field(f, ct_phase_name(row->phase), 0);
		putc_unlocked(',', f);
		csv_field(f, row->mark, 1);
		if (pg->when == CT_WHEN_RUNTIME)
			fprintf(f, ",%d,", (int)pg->tid);
		else
			fputs_unlocked(",,", f);
		fprintf(f, "%" PRIu64 ",", pg->t_ns);
		csv_backtrace(f, row);
		fputs_unlocked("\r\n", f);
	}
}

/* ---- table ---- */

/* Display columns of s (UTF-8 continuation bytes take none). */
static size_t columns(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* s in exactly width columns: padded, or cut from the left behind "…". */
void ct_put_name(FILE *f, const char *s, size_t width)
{
	size_t cols = columns(s);

	if (cols > width) {
		size_t skip = cols - (width - 1);

		fputs_unlocked("\u2026", f);
		while (skip) {
			s++;
			while (((unsigned char)*s & 0xc0) == 0x80)
				s++;
			skip--;
		}
		cols = width;
	}
	for (; *s; s++)
		putc_unlocked((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
	while (cols++ < width)
		putc_unlocked(' ', f);
}

static void size_text(uint64_t bytes, char *buf, size_t size)
{
	if (bytes >= 10ull << 20)
		snprintf(buf, size, "%.1f MiB", bytes / 1048576.0);
	else
		snprintf(buf, size, "%" PRIu64 " KiB", (bytes + 1023) / 1024);
}

/* Table columns after the key: header, width.  dirty and its split count
 * the pages a live process keeps (teardown left out); per proc only when
 * the run has several processes. */
enum { C_PROCS, C_DIRTY, C_PERPROC, C_ATTACH, C_RELOC, C_RUNTIME, C_UNWATCHED, C_TEARDOWN,
       C_MEM, C_WRITABLE, NCOLS };
static const struct { const char *head; int width; } table_cols[NCOLS] = {
	[C_PROCS] = { "procs", 5 },     [C_DIRTY] = { "dirty", 6 },
	[C_PERPROC] = { "per proc", 8 }, [C_ATTACH] = { "attach", 6 },
	[C_RELOC] = { "reloc", 5 },     [C_RUNTIME] = { "runtime", 7 },
	[C_UNWATCHED] = { "unwatched", 9 }, [C_TEARDOWN] = { "teardown", 8 },
	[C_MEM] = { "dirty mem", 9 },   [C_WRITABLE] = { "writable", 8 },
};

struct table_shape {
	int show[NCOLS];
	size_t name_width;
	int teardown_known;       /* some log records phases (version 2) */
};

static void table_shape(const struct ct_report *r, struct table_shape *t)
{
	size_t used = 0;
	int c;

	for (c = 0; c < NCOLS; c++) {
		t->show[c] = c != C_PERPROC || r->nprocs > 1;
		if (t->show[c])
			used += 1 + (size_t)table_cols[c].width;
	}
	t->name_width = TABLE_WIDTH - used;
	t->teardown_known = r->have_auto_phases;
}

static void table_cells(FILE *f, const struct table_shape *t, const char *name, char cell[NCOLS][32])
{
	int c;

	ct_put_name(f, name, t->name_width);
	for (c = 0; c < NCOLS; c++)
		if (t->show[c])
			fprintf(f, " %*s", table_cols[c].width, cell[c]);
	putc_unlocked('\n', f);
}

static void table_row(FILE *f, const struct table_shape *t, const char *name, const struct ct_group *g)
{
	struct ct_tally live = ct_counts_live(&g->n);
	char c[NCOLS][32];

	snprintf(c[C_PROCS], sizeof(c[0]), "%" PRIu64, g->nproc);
	snprintf(c[C_DIRTY], sizeof(c[0]), "%" PRIu64, live.dirty);
	snprintf(c[C_PERPROC], sizeof(c[0]), "%.1f", per_process(&g->n, g->nproc));
	snprintf(c[C_ATTACH], sizeof(c[0]), "%" PRIu64, live.attach);
	snprintf(c[C_RELOC], sizeof(c[0]), "%" PRIu64, live.reloc);
	snprintf(c[C_RUNTIME], sizeof(c[0]), "%" PRIu64, live.runtime);
	snprintf(c[C_UNWATCHED], sizeof(c[0]), "%" PRIu64, live.unwatched);
	if (t->teardown_known)
		snprintf(c[C_TEARDOWN], sizeof(c[0]), "%" PRIu64, g->n.teardown.dirty);
	else
		strcpy(c[C_TEARDOWN], "-");
	size_text(live.bytes, c[C_MEM], sizeof(c[0]));
	if (g->writable >= 0)
		snprintf(c[C_WRITABLE], sizeof(c[0]), "%" PRId64, g->writable);
	else
		strcpy(c[C_WRITABLE], "-");
	table_cells(f, t, name, c);
}

static void table_note(FILE *f, const struct ct_log *log, const struct ct_note *n,
		       const char *lib, const char *why, int first)
{
	const char *p;

	if (first)
		fputs_unlocked("\nnotes:\n", f);
	fprintf(f, "  pid %d: ", (int)log->pid);
	if (lib)
		fprintf(f, "%s: ", lib);
	fprintf(f, "%s: ", why);
	for (p = n->text; *p; p++)
		putc_unlocked((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p, f);
	putc_unlocked('\n', f);
}

void ct_output_table(FILE *f, const struct ct_report *r, const struct ct_outopts *o)
{
	struct ct_group tot;
	struct table_shape t;
	size_t i, n, shown, incomplete = 0;
	struct ct_group *g = ct_report_group(r, o->by, &n);
	char head[NCOLS][32];
	int c;

	memset(&tot, 0, sizeof(tot));
	shown = o->top && o->top < n ? o->top : n;
	table_shape(r, &t);
	for (c = 0; c < NCOLS; c++)
		snprintf(head[c], sizeof(head[c]), "%s", table_cols[c].head);
	table_cells(f, &t, ct_by_names[o->by], head);
	for (i = 0; i < n; i++) {
		if (i < shown)
			table_row(f, &t, g[i].key, &g[i]);
		ct_counts_add(&tot.n, &g[i].n);
		if (tot.writable >= 0)
			tot.writable = g[i].writable >= 0 ? tot.writable + g[i].writable : -1;
	}
	if (shown < n) {
		char more[64];

		snprintf(more, sizeof(more), "(%zu more)", n - shown);
		fprintf(f, "%s\n", more);
	}
	for (i = 0; i < r->nprocs; i++)
		incomplete += !r->procs[i].log->complete;
	tot.nproc = r->nprocs;
	if (!n)
		tot.writable = 0;
	table_row(f, &t, "total", &tot);
	if (t.teardown_known)
		fputs_unlocked("dirty = pages a live process keeps; teardown (atexit, destructors) "
			       "is left out of it and counted apart\n", f);
	else
		fputs_unlocked("dirty = attach+runtime+unwatched; version 1 logs have no phases: "
			       "teardown pages are in dirty\n", f);
	if (incomplete)
		fprintf(f, "%zu of %zu processes did not finish tracing cleanly\n", incomplete, r->nprocs);
	if (tot.n.all.writer_lost)
		fprintf(f, "%" PRIu64 " run-time pages have no writer: their fault samples were overwritten "
			"before they were read (writer_lost; raise COWTRACE_PERF_PAGES)\n",
			tot.n.all.writer_lost);
	each_note(f, r, table_note);
	ct_groups_free(g, n);
}
