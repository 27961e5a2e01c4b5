/* symbols.c - read sections, symbols, relocations and load range of ELF files, once each. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <lzma.h>
#include <elfutils/libdwelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uthash.h>

#include "debuginfod.h"
#include "symbols.h"
#include "util.h"

#ifndef SHT_RELR
#define SHT_RELR 19
#endif

#define MAX_SCAN 256     /* bound on backward scans over nested symbols */
#define MAX_BID 64       /* build-id bytes shown in messages */

struct sect {
	uint64_t addr, size;
	const char *name;
	int writable;
};

/* A symbol while tables are built: rank orders aliases (lower wins). */
struct isym {
	struct ct_sym s;
	int rank;
};

struct symtab {
	struct isym *tmp;         /* while building */
	size_t ntmp, captmp;
	struct ct_sym *v;         /* sorted by addr, aliases removed */
	uint64_t *maxend;         /* maxend[i] = max end of v[0..i] */
	size_t n;
};

struct arena {
	struct arena *next;
	size_t used, cap;
	char data[];
};

struct ct_elf {
	char *key;                /* path, '\n', build-id hex */
	char *path;
	enum ct_elf_status status;
	int have_range;
	uint64_t lo, hi;
	struct sect *sects;
	size_t nsects, capsects;
	struct symtab data, funcs;
	int have_symtab;          /* a full .symtab was read */
	enum ct_symsrc symsrc;    /* where the symbols came from */
	char *debug_path;         /* the separate debug file read, or NULL */
	uint64_t *relocs[2];      /* targets: [0] relative, [1] symbolic */
	size_t nrelocs[2], caprelocs[2];
	struct symtab copies;     /* R_*_COPY destinations */
	const char **exports;     /* exported data symbols, sorted by name */
	size_t nexports, capexports;
	struct arena *arena;
	UT_hash_handle hh;
};

static struct ct_elf *cache;
static int elf_ready;

static const char *intern(struct ct_elf *e, const char *s)
{
	size_t n = strlen(s) + 1;
	struct arena *a = e->arena;
	char *p;

	if (!a || a->cap - a->used < n) {
		size_t cap = n > 65536 ? n : 65536;

		a = ct_xmalloc(sizeof(*a) + cap);
		a->cap = cap;
		a->used = 0;
		a->next = e->arena;
		e->arena = a;
	}
	p = a->data + a->used;
	memcpy(p, s, n);
	a->used += n;
	return p;
}

/* Lower rank = better name among aliases: global, weak, local; then fewer
 * leading underscores. */
static int sym_rank(const GElf_Sym *sym, const char *name)
{
	int bind = GELF_ST_BIND(sym->st_info), r;

	r = bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
	while (*name == '_' && r < 100) {
		r += 3;
		name++;
	}
	return r;
}

static void sym_add(struct ct_elf *e, struct symtab *t, const GElf_Sym *sym, const char *name)
{
	struct isym *s;

	ct_grow(&t->tmp, &t->captmp, t->ntmp + 1, sizeof(*t->tmp));
	s = &t->tmp[t->ntmp++];
	s->s.addr = sym->st_value;
	s->s.size = sym->st_size;
	s->s.name = intern(e, name);
	s->rank = sym_rank(sym, name);
}

static int isym_cmp(const void *a, const void *b)
{
	const struct isym *x = a, *y = b;
	int c;

	if (x->s.addr != y->s.addr)
		return x->s.addr < y->s.addr ? -1 : 1;
	if (x->s.size != y->s.size)
		return x->s.size < y->s.size ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	c = strcmp(x->s.name, y->s.name);
	return c;
}

static void symtab_finish(struct symtab *t)
{
	size_t i, n = 0;
	uint64_t maxend = 0;

	if (t->ntmp)
		qsort(t->tmp, t->ntmp, sizeof(*t->tmp), isym_cmp);
	t->v = ct_xcalloc(t->ntmp, sizeof(*t->v));
	t->maxend = ct_xcalloc(t->ntmp, sizeof(*t->maxend));
	for (i = 0; i < t->ntmp; i++) {
		const struct ct_sym *s = &t->tmp[i].s;
		uint64_t end = s->addr + (s->size ? s->size : 1);

		if (end < s->addr)
			end = UINT64_MAX;
		if (n && t->v[n - 1].addr == s->addr && t->v[n - 1].size == s->size)
			continue;       /* an alias: the first (best ranked) stays */
		if (end > maxend)
			maxend = end;
		t->v[n] = *s;
		t->maxend[n] = maxend;
		n++;
	}
	t->n = n;
	free(t->tmp);
	t->tmp = NULL;
}

