/* sandbox.c - a program that sandboxes itself with prctl(PR_SET_SECCOMP):
 * writes liboracle pages, installs a filter, writes more pages.
 *   sandbox mprotect OUT    the filter fails mprotect with EPERM
 *   sandbox other OUT       the filter fails getpriority only (mprotect
 *                           stays allowed)
 *   sandbox robust|vmread|perf|uffd OUT
 *                           the filter kills the process at
 *                           get_robust_list, process_vm_readv,
 *                           perf_event_open or userfaultfd
 * After the filter it also starts a thread and forks a child, which
 * both write liboracle pages.
 * Then writes the pagemap oracle to OUT (open and pread stay allowed). */
#include <errno.h>
#include <pthread.h>
#include <sys/wait.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

char *oracle_page(int i);
int oracle_dump_file(const char *want, const char *path);

static int install(int nr, int how, unsigned action)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, action),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof f / sizeof f[0], f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	if (how == 's')   /* libseccomp's way */
		return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

static void *writer(void *arg)
{
	for (int i = 30; i < 34; i++)
		oracle_page(i)[i] = 3;
	return arg;
}

int main(int argc, char **argv)
{
	static const struct { const char *kind; int nr; unsigned action; } kinds[] = {
		{ "mprotect", SYS_mprotect, SECCOMP_RET_ERRNO | EPERM },
		{ "other", SYS_getpriority, SECCOMP_RET_ERRNO | EPERM },
		/* calls the tracer's backtraces make, fatal to the process */
		{ "robust", SYS_get_robust_list, SECCOMP_RET_KILL_PROCESS },
		{ "vmread", SYS_process_vm_readv, SECCOMP_RET_KILL_PROCESS },
		/* what the tracer calls for a new thread's fault samples, and
		 * for a fork child's userfaultfd (scan and perf modes) */
		{ "perf", SYS_perf_event_open, SECCOMP_RET_KILL_PROCESS },
		{ "uffd", SYS_userfaultfd, SECCOMP_RET_KILL_PROCESS },
	};
	int k = -1;
	for (int i = 0; argc >= 3 && i < (int)(sizeof kinds / sizeof kinds[0]); i++)
		if (!strcmp(argv[1], kinds[i].kind))
			k = i;
	if (k < 0) {
		fprintf(stderr, "usage: sandbox mprotect|other|robust|vmread|perf|uffd OUT [prctl|syscall]\n");
		return 2;
	}
	for (int i = 0; i < 6; i++)
		oracle_page(i)[i] = 1;
	int r = install(kinds[k].nr, argc > 3 ? argv[3][0] : 'p', kinds[k].action);
	printf("filter: %d\n", r);
	for (int i = 10; i < 16; i++)
		oracle_page(i)[i] = 2;
	for (int i = 70; i < 74; i++)
		oracle_page(i)[i] = 2;
	errno = 0;
	int p = getpriority(PRIO_PROCESS, 0);
	printf("getpriority: %d %s\n", p, strerror(errno));
	char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("mprotect: %d\n", m == MAP_FAILED ? -2 : mprotect(m, 4096, PROT_READ));
	pthread_t t;
	int tr = pthread_create(&t, NULL, writer, NULL);
	if (tr == 0)
		pthread_join(t, NULL);
	printf("thread: %s\n", tr == 0 ? "ran" : "refused");
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		for (int i = 40; i < 44; i++)
			oracle_page(i)[i] = 4;
		_exit(0);
	}
	int st = -1;
	if (c > 0)
		waitpid(c, &st, 0);
	printf("child: %s\n", c < 0 ? "no fork" : WIFEXITED(st) ? "exited" : "killed");
	fflush(stdout);
	return oracle_dump_file("liboracle.so", argv[2]) < 0 ? 4 : 0;
}
