/* oracle-threads.c - 16 threads race, behind a barrier, to write the same
 * pages of liboracle (several rounds, new pages each round), plus one page
 * of their own each; then the pagemap oracle is written to OUT.
 *   oracle-threads SEED OUT */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *oracle_page(int i);
int oracle_npages(void);
uint32_t oracle_rand(uint64_t *s);
int oracle_dump_file(const char *want, const char *path);
unsigned long oracle_sum(void);

#define NT 16
#define ROUNDS 4
#define PER_ROUND 6
static pthread_barrier_t bar;
static int round_pages[ROUNDS][PER_ROUND];
static int own_page[NT];

static void *worker(void *arg)
{
	int t = (int)(intptr_t)arg;
	for (int r = 0; r < ROUNDS; r++) {
		pthread_barrier_wait(&bar);
		for (int k = 0; k < PER_ROUND; k++) {
			int idx = round_pages[r][(k + t) % PER_ROUND];	/* different orders */
			char *pg = oracle_page(idx);
			pg[t * 64 + r] = (char)(t + 1);
		}
	}
	oracle_page(own_page[t])[100] = (char)(t + 7);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: oracle-threads SEED OUT\n");
		return 2;
	}
	uint64_t s = strtoull(argv[1], NULL, 0) * 2654435761ULL + 1442695040888963407ULL;
	int n = oracle_npages();
	char used[256] = { 0 };
	for (int r = 0; r < ROUNDS; r++)
		for (int k = 0; k < PER_ROUND; k++) {
			int idx;
			do idx = (int)(oracle_rand(&s) % (uint32_t)n); while (used[idx]);
			used[idx] = 1;
			round_pages[r][k] = idx;
		}
	for (int t = 0; t < NT; t++) {
		int idx;
		do idx = (int)(oracle_rand(&s) % (uint32_t)n); while (used[idx]);
		used[idx] = 1;
		own_page[t] = idx;
	}
	pthread_barrier_init(&bar, NULL, NT);
	pthread_t th[NT];
	for (int t = 0; t < NT; t++)
		if (pthread_create(&th[t], NULL, worker, (void *)(intptr_t)t) != 0) {
			printf("pthread_create failed\n");
			return 3;
		}
	for (int t = 0; t < NT; t++)
		pthread_join(th[t], NULL);
	int bad = 0;
	for (int r = 0; r < ROUNDS; r++)
		for (int k = 0; k < PER_ROUND; k++)
			for (int t = 0; t < NT; t++)
				if (oracle_page(round_pages[r][k])[t * 64 + r] != (char)(t + 1))
					bad++;
	for (int t = 0; t < NT; t++)
		if (oracle_page(own_page[t])[100] != (char)(t + 7))
			bad++;
	printf("threads: %d, wrong bytes: %d, sum %lx\n", NT, bad, oracle_sum());
	fflush(stdout);
	if (oracle_dump_file("liboracle.so", argv[2]) < 0)
		return 4;
	return bad != 0;
}
