#!/bin/sh
# t-tracer-backtrace.sh - the frames logged for a first write are the
# program's real call chain: bt-oracle walks its own frame pointers before
# each write (nested calls, deeper than the limit, in a signal handler,
# in a new thread, read() into the page) and the log's raw frames must
# equal them; with libunwind's fast trace path (default) and with the
# unw_step loop (COWTRACE_UNWIND_SLOW=1), at two backtrace limits.
. tests/lib.sh
tracer_setup bt-oracle
need_python3
[ "$(uname -m)" = x86_64 ] || skip "bt-oracle is x86_64 only"

"$PROG" >"$T/u.out" 2>&1
CHECK "untraced run works" [ $? -eq 0 ]
for slow in 0 1; do
	for max in 16 128; do
		d=$T/s$slow-$max
		mkdir -p "$d"
		env COWTRACE_DIR="$d" COWTRACE_BACKTRACE=$max COWTRACE_UNWIND_SLOW=$slow \
			LD_PRELOAD="$LIB" "$PROG" >"$d.out" 2>"$d.err"
		CHECK "slow=$slow max=$max: exit 0" [ $? -eq 0 ]
		CHECK "slow=$slow max=$max: frames = the program's own chain" \
			python3 tests/bt_check.py "$d" "$d.out" "$max"
	done
done
done_test
