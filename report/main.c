/* main.c - command line of cowtrace-report: pick logs, parse, aggregate, print. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aggregate.h"
#include "diff.h"
#include "advise.h"
#include "inputs.h"
#include "lines.h"
#include "logread.h"
#include "output.h"
#include "symbols.h"
#include "util.h"

enum format { FMT_TABLE, FMT_JSON, FMT_CSV, FMT_FOLDED, FMT_PPROF, FMT_SVG, FMT_TRACE };

static const char usage_text[] =
	"usage: cowtrace-report [--by library|section|symbol|writer|page|process|phase]\n"
	"                       [--format table|json|csv|folded|pprof|svg|trace]\n"
	"                       [--top N] [--lib GLOB] [--pid PID] [--phase NAME[,NAME...]]\n"
	"                       [--debug-dir DIR[:DIR...]] LOG_OR_DIR...\n"
	"       cowtrace-report advise [--lib GLOB] [--format table|json]\n"
	"                       [--emit-symbol-order FILE] [--emit-section-order FILE] LOG_OR_DIR...\n"
	"       cowtrace-report diff [--fail-if-more N] [--per-process] [--format table|json]\n"
	"                            RUN_A RUN_B\n"
	"Reads cowtrace logs (a directory means every *.cwt file in it) and reports\n"
	"which pages of which libraries were dirtied (copied on write).\n"
	"  --by KEY      group table rows by library (default), section, symbol,\n"
	"                writer (function that wrote), page, process, or phase\n"
	"                (library and the phase its pages were first written in:\n"
	"                startup, main or main/MARK, teardown)\n"
	"  --format F    table (default), json (every page), csv (one row per page),\n"
	"                folded (stacks for flame graphs), pprof (gzipped profile.proto),\n"
	"                svg (a map of every library's writable pages), trace (a\n"
	"                timeline for Perfetto or chrome://tracing: phases, first\n"
	"                writes, dirty pages per library over time, fork and exec)\n"
	"  --top N       show only the first N rows\n"
	"  --lib GLOB    only libraries whose path or file name matches GLOB\n"
	"  --pid PID     only the process PID\n"
	"  --phase NAMES only pages first written in these phases: startup (before\n"
	"                main), main, teardown (exit handlers, destructors), or a\n"
	"                cowtrace_phase() mark MARK or main/MARK (main pages under it)\n"
	"  --debug-dir D separate debug files are looked up as D/.build-id/xx/yyyy.debug\n"
	"                (default /usr/lib/debug; a colon-separated list)\n"
	"Pages are attach (dirty at the first look after relocation), runtime (first\n"
	"write seen) or unwatched (found dirty by a scan, first write unseen).  The\n"
	"table's dirty column leaves teardown pages out (the teardown column).\n";

static void usage_error(const char *fmt, const char *arg)
{
	fputs("cowtrace-report: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\n", stderr);
	fputs(usage_text, stderr);
	exit(2);
}

static int parse_by(const char *s, enum ct_by *by)
{
	size_t i;

	for (i = 0; i <= CT_BY_PHASE; i++)
		if (strcmp(s, ct_by_names[i]) == 0) {
			*by = (enum ct_by)i;
			return 0;
		}
	return -1;
}

/* --phase a,b (may be given more than once): appended to *v. */
static int split_phases(const char *arg, char ***v, size_t *n)
{
	const char *p = arg, *end;

	do {
		end = strchrnul(p, ',');
		if (end == p)
			return -1;
		*v = ct_xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = ct_xstrndup(p, (size_t)(end - p));
		p = end + 1;
	} while (*end);
	return 0;
}

