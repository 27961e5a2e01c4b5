/* forkserver-app.c - the subject of t-tracer-forkserver.sh: a prefork
 * server.  The parent initialises state in liboracle (pages 0..11), then
 * forks NWORKERS workers.  Each worker serves "requests" that write
 * liboracle pages (some its own, one every worker writes, some the parent
 * had written before the fork), then waits for its turn, measures itself
 * and _exits:
 *   - Private_Dirty of every /proc/self/smaps mapping inside liboracle's
 *     PT_LOAD span (the kernel's own count, in kB), and
 *   - /proc/self/pagemap over every PT_LOAD page of every loaded object
 *     (present, anonymous and exclusive, or swapped),
 * with raw system calls into static buffers (no stdio, no malloc) into
 * OUT.PID: lines "PATH 0xVADDR" (vaddr = address - load bias; the
 * executable is "(main)"), "# smaps liboracle KB" and "# pagemap liboracle N"
 * (pages of the same mappings).  The parent lets the workers measure one
 * after the other (each waits until the one before has exited), so which
 * copies are a worker's alone does not depend on timing, then measures
 * itself after the last one is gone.
 *   forkserver-app OUT
 * stdout: "worker K requests R" per worker, in order. */
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pagemap-dirty.h"

char *oracle_page(int i);

#define PG 4096
#define NWORKERS 4

static char snap[1 << 18];
static size_t used;
static char smaps[1 << 18];
static int pm = -1;
static uint64_t ent[512];
static uintptr_t olo, ohi;	/* liboracle's PT_LOAD span, runtime addresses */

static void put(const char *s)
{
	size_t n = strlen(s);
	if (used + n < sizeof snap) {
		memcpy(snap + used, s, n);
		used += n;
	}
}

static void num(uint64_t v, int base)
{
	char t[24];
	int n = 0;
	if (base == 16)
		put("0x");
	do {
		t[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	char b[24];
	for (int i = 0; i < n; i++)
		b[i] = t[n - 1 - i];
	b[n] = 0;
	put(b);
}

static long count_dirty(uintptr_t lo, uintptr_t hi, const char *name, uintptr_t bias)
{
	long c = 0;
	for (uintptr_t a = lo; a < hi;) {
		uint64_t n = (hi - a) / PG > 512 ? 512 : (hi - a) / PG;
		if (syscall(SYS_pread64, pm, ent, n * 8, (long)(a / PG * 8)) != (long)(n * 8))
			return -1;
		for (uint64_t k = 0; k < n; k++, a += PG)
			if (pagemap_dirty(ent[k])) {
				c++;
				if (name) {
					put(name);
					put(" ");
					num(a - bias, 16);
					put("\n");
				}
			}
	}
	return c;
}

static int cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	const char *name = info->dlpi_name && info->dlpi_name[0] ? info->dlpi_name : "(main)";
	if (!strncmp(name, "linux-vdso", 10))
		return 0;
	int lib = strstr(name, "liboracle.so") != NULL;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *p = &info->dlpi_phdr[i];
		if (p->p_type != PT_LOAD || !p->p_memsz)
			continue;
		uintptr_t lo = (info->dlpi_addr + p->p_vaddr) & ~(uintptr_t)(PG - 1);
		uintptr_t hi = (info->dlpi_addr + p->p_vaddr + p->p_memsz + PG - 1) & ~(uintptr_t)(PG - 1);
		if (lib) {
			if (!olo || lo < olo)
				olo = lo;
			if (hi > ohi)
				ohi = hi;
		}
		if (count_dirty(lo, hi, name, info->dlpi_addr) < 0)
			return 1;
	}
	return 0;
}

static uint64_t hexval(const char **s)
{
	uint64_t v = 0;
	for (;; (*s)++) {
		char c = **s;
		if (c >= '0' && c <= '9')
			v = v * 16 + (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (uint64_t)(c - 'a' + 10);
		else
			return v;
	}
}

/* Private_Dirty (kB) of the smaps mappings inside [olo, ohi), and the
 * pagemap count of the same mappings */
static void smaps_oracle(long *kb, long *pages)
{
	*kb = 0;
	*pages = 0;
	int fd = (int)syscall(SYS_open, "/proc/self/smaps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	size_t n = 0;
	long r;
	while (n < sizeof smaps - 1 && (r = syscall(SYS_read, fd, smaps + n, sizeof smaps - 1 - n)) > 0)
		n += (size_t)r;
	syscall(SYS_close, fd);
	smaps[n] = 0;
	int in = 0;
	for (const char *l = smaps; *l;) {
		const char *s = l;
		uint64_t lo = hexval(&s);
		if (*s == '-') {		/* a mapping's header line */
			s++;
			uint64_t hi = hexval(&s);
			in = lo >= olo && hi <= ohi;
			if (in)
				*pages += count_dirty(lo, hi, NULL, 0);
		} else if (in && !strncmp(l, "Private_Dirty:", 14)) {
			s = l + 14;
			while (*s == ' ')
				s++;
			long v = 0;
			while (*s >= '0' && *s <= '9')
				v = v * 10 + (*s++ - '0');
			*kb += v;
		}
		while (*l && *l != '\n')
			l++;
		if (*l)
			l++;
	}
}

static void measure_and_exit(const char *out, const char *role)
{
	char path[4096];
	snprintf(path, sizeof path, "%s.%d", out, (int)getpid());
	memset(snap, ' ', sizeof snap);		/* dirty before it is measured */
	memset(smaps, ' ', sizeof smaps);
	int fd = (int)syscall(SYS_open, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	pm = (int)syscall(SYS_open, "/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pm < 0)
		_exit(3);
	dl_iterate_phdr(cb, NULL);
	long kb, pages;
	smaps_oracle(&kb, &pages);
	put("# role ");
	put(role);
	put("\n# smaps liboracle ");
	num((uint64_t)kb, 10);
	put("\n# pagemap liboracle ");
	num((uint64_t)pages, 10);
	put("\n");
	for (size_t off = 0; off < used;) {
		long w = syscall(SYS_write, fd, snap + off, used - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	_exit(0);
}

/* request r of worker k: pages the worker dirties */
static void serve(int k, int r)
{
	oracle_page(20 + k * 10 + r % 7)[r] = (char)r;	/* its own, .data */
	oracle_page(70 + k * 8 + r % 5)[r] = (char)r;	/* its own, .bss */
	oracle_page(100)[k] = 1;			/* every worker */
	oracle_page(r % 12)[64 + k] = 1;		/* state the parent wrote before the fork */
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	for (int i = 0; i < 12; i++)		/* the server's state */
		oracle_page(i)[0] = (char)(i + 1);
	printf("parent initialised 12 pages\n");
	fflush(stdout);
	int turn[NWORKERS][2];
	pid_t kids[NWORKERS];
	for (int k = 0; k < NWORKERS; k++) {
		if (pipe(turn[k]))
			return 4;
		kids[k] = fork();
		if (kids[k] < 0)
			return 5;
		if (kids[k] == 0) {
			int req = 5 + 3 * k;
			for (int r = 0; r < req; r++)
				serve(k, r);
			char c;
			if (read(turn[k][0], &c, 1) != 1)
				_exit(6);
			printf("worker %d requests %d\n", k, req);
			fflush(stdout);
			measure_and_exit(argv[1], "worker");
		}
	}
	for (int k = 0; k < NWORKERS; k++) {
		int st;
		if (write(turn[k][1], "g", 1) != 1 || waitpid(kids[k], &st, 0) != kids[k] || st != 0)
			return 7;
	}
	measure_and_exit(argv[1], "parent");
}