static const struct ct_sym *symtab_find(const struct symtab *t, uint64_t addr)
{
	const struct ct_sym *best = NULL;
	size_t lo = 0, hi = t->n, steps = 0;

	while (lo < hi) {               /* first entry with v.addr > addr */
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo > 0 && t->maxend[lo - 1] > addr && steps++ < MAX_SCAN) {
		const struct ct_sym *s = &t->v[--lo];
		uint64_t size = s->size ? s->size : 1;

		if (addr - s->addr < size && (!best || size < best->size))
			best = s;
	}
	return best;
}

static int section_writable(Elf *elf, size_t shndx)
{
	Elf_Scn *scn;
	GElf_Shdr sh;

	if (shndx == SHN_UNDEF || shndx >= SHN_LORESERVE)
		return 0;
	scn = elf_getscn(elf, shndx);
	return scn && gelf_getshdr(scn, &sh) && (sh.sh_flags & SHF_WRITE);
}

static void read_symbols(struct ct_elf *e, Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t i, n, esz = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);

	if (!d || !esz)
		return;
	n = d->d_size / esz;
	for (i = 0; i < n; i++) {
		GElf_Sym sym;
		const char *name;
		int type;

		if (!gelf_getsym(d, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if (sh->sh_type == SHT_DYNSYM && GELF_ST_BIND(sym.st_info) != STB_LOCAL &&
		    (type == STT_OBJECT || type == STT_TLS || type == STT_NOTYPE)) {
			ct_grow(&e->exports, &e->capexports, e->nexports + 1, sizeof(*e->exports));
			e->exports[e->nexports++] = intern(e, name);
		}
		if (type == STT_FUNC || type == STT_GNU_IFUNC) {
			sym_add(e, &e->funcs, &sym, name);
		} else if (sym.st_size && sym.st_shndx != SHN_ABS &&
			   (type == STT_OBJECT ||
			    (type == STT_NOTYPE && section_writable(elf, sym.st_shndx)))) {
			sym_add(e, &e->data, &sym, name);
		}
	}
}

/* sym: 0 a relative relocation (no symbol: base + addend), 1 symbolic */
static void reloc_add(struct ct_elf *e, uint64_t where, int sym)
{
	ct_grow(&e->relocs[sym], &e->caprelocs[sym], e->nrelocs[sym] + 1, sizeof(*e->relocs[sym]));
	e->relocs[sym][e->nrelocs[sym]++] = where;
}

/* Is type a relocation that needs no symbol (R_*_RELATIVE, R_*_IRELATIVE)
 * on this machine? */
static int relative_type(Elf *elf, unsigned type)
{
	GElf_Ehdr eh;

	if (!gelf_getehdr(elf, &eh))
		return 0;
	switch (eh.e_machine) {
	case EM_X86_64:  return type == R_X86_64_RELATIVE || type == R_X86_64_IRELATIVE;
	case EM_386:     return type == R_386_RELATIVE || type == R_386_IRELATIVE;
	case EM_AARCH64: return type == R_AARCH64_RELATIVE || type == R_AARCH64_IRELATIVE;
	}
	return 0;
}

/* R_*_COPY of this machine; 0 when unknown. */
static unsigned copy_type(Elf *elf)
{
	GElf_Ehdr eh;

	if (!gelf_getehdr(elf, &eh))
		return 0;
	switch (eh.e_machine) {
	case EM_X86_64:  return R_X86_64_COPY;
	case EM_386:     return R_386_COPY;
	case EM_AARCH64: return R_AARCH64_COPY;
	}
	return 0;
}

/* A copy relocation at where: remember the symbol it copies. */
static void copy_add(struct ct_elf *e, Elf *elf, const GElf_Shdr *sh, uint64_t where, size_t symidx)
{
	Elf_Scn *symscn = elf_getscn(elf, sh->sh_link);
	Elf_Data *d = symscn ? elf_getdata(symscn, NULL) : NULL;
	GElf_Shdr ssh;
	GElf_Sym sym;
	const char *name;

	if (!d || !gelf_getshdr(symscn, &ssh) || symidx > INT32_MAX ||
	    !gelf_getsym(d, (int)symidx, &sym))
		return;
	name = elf_strptr(elf, ssh.sh_link, sym.st_name);
	if (!name || !*name)
		return;
	sym.st_value = where;
	sym.st_info = GELF_ST_INFO(STB_GLOBAL, STT_OBJECT);
	sym_add(e, &e->copies, &sym, name);
}

static void read_relocs(struct ct_elf *e, Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	unsigned copy = copy_type(elf);
	size_t i, n;

	if (!d)
		return;
	if (sh->sh_type == SHT_RELA || sh->sh_type == SHT_REL) {
		int rela = sh->sh_type == SHT_RELA;

		n = d->d_size / gelf_fsize(elf, rela ? ELF_T_RELA : ELF_T_REL, 1, EV_CURRENT);
		for (i = 0; i < n; i++) {
			GElf_Rela r;
			GElf_Rel rel;

			if (rela ? !gelf_getrela(d, (int)i, &r) : !gelf_getrel(d, (int)i, &rel))
				continue;
			if (!rela) {
				r.r_offset = rel.r_offset;
				r.r_info = rel.r_info;
			}
			if (GELF_R_TYPE(r.r_info) == 0)
				continue;
			reloc_add(e, r.r_offset, !relative_type(elf, (unsigned)GELF_R_TYPE(r.r_info)));
			if (copy && GELF_R_TYPE(r.r_info) == copy)
				copy_add(e, elf, sh, r.r_offset, GELF_R_SYM(r.r_info));
		}
	} else {                        /* SHT_RELR: addresses and bitmaps */
		size_t w = gelf_getclass(elf) == ELFCLASS64 ? 8 : 4;
		uint64_t where = 0;

		n = d->d_size / w;
		for (i = 0; i < n; i++) {
			uint64_t ent = 0;
			unsigned bit;

			if (w == 8) {
				memcpy(&ent, (const char *)d->d_buf + i * 8, 8);
			} else {
				uint32_t v;

				memcpy(&v, (const char *)d->d_buf + i * 4, 4);
				ent = v;
			}
			if (!(ent & 1)) {
				reloc_add(e, ent, 0);
				where = ent + w;
				continue;
			}
			for (bit = 0, ent >>= 1; ent; bit++, ent >>= 1)
				if (ent & 1)
					reloc_add(e, where + bit * w, 0);
			where += (8 * w - 1) * w;
		}
	}
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int sect_cmp(const void *a, const void *b)
{
	const struct sect *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Walk the sections: remember allocated ones, read symbols (all of them, or
 * only .symtab for a separate debug file) and dynamic relocations. */
static void read_sections(struct ct_elf *e, Elf *elf, int debugfile)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB) {
			read_symbols(e, elf, scn, &sh);
			e->have_symtab = 1;
		}
		if (debugfile)
			continue;
		if (sh.sh_type == SHT_DYNSYM)
			read_symbols(e, elf, scn, &sh);
		if ((sh.sh_type == SHT_RELA || sh.sh_type == SHT_REL || sh.sh_type == SHT_RELR) &&
		    (sh.sh_flags & SHF_ALLOC))
			read_relocs(e, elf, scn, &sh);
		if (!(sh.sh_flags & SHF_ALLOC) || !sh.sh_size ||
		    ((sh.sh_flags & SHF_TLS) && sh.sh_type == SHT_NOBITS))
			continue;       /* .tbss takes no room in the image */
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		ct_grow(&e->sects, &e->capsects, e->nsects + 1, sizeof(*e->sects));
		e->sects[e->nsects].addr = sh.sh_addr;
		e->sects[e->nsects].size = sh.sh_size;
		e->sects[e->nsects].name = intern(e, name ? name : "?");
		e->sects[e->nsects].writable = !!(sh.sh_flags & SHF_WRITE);
		e->nsects++;
	}
}

