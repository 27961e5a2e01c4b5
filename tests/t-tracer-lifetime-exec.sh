#!/bin/sh
# t-tracer-lifetime-exec.sh - exec of programs the tracer cannot enter: a
# static binary (tests/static-hello.c: no ld.so, LD_PRELOAD means nothing)
# and a setuid binary owned by another user (a copy of id(1), setuid
# nobody: AT_SECURE, ld.so drops a preload given by path).  Each run
# directly (preload, launcher) and exec'd by a traced program (tests/life.c
# exec; preload, audit, launcher): same stdout, stderr and status as
# untraced, no log of the untraceable program, and the exec'ing program's
# log alone, complete, with its liboracle pages = its pagemap oracle taken
# just before the exec (tests/logs_check.py).
. tests/lib.sh
tracer_setup life static-hello
need_report
need_python3
STATIC=$B/tests/static-hello
[ -x "$STATIC" ] || skip "no static-hello (no libc.a to link it statically)"

ID=$(command -v id)
cp "$ID" "$T/suid-id" && chown nobody "$T/suid-id" 2>/dev/null && chmod 4755 "$T/suid-id" 2>/dev/null ||
	skip "cannot make a setuid copy of id"
case $("$T/suid-id") in *euid=*) ;; *) skip "setuid bits are ignored on $T (nosuid?)" ;; esac

# run NAME MODE COMMAND...: output in $T/NAME-MODE.{out,err,rc}, logs in
# the directory $T/NAME-MODE
run() {
	n=$T/$1-$2
	m=$2
	shift 2
	mkdir -p "$n"
	case $m in
	untraced) timeout 20 "$@" >"$n.out" 2>"$n.err" ;;
	preload) timeout 20 env COWTRACE_DIR="$n" LD_PRELOAD="$LIB" "$@" >"$n.out" 2>"$n.err" ;;
	audit) timeout 20 env COWTRACE_DIR="$n" LD_PRELOAD="$LIB" LD_AUDIT="$AUDIT" "$@" >"$n.out" 2>"$n.err" ;;
	launcher) timeout 20 "$COWTRACE" run -o "$n" -- "$@" >"$n.out" 2>"$n.err" ;;
	esac
	echo $? >"$n.rc"
}

for target in static suid; do
	case $target in static) set -- "$STATIC" one two ;; suid) set -- "$T/suid-id" ;; esac
	run $target untraced "$@"
	cp "$T/$target-untraced.out" "$T/u.out"
	cp "$T/$target-untraced.err" "$T/u.err"
	echo "  $target untraced: exit $(cat "$T/$target-untraced.rc"): $(head -1 "$T/u.out")"
	for mode in preload launcher; do
		run $target-direct $mode "$@"
		d=$T/$target-direct-$mode
		same_as_untraced "$target direct $mode" "$d" "$(cat "$d.rc")" "$(cat "$T/$target-untraced.rc")"
		CHECK "$target direct $mode: no log" [ -z "$(ls "$d")" ]
	done
	run $target-exec untraced "$PROG" exec "$T/$target-exec-untraced.p" "$@"
	u=$T/$target-exec-untraced
	cp "$u.out" "$T/u.out"
	cp "$u.err" "$T/u.err"
	CHECK "$target exec'd untraced: same output as run directly" cmp -s "$u.out" "$T/$target-untraced.out"
	for mode in preload audit launcher; do
		d=$T/$target-exec-$mode
		run $target-exec $mode "$PROG" exec "$d.p" "$@"
		same_as_untraced "$target exec'd $mode" "$d" "$(cat "$d.rc")" "$(cat "$u.rc")"
		CHECK "$target exec'd $mode: one log, the exec'ing program's" \
			[ "$(ls "$d")" = "$(cd "$d" && ls cowtrace.life.*.cwt)" ]
		CHECK "$target exec'd $mode: log complete, pages = oracle" python3 tests/logs_check.py "$d" "$d.p"
	done
done
done_test
