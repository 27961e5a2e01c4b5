/* aggregate.c - resolve pages against ELF files and sum them per library, process or key. */
#include <fnmatch.h>
#include <stdio.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "stack.h"
#include "util.h"

int ct_module_is_tracer(const struct ct_module *m)
{
	return (m->flags & CT_MODF_UNTRACKED) && m->untracked_reason == CT_WHY_TRACER;
}

static struct ct_lib *get_lib(struct ct_report *r, const struct ct_module *m)
{
	size_t plen = strlen(m->path);
	char *key = ct_xmalloc(plen + 2 + 2 * m->build_id_len + 1);
	struct ct_lib *lib;
	int quiet = ct_quiet;

	memcpy(key, m->path, plen);
	key[plen] = '\n';
	ct_hex(key + plen + 1, m->build_id, m->build_id_len);
	HASH_FIND_STR(r->libs, key, lib);
	if (lib) {
		free(key);
		return lib;
	}
	lib = ct_xcalloc(1, sizeof(*lib));
	lib->key = key;
	lib->path = ct_xstrdup(m->path);
	ct_hex(lib->build_id, m->build_id, m->build_id_len);
	/* the tracer's own modules are not mentioned, not even to say that
	 * their file changed since the run */
	ct_quiet |= ct_module_is_tracer(m);
	lib->elf = ct_elf_get(m->path, m->build_id, m->build_id_len);
	ct_quiet = quiet;
	HASH_ADD_KEYPTR(hh, r->libs, lib->key, strlen(lib->key), lib);
	return lib;
}

int ct_report_lib_selected(const struct ct_report *r, const char *path)
{
	const char *base = strrchr(path, '/');

	if (!r->lib_glob)
		return 1;
	return fnmatch(r->lib_glob, path, 0) == 0 ||
	       fnmatch(r->lib_glob, base ? base + 1 : path, 0) == 0;
}

