#!/bin/sh
# t-real-make.sh - (h) GNU make -j2 on a Makefile with several targets:
# pattern rules, generated files, two C programs compiled and run, a
# recursive make, then a second make -k -j2 whose one recipe fails.  Recipes
# write into files and make runs silent, so the output does not depend on
# which job finishes first.  Stdout, stderr (less "cowtrace:" lines) and exit
# status identical traced (LD_PRELOAD only; launcher) and untraced; the
# traced runs logged the make processes and dirty pages of make and cc1.
. tests/lib.sh
. tests/real_lib.sh
need_tracer
need_report
MAKE_BIN=/usr/bin/make
[ -x "$MAKE_BIN" ] || skip "no $MAKE_BIN"
[ -x /usr/bin/gcc ] || skip "no /usr/bin/gcc"

mkdir -p "$T/src"
cat >"$T/src/Makefile" <<'MEOF'
CC = /usr/bin/gcc
NUMS = 1 2 3 4 5 6 7 8
TXT = $(NUMS:%=part%.txt)
all: report.txt
	@cat report.txt
	@$(MAKE) -s -C sub
	@echo "all done"
part%.txt:
	@seq $* $* 2000 | awk '{ s += $$1 * $$1 } END { print "part $*", NR, s }' >$@
%.sum: %.txt
	@md5sum $< | cut -c1-12 >$@
sums.txt: $(TXT:.txt=.sum)
	@cat $^ >$@
gen.c:
	@printf '#include <stdio.h>\nint main(void) { long s = 0; for (long i = 0; i < 3000000; i++) s += i %% 7; printf("gen %%ld\\n", s); return 0; }\n' >$@
sq.c:
	@printf '#include <stdio.h>\n#include <math.h>\nint main(void) { double s = 0; for (int i = 1; i < 100000; i++) s += sqrt(i); printf("sq %%.3f\\n", s); return 0; }\n' >$@
gen: gen.c
	@$(CC) -O1 -o $@ $<
sq: sq.c
	@$(CC) -O1 -o $@ $< -lm
report.txt: $(TXT) sums.txt gen sq
	@(cat $(TXT); cat sums.txt; ./gen; ./sq) >$@
fail:
	@echo "about to fail" >&2; exit 3
other: report.txt
	@echo "other built"
.PHONY: all fail other
MEOF
mkdir -p "$T/src/sub"
printf 'all:\n\t@echo "sub make in $$(notdir $$(CURDIR))" MAKELEVEL=$$(MAKELEVEL)\n' >"$T/src/sub/Makefile"

cat >"$T/script.sh" <<SEOF
export LC_ALL=C
cp -r "$T/src/." .
$MAKE_BIN -s -j2 all
echo "make status \$?"
$MAKE_BIN -s -j2 all >/dev/null
$MAKE_BIN -s -k -j2 fail other
echo "make -k status \$?"
$MAKE_BIN -s -j2 nothing-here
SEOF

real_run u u sh "$T/script.sh"
urc=$?
CHECK "untraced make exits 2 ($urc)" [ $urc -eq 2 ]
CHECK "untraced make built everything" grep -q '^all done$' "$T/u.out"
for mode in preload launcher; do
	real_run $mode $mode sh "$T/script.sh"
	real_compare $mode $? $urc 20
	n=$(ls "$T/$mode" | grep -c '^cowtrace\.make\.')
	CHECK "$mode: make processes traced ($n logs)" [ "$n" -ge 4 ]
	CHECK "$mode: pages of make, cc1 and the built programs" libs_traced "$T/$mode.json" \
		'/make$' '/cc1$' '/gen$' '/sq$'
done
done_test