static void read_load_range(struct ct_elf *e, Elf *elf)
{
	size_t i, n;

	if (elf_getphdrnum(elf, &n) != 0)
		return;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (!e->have_range || ph.p_vaddr < e->lo)
			e->lo = ph.p_vaddr;
		if (!e->have_range || ph.p_vaddr + ph.p_memsz > e->hi)
			e->hi = ph.p_vaddr + ph.p_memsz;
		e->have_range = 1;
	}
}

static Elf *open_elf(const char *path, int *fdp)
{
	struct stat st;
	Elf *elf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = ENODEV;         /* shown as "not a regular file" */
		return NULL;
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		if (elf)
			elf_end(elf);
		close(fd);
		errno = ENOEXEC;
		return NULL;
	}
	*fdp = fd;
	return elf;
}

const char *ct_debug_dirs = CT_DEBUG_DIRS_DEFAULT;

/* Symbols of the debug file at path, if its build-id is bid; 1 if read. */
static int read_debug_at(struct ct_elf *e, const char *path, const uint8_t *bid, size_t len)
{
	const void *dbid;
	int fd, ok = 0;
	Elf *elf = open_elf(path, &fd);

	if (!elf)
		return 0;
	if (dwelf_elf_gnu_build_id(elf, &dbid) == (ssize_t)len && !memcmp(dbid, bid, len)) {
		read_sections(e, elf, 1);
		ok = 1;
	}
	elf_end(elf);
	close(fd);
	return ok;
}

