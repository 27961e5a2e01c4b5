#!/bin/sh
# t-tracer-oracle.sh - (a) liboracle pages written by stores, read() from a
# pipe and fread() > 64 KiB straight into globals, several seeds, traced with
# LD_PRELOAD only and with the launcher (LD_AUDIT too). The report's pages of
# liboracle (attach + runtime + exit) must equal the program's own pagemap
# oracle exactly; stdout and exit status must equal the untraced run's.
. tests/lib.sh
tracer_setup oracle-cow
need_report
need_python3

for seed in 1 2 3 4 5 6; do
	case $seed in 1|4) how=return ;; 2|5) how=_exit ;; *) how=exit ;; esac
	"$PROG" $seed "$T/u$seed.orc" $how >"$T/u$seed.out" 2>"$T/u$seed.err"
	urc=$?
	CHECK "seed $seed untraced runs (exit $urc)" [ $urc -eq 0 ]
	for mode in preload launcher; do
		d=$T/$mode$seed
		mkdir -p "$d"
		if [ $mode = preload ]; then
			timeout 20 env COWTRACE_DIR=$d LD_PRELOAD=$LIB "$PROG" $seed "$d.orc" $how \
				>"$d.out" 2>"$d.err"
		else
			timeout 20 "$COWTRACE" run -o "$d" -- "$PROG" $seed "$d.orc" $how \
				>"$d.out" 2>"$d.err"
		fi
		rc=$?
		CHECK "seed $seed $mode ($how): exit status $rc = untraced $urc" [ $rc -eq $urc ]
		CHECK "seed $seed $mode: stdout = untraced" cmp -s "$T/u$seed.out" "$d.out"
		[ -s "$d.err" ] && sed 's/^/    stderr: /' "$d.err" | head -5
		CHECK "seed $seed $mode: one log, named cowtrace.oracle-cow.PID.cwt" \
			[ "$(ls "$d" | grep -c '^cowtrace\.oracle-cow\.[0-9]*\.cwt$')" = 1 ]
		CHECK "seed $seed $mode: report reads the log" $ORACLE report-json "$d" "$d.json"
		CHECK "seed $seed $mode: liboracle pages = pagemap oracle" \
			$ORACLE check "$d.json" liboracle.so "$d.orc"
		CHECK "seed $seed $mode: page entries unique" $ORACLE unique "$d.json"
		CHECK "seed $seed $mode: tracing dirtied no extra liboracle page (oracle = untraced oracle)" \
			[ "$(grep '^0x' "$d.orc" | sort)" = "$(grep '^0x' "$T/u$seed.orc" | sort)" ]
	done
done
done_test
