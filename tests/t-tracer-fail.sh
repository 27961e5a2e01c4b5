#!/bin/sh
# t-tracer-fail.sh - the tracer cannot work; the program must not notice.
#  - a full disk: COWTRACE_DIR on a 80 KiB tmpfs; tests/fill.c writes pages,
#    then 1000 cowtrace_phase() records (the log cannot grow past 64 KiB),
#    then more pages.  Same stdout and status as untraced, one `cowtrace:`
#    line, and the log written so far is readable: marked complete, and its
#    liboracle pages lie between the pagemap oracle taken before the fill
#    and the one at the end.
#  - a disk full from the start: one line, no log left behind.
#  - no /proc (an empty tmpfs over it in a new mount namespace): one line,
#    no log.
#  - seccomp makes mprotect fail with EPERM except for ld.so
#    (tests/seccomp-run.c): one line, same stdout and status.
#  - the program itself installs such a filter with prctl after start
#    (tests/sandbox.c): one line, it survives its later writes, and its
#    log is complete with every liboracle page (those after the filter as
#    found at exit) = its pagemap oracle; a filter that allows mprotect
#    changes nothing.
# Each with LD_PRELOAD alone and with LD_AUDIT too.  Needs root for mount
# and unshare; those parts skip alone when not allowed.
. tests/lib.sh
tracer_setup fill seccomp-run sandbox
need_report
need_python3

"$PROG" "$T/u.e" "$T/u.f" 1000 >"$T/u.out" 2>"$T/u.err"
urc=$?
CHECK "untraced runs (exit $urc)" [ $urc -eq 0 ]

# traced MODE NAME [PREFIX...]: runs fill traced (COWTRACE_DIR=$dir) through
# PREFIX (a launcher), output in $T/NAME.*, status in rc
traced() {
	tmode=$1 tname=$2
	shift 2
	if [ $tmode = preload ]; then
		timeout 30 "$@" env COWTRACE_DIR="$dir" LD_PRELOAD="$LIB" \
			"$PROG" "$T/$tname.e" "$T/$tname.f" 1000 >"$T/$tname.out" 2>"$T/$tname.err"
	else
		timeout 30 "$@" env COWTRACE_DIR="$dir" LD_PRELOAD="$LIB" LD_AUDIT="$AUDIT" \
			"$PROG" "$T/$tname.e" "$T/$tname.f" 1000 >"$T/$tname.out" 2>"$T/$tname.err"
	fi
	rc=$?
	sed 's/^/    stderr: /' "$T/$tname.err" | head -5
}
one_line() {
	[ "$(wc -l <"$1")" = 1 ] && [ "$(grep -c '^cowtrace:' "$1")" = 1 ]
}

