#!/bin/sh
# t-report-golden.sh - the report of real traced runs against expected
# output kept in tests/golden/: the bundled example (examples/demo 3, as
# `make demo` runs it) and phase-app (copy relocation, phases, writer
# lines).  The compared form (golden_text in tests/report_helpers.py) keeps
# what ASLR, pids, times and the libc build do not change: per-library
# counts and sections, each page's section, when, attach cause, relocation
# count, symbol, writer, via, phase (and line), and the --by section /
# symbol / writer / phase groups, for the subject's own libraries only.
#
# Regenerate after an intended change, then review the diff:
#   tests/t-report-golden.sh --update      (or GOLDEN_UPDATE=1 tests/run.sh golden)
. tests/lib.sh
tracer_setup phase-app libphase.so
need_report
need_python3
[ "$(uname -m)" = x86_64 ] || exit 77
[ -x "$B/examples/demo" ] || skip "t-report-golden: build the examples first (make all)"
update=${GOLDEN_UPDATE:-}
[ "${1:-}" = --update ] && update=1

# golden NAME KEEP_DIR LINES COMMAND...: trace COMMAND, compare (or update)
golden() {
	name=$1 keep=$2 lines=$3
	shift 3
	"$COWTRACE" run -o "$T/$name" -- "$@" >"$T/$name.out" 2>&1 ||
		{ CHECK "$name: traced run" false; cat "$T/$name.out"; return; }
	python3 - "$REPORT" "$T/$name" "$keep" "$lines" >"$T/$name.txt" <<'PYEOF'
import sys
sys.path.insert(0, "tests")
from report_helpers import golden_text
sys.stdout.write(golden_text(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"))
PYEOF
	if [ -n "$update" ]; then
		cp "$T/$name.txt" "tests/golden/$name.txt" && echo "updated tests/golden/$name.txt"
		return
	fi
	CHECK "$name: report = tests/golden/$name.txt" cmp -s "tests/golden/$name.txt" "$T/$name.txt"
	diff -u "tests/golden/$name.txt" "$T/$name.txt" | head -40
}

# lines only where debug info does not depend on CFLAGS (tests.mk adds -g)
golden demo "$B/examples" 0 "$B/examples/demo" 3
golden phase-app "$B/tests" 1 "$PROG"
done_test