/* Every --phase name must be known to the logs read; else one line and 2. */
static int check_phases(char **names, size_t n, const struct ct_inputs *in)
{
	size_t i, v1 = 0;

	for (i = 0; i < n; i++)
		if (!ct_phase_name_known(names[i], in->logs, in->n)) {
			ct_err(NULL, "--phase: unknown phase '%s' (phases: startup, main, teardown; "
			       "or a cowtrace_phase() mark these logs name)", names[i]);
			return -1;
		}
	for (i = 0; i < in->n; i++)
		v1 += in->logs[i].version < 2;
	if (n && v1)
		ct_err(NULL, "--phase: %zu version 1 log%s record%s no phases: only pages under a "
		       "named mark are kept from them", v1, v1 > 1 ? "s" : "", v1 > 1 ? "" : "s");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ "top", required_argument, NULL, 't' },
		{ "lib", required_argument, NULL, 'l' },
		{ "pid", required_argument, NULL, 'p' },
		{ "debug-dir", required_argument, NULL, 'd' },
		{ "phase", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ct_outopts out = { CT_BY_LIBRARY, 0, 0 };
	struct ct_report rep;
	struct ct_inputs in = { NULL, 0 };
	enum format fmt = FMT_TABLE;
	char **phases = NULL;
	size_t nphases = 0;
	long long v;
	int c, rc = 0;

	if (argc > 1 && strcmp(argv[1], "diff") == 0)
		return ct_diff_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "advise") == 0)
		return ct_advise_main(argc - 1, argv + 1);
	memset(&rep, 0, sizeof(rep));
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (parse_by(optarg, &out.by) < 0)
				usage_error("unknown --by value '%s'", optarg);
			out.by_set = 1;
			break;
		case 'f':
			if (strcmp(optarg, "table") == 0)
				fmt = FMT_TABLE;
			else if (strcmp(optarg, "json") == 0)
				fmt = FMT_JSON;
			else if (strcmp(optarg, "csv") == 0)
				fmt = FMT_CSV;
			else if (strcmp(optarg, "folded") == 0)
				fmt = FMT_FOLDED;
			else if (strcmp(optarg, "pprof") == 0)
				fmt = FMT_PPROF;
			else if (strcmp(optarg, "svg") == 0)
				fmt = FMT_SVG;
			else if (strcmp(optarg, "trace") == 0)
				fmt = FMT_TRACE;
			else
				usage_error("unknown --format value '%s'", optarg);
			break;
		case 't':
			if (ct_parse_num(optarg, 1, 1LL << 40, &v) < 0)
				usage_error("--top wants a positive number, not '%s'", optarg);
			out.top = (size_t)v;
			break;
		case 'l':
			rep.lib_glob = optarg;
			break;
		case 'p':
			if (ct_parse_num(optarg, 0, INT32_MAX, &v) < 0)
				usage_error("--pid wants a process id, not '%s'", optarg);
			rep.pid_set = 1;
			rep.pid = (int32_t)v;
			break;
		case 'd':
			ct_debug_dirs = optarg;
			break;
		case 'P':
			if (split_phases(optarg, &phases, &nphases) < 0)
				usage_error("--phase wants NAME[,NAME...], not '%s'", optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind >= argc)
		usage_error("%s", "no log file or directory given");
	if (fmt == FMT_PPROF && isatty(STDOUT_FILENO))
		usage_error("%s", "--format pprof writes a binary file: redirect it (> out.pb.gz)");

	if (ct_inputs_read(&in, argv + optind, (size_t)(argc - optind)) == 0) {
		ct_err(NULL, "no usable log");
		rc = 1;
		goto out;
	}

	if (check_phases(phases, nphases, &in) < 0) {
		rc = 2;
		goto out;
	}
	rep.phase_sel = (const char *const *)phases;
	rep.nphase_sel = nphases;
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	ct_report_build(&rep, in.logs, in.n);
	if (rep.pid_set && rep.nprocs == 0)
		ct_err(NULL, "no log of process %d", (int)rep.pid);
	switch (fmt) {
	case FMT_JSON:
		ct_output_json(stdout, &rep, &out);
		break;
	case FMT_CSV:
		ct_output_csv(stdout, &rep, &out);
		break;
	case FMT_FOLDED:
		ct_output_folded(stdout, &rep, &out);
		break;
	case FMT_SVG:
		ct_output_svg(stdout, &rep, &out);
		break;
	case FMT_TRACE:
		ct_output_trace(stdout, &rep, &out);
		break;
	case FMT_PPROF:
		if (ct_output_pprof(stdout, &rep, &out) < 0)
			rc = 1;
		break;
	default:
		ct_output_table(stdout, &rep, &out);
		break;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ct_err(NULL, "writing the report: %s", strerror(errno));
		rc = 1;
	}
	ct_report_free(&rep);
out:
	for (size_t i = 0; i < nphases; i++)
		free(phases[i]);
	free(phases);
	ct_inputs_free(&in);
	ct_lines_free();
	ct_elf_cache_free();
	return rc;
}
