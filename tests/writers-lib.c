/* writers-lib.c - libwriters.so, for t-tracer-writers.sh: two page-aligned
 * .data arrays and one function writing each, so that the report can name
 * the writer of every page.  early_writer_fn writes early_area with stride
 * 2 (each traced first write splits a mapping: a small COWTRACE_MAX_MAPS
 * gives the library up after a few of them); late_writer_fn writes
 * late_area afterwards, in pages only the scans find, so that only a fault
 * sample can name it. */
#define PG 4096L
#define EARLY_PAGES 256
#define LATE_PAGES 160

__attribute__((aligned(4096))) char early_area[EARLY_PAGES * PG] = { 1 };
__attribute__((aligned(4096))) char late_area[LATE_PAGES * PG] = { 2 };

__attribute__((noinline)) void early_writer_fn(int page)
{
	early_area[page * PG + 8] = (char)(page | 1);
	__asm__ volatile("" ::: "memory");
}

/* pages first, first + step, ... (n of them); returns a checksum */
__attribute__((noinline)) long late_writer_fn(int first, int step, int n)
{
	long sum = 0;
	for (int k = 0; k < n; k++) {
		char *p = &late_area[(first + (long)k * step) * PG + 24];
		*p = (char)(k + 1);
		__asm__ volatile("" ::: "memory");
		sum += *p;
	}
	return sum;
}

/* a read of every page (nothing written): for the checksum */
long writers_sum(void)
{
	long s = 0;
	for (long i = 0; i < EARLY_PAGES; i++)
		s += early_area[i * PG + 8];
	for (long i = 0; i < LATE_PAGES; i++)
		s += late_area[i * PG + 24];
	return s;
}
