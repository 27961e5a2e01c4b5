/* gen-log.c - write synthetic cowtrace logs (valid or deliberately broken) for the report tests.
 *
 *   gen-log OUT.cwt < SPEC      one log described by SPEC lines (below)
 *   gen-log --bench DIR NLOGS NPAGES LIB BIAS BUILDID_HEX VADDR_LO VADDR_HI
 *                               NLOGS logs with NPAGES runtime faults each on
 *                               LIB pages in [VADDR_LO, VADDR_HI)
 *
 * SPEC: one record per line, "kind key=value ...", numbers in C syntax.
 *   header  magic= version= header_size= used= pid= ppid= flags= backend=
 *           page_size= dropped= start=          (first line if present)
 *   process pid= ppid= argc= comm= exe= argv=a,b,c  exe_len= argv_len=
 *   module  id= flags= bias= reason= writable= path= buildid=HEX
 *           ranges=S-E,S-E  nranges= path_len= build_id_len=
 *   unload  module= t=
 *   page    module= kind= page= reason= phase= t=   (phase: the v2 byte; a
 *           version 1 log writes reason as its uint16, phase= is its high byte)
 *   fault   module= page= addr= ip= tid= t= via= phase= frames=A,B nframes=
 *   note    module= reason= t= len= text=REST OF LINE
 *   phase   t= tid= name=
 *   stage   phase= t= tid=                 (v2: an automatic phase begins)
 *   exit    status= t=
 *   raw     type= size=                    (a zero-filled record)
 * Every record line also takes size= (overrides the size field), type=
 * (overrides the type; 0 = uncommitted) and pad= (extra zero bytes).
 *   truncate bytes=N   cut the finished file to N bytes
 *   append   bytes=N   add N zero bytes after the records (beyond used)
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cowtrace_log.h"

static uint8_t *buf;
static size_t len, cap;
static int used_set;              /* header used= given: keep it */
static uint64_t used_val;

static void need(size_t n)
{
	while (len + n > cap) {
		cap = cap ? cap * 2 : 1 << 20;
		buf = realloc(buf, cap);
		if (!buf) {
			perror("gen-log");
			exit(1);
		}
	}
}

static void put(const void *p, size_t n)
{
	if (!n)
		return;
	need(n);
	memcpy(buf + len, p, n);
	len += n;
}

static void zeros(size_t n)
{
	need(n);
	memset(buf + len, 0, n);
	len += n;
}

/* key=value lookup in a tokenized line */
struct kv {
	char *key[64], *val[64];
	int n;
	char *text;               /* text=: rest of the line */
};

static void split(char *line, struct kv *kv)
{
	char *p = line, *tok;

	kv->n = 0;
	kv->text = NULL;
	while ((tok = strsep(&p, " \t")) != NULL) {
		char *eq;

		if (!*tok)
			continue;
		eq = strchr(tok, '=');
		if (!eq || kv->n == 64)
			continue;
		*eq = '\0';
		if (strcmp(tok, "text") == 0) {
			/* the rest of the line, spaces included */
			kv->text = eq + 1;
			if (p)
				p[-1] = ' ';
			break;
		}
		kv->key[kv->n] = tok;
		kv->val[kv->n] = eq + 1;
		kv->n++;
	}
}

static const char *sget(const struct kv *kv, const char *key)
{
	int i;

	for (i = 0; i < kv->n; i++)
		if (strcmp(kv->key[i], key) == 0)
			return kv->val[i];
	return NULL;
}

static int has(const struct kv *kv, const char *key)
{
	return sget(kv, key) != NULL;
}

static uint64_t num(const struct kv *kv, const char *key, uint64_t def)
{
	const char *v = sget(kv, key);

	return v ? strtoull(v, NULL, 0) : def;
}

