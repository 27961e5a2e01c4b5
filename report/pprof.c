/* pprof.c - the report as a gzip-compressed profile.proto (pprof, Pyroscope, Parca), encoded by hand.
 *
 * One sample per distinct (stack, library, section, when, phase) with values
 * dirty_pages/count and dirty_bytes/bytes.  Addresses are ELF virtual
 * addresses, one mapping per library (path and build-id), so profiles of
 * different runs line up despite ASLR.  Field numbers are those of
 * github.com/google/pprof proto/profile.proto. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include <zlib.h>

#include "output.h"
#include "stack.h"
#include "util.h"

/* ---- protobuf wire format ---- */

struct pb {
	uint8_t *b;
	size_t n, cap;
};

static void pb_raw(struct pb *p, const void *data, size_t len)
{
	ct_grow(&p->b, &p->cap, p->n + len, 1);
	memcpy(p->b + p->n, data, len);
	p->n += len;
}

static void pb_varint(struct pb *p, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;

	do {
		tmp[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	pb_raw(p, tmp, n);
}

/* varint field (wire type 0); zero values are the default: left out */
static void pb_uint(struct pb *p, unsigned field, uint64_t v)
{
	if (!v)
		return;
	pb_varint(p, (uint64_t)field << 3);
	pb_varint(p, v);
}

/* length-delimited field (wire type 2) */
static void pb_bytes(struct pb *p, unsigned field, const void *data, size_t len)
{
	pb_varint(p, (uint64_t)field << 3 | 2);
	pb_varint(p, len);
	pb_raw(p, data, len);
}

static void pb_msg(struct pb *p, unsigned field, struct pb *m)
{
	pb_bytes(p, field, m->b, m->n);
	m->n = 0;
}

static void pb_packed(struct pb *p, unsigned field, const uint64_t *v, size_t n)
{
	struct pb tmp = { NULL, 0, 0 };
	size_t i;

	for (i = 0; i < n; i++)
		pb_varint(&tmp, v[i]);
	pb_bytes(p, field, tmp.b, tmp.n);
	free(tmp.b);
}

/* ---- the profile's tables ---- */

struct str {
	char *s;
	uint64_t idx;
	UT_hash_handle hh;
};

struct mapping {
	const struct ct_lib *lib;    /* key */
	uint64_t id;
	UT_hash_handle hh;
};

struct fkey {
	const struct ct_lib *lib;
	const char *name;            /* interned by the ELF cache, or a pseudo name */
};

struct function {
	struct fkey key;
	uint64_t id, name;
	uint64_t filename;
	UT_hash_handle hh;
};

struct lkey {
	const struct ct_lib *lib;
	uint64_t addr;
	const char *pseudo;
};

struct location {
	struct lkey key;
	uint64_t id, mapping, function;
	UT_hash_handle hh;
};

struct sample {
	char *key;
	uint64_t *locs;
	size_t nlocs;
	uint64_t lib, section, when, phase; /* label strings */
	uint64_t pages, bytes;
	UT_hash_handle hh;
};

struct prof {
	struct str *strs;
	char **strv;
	size_t nstr, capstr;
	struct mapping *maps;
	const struct ct_lib **mapv;
	size_t nmap, capmap;
	struct function *funcs;
	struct function **funcv;
	size_t nfunc, capfunc;
	struct location *locs;
	struct location **locv;
	size_t nloc, caploc;
	struct sample *samples;
};

static uint64_t str_id(struct prof *pf, const char *s)
{
	struct str *e;

	HASH_FIND_STR(pf->strs, s, e);
	if (e)
		return e->idx;
	e = ct_xcalloc(1, sizeof(*e));
	e->s = ct_xstrdup(s);
	e->idx = pf->nstr;
	HASH_ADD_KEYPTR(hh, pf->strs, e->s, strlen(e->s), e);
	ct_grow(&pf->strv, &pf->capstr, pf->nstr + 1, sizeof(*pf->strv));
	pf->strv[pf->nstr++] = e->s;
	return e->idx;
}

static uint64_t mapping_id(struct prof *pf, const struct ct_lib *lib)
{
	struct mapping *m;

	HASH_FIND_PTR(pf->maps, &lib, m);
	if (m)
		return m->id;
	m = ct_xcalloc(1, sizeof(*m));
	m->lib = lib;
	m->id = pf->nmap + 1;
	HASH_ADD_PTR(pf->maps, lib, m);
	ct_grow(&pf->mapv, &pf->capmap, pf->nmap + 1, sizeof(*pf->mapv));
	pf->mapv[pf->nmap++] = lib;
	return m->id;
}

static uint64_t function_id(struct prof *pf, const struct ct_lib *lib, const char *name,
			    const char *shown)
{
	struct function *fn;
	struct fkey key;

	memset(&key, 0, sizeof(key));
	key.lib = lib;
	key.name = name;
	HASH_FIND(hh, pf->funcs, &key, sizeof(key), fn);
	if (fn)
		return fn->id;
	fn = ct_xcalloc(1, sizeof(*fn));
	fn->key = key;
	fn->id = pf->nfunc + 1;
	fn->name = str_id(pf, shown);
	fn->filename = lib ? str_id(pf, lib->path) : 0;
	HASH_ADD(hh, pf->funcs, key, sizeof(fn->key), fn);
	ct_grow(&pf->funcv, &pf->capfunc, pf->nfunc + 1, sizeof(*pf->funcv));
	pf->funcv[pf->nfunc++] = fn;
	return fn->id;
}

static uint64_t location_id(struct prof *pf, const struct ct_sframe *fr)
{
	const struct ct_lib *lib = fr->mod ? fr->mod->lib : NULL;
	struct location *loc;
	struct lkey key;

	memset(&key, 0, sizeof(key));
	key.lib = lib;
	key.addr = fr->addr;
	key.pseudo = fr->pseudo;
	HASH_FIND(hh, pf->locs, &key, sizeof(key), loc);
	if (loc)
		return loc->id;
	loc = ct_xcalloc(1, sizeof(*loc));
	loc->key = key;
	loc->id = pf->nloc + 1;
	loc->mapping = lib ? mapping_id(pf, lib) : 0;
	if (fr->pseudo) {
		char name[512];

		snprintf(name, sizeof(name), "%s %s", fr->pseudo, lib ? ct_basename(lib->path) : "?");
		loc->function = function_id(pf, lib, fr->pseudo, name);
	} else {
		char label[512];
		/* an unsymbolized frame is one function per address, named as
		 * in every format: LIBRARY+0xOFF (interned: the function's key
		 * is the name's pointer) */
		uint64_t idx = str_id(pf, ct_frame_label(fr->mod, fr->fn, fr->addr, label, sizeof(label)));
		const char *name = pf->strv[idx];      /* after str_id: it may grow strv */

		loc->function = function_id(pf, lib, name, name);
	}
	HASH_ADD(hh, pf->locs, key, sizeof(loc->key), loc);
	ct_grow(&pf->locv, &pf->caploc, pf->nloc + 1, sizeof(*pf->locv));
	pf->locv[pf->nloc++] = loc;
	return loc->id;
}

static void add_row(struct prof *pf, const struct ct_row *row)
{
	static const char *const whens[] = { "?", "attach", "runtime", "unprotected", "unwatched" };
	struct ct_sframe fr[CT_MAX_FRAMES];
	uint64_t locs[CT_MAX_FRAMES], lib, section, when, phase;
	char key[CT_MAX_FRAMES * 21 + 96], pbuf[1024];
	size_t i, n, len = 0;
	struct sample *s;

	n = ct_row_stack(row, fr, CT_MAX_FRAMES);
	for (i = 0; i < n; i++) {
		locs[i] = location_id(pf, &fr[i]);
		len += (size_t)snprintf(key + len, sizeof(key) - len, "%" PRIu64 ",", locs[i]);
	}
	lib = str_id(pf, row->lib->path);
	section = str_id(pf, row->section ? row->section : "(unknown)");
	when = str_id(pf, whens[row->pg->when < 5 ? row->pg->when : 0]);
	phase = str_id(pf, ct_row_phase_label(row, pbuf, sizeof(pbuf)));
	snprintf(key + len, sizeof(key) - len, "|%" PRIu64 "|%" PRIu64 "|%" PRIu64 "|%" PRIu64,
		 lib, section, when, phase);
	HASH_FIND_STR(pf->samples, key, s);
	if (!s) {
		s = ct_xcalloc(1, sizeof(*s));
		s->key = ct_xstrdup(key);
		s->locs = ct_xmalloc(n * sizeof(*s->locs));
		memcpy(s->locs, locs, n * sizeof(*s->locs));
		s->nlocs = n;
		s->lib = lib;
		s->section = section;
		s->when = when;
		s->phase = phase;
		HASH_ADD_KEYPTR(hh, pf->samples, s->key, strlen(s->key), s);
	}
	s->pages++;
	s->bytes += row->proc->log->page_size;
}

/* ---- encoding ---- */

static void value_type(struct pb *out, unsigned field, uint64_t type, uint64_t unit)
{
	struct pb m = { NULL, 0, 0 };

	pb_uint(&m, 1, type);
	pb_uint(&m, 2, unit);
	pb_bytes(out, field, m.b, m.n);
	free(m.b);
}

static void label(struct pb *m, struct pb *tmp, uint64_t key, uint64_t str)
{
	pb_uint(tmp, 1, key);
	pb_uint(tmp, 2, str);
	pb_msg(m, 3, tmp);
}

static void encode(struct prof *pf, struct pb *out)
{
	uint64_t pages = str_id(pf, "dirty_pages"), count = str_id(pf, "count");
	uint64_t bytes = str_id(pf, "dirty_bytes"), ubytes = str_id(pf, "bytes");
	uint64_t klib = str_id(pf, "library"), ksec = str_id(pf, "section");
	uint64_t kwhen = str_id(pf, "when"), kphase = str_id(pf, "phase"), comment = str_id(pf, "cowtrace: dirty (copied) pages of writable segments");
	struct pb m = { NULL, 0, 0 }, tmp = { NULL, 0, 0 };
	struct sample *s, *stmp;
	size_t i;

	value_type(out, 1, pages, count);
	value_type(out, 1, bytes, ubytes);
	HASH_ITER(hh, pf->samples, s, stmp) {
		uint64_t v[2] = { s->pages, s->bytes };

		pb_packed(&m, 1, s->locs, s->nlocs);
		pb_packed(&m, 2, v, 2);
		label(&m, &tmp, klib, s->lib);
		label(&m, &tmp, ksec, s->section);
		label(&m, &tmp, kwhen, s->when);
		label(&m, &tmp, kphase, s->phase);
		pb_msg(out, 2, &m);
	}
	for (i = 0; i < pf->nmap; i++) {
		const struct ct_lib *lib = pf->mapv[i];
		uint64_t lo = 0, hi = 0;

		if (!ct_elf_load_range(lib->elf, &lo, &hi)) {
			lo = 0;
			hi = UINT64_MAX;
		}
		pb_uint(&m, 1, i + 1);
		pb_uint(&m, 2, lo);
		pb_uint(&m, 3, hi);
		pb_uint(&m, 5, str_id(pf, lib->path));
		pb_uint(&m, 6, lib->build_id[0] ? str_id(pf, lib->build_id) : 0);
		pb_uint(&m, 7, ct_elf_status(lib->elf) == CT_ELF_OK);
		pb_msg(out, 3, &m);
	}
	for (i = 0; i < pf->nloc; i++) {
		const struct location *loc = pf->locv[i];

		pb_uint(&m, 1, loc->id);
		pb_uint(&m, 2, loc->mapping);
		pb_uint(&m, 3, loc->key.addr);
		if (loc->function) {
			pb_uint(&tmp, 1, loc->function);
			pb_msg(&m, 4, &tmp);
		}
		pb_msg(out, 4, &m);
	}
	for (i = 0; i < pf->nfunc; i++) {
		const struct function *fn = pf->funcv[i];

		pb_uint(&m, 1, fn->id);
		pb_uint(&m, 2, fn->name);
		pb_uint(&m, 3, fn->name);
		pb_uint(&m, 4, fn->filename);
		pb_msg(out, 5, &m);
	}
	value_type(out, 11, pages, count);
	pb_uint(out, 12, 1);
	pb_uint(out, 13, comment);      /* repeated, unpacked is valid too */
	pb_uint(out, 14, pages);
	for (i = 0; i < pf->nstr; i++)  /* last: every string is known now */
		pb_bytes(out, 6, pf->strv[i], strlen(pf->strv[i]));
	free(m.b);
	free(tmp.b);
}

static int gzip_out(FILE *f, const struct pb *data)
{
	uint8_t buf[1 << 16];
	z_stream zs;
	int rc;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	zs.next_in = data->b;
	zs.avail_in = (uInt)data->n;
	do {
		zs.next_out = buf;
		zs.avail_out = sizeof(buf);
		rc = deflate(&zs, Z_FINISH);
		if (rc == Z_STREAM_ERROR ||
		    fwrite(buf, 1, sizeof(buf) - zs.avail_out, f) != sizeof(buf) - zs.avail_out) {
			deflateEnd(&zs);
			return -1;
		}
	} while (rc != Z_STREAM_END);
	deflateEnd(&zs);
	return 0;
}

static void prof_free(struct prof *pf)
{
	struct str *st, *sttmp;
	struct mapping *m, *mtmp;
	struct function *fn, *ftmp;
	struct location *loc, *ltmp;
	struct sample *s, *stmp;

	HASH_ITER(hh, pf->strs, st, sttmp) {
		HASH_DEL(pf->strs, st);
		free(st->s);
		free(st);
	}
	HASH_ITER(hh, pf->maps, m, mtmp) {
		HASH_DEL(pf->maps, m);
		free(m);
	}
	HASH_ITER(hh, pf->funcs, fn, ftmp) {
		HASH_DEL(pf->funcs, fn);
		free(fn);
	}
	HASH_ITER(hh, pf->locs, loc, ltmp) {
		HASH_DEL(pf->locs, loc);
		free(loc);
	}
	HASH_ITER(hh, pf->samples, s, stmp) {
		HASH_DEL(pf->samples, s);
		free(s->key);
		free(s->locs);
		free(s);
	}
	free(pf->strv);
	free(pf->mapv);
	free(pf->funcv);
	free(pf->locv);
}

int ct_output_pprof(FILE *f, const struct ct_report *r, const struct ct_outopts *o)
{
	struct prof pf;
	struct pb out = { NULL, 0, 0 };
	size_t i;
	int rc;

	(void)o;
	memset(&pf, 0, sizeof(pf));
	str_id(&pf, "");                /* string_table[0] must be "" */
	for (i = 0; i < r->nrows; i++)
		add_row(&pf, &r->rows[i]);
	encode(&pf, &out);
	rc = gzip_out(f, &out);
	if (rc < 0)
		ct_err(NULL, "writing the pprof profile failed");
	free(out.b);
	prof_free(&pf);
	return rc;
}
