#!/bin/sh
# t-tracer-phases.sh - automatic phases: every liboracle page that
# phases-app says it wrote in a constructor (startup), in main or in a child
# forked in main (main), in an atexit handler or a destructor (teardown),
# has that phase in the report, after exit() and after main's return, with
# the signal and the scan backends, with the launcher (LD_AUDIT) and with
# LD_PRELOAD alone.  Every page of every process has one of the three phases.
. tests/lib.sh
tracer_setup phases-app
need_report
need_python3
# oracle_page(i) is oracle_data + i pages (tests/oracle-lib.c)
base=$(nm "$B/tests/liboracle.so" | awk '$3 == "oracle_data" {print $1}')
[ -n "$base" ] || skip "no oracle_data in liboracle.so"
for mode in signal scan; do
	for how in exit return preload-exit preload-return; do
		d=$T/$mode-$how
		if [ "${how#preload-}" != "$how" ]; then	# no LD_AUDIT: LD_PRELOAD alone
			mkdir -p "$d"
			timeout 30 env COWTRACE_MODE=$mode COWTRACE_DIR="$d" LD_PRELOAD="$LIB" \
				"$PROG" "${how#preload-}" >"$d.out" 2>"$d.err"
		else
			COWTRACE_MODE=$mode timeout 30 "$COWTRACE" run -o "$d" -- "$PROG" $how >"$d.out" 2>"$d.err"
		fi
		CHECK "$mode $how: exit 0" [ $? -eq 0 ]
		CHECK "$mode $how: report reads the logs" $ORACLE report-json "$d" "$d.json"
		CHECK "$mode $how: each page in the phase the program wrote it in" python3 - "$d.json" "$d.out" "$base" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
ok = True
lib = [p for p in rep["pages"] if p["library"].endswith("liboracle.so")]
bad = [p for p in rep["pages"] if p["phase"] not in ("startup", "main", "teardown")]
if bad:
    print("  %d pages without an automatic phase, e.g. %s" % (len(bad), [(b["library"], b["phase"]) for b in bad[:3]]))
    ok = False
base = int(sys.argv[3], 16)
for line in open(sys.argv[2]):
    phase, page, pid = line.split()
    want = [p for p in lib if p["pid"] == int(pid) and int(p["vaddr"], 16) == base + int(page) * 4096]
    got = want[0]["phase"] if want else None
    print("  pid %s page %s: written in %s, report %s" % (pid, page, phase, got))
    ok &= got == phase
sys.exit(0 if ok else 1)
PY
	done
done
done_test
