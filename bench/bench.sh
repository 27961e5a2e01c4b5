#!/bin/sh
# bench/bench.sh - traced vs untraced, measured in the same run (make bench).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
B=$(pwd -P)/$BUILD
fw=$B/bench/firstwrite
runs=${RUNS:-7}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# median of $runs runs of a command that prints one number
median() {
	i=0
	: >"$tmp/m"
	while [ $i -lt "$runs" ]; do
		"$@" >>"$tmp/m"
		i=$((i + 1))
	done
	sort -n "$tmp/m" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
traced() {
	rm -f "$tmp"/*.cwt
	env COWTRACE_DIR="$tmp" COWTRACE_QUIET=1 LD_PRELOAD="$B/libcowtrace.so" "$@"
}

echo "first write to a page of a library's .data (4000 pages, 14 calls deep; median of $runs)"
base=$(median "$fw")
bt0=$(median traced env COWTRACE_BACKTRACE=0 "$fw")
bt16=$(median traced env COWTRACE_BACKTRACE=16 "$fw")
awk -v b="$base" -v t0="$bt0" -v t16="$bt16" 'BEGIN {
	printf "  untraced                 %8.0f ns\n", b
	printf "  traced, no backtrace     %8.0f ns   ratio %.2fx  (target <= 4x)\n", t0, t0 / b
	printf "  traced, 16-frame bt      %8.0f ns   ratio %.2fx  (target <= 6x)\n", t16, t16 / b
}'

if [ -x "$B/tests/gen-log" ] && [ -x "$B/cowtrace-report" ]; then
	echo
	echo "report over many logs (see tests/gen-log for the synthetic log shape)"
	BENCH_TMP=$tmp sh bench/report-bench.sh 2>/dev/null || echo "  (report benchmark not available)"
fi