dir=$T/small
mkdir -p "$dir"
if mount -t tmpfs -o size=80k cowtrace-test "$dir" 2>/dev/null; then
	trap 'umount "$T/small" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
	for mode in preload audit; do
		n=full-$mode
		rm -f "$dir"/*
		traced $mode $n
		CHECK "$n: exit status $rc = untraced $urc" [ $rc -eq $urc ]
		CHECK "$n: stdout = untraced" cmp -s "$T/u.out" "$T/$n.out"
		CHECK "$n: one cowtrace: line on stderr" one_line "$T/$n.err"
		cp "$dir"/*.cwt "$T/" 2>/dev/null
		CHECK "$n: one log; the report reads it" \
			[ "$(ls "$dir" | grep -c '\.cwt$')" = 1 ] && $ORACLE report-json "$dir" "$T/$n.json"
		CHECK "$n: log marked complete and truncated" python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["processes"]
print("  ", [(x["complete"], x["truncated"], x["dropped"]) for x in p])
sys.exit(0 if len(p) == 1 and p[0]["complete"] and (p[0]["truncated"] or p[0]["dropped"]) else 1)' "$T/$n.json"
		CHECK "$n: early oracle <= report's liboracle pages <= final oracle" python3 -c '
import json, sys
sys.path.insert(0, sys.argv[4])
import pagemap_oracle as po
rep = po.load_report(sys.argv[1])
pid, early = po.read_oracle(sys.argv[2])
_, final = po.read_oracle(sys.argv[3])
got = set(po.report_pages(rep, pid, "liboracle.so"))
print("  early %d, report %d, final %d" % (len(early), len(got), len(final)))
sys.exit(0 if early <= got <= final and early < final else 1)' "$T/$n.json" "$T/$n.e" "$T/$n.f" "$ROOT/tests"
	done
	rm -f "$dir"/*
	dd if=/dev/zero of="$dir/filler" bs=4k 2>/dev/null
	for mode in preload audit; do
		n=nospace-$mode
		traced $mode $n
		CHECK "$n: exit status $rc = untraced $urc" [ $rc -eq $urc ]
		CHECK "$n: stdout = untraced" cmp -s "$T/u.out" "$T/$n.out"
		CHECK "$n: one cowtrace: line on stderr" one_line "$T/$n.err"
		CHECK "$n: no log left behind" [ -z "$(ls "$dir" | grep '\.cwt$')" ]
	done
	umount "$dir"
else
	echo "skipped the full disk: cannot mount a tmpfs"
fi

# no /proc: $ORIGIN needs /proc/self/exe, so the library path is given
dir=$T/noproc
mkdir -p "$dir"
if unshare -m sh -c 'mount -t tmpfs none /proc' 2>/dev/null; then
	LD_LIBRARY_PATH=$B/tests unshare -m sh -c 'mount -t tmpfs none /proc && exec "$@"' sh \
		"$PROG" - - 10 >"$T/np-u.out" 2>"$T/np-u.err"
	nurc=$?
	CHECK "no /proc untraced runs (exit $nurc)" [ $nurc -eq 0 ]
	for mode in preload audit; do
		n=noproc-$mode
		if [ $mode = preload ]; then set --; else set -- LD_AUDIT="$AUDIT"; fi
		LD_LIBRARY_PATH=$B/tests unshare -m sh -c 'mount -t tmpfs none /proc && exec "$@"' sh \
			env COWTRACE_DIR="$dir" LD_PRELOAD="$LIB" "$@" "$PROG" - - 10 >"$T/$n.out" 2>"$T/$n.err"
		rc=$?
		sed 's/^/    stderr: /' "$T/$n.err" | head -5
		CHECK "$n: exit status $rc = untraced $nurc" [ $rc -eq $nurc ]
		CHECK "$n: stdout = untraced" cmp -s "$T/np-u.out" "$T/$n.out"
		CHECK "$n: one cowtrace: line on stderr" one_line "$T/$n.err"
		CHECK "$n: no log (runs untraced)" [ -z "$(ls "$dir")" ]
	done
else
	echo "skipped the missing /proc: no mount namespace"
fi

SECRUN=$B/tests/seccomp-run
dir=$T/seccomp
mkdir -p "$dir"
if "$SECRUN" true 2>/dev/null; then
	"$SECRUN" "$PROG" "$T/sc-u.e" "$T/sc-u.f" 1000 >"$T/sc-u.out" 2>"$T/sc-u.err"
	surc=$?
	CHECK "seccomp untraced runs (exit $surc)" [ $surc -eq 0 ]
	CHECK "seccomp untraced: same stdout as without seccomp" cmp -s "$T/u.out" "$T/sc-u.out"
	for mode in preload audit; do
		n=seccomp-$mode
		traced $mode $n "$SECRUN"
		CHECK "$n: exit status $rc = untraced $surc" [ $rc -eq $surc ]
		CHECK "$n: stdout = untraced" cmp -s "$T/sc-u.out" "$T/$n.out"
		CHECK "$n: one cowtrace: line on stderr" one_line "$T/$n.err"
		CHECK "$n: ... saying that mprotect is not permitted" grep -q "mprotect is not permitted" "$T/$n.err"
	done
else
	echo "skipped seccomp: cannot install a filter with a listener"
fi

# the program sandboxes itself after start (tests/sandbox.c), with prctl
# or with syscall(SYS_seccomp) as libseccomp does; robust and vmread kill
# the process on a system call the tracer's backtraces make (backtraces
# stop, silently: a note in the log)
SANDBOX=$B/tests/sandbox
for kind in mprotect other mprotect-syscall robust vmread perf; do
	how=${kind#*-}
	[ "$how" = "$kind" ] && how=prctl
	"$SANDBOX" ${kind%-*} "$T/sb-u-$kind.orc" $how >"$T/u.out" 2>"$T/u.err"
	surc=$?
	CHECK "sandbox $kind untraced runs (exit $surc)" [ $surc -eq 0 ]
	for mode in preload audit; do
		n=$T/sandbox-$kind-$mode
		mkdir -p "$n"
		if [ $mode = preload ]; then set --; else set -- LD_AUDIT="$AUDIT"; fi
		timeout 20 env COWTRACE_DIR="$n" LD_PRELOAD="$LIB" "$@" "$SANDBOX" ${kind%-*} "$n.orc" \
			$how >"$n.out" 2>"$n.err"
		rc=$?
		sed 's/^/    stderr: /' "$n.err" | head -5
		same_as_untraced "sandbox $kind $mode" "$n" $rc $surc
		if [ $kind = mprotect ] || [ $kind = mprotect-syscall ]; then
			CHECK "sandbox $kind $mode: one cowtrace: line on stderr" one_line "$n.err"
		else
			CHECK "sandbox $kind $mode: nothing on stderr" [ ! -s "$n.err" ]
		fi
		CHECK "sandbox $kind $mode: log complete, liboracle pages = oracle" \
			python3 tests/logs_check.py "$n" "$n.orc"
	done
done
# in perf mode a new thread opens a sampling event and a fork child a
# userfaultfd: a filter that kills for either is found first (probed in a
# copy of the process), and the program lives on
for kind in perf uffd; do
	"$SANDBOX" $kind "$T/sb-u-$kind.orc" >"$T/u.out" 2>"$T/u.err"
	surc=$?
	n=$T/sandbox-$kind-perfmode
	mkdir -p "$n"
	timeout 20 env COWTRACE_MODE=perf COWTRACE_DIR="$n" LD_PRELOAD="$LIB" "$SANDBOX" $kind "$n.orc" \
		>"$n.out" 2>"$n.err"
	rc=$?
	sed 's/^/    stderr: /' "$n.err" | head -5
	same_as_untraced "sandbox $kind perf mode" "$n" $rc $surc
	CHECK "sandbox $kind perf mode: thread ran and child exited" \
		grep -qx "child: exited" "$n.out"
	CHECK "sandbox $kind perf mode: log complete, liboracle pages = oracle" \
		python3 tests/logs_check.py "$n" "$n.orc"
done
done_test
