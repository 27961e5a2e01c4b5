/* life.c - process lifetime cases for the tracer; every process that writes
 * liboracle pages also writes its own pagemap oracle (tests/oracle-lib.c).
 *   life child OUT                 writes pages 30..35, oracle to OUT
 *   life vfork-exec SELF P C       vfork; the child writes nothing and execs
 *                                  `SELF child C`; the parent writes, oracle P
 *   life vfork-exit P              vfork; the child _exits(7) at once
 *   life spawn SELF P C            posix_spawn(`SELF child C`)
 *   life system SELF P C           system("SELF child C")
 *   life daemon P C DONE           a child calls daemon(0, 0); the daemon
 *                                  writes pages, oracle C, then creates DONE;
 *                                  the parent waits for DONE, oracle P
 *   life fork-exec SELF P C        fork; the child execs `SELF child C`
 *                                  with execl
 *   life chdir-fork P C            chdir("/"), then fork; the child writes
 *                                  pages, oracle C (absolute paths)
 *   life exec-fail P [kill]        execv of a missing file fails; the program
 *                                  goes on (and with kill, dies by SIGKILL)
 *   life exec P PATH [ARG...]      writes pages, its oracle to P, then
 *                                  execv(PATH)
 *   life thread-exit P             a second thread calls exit(3) while two
 *   life thread-_exit P            others run (one blocked, one reading
 *                                  liboracle); _exit(5) in the second case
 * stdout depends only on the arguments' shape (compared traced vs untraced). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

char *oracle_page(int i);
int oracle_dump_file(const char *want, const char *path);
unsigned long oracle_sum(void);

extern char **environ;

static void write_pages(int from, int to, char v)
{
	for (int i = from; i < to; i++)
		oracle_page(i)[i] = v;
}

static int report_child(const char *what, int st)
{
	if (WIFEXITED(st))
		printf("%s: exited %d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: signal %d\n", what, WTERMSIG(st));
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

/* the parent's part after its child is done: more pages, then its oracle */
static int parent_end(const char *out)
{
	write_pages(40, 45, 3);
	write_pages(100, 104, 3);
	if (oracle_dump_file("liboracle.so", out) < 0)
		return 4;
	printf("parent done\n");
	return 0;
}

static int do_child(const char *out)
{
	write_pages(30, 36, 2);
	write_pages(90, 94, 2);
	if (oracle_dump_file("liboracle.so", out) < 0)
		return 4;
	printf("child done\n");
	return 0;
}

static int do_vfork_exec(const char *self, const char *p, const char *c)
{
	char *args[] = { (char *)"life", (char *)"child", (char *)c, NULL };
	write_pages(0, 5, 1);
	fflush(stdout);
	pid_t pid = vfork();
	if (pid == 0) {
		execv(self, args);
		_exit(127);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 3;
	int bad = report_child("vfork+exec child", st);
	return parent_end(p) | bad;
}

static int do_fork_exec(const char *self, const char *p, const char *c)
{
	write_pages(0, 5, 1);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		/* no writes here: the report counts a pid's pages over both
		 * of its images, the oracle only sees the new one */
		execl(self, "life", "child", c, (char *)NULL);
		_exit(127);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 3;
	int bad = report_child("fork+exec child", st);
	return parent_end(p) | bad;
}

static int do_chdir_fork(const char *p, const char *c)
{
	write_pages(0, 5, 1);
	if (chdir("/") != 0)
		return 3;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(do_child(c));
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 3;
	int bad = report_child("child after chdir", st);
	return parent_end(p) | bad;
}

static int do_exec_fail(const char *p, int die)
{
	char *args[] = { (char *)"nothing", NULL };
	write_pages(0, 5, 1);
	int r = execv("/nonexistent/cowtrace-test", args);
	printf("execv: %d, %s\n", r, strerror(errno));
	if (die) {
		fflush(stdout);
		write_pages(10, 12, 7);
		if (oracle_dump_file("liboracle.so", p) < 0)
			return 4;
		raise(SIGKILL);
	}
	return parent_end(p);
}

static int do_exec(const char *p, char **argv)
{
	write_pages(0, 5, 1);
	if (oracle_dump_file("liboracle.so", p) < 0)
		return 4;
	fflush(stdout);
	execv(argv[0], argv);
	printf("execv %s: %s\n", argv[0], strerror(errno));
	return 127;
}

static int do_vfork_exit(const char *p)
{
	write_pages(0, 5, 1);
	fflush(stdout);
	pid_t pid = vfork();
	if (pid == 0)
		_exit(7);
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 3;
	printf("vfork child: exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return parent_end(p);
}

static int do_spawn(const char *self, const char *p, const char *c)
{
	char *args[] = { (char *)"life", (char *)"child", (char *)c, NULL };
	pid_t pid;
	write_pages(0, 5, 1);
	fflush(stdout);
	int e = posix_spawn(&pid, self, NULL, NULL, args, environ);
	if (e) {
		printf("posix_spawn: %s\n", strerror(e));
		return 3;
	}
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return 3;
	int bad = report_child("spawned child", st);
	return parent_end(p) | bad;
}

static int do_system(const char *self, const char *p, const char *c)
{
	char cmd[4096];
	write_pages(0, 5, 1);
	fflush(stdout);
	snprintf(cmd, sizeof cmd, "'%s' child '%s'", self, c);
	int st = system(cmd);
	if (st == -1)
		return 3;
	int bad = report_child("system()", st);
	return parent_end(p) | bad;
}

/* The daemon: std fds on /dev/null, cwd /, its own session. */
static void daemon_body(const char *c, const char *done)
{
	if (daemon(0, 0) != 0)
		_exit(10);
	write_pages(20, 26, 5);
	write_pages(80, 84, 5);
	int ok = oracle_dump_file("liboracle.so", c) >= 0 && getsid(0) == getpid();
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", done);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		char cwd[8];
		ok &= getcwd(cwd, sizeof cwd) && !strcmp(cwd, "/");
		ok &= write(fd, ok ? "ok\n" : "bad\n", ok ? 3 : 4) > 0;
		close(fd);
		rename(tmp, done);
	}
	exit(0);
}

static int do_daemon(const char *p, const char *c, const char *done)
{
	write_pages(0, 5, 1);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		daemon_body(c, done);
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 3;
	report_child("daemon's parent", st);
	/* the daemon is not our child: wait for its file (at most 30 s) */
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;
	for (i = 0; i < 3000 && access(done, F_OK) != 0; i++)
		nanosleep(&ts, NULL);
	char buf[8] = "";
	int fd = open(done, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof buf - 1);
		buf[n > 0 ? n : 0] = 0;
		close(fd);
	}
	printf("daemon: %s", buf[0] ? buf : "no answer\n");
	return parent_end(p) | (strcmp(buf, "ok\n") != 0);
}

