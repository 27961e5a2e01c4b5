/* oracle-lib.c - liboracle.so: a test library with a 64-page .data array and
 * a 64-page .bss array, plus the ground truth for the tracer tests: it reads
 * /proc/self/pagemap itself (independently of the tracer) and lists, as ELF
 * vaddrs, the private-dirty pages of the writable ranges of a loaded object.
 *
 * The object is every page of every PT_LOAD, from dl_iterate_phdr, as the
 * kernel counts it: RELRO, code and read-only data included.
 * Private-dirty: swapped (bit 62), or present (63) and not file/shared-anon
 * (61) and exclusively mapped (56). */
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pagemap-dirty.h"

#define ORACLE_PAGE 4096
#define ORACLE_NPAGES 64

__attribute__((aligned(4096))) char oracle_data[ORACLE_NPAGES * ORACLE_PAGE] = { 1, 2, 3 };
/* .bss is not page-aligned on purpose: its first page also holds crtbegin's
 * `completed.0`, which __do_global_dtors_aux writes at exit (after any oracle
 * was measured); oracle_dump writes oracle_bss[0], on that page, before
 * measuring. oracle_page() uses the 64 whole pages that follow. */
char oracle_bss[(ORACLE_NPAGES + 1) * ORACLE_PAGE];

/* page i: 0..63 in .data, 64..127 in .bss */
char *oracle_page(int i)
{
	if (i < ORACLE_NPAGES)
		return oracle_data + (size_t)i * ORACLE_PAGE;
	uintptr_t b = ((uintptr_t)oracle_bss + ORACLE_PAGE - 1) & ~(uintptr_t)(ORACLE_PAGE - 1);
	return (char *)b + (size_t)(i - ORACLE_NPAGES) * ORACLE_PAGE;
}

int oracle_npages(void) { return 2 * ORACLE_NPAGES; }

/* deterministic PRNG, state owned by the caller (no writes to our globals) */
uint32_t oracle_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 11);
}

#define MAX_RANGES 64
struct range { uintptr_t lo, hi; };	/* runtime addresses, page-aligned */
struct obj {
	const char *want;
	int found;
	uintptr_t bias;
	char name[512];
	int n;
	struct range r[MAX_RANGES];
};

static int add_range(struct obj *o, uintptr_t lo, uintptr_t hi)
{
	if (lo >= hi || o->n >= MAX_RANGES)
		return 0;
	o->r[o->n].lo = lo;
	o->r[o->n].hi = hi;
	o->n++;
	return 0;
}

static int cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct obj *o = arg;
	const char *name = info->dlpi_name ? info->dlpi_name : "";
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	if (o->found || !*o->want || !strstr(base, o->want))
		return 0;
	o->found = 1;
	o->bias = info->dlpi_addr;
	snprintf(o->name, sizeof o->name, "%s", name);
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *p = &info->dlpi_phdr[i];
		if (p->p_type != PT_LOAD || !p->p_memsz)
			continue;
		add_range(o, (info->dlpi_addr + p->p_vaddr) & ~(uintptr_t)(ORACLE_PAGE - 1),
			  (info->dlpi_addr + p->p_vaddr + p->p_memsz + ORACLE_PAGE - 1) &
			  ~(uintptr_t)(ORACLE_PAGE - 1));
	}
	return 0;
}

static void put(int fd, const char *s)
{
	size_t n = strlen(s);
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* Writes the oracle for the first loaded object whose file name contains
 * `want` to fd:  "# pid N", "# object PATH", "# writable 0xLO 0xHI" per
 * range (ELF vaddrs), then one "0xVADDR" line per private-dirty page.
 * Only the stack is used, so measuring does not dirty pages of this
 * library. Returns the number of dirty pages, -1 on error. */
int oracle_dump(const char *want, int fd)
{
	struct obj o;
	char line[600];
	int count = 0;

	oracle_bss[0] = 1;
	for (int pass = 0; pass < 2; pass++) {	/* first pass resolves PLT slots */
		memset(&o, 0, sizeof o);
		o.want = want;
		dl_iterate_phdr(cb, &o);
		if (!o.found)
			return -1;
		int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
		if (pm < 0)
			return -1;
		uint64_t ent[ORACLE_NPAGES * 4];
		uintptr_t dirty[ORACLE_NPAGES * 4];
		int nd = 0;
		for (int i = 0; i < o.n; i++) {
			for (uintptr_t a = o.r[i].lo; a < o.r[i].hi;) {
				size_t npg = (o.r[i].hi - a) / ORACLE_PAGE;
				if (npg > sizeof ent / sizeof ent[0])
					npg = sizeof ent / sizeof ent[0];
				ssize_t got = pread(pm, ent, npg * 8, (off_t)(a / ORACLE_PAGE) * 8);
				if (got != (ssize_t)(npg * 8)) {
					close(pm);
					return -1;
				}
				for (size_t k = 0; k < npg; k++)
					if (pagemap_dirty(ent[k]) && nd < (int)(sizeof dirty / sizeof dirty[0]))
						dirty[nd++] = a + k * ORACLE_PAGE - o.bias;
				a += npg * ORACLE_PAGE;
			}
		}
		close(pm);
		if (pass == 0)
			continue;
		snprintf(line, sizeof line, "# pid %d\n# object %s\n", (int)getpid(), o.name);
		put(fd, line);
		for (int i = 0; i < o.n; i++) {
			snprintf(line, sizeof line, "# writable 0x%lx 0x%lx\n",
				 (unsigned long)(o.r[i].lo - o.bias), (unsigned long)(o.r[i].hi - o.bias));
			put(fd, line);
		}
		for (int i = 0; i < nd; i++) {
			snprintf(line, sizeof line, "0x%lx\n", (unsigned long)dirty[i]);
			put(fd, line);
		}
		count = nd;
	}
	return count;
}

/* oracle_dump into a new file */
int oracle_dump_file(const char *want, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	int n = oracle_dump(want, fd);
	close(fd);
	return n;
}

/* checksum of both arrays (reads only) */
unsigned long oracle_sum(void)
{
	unsigned long s = 0;
	for (size_t i = 0; i < sizeof oracle_data; i++)
		s = s * 31 + (unsigned char)oracle_data[i];
	for (size_t i = 0; i < sizeof oracle_bss; i++)
		s = s * 31 + (unsigned char)oracle_bss[i];
	return s;
}
