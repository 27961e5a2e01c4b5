/* bt-oracle - first writes whose backtraces the program knows itself.
 * Built with frame pointers and -O0: before each first write it walks its
 * own frame-pointer chain (no unwinder involved) and prints
 *     NAME ADDR FRAME0 FRAME1 ...
 * in hex: ADDR the byte written, FRAME0 the writing instruction (a store
 * labelled in asm; for a kernel write, 0: the call site is checked by
 * range), then return addresses up to and including the first one that
 * leaves this executable (into libc, or the signal trampoline, after which
 * the chain goes on from the interrupted context).  t-tracer-backtrace.sh
 * compares them with the frames in the log.
 * Cases: nested calls; deeper than the backtrace limit; a store in a signal
 * handler (through the signal frame); a store in a new thread (its first
 * backtrace); read() into a tracked page (the kernel writes it); a store
 * in a library, dlclosed, and again in another library loaded at the same
 * address whose store has another unwind rule (bt-writer.S). */
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#define PAGE 4096
#define MAXF 64

/* one page per case, file-backed (initialised data) */
__attribute__((aligned(PAGE))) char pages[8][PAGE] = { { 1 }, { 1 }, { 1 }, { 1 }, { 1 }, { 1 }, { 1 }, { 1 } };

extern char __executable_start[], etext[];
extern char st_nested[], st_deep[], st_handler[], st_thread[], bt_after_call[];

static int in_exe(uintptr_t a)
{
	return a >= (uintptr_t)__executable_start && a < (uintptr_t)etext;
}

/* Appends the return addresses of the frame chain starting at fp; stops
 * after the first one outside the executable.  n: entries so far. */
static int walk(uintptr_t *out, int n, uintptr_t *fp)
{
	while (fp && n < MAXF) {
		uintptr_t ret = fp[1];
		out[n++] = ret;
		if (!in_exe(ret))
			break;
		fp = (uintptr_t *)fp[0];
	}
	return n;
}

static void print(const char *name, void *addr, const uintptr_t *f, int n)
{
	printf("%s %lx", name, (unsigned long)(uintptr_t)addr);
	for (int i = 0; i < n; i++)
		printf(" %lx", (unsigned long)f[i]);
	printf("\n");
	fflush(stdout);
}

/* The store instructions carry global labels: their exact addresses. */
#define STORE(label, p) \
	__asm__ volatile(".globl " #label "\n" #label ": movb $2, (%0)" :: "r"(p) : "memory")

__attribute__((noinline)) void nested(int depth, const char *name, char *p)
{
	if (depth > 0) {
		nested(depth - 1, name, p);
		return;
	}
	uintptr_t f[MAXF] = { (uintptr_t)st_nested };
	print(name, p, f, walk(f, 1, __builtin_frame_address(0)));
	STORE(st_nested, p);
}

__attribute__((noinline)) void deep(int depth, char *p)
{
	if (depth > 0) {
		deep(depth - 1, p);
		return;
	}
	uintptr_t f[MAXF] = { (uintptr_t)st_deep };
	print("deep", p, f, walk(f, 1, __builtin_frame_address(0)));
	STORE(st_deep, p);
}

/* ---- a store in a signal handler: SIGILL from ud2 in trap_site ------ */

static ucontext_t *trap_uc;

__attribute__((noinline)) void handler_store(void)
{
	uintptr_t f[MAXF] = { (uintptr_t)st_handler };
	int n = walk(f, 1, __builtin_frame_address(0));  /* ... __restore_rt */
	f[n++] = (uintptr_t)trap_uc->uc_mcontext.gregs[REG_RIP];
	n = walk(f, n, (uintptr_t *)trap_uc->uc_mcontext.gregs[REG_RBP]);
	char *p = pages[2];
	print("handler", p, f, n);
	STORE(st_handler, p);
}

void on_ill(int sig, siginfo_t *si, void *ucv)
{
	(void)sig;
	(void)si;
	trap_uc = ucv;
	handler_store();
	trap_uc->uc_mcontext.gregs[REG_RIP] += 2;  /* past the ud2 */
}

__attribute__((noinline)) void trap_site(int depth)
{
	if (depth > 0) {
		trap_site(depth - 1);
		return;
	}
	__asm__ volatile("ud2" ::: "memory");
}

/* ---- a new thread's first backtrace --------------------------------- */

__attribute__((noinline)) void thread_store(int depth)
{
	if (depth > 0) {
		thread_store(depth - 1);
		return;
	}
	uintptr_t f[MAXF] = { (uintptr_t)st_thread };
	char *p = pages[3];
	print("thread", p, f, walk(f, 1, __builtin_frame_address(0)));
	STORE(st_thread, p);
}

void *thread_main(void *arg)
{
	(void)arg;
	thread_store(3);
	return NULL;
}

/* ---- the kernel writes: read() into a tracked page ------------------- */

__attribute__((noinline)) void reader(int depth, int fd)
{
	if (depth > 0) {
		reader(depth - 1, fd);
		return;
	}
	uintptr_t f[MAXF] = { 0 };
	char *p = pages[4];
	print("read", p, f, walk(f, 1, __builtin_frame_address(0)));
	if (read(fd, p, 16) != 16)
		perror("read");
}
void reader_end(void) {}

/* ---- a library unloaded, another at the same address ------------------ */

#define WRITER_STORE 7  /* bytes into bt_writer */

/* the call in asm, for the exact return address; bt_writer changes no
 * register */
__attribute__((noinline)) void call_lib(const char *name, void (*w)(char *), char *p)
{
	uintptr_t f[MAXF] = { (uintptr_t)w + WRITER_STORE, (uintptr_t)bt_after_call };
	print(name, p, f, walk(f, 2, __builtin_frame_address(0)));
	__asm__ volatile("call *%0\n.globl bt_after_call\nbt_after_call:"
			 :: "r"(w), "D"(p) : "rax", "memory", "cc");
}

static void reload(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
	if (n <= 0)
		return;
	dir[n] = 0;
	*strrchr(dir, '/') = 0;
	uintptr_t at[2] = { 0, 0 };
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, i ? "bt-small.so" : "bt-big.so");
		void *h = dlopen(path, RTLD_NOW);
		void (*w)(char *) = h ? (void (*)(char *))dlsym(h, "bt_writer") : NULL;
		if (!w) {
			printf("reload-missing %s\n", path);
			return;
		}
		at[i] = (uintptr_t)w;
		call_lib(i ? "reload-small" : "reload-big", w, pages[5 + i]);
		if (!i)
			dlclose(h);
	}
	printf("reload-same-address %d\n", at[0] == at[1]);
}

int main(void)
{
	printf("reader %lx %lx\n", (unsigned long)(uintptr_t)reader,
	       (unsigned long)(uintptr_t)reader_end);
	nested(4, "nested", pages[0]);
	deep(40, pages[1]);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_ill;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGILL, &sa, NULL);
	trap_site(3);

	pthread_t t;
	if (pthread_create(&t, NULL, thread_main, NULL) == 0)
		pthread_join(t, NULL);

	int fd = open("/dev/zero", O_RDONLY);
	if (fd >= 0) {
		reader(2, fd);
		close(fd);
	}
	reload();
	return 0;
}
