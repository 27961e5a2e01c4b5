/* trace.c - --format trace: the run as a timeline in the Chrome trace event
 * format (JSON), which Perfetto's UI (ui.perfetto.dev, "Open trace file")
 * and chrome://tracing open.  One track per process (named after its
 * command and pid), with
 *   - its phases (startup, main, teardown) as slices,
 *   - each dirty page as an instant event named library:symbol,
 *   - a counter of its dirty pages per library ("dirty pages: libfoo.so"),
 *   - fork as a flow arrow from the parent to the child's first event,
 *     exec as an instant event where the new image's log starts.
 * Times are microseconds since the earliest log's start (CLOCK_MONOTONIC). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "output.h"
#include "stack.h"
#include "util.h"

static const char *const phase_names[] = { NULL, "startup", "main", "teardown" };

struct trace {
	FILE *f;
	uint64_t t0;
	int first;
};

static void ts(struct trace *t, uint64_t ns)
{
	uint64_t d = ns > t->t0 ? ns - t->t0 : 0;
	fprintf(t->f, "%" PRIu64 ".%03" PRIu64, d / 1000, d % 1000);
}

/* Starts an event: {"name":NAME,"ph":PH,"ts":..,"pid":..,"tid":.. */
static void event(struct trace *t, const char *name, const char *cat, const char *ph, uint64_t ns,
		  int32_t pid, int32_t tid)
{
	fputs(t->first ? "\n" : ",\n", t->f);
	t->first = 0;
	fputs("{\"name\":", t->f);
	ct_json_str(t->f, name);
	if (cat)
		fprintf(t->f, ",\"cat\":\"%s\"", cat);
	fprintf(t->f, ",\"ph\":\"%s\",\"ts\":", ph);
	ts(t, ns);
	fprintf(t->f, ",\"pid\":%d,\"tid\":%d", (int)pid, (int)tid);
}