/* Stripped file: look for its symbols under DIR/.build-id for each DIR of
 * ct_debug_dirs, then on the debuginfod servers of DEBUGINFOD_URLS. */
static int read_debug_file(struct ct_elf *e, const uint8_t *bid, size_t len)
{
	char hex[2 * 255 + 1], path[4096 + 600];
	const char *d = ct_debug_dirs, *end;

	if (len < 2 || len > 255)
		return 0;
	ct_hex(hex, bid, len);
	for (; d && *d; d = *end ? end + 1 : end) {
		end = strchrnul(d, ':');
		if (end == d || (size_t)(end - d) > 4096)
			continue;
		snprintf(path, sizeof(path), "%.*s/.build-id/%.2s/%s.debug", (int)(end - d), d, hex, hex + 2);
		if (read_debug_at(e, path, bid, len)) {
			e->debug_path = ct_xstrdup(path);
			return 1;
		}
	}
	char *fetched;
	if (ct_debuginfod_find(bid, len, &fetched)) {   /* DEBUGINFOD_URLS */
		if (read_debug_at(e, fetched, bid, len)) {
			e->debug_path = fetched;
			return 1;
		}
		free(fetched);
	}
	return 0;
}

/* MiniDebugInfo: .gnu_debugdata holds an xz-compressed ELF file whose
 * .symtab has the symbols .dynsym lacks (Fedora's find-debuginfo keeps the
 * functions there); no DWARF, so no lines.  The decompressed size is
 * capped: a hostile file must not make us allocate without bound. */
#define MINIDEBUG_MAX (256u << 20)

/* Decompress the xz stream in[0..n) into a malloc'd buffer; NULL when it
 * is not xz, is corrupt or would exceed MINIDEBUG_MAX. */
static uint8_t *unxz(const uint8_t *in, size_t n, size_t *outlen)
{
	lzma_stream st = LZMA_STREAM_INIT;
	uint8_t *out = NULL;
	size_t cap = 0;
	lzma_ret rc;

	if (lzma_stream_decoder(&st, MINIDEBUG_MAX, 0) != LZMA_OK)
		return NULL;
	st.next_in = in;
	st.avail_in = n;
	do {
		if (st.avail_out == 0) {
			size_t used = cap;

			if (cap >= MINIDEBUG_MAX)
				break;
			cap = cap ? cap * 2 : 4 * n + 4096;
			if (cap > MINIDEBUG_MAX)
				cap = MINIDEBUG_MAX;
			out = ct_xrealloc(out, cap);
			st.next_out = out + used;
			st.avail_out = cap - used;
		}
		rc = lzma_code(&st, LZMA_FINISH);
	} while (rc == LZMA_OK);
	*outlen = cap - st.avail_out;
	lzma_end(&st);
	if (rc != LZMA_STREAM_END) {
		free(out);
		return NULL;
	}
	return out;
}

/* The .symtab of the xz-compressed ELF file in[0..n). */
static void read_xz_symtab(struct ct_elf *e, const uint8_t *in, size_t n)
{
	size_t len;
	uint8_t *buf = unxz(in, n, &len);
	Elf *elf;

	if (!buf)
		return;
	elf = elf_memory((char *)buf, len);
	if (elf && elf_kind(elf) == ELF_K_ELF)
		read_sections(e, elf, 1);
	if (elf)
		elf_end(elf);
	free(buf);
}

