#!/bin/sh
# t-tracer-clone.sh - (issue 3 item 4) 256 threads, pthreads or raw clone()
# threads (CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM, own stack, no TLS of
# their own), released by a futex barrier, race on first writes to the same
# libctstress pages (8 rounds), with LD_PRELOAD and with the launcher: no
# hang (timeout), output and status as untraced, exactly one JSON entry per
# (pid, library, vaddr), libctstress's pages equal the pagemap oracle.
# clone-bss: the thread ids that clone() has the kernel set and clear are in
# a page of the program's .bss that nothing wrote before (the kernel's
# stores into a protected page are lost: the program stops waiting early).
# The long version (100 runs in a row) is tests/stress/stress.sh.
. tests/lib.sh
tracer_setup oracle-race libctstress.so
need_report
need_python3

for run in pthread:1 clone:1 clone:2 clone-bss:3; do
	kind=${run%:*} seed=${run#*:}
	{
		"$PROG" $kind 256 $seed "$T/u.orc" >"$T/u.out" 2>&1
		urc=$?
		CHECK "$kind seed $seed: untraced runs (exit $urc)" [ $urc -eq 0 ]
		for mode in preload launcher; do
			d=$T/$kind$seed$mode
			mkdir -p "$d"
			if [ $mode = preload ]; then
				timeout 30 env COWTRACE_DIR=$d LD_PRELOAD=$LIB "$PROG" $kind 256 $seed "$d.orc" \
					>"$d.out" 2>"$d.err"
			else
				timeout 30 "$COWTRACE" run -o "$d" -- "$PROG" $kind 256 $seed "$d.orc" \
					>"$d.out" 2>"$d.err"
			fi
			rc=$?
			CHECK "$kind seed $seed $mode: exit status $rc = untraced $urc (124 = hang)" [ $rc -eq $urc ]
			CHECK "$kind seed $seed $mode: stdout = untraced" cmp -s "$T/u.out" "$d.out"
			CHECK "$kind seed $seed $mode: report reads the log" $ORACLE report-json "$d" "$d.json"
			CHECK "$kind seed $seed $mode: one entry per (pid, library, vaddr)" $ORACLE unique "$d.json"
			CHECK "$kind seed $seed $mode: libctstress pages = pagemap oracle" \
				$ORACLE check "$d.json" libctstress.so "$d.orc"
			CHECK "$kind seed $seed $mode: no extra dirty page (oracle = untraced oracle)" \
				[ "$(grep '^0x' "$d.orc" | sort)" = "$(grep '^0x' "$T/u.orc" | sort)" ]
		done
	}
done
done_test
