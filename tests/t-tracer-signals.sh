#!/bin/sh
# t-tracer-signals.sh - (issue 3 item 2) signal semantics the application
# sees are those it set, traced as untraced (tests/oracle-signals.c): SIGSEGV
# handlers with and without SA_ONSTACK (alternate stack or not, checked with
# a local variable's address), sa_mask and SA_NODEFER while the handler runs,
# the mask after siglongjmp out of it (saved or not),
# threads that block every signal, sigsuspend/pselect/ppoll/epoll_pwait with
# full masks, a signalfd user blocking SIGSEGV, a storm of SIGUSR1 and
# SIGALRM whose handlers make first writes while the main flow does too (and
# while the tracer grows its log: hung 1 run in 20-30 before the fix; make
# stress runs it 100 times), a SIGBUS handler.  Each case, with LD_PRELOAD
# and with the launcher: no hang, stdout/stderr/status as untraced, one JSON
# entry per page, libctstress's pages = the pagemap oracle.
. tests/lib.sh
tracer_setup oracle-signals libctstress.so
need_report
need_python3

for c in onstack samask longjmp blockall waitmask signalfd storm grow sigbus; do
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
	done
done
done_test
