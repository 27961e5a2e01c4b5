/* stress-lib.c - libctstress.so: 64 pages of .data and 1024 of .bss for the
 * thread, signal and reentrancy tests, and nothing else that writes itself.
 * Linked with -nostartfiles: no crtbegin, so no `completed.0` written by a
 * destructor at exit, after the pagemap oracle was taken.  Its functions
 * call nothing (no PLT). */
#define CTS_PAGE 4096
#define CTS_DATA 64
#define CTS_BSS 1024

__attribute__((aligned(4096))) char cts_data[CTS_DATA * CTS_PAGE] = { 1, 2, 3 };
__attribute__((aligned(4096))) char cts_bss[CTS_BSS * CTS_PAGE];

/* page i: 0..63 in .data, 64..1087 in .bss */
char *cts_page(int i)
{
	if (i < CTS_DATA)
		return cts_data + (long)i * CTS_PAGE;
	return cts_bss + (long)(i - CTS_DATA) * CTS_PAGE;
}

int cts_npages(void)
{
	return CTS_DATA + CTS_BSS;
}
