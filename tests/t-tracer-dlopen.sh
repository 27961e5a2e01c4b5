#!/bin/sh
# t-tracer-dlopen.sh - (e) dlopen / dlclose / dlopen of a plugin with page
# writes in each load (and the freed addresses reused by an anonymous mapping
# in between): traced output and status equal untraced, and the report lists
# the plugin's pages from both loads: union of the two pagemap oracles
# (at least every page of the latest load).
. tests/lib.sh
tracer_setup oracle-dl oracle-plugin.so
PLUGIN=$B/tests/oracle-plugin.so
need_report
need_python3

"$PROG" "$PLUGIN" "$T/u1.orc" "$T/u2.orc" >"$T/u.out" 2>&1
urc=$?
CHECK "untraced runs (exit $urc)" [ $urc -eq 0 ]
CHECK "untraced: plugin really unloaded twice" [ "$(grep -c '^unloaded: yes' "$T/u.out")" = 2 ]
for mode in preload launcher; do
	d=$T/$mode
	mkdir -p "$d"
	case $mode in
	preload) timeout 20 env COWTRACE_DIR=$d LD_PRELOAD=$LIB "$PROG" "$PLUGIN" "$d.1" "$d.2" \
			>"$d.out" 2>"$d.err" ;;
	launcher) timeout 20 "$COWTRACE" run -o "$d" -- "$PROG" "$PLUGIN" "$d.1" "$d.2" \
			>"$d.out" 2>"$d.err" ;;
	esac
	rc=$?
	CHECK "$mode: exit status $rc = untraced $urc" [ $rc -eq $urc ]
	CHECK "$mode: stdout = untraced" cmp -s "$T/u.out" "$d.out"
	cmp -s "$T/u.out" "$d.out" || diff "$T/u.out" "$d.out" | head -10
	grep -v '^cowtrace:' "$d.err" | sed 's/^/    stderr: /' | head -5
	CHECK "$mode: report reads the logs" $ORACLE report-json "$d" "$d.json"
	CHECK "$mode: page entries unique" $ORACLE unique "$d.json"
	CHECK "$mode: plugin pages = union of both loads' oracles" \
		$ORACLE check --allow-dups "$d.json" oracle-plugin.so "$d.1" "$d.2"
	CHECK "$mode: plugin pages include the latest load's oracle" python3 -c '
import sys
sys.path.insert(0, sys.argv[1])
import pagemap_oracle as po
rep = po.load_report(sys.argv[2])
pid, want = po.read_oracle(sys.argv[3])
got = set(po.report_pages(rep, pid, "oracle-plugin.so"))
sys.exit(0 if want <= got else 1)' "$ROOT/tests" "$d.json" "$d.2"
done
done_test
