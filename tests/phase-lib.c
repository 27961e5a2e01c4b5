/* phase-lib.c - libphase.so, the library of tests/phase-app.c: a variable
 * the executable copy-relocates, a table in .data, a cache in .bss. */
#define PAGE 4096

int lib_counter = 1;                      /* copied into the executable */
int lib_table[4 * PAGE / sizeof(int)] = { 1 };
char lib_cache[3 * PAGE];              /* global: kept, though never read */

/* Writes the first int of page `page` of lib_table. */
__attribute__((noinline)) void table_touch(int page)
{
	lib_table[page * (PAGE / sizeof(int))]++;
}

/* Writes byte 16 of page `page` of lib_cache. */
__attribute__((noinline)) void cache_touch(int page)
{
	lib_cache[page * PAGE + 16] = 1;
}