static void read_minidebuginfo(struct ct_elf *e, Elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".gnu_debugdata") != 0)
			continue;
		data = elf_rawdata(scn, NULL);
		if (data && data->d_size)
			read_xz_symtab(e, data->d_buf, data->d_size);
		return;
	}
}

static void load(struct ct_elf *e, const uint8_t *bid, size_t len)
{
	const void *fbid = NULL;
	ssize_t flen;
	Elf *elf;
	int fd;

	if (e->path[0] != '/') {        /* linux-vdso.so.1, [anonymous], "" */
		e->status = CT_ELF_MISSING;
		return;
	}
	elf = open_elf(e->path, &fd);
	if (!elf) {
		e->status = errno == ENOEXEC ? CT_ELF_BAD : CT_ELF_MISSING;
		ct_err(e->path, "%s; not symbolized",
		       errno == ENOEXEC ? "not an ELF file" :
		       errno == ENODEV ? "not a regular file" : strerror(errno));
		return;
	}
	flen = dwelf_elf_gnu_build_id(elf, &fbid);
	if (len && (flen != (ssize_t)len || memcmp(fbid, bid, len) != 0)) {
		char want[2 * MAX_BID + 1], have[2 * MAX_BID + 1];

		ct_hex(want, bid, len > MAX_BID ? MAX_BID : len);
		if (flen > 0)
			ct_hex(have, fbid, (size_t)flen > MAX_BID ? MAX_BID : (size_t)flen);
		else
			strcpy(have, "none");
		ct_err(e->path, "build-id mismatch (log %s, file %s); not symbolized", want, have);
		e->status = CT_ELF_MISMATCH;
		elf_end(elf);
		close(fd);
		return;
	}
	read_load_range(e, elf);
	read_sections(e, elf, 0);
	e->symsrc = e->have_symtab ? CT_SYMS_SYMTAB : CT_SYMS_DYNSYM;
	if (!e->have_symtab && flen > 0 && read_debug_file(e, fbid, (size_t)flen))
		e->symsrc = e->have_symtab ? CT_SYMS_DEBUG : e->symsrc;
	if (!e->have_symtab) {
		read_minidebuginfo(e, elf);
		e->symsrc = e->have_symtab ? CT_SYMS_MINIDEBUG : e->symsrc;
	}
	elf_end(elf);
	close(fd);

	symtab_finish(&e->data);
	symtab_finish(&e->funcs);
	symtab_finish(&e->copies);
	if (e->nexports)
		qsort(e->exports, e->nexports, sizeof(*e->exports), str_cmp);
	if (e->nsects)
		qsort(e->sects, e->nsects, sizeof(*e->sects), sect_cmp);
	for (int k = 0; k < 2; k++)
		if (e->nrelocs[k])
			qsort(e->relocs[k], e->nrelocs[k], sizeof(*e->relocs[k]), u64_cmp);
	e->status = CT_ELF_OK;
}

struct ct_elf *ct_elf_get(const char *path, const uint8_t *build_id, size_t len)
{
	struct ct_elf *e;
	size_t plen = strlen(path);
	char *key = ct_xmalloc(plen + 2 + 2 * len + 1);

	memcpy(key, path, plen);
	key[plen] = '\n';
	ct_hex(key + plen + 1, build_id, len);
	HASH_FIND_STR(cache, key, e);
	if (e) {
		free(key);
		return e;
	}
	if (!elf_ready) {
		elf_version(EV_CURRENT);
		elf_ready = 1;
	}
	e = ct_xcalloc(1, sizeof(*e));
	e->key = key;
	e->path = ct_xstrdup(path);
	load(e, build_id, len);
	HASH_ADD_KEYPTR(hh, cache, e->key, strlen(e->key), e);
	return e;
}

enum ct_elf_status ct_elf_status(const struct ct_elf *e)
{
	return e->status;
}

const char *ct_elf_path(const struct ct_elf *e)
{
	return e->path;
}

int ct_elf_load_range(const struct ct_elf *e, uint64_t *lo, uint64_t *hi)
{
	if (e->status != CT_ELF_OK || !e->have_range)
		return 0;
	*lo = e->lo;
	*hi = e->hi;
	return 1;
}

