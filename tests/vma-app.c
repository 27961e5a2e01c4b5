/* vma-app.c - writes every STRIDE-th page of libvmabig.so's 40,000-page
 * .data array (each write, traced, unprotects one page: one more mapping),
 * prints a checksum, and writes libvmabig's pagemap oracle to OUT in the
 * format of liboracle's (tests/oracle-lib.c): "# pid N", then one ELF vaddr
 * per private-dirty page of the whole object (every PT_LOAD, RELRO included).
 *   vma-app OUT [STRIDE] [LIMIT] [read]
 * writes pages 1, 1 + STRIDE, ... below LIMIT (default: all of them);
 * "1 20001" writes 20,000 neighbouring pages front to back.  With "read",
 * read_pages() reads each of those pages first (the file pages are mapped,
 * a fault each or fewer), then write_pages() writes them: in perf mode
 * every page has a read fault sample and a later write fault sample, and
 * only the write may name the writer (t-tracer-perf-ring.sh). */
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

__attribute__((noinline)) static void read_pages(char *base, long stride, long limit)
{
	for (long i = 1; i < limit; i += stride)
		sink += base[i * PG + (i % 97)];
}

__attribute__((noinline)) static long write_pages(char *base, long stride, long limit)
{
	long writes = 0;
	for (long i = 1; i < limit; i += stride) {
		base[i * PG + (i % 97)] = (char)(i | 1);
		writes++;
	}
	return writes;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	long stride = argc > 2 ? atol(argv[2]) : 2, n = vmabig_pages(), sum = 0, writes = 0;
	long limit = argc > 3 ? atol(argv[3]) : n;
	char *vmabig = vmabig_base();
	if (stride < 1 || limit < 1 || limit > n)
		return 2;
	int read_first = argc > 4 && !strcmp(argv[4], "read");
	if (read_first)
		read_pages(vmabig, stride, limit);
	writes = write_pages(vmabig, stride, limit);
	/* the checksum reads every page; after read_pages only those written
	 * (no more faults: the newest samples are the writes) */
	for (long i = read_first ? 1 : 0; i < (read_first ? limit : n); i += read_first ? stride : 1)
		sum += vmabig[i * PG + (i % 97)];
	vmabig_touch();
	printf("pages %ld, stride %ld, writes %ld, sum %ld\n", n, stride, writes, sum);
	return oracle(argv[1]) ? 3 : 0;
}