static size_t unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (hex && hex[0] && hex[1] && n < max) {
		unsigned v;

		sscanf(hex, "%2x", &v);
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

/* Append one record: fixed part (fixed_len bytes) + data, aligned, with
 * the overrides of kv applied. */
static void record(const struct kv *kv, uint16_t type, void *fixed, size_t fixed_len,
		   const void *data, size_t data_len)
{
	struct ct_rec *r = fixed;
	size_t total = fixed_len + data_len;
	uint32_t size = (uint32_t)((total + CT_REC_ALIGN - 1) & ~(size_t)(CT_REC_ALIGN - 1));

	r->type = (uint16_t)num(kv, "type", type);
	r->size = (uint32_t)num(kv, "size", size);
	put(fixed, fixed_len);
	put(data, data_len);
	zeros(size - total);
	zeros(num(kv, "pad", 0));
}

static uint64_t *list(const char *s, size_t *n)
{
	uint64_t *v = calloc(strlen(s ? s : "") + 1, sizeof(*v));
	char *end;

	*n = 0;
	while (s && *s) {
		v[(*n)++] = strtoull(s, &end, 0);
		if (*end == '-' || *end == ',')
			end++;
		if (end == s)
			break;
		s = end;
	}
	return v;
}

static void do_process(const struct kv *kv)
{
	struct ct_rec_process r;
	const char *exe = sget(kv, "exe"), *argv = sget(kv, "argv"), *comm = sget(kv, "comm");
	char data[8192];
	size_t exe_len = exe ? strlen(exe) : 0, argv_len = 0, i;
	uint32_t argc = 0;

	memset(&r, 0, sizeof(r));
	memcpy(data, exe ? exe : "", exe_len);
	if (argv) {
		for (i = 0; argv[i]; i++)
			data[exe_len + argv_len++] = argv[i] == ',' ? '\0' : argv[i];
		data[exe_len + argv_len++] = '\0';
		argc = 1;
		for (i = 0; argv[i]; i++)
			argc += argv[i] == ',';
	}
	r.pid = (int32_t)num(kv, "pid", 100);
	r.ppid = (int32_t)num(kv, "ppid", 1);
	r.argc = (uint32_t)num(kv, "argc", argc);
	r.exe_len = (uint32_t)num(kv, "exe_len", exe_len);
	r.argv_len = (uint32_t)num(kv, "argv_len", argv_len);
	if (comm)
		memcpy(r.comm, comm, strlen(comm) < sizeof(r.comm) ? strlen(comm) : sizeof(r.comm));
	record(kv, CT_REC_PROCESS, &r, sizeof(r), data, exe_len + argv_len);
}

static void do_module(const struct kv *kv)
{
	struct ct_rec_module r;
	const char *path = sget(kv, "path");
	uint8_t data[16 * 64 + CT_MAX_BUILD_ID + CT_MAX_PATH];
	uint8_t bid[CT_MAX_BUILD_ID];
	size_t nr, bidlen = unhex(sget(kv, "buildid"), bid, sizeof(bid));
	size_t plen = path ? strlen(path) : 0, n = 0;
	uint64_t *rg = list(sget(kv, "ranges"), &nr);

	memset(&r, 0, sizeof(r));
	nr /= 2;
	r.id = (uint32_t)num(kv, "id", 1);
	r.flags = (uint32_t)num(kv, "flags", 0);
	r.bias = num(kv, "bias", 0);
	r.t_ns = num(kv, "t", 1);
	r.untracked_reason = (uint32_t)num(kv, "reason", 0);
	r.nranges = (uint32_t)num(kv, "nranges", nr);
	r.writable_pages = (uint32_t)num(kv, "writable", 0);
	r.build_id_len = (uint16_t)num(kv, "build_id_len", bidlen);
	r.path_len = (uint16_t)num(kv, "path_len", plen);
	memcpy(data, rg, nr * 16);
	n = nr * 16;
	memcpy(data + n, bid, bidlen);
	n += bidlen;
	memcpy(data + n, path ? path : "", plen);
	n += plen;
	record(kv, CT_REC_MODULE, &r, sizeof(r), data, n);
	free(rg);
}

static void do_fault(const struct kv *kv)
{
	struct ct_rec_fault r;
	size_t nf;
	uint64_t *fr = list(sget(kv, "frames"), &nf);

	memset(&r, 0, sizeof(r));
	r.module = (uint32_t)num(kv, "module", 1);
	r.tid = (int32_t)num(kv, "tid", 100);
	r.addr = num(kv, "addr", 0);
	r.page = num(kv, "page", r.addr & ~4095ull);
	r.ip = num(kv, "ip", 0);
	r.t_ns = num(kv, "t", 2);
	r.via = (uint16_t)num(kv, "via", 0);
	r.phase = (uint8_t)num(kv, "phase", 0);
	r.nframes = (uint16_t)num(kv, "nframes", nf);
	record(kv, CT_REC_FAULT, &r, sizeof(r), fr, nf * 8);
	free(fr);
}

static void spec_line(char *line)
{
	struct kv kv;
	char *kind = strsep(&line, " \t\n");

	if (!kind || !*kind || kind[0] == '#')
		return;
	if (line)
		line[strcspn(line, "\n")] = '\0';
	split(line ? line : (char[]){ "" }, &kv);

	if (strcmp(kind, "header") == 0) {
		struct ct_log_header *h = (struct ct_log_header *)buf;
		const char *magic = sget(&kv, "magic");

		if (magic)
			memcpy(h->magic, magic, strlen(magic) < 8 ? strlen(magic) : 8);
		h->version = (uint32_t)num(&kv, "version", h->version);
		h->header_size = (uint32_t)num(&kv, "header_size", h->header_size);
		h->pid = (int32_t)num(&kv, "pid", (uint64_t)h->pid);
		h->ppid = (int32_t)num(&kv, "ppid", (uint64_t)h->ppid);
		h->flags = (uint32_t)num(&kv, "flags", h->flags);
		h->backend = (uint32_t)num(&kv, "backend", h->backend);
		h->page_size = (uint32_t)num(&kv, "page_size", h->page_size);
		h->dropped = num(&kv, "dropped", 0);
		h->start_mono_ns = num(&kv, "start", 0);
		if (has(&kv, "used")) {
			used_set = 1;
			used_val = num(&kv, "used", 0);
		}
	} else if (strcmp(kind, "process") == 0) {
		do_process(&kv);
	} else if (strcmp(kind, "module") == 0) {
		do_module(&kv);
	} else if (strcmp(kind, "unload") == 0) {
		struct ct_rec_unload r = { .module = (uint32_t)num(&kv, "module", 1),
					   .t_ns = num(&kv, "t", 3) };
		record(&kv, CT_REC_UNLOAD, &r, sizeof(r), NULL, 0);
	} else if (strcmp(kind, "page") == 0) {
		struct ct_rec_page r = { .module = (uint32_t)num(&kv, "module", 1),
					 .kind = (uint16_t)num(&kv, "kind", CT_PAGE_ATTACH),
					 .reason = (uint8_t)num(&kv, "reason", 0),
					 .phase = (uint8_t)num(&kv, "phase", 0),
					 .page = num(&kv, "page", 0), .t_ns = num(&kv, "t", 1) };
		record(&kv, CT_REC_PAGE, &r, sizeof(r), NULL, 0);
	} else if (strcmp(kind, "stage") == 0) {
		struct ct_rec_stage r = { .t_ns = num(&kv, "t", 1), .tid = (int32_t)num(&kv, "tid", 1),
					  .phase = (uint32_t)num(&kv, "phase", CT_PHASE_STARTUP) };
		record(&kv, CT_REC_STAGE, &r, sizeof(r), NULL, 0);
	} else if (strcmp(kind, "fault") == 0) {
		do_fault(&kv);
	} else if (strcmp(kind, "note") == 0) {
		struct ct_rec_note r;
		const char *text = kv.text ? kv.text : "";

		memset(&r, 0, sizeof(r));
		r.module = (uint32_t)num(&kv, "module", UINT32_MAX);
		r.reason = (uint32_t)num(&kv, "reason", 0);
		r.t_ns = num(&kv, "t", 1);
		r.len = (uint32_t)num(&kv, "len", strlen(text));
		record(&kv, CT_REC_NOTE, &r, offsetof(struct ct_rec_note, text), text, strlen(text));
	} else if (strcmp(kind, "phase") == 0) {
		struct ct_rec_phase r;
		const char *name = sget(&kv, "name");

		memset(&r, 0, sizeof(r));
		r.t_ns = num(&kv, "t", 1);
		r.tid = (int32_t)num(&kv, "tid", 1);
		r.len = (uint32_t)strlen(name ? name : "");
		record(&kv, CT_REC_PHASE, &r, sizeof(r), name ? name : "", r.len);
	} else if (strcmp(kind, "exit") == 0) {
		struct ct_rec_exit r = { .t_ns = num(&kv, "t", 9),
					 .status = (int32_t)num(&kv, "status", 0) };
		record(&kv, CT_REC_EXIT, &r, sizeof(r), NULL, 0);
	} else if (strcmp(kind, "raw") == 0) {
		struct ct_rec r = { 0, 0, 0 };
		size_t n = num(&kv, "body", 0);
		uint8_t *z = calloc(1, n + 1);

		record(&kv, (uint16_t)num(&kv, "type", 99), &r, sizeof(r), z, n);
		free(z);
	} else {
		fprintf(stderr, "gen-log: unknown spec line '%s'\n", kind);
		exit(2);
	}
}

static void start_log(int32_t pid)
{
	struct ct_log_header h;

	len = 0;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, CT_LOG_MAGIC, 8);
	h.version = CT_LOG_VERSION;
	h.header_size = CT_LOG_HEADER_SIZE;
	h.backend = CT_BACKEND_SIGNAL;
	h.pid = pid;
	h.ppid = 1;
	h.page_size = 4096;
	put(&h, sizeof(h));
	zeros(CT_LOG_HEADER_SIZE - sizeof(h));
}

