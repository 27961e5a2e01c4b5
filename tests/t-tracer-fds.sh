#!/bin/sh
# t-tracer-fds.sh - the tracer keeps no descriptor the program can see or
# break.  tests/fds.c lists /proc/self/fd and probes 0..1023 with fcntl
# (type and close-on-exec of each), prints the numbers open() hands out,
# then close_range(3, ~0), a close() loop over 3..1023, dup2 over 0 and
# close(0); its stdout must equal the untraced run's exactly.  After each
# step it writes new liboracle pages (stores, read() from a pipe into a
# global, a forked child), and 400 cowtrace_phase() calls while fd 0 is
# closed make the log grow: every page of both processes must be in the
# report (= their pagemap oracles), and both logs complete.  Preload only
# and preload + audit (the launcher).
. tests/lib.sh
tracer_setup fds
need_report
need_python3

"$PROG" "$T/u.orc" "$T/u.c" 400 >"$T/u.out" 2>"$T/u.err"
urc=$?
CHECK "untraced runs (exit $urc)" [ $urc -eq 0 ]
for mode in preload launcher; do
	d=$T/$mode
	mkdir -p "$d"
	if [ $mode = preload ]; then
		timeout 20 env COWTRACE_DIR=$d LD_PRELOAD=$LIB "$PROG" "$d.orc" "$d.c" 400 >"$d.out" 2>"$d.err"
	else
		timeout 20 "$COWTRACE" run -o "$d" -- "$PROG" "$d.orc" "$d.c" 400 >"$d.out" 2>"$d.err"
	fi
	rc=$?
	same_as_untraced $mode "$d" $rc $urc
	CHECK "$mode: two logs (parent, child)" [ "$(ls "$d" | grep -c '\.cwt$')" = 2 ]
	CHECK "$mode: the log grew past its first 64 KiB" \
		[ "$(find "$d" -name "cowtrace.fds.*.cwt" -size +64k | wc -l)" -ge 1 ]
	CHECK "$mode: report reads the logs" $ORACLE report-json "$d" "$d.json"
	CHECK "$mode: one process per log" one_process_per_log "$d.json" "$d"
	CHECK "$mode: every log complete" python3 -c '
import json, sys
sys.exit(0 if all(p["complete"] for p in json.load(open(sys.argv[1]))["processes"]) else 1)' "$d.json"
	CHECK "$mode: parent's liboracle pages = its oracle" $ORACLE check "$d.json" liboracle.so "$d.orc"
	CHECK "$mode: child's liboracle pages = its oracle" $ORACLE check "$d.json" liboracle.so "$d.c"
done
done_test
