/* stack.c - turn a dirty page's backtrace (or its kind) into frames for stack-shaped outputs. */
#include <string.h>

#include "stack.h"

const char *ct_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

static size_t pseudo(const struct ct_row *row, struct ct_sframe *out, const char *what)
{
	out->mod = row->mod;
	out->fn = NULL;
	out->addr = 0;
	out->pseudo = what;
	return 1;
}

size_t ct_row_stack(const struct ct_row *row, struct ct_sframe *out, size_t max)
{
	const struct ct_page *pg = row->pg;
	size_t i, n = 0;

	if (!max)
		return 0;
	if (pg->when == CT_WHEN_ATTACH)
		return pseudo(row, out, "(attach)");
	if (pg->when == CT_WHEN_UNWATCHED)
		return pseudo(row, out, "(unwatched)");
	for (i = 0; i < pg->nframes && n < max; i++) {
		struct ct_frame fr;

		ct_resolve_frame(row, i, &fr);
		if (fr.mod && ct_module_is_tracer(fr.mod))
			continue;       /* the tracer's wrappers (dlopen, read, ...) */
		out[n].mod = fr.mod;
		out[n].fn = fr.fn;
		out[n].addr = fr.addr;
		out[n].pseudo = NULL;
		n++;
	}
	if (n)
		return n;
	if (row->wmod) {
		out->mod = row->wmod;
		out->fn = row->writer;
		out->addr = pg->ip - row->wmod->bias;
		out->pseudo = NULL;
		return 1;
	}
	if (pg->ip) {                   /* outside every object: named by address */
		out->mod = NULL;
		out->fn = NULL;
		out->addr = pg->ip;
		out->pseudo = NULL;
		return 1;
	}
	return pseudo(row, out, "(no writer)");   /* the scan backend's pages */
}
