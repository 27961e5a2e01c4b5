/* dbg-lib.c - libdbg.so for t-report-debuginfod.sh: local (static)
 * variables, which a stripped library names nowhere but in its debug file. */
static long dbg_local_counter[2048];
static long dbg_local_table[1024] = { 1 };

long dbg_touch(int i)
{
	dbg_local_counter[(i * 600) % 2048] += i;
	dbg_local_table[(i * 600) % 1024] += i;
	return dbg_local_counter[0] + dbg_local_table[0];
}
