/* oracle-cancel.c - thread cancellation meets the tracer.
 *   handler: a thread with a cancellation request pending makes a first
 *            write (the tracer's handler runs, and must reach no
 *            cancellation point), then says so; it dies at pause().
 *   read:    a thread is cancelled while blocked in read() into two
 *            liboracle pages (lent to the call, never settled); the main
 *            thread then dirties them: they must still be counted.
 * Ends with liboracle's pagemap oracle in OUT.
 *   oracle-cancel handler|read OUT */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

char *oracle_page(int i);
int oracle_dump_file(const char *want, const char *path);

static _Atomic int go, after;
static int fds[2];

static void *spinner(void *arg)
{
	(void)arg;
	while (!atomic_load(&go))
		;                       /* no cancellation point */
	oracle_page(5)[1] = 1;          /* a first write: the tracer's handler */
	atomic_store(&after, 1);
	for (;;)
		pause();                /* the cancellation point */
	return NULL;
}

static void *reader(void *arg)
{
	(void)arg;
	char *dst = oracle_page(10);
	read(fds[0], dst, 2 * 4096);    /* cancelled in here */
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	if (argc != 3) {
		fprintf(stderr, "usage: oracle-cancel handler|read OUT\n");
		return 2;
	}
	if (!strcmp(argv[1], "handler")) {
		if (pthread_create(&t, NULL, spinner, NULL))
			return 3;
		pthread_cancel(t);
		atomic_store(&go, 1);
		pthread_join(t, NULL);
		printf("the write after the cancel request ran on: %s\n", after ? "yes" : "no");
	} else {
		if (pipe(fds) || pthread_create(&t, NULL, reader, NULL))
			return 3;
		usleep(100000);
		pthread_cancel(t);
		pthread_join(t, NULL);
		memset(oracle_page(10), 7, 2 * 4096);
		printf("reader cancelled\n");
	}
	fflush(stdout);
	return oracle_dump_file("liboracle.so", argv[2]) < 0 ? 4 : 0;
}