static int block_pipe[2];
static const char *thread_out;
static int thread_how;            /* 0: exit(3), 1: _exit(5) */
static volatile unsigned long sink;

static void *blocked(void *arg)
{
	char c;
	(void)arg;
	while (read(block_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static void *reader(void *arg)
{
	(void)arg;
	for (;;) {
		for (int i = 0; i < 128; i += 7)
			sink += (unsigned char)oracle_page(i)[1];
		sched_yield();
	}
	return NULL;
}

static void *exiter(void *arg)
{
	(void)arg;
	write_pages(50, 56, 4);
	write_pages(110, 113, 4);
	if (oracle_dump_file("liboracle.so", thread_out) < 0)
		_exit(4);
	printf("thread ends the process\n");
	fflush(stdout);
	if (thread_how)
		_exit(5);
	exit(3);
}

static int do_thread_exit(const char *p, int how)
{
	pthread_t a, b, c;
	thread_out = p;
	thread_how = how;
	write_pages(0, 5, 1);
	if (pipe(block_pipe) < 0)
		return 3;
	if (pthread_create(&a, NULL, blocked, NULL) || pthread_create(&b, NULL, reader, NULL) ||
	    pthread_create(&c, NULL, exiter, NULL))
		return 3;
	pthread_join(c, NULL);    /* never returns: the thread ends the process */
	return 6;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	if (!strcmp(m, "child") && argc == 3)
		return do_child(argv[2]);
	if (!strcmp(m, "vfork-exec") && argc == 5)
		return do_vfork_exec(argv[2], argv[3], argv[4]);
	if (!strcmp(m, "fork-exec") && argc == 5)
		return do_fork_exec(argv[2], argv[3], argv[4]);
	if (!strcmp(m, "chdir-fork") && argc == 4)
		return do_chdir_fork(argv[2], argv[3]);
	if (!strcmp(m, "exec-fail") && (argc == 3 || argc == 4))
		return do_exec_fail(argv[2], argc == 4);
	if (!strcmp(m, "exec") && argc >= 4)
		return do_exec(argv[2], argv + 3);
	if (!strcmp(m, "vfork-exit") && argc == 3)
		return do_vfork_exit(argv[2]);
	if (!strcmp(m, "spawn") && argc == 5)
		return do_spawn(argv[2], argv[3], argv[4]);
	if (!strcmp(m, "system") && argc == 5)
		return do_system(argv[2], argv[3], argv[4]);
	if (!strcmp(m, "daemon") && argc == 5)
		return do_daemon(argv[2], argv[3], argv[4]);
	if (!strcmp(m, "thread-exit") && argc == 3)
		return do_thread_exit(argv[2], 0);
	if (!strcmp(m, "thread-_exit") && argc == 3)
		return do_thread_exit(argv[2], 1);
	fprintf(stderr, "usage: see the comment at the top of tests/life.c\n");
	return 2;
}
