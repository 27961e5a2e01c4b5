/* probecache.c - the start-up probe's answer kept for the next process.
 *
 * The probe (ct_probe_sigblocked) forks a child that creates and joins a
 * thread and reports the tracked pages it wrote meanwhile: those glibc
 * writes with all signals blocked (and a few more, harmlessly).  That costs
 * a fork and a thread, 0.3 ms on an idle machine and a few ms on a busy
 * one, in every process.  The answer is kept in the log directory under
 * libc's build-id, as offsets from libc's load bias, and a later process
 * of the run with the same libc reads it instead of probing.
 *
 * In the child every page starts out shared with the parent, so the answer
 * does not depend on which pages the parent had dirtied; but it does depend
 * a little on what the parent had done: a first-time setup is done once
 * (e.g. malloc's, on a page that holds tcache_key: probed before malloc is
 * set up, that page is in the answer; after, it is not).  A setup that was
 * done writes its page, so an answer is used only by a process in which
 * every libc page that was private-dirty in the prober is private-dirty
 * too: the pages the prober's state left out of its answer are then dirty
 * here and never protected.  Besides, only a regular file of our own user
 * that nobody else may write, from a probe whose child said its thread ran
 * and whose pages were all libc's, with every offset in libc's tracked
 * ranges.  Outside signal context only. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ct.h"

#define CACHE_MAGIC "CTPROBE2"
#define CACHE_MAX   (sizeof ct.sigblocked / sizeof ct.sigblocked[0])

#define DIRTY_MAX   4096             /* tracked libc pages compared */

/* The file: this header, npages bytes (1: that tracked libc page, in range
 * order, was private-dirty when the probe ran), n offsets (uint64_t). */
struct cache_head {
	char magic[8];
	uint32_t page_size;
	uint32_t n;
	uint32_t npages;
	uint32_t reserved;
};

/* this process's libc pages before its probe, for the save */
static uint8_t dirty[DIRTY_MAX];
static uint32_t ndirty;

static struct ct_module *find_libc(void)
{
	for (uint32_t i = 0; i < ct.nmodules; i++) {
		struct ct_module *m = &ct.modules[i];
		const char *b = m->path ? strrchr(m->path, '/') : NULL;
		b = b ? b + 1 : m->path;
		if (atomic_load(&m->live) && !(m->flags & CT_MODF_UNTRACKED) &&
		    m->build_id_len && b && !strncmp(b, "libc.so", 7))
			return m;
	}
	return NULL;
}

static int in_ranges(const struct ct_module *m, uintptr_t page)
{
	for (int i = 0; i < m->nranges; i++)
		if (page >= m->ranges[i].start && page < m->ranges[i].end)
			return 1;
	return 0;
}

/* The same test as protect.c's pm_dirty: swapped, or an exclusive
 * anonymous page. */
static int entry_dirty(uint64_t e)
{
	return (e & (1ull << 62)) ||
	       ((e & (1ull << 63)) && !(e & (1ull << 61)) && (e & (1ull << 56)));
}

/* libc's tracked pages now, one byte each; the count, or -1. */
static int read_dirty(const struct ct_module *libc, uint8_t *out)
{
	int fd = ct_sys_open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC, 0);
	uint64_t ent[256];
	uint32_t n = 0;
	if (fd < 0)
		return -1;
	for (int i = 0; i < libc->nranges; i++) {
		uintptr_t a = libc->ranges[i].start, e = libc->ranges[i].end;
		while (a < e) {
			size_t k = (e - a) / ct.page_size;
			k = k < 256 ? k : 256;
			if (n + k > DIRTY_MAX ||
			    ct_sys_pread(fd, ent, k * sizeof ent[0],
					 (off_t)(a / ct.page_size * sizeof ent[0])) != (ssize_t)(k * sizeof ent[0])) {
				ct_sys_close(fd);
				return -1;
			}
			for (size_t j = 0; j < k; j++)
				out[n++] = (uint8_t)entry_dirty(ent[j]);
			a += k * ct.page_size;
		}
	}
	ct_sys_close(fd);
	return (int)n;
}

