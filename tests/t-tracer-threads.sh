#!/bin/sh
# t-tracer-threads.sh - (b) 16 threads released by a barrier write the same
# liboracle pages at once (4 rounds), repeated with several seeds, with
# LD_PRELOAD only and with the launcher: no hang (timeout 60), output and
# exit status as untraced, exactly one JSON page entry per (pid, library,
# vaddr), and liboracle's pages equal the pagemap oracle.
. tests/lib.sh
tracer_setup oracle-threads
need_report
need_python3

for seed in 11 12 13 14 15; do
	"$PROG" $seed "$T/u$seed.orc" >"$T/u$seed.out" 2>&1
	urc=$?
	CHECK "seed $seed untraced (exit $urc)" [ $urc -eq 0 ]
	for mode in preload launcher; do
		d=$T/$mode$seed
		mkdir -p "$d"
		if [ $mode = preload ]; then
			timeout 60 env COWTRACE_DIR=$d LD_PRELOAD=$LIB "$PROG" $seed "$d.orc" >"$d.out" 2>"$d.err"
		else
			timeout 60 "$COWTRACE" run -o "$d" -- "$PROG" $seed "$d.orc" >"$d.out" 2>"$d.err"
		fi
		rc=$?
		CHECK "seed $seed $mode: exit status $rc = untraced $urc (124 = hang)" [ $rc -eq $urc ]
		CHECK "seed $seed $mode: stdout = untraced" cmp -s "$T/u$seed.out" "$d.out"
		CHECK "seed $seed $mode: report reads the log" $ORACLE report-json "$d" "$d.json"
		CHECK "seed $seed $mode: one entry per (pid, library, vaddr)" $ORACLE unique "$d.json"
		CHECK "seed $seed $mode: liboracle pages = pagemap oracle" \
			$ORACLE check "$d.json" liboracle.so "$d.orc"
		CHECK "seed $seed $mode: tracing dirtied no extra liboracle page (oracle = untraced oracle)" \
			[ "$(grep '^0x' "$d.orc" | sort)" = "$(grep '^0x' "$T/u$seed.orc" | sort)" ]
	done
done
done_test
