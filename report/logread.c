/* logread.c - parse one cowtrace log (untrusted bytes) into struct ct_log. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logread.h"
#include "util.h"

/* Open-addressing table of indices (slot = index + 1, 0 = empty).  The keys
 * live in the arrays the indices point into; callbacks hash and compare. */
struct itab {
	uint32_t *slot;
	size_t cap, n;
};

typedef uint64_t (*itab_hash_fn)(const struct ct_log *log, uint32_t idx);

static uint32_t *itab_slot(struct itab *t, uint64_t h, const struct ct_log *log,
			   int (*eq)(const struct ct_log *, uint32_t, const void *),
			   const void *key)
{
	size_t mask = t->cap - 1, i = h & mask;

	while (t->slot[i] && !eq(log, t->slot[i] - 1, key))
		i = (i + 1) & mask;
	return &t->slot[i];
}

/* Make room for one more entry. */
static void itab_reserve(struct itab *t, const struct ct_log *log, itab_hash_fn hash)
{
	uint32_t *old = t->slot;
	size_t oldcap = t->cap, i;

	if (t->slot && (t->n + 1) * 2 <= t->cap)
		return;
	t->cap = oldcap ? oldcap * 2 : 64;
	t->slot = ct_xcalloc(t->cap, sizeof(*t->slot));
	for (i = 0; i < oldcap; i++) {
		size_t j;

		if (!old[i])
			continue;
		j = hash(log, old[i] - 1) & (t->cap - 1);
		while (t->slot[j])
			j = (j + 1) & (t->cap - 1);
		t->slot[j] = old[i];
	}
	free(old);
}

/* Parser state for one buffer. */
struct parser {
	const uint8_t *buf;
	size_t len;
	struct ct_log *log;
	struct itab mods;         /* module id -> index */
	struct itab pages;        /* (module id, page) -> index */
	int have_process;
	uint64_t last_scan;       /* start of the last SCAN record read, 0: none */
};

static uint64_t mod_hash(const struct ct_log *log, uint32_t idx)
{
	return ct_hash64(log->mods[idx].id);
}

static int mod_eq(const struct ct_log *log, uint32_t idx, const void *key)
{
	return log->mods[idx].id == *(const uint32_t *)key;
}

struct page_key {
	uint32_t module;
	uint64_t page;
};

static uint64_t page_hash_of(uint32_t module, uint64_t page)
{
	return ct_hash64(page ^ ((uint64_t)module << 52) ^ module);
}

static uint64_t page_hash(const struct ct_log *log, uint32_t idx)
{
	return page_hash_of(log->pages[idx].module, log->pages[idx].page);
}

static int page_eq(const struct ct_log *log, uint32_t idx, const void *key)
{
	const struct page_key *k = key;

	return log->pages[idx].module == k->module && log->pages[idx].page == k->page;
}

static void bad_record(struct parser *ps, size_t off, const char *what)
{
	ps->log->nerrors++;
	ct_err(ps->log->name, "record at offset %zu: %s; record skipped", off, what);
}

static struct ct_module *find_module(struct parser *ps, uint32_t id)
{
	uint32_t *slot;

	if (!ps->mods.slot)
		return NULL;
	slot = itab_slot(&ps->mods, ct_hash64(id), ps->log, mod_eq, &id);
	return *slot ? &ps->log->mods[*slot - 1] : NULL;
}

