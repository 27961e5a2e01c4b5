/* oracle-kill.c - dirties pages of liboracle, writes the pagemap oracle to
 * OUT, prints "ready PID" and sleeps until killed.
 *   oracle-kill SEED OUT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

char *oracle_page(int i);
int oracle_npages(void);
uint32_t oracle_rand(uint64_t *s);
int oracle_dump_file(const char *want, const char *path);

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	uint64_t s = strtoull(argv[1], NULL, 0) * 2654435761ULL + 12345;
	for (int i = 0; i < oracle_npages(); i++) {
		uint32_t r = oracle_rand(&s);
		if (r % 2)
			oracle_page(i)[(r >> 4) % 4096] = 1;
	}
	if (oracle_dump_file("liboracle.so", argv[2]) < 0)
		return 4;
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	for (;;)
		pause();
}