static int by_time(const void *a, const void *b)
{
	const struct ct_row *x = *(const struct ct_row *const *)a, *y = *(const struct ct_row *const *)b;
	if (x->proc != y->proc)
		return x->proc < y->proc ? -1 : 1;
	if (x->pg->t_ns != y->pg->t_ns)
		return x->pg->t_ns < y->pg->t_ns ? -1 : 1;
	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

struct libcount {
	const struct ct_lib *lib;
	uint64_t n;
};

static const char *when_word(uint8_t w)
{
	return w == CT_WHEN_ATTACH ? "attach" : w == CT_WHEN_RUNTIME ? "runtime" : "unwatched";
}

/* The end of a process on the timeline: its exit, else its last page or
 * stage. */
static uint64_t proc_end(const struct ct_log *log, uint64_t last_page)
{
	uint64_t end = last_page > log->start_ns ? last_page : log->start_ns;
	if (log->exit_ns > end)
		end = log->exit_ns;
	for (size_t i = 0; i < log->nstages; i++)
		if (log->stages[i].t_ns > end)
			end = log->stages[i].t_ns;
	return end;
}

static void phases(struct trace *t, const struct ct_log *log, uint64_t end)
{
	for (size_t i = 0; i < log->nstages; i++) {
		uint32_t ph = log->stages[i].phase;
		uint64_t s = log->stages[i].t_ns, e = i + 1 < log->nstages ? log->stages[i + 1].t_ns : end;
		if (ph < 1 || ph > 3 || e < s)
			continue;
		event(t, phase_names[ph], "phase", "X", s, log->pid, log->pid);
		fputs(",\"dur\":", t->f);
		fprintf(t->f, "%" PRIu64 ".%03" PRIu64 "}", (e - s) / 1000, (e - s) % 1000);
	}
}

void ct_output_trace(FILE *f, const struct ct_report *r, const struct ct_outopts *o)
{
	struct trace t = { f, UINT64_MAX, 1 };
	(void)o;
	for (size_t i = 0; i < r->nprocs; i++)
		if (r->procs[i].log->start_ns < t.t0)
			t.t0 = r->procs[i].log->start_ns;
	if (t.t0 == UINT64_MAX)
		t.t0 = 0;
	const struct ct_row **rows = ct_xcalloc(r->nrows ? r->nrows : 1, sizeof(*rows));
	size_t n = 0;
	for (size_t i = 0; i < r->nrows; i++)
		if (r->rows[i].pg->when != CT_WHEN_UNPROTECTED && !r->rows[i].lib->is_tracer &&
		    ct_report_lib_selected(r, r->rows[i].lib->path))
			rows[n++] = &r->rows[i];
	qsort(rows, n, sizeof(*rows), by_time);

	fputs("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"tool\":\"cowtrace\"},\"traceEvents\":[", f);
	size_t k = 0;
	for (size_t p = 0; p < r->nprocs; p++) {
		const struct ct_proc *proc = &r->procs[p];
		const struct ct_log *log = proc->log;
		char name[64];
		snprintf(name, sizeof(name), "%s [%d]", log->comm[0] ? log->comm : "?", (int)log->pid);
		event(&t, "process_name", NULL, "M", log->start_ns, log->pid, log->pid);
		fputs(",\"args\":{\"name\":", f);
		ct_json_str(f, name);
		fputs("}}", f);

		/* fork: an arrow from the parent's track; exec: a new image's log
		 * in a pid that had one before */
		for (size_t q = 0; q < r->nprocs; q++) {
			const struct ct_log *other = r->procs[q].log;
			if (q == p)
				continue;
			if (other->pid == log->ppid && other->start_ns <= log->start_ns) {
				event(&t, "fork", "process", "s", log->start_ns, other->pid, other->pid);
				fprintf(f, ",\"id\":%d}", (int)log->pid);
				event(&t, "fork", "process", "f", log->start_ns, log->pid, log->pid);
				fprintf(f, ",\"id\":%d,\"bp\":\"e\"}", (int)log->pid);
				break;
			}
			if (other->pid == log->pid && other->start_ns < log->start_ns) {
				event(&t, "exec", "process", "i", log->start_ns, log->pid, log->pid);
				fputs(",\"s\":\"p\",\"args\":{\"exe\":", f);
				ct_json_str(f, log->exe);
				fputs("}}", f);
				break;
			}
		}

		struct libcount *counts = NULL;
		size_t ncounts = 0, cap = 0;
		uint64_t last = 0;
		for (; k < n && rows[k]->proc == proc; k++) {
			const struct ct_row *row = rows[k];
			char sym[512], label[640];
			const char *s = ct_row_symbol(row, 0, sym, sizeof(sym));
			if (s)
				snprintf(label, sizeof(label), "%s:%s", ct_basename(row->lib->path), s);
			else
				snprintf(label, sizeof(label), "%s:%s+0x%" PRIx64, ct_basename(row->lib->path),
					 row->section ? row->section : "page", row->vaddr);
			event(&t, label, "first write", "i", row->pg->t_ns, log->pid,
			      row->pg->tid ? row->pg->tid : log->pid);
			fputs(",\"s\":\"t\",\"args\":{\"library\":", f);
			ct_json_str(f, row->lib->path);
			fprintf(f, ",\"vaddr\":\"0x%" PRIx64 "\",\"when\":\"%s\",\"phase\":", row->vaddr,
				when_word(row->pg->when));
			ct_json_str(f, row->pg->phase >= 1 && row->pg->phase <= 3 ? phase_names[row->pg->phase] : NULL);
			fputs(",\"writer\":", f);
			ct_json_str(f, row->writer ? row->writer->name : NULL);
			fputs("}}", f);

			size_t c = 0;
			while (c < ncounts && counts[c].lib != row->lib)
				c++;
			if (c == ncounts) {
				ct_grow(&counts, &cap, ncounts + 1, sizeof(*counts));
				counts[ncounts++] = (struct libcount){ row->lib, 0 };
			}
			counts[c].n++;
			snprintf(label, sizeof(label), "dirty pages: %s", ct_basename(row->lib->path));
			event(&t, label, NULL, "C", row->pg->t_ns, log->pid, log->pid);
			fprintf(f, ",\"args\":{\"pages\":%" PRIu64 "}}", counts[c].n);
			if (row->pg->t_ns > last)
				last = row->pg->t_ns;
		}
		free(counts);
		phases(&t, log, proc_end(log, last));
	}
	fputs("\n]}\n", f);
	free(rows);
}
