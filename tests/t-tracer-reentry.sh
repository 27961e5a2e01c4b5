#!/bin/sh
# t-tracer-reentry.sh - (issue 3 item 8) first writes to tracked pages from
# inside the program's own malloc, from dl_iterate_phdr callbacks (4
# threads), from a constructor run by dlopen and from ld.so binding PLT
# slots lazily in a fork child, and from the application's SIGSEGV handler
# chained by the tracer (with a signal raised there): no hang (timeout), no
# recursion into malloc, stdout/stderr/status as untraced, one JSON entry per
# page, and the pages of libctstress (and of libctplugin / liboracle where
# they are written) equal the pagemap oracle.  LD_PRELOAD and the launcher.
. tests/lib.sh
tracer_setup oracle-reentry libctstress.so libctplugin.so
need_report
need_python3

for c in malloc phdr dlopen lazy nested; do
	timeout 30 "$PROG" $c "$T/u.orc" >"$T/u.out" 2>"$T/u.err"
	urc=$?
	CHECK "$c: untraced runs (exit $urc)" [ $urc -eq 0 ]
	for mode in preload launcher; do
		d=$T/$c-$mode
		mkdir -p "$d"
		if [ $mode = preload ]; then
			timeout 30 env COWTRACE_DIR=$d LD_PRELOAD=$LIB "$PROG" $c "$d.orc" >"$d.out" 2>"$d.err"
		else
			timeout 30 "$COWTRACE" run -o "$d" -- "$PROG" $c "$d.orc" >"$d.out" 2>"$d.err"
		fi
		same_as_untraced "$c $mode" "$d" $? $urc
		CHECK "$c $mode: report reads the log" $ORACLE report-json "$d" "$d.json"
		CHECK "$c $mode: one entry per (pid, library, vaddr)" $ORACLE unique "$d.json"
		CHECK "$c $mode: libctstress pages = pagemap oracle" \
			$ORACLE check "$d.json" libctstress.so "$d.orc"
		case $c in
		dlopen) CHECK "$c $mode: libctplugin pages = pagemap oracle" \
				$ORACLE check "$d.json" libctplugin.so "$d.orc.plugin" ;;
		lazy) CHECK "$c $mode: child's liboracle pages (.got.plt bound lazily) = pagemap oracle" \
				$ORACLE check "$d.json" liboracle.so "$d.orc.lazy" ;;
		esac
	done
done
done_test