static void read_process(struct parser *ps, const uint8_t *rp, uint32_t size, size_t off)
{
	struct ct_log *log = ps->log;
	struct ct_rec_process r;
	const char *data = (const char *)rp + offsetof(struct ct_rec_process, data);
	uint64_t room = size - offsetof(struct ct_rec_process, data);
	size_t i, n, start;

	memcpy(&r, rp, sizeof(r));
	if ((uint64_t)r.exe_len + r.argv_len > room) {
		bad_record(ps, off, "process record: exe/argv lengths exceed the record");
		return;
	}
	if (ps->have_process)
		return;                 /* only the first one counts */
	ps->have_process = 1;
	log->pid = r.pid;
	log->ppid = r.ppid;
	memcpy(log->comm, r.comm, sizeof(r.comm));
	log->comm[16] = '\0';
	log->exe = ct_xstrndup(data, strnlen(data, r.exe_len));

	data += r.exe_len;
	for (i = 0, n = 0; i < r.argv_len; i++)
		if (data[i] == '\0')
			n++;
	if (r.argv_len && data[r.argv_len - 1] != '\0')
		n++;                    /* last string lacks its NUL */
	log->argv = ct_xcalloc(n + 1, sizeof(char *));
	for (i = 0, start = 0; i < r.argv_len; i++) {
		if (data[i] == '\0' || i + 1 == r.argv_len) {
			size_t end = data[i] == '\0' ? i : i + 1;

			log->argv[log->argc++] = ct_xstrndup(data + start, end - start);
			start = i + 1;
		}
	}
}

static void read_module(struct parser *ps, const uint8_t *rp, uint32_t size, size_t off)
{
	struct ct_log *log = ps->log;
	struct ct_rec_module r;
	struct ct_module *m;
	uint64_t room = size - sizeof(r), need;
	const uint8_t *data;
	uint32_t *slot;

	memcpy(&r, rp, sizeof(r));
	need = (uint64_t)r.nranges * sizeof(struct ct_rec_range) + r.build_id_len + r.path_len;
	if (need > room) {
		bad_record(ps, off, "module record: ranges/build-id/path exceed the record");
		return;
	}
	if (r.build_id_len > CT_MAX_BUILD_ID) {
		bad_record(ps, off, "module record: build-id too long");
		return;
	}
	if (find_module(ps, r.id)) {
		bad_record(ps, off, "module record: duplicate module id");
		return;
	}
	ct_grow(&log->mods, &log->capmods, log->nmods + 1, sizeof(*log->mods));
	m = &log->mods[log->nmods];
	memset(m, 0, sizeof(*m));
	m->id = r.id;
	m->flags = r.flags;
	m->untracked_reason = r.untracked_reason;
	m->writable_pages = r.writable_pages;
	m->bias = r.bias;
	m->relro_start = r.relro_start;
	m->relro_end = r.relro_end;
	m->t_load = r.t_ns;
	m->t_unload = UINT64_MAX;
	m->nranges = r.nranges;
	m->ranges = ct_xcalloc(r.nranges, sizeof(*m->ranges));
	memcpy(m->ranges, rp + sizeof(r), (size_t)r.nranges * sizeof(*m->ranges));
	data = rp + sizeof(r) + (size_t)r.nranges * sizeof(*m->ranges);
	m->build_id_len = r.build_id_len;
	memcpy(m->build_id, data, r.build_id_len);
	data += r.build_id_len;
	m->path = ct_xstrndup((const char *)data, strnlen((const char *)data, r.path_len));

	itab_reserve(&ps->mods, log, mod_hash);
	slot = itab_slot(&ps->mods, ct_hash64(r.id), log, mod_eq, &r.id);
	*slot = (uint32_t)log->nmods + 1;
	ps->mods.n++;
	log->nmods++;
}

static void read_unload(struct parser *ps, const uint8_t *rp)
{
	struct ct_rec_unload r;
	struct ct_module *m;

	memcpy(&r, rp, sizeof(r));
	m = find_module(ps, r.module);
	if (m && m->t_unload == UINT64_MAX)
		m->t_unload = r.t_ns;
}

/* How much a record of this kind says about a page: a dirty page beats an
 * unprotected (clean) one; attach beats runtime (the page was already
 * dirty); either beats unwatched, which a scan writes after the fact and
 * which only tells that the page was dirty by then. */
static int when_rank(uint8_t when)
{
	switch (when) {
	case CT_WHEN_ATTACH:  return 3;
	case CT_WHEN_RUNTIME: return 2;
	case CT_WHEN_UNWATCHED: return 1;
	}
	return 0;
}

