/* fds-reuse.c - a program that takes the tracer's descriptor number for
 * itself.  The scan and perf backends keep one userfaultfd, near the soft
 * RLIMIT_NOFILE; this program finds that number N (readlink of
 * /proc/self/fd/N is "anon_inode:[userfaultfd]"; untraced, where there is
 * none, it takes the number the tracer would have used), closes every
 * descriptor from 3 up (close_range), puts the write end of a pipe on N
 * (dup2), and writes through N before a fork, in the child after it (the
 * child's tracer opens its own userfaultfd and must neither close N nor
 * take it) and in the parent after the child is gone; then it reads the
 * pipe back and prints it: the data must be whole.  Between the steps it
 * writes liboracle pages (stores, read() into a global); each process
 * writes its pagemap oracle of liboracle (OUT, CHILD_OUT).  Descriptor
 * listings (/proc/self/fd) show a userfaultfd as "N=uffd", which the test
 * filters out; N itself is never printed.
 *   fds-reuse OUT CHILD_OUT */
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cowtrace.h"

char *oracle_page(int i);
int oracle_dump_file(const char *want, const char *path);

static int is_uffd(int fd)
{
	char path[64], link[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, link, sizeof link - 1);
	if (n <= 0)
		return 0;
	link[n] = 0;
	return strcmp(link, "anon_inode:[userfaultfd]") == 0;
}

/* the sorted list of /proc/self/fd, without the directory's own fd */
static int list_fds(int *fds, int max)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return 0;
	int self = dirfd(d), n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < max) {
		if (e->d_name[0] == '.' || atoi(e->d_name) == self)
			continue;
		fds[n++] = atoi(e->d_name);
	}
	closedir(d);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (fds[j] < fds[i]) {
				int t = fds[i];
				fds[i] = fds[j];
				fds[j] = t;
			}
	return n;
}

/* "step: fds 0 1 2 N=uffd ...", a number past the first 8 as "top" */
static void show(const char *step, int top)
{
	int fds[1024], n = list_fds(fds, 1024);
	printf("%s:", step);
	for (int i = 0; i < n; i++) {
		if (fds[i] == top)
			printf(" top");
		else
			printf(" %d", fds[i]);
		if (is_uffd(fds[i]))
			printf("=uffd");
	}
	printf("\n");
	fflush(stdout);
}

static void pipe_into(int page)
{
	int p[2];
	char buf[64];
	memset(buf, page, sizeof buf);
	if (pipe(p) < 0 || write(p[1], buf, sizeof buf) != (ssize_t)sizeof buf)
		exit(20);
	ssize_t r = read(p[0], oracle_page(page) + 16, sizeof buf);
	close(p[0]);
	close(p[1]);
	printf("read into page %d: %zd\n", page, r);
}

static void say(int fd, const char *what)
{
	ssize_t n = write(fd, what, strlen(what));
	printf("write \"%.*s\" through the number: %s\n", (int)strlen(what) - 1, what,
	       n == (ssize_t)strlen(what) ? "ok" : "FAILED");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: fds-reuse OUT CHILD_OUT\n");
		return 2;
	}
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 2;
	int fds[1024], n = list_fds(fds, 1024), top = -1;
	for (int i = 0; i < n; i++)
		if (is_uffd(fds[i]))
			top = fds[i];
	int found = top >= 0;
	if (!found)     /* where the tracer would have put it */
		top = rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur > 64 ? (int)rl.rlim_cur - 64 : 256;
	if (top < 3 || (rl.rlim_cur != RLIM_INFINITY && top >= (int)rl.rlim_cur))
		top = (int)(rl.rlim_cur != RLIM_INFINITY ? rl.rlim_cur : 1024) - 1;
	show("start", top);
	oracle_page(0)[0] = 1;
	pipe_into(64);

	printf("close_range: %d\n", (int)syscall(SYS_close_range, 3u, ~0u, 0u));
	show("closed", top);
	oracle_page(1)[0] = 1;
	pipe_into(65);

	int p[2];
	if (pipe(p) < 0)
		return 3;
	printf("pipe: %d %d\n", p[0], p[1]);
	printf("dup2 onto the number: %s\n", dup2(p[1], top) == top ? "ok" : "FAILED");
	close(p[1]);
	show("reused", top);
	say(top, "parent before the fork\n");
	/* a scan point with the number reused: the tracer must not take it for
	 * its own */
	COWTRACE_PHASE("reused");
	oracle_page(2)[0] = 1;
	pipe_into(66);

	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return 4;
	if (pid == 0) {
		close(p[0]);
		for (int i = 60; i < 64; i++)
			oracle_page(i)[3] = 9;
		pipe_into(67);
		say(top, "child after the fork\n");
		show("child", top);
		COWTRACE_PHASE("child");
		oracle_page(68)[0] = 1;
		say(top, "child after a scan\n");
		_exit(oracle_dump_file("liboracle.so", argv[2]) < 0 ? 5 : 0);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return 6;
	printf("child: %s\n", WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "ok" : "failed");
	oracle_page(3)[0] = 1;
	pipe_into(69);
	say(top, "parent after the fork\n");
	show("parent", top);
	close(top);
	char buf[4096];
	ssize_t got = 0, r;
	while (got < (ssize_t)sizeof buf - 1 && (r = read(p[0], buf + got, sizeof buf - 1 - got)) > 0)
		got += r;
	buf[got > 0 ? got : 0] = 0;
	printf("the pipe holds %zd bytes:\n%s", got, buf);
	close(p[0]);
	oracle_page(4)[0] = 1;
	if (oracle_dump_file("liboracle.so", argv[1]) < 0)
		return 7;
	printf("done\n");
	return 0;
}
