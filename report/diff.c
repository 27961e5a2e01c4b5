/* diff.c - compare two runs: dirty pages per library and per symbol, and a CI threshold. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "aggregate.h"
#include "diff.h"
#include "inputs.h"
#include "output.h"
#include "util.h"

#define TABLE_WIDTH 99
#define NUM_WIDTH   (9 + 9 + 10)

static const char usage_text[] =
	"usage: cowtrace-report diff [--fail-if-more N] [--per-process] [--format table|json]\n"
	"                            [--top N] [--lib GLOB] [--debug-dir D] RUN_A RUN_B\n"
	"Dirty pages per library and per symbol in RUN_A and RUN_B (each a log or a\n"
	"directory of logs) and the change, largest growth first.\n"
	"  --fail-if-more N  exit 1 when the total grew by more than N pages\n"
	"  --per-process     compare pages per process (runs with different numbers\n"
	"                    of processes): --fail-if-more applies to the average\n"
	"  --top N           at most N rows per list\n"
	"  --lib GLOB        only libraries whose path or file name matches GLOB\n"
	"  --debug-dir D     debug files by build-id under D (default /usr/lib/debug)\n";

struct drow {
	char *key;
	uint64_t n[2];
	UT_hash_handle hh;
};

struct run {
	const char *path;
	struct ct_inputs in;
	struct ct_report rep;
	uint64_t total;
	double per_proc;          /* total / processes (0 without processes) */
};

static void count(struct drow **hash, const char *key, int side, uint64_t n)
{
	struct drow *d;

	HASH_FIND_STR(*hash, key, d);
	if (!d) {
		d = ct_xcalloc(1, sizeof(*d));
		d->key = ct_xstrdup(key);
		HASH_ADD_KEYPTR(hh, *hash, d->key, strlen(d->key), d);
	}
	d->n[side] += n;
}

static int64_t change(const struct drow *d)
{
	return (int64_t)d->n[1] - (int64_t)d->n[0];
}

static int drow_cmp(const void *a, const void *b)
{
	const struct drow *x = *(struct drow *const *)a, *y = *(struct drow *const *)b;

	if (change(x) != change(y))
		return change(x) > change(y) ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* The hash's rows sorted by change (growth first); frees nothing. */
static struct drow **sorted(struct drow *hash, size_t *n)
{
	struct drow **v = ct_xcalloc(HASH_COUNT(hash), sizeof(*v)), *d, *tmp;

	*n = 0;
	HASH_ITER(hh, hash, d, tmp)
		v[(*n)++] = d;
	if (*n)
		qsort(v, *n, sizeof(*v), drow_cmp);
	return v;
}

static void drows_free(struct drow **hash)
{
	struct drow *d, *tmp;

	HASH_ITER(hh, *hash, d, tmp) {
		HASH_DEL(*hash, d);
		free(d->key);
		free(d);
	}
}

/* Libraries by path (a rebuilt library keeps its row) and symbols. */
static void collect(struct run *r, int side, struct drow **libs, struct drow **syms)
{
	struct ct_group *g;
	size_t i, n;

	for (i = 0; i < r->rep.nlibv; i++)
		count(libs, r->rep.libv[i]->path, side, r->rep.libv[i]->n.all.dirty);
	g = ct_report_group(&r->rep, CT_BY_SYMBOL, &n);
	for (i = 0; i < n; i++)
		count(syms, g[i].key, side, g[i].n.all.dirty);
	ct_groups_free(g, n);
	r->total = r->rep.nrows;
	r->per_proc = r->rep.nprocs ? (double)r->total / (double)r->rep.nprocs : 0;
}

static void table_line(FILE *f, const char *name, uint64_t a, uint64_t b, int64_t ch)
{
	ct_put_name(f, name, TABLE_WIDTH - NUM_WIDTH);
	fprintf(f, " %8" PRIu64 " %8" PRIu64 " %+9" PRId64 "\n", a, b, ch);
}

static void table_list(FILE *f, const char *title, struct drow **v, size_t n, size_t top,
		       int changed_only)
{
	size_t i, shown = 0, hidden = 0;

	ct_put_name(f, title, TABLE_WIDTH - NUM_WIDTH);
	fprintf(f, " %8s %8s %9s\n", "A", "B", "change");
	for (i = 0; i < n; i++) {
		if (changed_only && !change(v[i]))
			continue;
		if (top && shown == top) {
			hidden++;
			continue;
		}
		table_line(f, v[i]->key, v[i]->n[0], v[i]->n[1], change(v[i]));
		shown++;
	}
	if (hidden)
		fprintf(f, "(%zu more)\n", hidden);
	if (!shown)
		fputs("(no change)\n", f);
}

static void json_list(FILE *f, const char *name, const char *keyname, struct drow **v, size_t n,
		      size_t top)
{
	size_t i;

	if (top && top < n)
		n = top;
	fprintf(f, ",\n\"%s\":[", name);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s\n{\"%s\":", i ? "," : "", keyname);
		ct_json_str(f, v[i]->key);
		fprintf(f, ",\"a\":%" PRIu64 ",\"b\":%" PRIu64 ",\"change\":%" PRId64 "}",
			v[i]->n[0], v[i]->n[1], change(v[i]));
	}
	fputs("]", f);
}

/* --fail-if-more: pages, a fraction allowed (per-process averages). */
static int parse_limit(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0) || v > 1e15 || strpbrk(s, "xXnNiI"))
		return -1;      /* hex, nan, inf: not a number of pages */
	*out = v;
	return 0;
}