/* Add one page, keeping one entry per (module, page), the most telling
 * record (when_rank), of two runtime records the later.  Takes over
 * np->frames. */
static void add_page(struct parser *ps, struct ct_page *np)
{
	struct ct_log *log = ps->log;
	struct page_key key = { np->module, np->page };
	struct ct_page *e;
	uint32_t *slot;
	int old_rank, new_rank;

	itab_reserve(&ps->pages, log, page_hash);
	slot = itab_slot(&ps->pages, page_hash_of(key.module, key.page), log, page_eq, &key);
	if (!*slot) {
		ct_grow(&log->pages, &log->cappages, log->npages + 1, sizeof(*log->pages));
		log->pages[log->npages] = *np;
		*slot = (uint32_t)++log->npages;
		ps->pages.n++;
		return;
	}
	e = &log->pages[*slot - 1];
	old_rank = when_rank(e->when);
	new_rank = when_rank(np->when);
	if (e->when == np->when)
		log->nduplicates++;
	else if ((e->when == CT_WHEN_ATTACH && np->when == CT_WHEN_RUNTIME) ||
		 (e->when == CT_WHEN_RUNTIME && np->when == CT_WHEN_ATTACH))
		log->nconflicts++;
	/* two runtime records (this tracer writes one per page): the later
	 * describes the copy the process has now */
	if (new_rank > old_rank || (new_rank == old_rank && np->when == CT_WHEN_RUNTIME)) {
		free(e->frames);
		*e = *np;
		return;
	}
	free(np->frames);
}

static uint64_t page_of(const struct ct_log *log, uint64_t addr)
{
	return addr & ~(uint64_t)(log->page_size - 1);
}

/* A phase byte of a v2 record; CT_PHASE_NONE for a value outside the format. */
static uint8_t phase_of(uint32_t v)
{
	return v <= CT_PHASE_TEARDOWN ? (uint8_t)v : CT_PHASE_NONE;
}

static void read_page(struct parser *ps, const uint8_t *rp)
{
	struct ct_rec_page r;
	struct ct_page p;

	memcpy(&r, rp, sizeof(r));
	if (r.kind != CT_PAGE_ATTACH && r.kind != CT_PAGE_UNPROTECTED && r.kind != CT_PAGE_UNWATCHED &&
	    r.kind != CT_PAGE_WRITTEN)
		return;                 /* a kind from a newer writer */
	memset(&p, 0, sizeof(p));
	p.module = r.module;
	p.page = page_of(ps->log, r.page);
	p.addr = r.page;
	p.t_ns = r.t_ns;
	p.reason = r.reason;
	if (r.kind == CT_PAGE_WRITTEN || r.kind == CT_PAGE_UNWATCHED)
		p.since_ns = ps->last_scan ? ps->last_scan : ps->log->start_ns;
	/* scan backend: a first write seen by PAGEMAP_SCAN, without writer */
	p.when = r.kind == CT_PAGE_WRITTEN ? CT_WHEN_RUNTIME :
		 r.kind == CT_PAGE_ATTACH ? CT_WHEN_ATTACH :
		 r.kind == CT_PAGE_UNWATCHED ? CT_WHEN_UNWATCHED : CT_WHEN_UNPROTECTED;
	if (ps->log->version < 2)
		p.reason = (uint16_t)(r.reason | r.phase << 8); /* v1: one uint16 */
	else
		p.phase = phase_of(r.phase);
	add_page(ps, &p);
}

