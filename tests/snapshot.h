/* snapshot.h - the whole-object snapshot of tests/snapshot_check.py, for
 * test programs: snapshot_and_exit(OUT) reads /proc/self/pagemap over every
 * PT_LOAD page of every object dl_iterate_phdr lists (the vDSO left out),
 * with raw system calls into a static buffer (no stdio, no malloc while
 * measuring), writes "PATH 0xVADDR" lines (the page's address minus the
 * load bias; "(main)" for the executable) to OUT.PID and calls libc's
 * _exit (where the tracer finishes its log).  Include it in one file. */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pagemap-dirty.h"

#define SNAP_PG 4096

static char snap_buf[1 << 20];
static size_t snap_used;
static int snap_pm = -1;

static void snap_put(const char *s)
{
	size_t n = strlen(s);
	if (snap_used + n < sizeof snap_buf) {
		memcpy(snap_buf + snap_used, s, n);
		snap_used += n;
	}
}

static void snap_hex(uint64_t v)
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
	snap_put(b);
}

static int snap_cb(struct dl_phdr_info *info, size_t size, void *arg)
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
		uint64_t lo = (info->dlpi_addr + p->p_vaddr) & ~(uint64_t)(SNAP_PG - 1);
		uint64_t hi = (info->dlpi_addr + p->p_vaddr + p->p_memsz + SNAP_PG - 1) &
			      ~(uint64_t)(SNAP_PG - 1);
		for (uint64_t a = lo; a < hi;) {
			uint64_t n = (hi - a) / SNAP_PG > 512 ? 512 : (hi - a) / SNAP_PG;
			if (syscall(SYS_pread64, snap_pm, ent, n * 8, (long)(a / SNAP_PG * 8)) != (long)(n * 8))
				return 1;
			for (uint64_t k = 0; k < n; k++, a += SNAP_PG)
				if (pagemap_dirty(ent[k])) {
					snap_put(name);
					snap_put(" ");
					snap_hex(a - info->dlpi_addr);
					snap_put("\n");
				}
		}
	}
	return 0;
}

static void snapshot_and_exit(const char *out, int status)
{
	char path[4096];
	snprintf(path, sizeof path, "%s.%d", out, (int)getpid());
	/* the buffer is written before it is measured: its pages are dirty in
	 * the snapshot already, not dirtied after it */
	memset(snap_buf, ' ', sizeof snap_buf);
	int fd = (int)syscall(SYS_open, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	snap_pm = (int)syscall(SYS_open, "/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || snap_pm < 0)
		_exit(3);
	dl_iterate_phdr(snap_cb, NULL);
	for (size_t off = 0; off < snap_used;) {
		long w = syscall(SYS_write, fd, snap_buf + off, snap_used - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	_exit(status);  /* libc's: the tracer finishes its log there */
}

#endif
