/* advise-copy.c - a library variable that an executable built without
 * -fPIC copies into itself (R_X86_64_COPY) and writes there; and the
 * program of tests/t-advise.sh that uses it and advise-cxx.
 *   libadvcopy.so: -DLIB;  advise-app: the program */
#ifdef LIB
long advise_shared_table[2048] = { 1 };
#else
#include <stdio.h>
extern long advise_shared_table[2048];
int advise_cxx_make(int n);
int main(void)
{
	for (int i = 0; i < 2048; i += 512)
		advise_shared_table[i] = i;
	printf("%d %ld\n", advise_cxx_make(200), advise_shared_table[512]);
	return 0;
}
#endif
