/* unwind.c - backtraces of the faulting context with libunwind (1.6 on
 * Debian 12: unw_init_local2 on the handler's ucontext, a bounded unw_step
 * loop; no unw_backtrace2). */
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "ct.h"

/* libunwind checks addresses, when it has to guess a frame without unwind
 * information (the outermost one, for example), by writing them into a
 * pipe it opens at set-up and reopens whenever a read from it fails.  Those
 * descriptors are the program's to see, close and reuse: a program that
 * closed them and opened a file of its own would have libunwind read from
 * and write into that file.  While this flag is set, pipe2 fails, the
 * check fails, and the backtrace simply ends at the guessed frame. */
CT_TLS int ct_in_unwinder;

/* Outside signal context, once: per-thread caches (no global lock in the
 * handler) and a first unwind so that libunwind has set itself up. */
void ct_unwind_init(void)
{
	unw_context_t ctx;
	unw_cursor_t cur;
	uint64_t frames[8];

	ct_in_unwinder = 1;
	unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
	if (unw_getcontext(&ctx) == 0 && unw_init_local(&cur, &ctx) == 0)
		for (int i = 0; i < 8 && unw_step(&cur) > 0; i++)
			unw_get_reg(&cur, UNW_REG_IP, (unw_word_t *)&frames[i]);
	ct_in_unwinder = 0;
	ct.unwind_ready = 1;
}

/* SIGNAL-SAFE: up to max instruction addresses, innermost first.  With uc
 * (a signal's ucontext) the first is the faulting instruction; without, the
 * tracer's own frames are skipped up to the return address `from` (the call
 * site of the wrapper). */
static int unwind(void *uc, uint64_t *frames, int max, uintptr_t from)
{
	unw_context_t ctx;
	unw_cursor_t cur;
	int n = 0, skip = 0;

	if (uc) {
		if (unw_init_local2(&cur, (unw_context_t *)uc, UNW_INIT_SIGNAL_FRAME) < 0)
			return 0;
	} else {
		if (unw_getcontext(&ctx) < 0 || unw_init_local(&cur, &ctx) < 0)
			return 0;
		skip = 1;
	}
	do {
		unw_word_t ip;
		if (unw_get_reg(&cur, UNW_REG_IP, &ip) < 0 || !ip)
			break;
		if (skip) {
			if (ip != from) {
				/* the call site never came: no frames, not wrong ones */
				if (++skip > 8)
					return 0;
				continue;
			}
			skip = 0;
		}
		frames[n++] = ip;
	} while (n < max && unw_step(&cur) > 0);
	return n;
}

int ct_unwind(void *uc, uint64_t *frames, int max, uintptr_t from)
{
	int outer = ct_in_unwinder;     /* a nested fault inside libunwind */
	ct_in_unwinder = 1;
	int n = unwind(uc, frames, max, from);
	ct_in_unwinder = outer;
	return n;
}
