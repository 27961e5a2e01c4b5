/* libcounter.so - statistics counters in .data: every process that bumps
 * them gets a private copy of the pages it touches. */
#define PAGE 4096
#define PAGES 4

/* initialised, so it lives in .data and starts out shared with the file */
int counter_table[PAGES * PAGE / sizeof(int)] = { 1 };

/* Writes the first int of `pages` pages. */
void counter_bump(int pages)
{
	for (int i = 0; i < pages && i < PAGES; i++)
		counter_table[i * (PAGE / sizeof(int))]++;
}
