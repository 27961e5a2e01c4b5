/* phase-app - marks phases with cowtrace_phase() and writes known library
 * pages in each; a forked child inherits its parent's phase, then starts
 * its own.  Prints "pid P phase NAME wrote SYMBOL" for each write (the
 * truth the tests compare the report with).  Without the tracer the
 * phases cost nothing and the output is the same apart from pids. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cowtrace.h"

extern int lib_counter;                   /* R_X86_64_COPY in a PIE */
void table_touch(int page);
void cache_touch(int page);

static const char *phase = "(none)";

static void enter(const char *name)
{
	phase = name;
	COWTRACE_PHASE(name);
}

static void said(const char *what)
{
	printf("pid %d phase %s wrote %s\n", (int)getpid(), phase, what);
	fflush(stdout);
}

int main(void)
{
	enter("startup");
	table_touch(1);                       /* page 0 may share the GOT's page */
	said("lib_table+0x1000");
	lib_counter++;                        /* its page: dirty at attach (ld.so's copy) */
	said("lib_counter");

	enter("serving");
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		table_touch(2);               /* still the parent's "serving" */
		said("lib_table+0x2000");
		enter("child");
		cache_touch(0);
		said("lib_cache+0x10");
		return 0;
	}
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 1;
	table_touch(3);
	said("lib_table+0x3000");

	enter("shutdown");
	cache_touch(2);
	said("lib_cache+0x2010");
	return 0;
}
