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
# The demo is compared twice: with the debug files the machine has
# (libc6-dbg names ld.so's writers) and without any (demo-nodebug.txt:
# LIBRARY+0xOFF labels, the offsets of libc's and ld.so's code normalised).
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

# the report without any debug file (no /usr/lib/debug, no debuginfod): what
# a machine without libc6-dbg shows.  Labels of system libraries' code are
# offsets, which change with their build: normalised.
cat >"$T/report-nodebug" <<EOF
#!/bin/sh
exec env -u DEBUGINFOD_URLS "$REPORT" --debug-dir "$T/no-debug-files" "\$@"
EOF
chmod +x "$T/report-nodebug"

# compare NAME REPORT KEEP_DIR LINES RUN: the golden form against (or into)
# tests/golden/NAME.txt
compare() {
	name=$1
	python3 - "$2" "$5" "$3" "$4" <<'PYEOF' |
import sys
sys.path.insert(0, "tests")
from report_helpers import golden_text
sys.stdout.write(golden_text(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"))
PYEOF
		sed -E 's/((ld-linux-x86-64\.so\.2|libc\.so\.6)\+)0x[0-9a-f]+/\10x?/g' >"$T/$name.txt"
	if [ -n "$update" ]; then
		cp "$T/$name.txt" "tests/golden/$name.txt" && echo "updated tests/golden/$name.txt"
		return
	fi
	CHECK "$name: report = tests/golden/$name.txt" cmp -s "tests/golden/$name.txt" "$T/$name.txt"
	diff -u "tests/golden/$name.txt" "$T/$name.txt" | head -40
}

# golden NAME KEEP_DIR LINES [nodebug] COMMAND...: trace COMMAND, compare
# its report (with nodebug, also without debug files: NAME-nodebug.txt)
golden() {
	name=$1 keep=$2 lines=$3
	shift 3
	nodebug=""
	[ "$1" = nodebug ] && { nodebug=1; shift; }
	"$COWTRACE" run -o "$T/$name" -- "$@" >"$T/$name.out" 2>&1 ||
		{ CHECK "$name: traced run" false; cat "$T/$name.out"; return; }
	compare "$name" "$REPORT" "$keep" "$lines" "$T/$name"
	[ -z "$nodebug" ] || compare "$name-nodebug" "$T/report-nodebug" "$keep" "$lines" "$T/$name"
}

# lines only where debug info does not depend on CFLAGS (tests.mk adds -g)
golden demo "$B/examples" 0 nodebug "$B/examples/demo" 3
golden phase-app "$B/tests" 1 "$PROG"
done_test
