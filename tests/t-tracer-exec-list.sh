#!/bin/sh
# t-tracer-exec-list.sh - execl, execlp and execle are wrapped (the log of
# the image they end is finished first) and rebuild their argument vector
# and, for execle, the environment given after the NULL: the program run
# must get exactly what it gets untraced.
. tests/lib.sh
tracer_setup exec-list
for how in l lp le; do
	FOO=outer "$PROG" $how >"$T/u.out" 2>"$T/u.err"
	urc=$?
	for mode in preload launcher; do
		d=$T/$how-$mode
		mkdir -p "$d"
		if [ $mode = preload ]; then
			FOO=outer COWTRACE_DIR=$d LD_PRELOAD=$LIB "$PROG" $how >"$d.out" 2>"$d.err"
		else
			FOO=outer "$COWTRACE" run -o "$d" -- "$PROG" $how >"$d.out" 2>"$d.err"
		fi
		same_as_untraced "exec$how $mode" "$d" $? $urc
	done
done
CHECK "execle ran env with the given environment" grep -qx 'FOO=bar' "$T/u.out"
done_test
