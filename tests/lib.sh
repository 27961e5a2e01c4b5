# tests/lib.sh - shared helpers for shell tests; source it.
# Every test runs from the repository root with BUILD set (tests/run.sh).
set -u
BUILD=${BUILD:-build}
ROOT=$(pwd -P)
B=$ROOT/$BUILD
LIB=$B/libcowtrace.so
AUDIT=$B/libcowtrace-audit.so
REPORT=$B/cowtrace-report
COWTRACE=$ROOT/scripts/cowtrace
T=$(mktemp -d "${TMPDIR:-/tmp}/cowtrace-test.XXXXXX")
trap 'rm -rf "$T"' EXIT

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
