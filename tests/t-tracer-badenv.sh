#!/bin/sh
# t-tracer-badenv.sh - (g) bad settings: COWTRACE_BACKTRACE=abc,
# COWTRACE_MODE=bogus, COWTRACE_DIR=/nonexistent, COWTRACE_DIR=/proc (not
# writable, even for root), COWTRACE_DIR=a regular file. Each: exactly one
# line on stderr, starting with "cowtrace:", stdout and exit status identical
# to the untraced run, and no log written. With LD_PRELOAD only and with
# LD_PRELOAD + LD_AUDIT (as the launcher sets them).
. tests/lib.sh
tracer_setup oracle-cow

"$PROG" 7 "$T/u.orc" >"$T/u.out" 2>"$T/u.err"
urc=$?
CHECK "untraced runs, quiet stderr (exit $urc)" [ $urc -eq 0 ] && [ ! -s "$T/u.err" ]
mkdir -p "$T/logs"
: >"$T/afile"

n=0
for case in "COWTRACE_BACKTRACE=abc" "COWTRACE_BACKTRACE=-3" "COWTRACE_MODE=bogus" \
	"COWTRACE_DIR=/nonexistent" "COWTRACE_DIR=/proc" "COWTRACE_DIR=$T/afile"; do
	for mode in preload audit; do
		n=$((n + 1))
		rm -f "$T"/logs/*
		case $case in COWTRACE_DIR=*) dir= ;; *) dir=COWTRACE_DIR=$T/logs ;; esac
		if [ $mode = preload ]; then
			(cd "$T/logs" && timeout 20 env $dir "$case" LD_PRELOAD=$LIB \
				"$PROG" 7 "$T/$n.orc" >"$T/$n.out" 2>"$T/$n.err")
		else
			(cd "$T/logs" && timeout 20 env $dir "$case" LD_PRELOAD=$LIB LD_AUDIT=$AUDIT \
				"$PROG" 7 "$T/$n.orc" >"$T/$n.out" 2>"$T/$n.err")
		fi
		rc=$?
		sed 's/^/    stderr: /' "$T/$n.err" | head -5
		CHECK "$case $mode: exit status $rc = untraced $urc" [ $rc -eq $urc ]
		CHECK "$case $mode: stdout = untraced" cmp -s "$T/u.out" "$T/$n.out"
		CHECK "$case $mode: exactly one stderr line, starting with cowtrace:" \
			[ "$(wc -l <"$T/$n.err")" = 1 ] && [ "$(grep -c '^cowtrace:' "$T/$n.err")" = 1 ]
		CHECK "$case $mode: no log written (runs untraced)" \
			[ -z "$(ls "$T/logs")" ] && [ ! -s "$T/afile" ]
	done
done
done_test
