/* oracle-plugin.c - oracle-plugin.so, loaded/unloaded/reloaded by oracle-dl:
 * 32 pages of .data, 16 of .bss; the constructor writes one .bss page. */
#include <stdint.h>

#define PG 4096
__attribute__((aligned(4096))) char plugin_data[32 * PG] = { 5, 6, 7 };
/* not page-aligned: its first page also holds crtbegin's `completed.0`
 * (written by dlclose); the constructor writes plugin_bss[0] */
int plugin_loads;
char plugin_bss[17 * PG];

__attribute__((constructor)) static void plugin_init(void)
{
	plugin_bss[0] = 1;
	plugin_bss[15 * PG + 1] = 1;
	plugin_loads++;
}

/* writes a seeded subset of the pages, returns a checksum */
unsigned long plugin_run(unsigned seed)
{
	uint64_t s = seed * 2654435761ULL + 99;
	unsigned long sum = 0;
	for (int i = 0; i < 48; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		if ((s >> 20) % 3 == 0) {
			char *pg = i < 32 ? plugin_data + (long)i * PG : plugin_bss + (long)(i - 32) * PG;
			pg[(s >> 40) % PG] += (char)i;
			sum += (unsigned long)i;
		}
	}
	for (long i = 0; i < (long)sizeof plugin_data; i += 64)
		sum = sum * 3 + (unsigned char)plugin_data[i];
	return sum + (unsigned long)plugin_loads;
}
