#!/bin/sh
# t-tracer-lifetime.sh - process lifetime (tests/life.c): vfork + exec,
# vfork + _exit, posix_spawn, system(), fork + execl, an exec that fails
# (and one that fails before a SIGKILL), daemon() from a forked child,
# exit() and _exit() from a thread while two others run.  Traced with
# LD_PRELOAD and with the launcher (LD_AUDIT too), each run must give the
# untraced stdout, stderr and status; the report must read the logs, one
# process entry per log, every log complete (the SIGKILL case: incomplete);
# every process that wrote liboracle pages has exactly the pages of its own
# pagemap oracle in the report (tests/logs_check.py).  Last, a fork after
# chdir("/") with a relative COWTRACE_DIR: the child logs in the same
# directory, silently.
. tests/lib.sh
tracer_setup life
need_report
need_python3

for case in vfork-exec vfork-exit spawn system fork-exec exec-fail exec-fail-kill \
	daemon thread-exit thread-_exit; do
	# the launcher's shell adds a "Killed" line of its own
	modes="preload launcher"
	[ $case = exec-fail-kill ] && modes=preload
	for mode in untraced $modes; do
		d=$T/$case-$mode
		mkdir -p "$d"
		case $case in
		vfork-exec|spawn|system|fork-exec) set -- $case "$PROG" "$d.p" "$d.c" ;;
		daemon) set -- daemon "$d.p" "$d.c" "$d.done" ;;
		exec-fail-kill) set -- exec-fail "$d.p" kill ;;
		*) set -- $case "$d.p" ;;
		esac
		case $mode in
		untraced) timeout 40 "$PROG" "$@" >"$d.out" 2>"$d.err" ;;
		preload) timeout 40 env COWTRACE_DIR="$d" LD_PRELOAD="$LIB" "$PROG" "$@" >"$d.out" 2>"$d.err" ;;
		launcher) timeout 40 "$COWTRACE" run -o "$d" -- "$PROG" "$@" >"$d.out" 2>"$d.err" ;;
		esac
		echo $? >"$d.rc"
	done
	u=$T/$case-untraced
	cp "$u.out" "$T/u.out"
	cp "$u.err" "$T/u.err"
	echo "  $case untraced: exit $(cat "$u.rc")"
	for mode in $modes; do
		d=$T/$case-$mode
		same_as_untraced "$case $mode" "$d" "$(cat "$d.rc")" "$(cat "$u.rc")"
		set --
		for o in "$d.p" "$d.c"; do [ -f "$o" ] && set -- "$@" "$o"; done
		[ $case = exec-fail-kill ] && set -- --incomplete "$@"
		CHECK "$case $mode: logs (report, one process per log, complete, unique, = oracles)" \
			python3 tests/logs_check.py "$d" "$@"
	done
done

# a relative COWTRACE_DIR names one directory for the whole process: a
# child forked after chdir("/") logs there too (and says nothing)
"$PROG" chdir-fork "$T/cd-u.p" "$T/cd-u.c" >"$T/u.out" 2>"$T/u.err"
urc=$?
mkdir -p "$T/rel"
(cd "$T" && COWTRACE_DIR=rel LD_PRELOAD=$LIB timeout 20 "$PROG" chdir-fork "$T/rel.p" "$T/rel.c" \
	>"$T/rel.out" 2>"$T/rel.err")
same_as_untraced "chdir-fork, relative COWTRACE_DIR" "$T/rel" $? $urc
CHECK "chdir-fork: no cowtrace: line" [ ! -s "$T/rel.err" ]
CHECK "chdir-fork: logs (both in the directory, complete, = oracles)" \
	python3 tests/logs_check.py "$T/rel" "$T/rel.p" "$T/rel.c"
done_test
