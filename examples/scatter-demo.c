/* scatter-demo.c - a prefork-style user of libscatter.so (make
 * advise-demo): the parent forks WORKERS children, each serves a few
 * requests (which write libscatter's 64 counters) and exits.
 *   scatter-demo [WORKERS] */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

long scatter_request(int n);

int main(int argc, char **argv)
{
	int workers = argc > 1 ? atoi(argv[1]) : 2;
	for (int w = 0; w < workers; w++) {
		pid_t pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			long sum = 0;
			for (int r = 0; r < 10; r++)
				sum += scatter_request(r);
			printf("worker %d: %ld\n", w, sum);
			fflush(stdout);
			_exit(0);
		}
		waitpid(pid, NULL, 0);
	}
	return 0;
}