static void usage_error(const char *what, const char *arg)
{
	fputs("cowtrace-report diff: ", stderr);
	fprintf(stderr, what, arg);
	fputc('\n', stderr);
	fputs(usage_text, stderr);
}

int ct_diff_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fail-if-more", required_argument, NULL, 'F' },
		{ "per-process", no_argument, NULL, 'P' },
		{ "format", required_argument, NULL, 'f' },
		{ "top", required_argument, NULL, 't' },
		{ "lib", required_argument, NULL, 'l' },
		{ "debug-dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run run[2];
	struct drow *libs = NULL, *syms = NULL, **lv, **sv;
	long long v;
	double limit = -1, pgrew;
	size_t top = 0, nl, ns;
	int c, json = 0, i, rc = 0, failed, per_process = 0;
	const char *glob = NULL;
	int64_t grew;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (parse_limit(optarg, &limit) < 0) {
				usage_error("--fail-if-more wants a number of pages, not '%s'", optarg);
				return 2;
			}
			break;
		case 'P':
			per_process = 1;
			break;
		case 'f':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "table") != 0) {
				usage_error("--format is table or json, not '%s'", optarg);
				return 2;
			}
			json = strcmp(optarg, "json") == 0;
			break;
		case 't':
			if (ct_parse_num(optarg, 1, 1LL << 40, &v) < 0) {
				usage_error("--top wants a positive number, not '%s'", optarg);
				return 2;
			}
			top = (size_t)v;
			break;
		case 'l':
			glob = optarg;
			break;
		case 'd':
			ct_debug_dirs = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		usage_error("%s", "needs two runs: RUN_A RUN_B");
		return 2;
	}
	memset(run, 0, sizeof(run));
	for (i = 0; i < 2; i++) {
		run[i].path = argv[optind + i];
		run[i].rep.lib_glob = glob;
		if (ct_inputs_read(&run[i].in, &argv[optind + i], 1) == 0) {
			ct_err(run[i].path, "no usable log");
			rc = 2;
		}
	}
	if (rc)
		goto out;
	for (i = 0; i < 2; i++) {
		ct_report_build(&run[i].rep, run[i].in.logs, run[i].in.n);
		collect(&run[i], i, &libs, &syms);
	}
	lv = sorted(libs, &nl);
	sv = sorted(syms, &ns);
	grew = (int64_t)run[1].total - (int64_t)run[0].total;
	pgrew = run[1].per_proc - run[0].per_proc;
	failed = limit >= 0 && (per_process ? pgrew > limit + 1e-9 : (double)grew > limit);

	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (json) {
		fputs("{\"runs\":[", stdout);
		for (i = 0; i < 2; i++) {
			fputs(i ? ",\n{\"path\":" : "\n{\"path\":", stdout);
			ct_json_str(stdout, run[i].path);
			fprintf(stdout, ",\"processes\":%zu,\"dirty_pages\":%" PRIu64
				",\"per_process\":%.2f}", run[i].rep.nprocs, run[i].total, run[i].per_proc);
		}
		fprintf(stdout, "],\n\"total\":{\"a\":%" PRIu64 ",\"b\":%" PRIu64 ",\"change\":%" PRId64 "}",
			run[0].total, run[1].total, grew);
		fprintf(stdout, ",\n\"per_process\":{\"a\":%.2f,\"b\":%.2f,\"change\":%.2f}",
			run[0].per_proc, run[1].per_proc, pgrew);
		json_list(stdout, "libraries", "library", lv, nl, top);
		json_list(stdout, "symbols", "symbol", sv, ns, top);
		if (limit >= 0)
			fprintf(stdout, ",\n\"fail_if_more\":%.15g", limit);
		else
			fputs(",\n\"fail_if_more\":null", stdout);
		fprintf(stdout, ",\"compare\":\"%s\"", per_process ? "per_process" : "total");
		fprintf(stdout, ",\"failed\":%s}\n", failed ? "true" : "false");
	} else {
		char tot[128];

		for (i = 0; i < 2; i++)
			fprintf(stdout, "%s: %s (%zu processes, %.2f pages per process)\n", i ? "B" : "A",
				run[i].path, run[i].rep.nprocs, run[i].per_proc);
		fputc('\n', stdout);
		table_list(stdout, "library", lv, nl, top, 0);
		snprintf(tot, sizeof(tot), "total");
		table_line(stdout, tot, run[0].total, run[1].total, grew);
		/* totals of runs with more or fewer workers compare badly */
		if (per_process || run[0].rep.nprocs != run[1].rep.nprocs) {
			ct_put_name(stdout, "per process", TABLE_WIDTH - NUM_WIDTH);
			fprintf(stdout, " %8.2f %8.2f %+9.2f\n", run[0].per_proc, run[1].per_proc, pgrew);
		}
		fputc('\n', stdout);
		table_list(stdout, "symbol (changed)", sv, ns, top, 1);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ct_err(NULL, "writing the diff failed");
		rc = 2;
	} else if (failed && per_process) {
		ct_err(NULL, "dirty pages per process grew by %.2f, more than %.15g", pgrew, limit);
		rc = 1;
	} else if (failed) {
		ct_err(NULL, "dirty pages grew by %" PRId64 ", more than %.15g", grew, limit);
		rc = 1;
	}
	free(lv);
	free(sv);
	drows_free(&libs);
	drows_free(&syms);
out:
	for (i = 0; i < 2; i++) {
		ct_report_free(&run[i].rep);
		ct_inputs_free(&run[i].in);
	}
	ct_elf_cache_free();
	return rc;
}
