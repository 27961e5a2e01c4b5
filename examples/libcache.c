/* libcache.so - a lookup cache in .bss: zero pages until first written. */
#define PAGE 4096
#define PAGES 8

static char cache[PAGES * PAGE];

/* Fills one byte in each of the first `pages` pages. */
void cache_fill(int pages)
{
	for (int i = 0; i < pages && i < PAGES; i++)
		cache[i * PAGE] = (char)(i + 1);
}

/* Read access costs nothing: reading does not copy a page. */
int cache_sum(void)
{
	int s = 0;
	for (int i = 0; i < PAGES; i++)
		s += cache[i * PAGE];
	return s;
}
