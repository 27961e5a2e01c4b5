/* options.c - the COWTRACE_* environment variables, parsed once, first.
 * Reads the environment array directly: this may run from the audit module
 * before the main namespace's libc has set up getenv. */
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ct.h"

static const char *env_value(char **envp, const char *name)
{
	size_t n = strlen(name);
	for (char **e = envp; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
	long v = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > hi)
			return -1;
	}
	if (v < lo)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_bool(const char *s, int *out)
{
	if (!strcmp(s, "1") || !strcmp(s, "yes") || !strcmp(s, "true")) {
		*out = 1;
		return 0;
	}
	if (!strcmp(s, "0") || !strcmp(s, "no") || !strcmp(s, "false")) {
		*out = 0;
		return 0;
	}
	return -1;
}

/* Splits a colon-separated list of globs in place into a copy. */
static int parse_globs(const char *s, const char **out, int *n)
{
	size_t len = strlen(s);
	char *copy = ct_arena_alloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, s, len + 1);
	*n = 0;
	for (char *p = copy; *p;) {
		char *c = strchr(p, ':');
		if (c)
			*c = 0;
		if (*p) {
			if (*n == CT_MAX_GLOBS)
				return -1;
			out[(*n)++] = p;
		}
		if (!c)
			break;
		p = c + 1;
	}
	return 0;
}

/* A relative directory is taken from where the process starts: its fork
 * children log next to it even after a chdir (a daemon's to "/").  Returns
 * -1 when the path does not fit. */
static int absolute_dir(char *out, size_t size, const char *v)
{
	size_t n = 0;
	if (v[0] != '/') {
		long r = ct_syscall(SYS_getcwd, (long)out, (long)size, 0, 0, 0, 0);
		if (r <= 0)
			return ct_strlcpy(out, v, size) >= size ? -1 : 0;
		n = strlen(out);
		if (n + 1 >= size)
			return -1;
		if (n > 1)
			out[n++] = '/';
	}
	return ct_strlcpy(out + n, v, size - n) >= size - n ? -1 : 0;
}

static const char *const known[] = {
	"COWTRACE_DIR", "COWTRACE_BACKTRACE", "COWTRACE_MODE", "COWTRACE_INCLUDE",
	"COWTRACE_EXCLUDE", "COWTRACE_QUIET", "COWTRACE_FOLLOW", "COWTRACE_UNWIND",
	"COWTRACE_MAX_MAPS", "COWTRACE_PERF_PAGES", "COWTRACE_SCAN_MS",
};

static void bad(const char *name, const char *val, const char *expect)
{
	ct_warn(name, "=", val, ": expected ", expect,
		"; tracing is off for this process", NULL);
}

/* Returns 0, or -1 after one message: the process then runs untraced. */
int ct_options_parse(struct ct_options *o, char **envp)
{
	const char *v;

	memset(o, 0, sizeof *o);
	o->backtrace = 16;
	o->mode = CT_BACKEND_SIGNAL;
	o->follow = 1;
	o->max_maps = -1;
	o->perf_pages = -1;     /* 256 in perf mode, 16 under the signal backend */
	if (absolute_dir(o->dir, sizeof o->dir - 64, "."))
		o->dir[0] = '.';

	/* quiet first, so that it applies to the messages below */
	if ((v = env_value(envp, "COWTRACE_QUIET")) && parse_bool(v, &o->quiet)) {
		bad("COWTRACE_QUIET", v, "0 or 1");
		return -1;
	}
	ct.opt.quiet = o->quiet;

	for (char **e = envp; e && *e; e++) {
		if (strncmp(*e, "COWTRACE_", 9))
			continue;
		size_t k = strcspn(*e, "=");
		int ok = 0;
		for (size_t i = 0; i < sizeof known / sizeof *known; i++)
			if (strlen(known[i]) == k && !strncmp(*e, known[i], k))
				ok = 1;
		if (!ok)
			ct_warn("unknown variable ", *e, " (ignored)", NULL);
	}

	if ((v = env_value(envp, "COWTRACE_BACKTRACE")) &&
	    parse_int(v, 0, CT_MAX_FRAMES, &o->backtrace)) {
		bad("COWTRACE_BACKTRACE", v, "a number of frames from 0 to 128");
		return -1;
	}
	if ((v = env_value(envp, "COWTRACE_MODE"))) {
		if (!strcmp(v, "signal"))
			o->mode = CT_BACKEND_SIGNAL;
		else if (!strcmp(v, "scan"))
			o->mode = CT_BACKEND_SCAN;
		else if (!strcmp(v, "perf"))
			o->mode = CT_BACKEND_PERF;
		else {
			bad("COWTRACE_MODE", v, "signal, scan or perf");
			return -1;
		}
	}
	if ((v = env_value(envp, "COWTRACE_UNWIND"))) {
		if (strcmp(v, "fast") && strcmp(v, "slow")) {
			bad("COWTRACE_UNWIND", v, "fast or slow");
			return -1;
		}
		o->unwind_slow = !strcmp(v, "slow");
	}
	if ((v = env_value(envp, "COWTRACE_FOLLOW")) && parse_bool(v, &o->follow)) {
		bad("COWTRACE_FOLLOW", v, "0 or 1");
		return -1;
	}
	if ((v = env_value(envp, "COWTRACE_MAX_MAPS"))) {
		int n;
		if (parse_int(v, 0, 1000000000, &n)) {
			bad("COWTRACE_MAX_MAPS", v, "a number of mappings from 0 to 1000000000");
			return -1;
		}
		o->max_maps = n;
	}
	if ((v = env_value(envp, "COWTRACE_PERF_PAGES"))) {
		int n;
		if (parse_int(v, 0, 65536, &n) || (n & (n - 1))) {
			bad("COWTRACE_PERF_PAGES", v, "0 (no fault samples) or a power of two from 1 to 65536 "
			    "(pages per thread's ring)");
			return -1;
		}
		o->perf_pages = n;
	}
	if ((v = env_value(envp, "COWTRACE_SCAN_MS")) && parse_int(v, 0, 3600000, &o->scan_ms)) {
		bad("COWTRACE_SCAN_MS", v, "0 (no scan thread) or milliseconds between scans, up to 3600000");
		return -1;
	}
	if (o->perf_pages < 0)
		o->perf_pages = o->mode == CT_BACKEND_PERF ? 256 : 16;
	if ((v = env_value(envp, "COWTRACE_INCLUDE")) && parse_globs(v, o->incl, &o->nincl)) {
		bad("COWTRACE_INCLUDE", v, "at most 16 colon-separated globs");
		return -1;
	}
	if ((v = env_value(envp, "COWTRACE_EXCLUDE")) && parse_globs(v, o->excl, &o->nexcl)) {
		bad("COWTRACE_EXCLUDE", v, "at most 16 colon-separated globs");
		return -1;
	}
	if ((v = env_value(envp, "COWTRACE_DIR"))) {
		if (!*v || absolute_dir(o->dir, sizeof o->dir - 64, v)) {
			bad("COWTRACE_DIR", v, "a directory path");
			return -1;
		}
	}
	return 0;
}