/* DIR/.cowtrace-probe-BUILDID; 0, or -1 when it does not fit */
static int cache_path(char *buf, size_t size, const struct ct_module *libc)
{
	int n = snprintf(buf, size, "%s/.cowtrace-probe-", ct.opt.dir);
	for (unsigned i = 0; n > 0 && i < libc->build_id_len; i++)
		n += snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, "%02x", libc->build_id[i]);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

/* Fills ct.sigblocked from the cache; 1 when it did (no probe needed). */
int ct_probe_cache_load(void)
{
	char path[CT_MAX_PATH + 160];
	struct ct_module *libc = find_libc();
	ndirty = 0;
	if (!libc || cache_path(path, sizeof path, libc))
		return 0;
	int nd = read_dirty(libc, dirty);
	if (nd < 0)
		return 0;
	ndirty = (uint32_t)nd;
	int fd = ct_sys_open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
	if (fd < 0)
		return 0;
	struct stat st;
	struct cache_head h;
	uint64_t off[CACHE_MAX];
	uint8_t then[DIRTY_MAX];
	int ok = ct_syscall(SYS_fstat, fd, (long)&st, 0, 0, 0, 0) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
		 !(st.st_mode & 022) &&
		 ct_sys_read(fd, &h, sizeof h) == (ssize_t)sizeof h &&
		 !memcmp(h.magic, CACHE_MAGIC, 8) && h.page_size == ct.page_size &&
		 h.n <= CACHE_MAX && h.npages == ndirty &&
		 ct_sys_read(fd, then, ndirty) == (ssize_t)ndirty &&
		 ct_sys_read(fd, off, h.n * sizeof off[0]) == (ssize_t)(h.n * sizeof off[0]);
	ct_sys_close(fd);
	/* What glibc writes in a thread's start depends a little on what was
	 * done before (a first-time setup is done once): so only an answer
	 * from a process that had dirtied no libc page that is clean here. */
	for (uint32_t i = 0; ok && i < ndirty; i++)
		ok = !then[i] || dirty[i];
	for (uint32_t i = 0; ok && i < h.n; i++)
		ok = !(off[i] % ct.page_size) && in_ranges(libc, libc->bias + off[i]);
	if (!ok)
		return 0;
	for (uint32_t i = 0; i < h.n; i++)
		ct.sigblocked[i] = libc->bias + off[i];
	ct.nsigblocked = (int)h.n;
	return 1;
}

/* After a probe whose child said its thread ran (child_ok): keeps its
 * answer, written whole under a temporary name and renamed into place. */
void ct_probe_cache_save(int child_ok)
{
	char path[CT_MAX_PATH + 160], tmp[CT_MAX_PATH + 200];
	struct ct_module *libc = find_libc();
	if (!child_ok || !libc || !ndirty || (size_t)ct.nsigblocked >= CACHE_MAX ||
	    cache_path(path, sizeof path, libc))
		return;
	struct cache_head h = { CACHE_MAGIC, (uint32_t)ct.page_size, (uint32_t)ct.nsigblocked,
				ndirty, 0 };
	uint64_t off[CACHE_MAX];
	for (int i = 0; i < ct.nsigblocked; i++) {
		if (!in_ranges(libc, ct.sigblocked[i]))
			return;                 /* another object's page: probe each time */
		off[i] = ct.sigblocked[i] - libc->bias;
	}
	if (snprintf(tmp, sizeof tmp, "%s.%d", path, (int)getpid()) >= (int)sizeof tmp)
		return;
	int saved = errno;
	int fd = ct_sys_open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd >= 0) {
		size_t len = h.n * sizeof off[0];
		int ok = write(fd, &h, sizeof h) == (ssize_t)sizeof h &&
			 write(fd, dirty, ndirty) == (ssize_t)ndirty &&
			 write(fd, off, len) == (ssize_t)len;
		ct_sys_close(fd);
		if (!ok || rename(tmp, path) != 0)
			unlink(tmp);
	}
	errno = saved;
}
