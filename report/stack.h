/* stack.h - the code path that dirtied a page, as frames for folded stacks and pprof. */
#ifndef CT_REPORT_STACK_H
#define CT_REPORT_STACK_H

#include <stddef.h>
#include <stdint.h>

#include "aggregate.h"

/* One frame.  A real frame has mod (maybe fn); a made-up one has only
 * pseudo: "(attach)", "(unwatched)" or "(unknown writer)", then mod is the
 * page's own module. */
struct ct_sframe {
	const struct ct_module *mod;
	const struct ct_sym *fn;
	uint64_t addr;            /* ELF address in mod (raw when mod is NULL) */
	const char *pseudo;
};

/* Frames of row, innermost first, at most max; returns how many (>= 1
 * when max >= 1).  Runtime pages: the backtrace without the tracer's own
 * frames, else the writing ip, else
 * "(unknown writer)"; attach and unwatched pages: one made-up frame. */
size_t ct_row_stack(const struct ct_row *row, struct ct_sframe *out, size_t max);

/* File name part of path. */
const char *ct_basename(const char *path);

#endif
