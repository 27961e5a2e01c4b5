/* dl-cycles.c - N cycles of dlopen / plugin_run / dlclose of
 * oracle-plugin.so (a new object at each load for the tracer); the last
 * load stays loaded and its pagemap oracle goes to OUT.  After the first
 * dlclose, the plugin's old writable range is mapped again read-only and
 * read() into it must fail with EFAULT (nothing of the tracer is left
 * there to make it writable).
 *   dl-cycles PLUGIN N OUT */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int oracle_dump_file(const char *want, const char *path);

static int writable_range(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t *r = arg;
	(void)size;
	if (!info->dlpi_name || !strstr(info->dlpi_name, "oracle-plugin.so"))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *p = &info->dlpi_phdr[i];
		if (p->p_type == PT_LOAD && (p->p_flags & PF_W)) {
			r[0] = (info->dlpi_addr + p->p_vaddr + 4095) & ~4095UL;
			r[1] = (info->dlpi_addr + p->p_vaddr + p->p_memsz) & ~4095UL;
		}
	}
	return 1;
}

/* the old range, read-only anonymous memory now: read() gets EFAULT */
static void reuse(const uintptr_t *r)
{
	size_t len = r[1] - r[0];
	void *m = mmap((void *)r[0], len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (m != (void *)r[0]) {
		printf("reuse: range taken\n");
		return;
	}
	int fds[2];
	if (pipe(fds) || write(fds[1], "abcd", 4) != 4)
		return;
	ssize_t n = read(fds[0], (char *)m + len / 2, 4);
	printf("reuse: read() into the old range, read-only now: %zd %s\n", n,
	       n < 0 ? strerrorname_np(errno) : "");
	close(fds[0]);
	close(fds[1]);
	munmap(m, len);
}

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
		uintptr_t r[2] = { 0, 0 };
		if (i == 0)
			dl_iterate_phdr(writable_range, r);
		if (dlclose(h)) {
			printf("dlclose %ld: %s\n", i, dlerror());
			return 1;
		}
		if (i == 0 && r[1] > r[0])
			reuse(r);
	}
	printf("%ld loads, checksum %lu\n", n, sum);
	return 0;
}
