#!/bin/sh
# tests/suites/run.sh - `make suites`: the long runs of established projects'
# own test suites, untraced and traced, per-test results compared (see
# docs/test-suites.md).  Results under $BUILD/suites/{cpython,glib}/.
# Exit status 0 when neither suite has a difference.
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
rc=0
for s in cpython glib glib-scan; do
	echo "== $s"
	case $s in
	# the scan backend sends no signal: no known difference is allowed
	glib-scan) COWTRACE_MODE=scan tests/suites/glib.sh -o "$BUILD/suites/$s" -k /dev/null ;;
	*) tests/suites/$s.sh -o "$BUILD/suites/$s" ;;
	esac
	r=$?
	case $r in
	0) echo "$s: same results traced and untraced" ;;
	77) echo "$s: not installed, not run" ;;
	*) echo "$s: DIFFERENCES (see $BUILD/suites/$s)"; rc=1 ;;
	esac
done
exit $rc
