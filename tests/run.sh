#!/bin/sh
# tests/run.sh - runs every test: tests/t-*.sh and $BUILD/tests/t-* programs.
# Exit codes of a test: 0 pass, 77 skip, anything else fail.
# Prints one line per test and ends with "N passed, N failed[, N skipped]".
#   tests/run.sh [PATTERN]     only tests whose name contains PATTERN
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
export BUILD
pattern=${1:-}
pass=0 fail=0 skip=0 failed=""
logdir=$BUILD/test-logs
mkdir -p "$logdir"

for t in tests/t-*.sh "$BUILD"/tests/t-*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	name=$(basename "$t" .sh)
	case $name in *"$pattern"*) ;; *) continue ;; esac
	start=$(date +%s)
	"$t" >"$logdir/$name.log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) pass=$((pass + 1)); echo "PASS $name (${secs}s)" ;;
	77) skip=$((skip + 1)); echo "SKIP $name: $(tail -n 1 "$logdir/$name.log")" ;;
	*) fail=$((fail + 1)); failed="$failed $name"; echo "FAIL $name (exit $rc)"
	   sed 's/^/    /' "$logdir/$name.log" | tail -n 25 ;;
	esac
done
[ -n "$failed" ] && echo "failed:$failed"
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