static void read_fault(struct parser *ps, const uint8_t *rp, uint32_t size, size_t off)
{
	struct ct_rec_fault r;
	struct ct_page p;

	memcpy(&r, rp, sizeof(r));
	if (r.nframes > CT_MAX_FRAMES ||
	    (uint64_t)r.nframes * sizeof(uint64_t) > size - sizeof(r)) {
		bad_record(ps, off, "fault record: frame count exceeds the record");
		return;
	}
	memset(&p, 0, sizeof(p));
	p.module = r.module;
	p.page = page_of(ps->log, r.page);
	p.addr = r.addr;
	p.ip = r.ip;
	p.t_ns = r.t_ns;
	p.tid = r.tid;
	p.via = r.via;
	p.when = CT_WHEN_RUNTIME;
	if (ps->log->version >= 2)
		p.phase = phase_of(r.phase);
	p.nframes = r.nframes;
	if (r.nframes) {
		p.frames = ct_xmalloc(r.nframes * sizeof(uint64_t));
		memcpy(p.frames, rp + sizeof(r), r.nframes * sizeof(uint64_t));
	}
	add_page(ps, &p);
}

static void read_note(struct parser *ps, const uint8_t *rp, uint32_t size, size_t off)
{
	struct ct_log *log = ps->log;
	struct ct_rec_note r;
	struct ct_note *n;
	size_t at = offsetof(struct ct_rec_note, text);

	memcpy(&r, rp, sizeof(r));
	if (r.len > size - at) {
		bad_record(ps, off, "note record: text length exceeds the record");
		return;
	}
	ct_grow(&log->notes, &log->capnotes, log->nnotes + 1, sizeof(*log->notes));
	n = &log->notes[log->nnotes++];
	n->module = r.module;    /* an id until resolve() */
	n->reason = r.reason;
	n->t_ns = r.t_ns;
	n->len = r.len;
	n->text = ct_xstrndup((const char *)rp + at, r.len);
}

static void read_phase(struct parser *ps, const uint8_t *rp, uint32_t size, size_t off)
{
	struct ct_log *log = ps->log;
	struct ct_rec_phase r;
	struct ct_phase *ph;
	size_t at = offsetof(struct ct_rec_phase, name);

	memcpy(&r, rp, sizeof(r));
	if (r.len > size - at) {
		bad_record(ps, off, "phase record: name length exceeds the record");
		return;
	}
	ct_grow(&log->phases, &log->capphases, log->nphases + 1, sizeof(*log->phases));
	ph = &log->phases[log->nphases++];
	ph->t_ns = r.t_ns;
	ph->tid = r.tid;
	ph->seq = log->nphases - 1;
	ph->name = ct_xstrndup((const char *)rp + at, r.len);
}

static void read_stage(struct parser *ps, const uint8_t *rp)
{
	struct ct_log *log = ps->log;
	struct ct_rec_stage r;
	struct ct_stage *st;

	memcpy(&r, rp, sizeof(r));
	ct_grow(&log->stages, &log->capstages, log->nstages + 1, sizeof(*log->stages));
	st = &log->stages[log->nstages++];
	st->t_ns = r.t_ns;
	st->tid = r.tid;
	st->phase = phase_of(r.phase);
}

/* A scan point: the pages it found are logged before it, so the window of
 * a page found by the next one starts at this one's start. */
static void read_scan(struct parser *ps, const uint8_t *rp)
{
	struct ct_rec_scan r;

	memcpy(&r, rp, sizeof(r));
	ps->last_scan = r.t_ns;
}

static void read_exit(struct parser *ps, const uint8_t *rp)
{
	struct ct_rec_exit r;

	memcpy(&r, rp, sizeof(r));
	ps->log->has_exit = 1;
	ps->log->exit_status = r.status;
	ps->log->exit_ns = r.t_ns;
}

/* Smallest size a record of a known type may have; 0 for unknown types. */
static size_t min_size(uint16_t type)
{
	switch (type) {
	case CT_REC_PROCESS: return sizeof(struct ct_rec_process);
	case CT_REC_MODULE:  return sizeof(struct ct_rec_module);
	case CT_REC_UNLOAD:  return sizeof(struct ct_rec_unload);
	case CT_REC_PAGE:    return sizeof(struct ct_rec_page);
	case CT_REC_FAULT:   return sizeof(struct ct_rec_fault);
	case CT_REC_NOTE:    return sizeof(struct ct_rec_note);
	case CT_REC_PHASE:   return sizeof(struct ct_rec_phase);
	case CT_REC_EXIT:    return sizeof(struct ct_rec_exit);
	case CT_REC_STAGE:   return sizeof(struct ct_rec_stage);
	case CT_REC_SCAN:    return sizeof(struct ct_rec_scan);
	}
	return 0;
}

