/* whole-app.c - the subject of t-tracer-whole.sh: every page of every
 * loaded object, as the kernel counts it.  It loads a C++ library with
 * thousands of vtables (libvtables.so, relocated at load), libstdc++,
 * libc, ld.so, liboracle, and dlopen()s oracle-plugin.so; writes some of
 * their pages; then snapshots /proc/self/pagemap over every PT_LOAD page
 * of every object that dl_iterate_phdr lists, with raw system calls into a
 * static buffer (no stdio, no malloc while measuring), writes the snapshot
 * to OUT.PID and _exits.
 *   whole-app OUT one|fork
 * fork: the parent forks two children after its own writes; while they
 * run, it writes again (in a new page and in pages both it and they had
 * private before the fork: each child's copy of those becomes the child's
 * alone); the children write pages of their own, snapshot and _exit; the
 * parent snapshots after they are gone.  Snapshot lines: "PATH 0xVADDR"
 * (the page's address minus the load bias), "#" lines are comments. */
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pagemap-dirty.h"

long vt_make(int n);
char *oracle_page(int i);

#define PG 4096

static char snap[1 << 20];
static size_t used;
static int pm = -1;

static void put(const char *s)
{
	size_t n = strlen(s);
	if (used + n < sizeof snap) {
		memcpy(snap + used, s, n);
		used += n;
	}
}

static void hex(uint64_t v)
{
	char b[19] = "0x";
	int n = 0;
	char t[16];
	do {
		t[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	for (int i = 0; i < n; i++)
		b[2 + i] = t[n - 1 - i];
	b[2 + n] = 0;
	put(b);
}

static int cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	const char *name = info->dlpi_name && info->dlpi_name[0] ? info->dlpi_name : "(main)";
	if (!strncmp(name, "linux-vdso", 10))
		return 0;
	static uint64_t ent[512];
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *p = &info->dlpi_phdr[i];
		if (p->p_type != PT_LOAD || !p->p_memsz)
			continue;
		uint64_t lo = (info->dlpi_addr + p->p_vaddr) & ~(uint64_t)(PG - 1);
		uint64_t hi = (info->dlpi_addr + p->p_vaddr + p->p_memsz + PG - 1) & ~(uint64_t)(PG - 1);
		for (uint64_t a = lo; a < hi;) {
			uint64_t n = (hi - a) / PG > 512 ? 512 : (hi - a) / PG;
			if (syscall(SYS_pread64, pm, ent, n * 8, (long)(a / PG * 8)) != (long)(n * 8))
				return 1;
			for (uint64_t k = 0; k < n; k++, a += PG)
				if (pagemap_dirty(ent[k])) {
					put(name);
					put(" ");
					hex(a - info->dlpi_addr);
					put("\n");
				}
		}
	}
	return 0;
}

static void snapshot_and_exit(const char *out)
{
	char path[4096];
	snprintf(path, sizeof path, "%s.%d", out, (int)getpid());
	/* the buffer is written before it is measured: its pages are dirty in
	 * the snapshot already, not dirtied after it */
	memset(snap, ' ', sizeof snap);
	int fd = (int)syscall(SYS_open, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	pm = (int)syscall(SYS_open, "/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pm < 0)
		_exit(3);
	dl_iterate_phdr(cb, NULL);
	for (size_t off = 0; off < used;) {
		long w = syscall(SYS_write, fd, snap + off, used - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	_exit(0);       /* libc's: the tracer finishes its log there */
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	const char *out = argv[1];
	long s = vt_make(3000);
	void *h = dlopen("oracle-plugin.so", RTLD_NOW);      /* found by RUNPATH $ORIGIN */
	if (!h)
		return 4;
	for (int i = 0; i < 8; i++)
		oracle_page(i * 3)[7] = (char)i;
	printf("vt_make %ld\n", s);
	fflush(stdout);
	if (strcmp(argv[2], "fork") != 0)
		snapshot_and_exit(out);

	int go[2][2], done[2];
	if (pipe(go[0]) || pipe(go[1]) || pipe(done))
		return 5;
	pid_t kids[2];
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			char c;
			if (read(go[k][0], &c, 1) != 1)
				_exit(6);
			for (int i = 0; i < 6; i++)
				oracle_page(40 + k * 8 + i)[1] = 1;     /* its own */
			oracle_page(3)[9] = 2;                   /* one the parent had too */
			if (write(done[1], "d", 1) != 1)
				_exit(7);
			if (read(go[k][0], &c, 1) != 1)          /* until the parent wrote */
				_exit(8);
			snapshot_and_exit(out);
		}
	}
	char c;
	for (int k = 0; k < 2; k++)
		if (write(go[k][1], "g", 1) != 1)
			return 9;
	for (int k = 0; k < 2; k++)
		if (read(done[0], &c, 1) != 1)
			return 10;
	/* the parent writes pages both it and the children had before the
	 * fork: each child's copy becomes the child's alone */
	oracle_page(0)[11] = 5;
	oracle_page(6)[11] = 5;
	oracle_page(60)[0] = 1;                          /* a new one */
	s += vt_make(10);
	/* one child after the other: once the first is gone, the second has
	 * the old copies alone (the kernel counts them there) */
	for (int k = 0; k < 2; k++) {
		if (write(go[k][1], "g", 1) != 1)
			return 11;
		waitpid(kids[k], NULL, 0);
	}
	snapshot_and_exit(out);
}
