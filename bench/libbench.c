/* libbench.so - a library with a large initialised .data array: its pages
 * start out file-backed and shared, so each first write is a real
 * copy-on-write of a file page.  Built twice: libbench.so (4096 pages) and,
 * with -DPAGES=20000, libbench20k.so (80 MiB on disk). */
#define PAGE 4096
#ifndef PAGES
#define PAGES 4096
#endif

/* static: the executable cannot copy-relocate it into its own .bss; page-
 * aligned: each of its pages is its own, none shared with other data */
__attribute__((aligned(PAGE))) static char bench_data[PAGES * PAGE] = { 1 };

long bench_pages(void)
{
	return PAGES;
}

int bench_read(long page)
{
	return *(volatile char *)&bench_data[page * PAGE];
}

/* The store under test, kept out of line so backtraces have a frame here. */
__attribute__((noinline)) void bench_touch(long page)
{
	bench_data[page * PAGE] = 2;
	__asm__ volatile("" ::: "memory");
}
