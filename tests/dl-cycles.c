/* dl-cycles.c - N cycles of dlopen / plugin_run / dlclose of
 * oracle-plugin.so (a new object at each load for the tracer); the last
 * load stays loaded and its pagemap oracle goes to OUT.
 *   dl-cycles PLUGIN N OUT */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

int oracle_dump_file(const char *want, const char *path);

int main(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	long n = atol(argv[2]);
	unsigned long sum = 0;
	for (long i = 0; i < n; i++) {
		void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
		unsigned long (*run)(unsigned) = h ? (unsigned long (*)(unsigned))dlsym(h, "plugin_run") : NULL;
		if (!run) {
			printf("load %ld: %s\n", i, dlerror());
			return 1;
		}
		sum += run((unsigned)i);
		if (i == n - 1) {
			if (oracle_dump_file("oracle-plugin.so", argv[3]) < 0)
				return 1;
			break;
		}
		if (dlclose(h)) {
			printf("dlclose %ld: %s\n", i, dlerror());
			return 1;
		}
	}
	printf("%ld loads, checksum %lu\n", n, sum);
	return 0;
}
