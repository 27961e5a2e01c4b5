#!/bin/sh
# t-tracer-fork.sh - (f) fork: parent and child write different pages of
# liboracle; the child measures its own pagemap while the parent is alive
# (blocked in waitpid), the parent after the child is gone. The child's log
# is a separate file with the child's pid in its name, and the report's
# pages for each pid equal that process's oracle. "overlap": the child also
# writes two pages the parent had dirtied before fork (the child copies
# them too).
. tests/lib.sh
tracer_setup oracle-fork
need_report
need_python3

for kind in disjoint overlap; do
	"$PROG" $kind "$T/u-$kind.p" "$T/u-$kind.c" >"$T/u-$kind.out" 2>&1
	urc=$?
	CHECK "$kind untraced (exit $urc)" [ $urc -eq 0 ]
	for mode in preload launcher; do
		d=$T/$mode-$kind
		mkdir -p "$d"
		if [ $mode = preload ]; then
			timeout 20 env COWTRACE_DIR=$d LD_PRELOAD=$LIB "$PROG" $kind "$d.p" "$d.c" >"$d.out" 2>"$d.err"
		else
			timeout 20 "$COWTRACE" run -o "$d" -- "$PROG" $kind "$d.p" "$d.c" >"$d.out" 2>"$d.err"
		fi
		rc=$?
		CHECK "$kind $mode: exit status $rc = untraced $urc" [ $rc -eq $urc ]
		CHECK "$kind $mode: stdout = untraced" cmp -s "$T/u-$kind.out" "$d.out"
		ppid=$(sed -n 's/^# pid //p' "$d.p")
		cpid=$(sed -n 's/^# pid //p' "$d.c")
		CHECK "$kind $mode: parent log cowtrace.oracle-fork.$ppid.cwt" [ -f "$d/cowtrace.oracle-fork.$ppid.cwt" ]
		CHECK "$kind $mode: child log cowtrace.oracle-fork.$cpid.cwt" [ -f "$d/cowtrace.oracle-fork.$cpid.cwt" ]
		CHECK "$kind $mode: exactly two logs" [ "$(ls "$d" | grep -c '\.cwt$')" = 2 ]
		CHECK "$kind $mode: report reads the logs" $ORACLE report-json "$d" "$d.json"
		CHECK "$kind $mode: page entries unique" $ORACLE unique "$d.json"
		CHECK "$kind $mode: child's liboracle pages = child's oracle" \
			$ORACLE check "$d.json" liboracle.so "$d.c"
		CHECK "$kind $mode: parent's liboracle pages = parent's oracle" \
			$ORACLE check "$d.json" liboracle.so "$d.p"
	done
done
done_test