static int code_cmp(const void *a, const void *b)
{
	const struct ct_codeent *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void build_code_index(struct ct_proc *p)
{
	struct ct_log *log = p->log;
	uint64_t maxend = 0;
	size_t i;

	p->code = ct_xcalloc(log->nmods, sizeof(*p->code));
	p->maxend = ct_xcalloc(log->nmods, sizeof(*p->maxend));
	for (i = 0; i < log->nmods; i++) {
		struct ct_module *m = &log->mods[i];
		uint64_t lo, hi;

		if (!ct_elf_load_range(m->lib->elf, &lo, &hi) || m->bias + lo < m->bias ||
		    m->bias + hi < m->bias || hi <= lo)
			continue;
		m->code_start = m->bias + lo;
		m->code_end = m->bias + hi;
		p->code[p->ncode].lo = m->code_start;
		p->code[p->ncode].hi = m->code_end;
		p->code[p->ncode].mod = m;
		p->ncode++;
	}
	if (p->ncode)
		qsort(p->code, p->ncode, sizeof(*p->code), code_cmp);
	for (i = 0; i < p->ncode; i++) {
		if (p->code[i].hi > maxend)
			maxend = p->code[i].hi;
		p->maxend[i] = maxend;
	}
}

struct ct_module *ct_proc_module_at(const struct ct_proc *p, uint64_t ip, uint64_t t_ns)
{
	struct ct_module *best = NULL;
	size_t lo = 0, hi = p->ncode;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->code[mid].lo <= ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Modules unloaded and replaced may overlap: prefer the one loaded at
	 * t_ns, else the most recently loaded. */
	while (lo > 0 && p->maxend[lo - 1] > ip) {
		const struct ct_codeent *c = &p->code[--lo];

		if (ip >= c->hi)
			continue;
		if (c->mod->t_load <= t_ns && t_ns < c->mod->t_unload)
			return c->mod;
		if (!best || c->mod->t_load > best->t_load)
			best = c->mod;
	}
	return best;
}

static void count_section(struct ct_lib *lib, const char *name)
{
	struct ct_sectcount *s;

	if (!name)
		return;
	HASH_FIND_STR(lib->sections, name, s);
	if (!s) {
		s = ct_xcalloc(1, sizeof(*s));
		s->name = name;
		HASH_ADD_KEYPTR(hh, lib->sections, s->name, strlen(s->name), s);
	}
	s->pages++;
}

/* The module of row's process that defines the variable the executable
 * copied: the first loaded one exporting the name (the lookup order of
 * ld.so for a copy relocation, the executable aside). */
static const struct ct_module *copy_source(const struct ct_row *row, const char *name)
{
	const struct ct_log *log = row->proc->log;
	size_t i;

	for (i = 0; i < log->nmods; i++) {
		const struct ct_module *m = &log->mods[i];

		if (m == row->mod || (m->flags & CT_MODF_MAIN) || ct_module_is_tracer(m))
			continue;
		if (ct_elf_exports(m->lib->elf, name))
			return m;
	}
	return NULL;
}

static void resolve_row(struct ct_row *row, uint32_t page_size)
{
	const struct ct_page *pg = row->pg;
	const struct ct_module *m = row->mod;
	const struct ct_elf *elf = row->lib->elf;
	uint64_t addr = UINT64_MAX;

	row->vaddr = pg->page - m->bias;
	if (pg->when == CT_WHEN_RUNTIME) {
		addr = pg->addr - m->bias;
		row->copy = ct_elf_copy_reloc(elf, addr);
		if (row->copy) {
			row->symoff = addr - row->copy->addr;
			row->copy_mod = copy_source(row, row->copy->name);
		} else {
			row->sym = ct_elf_data_sym(elf, addr);
			if (row->sym)
				row->symoff = addr - row->sym->addr;
		}
		row->wmod = ct_proc_module_at(row->proc, pg->ip, pg->t_ns);
		if (row->wmod)
			row->writer = ct_elf_func(row->wmod->lib->elf, pg->ip - row->wmod->bias);
	}
	if (pg->when == CT_WHEN_ATTACH) {
		/* ld.so's copy of a library variable dirtied it: name that */
		row->copy = ct_elf_copy_in(elf, row->vaddr, row->vaddr + page_size);
		if (row->copy) {
			row->symoff = row->copy->addr < row->vaddr ? row->vaddr - row->copy->addr : 0;
			row->copy_mod = copy_source(row, row->copy->name);
		}
	}
	row->section = ct_elf_section_at(elf, row->vaddr, page_size, addr, &row->section_start);
	row->label_addr = addr - row->vaddr < page_size ? addr : row->vaddr;
	row->relocs = ct_elf_relocs(elf, row->vaddr, row->vaddr + page_size,
				    &row->relocs_rel, &row->relocs_sym);
	row->phase = pg->phase;
}

static void add_row(struct ct_report *r, const struct ct_row *row);
static void note_instance(struct ct_report *r, int32_t pid, const struct ct_module *m);

static void add_process(struct ct_report *r, struct ct_log *log)
{
	struct ct_proc *p = &r->procs[r->nprocs++];
	size_t i;

	p->log = log;
	for (i = 0; i < log->nmods; i++) {
		struct ct_module *m = &log->mods[i];
		struct ct_lib *lib = get_lib(r, m);

		m->lib = lib;
		if (ct_module_is_tracer(m)) {
			lib->is_tracer = 1;     /* kept for frames, never listed */
			continue;
		}
		note_instance(r, log->pid, m);
		if (lib->cur_log != log) {
			lib->cur_log = log;
			lib->cur_writable = 0;
			lib->nproc++;
		}
		if (m->writable_pages > lib->cur_writable) {
			lib->writable += m->writable_pages - lib->cur_writable;
			lib->cur_writable = m->writable_pages;
		}
		if (m->flags & CT_MODF_MAIN)
			lib->is_main = 1;
		if (m->flags & CT_MODF_UNTRACKED)
			lib->untracked_reason = m->untracked_reason;
		lib->unprotected += m->nunprotected;
		if (ct_report_lib_selected(r, m->path))
			p->writable += m->writable_pages;
	}
	build_code_index(p);

	for (i = 0; i < log->npages; i++) {
		struct ct_page *pg = &log->pages[i];
		struct ct_module *m = &log->mods[pg->module];
		struct ct_row row;

		if (pg->when == CT_WHEN_UNPROTECTED || ct_module_is_tracer(m) ||
		    !ct_report_lib_selected(r, m->path))
			continue;
		memset(&row, 0, sizeof(row));
		row.proc = p;
		row.pg = pg;
		row.mod = m;
		row.lib = m->lib;
		resolve_row(&row, log->page_size);
		add_row(r, &row);
	}
}

/* One page of one library counts once per pid: a library unloaded and
 * loaded again, or the program before an exec in the same pid, dirtied
 * the same page at another time.  The most recent record stands (it
 * describes what the pid held last).  Only pages of a (pid, library) with
 * more than one module instance can repeat (a log has one record per
 * module and page), so only those are sorted and thinned out, after all
 * processes are in: a hash of every page cost more than the rest of the
 * report together. */
struct pidlib {
	struct pidlib_key {
		int32_t pid;
		const struct ct_lib *lib;
	} key;
	const struct ct_module *first;  /* the first module instance seen */
	int multi;                      /* a second one was seen */
	UT_hash_handle hh;
};

static struct pidlib *pidlib_find(struct ct_report *r, int32_t pid, const struct ct_lib *lib)
{
	struct pidlib_key key;
	struct pidlib *p;

	memset(&key, 0, sizeof(key));
	key.pid = pid;
	key.lib = lib;
	HASH_FIND(hh, r->pidlibs, &key, sizeof(key), p);
	return p;
}

static void note_instance(struct ct_report *r, int32_t pid, const struct ct_module *m)
{
	struct pidlib *p = pidlib_find(r, pid, m->lib);

	if (!p) {
		p = ct_xcalloc(1, sizeof(*p));
		p->key.pid = pid;
		p->key.lib = m->lib;
		p->first = m;
		HASH_ADD(hh, r->pidlibs, key, sizeof(p->key), p);
	} else if (p->first != m && !p->multi) {
		p->multi = 1;
		r->nmulti++;
	}
}

static void add_row(struct ct_report *r, const struct ct_row *row)
{
	r->rows[r->nrows++] = *row;
}

static const struct ct_row *sort_rows;

static int dup_cmp(const void *a, const void *b)
{
	const struct ct_row *x = &sort_rows[*(const size_t *)a], *y = &sort_rows[*(const size_t *)b];

	if (x->proc->log->pid != y->proc->log->pid)
		return x->proc->log->pid < y->proc->log->pid ? -1 : 1;
	if (x->lib != y->lib)
		return (uintptr_t)x->lib < (uintptr_t)y->lib ? -1 : 1;
	if (x->vaddr != y->vaddr)
		return x->vaddr < y->vaddr ? -1 : 1;
	if (x->pg->t_ns != y->pg->t_ns)
		return x->pg->t_ns < y->pg->t_ns ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* Keeps the latest row of each (pid, library, vaddr), rows in order. */
static void drop_repeated_rows(struct ct_report *r)
{
	size_t *idx, n = 0, i, out = 0;
	char *drop;

	if (!r->nmulti)
		return;
	idx = ct_xcalloc(r->nrows, sizeof(*idx));
	drop = ct_xcalloc(r->nrows, 1);
	for (i = 0; i < r->nrows; i++) {
		const struct pidlib *p = pidlib_find(r, r->rows[i].proc->log->pid, r->rows[i].lib);
		if (p && p->multi)
			idx[n++] = i;
	}
	sort_rows = r->rows;
	qsort(idx, n, sizeof(*idx), dup_cmp);
	for (i = 0; i + 1 < n; i++) {
		const struct ct_row *x = &r->rows[idx[i]], *y = &r->rows[idx[i + 1]];
		if (x->proc->log->pid == y->proc->log->pid && x->lib == y->lib && x->vaddr == y->vaddr)
			drop[idx[i]] = 1;       /* a later one follows */
	}
	for (i = 0; i < r->nrows; i++)
		if (!drop[i])
			r->rows[out++] = r->rows[i];
	r->nrows = out;
	free(idx);
	free(drop);
}

static void tally_row(struct ct_tally *t, const struct ct_row *row)
{
	t->dirty++;
	if (row->pg->when == CT_WHEN_ATTACH) {
		t->attach++;
		t->reloc += row->relocs > 0;
	} else if (row->pg->when == CT_WHEN_UNWATCHED) {
		t->unwatched++;
	} else {
		t->runtime++;
		t->writer_lost += ct_page_writer_lost(row->pg);
	}
	t->bytes += row->proc->log->page_size;
}

void ct_counts_row(struct ct_counts *c, const struct ct_row *row)
{
	tally_row(&c->all, row);
	if (row->phase == CT_PHASE_TEARDOWN)
		tally_row(&c->teardown, row);
}

static void tally_add(struct ct_tally *to, const struct ct_tally *from, int sign)
{
	to->dirty += sign * from->dirty;
	to->attach += sign * from->attach;
	to->runtime += sign * from->runtime;
	to->unwatched += sign * from->unwatched;
	to->reloc += sign * from->reloc;
	to->bytes += sign * from->bytes;
	to->writer_lost += sign * from->writer_lost;
}

void ct_counts_add(struct ct_counts *to, const struct ct_counts *from)
{
	tally_add(&to->all, &from->all, 1);
	tally_add(&to->teardown, &from->teardown, 1);
}

struct ct_tally ct_counts_live(const struct ct_counts *c)
{
	struct ct_tally t = c->all;

	tally_add(&t, &c->teardown, -1);
	return t;
}

/* Counts, once the rows are final. */
static void count_rows(struct ct_report *r)
{
	for (size_t i = 0; i < r->nrows; i++) {
		struct ct_row *row = &r->rows[i];

		ct_counts_row(&row->lib->n, row);
		ct_counts_row(&row->proc->n, row);
		count_section(row->lib, row->section);
	}
}

/* ---- phases (cowtrace_phase) ---- */

/* Inherited phases, per log: a forked child starts in the phase its
 * parent was in when the child's log was created. */
struct phase_ctx {
	struct ct_log *logs;
	size_t n;
	const struct ct_phase **start;   /* per log: phase at its start */
	uint8_t *done;
};

/* Last phase of log that started at or before t; NULL if none. */
static const struct ct_phase *own_phase(const struct ct_log *log, uint64_t t)
{
	size_t lo = 0, hi = log->nphases;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (log->phases[mid].t_ns <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &log->phases[lo - 1] : NULL;
}

/* The log of i's parent: same program (a fork, not an exec), pid = ppid,
 * created no later than i's log; the latest such.  -1 if none. */
static long parent_log(const struct phase_ctx *c, size_t i)
{
	const struct ct_log *me = &c->logs[i];
	long best = -1;
	size_t j;

	if (!me->exe)
		return -1;
	for (j = 0; j < c->n; j++) {
		const struct ct_log *p = &c->logs[j];

		if (j == i || p->pid != me->ppid || !p->exe || strcmp(p->exe, me->exe) ||
		    p->start_ns > me->start_ns)
			continue;
		if (best < 0 || p->start_ns > c->logs[best].start_ns)
			best = (long)j;
	}
	return best;
}

static const struct ct_phase *phase_at(struct phase_ctx *c, size_t i, uint64_t t, int depth);

static const struct ct_phase *start_phase(struct phase_ctx *c, size_t i, int depth)
{
	long p;

	if (c->done[i] || depth > 64)   /* depth: a pid-reuse loop */
		return c->start[i];
	p = parent_log(c, i);
	c->start[i] = p < 0 ? NULL : phase_at(c, (size_t)p, c->logs[i].start_ns, depth + 1);
	c->done[i] = 1;
	return c->start[i];
}

static const struct ct_phase *phase_at(struct phase_ctx *c, size_t i, uint64_t t, int depth)
{
	const struct ct_phase *ph = own_phase(&c->logs[i], t);

	return ph ? ph : start_phase(c, i, depth);
}

/* Each row's mark: the cowtrace_phase() in force when its page was first
 * written.  Marks subdivide main: in a version 2 log only main pages get
 * one; version 1 logs record no automatic phase, every page may.
 * Unwatched pages were not seen being written: none. */
static void assign_marks(struct ct_report *r, struct ct_log *logs, size_t n)
{
	struct phase_ctx c = { logs, n, NULL, NULL };
	size_t i;

	for (i = 0; i < n && !r->have_marks; i++)
		r->have_marks = logs[i].nphases > 0;
	for (i = 0; i < r->nrows; i++) {
		r->rows[i].mark = NULL;
		r->rows[i].mark_t = 0;
	}
	if (!r->have_marks)
		return;
	c.start = ct_xcalloc(n, sizeof(*c.start));
	c.done = ct_xcalloc(n, 1);
	for (i = 0; i < r->nrows; i++) {
		struct ct_row *row = &r->rows[i];
		const struct ct_phase *ph;

		if (row->pg->when == CT_WHEN_UNWATCHED ||
		    (row->proc->log->version >= 2 && row->phase != CT_PHASE_MAIN))
			continue;
		ph = phase_at(&c, (size_t)(row->proc->log - logs), row->pg->t_ns, 0);
		if (ph) {
			row->mark = ph->name;
			row->mark_t = ph->t_ns;
		}
	}
	free(c.start);
	free(c.done);
}

const char *ct_row_phase_label(const struct ct_row *row, char *buf, size_t size)
{
	const char *ph = ct_phase_name(row->phase);

	if (!ph)
		ph = "unknown";
	if (!row->mark)
		return ph;
	snprintf(buf, size, "%s/%s", ph, row->mark);
	return buf;
}

/* "main/NAME" names the mark NAME; other names are themselves. */
static const char *mark_part(const char *name)
{
	return strncmp(name, "main/", 5) == 0 ? name + 5 : name;
}

static int auto_phase(const char *name)
{
	return !strcmp(name, "startup") || !strcmp(name, "main") || !strcmp(name, "teardown");
}

int ct_phase_name_known(const char *name, const struct ct_log *logs, size_t n)
{
	const char *mark = mark_part(name);
	size_t i, j;

	if (mark == name && auto_phase(name))
		return 1;
	for (i = 0; i < n; i++)
		for (j = 0; j < logs[i].nphases; j++)
			if (strcmp(logs[i].phases[j].name, mark) == 0)
				return 1;
	return 0;
}

/* Does row pass --phase?  An automatic phase by name; a mark (NAME or
 * main/NAME): the main pages under it (a v1 log's pages under it). */
static int phase_selected(const struct ct_report *r, const struct ct_row *row)
{
	size_t i;

	if (!r->phase_sel)
		return 1;
	for (i = 0; i < r->nphase_sel; i++) {
		const char *name = r->phase_sel[i], *mark = mark_part(name);
		const char *ph = ct_phase_name(row->phase);

		if (mark == name && auto_phase(name)) {
			if (ph && strcmp(ph, name) == 0)
				return 1;
		} else if (row->mark && strcmp(row->mark, mark) == 0 &&
			   (row->phase == CT_PHASE_MAIN || row->phase == CT_PHASE_NONE)) {
			return 1;
		}
	}
	return 0;
}

static void filter_phases(struct ct_report *r)
{
	size_t i, out = 0;

	if (!r->phase_sel)
		return;
	for (i = 0; i < r->nrows; i++)
		if (phase_selected(r, &r->rows[i]))
			r->rows[out++] = r->rows[i];
	r->nrows = out;
}

static int lib_cmp(const void *a, const void *b)
{
	const struct ct_lib *x = *(struct ct_lib *const *)a, *y = *(struct ct_lib *const *)b;

	if (x->n.all.dirty != y->n.all.dirty)
		return x->n.all.dirty > y->n.all.dirty ? -1 : 1;
	return strcmp(x->key, y->key);
}

void ct_report_build(struct ct_report *r, struct ct_log *logs, size_t n)
{
	struct ct_lib *lib, *tmp;
	size_t i, npages = 0;

	for (i = 0; i < n; i++)
		npages += logs[i].npages;
	r->procs = ct_xcalloc(n, sizeof(*r->procs));
	r->rows = ct_xcalloc(npages, sizeof(*r->rows));
	for (i = 0; i < n; i++)
		if (!r->pid_set || logs[i].pid == r->pid)
			add_process(r, &logs[i]);
	drop_repeated_rows(r);
	assign_marks(r, logs, n);
	filter_phases(r);
	count_rows(r);
	for (i = 0; i < r->nprocs; i++)
		r->have_auto_phases |= r->procs[i].log->version >= 2;
	struct pidlib *pl, *pltmp;
	HASH_ITER(hh, r->pidlibs, pl, pltmp) {
		HASH_DEL(r->pidlibs, pl);
		free(pl);
	}

	r->libv = ct_xcalloc(HASH_COUNT(r->libs), sizeof(*r->libv));
	HASH_ITER(hh, r->libs, lib, tmp)
		if (!lib->is_tracer && ct_report_lib_selected(r, lib->path))
			r->libv[r->nlibv++] = lib;
	if (r->nlibv)
		qsort(r->libv, r->nlibv, sizeof(*r->libv), lib_cmp);
}

void ct_report_free(struct ct_report *r)
{
	struct ct_lib *lib, *tmp;
	size_t i;

	HASH_ITER(hh, r->libs, lib, tmp) {
		struct ct_sectcount *s, *stmp;

		HASH_ITER(hh, lib->sections, s, stmp) {
			HASH_DEL(lib->sections, s);
			free(s);
		}
		HASH_DEL(r->libs, lib);
		free(lib->key);
		free(lib->path);
		free(lib);
	}
	for (i = 0; i < r->nprocs; i++) {
		free(r->procs[i].code);
		free(r->procs[i].maxend);
	}
	free(r->procs);
	free(r->libv);
	free(r->rows);
	memset(r, 0, sizeof(*r));
}

/* The grouping key of row for by, written into buf. */
static void row_key(const struct ct_row *row, enum ct_by by, char *buf, size_t size)
{
	const char *lib = row->lib->path;

	switch (by) {
	case CT_BY_SECTION:
		snprintf(buf, size, "%s", row->section ? row->section : "(unknown)");
		break;
	case CT_BY_SYMBOL: {
		char sbuf[1024];
		const char *sym = ct_row_symbol(row, 0, sbuf, sizeof(sbuf));

		if (row->copy)          /* already says whose it is */
			snprintf(buf, size, "%s", sym);
		else
			snprintf(buf, size, "%s:%s", lib, sym);
		break;
	}
	case CT_BY_WRITER:
		if (row->pg->when == CT_WHEN_ATTACH)
			snprintf(buf, size, "(attach)");
		else if (row->pg->when == CT_WHEN_UNWATCHED)
			snprintf(buf, size, "(unwatched)");
		else {
			char wbuf[512];
			const char *w = ct_row_writer(row, wbuf, sizeof(wbuf));

			snprintf(buf, size, "%s:%s", row->wmod ? row->wmod->lib->path : "[unknown]",
				 w ? w : "(scan: no writer)");
		}
		break;
	case CT_BY_PAGE:
		snprintf(buf, size, "%s:0x%llx", lib, (unsigned long long)row->vaddr);
		break;
	case CT_BY_PHASE: {
		char pbuf[1024];

		snprintf(buf, size, "%s [%s]", lib, ct_row_phase_label(row, pbuf, sizeof(pbuf)));
		break;
	}
	default:
		snprintf(buf, size, "%s", lib);
		break;
	}
}

static struct ct_group *group_get(struct ct_group **hash, const char *key)
{
	struct ct_group *g;

	HASH_FIND_STR(*hash, key, g);
	if (!g) {
		g = ct_xcalloc(1, sizeof(*g));
		g->key = ct_xstrdup(key);
		g->writable = -1;
		g->order_t = UINT64_MAX;
		HASH_ADD_KEYPTR(hh, *hash, g->key, strlen(g->key), g);
	}
	return g;
}

static int group_cmp(const void *a, const void *b)
{
	const struct ct_group *x = a, *y = b;

	if (x->n.all.dirty != y->n.all.dirty)
		return x->n.all.dirty > y->n.all.dirty ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* --by phase: startup, main (its marks in the order they started),
 * teardown, unknown; then dirty pages desc */
static int phase_group_cmp(const void *a, const void *b)
{
	const struct ct_group *x = a, *y = b;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	if (x->order_t != y->order_t)
		return x->order_t < y->order_t ? -1 : 1;
	return group_cmp(a, b);
}

/* Rank of a phase in --by phase: unknown (CT_PHASE_NONE) last. */
static unsigned phase_rank(uint8_t phase)
{
	return phase == CT_PHASE_NONE ? 4 : phase;
}

static void process_name(const struct ct_proc *p, char *buf, size_t size)
{
	const struct ct_log *log = p->log;

	snprintf(buf, size, "%d %s", (int)log->pid,
		 log->exe && *log->exe ? log->exe : log->comm[0] ? log->comm : "?");
}

static int path_shared(const struct ct_report *r, const struct ct_lib *lib)
{
	size_t i;

	for (i = 0; i < r->nlibv; i++)
		if (r->libv[i] != lib && strcmp(r->libv[i]->path, lib->path) == 0)
			return 1;
	return 0;
}

struct ct_group *ct_report_group(const struct ct_report *r, enum ct_by by, size_t *n)
{
	struct ct_group *hash = NULL, *g, *tmp, *out;
	char key[8192];
	size_t i;

	if (by == CT_BY_LIBRARY) {
		out = ct_xcalloc(r->nlibv, sizeof(*out));
		for (i = 0; i < r->nlibv; i++) {
			const struct ct_lib *lib = r->libv[i];

			/* one path, several build-ids: tell the rows apart */
			if (path_shared(r, lib))
				snprintf(key, sizeof(key), "%s [%.8s]", lib->path,
					 lib->build_id[0] ? lib->build_id : "no build-id");
			else
				snprintf(key, sizeof(key), "%s", lib->path);
			out[i].key = ct_xstrdup(key);
			out[i].nproc = lib->nproc;
			out[i].n = lib->n;
			out[i].writable = (int64_t)lib->writable;
		}
		*n = r->nlibv;
		return out;
	}
	if (by == CT_BY_PROCESS) {
		out = ct_xcalloc(r->nprocs, sizeof(*out));
		for (i = 0; i < r->nprocs; i++) {
			const struct ct_proc *p = &r->procs[i];

			process_name(p, key, sizeof(key));
			out[i].key = ct_xstrdup(key);
			out[i].nproc = 1;
			out[i].n = p->n;
			out[i].writable = (int64_t)p->writable;
		}
		if (r->nprocs)
			qsort(out, r->nprocs, sizeof(*out), group_cmp);
		*n = r->nprocs;
		return out;
	}
	for (i = 0; i < r->nrows; i++) {
		const struct ct_row *row = &r->rows[i];

		row_key(row, by, key, sizeof(key));
		g = group_get(&hash, key);
		g->order = phase_rank(row->phase);
		if (row->mark_t < g->order_t)       /* a mark starts at its earliest start */
			g->order_t = row->mark_t;
		if (g->cur_log != row->proc->log) {
			g->cur_log = row->proc->log;
			g->nproc++;
		}
		ct_counts_row(&g->n, row);
	}
	*n = HASH_COUNT(hash);
	out = ct_xcalloc(*n, sizeof(*out));
	i = 0;
	HASH_ITER(hh, hash, g, tmp) {
		HASH_DEL(hash, g);
		out[i] = *g;
		memset(&out[i].hh, 0, sizeof(out[i].hh));
		i++;
		free(g);
	}
	if (*n)
		qsort(out, *n, sizeof(*out), by == CT_BY_PHASE ? phase_group_cmp : group_cmp);
	return out;
}

void ct_groups_free(struct ct_group *g, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(g[i].key);
	free(g);
}

void ct_resolve_frame(const struct ct_row *row, size_t i, struct ct_frame *fr)
{
	const struct ct_page *pg = row->pg;
	uint64_t addr = pg->frames[i];
	uint64_t look = (i == 0 && addr == pg->ip) || addr == 0 ? addr : addr - 1;

	fr->mod = ct_proc_module_at(row->proc, look, pg->t_ns);
	fr->fn = NULL;
	fr->off = addr;
	fr->addr = addr;
	fr->lookup = look;
	if (!fr->mod)
		return;
	fr->addr = addr - fr->mod->bias;
	fr->lookup = look - fr->mod->bias;
	fr->fn = ct_elf_func(fr->mod->lib->elf, look - fr->mod->bias);
	fr->off = addr - fr->mod->bias - (fr->fn ? fr->fn->addr : 0);
}

const char *ct_frame_label(const struct ct_module *mod, const struct ct_sym *fn, uint64_t addr,
			   char *buf, size_t size)
{
	if (fn)
		return fn->name;
	snprintf(buf, size, "%s+0x%" PRIx64, mod ? ct_basename(mod->path) : "[unknown]", addr);
	return buf;
}

const char *ct_row_writer(const struct ct_row *row, char *buf, size_t size)
{
	if (row->pg->when != CT_WHEN_RUNTIME || !row->pg->ip)
		return NULL;
	if (row->writer)
		return row->writer->name;
	return ct_frame_label(row->wmod, NULL, row->wmod ? row->pg->ip - row->wmod->bias : row->pg->ip,
			      buf, size);
}

const char *ct_row_symbol(const struct ct_row *row, int with_off, char *buf, size_t size)
{
	const struct ct_sym *s = row->copy ? row->copy : row->sym;
	char off[24] = "";

	if (!s) {
		if (row->section && !with_off)
			snprintf(buf, size, "%s", row->section);
		else if (row->section)   /* a section that starts inside the page: +0x0 */
			snprintf(buf, size, "%s+0x%" PRIx64, row->section,
				 row->label_addr > row->section_start ?
				 row->label_addr - row->section_start : 0);
		else
			snprintf(buf, size, "%s+0x%" PRIx64, ct_basename(row->lib->path), row->vaddr);
		return buf;
	}
	if (with_off && row->symoff)
		snprintf(off, sizeof(off), "+0x%llx", (unsigned long long)row->symoff);
	if (row->copy) {
		const char *lib = row->copy_mod ? strrchr(row->copy_mod->path, '/') : NULL;

		lib = lib ? lib + 1 : row->copy_mod ? row->copy_mod->path : "?";
		snprintf(buf, size, "%s:%s%s (copy in executable)", lib, s->name, off);
		return buf;
	}
	if (!*off)
		return s->name;
	snprintf(buf, size, "%s%s", s->name, off);
	return buf;
}
