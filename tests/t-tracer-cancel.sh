#!/bin/sh
# t-tracer-cancel.sh - a pending cancellation must not take effect inside
# the tracer's SIGSEGV handler (it reaches no cancellation point: the
# thread's write completes as untraced), and pages lent to a read() whose
# thread was cancelled in it are still counted when dirtied later
# (liboracle's pages = the pagemap oracle).  Both unwinding paths.
. tests/lib.sh
tracer_setup oracle-cancel
need_report
need_python3
for c in handler read; do
	timeout 20 "$PROG" $c "$T/u.orc" >"$T/u.out" 2>"$T/u.err"
	urc=$?
	CHECK "$c: untraced runs (exit $urc)" [ $urc -eq 0 ]
	for mode in fast slow launcher; do
		d=$T/$c-$mode
		mkdir -p "$d"
		if [ $mode = launcher ]; then
			timeout 20 "$COWTRACE" run -o "$d" -- "$PROG" $c "$d.orc" >"$d.out" 2>"$d.err"
		else
			timeout 20 env COWTRACE_DIR=$d COWTRACE_UNWIND=$mode LD_PRELOAD=$LIB \
				"$PROG" $c "$d.orc" >"$d.out" 2>"$d.err"
		fi
		same_as_untraced "$c $mode" "$d" $? $urc
		CHECK "$c $mode: report reads the log" $ORACLE report-json "$d" "$d.json"
		CHECK "$c $mode: liboracle pages = pagemap oracle" \
			$ORACLE check "$d.json" liboracle.so "$d.orc"
	done
done
done_test