const char *ct_elf_section(const struct ct_elf *e, uint64_t page, uint64_t size, uint64_t addr)
{
	const struct sect *best = NULL;
	uint64_t best_cover = 0;
	int best_w = 0;
	size_t i;

	if (e->status != CT_ELF_OK)
		return NULL;
	for (i = 0; i < e->nsects; i++) {
		const struct sect *s = &e->sects[i];
		uint64_t lo, hi;

		if (s->addr >= page + size)
			break;
		if (addr - page < size && addr - s->addr < s->size && s->writable)
			return s->name;
		lo = s->addr > page ? s->addr : page;
		hi = s->addr + s->size < page + size ? s->addr + s->size : page + size;
		if (hi <= lo)
			continue;
		if (!best || s->writable > best_w ||
		    (s->writable == best_w && hi - lo > best_cover)) {
			best = s;
			best_cover = hi - lo;
			best_w = s->writable;
		}
	}
	return best ? best->name : NULL;
}

const struct ct_sym *ct_elf_data_sym(const struct ct_elf *e, uint64_t addr)
{
	return e->status == CT_ELF_OK ? symtab_find(&e->data, addr) : NULL;
}

const struct ct_sym *ct_elf_func(const struct ct_elf *e, uint64_t addr)
{
	return e->status == CT_ELF_OK ? symtab_find(&e->funcs, addr) : NULL;
}

static size_t lower_bound(const uint64_t *v, size_t n, uint64_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint32_t ct_elf_relocs(const struct ct_elf *e, uint64_t lo, uint64_t hi, uint32_t *rel, uint32_t *sym)
{
	uint32_t n[2] = { 0, 0 };

	if (e->status == CT_ELF_OK && hi > lo)
		for (int k = 0; k < 2; k++)
			n[k] = (uint32_t)(lower_bound(e->relocs[k], e->nrelocs[k], hi) -
					  lower_bound(e->relocs[k], e->nrelocs[k], lo));
	if (rel)
		*rel = n[0];
	if (sym)
		*sym = n[1];
	return n[0] + n[1];
}

const struct ct_sym *ct_elf_copy_reloc(const struct ct_elf *e, uint64_t addr)
{
	return e->status == CT_ELF_OK ? symtab_find(&e->copies, addr) : NULL;
}

const struct ct_sym *ct_elf_copy_in(const struct ct_elf *e, uint64_t lo, uint64_t hi)
{
	const struct symtab *t = &e->copies;
	const struct ct_sym *s;
	size_t a = 0, b = t->n;

	if (e->status != CT_ELF_OK || hi <= lo)
		return NULL;
	s = symtab_find(t, lo);
	if (s)
		return s;
	while (a < b) {                 /* first destination at or after lo */
		size_t mid = a + (b - a) / 2;

		if (t->v[mid].addr < lo)
			a = mid + 1;
		else
			b = mid;
	}
	return a < t->n && t->v[a].addr < hi ? &t->v[a] : NULL;
}

int ct_elf_exports(const struct ct_elf *e, const char *name)
{
	if (e->status != CT_ELF_OK || !e->nexports)
		return 0;
	return bsearch(&name, e->exports, e->nexports, sizeof(*e->exports), str_cmp) != NULL;
}

void ct_elf_cache_free(void)
{
	struct ct_elf *e, *tmp;

	ct_debuginfod_end();
	HASH_ITER(hh, cache, e, tmp) {
		HASH_DEL(cache, e);
		while (e->arena) {
			struct arena *next = e->arena->next;

			free(e->arena);
			e->arena = next;
		}
		free(e->data.v);
		free(e->data.maxend);
		free(e->data.tmp);
		free(e->funcs.v);
		free(e->funcs.maxend);
		free(e->funcs.tmp);
		free(e->copies.v);
		free(e->copies.maxend);
		free(e->copies.tmp);
		free(e->exports);
		free(e->sects);
		free(e->relocs[0]);
		free(e->relocs[1]);
		free(e->path);
		free(e->debug_path);
		free(e->key);
		free(e);
	}
}

enum ct_symsrc ct_elf_symbols_from(const struct ct_elf *e)
{
	return e->status == CT_ELF_OK ? e->symsrc : CT_SYMS_NONE;
}

const char *ct_elf_debug_path(const struct ct_elf *e)
{
	return e->debug_path;
}
