/* oracle-cow.c - writes a pseudo-random subset of liboracle's pages (seeded
 * by argv), partly through the kernel: read() from a pipe into a .bss global
 * and fread() of more than 64 KiB from a file straight into a .data global.
 * At the end it writes liboracle's pagemap oracle to OUT.
 *   oracle-cow SEED OUT [exit|return|_exit]
 * stdout depends only on SEED (compared traced vs untraced). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *oracle_page(int i);
int oracle_npages(void);
uint32_t oracle_rand(uint64_t *s);
int oracle_dump_file(const char *want, const char *path);
unsigned long oracle_sum(void);

#define PG 4096

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: oracle-cow SEED OUT [exit|return|_exit]\n");
		return 2;
	}
	uint64_t s = strtoull(argv[1], NULL, 0) * 2654435761ULL + 88172645463325252ULL;
	const char *how = argc > 3 ? argv[3] : "return";
	int n = oracle_npages();
	int bad = 0;

	/* read() from a pipe into .bss pages (3 pages, misaligned) */
	int pb = 64 + (int)(oracle_rand(&s) % 60);
	size_t plen = 3 * PG - 100;
	char *pdst = oracle_page(pb) + 100;
	int p[2];
	if (pipe(p) < 0)
		return 3;
	static char src[3 * PG];
	for (size_t i = 0; i < plen; i++)
		src[i] = (char)(oracle_rand(&s) | 1);
	if (write(p[1], src, plen) != (ssize_t)plen)
		return 3;
	close(p[1]);
	size_t got = 0;
	while (got < plen) {
		ssize_t r = read(p[0], pdst + got, plen - got);
		if (r <= 0) {
			printf("read from pipe: %zd (%s)\n", r, r < 0 ? strerror(errno) : "eof");
			bad = 1;
			break;
		}
		got += (size_t)r;
	}
	close(p[0]);
	if (!bad && memcmp(pdst, src, plen) != 0) {
		printf("pipe data differs\n");
		bad = 1;
	}
	printf("pipe: %zu bytes into bss page %d\n", got, pb - 64);

	/* fread() of 80 KiB from a file straight into .data pages */
	size_t flen = 20 * PG + 123;
	int pd = (int)(oracle_rand(&s) % 40);
	char *fdst = oracle_page(pd) + 7;
	char tmpl[] = "/tmp/oracle-cow.XXXXXX";
	int tfd = mkstemp(tmpl);
	if (tfd < 0)
		return 3;
	unlink(tmpl);
	char *fsrc = malloc(flen);
	for (size_t i = 0; i < flen; i++)
		fsrc[i] = (char)(oracle_rand(&s) | 1);
	if (write(tfd, fsrc, flen) != (ssize_t)flen)
		return 3;
	lseek(tfd, 0, SEEK_SET);
	FILE *f = fdopen(tfd, "rb");
	size_t fr = fread(fdst, 1, flen, f);
	if (fr != flen || ferror(f)) {
		printf("fread: %zu of %zu, error %d (%s)\n", fr, flen, ferror(f), strerror(errno));
		bad = 1;
	} else if (memcmp(fdst, fsrc, flen) != 0) {
		printf("fread data differs\n");
		bad = 1;
	}
	fclose(f);
	free(fsrc);
	printf("fread: %zu bytes into data page %d\n", fr, pd);

	/* plain stores (read-modify-write) on about a third of the pages */
	int stores = 0;
	for (int i = 0; i < n; i++) {
		uint32_t r = oracle_rand(&s);
		if (r % 3 == 0) {
			oracle_page(i)[(r >> 8) % PG] += 1;
			stores++;
		}
	}
	printf("stores: %d\n", stores);
	printf("sum: %lx\n", oracle_sum());
	fflush(stdout);

	if (oracle_dump_file("liboracle.so", argv[2]) < 0) {
		fprintf(stderr, "oracle-cow: oracle failed\n");
		return 4;
	}
	if (!strcmp(how, "_exit"))
		_exit(bad);
	if (!strcmp(how, "exit"))
		exit(bad);
	return bad;
}
