#!/bin/sh
# t-tracer-scanms.sh - COWTRACE_SCAN_MS: the tracer's own scan thread, only
# when asked for.  vma-app reads 20,000 pages of libvmabig.so, then writes
# them in batches of 1,000 with 20 ms pauses, then reads 20,000 other pages:
# in perf mode with a 128-page ring (about 13,000 samples: 6 batches) the samples of the
# writes are overwritten long before exit, so without the thread almost no
# page has its writer (this shows the check can fail); with a scan every
# 10 ms every page has one.  Either way the pages = the program's own
# pagemap oracle and stdout = untraced.  In scan mode the thread narrows
# the time windows (JSON since_ns: the scan before the one that found the
# page; many windows over the batches instead of the one that ends at
# exit).  The thread exists only when asked for, and a
# bad value is one cowtrace: line naming it.
. tests/lib.sh
tracer_setup vma-app libvmabig.so
need_report
need_python3

"$PROG" "$T/u.orc" 1 20001 20 >"$T/u.out" 2>"$T/u.err"
urc=$?
CHECK "untraced runs (exit $urc)" [ $urc -eq 0 ]

named() {       # named JSON MIN MAX: percent of run-time pages with a writer
	python3 - "$@" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
p = [x for x in rep["pages"] if x["library"].endswith("/libvmabig.so") and x["when"] == "runtime"]
n = sum(1 for x in p if x["ip"])
pct = 100.0 * n / max(len(p), 1)
print("  %d of %d run-time pages named (%.1f%%), %d writer_lost" %
      (n, len(p), pct, sum(1 for x in p if x["writer_lost"])))
sys.exit(0 if len(p) >= 20000 and float(sys.argv[2]) <= pct <= float(sys.argv[3]) else 1)
PY
}

spread() {      # spread JSON MIN MAX: distinct windows of the written pages
	python3 - "$@" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
p = [x for x in rep["pages"] if x["library"].endswith("/libvmabig.so") and x["when"] == "runtime"]
w = {x["since_ns"] for x in p}
ok = all(x["since_ns"] is not None and x["since_ns"] < x["t_ns"] for x in p)
print("  %d distinct windows (each page's since_ns < t_ns: %s)" % (len(w), ok))
sys.exit(0 if ok and int(sys.argv[2]) <= len(w) <= int(sys.argv[3]) else 1)
PY
}

for ms in 0 10; do
	d=$T/perf-$ms
	mkdir -p "$d"
	timeout 60 env COWTRACE_MODE=perf COWTRACE_PERF_PAGES=128 COWTRACE_BACKTRACE=0 COWTRACE_SCAN_MS=$ms \
		COWTRACE_DIR="$d" LD_PRELOAD="$LIB" "$PROG" "$d.orc" 1 20001 20 >"$d.out" 2>"$d.err"
	same_as_untraced "perf, COWTRACE_SCAN_MS=$ms" "$d" $? $urc
	CHECK "perf, COWTRACE_SCAN_MS=$ms: no cowtrace: line" [ ! -s "$d.err" ]
	CHECK "perf, COWTRACE_SCAN_MS=$ms: report reads the log" $ORACLE report-json "$d" "$d.json"
	CHECK "perf, COWTRACE_SCAN_MS=$ms: libvmabig pages = pagemap oracle" \
		$ORACLE check "$d.json" libvmabig.so "$d.orc"
	if [ $ms = 0 ]; then
		CHECK "perf, no scan thread: the writes' samples were overwritten (at most 10% named)" \
			named "$d.json" 0 10
	else
		CHECK "perf, a scan every 10 ms: at least 99% of the run-time pages named" \
			named "$d.json" 99 100
	fi
done

for ms in 0 10; do
	d=$T/scan-$ms
	mkdir -p "$d"
	timeout 60 env COWTRACE_MODE=scan COWTRACE_SCAN_MS=$ms COWTRACE_DIR="$d" LD_PRELOAD="$LIB" \
		"$PROG" "$d.orc" 1 20001 20 >"$d.out" 2>"$d.err"
	same_as_untraced "scan, COWTRACE_SCAN_MS=$ms" "$d" $? $urc
	CHECK "scan, COWTRACE_SCAN_MS=$ms: report reads the log" $ORACLE report-json "$d" "$d.json"
	CHECK "scan, COWTRACE_SCAN_MS=$ms: libvmabig pages = pagemap oracle" \
		$ORACLE check "$d.json" libvmabig.so "$d.orc"
	if [ $ms = 0 ]; then
		CHECK "scan, no scan thread: every page found by the exit scan (at most 2 times)" \
			spread "$d.json" 1 2
	else
		CHECK "scan, a scan every 10 ms: the pages' windows spread over the batches" \
			spread "$d.json" 10 100000
	fi
done

# the thread is there only when asked for (the traced shell counts its own)
for ms in 0 50; do
	n=$(env COWTRACE_SCAN_MS=$ms COWTRACE_DIR="$T" LD_PRELOAD="$LIB" /bin/sh -c 'ls /proc/$$/task | wc -l')
	want=1
	[ $ms = 0 ] || want=2
	CHECK "COWTRACE_SCAN_MS=$ms: the traced shell has $want thread(s) (has $n)" [ "$n" = $want ]
done

# a bad value: one line naming it, the program runs untraced
env COWTRACE_SCAN_MS=soon COWTRACE_DIR="$T/bad" LD_PRELOAD="$LIB" "$PROG" "$T/bad.orc" 1 20001 20 \
	>"$T/bad.out" 2>"$T/bad.err"
CHECK "COWTRACE_SCAN_MS=soon: stdout = untraced" cmp -s "$T/u.out" "$T/bad.out"
CHECK "COWTRACE_SCAN_MS=soon: one cowtrace: line naming it" \
	sh -c "[ \$(wc -l <'$T/bad.err') = 1 ] && grep -q '^cowtrace: COWTRACE_SCAN_MS=soon' '$T/bad.err'"
done_test
