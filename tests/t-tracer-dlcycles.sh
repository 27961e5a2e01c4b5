#!/bin/sh
# t-tracer-dlcycles.sh - 4,200 dlopen/dlclose cycles of oracle-plugin.so
# (a program that loads plugins for ever): the output, stderr and status
# equal untraced, the tracer prints nothing (no table full, no VMA budget
# spent by libraries long gone), every load is logged as a tracked module
# with no degrade note, the first unload leaves nothing behind (read() into
# its old range, mapped read-only again, fails with EFAULT as untraced),
# and the last load's pagemap oracle is in the report
# as attach/run-time pages (not found only by the exit scan).
. tests/lib.sh
tracer_setup dl-cycles oracle-plugin.so
PLUGIN=$B/tests/oracle-plugin.so
need_report
need_python3
N=4200

"$PROG" "$PLUGIN" $N "$T/u.orc" >"$T/u.out" 2>"$T/u.err"
urc=$?
CHECK "untraced runs (exit $urc)" [ $urc -eq 0 ]
for mode in preload launcher; do
	d=$T/$mode
	mkdir -p "$d"
	if [ $mode = preload ]; then
		timeout 60 env COWTRACE_DIR=$d LD_PRELOAD=$LIB "$PROG" "$PLUGIN" $N "$d.orc" >"$d.out" 2>"$d.err"
	else
		timeout 60 "$COWTRACE" run -o "$d" -- "$PROG" "$PLUGIN" $N "$d.orc" >"$d.out" 2>"$d.err"
	fi
	same_as_untraced $mode "$d" $? $urc
	head -3 "$d.err" | sed 's/^/    stderr: /'
	[ $mode = preload ] && CHECK "$mode: no cowtrace: line" [ "$(grep -c '^cowtrace:' "$d.err")" -eq 0 ]
	CHECK "$mode: $N tracked loads of the plugin, none degraded" \
		python3 "$ROOT/tests/rawlog.py" modules "$d" oracle-plugin.so $N
	CHECK "$mode: report reads the log" $ORACLE report-json "$d" "$d.json"
	CHECK "$mode: the last load's oracle pages are attach/run-time pages" python3 -c '
import sys
sys.path.insert(0, sys.argv[1])
import pagemap_oracle as po
rep = po.load_report(sys.argv[2])
pid, want = po.read_oracle(sys.argv[3])
got = po.report_pages(rep, pid, "oracle-plugin.so")
seen = {v for v, w in got.items() if w[-1] in ("attach", "runtime")}
print("  oracle %d pages, report %d attach/runtime of them" % (len(want), len(want & seen)))
sys.exit(0 if want and want <= seen else 1)' "$ROOT/tests" "$d.json" "$d.orc"
done
done_test
