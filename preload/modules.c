/* modules.c - which objects are loaded, where their writable ranges are, and
 * the sorted lookup table that the fault handler reads. */
#include <elf.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ct.h"

struct found {
	uintptr_t bias;
	const char *name;
	const ElfW(Phdr) *phdr;
	int phnum;
};

static struct found found[CT_MAX_LIVE];
static int nfound;

/* The modules loaded now, so that a scan costs what is loaded, not what
 * was ever loaded (programs that load and unload plugins for ever). */
static struct ct_module *live[CT_MAX_LIVE];
static int nlive;

static int collect(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	if (nfound == CT_MAX_LIVE)
		return 1;
	found[nfound++] = (struct found){ info->dlpi_addr, info->dlpi_name,
					  info->dlpi_phdr, info->dlpi_phnum };
	return 0;
}

static uintptr_t page_down(uintptr_t a) { return a & ~(uintptr_t)(ct.page_size - 1); }
static uintptr_t page_up(uintptr_t a) { return page_down(a + ct.page_size - 1); }

static int contains(const struct found *f, uintptr_t addr)
{
	for (int i = 0; i < f->phnum; i++) {
		const ElfW(Phdr) *p = &f->phdr[i];
		if (p->p_type == PT_LOAD && addr >= f->bias + p->p_vaddr &&
		    addr < f->bias + p->p_vaddr + p->p_memsz)
			return 1;
	}
	return 0;
}

static void read_build_id(struct ct_module *m)
{
	for (int i = 0; i < m->phnum; i++) {
		const ElfW(Phdr) *p = &m->phdr[i];
		if (p->p_type != PT_NOTE)
			continue;
		const char *n = (const char *)(m->bias + p->p_vaddr);
		const char *end = n + p->p_memsz;
		while (n + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)n;
			size_t nsz = (nh->n_namesz + 3) & ~3u, dsz = (nh->n_descsz + 3) & ~3u;
			const char *name = n + sizeof *nh, *desc = name + nsz;
			if (desc + dsz > end)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    !memcmp(name, "GNU", 4) && nh->n_descsz <= CT_MAX_BUILD_ID) {
				memcpy(m->build_id, desc, nh->n_descsz);
				m->build_id_len = nh->n_descsz;
				return;
			}
			n = desc + dsz;
		}
	}
}

/* Writable PT_LOAD ranges, page rounded, minus PT_GNU_RELRO (rounded the
 * way ld.so rounds it: the page holding the end of RELRO stays writable). */
