#!/bin/sh
# t-tracer-crash2.sh - genuine crashes end the traced process exactly as the
# untraced one (tests/crash2.c): stack overflow without an alternate stack
# (SIGSEGV), stack overflow caught by an SA_ONSTACK handler on a sigaltstack
# that writes a tracked page and _exits(42), the same handler without
# SA_ONSTACK (the kernel cannot run it on the overflowed stack: SIGSEGV, and
# it runs for a NULL store), SIGBUS from a shared mapping
# touched beyond the end of its truncated file, the same SIGBUS caught and
# siglongjmp'd out of, a NULL store and abort().  The wait status (exit
# code, or signal and WCOREDUMP, printed by tests/waitstatus.c) and stdout
# must equal the untraced run's; with `ulimit -c unlimited` and the
# core_pattern "core" a core file must appear exactly when it does
# untraced.  The report reads each log, complete exactly when the process
# exited; the caught cases' liboracle pages = their pagemap oracle.
. tests/lib.sh
tracer_setup crash2 waitstatus
need_report
need_python3
WAIT=$B/tests/waitstatus

cores=0
if ulimit -c unlimited 2>/dev/null; then
	[ "$(cat /proc/sys/kernel/core_pattern 2>/dev/null)" = core ] &&
		[ "$(cat /proc/sys/kernel/core_uses_pid 2>/dev/null)" = 0 ] && cores=1
	[ $cores = 1 ] || echo "core_pattern is not 'core': only the WCOREDUMP bit is compared"
else
	echo "cannot raise the core limit: WCOREDUMP is 0 everywhere"
fi

# run NAME MODE ARGS...: in its own directory $T/NAME-MODE; leaves there
# status (waitstatus's line), out (stdout), core (yes/no)
run() {
	name=$1 mode=$2
	shift 2
	w=$T/$name-$mode
	mkdir -p "$w/logs"
	case $mode in
	untraced) set -- env "$@" ;;
	preload) set -- env COWTRACE_DIR="$w/logs" LD_PRELOAD="$LIB" "$@" ;;
	audit) set -- env COWTRACE_DIR="$w/logs" LD_PRELOAD="$LIB" LD_AUDIT="$AUDIT" "$@" ;;
	esac
	# a 2 MiB stack: the overflows and their cores stay small
	(cd "$w" && ulimit -s 2048 && timeout 30 "$WAIT" "$@" >"$w/all" 2>"$w/err")
	tail -n 1 "$w/all" >"$w/status"
	sed '$d' "$w/all" >"$w/out"
	if [ -f "$w/core" ]; then echo yes; else echo no; fi >"$w/core-file"
	rm -f "$w/core"
}

for case in overflow altstack altstack-unused altstack-null sigbus sigbus-handler null abort; do
	for mode in untraced preload audit; do
		w=$T/$case-$mode
		case $case in
		altstack*) run $case $mode "$PROG" $case "$w/orc" ;;
		sigbus) run $case $mode "$PROG" sigbus "$w/file" ;;
		sigbus-handler) run $case $mode "$PROG" sigbus-handler "$w/file" "$w/orc" ;;
		*) run $case $mode "$PROG" $case ;;
		esac
	done
	u=$T/$case-untraced
	echo "  $case untraced: $(cat "$u/status"), core file: $(cat "$u/core-file")"
	case $case in
	altstack|altstack-null) want="exited 42" ;;
	sigbus-handler) want="exited 0" ;;
	overflow|altstack-unused|null) want="signal 11" ;;
	sigbus) want="signal 7" ;;
	abort) want="signal 6" ;;
	esac
	CHECK "$case untraced ends as expected ($want)" grep -q "^$want" "$u/status"
	for mode in preload audit; do
		w=$T/$case-$mode
		CHECK "$case $mode: same end ($(cat "$w/status") vs $(cat "$u/status"))" cmp -s "$u/status" "$w/status"
		CHECK "$case $mode: stdout = untraced" cmp -s "$u/out" "$w/out"
		grep -v '^cowtrace:' "$w/err" | sed 's/^/    stderr: /' | head -5
		[ $cores = 1 ] && CHECK "$case $mode: core file as untraced ($(cat "$w/core-file"))" \
			cmp -s "$u/core-file" "$w/core-file"
		CHECK "$case $mode: one log" [ "$(ls "$w/logs" | grep -c '\.cwt$')" = 1 ]
		# a process killed by a signal never finishes its log
		set -- "$w/logs"
		case $want in signal*) set -- "$@" --incomplete ;; esac
		case $case in altstack|altstack-null|sigbus-handler) set -- "$@" "$w/orc" ;; esac
		CHECK "$case $mode: log read, complete only if it exited, pages = oracle" \
			python3 tests/logs_check.py "$@"
	done
done
done_test
