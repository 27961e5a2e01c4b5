/* plugin.so - loaded with dlopen; keeps a registration table in .data. */
#define PAGE 4096
#define PAGES 3

char plugin_registry[PAGES * PAGE] = "plugin";

/* Registers itself: touches every page of its table. */
int plugin_run(void)
{
	for (int i = 0; i < PAGES; i++)
		plugin_registry[i * PAGE + 8] = 'x';
	return PAGES;
}
