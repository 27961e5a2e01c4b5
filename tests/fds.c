/* fds.c - a program that manages its own descriptors the way daemons and
 * process launchers do, and prints what it sees (compared traced vs
 * untraced): the list of /proc/self/fd; the descriptors that fcntl finds
 * open among 0..1023; the numbers open() hands out; then close_range(3, ~0)
 * and a loop of close() over 3..1023, dup2 over 0 and over the fds it
 * opened, and closing 0 outright.  After each step it writes new liboracle
 * pages (a store, read() from a pipe into a global, a child by fork), and
 * with PHASES > 0 calls cowtrace_phase() that many times to make the log
 * grow while fd 0 is closed.  After close_range a pipe with data in it
 * sits on the lowest numbers while a new thread writes tracked pages: the
 * data must come out whole.  Finally the pagemap oracle goes to OUT.
 * A userfaultfd (readlink of /proc/self/fd/N) is listed as "N=uffd" (from
 * /proc/self/fd) and "NTYPEFLAGS=uffd" (fcntl): the one the scan and perf
 * backends keep is the program's only visible difference, which
 * t-tracer-fds-uffd.sh filters out, one descriptor exactly.
 *   fds OUT CHILD_OUT PHASES */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cowtrace.h"

char *oracle_page(int i);
int oracle_dump_file(const char *want, const char *path);

static char line[8192];

/* "=uffd" for a userfaultfd, else "" */
static const char *uffd_mark(int fd)
{
	char path[64], link[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, link, sizeof link - 1);
	if (n <= 0)
		return "";
	link[n] = 0;
	return strcmp(link, "anon_inode:[userfaultfd]") ? "" : "=uffd";
}

/* "step: fds 0 1 2 ..." from /proc/self/fd, without the directory's own fd */
static void list_proc(const char *step)
{
	DIR *d = opendir("/proc/self/fd");
	int n = snprintf(line, sizeof line, "%s: /proc/self/fd", step);
	if (!d) {
		printf("%s: cannot list\n", line);
		return;
	}
	int self = dirfd(d);
	int fds[1024], nf = 0;
	struct dirent *e;
	while ((e = readdir(d)) && nf < 1024) {
		if (e->d_name[0] == '.')
			continue;
		int fd = atoi(e->d_name);
		if (fd != self)
			fds[nf++] = fd;
	}
	closedir(d);
	for (int i = 0; i < nf; i++)          /* readdir order is not sorted */
		for (int j = i + 1; j < nf; j++)
			if (fds[j] < fds[i]) {
				int t = fds[i];
				fds[i] = fds[j];
				fds[j] = t;
			}
	for (int i = 0; i < nf && n < (int)sizeof line - 16; i++)
		n += snprintf(line + n, sizeof line - n, " %d%s", fds[i], uffd_mark(fds[i]));
	printf("%s\n", line);
}

/* the same by probing, with each descriptor's file type and flags */
static void list_fcntl(const char *step)
{
	int n = snprintf(line, sizeof line, "%s: fcntl", step);
	for (int fd = 0; fd < 1024 && n < (int)sizeof line - 32; fd++) {
		int fl = fcntl(fd, F_GETFD);
		if (fl < 0)
			continue;
		struct stat st;
		char t = fstat(fd, &st) ? '?' : S_ISCHR(st.st_mode) ? 'c' : S_ISREG(st.st_mode) ? 'f' :
			 S_ISFIFO(st.st_mode) ? 'p' : S_ISDIR(st.st_mode) ? 'd' : 'o';
		n += snprintf(line + n, sizeof line - n, " %d%c%s%s", fd, t, fl & FD_CLOEXEC ? "e" : "",
			      uffd_mark(fd));
	}
	printf("%s\n", line);
}

static void show(const char *step)
{
	list_proc(step);
	list_fcntl(step);
	fflush(stdout);
}

static int pipe_into(int page)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	char buf[100];
	memset(buf, page, sizeof buf);
	if (write(p[1], buf, sizeof buf) != (ssize_t)sizeof buf)
		return -1;
	ssize_t r = read(p[0], oracle_page(page) + 8, sizeof buf);
	close(p[0]);
	close(p[1]);
	printf("read into page %d: %zd\n", page, r);
	return r == (ssize_t)sizeof buf ? 0 : -1;
}

static void *thread_writes(void *arg)
{
	oracle_page(72)[5] = 1;   /* a new thread's first backtrace */
	oracle_page(73)[5] = 1;
	return arg;
}

/* A pipe of ours on the lowest numbers (where the tracer's own descriptors
 * were, if it had any) holding data while a new thread writes tracked
 * pages: the data must come out whole, and nothing may block on it. */
static int pipe_survives_thread(void)
{
	int p[2];
	char buf[16] = "";
	pthread_t t;
	if (pipe(p) < 0 || write(p[1], "0123456789", 10) != 10)
		return -1;
	printf("pipe: %d %d\n", p[0], p[1]);
	if (pthread_create(&t, NULL, thread_writes, NULL) || pthread_join(t, NULL))
		return -1;
	close(p[1]);
	ssize_t n = read(p[0], buf, sizeof buf - 1);
	close(p[0]);
	printf("pipe after the thread: %zd \"%s\"\n", n, n > 0 ? buf : "");
	return 0;
}

static int child_writes(const char *out)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 60; i < 64; i++)
			oracle_page(i)[3] = 9;
		_exit(oracle_dump_file("liboracle.so", out) < 0 ? 4 : 0);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	printf("child: %s\n", WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "ok" : "failed");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: fds OUT CHILD_OUT PHASES\n");
		return 2;
	}
	int phases = atoi(argv[3]);
	show("start");
	oracle_page(0)[0] = 1;

	int a = open("/dev/null", O_RDONLY);
	int b = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int c = dup(a);
	printf("opened: %d %d %d\n", a, b, c);
	show("opened");
	oracle_page(1)[0] = 1;

	int r = (int)syscall(SYS_close_range, 3u, ~0u, 0u);
	printf("close_range: %d\n", r);
	show("close_range");
	if (pipe_survives_thread() < 0)
		return 3;
	oracle_page(2)[0] = 1;
	oracle_page(66)[0] = 1;
	pipe_into(67);

	a = open("/dev/null", O_RDONLY);
	printf("reopened: %d\n", a);
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	show("close loop");
	oracle_page(3)[0] = 1;
	pipe_into(68);

	int n = open("/dev/zero", O_RDONLY);
	printf("dup2 over 0: %d\n", dup2(n, 0));
	printf("dup2 over %d: %d\n", n + 1, dup2(0, n + 1));
	close(n);
	show("dup2");
	oracle_page(4)[0] = 1;
	pipe_into(69);

	close(0);                 /* the lowest number is free for anybody now */
	show("closed 0");
	char name[300];
	memset(name, 'x', sizeof name - 1);
	name[sizeof name - 1] = 0;
	for (int i = 0; i < phases; i++)
		COWTRACE_PHASE(name);
	oracle_page(5)[0] = 1;
	oracle_page(70)[0] = 1;
	pipe_into(71);
	int z = open("/dev/null", O_RDONLY);
	printf("open after close(0): %d\n", z);
	if (child_writes(argv[2]) < 0)
		return 3;
	show("end");
	if (oracle_dump_file("liboracle.so", argv[1]) < 0)
		return 4;
	printf("done\n");
	return 0;
}
