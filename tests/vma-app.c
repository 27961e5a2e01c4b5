/* vma-app.c - writes every STRIDE-th page of libvmabig.so's 40,000-page
 * .data array (each write, traced, unprotects one page: one more mapping),
 * prints a checksum, and writes libvmabig's pagemap oracle to OUT in the
 * format of liboracle's (tests/oracle-lib.c): "# pid N", then one ELF vaddr
 * per private-dirty page of the whole object (every PT_LOAD, RELRO included).
 *   vma-app OUT [STRIDE] [LIMIT] [PAUSE_MS|read]
 * writes pages 1, 1 + STRIDE, ... below LIMIT (default: all of them);
 * "1 20001" writes 20,000 neighbouring pages front to back.  With PAUSE_MS
 * it reads those pages first (a page fault each), then pauses that long
 * after every 1,000 writes (COWTRACE_SCAN_MS: the scan thread runs then).
 * With "read" it reads them first too, writes them without a pause, and
 * its checksum then reads only the pages written: no fault comes after the
 * writes, so in perf mode the newest samples are the writes'
 * (t-tracer-perf-ring.sh).  The reads are read_pages()', the writes
 * write_pages()': only the latter may be named as writer. */
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pagemap-dirty.h"

long vmabig_pages(void);
char *vmabig_base(void);
void vmabig_touch(void);

#define PG 4096UL

struct obj { uintptr_t bias, lo[8], hi[8]; int n; };

static int cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct obj *o = arg;
	(void)size;
	if (!info->dlpi_name || !strstr(info->dlpi_name, "libvmabig.so"))
		return 0;
	o->bias = info->dlpi_addr;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *p = &info->dlpi_phdr[i];
		if (p->p_type == PT_LOAD && o->n < 8) {
			o->lo[o->n] = p->p_vaddr & ~(PG - 1);
			o->hi[o->n++] = (p->p_vaddr + p->p_memsz + PG - 1) & ~(PG - 1);
		}
	}
	return 1;
}

static int oracle(const char *out)
{
	struct obj o;
	memset(&o, 0, sizeof o);
	dl_iterate_phdr(cb, &o);
	FILE *f = fopen(out, "w");
	int pm = open("/proc/self/pagemap", O_RDONLY);
	if (!o.n || !f || pm < 0)
		return -1;
	fprintf(f, "# pid %d\n", (int)getpid());
	static uint64_t ent[512];
	for (int i = 0; i < o.n; i++) {
		for (uintptr_t v = o.lo[i]; v < o.hi[i];) {
			size_t n = (o.hi[i] - v) / PG;
			n = n > 512 ? 512 : n;
			uintptr_t a = v + o.bias;
			if (pread(pm, ent, n * 8, (off_t)(a / PG * 8)) != (ssize_t)(n * 8))
				return -1;
			for (size_t k = 0; k < n; k++, v += PG)
				if (pagemap_dirty(ent[k]))
					fprintf(f, "0x%lx\n", (unsigned long)v);
		}
	}
	close(pm);
	return fclose(f);
}

static volatile long sink;

__attribute__((noinline)) static void read_pages(const char *base, long stride, long limit)
{
	for (long i = 1; i < limit; i += stride)
		sink += base[i * PG + (i % 97)];
}

__attribute__((noinline)) static long write_pages(char *base, long stride, long limit, long pause_ms)
{
	long writes = 0;
	for (long i = 1; i < limit; i += stride) {
		base[i * PG + (i % 97)] = (char)(i | 1);
		if (++writes % 1000 == 0 && pause_ms >= 0) {
			struct timespec ts = { pause_ms / 1000, pause_ms % 1000 * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	return writes;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	long stride = argc > 2 ? atol(argv[2]) : 2, n = vmabig_pages(), sum = 0, writes = 0;
	int read_only_written = argc > 4 && !strcmp(argv[4], "read");
	long limit = argc > 3 ? atol(argv[3]) : n;
	long pause_ms = argc > 4 && !read_only_written ? atol(argv[4]) : -1;
	char *vmabig = vmabig_base();
	if (stride < 1 || limit < 1 || limit > n)
		return 2;
	if (pause_ms >= 0 || read_only_written)
		read_pages(vmabig, stride, limit);
	writes = write_pages(vmabig, stride, limit, pause_ms);
	if (read_only_written)
		for (long i = 1; i < limit; i += stride)
			sum += vmabig[i * PG + (i % 97)];
	else
		for (long i = 0; i < n; i += 1)
			sum += vmabig[i * PG + (i % 97)];
	vmabig_touch();
	printf("pages %ld, stride %ld, writes %ld, sum %ld\n", n, stride, writes, sum);
	return oracle(argv[1]) ? 3 : 0;
}
