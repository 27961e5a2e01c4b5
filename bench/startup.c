/* startup - cost of starting a process, untraced and traced, in one run.
 *   startup RUNS CACHE VAR=VALUE... -- PROG [ARGS]
 * Starts PROG RUNS times each way, in turn, so that all see the same load
 * on the machine: untraced; with the VAR=VALUE settings added to the
 * environment; and the same after removing the file CACHE (the tracer's
 * start-up probe cache), so that it probes.  Each start is timed from fork
 * to the end of wait (wall), and by the CPU time it used with its children
 * (cpu: less sensitive to a busy machine).  Prints six medians in
 * nanoseconds: "WALL: UNTRACED TRACED PROBING  CPU: UNTRACED TRACED PROBING". */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 10000

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One start of argv with envp, output to /dev/null; its wall time in ns,
 * or -1 when it did not exit with status 0; *cpu: its CPU time. */
static double one(char **argv, char **envp, double *cpu)
{
	double t0 = now();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execve(argv[0], argv, envp);
		_exit(127);
	}
	int st;
	struct rusage ru;
	if (wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	double wall = now() - t0;
	*cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3;
	return wall;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	extern char **environ;
	int runs = argc > 1 ? atoi(argv[1]) : 0;
	int i = 3, nset = 0;
	if (runs < 1 || runs > MAX_RUNS || argc < 3) {
		fprintf(stderr, "usage: startup RUNS CACHE VAR=VALUE... -- PROG [ARGS]\n");
		return 2;
	}
	const char *cache = argv[2];
	char **set = argv + 3;
	while (i < argc && strcmp(argv[i], "--"))
		i++, nset++;
	if (i + 1 >= argc) {
		fprintf(stderr, "startup: no program after --\n");
		return 2;
	}
	char **prog = argv + i + 1;

	/* the traced environment: ours plus the settings (which come first,
	 * so they win over the same names later on) */
	size_t nenv = 0;
	while (environ[nenv])
		nenv++;
	char **tenv = calloc(nenv + (size_t)nset + 1, sizeof *tenv);
	static double u[MAX_RUNS], t[MAX_RUNS], p[MAX_RUNS];
	static double uc[MAX_RUNS], tc[MAX_RUNS], pc[MAX_RUNS];
	if (!tenv)
		return 1;
	memcpy(tenv, set, (size_t)nset * sizeof *tenv);
	memcpy(tenv + nset, environ, nenv * sizeof *tenv);

	for (int r = 0; r < runs; r++) {
		u[r] = one(prog, environ, &uc[r]);
		t[r] = one(prog, tenv, &tc[r]);
		unlink(cache);
		p[r] = one(prog, tenv, &pc[r]);
		if (u[r] < 0 || t[r] < 0 || p[r] < 0) {
			fprintf(stderr, "startup: %s failed\n", prog[0]);
			return 1;
		}
	}
	printf("%.0f %.0f %.0f %.0f %.0f %.0f\n", median(u, runs), median(t, runs), median(p, runs),
	       median(uc, runs), median(tc, runs), median(pc, runs));
	return 0;
}
