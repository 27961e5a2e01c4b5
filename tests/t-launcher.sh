#!/bin/sh
# The launcher: exit status and death signal of the command, logs of the
# whole tree in one directory (also from a child that changed directory),
# an LD_PRELOAD the user had is kept, and `make install` gives a working
# copy that finds its library relative to itself.
. tests/lib.sh

"$COWTRACE" run -o "$T/a" -- sh -c 'exit 7' 2>/dev/null
CHECK "exit status passed through" [ $? -eq 7 ]

sh -c "'$COWTRACE' run -o '$T/b' -- sh -c 'kill -TERM \$\$'" 2>/dev/null
CHECK "death by SIGTERM passed through (status $?)" [ $? -eq 143 ]

# the launcher's stderr has nothing but its own line when the command dies
# by a signal (the launcher's sh would report "Segmentation fault")
(exec "$COWTRACE" run -o "$T/s" -- sh -c 'kill -SEGV $$' 2>"$T/s.err") 2>/dev/null
CHECK "death by SIGSEGV passed through (status $?)" [ $? -eq 139 ]
CHECK "nothing on stderr but the cowtrace: line" [ "$(grep -vc '^cowtrace:' "$T/s.err")" = 0 ]
cat "$T/s.err"

"$COWTRACE" run -o "$T/c" -- sh -c 'cd / && /bin/true && cd /tmp && ls >/dev/null' 2>"$T/c.err"
n=$(ls "$T/c" | grep -c '\.cwt$')
CHECK "children that cd still log into the run dir ($n logs)" [ "$n" -ge 3 ]
CHECK "launcher prints where the logs are" grep -q "cowtrace report $T/c" "$T/c.err"

# an existing preload stays, after ours
cat >"$T/pre.c" <<'C'
#include <stdio.h>
__attribute__((constructor)) static void hello(void) { fputs("user-preload\n", stderr); }
C
cc -shared -fPIC -o "$T/pre.so" "$T/pre.c"
out=$(LD_PRELOAD=$T/pre.so "$COWTRACE" run -o "$T/d" -- /bin/true 2>&1)
CHECK "the user's LD_PRELOAD is kept" sh -c "echo '$out' | grep -q user-preload"

out=$("$COWTRACE" run 2>&1)
CHECK "no command: clear error ($out)" sh -c "echo '$out' | grep -q '^cowtrace: run: no command'"

make -s install PREFIX=/opt/ct DESTDIR="$T/inst" >/dev/null 2>&1
CHECK "make install succeeds" [ -x "$T/inst/opt/ct/bin/cowtrace" ]
"$T/inst/opt/ct/bin/cowtrace" run -o "$T/e" -- "$B/examples/demo" 1 >/dev/null 2>&1
CHECK "installed launcher traces" [ "$(ls "$T/e" | grep -c '\.cwt$')" -eq 2 ]
"$T/inst/opt/ct/bin/cowtrace" report "$T/e" >"$T/e.txt" 2>&1
CHECK "installed report reads the run" grep -q "libcounter.so" "$T/e.txt"
CHECK "headers installed" [ -f "$T/inst/opt/ct/include/cowtrace.h" ]
for m in cowtrace cowtrace-report; do
	f=$T/inst/opt/ct/share/man/man1/$m.1
	CHECK "man page $m(1) installed" [ -f "$f" ]
	if command -v man >/dev/null; then
		CHECK "man page $m(1) renders without warnings" \
			sh -c "[ -f '$f' ] && [ -z \"\$(man --warnings -l '$f' 2>&1 >/dev/null)\" ] &&
			       man -l '$f' 2>/dev/null | grep -q 'COWTRACE_MODE\|--phase'"
	fi
done
for m in cowtrace cowtrace-report; do
	CHECK "installed $m(1) carries the VERSION file's version" \
		grep -q "^\.TH .*\"cowtrace $(cat VERSION)\"" "$T/inst/opt/ct/share/man/man1/$m.1"
done
CHECK "installed cowtrace --version prints the VERSION file's" \
	[ "$("$T/inst/opt/ct/bin/cowtrace" --version)" = "cowtrace $(cat VERSION)" ]
CHECK "cowtrace --help lists advise and no 'when the report tool has it'" \
	sh -c "'$COWTRACE' --help | grep -q '^       cowtrace advise' && ! '$COWTRACE' --help | grep -q 'when the report'"
done_test
