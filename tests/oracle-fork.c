/* oracle-fork.c - parent and child write different pages of liboracle; each
 * writes its own pagemap oracle. The child measures while the parent is
 * alive (blocked in waitpid); the parent measures after the child is gone.
 *   oracle-fork disjoint|overlap PARENT_OUT CHILD_OUT
 * overlap: the child also writes two pages the parent dirtied before fork. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char *oracle_page(int i);
int oracle_dump_file(const char *want, const char *path);

int main(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	int overlap = !strcmp(argv[1], "overlap");
	for (int i = 0; i < 10; i++)		/* parent, before fork */
		oracle_page(i)[i] = 1;
	for (int i = 64; i < 70; i++)
		oracle_page(i)[i] = 1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return 3;
	if (pid == 0) {
		for (int i = 20; i < 30; i++)
			oracle_page(i)[i] = 2;
		for (int i = 80; i < 86; i++)
			oracle_page(i)[i] = 2;
		if (overlap) {
			oracle_page(3)[100] = 2;
			oracle_page(66)[100] = 2;
		}
		if (oracle_dump_file("liboracle.so", argv[3]) < 0)
			_exit(4);
		printf("child done\n");
		fflush(stdout);
		_exit(0);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		printf("child failed: %#x\n", st);
		return 1;
	}
	for (int i = 40; i < 46; i++)		/* parent, after the child is gone */
		oracle_page(i)[i] = 3;
	for (int i = 100; i < 104; i++)
		oracle_page(i)[i] = 3;
	if (oracle_dump_file("liboracle.so", argv[2]) < 0)
		return 4;
	printf("parent done\n");
	return 0;
}
