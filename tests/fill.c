/* fill.c - fills its log: writes liboracle pages 0..9 and 64..67, writes
 * the pagemap oracle to EARLY, calls cowtrace_phase() PHASES times with a
 * 300-byte name (about 320 bytes of log each), writes pages 10..19 and
 * 70..75, then the oracle to OUT.  "-" for EARLY and OUT: no oracle (when
 * /proc is missing).  Prints a line per step.
 *   fill EARLY OUT PHASES */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cowtrace.h"

char *oracle_page(int i);
int oracle_dump_file(const char *want, const char *path);

static int dump(const char *path)
{
	if (!strcmp(path, "-"))
		return 0;
	return oracle_dump_file("liboracle.so", path) < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: fill EARLY OUT PHASES\n");
		return 2;
	}
	int phases = atoi(argv[3]);
	for (int i = 0; i < 10; i++)
		oracle_page(i)[i] = 1;
	for (int i = 64; i < 68; i++)
		oracle_page(i)[i] = 1;
	if (dump(argv[1]))
		return 4;
	printf("early pages written\n");
	char name[301];
	memset(name, 'p', 300);
	name[300] = 0;
	for (int i = 0; i < phases; i++)
		COWTRACE_PHASE(name);
	printf("%d phases\n", phases);
	for (int i = 10; i < 20; i++)
		oracle_page(i)[i] = 2;
	for (int i = 70; i < 76; i++)
		oracle_page(i)[i] = 2;
	if (dump(argv[2]))
		return 4;
	printf("done\n");
	return 0;
}
