/* dtor-app.c - writes one page of libdtor.so in main, one in an atexit
 * handler, and libdtor's destructor writes a third; ends by exit() or by
 * returning from main (t-tracer-teardown.sh).
 *   dtor-app exit|return */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dtor_main_write(void);
void dtor_atexit_write(void);

static void at_exit(void)
{
	dtor_atexit_write();
	puts("atexit handler ran");
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	atexit(at_exit);
	dtor_main_write();
	puts("main wrote");
	fflush(stdout);
	if (!strcmp(argv[1], "exit"))
		exit(3);
	return 3;
}
