/* phases-app.c - pages of liboracle first written in each automatic
 * phase, as the program itself says: "startup N" (a constructor), "main N"
 * (main, and a child forked in main), "teardown N" (an atexit handler and
 * a destructor, after exit() or main's return).
 *   phases-app exit|return */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char *oracle_page(int i);

static void say(const char *phase, int page)
{
	oracle_page(page)[5] = 1;
	printf("%s %d %d\n", phase, page, (int)getpid());
	fflush(stdout);
}

__attribute__((constructor)) static void early(void) { say("startup", 2); }
__attribute__((destructor)) static void late(void) { say("teardown", 9); }
static void at_exit(void) { say("teardown", 7); }

int main(int argc, char **argv)
{
	atexit(at_exit);
	say("main", 4);
	pid_t pid = fork();
	if (pid == 0) {
		say("main", 11);        /* the child starts in main, as its parent */
		_exit(0);               /* no teardown in the child */
	}
	waitpid(pid, NULL, 0);
	if (argc > 1 && strcmp(argv[1], "exit") == 0)
		exit(0);
	return 0;
}