static void finish_log(uint64_t records_end)
{
	struct ct_log_header *h = (struct ct_log_header *)buf;

	h->used = used_set ? used_val : records_end - CT_LOG_HEADER_SIZE;
}

static void write_file(const char *path, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(buf, 1, n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "gen-log: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static int bench(char **argv)
{
	const char *dir = argv[0], *lib = argv[3];
	unsigned long nlogs = strtoul(argv[1], NULL, 0), npages = strtoul(argv[2], NULL, 0);
	uint64_t bias = strtoull(argv[4], NULL, 0);
	uint64_t lo = strtoull(argv[6], NULL, 0), hi = strtoull(argv[7], NULL, 0);
	uint64_t npg = (hi - lo) / 4096;
	unsigned long i, j;
	char line[8192], path[4096];

	mkdir(dir, 0755);
	for (i = 0; i < nlogs; i++) {
		start_log((int32_t)(1000 + i));
		snprintf(line, sizeof(line), "module id=1 flags=0 bias=%llu writable=%llu path=%s buildid=%s ranges=%llu-%llu",
			 (unsigned long long)bias, (unsigned long long)npg, lib, argv[5],
			 (unsigned long long)(bias + lo), (unsigned long long)(bias + hi));
		spec_line(line);
		for (j = 0; j < npages; j++) {
			uint64_t page = bias + lo + ((j * 7 + i) % npg) * 4096;
			struct ct_rec_fault r;
			uint64_t frames[4] = { bias + lo + j % 4096, 0x1234, 0x5678, bias };

			/* one record per page: pages repeat only if npages > npg */
			if (j >= npg)
				page = bias + lo + (j % npg) * 4096;
			memset(&r, 0, sizeof(r));
			r.rec.type = CT_REC_FAULT;
			r.rec.size = sizeof(r) + sizeof(frames);
			r.module = 1;
			r.tid = (int32_t)(1000 + i);
			r.page = page;
			r.addr = page + (j % 512) * 8;
			r.ip = bias + lo + (j * 64) % (hi - lo);
			r.t_ns = j;
			r.nframes = 4;
			put(&r, sizeof(r));
			put(frames, sizeof(frames));
		}
		finish_log(len);
		snprintf(path, sizeof(path), "%s/bench.%lu.cwt", dir, i);
		write_file(path, len);
	}
	return 0;
}

int main(int argc, char **argv)
{
	char line[16384];
	size_t out_len;
	long cut = -1, extra = 0;
	if (argc == 10 && strcmp(argv[1], "--bench") == 0)
		return bench(argv + 2);
	if (argc != 2) {
		fprintf(stderr, "usage: gen-log OUT.cwt < SPEC | gen-log --bench DIR NLOGS NPAGES LIB BIAS BUILDID LO HI\n");
		return 2;
	}
	start_log(100);
	while (fgets(line, sizeof(line), stdin)) {
		if (strncmp(line, "truncate ", 9) == 0) {
			cut = strtol(strchr(line, '=') + 1, NULL, 0);
			continue;
		}
		if (strncmp(line, "append ", 7) == 0) {
			extra = strtol(strchr(line, '=') + 1, NULL, 0);
			continue;
		}
		spec_line(line);
	}
	finish_log(len);
	zeros((size_t)extra);
	out_len = cut >= 0 && (size_t)cut < len ? (size_t)cut : len;
	write_file(argv[1], out_len);
	return 0;
}
