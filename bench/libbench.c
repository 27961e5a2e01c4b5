/* libbench.so - a library with a large initialised .data array: its pages
 * start out file-backed and shared, so each first write is a real
 * copy-on-write of a file page. */
#define PAGE 4096
#define PAGES 4096

/* static: the executable cannot copy-relocate it into its own .bss */
static char bench_data[PAGES * PAGE] = { 1 };

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
