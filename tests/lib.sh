# tests/lib.sh - shared helpers for shell tests; source it.
# Every test runs from the repository root with BUILD set (tests/run.sh).
set -u
BUILD=${BUILD:-build}
ROOT=$(pwd -P)
case $BUILD in /*) B=$BUILD ;; *) B=$ROOT/$BUILD ;; esac
LIB=$B/libcowtrace.so
AUDIT=$B/libcowtrace-audit.so
REPORT=$B/cowtrace-report
COWTRACE=$ROOT/scripts/cowtrace
T=$(mktemp -d "${TMPDIR:-/tmp}/cowtrace-test.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT	# KEEP=1: leave $T for a look

fails=0
# CHECK "description" command...: runs the command, counts a failure
CHECK() {
	desc=$1
	shift
	if "$@"; then
		echo "ok: $desc"
	else
		echo "FAILED: $desc"
		fails=$((fails + 1))
	fi
}
# done_test: exit status for the runner
done_test() {
	[ "$fails" -eq 0 ] && exit 0
	echo "$fails check(s) failed"
	exit 1
}
skip() {
	echo "$*"
	exit 77
}

# need_tracer: ORACLE (pagemap_oracle.py), REPORT exported; skips unless the
# tracer ($LIB, $AUDIT) is built.
need_tracer() {
	ORACLE="python3 $ROOT/tests/pagemap_oracle.py"
	export REPORT
	[ -f "$LIB" ] && [ -f "$AUDIT" ] || skip "build the tracer first (make all)"
}
# tracer_setup PROG [FILE...]: PROG=$B/tests/PROG; skips unless PROG (and
# each FILE under $B/tests) is built; then need_tracer.
tracer_setup() {
	PROG=$B/tests/$1
	shift
	[ -x "$PROG" ] || skip "build $PROG first (make test-progs)"
	for f in "$@"; do
		[ -f "$B/tests/$f" ] || skip "build $PROG first (make test-progs)"
	done
	need_tracer
}
need_report() {
	[ -x "$REPORT" ] || skip "no $REPORT yet"
}
need_python3() {
	command -v python3 >/dev/null || skip "no python3"
}

# same_as_untraced MODE DIR RC URC: the traced run (status RC, DIR.out,
# DIR.err) against the untraced one (status URC, $T/u.out, $T/u.err): same
# status, same stdout, same stderr without "cowtrace:" lines; shows diffs.
same_as_untraced() {
	CHECK "$1: exit status $3 = untraced $4" [ $3 -eq $4 ]
	CHECK "$1: stdout = untraced" cmp -s "$T/u.out" "$2.out"
	cmp -s "$T/u.out" "$2.out" || diff "$T/u.out" "$2.out" | head -10
	grep -v '^cowtrace:' "$2.err" >"$2.err2"
	CHECK "$1: stderr = untraced (without cowtrace: lines)" cmp -s "$T/u.err" "$2.err2"
	cmp -s "$T/u.err" "$2.err2" || diff "$T/u.err" "$2.err2" | head -10
}

# one_process_per_log JSON DIR: the report's JSON has one process entry per
# log (*.cwt) in DIR; a command for CHECK.
one_process_per_log() {
	python3 -c '
import json, os, sys
d = json.load(open(sys.argv[1]))
n = len([f for f in os.listdir(sys.argv[2]) if f.endswith(".cwt")])
print("  %d logs, %d process entries" % (n, len(d["processes"])))
sys.exit(0 if n == len(d["processes"]) else 1)' "$1" "$2"
}

# report_setup [COMMAND...]: for the report tests (tests/report_helpers.py):
# GEN=$B/tests/gen-log; skips unless $REPORT and $GEN are built and python3
# and each COMMAND are installed.
report_setup() {
	GEN=$B/tests/gen-log
	name=$(basename "$0" .sh)
	[ -x "$REPORT" ] && [ -x "$GEN" ] || skip "$name: build $REPORT and $GEN first"
	for c in python3 "$@"; do
		command -v "$c" >/dev/null || skip "$name: no $c"
	done
}
