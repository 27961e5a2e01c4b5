/* reentry-plugin.c - libctplugin.so for oracle-reentry: its constructor
 * writes libctstress pages while dlopen holds the loader lock; its function
 * reaches libctstress through a lazily bound PLT slot.  Linked without
 * crtbegin (-nostartfiles): nothing of it is written at exit, after the
 * oracle was taken. */
char *cts_page(int i);

__attribute__((aligned(4096))) char plugin_pages[8 * 4096] = { 1 };

__attribute__((constructor)) static void plugin_init(void)
{
	for (int i = 0; i < 10; i++)
		((volatile char *)cts_page(700 + i))[1] = (char)(i + 1);
	plugin_pages[4096 * 3] = 1;
}

int plugin_write(int i)
{
	((volatile char *)cts_page(i))[2] = 7;
	plugin_pages[4096 * 5] = 1;
	return cts_page(i)[2];
}
