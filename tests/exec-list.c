/* exec-list.c - the list forms of exec (execl, execlp, execle), whose
 * wrappers build the argument vector themselves: the program they run
 * prints its arguments and environment.
 *   exec-list l|lp|le */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *env[] = { "FOO=bar", "EMPTY=", NULL };
	if (argc != 2) {
		fprintf(stderr, "usage: exec-list l|lp|le\n");
		return 2;
	}
	fflush(stdout);
	if (!strcmp(argv[1], "l"))
		execl("/bin/sh", "sh", "-c", "echo \"$0 $1 [$FOO]\"", "zero", "one", (char *)NULL);
	else if (!strcmp(argv[1], "lp"))
		execlp("sh", "sh", "-c", "echo \"$0 $1 [$FOO]\"", "zero", "one", (char *)NULL);
	else if (!strcmp(argv[1], "le"))
		execle("/usr/bin/env", "env", (char *)NULL, env);
	perror("exec");
	return 1;
}
