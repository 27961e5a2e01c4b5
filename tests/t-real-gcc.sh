#!/bin/sh
# t-real-gcc.sh - (h) gcc compiling three C files (one with a warning) into
# objects, a static archive (ar) and a shared library, linking a program
# against both, running it, and failing on a file with an error: the gcc
# driver runs cc1, as, collect2 and ld as children, so the whole tree is
# traced.  Stdout (which includes md5sums of every object, archive, library
# and executable: the compiler must produce the same bytes), stderr (less
# "cowtrace:" lines) and exit status identical traced (LD_PRELOAD only;
# launcher) and untraced; the traced runs logged cc1, as and ld with dirty
# pages of their libraries (libbfd for as and ld), some at run time.
. tests/lib.sh
. tests/real_lib.sh
need_tracer
need_report
GCC=/usr/bin/gcc
[ -x "$GCC" ] || skip "no $GCC (package gcc / build-essential)"
command -v ar >/dev/null && command -v md5sum >/dev/null || skip "no ar or md5sum"

cat >"$T/script.sh" <<SEOF
set -u
export LC_ALL=C
cat >util.c <<'CEOF'
#include <string.h>
static int table[4096];
int util_sum(int n)
{
	int s = 0;
	for (int i = 0; i < n && i < 4096; i++) {
		table[i] = i * 3;
		s += table[i];
	}
	return s;
}
int unused_warning(int x) { int y; return x; }
CEOF
cat >shared.c <<'CEOF'
#include <stdio.h>
int shared_counter = 5;
const char *shared_name(void) { shared_counter++; return "libshared"; }
CEOF
cat >main.c <<'CEOF'
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
int util_sum(int n);
const char *shared_name(void);
extern int shared_counter;
static char buf[65536];
int main(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (char)(i * 7);
	printf("sum %d\n", util_sum(1000));
	printf("%s %d\n", shared_name(), shared_counter);
	printf("sqrt %.6f\n", sqrt(argc + 1.0));
	printf("buf %d\n", buf[12345]);
	return 4;
}
CEOF
echo 'int broken(void) { return undeclared_thing; }' >broken.c
$GCC -O2 -g -Wall -c util.c -o util.o
$GCC -O2 -g -Wall -fPIC -c shared.c -o shared.o
$GCC -O2 -g -Wall -c main.c -o main.o
ar rcsD libutil.a util.o
$GCC -shared -o libshared.so shared.o
$GCC -o prog main.o -L. -lutil -lshared -lm -Wl,-rpath,'\$ORIGIN'
echo "link status \$?"
md5sum util.o shared.o main.o libutil.a libshared.so prog
./prog one two
echo "prog status \$?"
$GCC -O0 -o direct main.c util.c shared.c -lm && ./direct && echo direct-ok || echo "direct status \$?"
$GCC -c broken.c -o broken.o
echo "broken status \$?"
exit 0
SEOF

real_run u u sh "$T/script.sh"
urc=$?
CHECK "untraced script exits 0 ($urc)" [ $urc -eq 0 ]
CHECK "untraced program ran" grep -q '^prog status 4$' "$T/u.out"
CHECK "untraced gcc reported the error" grep -q 'undeclared_thing' "$T/u.err"
for mode in preload launcher; do
	real_run $mode $mode sh "$T/script.sh"
	real_compare $mode $? $urc 20
	for p in cc1 as ld; do
		n=$(ls "$T/$mode" | grep -c "^cowtrace\.$p\.")
		CHECK "$mode: $p traced ($n logs)" [ "$n" -ge 1 ]
	done
	CHECK "$mode: pages of gcc, cc1, as/ld's libbfd" libs_traced "$T/$mode.json" \
		'/[^/]*gcc[^/]*$' '/cc1$' 'libbfd' '/prog$'
done
done_test