static void read_record(struct parser *ps, uint16_t type, const uint8_t *rp,
			uint32_t size, size_t off)
{
	size_t min = min_size(type);

	if (!min)
		return;                 /* unknown type: skipped by size */
	if (size < min) {
		bad_record(ps, off, "record too small for its type");
		return;
	}
	switch (type) {
	case CT_REC_PROCESS: read_process(ps, rp, size, off); break;
	case CT_REC_MODULE:  read_module(ps, rp, size, off); break;
	case CT_REC_UNLOAD:  read_unload(ps, rp); break;
	case CT_REC_PAGE:    read_page(ps, rp); break;
	case CT_REC_FAULT:   read_fault(ps, rp, size, off); break;
	case CT_REC_NOTE:    read_note(ps, rp, size, off); break;
	case CT_REC_PHASE:   read_phase(ps, rp, size, off); break;
	case CT_REC_EXIT:    read_exit(ps, rp); break;
	case CT_REC_STAGE:   read_stage(ps, rp); break;
	case CT_REC_SCAN:    read_scan(ps, rp); break;
	default:             break;
	}
}

static int phase_cmp(const void *a, const void *b)
{
	const struct ct_phase *x = a, *y = b;

	if (x->t_ns != y->t_ns)
		return x->t_ns < y->t_ns ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Phases in time order (records of several threads may commit out of
 * order); the record order decides between equal times. */
static void sort_phases(struct ct_log *log)
{
	if (log->nphases > 1)
		qsort(log->phases, log->nphases, sizeof(*log->phases), phase_cmp);
}

/* Turn module ids into indices; drop pages of unknown modules. */
static void resolve(struct parser *ps)
{
	struct ct_log *log = ps->log;
	size_t i, j;

	sort_phases(log);
	for (i = 0, j = 0; i < log->npages; i++) {
		struct ct_page *p = &log->pages[i];
		struct ct_module *m = find_module(ps, p->module);

		if (!m) {
			log->nunknown_module++;
			free(p->frames);
			continue;
		}
		p->module = (uint32_t)(m - log->mods);
		if (p->when == CT_WHEN_UNPROTECTED)
			m->nunprotected++;
		log->pages[j++] = *p;
	}
	log->npages = j;
	for (i = 0; i < log->nnotes; i++) {
		struct ct_module *m = NULL;

		if (log->notes[i].module != UINT32_MAX)
			m = find_module(ps, log->notes[i].module);
		log->notes[i].module = m ? (uint32_t)(m - log->mods) : UINT32_MAX;
	}
	if (!log->exe)
		for (i = 0; i < log->nmods; i++)
			if (log->mods[i].flags & CT_MODF_MAIN) {
				log->exe = ct_xstrdup(log->mods[i].path);
				break;
			}
	if (log->nunknown_module)
		ct_err(log->name, "%zu page records name unknown modules; ignored",
		       log->nunknown_module);
	if (log->nconflicts)
		ct_err(log->name, "%zu pages recorded both at attach and at run time; counted as attach",
		       log->nconflicts);
}

static int read_header(struct ct_log *log, const uint8_t *buf, size_t len,
		       struct ct_log_header *h)
{
	if (len < sizeof(*h)) {
		ct_err(log->name, "not a cowtrace log (only %zu bytes)", len);
		return -1;
	}
	memcpy(h, buf, sizeof(*h));
	if (memcmp(h->magic, CT_LOG_MAGIC, sizeof(h->magic)) != 0) {
		ct_err(log->name, "not a cowtrace log (bad magic)");
		return -1;
	}
	if (h->version > CT_LOG_VERSION) {
		ct_err(log->name, "log format version %u is newer than this tool (version %u); skipped",
		       h->version, CT_LOG_VERSION);
		return -1;
	}
	if (h->version == 0) {
		ct_err(log->name, "bad log format version 0; skipped");
		return -1;
	}
	if (h->header_size < sizeof(*h) || h->header_size % CT_REC_ALIGN ||
	    h->header_size > CT_REC_MAX_SIZE) {
		ct_err(log->name, "bad header size %u; skipped", h->header_size);
		return -1;
	}
	if (h->header_size > len) {
		ct_err(log->name, "truncated header (%zu of %u bytes); skipped", len, h->header_size);
		return -1;
	}
	log->version = h->version;
	log->flags = h->flags;
	log->backend = h->backend;
	log->pid = h->pid;
	log->ppid = h->ppid;
	log->dropped = h->dropped;
	log->start_ns = h->start_mono_ns;
	log->page_size = h->page_size;
	if (log->page_size < 512 || log->page_size > (1u << 30) ||
	    (log->page_size & (log->page_size - 1))) {
		ct_err(log->name, "bad page size %u; assuming 4096", h->page_size);
		log->page_size = 4096;
	}
	return 0;
}

int ct_log_parse(const void *vbuf, size_t len, const char *name, struct ct_log *out)
{
	const uint8_t *buf = vbuf;
	struct ct_log_header h;
	struct parser ps;
	size_t off, end;
	int truncated, short_file;

	memset(out, 0, sizeof(*out));
	out->name = ct_xstrdup(name);
	out->exit_status = -1;
	if (read_header(out, buf, len, &h) < 0)
		return -1;

	memset(&ps, 0, sizeof(ps));
	ps.buf = buf;
	ps.len = len;
	ps.log = out;
	off = h.header_size;
	short_file = h.used > len - off;  /* the file ends before its records do */
	end = short_file ? len : off + h.used;
	truncated = short_file;
	while (off < end) {
		struct ct_rec r;

		if (end - off < sizeof(r)) {
			truncated = 1;
			break;
		}
		memcpy(&r, buf + off, sizeof(r));
		if (r.size == 0) {
			truncated = 1;
			break;
		}
		if (r.size % CT_REC_ALIGN || r.size < sizeof(r) || r.size > CT_REC_MAX_SIZE) {
			out->nerrors++;
			ct_err(name, "record at offset %zu: bad size %u; ignoring the rest of the log",
			       off, r.size);
			break;
		}
		if (r.size > end - off) {
			if (!short_file) {
				out->nerrors++;
				ct_err(name, "record at offset %zu: size %u goes beyond the end of the data; ignoring the rest of the log",
				       off, r.size);
			}
			break;
		}
		if (r.type == 0) {
			out->nuncommitted++;
		} else {
			read_record(&ps, r.type, buf + off, r.size, off);
			out->nrecords++;
		}
		off += r.size;
	}
	if (truncated) {
		out->truncated = 1;
		ct_err(name, "truncated after %zu records", out->nrecords);
	}
	resolve(&ps);
	out->complete = (out->flags & CT_LOGF_COMPLETE) || out->has_exit;
	free(ps.mods.slot);
	free(ps.pages.slot);
	return 0;
}

int ct_log_read_file(const char *path, struct ct_log *out)
{
	struct stat st;
	void *map;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0) {
		ct_err(path, "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		memset(out, 0, sizeof(*out));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0) {
		ct_err(path, "%s", S_ISREG(st.st_mode) ? "empty file" : "not a regular file");
		close(fd);
		memset(out, 0, sizeof(*out));
		return -1;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		ct_err(path, "mmap: %s", strerror(errno));
		memset(out, 0, sizeof(*out));
		return -1;
	}
	rc = ct_log_parse(map, (size_t)st.st_size, path, out);
	munmap(map, (size_t)st.st_size);
	return rc;
}

void ct_log_free(struct ct_log *log)
{
	size_t i;

	for (i = 0; i < log->nmods; i++) {
		free(log->mods[i].path);
		free(log->mods[i].ranges);
	}
	for (i = 0; i < log->npages; i++)
		free(log->pages[i].frames);
	for (i = 0; i < log->nnotes; i++)
		free(log->notes[i].text);
	for (i = 0; i < log->nphases; i++)
		free(log->phases[i].name);
	free(log->phases);
	free(log->stages);
	for (i = 0; i < log->argc; i++)
		free(log->argv[i]);
	free(log->argv);
	free(log->mods);
	free(log->pages);
	free(log->notes);
	free(log->exe);
	free(log->name);
	memset(log, 0, sizeof(*log));
}

const char *ct_reason_name(uint32_t reason)
{
	static const char *const names[] = {
		[CT_WHY_NONE] = "none",
		[CT_WHY_LOADER] = "loader",
		[CT_WHY_TRACER] = "tracer",
		[CT_WHY_EXCLUDED] = "excluded",
		[CT_WHY_SIGBLOCKED] = "sigblocked",
		[CT_WHY_VMA_LIMIT] = "vma_limit",
		[CT_WHY_MPROTECT] = "mprotect",
		[CT_WHY_TABLE_FULL] = "table_full",
		[CT_WHY_LOG] = "log",
		[CT_WHY_OPTIONS] = "options",
		[CT_WHY_PAGEMAP] = "pagemap",
		[CT_WHY_APP_PROTECT] = "app_protect",
		[CT_WHY_UNMAPPED] = "unmapped",
		[CT_WHY_SHORT_READ] = "short_read",
		[CT_WHY_DONTNEED] = "dontneed",
		[CT_WHY_READONLY] = "readonly",
		[CT_WHY_SHARED] = "shared",
		[CT_WHY_UNWINDER] = "unwinder",
		[CT_WHY_UFFD] = "uffd",
		[CT_WHY_PERF] = "perf",
		[CT_WHY_WRITER_LOST] = "writer_lost",
	};

	return reason < sizeof(names) / sizeof(names[0]) ? names[reason] : NULL;
}

const char *ct_reason_text(uint32_t reason)
{
	static const char *const texts[] = {
		[CT_WHY_LOADER] = "ld.so's own pages are never protected",
		[CT_WHY_TRACER] = "the tracer's own pages",
		[CT_WHY_EXCLUDED] = "excluded by COWTRACE_INCLUDE/COWTRACE_EXCLUDE",
		[CT_WHY_SIGBLOCKED] = "libc writes it with every signal blocked",
		[CT_WHY_VMA_LIMIT] = "protecting it would exceed vm.max_map_count",
		[CT_WHY_MPROTECT] = "mprotect failed",
		[CT_WHY_TABLE_FULL] = "the tracer's tables were full",
		[CT_WHY_LOG] = "the log could not be written",
		[CT_WHY_OPTIONS] = "a bad COWTRACE_* value",
		[CT_WHY_PAGEMAP] = "/proc/self/pagemap was unreadable",
		[CT_WHY_APP_PROTECT] = "the application changed its protection",
		[CT_WHY_UNMAPPED] = "the application unmapped or remapped it",
		[CT_WHY_SHORT_READ] = "left writable for a call that did not fill it",
		[CT_WHY_DONTNEED] = "made clean by MADV_DONTNEED, left writable",
		[CT_WHY_READONLY] = "a read-only segment (RELRO, code, read-only data) written anyway",
		[CT_WHY_SHARED] = "the other process's write after fork made this copy private",
		[CT_WHY_UNWINDER] = "a library the tracer's unwinder uses",
		[CT_WHY_UFFD] = "the scan backend could not be used",
		[CT_WHY_PERF] = "fault samples were refused or lost",
	};

	return reason < sizeof(texts) / sizeof(texts[0]) ? texts[reason] : NULL;
}

const char *ct_phase_name(uint32_t phase)
{
	switch (phase) {
	case CT_PHASE_STARTUP:  return "startup";
	case CT_PHASE_MAIN:     return "main";
	case CT_PHASE_TEARDOWN: return "teardown";
	}
	return NULL;
}
