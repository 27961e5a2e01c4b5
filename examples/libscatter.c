/* libscatter.c - the example for `cowtrace advise` (make advise-demo): 64
 * counters that a program writes, each defined next to a 4 KiB table that
 * it only reads, so the counters sit on 64 different pages of .data and
 * every process copies all 64.  Built with -fdata-sections, each variable
 * has a section of its own, and a linker given the order advise writes
 * packs the counters onto one page. */
#define TABLE(i) \
	long scatter_counter_##i = i; \
	long scatter_table_##i[512] = { i };
#define T8(a) TABLE(a##0) TABLE(a##1) TABLE(a##2) TABLE(a##3) \
	TABLE(a##4) TABLE(a##5) TABLE(a##6) TABLE(a##7)
T8(1) T8(2) T8(3) T8(4) T8(5) T8(6) T8(7) T8(8)

#define REF(i) { &scatter_counter_##i, scatter_table_##i },
#define R8(a) REF(a##0) REF(a##1) REF(a##2) REF(a##3) REF(a##4) REF(a##5) REF(a##6) REF(a##7)
static const struct { long *counter, *table; } vars[64] = {
	R8(1) R8(2) R8(3) R8(4) R8(5) R8(6) R8(7) R8(8)
};

/* one request: every counter goes up; the tables are only read */
long scatter_request(int n)
{
	long sum = 0;
	for (int i = 0; i < 64; i++) {
		*vars[i].counter += n;
		sum += vars[i].table[n & 511];
	}
	return sum;
}
