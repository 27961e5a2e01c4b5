/* whole-app.c - the subject of t-tracer-whole.sh: every page of every
 * loaded object, as the kernel counts it.  It loads a C++ library with
 * thousands of vtables (libvtables.so, relocated at load), libstdc++,
 * libc, ld.so, liboracle, and dlopen()s oracle-plugin.so; writes some of
 * their pages; then snapshots /proc/self/pagemap over every PT_LOAD page
 * of every object that dl_iterate_phdr lists (tests/snapshot.h), writes
 * the snapshot to OUT.PID and _exits.
 *   whole-app OUT one|fork
 * fork: the parent forks two children after its own writes; while they
 * run, it writes again (in a new page and in pages both it and they had
 * private before the fork: each child's copy of those becomes the child's
 * alone); the children write pages of their own, snapshot and _exit; the
 * parent snapshots after they are gone.  Snapshot lines: "PATH 0xVADDR"
 * (the page's address minus the load bias), "#" lines are comments. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "snapshot.h"

long vt_make(int n);
char *oracle_page(int i);

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	const char *out = argv[1];
	long s = vt_make(3000);
	void *h = dlopen("oracle-plugin.so", RTLD_NOW);      /* found by RUNPATH $ORIGIN */
	if (!h)
		return 4;
	for (int i = 0; i < 8; i++)
		oracle_page(i * 3)[7] = (char)i;
	printf("vt_make %ld\n", s);
	fflush(stdout);
	if (strcmp(argv[2], "fork") != 0)
		snapshot_and_exit(out, 0);

	int go[2][2], done[2];
	if (pipe(go[0]) || pipe(go[1]) || pipe(done))
		return 5;
	pid_t kids[2];
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			char c;
			if (read(go[k][0], &c, 1) != 1)
				_exit(6);
			for (int i = 0; i < 6; i++)
				oracle_page(40 + k * 8 + i)[1] = 1;     /* its own */
			oracle_page(3)[9] = 2;                   /* one the parent had too */
			if (write(done[1], "d", 1) != 1)
				_exit(7);
			if (read(go[k][0], &c, 1) != 1)          /* until the parent wrote */
				_exit(8);
			snapshot_and_exit(out, 0);
		}
	}
	char c;
	for (int k = 0; k < 2; k++)
		if (write(go[k][1], "g", 1) != 1)
			return 9;
	for (int k = 0; k < 2; k++)
		if (read(done[0], &c, 1) != 1)
			return 10;
	/* the parent writes pages both it and the children had before the
	 * fork: each child's copy becomes the child's alone */
	oracle_page(0)[11] = 5;
	oracle_page(6)[11] = 5;
	oracle_page(60)[0] = 1;                          /* a new one */
	s += vt_make(10);
	/* one child after the other: once the first is gone, the second has
	 * the old copies alone (the kernel counts them there) */
	for (int k = 0; k < 2; k++) {
		if (write(go[k][1], "g", 1) != 1)
			return 11;
		waitpid(kids[k], NULL, 0);
	}
	snapshot_and_exit(out, 0);
}
