#!/bin/sh
# bench/bench.sh - traced vs untraced, measured in the same run (make bench).
# The machine may be shared: every ratio compares runs made side by side,
# and each figure is a median of ROUNDS rounds (default 7) with the range
# of the per-round ratios, which says how noisy the run was.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
B=$(pwd -P)/$BUILD
fw=$B/bench/firstwrite
fw20k=$B/bench/firstwrite20k
rounds=${ROUNDS:-${RUNS:-7}}
starts=${STARTS:-100}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

traced() {
	rm -f "$tmp"/*.cwt
	env COWTRACE_DIR="$tmp" COWTRACE_QUIET=1 LD_PRELOAD="$B/libcowtrace.so" "$@"
}

# summary FILE COL BASECOL LABEL TARGET [UNIT]: the median of column COL of
# FILE (one round a line, in ns; shown in UNIT: ns or us) and, unless
# BASECOL is 0, the median and range of COL / BASECOL over the rounds.
# BASECOL -K: COL minus column COL-K instead of a ratio.
summary() {
	awk -v c="$2" -v bc="$3" -v label="$4" -v target="$5" -v unit="${6:-ns}" '
	function med(a, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{ v[NR] = bc < 0 ? $c - $(c + bc) : $c
	  if (bc > 0) { r[NR] = $c / $bc; lo = NR == 1 || r[NR] < lo ? r[NR] : lo; hi = r[NR] > hi ? r[NR] : hi } }
	END {
		n = NR; m = med(v, n) / (unit == "us" ? 1000 : 1)
		if (bc <= 0) { printf "  %-34s %9.0f %s\n", label, m, unit; exit }
		printf "  %-34s %9.0f %s   ratio %5.2fx  (rounds %.2f-%.2fx)%s\n", label, m, unit, med(r, n), lo, hi,
		       target == "" ? "" : "  target <= " target
	}' "$1"
}

echo "first write to a page of a library's .data (4000 pages, 14 calls deep)"
echo "  $rounds rounds; each: untraced, traced without backtrace, with a 16-frame one,"
echo "  the same with the unw_step loop (COWTRACE_UNWIND=slow, the old way), and"
echo "  without backtrace or fault samples (COWTRACE_PERF_PAGES=0)"
: >"$tmp/fw"
i=0
while [ $i -lt "$rounds" ]; do
	b=$("$fw")
	t0=$(traced env COWTRACE_BACKTRACE=0 "$fw")
	t16=$(traced env COWTRACE_BACKTRACE=16 "$fw")
	s16=$(traced env COWTRACE_BACKTRACE=16 COWTRACE_UNWIND=slow "$fw")
	n0=$(traced env COWTRACE_BACKTRACE=0 COWTRACE_PERF_PAGES=0 "$fw")
	echo "$b $t0 $t16 $s16 $n0" >>"$tmp/fw"
	i=$((i + 1))
done
echo "  CPU time of the writing thread (user + system) per first write:"
summary "$tmp/fw" 2 0 "untraced" ""
summary "$tmp/fw" 4 2 "traced, no backtrace" 4x
summary "$tmp/fw" 6 2 "traced, 16-frame backtrace" 6x
summary "$tmp/fw" 8 2 "traced, 16 frames, unw_step loop" ""
summary "$tmp/fw" 10 2 "traced, no backtrace, no samples" ""
echo "  wall time per first write:"
summary "$tmp/fw" 1 0 "untraced" ""
summary "$tmp/fw" 3 1 "traced, no backtrace" 4x
summary "$tmp/fw" 5 1 "traced, 16-frame backtrace" 6x
summary "$tmp/fw" 7 1 "traced, 16 frames, unw_step loop" ""
summary "$tmp/fw" 9 1 "traced, no backtrace, no samples" ""
echo
echo "the signal-free backends: the same first writes, $rounds rounds of untraced,"
echo "  COWTRACE_MODE=scan, perf without backtrace, perf with 16 frames"
: >"$tmp/sf"
i=0
while [ $i -lt "$rounds" ]; do
	b=$("$fw")
	sc=$(traced env COWTRACE_MODE=scan "$fw")
	p0=$(traced env COWTRACE_MODE=perf COWTRACE_BACKTRACE=0 "$fw")
	p16=$(traced env COWTRACE_MODE=perf COWTRACE_BACKTRACE=16 "$fw")
	echo "$b $sc $p0 $p16" >>"$tmp/sf"
	i=$((i + 1))
done
echo "  CPU time of the writing thread per first write:"
summary "$tmp/sf" 2 0 "untraced" ""
summary "$tmp/sf" 4 2 "scan" 1.3x
summary "$tmp/sf" 6 2 "perf, no backtrace" 1.6x
summary "$tmp/sf" 8 2 "perf, 16-frame callchain" ""
echo "  wall time per first write:"
summary "$tmp/sf" 1 0 "untraced" ""
summary "$tmp/sf" 3 1 "scan" 1.3x
summary "$tmp/sf" 5 1 "perf, no backtrace" 1.6x
summary "$tmp/sf" 7 1 "perf, 16-frame callchain" ""
rm -f "$tmp"/*.cwt
traced env COWTRACE_MODE=perf COWTRACE_BACKTRACE=0 "$fw" >/dev/null
"$B/cowtrace-report" --format json --lib libbench.so "$tmp" 2>/dev/null | python3 -c '
import json, sys
p = [x for x in json.load(sys.stdin)["pages"] if x["when"] == "runtime"]
named = sum(1 for x in p if x.get("ip"))
print("  perf: %d of %d run-time pages of libbench.so have their writer (%.1f%%)" %
      (named, len(p), 100.0 * named / max(len(p), 1)))' || echo "  (perf: no report)"
# 20,000 pages read (a fault sample each), then written (another): 40,000
# samples between two scan points, more than the default ring holds; the
# ring keeps the newest, which name every writer
for pp in 256 64; do
	rm -f "$tmp"/*.cwt
	traced env COWTRACE_MODE=perf COWTRACE_BACKTRACE=0 COWTRACE_PERF_PAGES=$pp "$fw20k" 20000 >/dev/null
	"$B/cowtrace-report" --format json --lib libbench20k.so "$tmp" 2>/dev/null | python3 -c '
import json, sys
p = [x for x in json.load(sys.stdin)["pages"] if x["when"] == "runtime"]
named = sum(1 for x in p if x.get("ip"))
lost = sum(1 for x in p if x.get("writer_lost"))
print("  perf, 20,000 pages read then written, COWTRACE_PERF_PAGES=%s: %d of %d named (%.1f%%), %d writer_lost%s" %
      (sys.argv[1], named, len(p), 100.0 * named / max(len(p), 1), lost,
       "  target >= 99%" if sys.argv[1] == "256" else ""))' "$pp" || echo "  (perf 20k: no report)"
done

echo
echo "perf mode's backtraces: the kernel's frame-pointer callchain, or a copy of the"
echo "  user stack unwound offline with libdwfl (bench/perf-unwind.c, no tracer)"
"$B/bench/perf-unwind" "$rounds"

echo
echo "an event for every thread: opened by each thread (the tracer's way) or one per"
echo "  CPU inherited by new threads (bench/perf-threads.c, no tracer); 300 threads"
echo "  one after the other, 256 first writes each; two runs"
"$B/bench/perf-threads" 300 256
"$B/bench/perf-threads" 300 256

py=/usr/bin/python3
if [ -x "$py" ]; then
	echo
	echo "start-up of $py importing ssl, json, decimal and sqlite3: $rounds rounds of"
	echo "  5 starts each way, in turn (the median start of each round)"
	: >"$tmp/py"
	i=0
	while [ $i -lt "$rounds" ]; do
		line=""
		for how in none signal scan; do
			rm -f "$tmp"/*.cwt
			t=$(python3 - "$how" "$py" "$B/libcowtrace.so" "$tmp" <<'PY'
import os, subprocess, sys, time
how, py, lib, d = sys.argv[1:5]
env = dict(os.environ)
if how != "none":
    env.update(LD_PRELOAD=lib, COWTRACE_DIR=d, COWTRACE_QUIET="1", COWTRACE_MODE=how)
ts = []
for _ in range(5):
    t = time.monotonic()
    subprocess.run([py, "-c", "import ssl, json, decimal, sqlite3"], env=env, check=True)
    ts.append(time.monotonic() - t)
print(sorted(ts)[2] * 1e9)
PY
)
			line="$line $t"
		done
		echo "$line" >>"$tmp/py"
		i=$((i + 1))
	done
	echo "  wall time per start:"
	summary "$tmp/py" 1 0 "untraced" "" us
	summary "$tmp/py" 2 1 "traced, signal" 1.25x us
	summary "$tmp/py" 3 1 "traced, scan" 1.10x us
fi

echo
echo "first writes front to back through a 20,000-page .data (libbench20k.so, 80 MiB)"
echo "  $rounds rounds; each: untraced, traced without backtrace; every page must be"
echo "  traced (each unprotected page merges with the written one before it: no"
echo "  new mapping, so the VMA budget never runs out)"
: >"$tmp/fw20k"
i=0
while [ $i -lt "$rounds" ]; do
	b=$("$fw20k" 20000)
	t0=$(traced env COWTRACE_BACKTRACE=0 "$fw20k" 20000)
	echo "$b $t0" >>"$tmp/fw20k"
	i=$((i + 1))
done
echo "  CPU time of the writing thread (user + system) per first write:"
summary "$tmp/fw20k" 2 0 "untraced" ""
summary "$tmp/fw20k" 4 2 "traced, no backtrace" 3x
echo "  wall time per first write:"
summary "$tmp/fw20k" 1 0 "untraced" ""
summary "$tmp/fw20k" 3 1 "traced, no backtrace" 3x
# the last round's log: all 20,000 pages seen being written, nothing given up
if "$B/cowtrace-report" --format json "$tmp" >"$tmp/fw20k.json" 2>"$tmp/fw20k.err"; then
	python3 - "$tmp/fw20k.json" <<'PYEOF'
import json, sys
rep = json.load(open(sys.argv[1]))
lib = [l for l in rep["libraries"] if (l["path"] or "").endswith("/libbench20k.so")]
pages = [p for p in rep["pages"] if p["library"].endswith("/libbench20k.so")]
touched = sum(1 for p in pages if p["when"] == "runtime" and p["writer"] == "bench_touch")
notes = [n["reason"] + ": " + n["text"] for n in rep["notes"]]
procs = rep["processes"]
# two entries: env, then the program it execs (one pid, two images)
whole = (len(lib) == 1 and touched == 20000 and not notes and not lib[0].get("untracked")
         and not lib[0].get("unwatched_pages") and procs
         and all(p["complete"] and not p.get("truncated") and not p.get("dropped") for p in procs))
# (the library's run-time pages are one more: its .bss, crtstuff's completed.0
# written by the destructors at exit)
print("  traced whole: %s (run-time pages %s, %d of them by bench_touch; notes %s)"
      % ("yes" if whole else "NO", lib[0]["runtime_pages"] if lib else "-", touched,
         "; ".join(notes) or "none"))
PYEOF
else
	echo "  traced whole: report failed: $(head -1 "$tmp/fw20k.err")"
fi

echo
echo "process start-up: /bin/true; 3 rounds of $starts starts each way, in turn"
echo "  (medians of each round, then the median round); traced: with the probe's"
echo "  answer cached in the log directory, as after a run's first process"
libc=$(ldd /bin/true | awk '$1 ~ /^libc\.so/ {print $3}')
bid=$(readelf -n "$(readlink -f "$libc")" | awk '/Build ID/ {print $3}')
: >"$tmp/st"
i=0
while [ $i -lt 3 ]; do
	rm -f "$tmp"/*.cwt
	"$B/bench/startup" "$starts" "$tmp/.cowtrace-probe-$bid" COWTRACE_DIR="$tmp" \
		COWTRACE_QUIET=1 LD_PRELOAD="$B/libcowtrace.so" -- /bin/true >>"$tmp/st"
	i=$((i + 1))
done
echo "  wall time, fork to end of wait:"
summary "$tmp/st" 1 0 "untraced" "" us
summary "$tmp/st" 2 1 "traced" "" us
summary "$tmp/st" 3 1 "traced, probing (no cache)" "" us
summary "$tmp/st" 2 -1 "traced - untraced" "" us
summary "$tmp/st" 3 -1 "the probe (probing - traced)" "" us
echo "  CPU time (user + system, with the children it waited for):"
summary "$tmp/st" 4 0 "untraced" "" us
summary "$tmp/st" 5 4 "traced" "" us
summary "$tmp/st" 6 4 "traced, probing (no cache)" "" us

if [ -x "$B/tests/gen-log" ] && [ -x "$B/cowtrace-report" ]; then
	echo
	echo "report over many logs (see tests/gen-log for the synthetic log shape)"
	BENCH_TMP=$tmp sh bench/report-bench.sh 2>/dev/null || echo "  (report benchmark not available)"
fi
