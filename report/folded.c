/* folded.c - "frame;frame;... count" lines (outermost first) for flame graph tools. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "output.h"
#include "stack.h"
#include "util.h"

struct fstack {
	char *key;
	uint64_t pages;
	UT_hash_handle hh;
};

/* Append s to buf at *n (bounded), with ';' and line breaks, which the
 * format uses as separators, replaced. */
static void put(char *buf, size_t size, size_t *n, const char *s)
{
	for (; *s && *n + 1 < size; s++)
		buf[(*n)++] = *s == ';' ? ',' : *s == '\n' || *s == '\r' ? ' ' : *s;
	buf[*n] = '\0';
}

static void frame_text(const struct ct_sframe *fr, char *buf, size_t size, size_t *n)
{
	char num[512];

	if (!fr->mod && !fr->pseudo) {   /* outside every object: the label says so */
		put(buf, size, n, ct_frame_label(NULL, NULL, fr->addr, num, sizeof(num)));
		return;
	}
	put(buf, size, n, fr->mod ? ct_basename(fr->mod->path) : "?");
	put(buf, size, n, ":");
	if (fr->pseudo) {
		put(buf, size, n, fr->pseudo);
	} else {
		put(buf, size, n, ct_frame_label(fr->mod, fr->fn, fr->addr, num, sizeof(num)));
	}
}

static int fstack_cmp(const void *a, const void *b)
{
	return strcmp((*(struct fstack *const *)a)->key, (*(struct fstack *const *)b)->key);
}

void ct_output_folded(FILE *f, const struct ct_report *r, const struct ct_outopts *o)
{
	struct fstack *hash = NULL, *s, *tmp, **v;
	struct ct_sframe fr[CT_MAX_FRAMES];
	char key[16384];
	size_t i, j, n, nv = 0;

	(void)o;
	for (i = 0; i < r->nrows; i++) {
		size_t len = 0;

		n = ct_row_stack(&r->rows[i], fr, CT_MAX_FRAMES);
		key[0] = '\0';
		for (j = n; j-- > 0;) {
			frame_text(&fr[j], key, sizeof(key), &len);
			if (j && len + 1 < sizeof(key)) {
				key[len++] = ';';
				key[len] = '\0';
			}
		}
		HASH_FIND_STR(hash, key, s);
		if (!s) {
			s = ct_xcalloc(1, sizeof(*s));
			s->key = ct_xstrdup(key);
			HASH_ADD_KEYPTR(hh, hash, s->key, strlen(s->key), s);
		}
		s->pages++;
	}
	v = ct_xcalloc(HASH_COUNT(hash), sizeof(*v));
	HASH_ITER(hh, hash, s, tmp)
		v[nv++] = s;
	if (nv)
		qsort(v, nv, sizeof(*v), fstack_cmp);
	for (i = 0; i < nv; i++)
		fprintf(f, "%s %" PRIu64 "\n", v[i]->key, v[i]->pages);
	HASH_ITER(hh, hash, s, tmp) {
		HASH_DEL(hash, s);
		free(s->key);
		free(s);
	}
	free(v);
}