static void compute_ranges(struct ct_module *m)
{
	for (int i = 0; i < m->phnum; i++) {
		const ElfW(Phdr) *p = &m->phdr[i];
		if (p->p_type == PT_GNU_RELRO && p->p_memsz) {
			m->relro_start = page_down(m->bias + p->p_vaddr);
			m->relro_end = page_down(m->bias + p->p_vaddr + p->p_memsz);
		}
	}
	for (int i = 0; i < m->phnum && m->nranges < CT_MAX_RANGES; i++) {
		const ElfW(Phdr) *p = &m->phdr[i];
		if (p->p_type != PT_LOAD || !(p->p_flags & PF_W) || !p->p_memsz)
			continue;
		int prot = PROT_READ | PROT_WRITE | (p->p_flags & PF_X ? PROT_EXEC : 0);
		uintptr_t s = page_down(m->bias + p->p_vaddr);
		uintptr_t e = page_up(m->bias + p->p_vaddr + p->p_memsz);
		if (m->relro_end > m->relro_start && m->relro_start < e && m->relro_end > s) {
			if (m->relro_start > s && m->nranges < CT_MAX_RANGES - 1)
				m->ranges[m->nranges++] = (struct ct_range){ .start = s, .end = m->relro_start, .prot = prot };
			s = m->relro_end > s ? m->relro_end : s;
		}
		if (s < e)
			m->ranges[m->nranges++] = (struct ct_range){ .start = s, .end = e, .prot = prot };
	}
	/* every PT_LOAD page (what scans read) and every writable one, RELRO
	 * included (segments are sorted by address; a page two of them share
	 * counts once) */
	uintptr_t wend = 0;
	m->lo = UINTPTR_MAX;
	for (int i = 0; i < m->phnum; i++) {
		const ElfW(Phdr) *p = &m->phdr[i];
		if (p->p_type != PT_LOAD || !p->p_memsz)
			continue;
		uintptr_t s = page_down(m->bias + p->p_vaddr);
		uintptr_t e = page_up(m->bias + p->p_vaddr + p->p_memsz);
		m->lo = s < m->lo ? s : m->lo;
		m->hi = e > m->hi ? e : m->hi;
		if (p->p_flags & PF_W) {
			s = s > wend ? s : wend;
			if (e > s)
				m->writable_pages += (uint32_t)((e - s) / ct.page_size);
			wend = e > wend ? e : wend;
		}
	}
	if (m->lo > m->hi)
		m->lo = m->hi = 0;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Decides whether a new object is tracked; sets flags and reason. */
static void classify(struct ct_module *m, const struct found *f)
{
	const char *b = base_name(m->path);
	if (f->bias == getauxval(AT_BASE) && f->bias) {
		m->reason = CT_WHY_LOADER;
	} else if (contains(f, (uintptr_t)&ct) || !strncmp(b, "libunwind", 9) ||
		   !strncmp(b, "libcowtrace", 11)) {
		m->reason = CT_WHY_TRACER;
	} else if (!strncmp(b, "liblzma", 7)) {
		m->reason = CT_WHY_UNWINDER;
	} else if (ct.opt.nincl || ct.opt.nexcl) {
		int keep = !ct.opt.nincl;
		for (int i = 0; i < ct.opt.nincl; i++)
			keep |= ct_glob_match(ct.opt.incl[i], m->path);
		for (int i = 0; i < ct.opt.nexcl; i++)
			if (ct_glob_match(ct.opt.excl[i], m->path))
				keep = 0;
		if (!keep)
			m->reason = CT_WHY_EXCLUDED;
	}
	if (m->reason)
		m->flags |= CT_MODF_UNTRACKED;
}

static char *copy_path(const char *name, int is_main)
{
	char buf[PATH_MAX];
	const char *src = name;
	if (is_main) {
		ssize_t n = ct_sys_readlink("/proc/self/exe", buf, sizeof buf - 1);
		buf[n > 0 ? n : 0] = 0;
		src = buf;
	} else if (name[0] != '/' && strchr(name, '/') && realpath(name, buf)) {
		src = buf;
	}
	size_t len = strlen(src);
	char *p = ct_arena_alloc(len + 1);
	if (p)
		memcpy(p, src, len + 1);
	return p ? p : (char *)"";
}

static struct ct_module *add_module(const struct found *f, int is_main)
{
	if (ct.nmodules == CT_MAX_MODULES || nlive == CT_MAX_LIVE) {
		static int said;
		if (!said++)
			ct_warn("more than 16384 objects loaded, or 4096 at once: "
				"later ones are not traced", NULL);
		return NULL;
	}
	struct ct_module *m = &ct.modules[ct.nmodules];
	memset(m, 0, sizeof *m);
	m->id = ct.nmodules;
	m->bias = f->bias;
	m->phdr = f->phdr;
	m->phnum = f->phnum;
	m->path = copy_path(f->name, is_main);
	if (is_main)
		m->flags |= CT_MODF_MAIN;
	read_build_id(m);
	compute_ranges(m);
	if (m->hi > m->lo)
		m->seen = ct_arena_alloc((m->hi - m->lo) / ct.page_size);
	classify(m, f);
	ct.nmodules++;
	atomic_store(&m->live, 1);
	live[nlive++] = m;
	return m;
}

/* m is unloaded: out of the live list, the log says so, its share of the
 * VMA budget goes back.  The caller publishes a new table. */
static void unload(int i)
{
	struct ct_module *m = live[i];
	live[i] = live[--nlive];
	atomic_store(&m->live, 0);
	ct_log_unload(m);
	ct_vma_refund(m);
	ct_unwind_forget();   /* its unwind rules must not outlive it */
}

/* The modules loaded now (caller holds ct.lock; the list changes under it). */
struct ct_module *const *ct_modules_live(int *n)
{
	*n = nlive;
	return live;
}

/* Called by the audit module before an object is unmapped.  Caller holds
 * ct.lock. */
void ct_modules_unload_at(uintptr_t bias, const void *phdr)
{
	int changed = 0;
	for (int i = nlive - 1; i >= 0; i--)
		if (live[i]->bias == bias && (!phdr || (const void *)live[i]->phdr == phdr)) {
			unload(i);
			changed = 1;
		}
	if (changed)
		ct_modules_publish();
}

static int by_start(const void *a, const void *b)
{
	const struct ct_span *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Builds a new lookup table from the live tracked modules and publishes it.
 * The old one is left in place: a handler may still be reading it. */
void ct_modules_publish(void)
{
	size_t n = 0;
	for (int i = 0; i < nlive; i++) {
		struct ct_module *m = live[i];
		if (!(m->flags & CT_MODF_UNTRACKED))
			for (int r = 0; r < m->nranges; r++)
				n += m->ranges[r].state != NULL;
	}
	struct ct_table *t = ct_arena_alloc(sizeof *t + n * sizeof t->span[0]);
	if (!t)
		return;
	t->n = 0;
	for (int i = 0; i < nlive; i++) {
		struct ct_module *m = live[i];
		if (m->flags & CT_MODF_UNTRACKED)
			continue;
		for (int r = 0; r < m->nranges; r++)
			if (m->ranges[r].state && t->n < n)
				t->span[t->n++] = (struct ct_span){ m->ranges[r].start,
					m->ranges[r].end, m, m->ranges[r].state, m->ranges[r].prot };
	}
	qsort(t->span, t->n, sizeof t->span[0], by_start);
	atomic_store_explicit(&ct.table, t, memory_order_release);
}

/* SIGNAL-SAFE: the first span of the current table that ends above addr
 * (spans are sorted and disjoint), and the table's end in *end. */
static const struct ct_span *ct_span_first(uintptr_t addr, const struct ct_span **end)
{
	struct ct_table *t = atomic_load_explicit(&ct.table, memory_order_acquire);
	if (!t) {
		*end = NULL;
		return NULL;
	}
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (addr < t->span[mid].end)
			hi = mid;
		else
			lo = mid + 1;
	}
	*end = t->span + t->n;
	return t->span + lo;
}

/* SIGNAL-SAFE: fn(span, first page, end) for each span of a live module
 * that [lo, hi) overlaps: one search, then only the overlapping spans (a
 * large read into the heap costs one search). */
void ct_spans_each(uintptr_t lo, uintptr_t hi, ct_span_fn *fn, void *arg)
{
	const struct ct_span *end, *s = ct_span_first(lo, &end);
	for (; s && s < end && s->start < hi; s++)
		if (atomic_load(&s->mod->live))
			fn(s, lo > s->start ? lo & ~(uintptr_t)(ct.page_size - 1) : s->start,
			   hi < s->end ? hi : s->end, arg);
}

struct pages_ctx {
	ct_page_fn *fn;
	void *arg;
};

static void pages_of_span(const struct ct_span *s, uintptr_t a, uintptr_t e, void *arg)
{
	struct pages_ctx *c = arg;
	for (; a < e; a += ct.page_size)
		c->fn(s->mod, a, s->state + (a - s->start) / ct.page_size, c->arg);
}

/* SIGNAL-SAFE: fn(module, page, its state) for each tracked page of a
 * live module in [lo, hi). */
void ct_pages_each(uintptr_t lo, uintptr_t hi, ct_page_fn *fn, void *arg)
{
	struct pages_ctx c = { fn, arg };
	ct_spans_each(lo, hi, pages_of_span, &c);
}

/* SIGNAL-SAFE */
struct ct_module *ct_module_find(uintptr_t addr, _Atomic uint8_t **state)
{
	const struct ct_span *end, *s = ct_span_first(addr, &end);
	if (!s || s == end || addr < s->start || !atomic_load(&s->mod->live))
		return NULL;
	*state = s->state + (addr - s->start) / ct.page_size;
	return s->mod;
}

static int by_key(const void *a, const void *b)
{
	const struct ct_module *x = *(struct ct_module *const *)a, *y = *(struct ct_module *const *)b;
	if (x->bias != y->bias)
		return x->bias < y->bias ? -1 : 1;
	return x->phdr < y->phdr ? -1 : x->phdr > y->phdr;
}

/* The live module loaded at f's bias with f's program headers, if any;
 * `sorted` holds n live modules ordered by_key. */
static struct ct_module *find_live(struct ct_module **sorted, int n, const struct found *f)
{
	struct ct_module key = { .bias = f->bias, .phdr = f->phdr }, *kp = &key;
	struct ct_module **hit = bsearch(&kp, sorted, (size_t)n, sizeof *sorted, by_key);
	return hit ? *hit : NULL;
}

/* Finds objects that appeared or went away since the last scan.  New ones
 * are described in the log and attached; gone ones leave the table before
 * anything else can be mapped at their addresses.  Costs
 * O((found + live) log live), whatever was loaded before.  Caller holds
 * ct.lock. */
void ct_modules_scan(int attach)
{
	static struct ct_module *sorted[CT_MAX_LIVE];
	nfound = 0;
	dl_iterate_phdr(collect, NULL);

	int nsorted = nlive;
	memcpy(sorted, live, (size_t)nlive * sizeof live[0]);
	qsort(sorted, (size_t)nsorted, sizeof sorted[0], by_key);
	for (int i = 0; i < nlive; i++)
		live[i]->present = 0;
	int changed = 0;
	for (int k = 0; k < nfound; k++) {
		struct ct_module *m = find_live(sorted, nsorted, &found[k]);
		if (m) {
			m->present = 1;
			continue;
		}
		const char *nm = found[k].name;
		if ((k && !nm[0]) || !strncmp(nm, "linux-vdso", 10) || !strncmp(nm, "linux-gate", 10))
			continue;           /* the vdso: nothing of it is ours to track */
		m = add_module(&found[k], k == 0);
		if (!m)
			continue;
		m->present = 1;
		ct_log_module(m);
		if (attach)
			ct_protect_attach(m);
		changed = 1;
	}
	for (int i = nlive - 1; i >= 0; i--)
		if (!live[i]->present) {
			unload(i);
			changed = 1;
		}
	if (changed)
		ct_modules_publish();
}
