/* demo - a tiny prefork server: the parent loads its libraries, then forks
 * workers; each worker writes a few library globals and so gets its own
 * private copy of those pages.
 *
 *   demo [WORKERS]      (default 2)
 *
 * Every process writes: 2 pages of libcounter's .data, 3 pages of
 * libcache's .bss, and the 3 pages of plugin.so's table (dlopen'd). */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

void counter_bump(int pages);
void cache_fill(int pages);
int cache_sum(void);

static int work(const char *plugin_path)
{
	counter_bump(2);
	cache_fill(3);
	void *h = dlopen(plugin_path, RTLD_NOW);
	if (!h) {
		fprintf(stderr, "demo: %s\n", dlerror());
		return 1;
	}
	int (*run)(void) = (int (*)(void))dlsym(h, "plugin_run");
	int n = run ? run() : 0;
	printf("pid %d: cache sum %d, plugin pages %d\n", (int)getpid(), cache_sum(), n);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	int workers = argc > 1 ? atoi(argv[1]) : 2;
	char plugin[4096];
	/* the plugin sits next to the executable */
	ssize_t n = readlink("/proc/self/exe", plugin, sizeof plugin - 16);
	if (n < 0)
		return 1;
	while (n > 0 && plugin[n - 1] != '/')
		n--;
	snprintf(plugin + n, sizeof plugin - (size_t)n, "plugin.so");

	int rc = 0;
	for (int i = 0; i < workers; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(work(plugin));
		if (pid < 0)
			return 1;
		int st;
		waitpid(pid, &st, 0);   /* one at a time: the output stays ordered */
		rc |= !WIFEXITED(st) || WEXITSTATUS(st);
	}
	return rc;
}
