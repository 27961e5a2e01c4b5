#!/bin/sh
# t-tracer-teardown.sh - pages written while the process ends: dtor-app
# writes one page of libdtor.so in main, its atexit handler a second, and
# libdtor's destructor (run by _dl_fini, after the atexit handlers) a third;
# it ends by exit() or by returning from main.  In each mode (signal, scan)
# and each ending: output and status = untraced, and the report has all
# three pages as first written after attach (signal: at run time, with the
# writing function), none of them at attach; with their phases (main,
# teardown, teardown) where the report gives phases.  The page of each
# variable comes from nm.
. tests/lib.sh
tracer_setup dtor-app libdtor.so
need_report
need_python3
command -v nm >/dev/null || skip "no nm (binutils)"
NM=$(nm "$B/tests/libdtor.so")

for how in exit return; do
	"$PROG" $how >"$T/u.out" 2>"$T/u.err"
	urc=$?
	CHECK "$how: untraced exits 3 ($urc)" [ $urc -eq 3 ]
	for mode in signal scan; do
		d=$T/$how-$mode
		mkdir -p "$d"
		timeout 20 env COWTRACE_MODE=$mode COWTRACE_DIR=$d LD_PRELOAD=$LIB "$PROG" $how \
			>"$d.out" 2>"$d.err"
		same_as_untraced "$how $mode" "$d" $? $urc
		CHECK "$how $mode: report reads the log" $ORACLE report-json "$d" "$d.json"
		CHECK "$how $mode: the pages written in main, in atexit and in the destructor are reported" \
			python3 - "$d.json" $mode "$NM" <<'PYEOF'
import json, sys
rep, mode, nm = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
sym = {l.split()[2]: int(l.split()[0], 16) for l in nm.splitlines() if len(l.split()) == 3}
want = [("main_page", "dtor_main_write", "main"), ("atexit_page", "dtor_atexit_write", "teardown"),
        ("dtor_page", "dtor_fini", "teardown")]
pages = {int(p["vaddr"], 16): p for p in rep["pages"] if p["library"].endswith("/libdtor.so")}
ok = True
for var, writer, phase in want:
    p = pages.get(sym[var] & ~0xFFF)
    got = (p["when"], p["writer"], p["phase"]) if p else None
    good = p is not None and p["when"] != "attach"
    if mode == "signal":
        good = good and p["when"] == "runtime" and p["writer"] == writer
    if good and p["phase"] is not None:
        good = p["phase"] == phase
    print("  %-11s (written by %s, %s): %s%s" % (var, writer, phase, got, "" if good else "  WRONG"))
    ok = ok and good
sys.exit(0 if ok else 1)
PYEOF
	done
done
done_test
