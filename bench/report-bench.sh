#!/bin/sh
# bench/report-bench.sh - time cowtrace-report over 1,000,000 faults in 1,000 logs (target: 2 s).
# Run by bench/bench.sh from the repository root; BENCH_TMP (scratch
# directory) and BUILD may be set.  Prints the best of 3 runs after a warm-up.
set -eu
BUILD=${BUILD:-build}
REPORT=$BUILD/cowtrace-report
GEN=$BUILD/tests/gen-log
TARGET=2.0
[ -x "$REPORT" ] && [ -x "$GEN" ] || { echo "report-bench: build $REPORT and $GEN first" >&2; exit 1; }
LIBC=$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)
BID=$(readelf -n "$LIBC" | awk '/Build ID/ {print $3}')
own=""
if [ -z "${BENCH_TMP:-}" ]; then
	BENCH_TMP=$(mktemp -d)
	own=$BENCH_TMP
fi
trap '[ -z "$own" ] || rm -rf "$own"; rm -rf "$BENCH_TMP/report-bench"' EXIT
dir=$BENCH_TMP/report-bench
rm -rf "$dir"

# 1000 logs x 1000 distinct libc pages, each fault with 4 frames
"$GEN" --bench "$dir" 1000 1000 "$LIBC" 0x7f0000000000 "$BID" 0x1d2000 0x5ba000

"$REPORT" --top 1 "$dir" >/dev/null                     # warm the page cache
# best_ns OUT ARGS...: smallest wall time of 3 runs, in ns
best_ns() {
	out=$1
	shift
	best=""
	for i in 1 2 3; do
		t0=$(date +%s%N)
		"$REPORT" "$@" "$dir" >"$out"
		t1=$(date +%s%N)
		ns=$((t1 - t0))
		if [ -z "$best" ] || [ "$ns" -lt "$best" ]; then best=$ns; fi
	done
	echo "$best"
}
best=$(best_ns "$BENCH_TMP/report-bench.out")
json=$(best_ns /dev/null --format json)
total=$(awk '/^total/ {print $3}' "$BENCH_TMP/report-bench.out")
rm -f "$BENCH_TMP/report-bench.out"
[ "$total" = 1000000 ] || echo "  report-bench: counted $total dirty pages, not 1000000" >&2
awk -v ns="$best" -v js="$json" -v target="$TARGET" 'BEGIN {
	s = ns / 1e9
	printf "  1,000,000 faults in 1,000 logs, table  %6.2f s   ratio %.2fx of the %.0f s target\n",
	       s, s / target, target
	printf "  the same, --format json (every page)   %6.2f s\n", js / 1e9
}'
