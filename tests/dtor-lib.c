/* dtor-lib.c - libdtor.so: pages written only while the process ends, by
 * its destructor (run by _dl_fini) and by an atexit handler of the program
 * (run by exit before _dl_fini), for t-tracer-teardown.sh. */
__attribute__((aligned(4096))) char dtor_page[4096] = { 1 };
__attribute__((aligned(4096))) char atexit_page[4096] = { 1 };
__attribute__((aligned(4096))) char main_page[4096] = { 1 };

void dtor_main_write(void) { main_page[8] = 2; }
void dtor_atexit_write(void) { atexit_page[8] = 2; }

__attribute__((destructor)) static void dtor_fini(void)
{
	dtor_page[8] = 2;
}
