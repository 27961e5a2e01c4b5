/* oracle-dl.c - dlopen / dlclose / dlopen of oracle-plugin.so with page
 * writes in each load; between the loads the old writable range is reused by
 * an anonymous mapping that gets written. The pagemap oracle of the plugin
 * is written to OUT1 (first load) and OUT2 (second load).
 *   oracle-dl PLUGIN OUT1 OUT2 */
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

int oracle_dump_file(const char *want, const char *path);

struct where { uintptr_t lo, hi; int found; };

static int cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct where *w = arg;
	if (!info->dlpi_name || !strstr(info->dlpi_name, "oracle-plugin.so"))
		return 0;
	w->found = 1;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *p = &info->dlpi_phdr[i];
		if (p->p_type == PT_LOAD && (p->p_flags & PF_W)) {
			w->lo = (info->dlpi_addr + p->p_vaddr) & ~4095UL;
			w->hi = (info->dlpi_addr + p->p_vaddr + p->p_memsz + 4095) & ~4095UL;
		}
	}
	return 0;
}

static int load(const char *path, unsigned seed, const char *out, struct where *w)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		printf("dlopen: %s\n", dlerror());
		return 1;
	}
	unsigned long (*run)(unsigned) = (unsigned long (*)(unsigned))dlsym(h, "plugin_run");
	int *loads = dlsym(h, "plugin_loads");
	if (!run || !loads) {
		printf("dlsym failed\n");
		return 1;
	}
	printf("load: plugin_loads %d, run %lx\n", *loads, run(seed));
	printf("again: %lx\n", run(seed + 1000));
	memset(w, 0, sizeof *w);
	dl_iterate_phdr(cb, w);
	if (oracle_dump_file("oracle-plugin.so", out) < 0) {
		printf("oracle failed\n");
		return 1;
	}
	if (dlclose(h) != 0) {
		printf("dlclose: %s\n", dlerror());
		return 1;
	}
	struct where after = { 0, 0, 0 };
	dl_iterate_phdr(cb, &after);
	printf("unloaded: %s\n", after.found ? "no" : "yes");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	struct where w;
	if (load(argv[1], 1, argv[2], &w))
		return 1;
	/* reuse the old addresses: new anonymous memory there must just work */
	void *m = mmap((void *)w.lo, w.hi - w.lo, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (m != MAP_FAILED) {
		for (uintptr_t a = (uintptr_t)m; a < (uintptr_t)m + (w.hi - w.lo); a += 4096)
			*(volatile char *)a = 1;
		munmap(m, w.hi - w.lo);
	}
	printf("reused old range: %s\n", m == (void *)w.lo ? "yes" : "no");
	if (load(argv[1], 2, argv[3], &w))
		return 1;
	return 0;
}
