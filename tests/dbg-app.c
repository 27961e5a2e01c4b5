/* dbg-app.c - writes libdbg.so's local variables (t-report-debuginfod.sh). */
#include <stdio.h>
long dbg_touch(int i);
int main(void)
{
	long s = 0;
	for (int i = 0; i < 8; i++)
		s += dbg_touch(i);
	printf("%ld\n", s);
	return 0;
}
