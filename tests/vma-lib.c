/* vma-lib.c - libvmabig.so: 40,000 file-backed writable pages (160 MiB of
 * initialised .data), for the VMA-limit test.  One non-zero byte makes the
 * whole array .data rather than .bss; the assembler writes the zeros. */
#define VMA_PAGES 40000

__attribute__((aligned(4096))) char vmabig[VMA_PAGES * 4096L] = { 1 };

long vmabig_pages(void) { return VMA_PAGES; }

/* crtbegin's completed.0, written by the destructors at exit, shares the
 * .bss page with this flag: the program dirties that page before its
 * oracle so that the oracle and the report agree on it */
int vmabig_flag;
void vmabig_touch(void) { vmabig_flag = 1; }

/* the array through a pointer: a direct reference from the executable
 * would make a copy relocation (the array would live in its .bss) */
char *vmabig_base(void) { return vmabig; }
