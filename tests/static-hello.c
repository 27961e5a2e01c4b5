/* static-hello.c - a statically linked program (ld.so never runs, so
 * LD_PRELOAD cannot apply): prints its arguments and exits 3. */
#include <stdio.h>

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		printf("arg %d: %s\n", i, argv[i]);
	return 3;
}
