#!/bin/sh
# t-tracer-backtrace.sh - the frames logged for a first write are the
# program's real call chain: bt-oracle walks its own frame pointers before
# each write (nested calls, deeper than the limit, in a signal handler,
# in a new thread, read() into the page, in a library loaded where a
# dlclosed one was, with another unwind rule) and the log's raw frames must
# equal them; with libunwind's fast trace path (default) and with the
# unw_step loop (COWTRACE_UNWIND=slow), at two backtrace limits, and
# through the launcher.
. tests/lib.sh
tracer_setup bt-oracle bt-big.so bt-small.so
need_python3
[ "$(uname -m)" = x86_64 ] || skip "bt-oracle is x86_64 only"

"$PROG" >"$T/u.out" 2>&1
CHECK "untraced run works" [ $? -eq 0 ]
for how in fast slow; do
	for max in 16 128; do
		d=$T/$how-$max
		mkdir -p "$d"
		env COWTRACE_DIR="$d" COWTRACE_BACKTRACE=$max COWTRACE_UNWIND=$how \
			LD_PRELOAD="$LIB" "$PROG" >"$d.out" 2>"$d.err"
		CHECK "$how max=$max: exit 0" [ $? -eq 0 ]
		CHECK "$how max=$max: nothing on stderr" [ ! -s "$d.err" ]
		CHECK "$how max=$max: frames = the program's own chain" \
			python3 tests/bt_check.py "$d" "$d.out" "$max"
	done
done
# through the launcher (LD_AUDIT: libunwind is set up before libc starts)
"$COWTRACE" run -o "$T/launcher" -- "$PROG" >"$T/launcher.out" 2>/dev/null
CHECK "launcher: exit 0" [ $? -eq 0 ]
CHECK "launcher: frames = the program's own chain" \
	python3 tests/bt_check.py "$T/launcher" "$T/launcher.out" 16
done_test
