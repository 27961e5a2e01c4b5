/* waitstatus.c - runs a command and prints how it ended, as wait() tells:
 * "exited N" or "signal N core 0|1" (WCOREDUMP).  Exits 0 once it could
 * run the command.
 *   waitstatus COMMAND [ARG...] */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: waitstatus COMMAND [ARG...]\n");
		return 2;
	}
	pid_t pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return 2;
	if (WIFEXITED(st))
		printf("exited %d\n", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("signal %d core %d\n", WTERMSIG(st), WCOREDUMP(st) ? 1 : 0);
	else
		printf("status %#x\n", st);
	return 0;
}
