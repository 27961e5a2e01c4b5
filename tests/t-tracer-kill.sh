#!/bin/sh
# t-tracer-kill.sh - (d) SIGKILL mid-run: the program dirties pages of
# liboracle, writes its pagemap oracle, prints "ready PID" and sleeps; it is
# killed with -9. The report must still read the log, mark the process
# "complete": false, and list exactly the oracle's liboracle pages.
. tests/lib.sh
tracer_setup oracle-kill
need_report
need_python3

# wait_ready FILE: until FILE has "ready PID" (10 s), prints PID
wait_ready() {
	i=0
	while [ $i -lt 100 ]; do
		pid=$(sed -n 's/^ready \([0-9]*\)$/\1/p' "$1" 2>/dev/null)
		[ -n "$pid" ] && { echo "$pid"; return 0; }
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

for seed in 21 22; do
	for mode in preload launcher; do
		d=$T/$mode$seed
		mkdir -p "$d"
		if [ $mode = preload ]; then
			timeout 30 env COWTRACE_DIR=$d LD_PRELOAD=$LIB "$PROG" $seed "$d.orc" >"$d.out" 2>"$d.err" &
		else
			timeout 30 "$COWTRACE" run -o "$d" -- "$PROG" $seed "$d.orc" >"$d.out" 2>"$d.err" &
		fi
		bg=$!
		pid=$(wait_ready "$d.out")
		CHECK "seed $seed $mode: program got ready" [ -n "$pid" ]
		[ -n "$pid" ] || { kill "$bg"; wait; continue; }
		kill -9 "$pid"
		wait "$bg"
		CHECK "seed $seed $mode: log cowtrace.oracle-kill.$pid.cwt exists" \
			[ -f "$d/cowtrace.oracle-kill.$pid.cwt" ]
		CHECK "seed $seed $mode: report reads the log of a killed process" \
			$ORACLE report-json "$d" "$d.json"
		CHECK "seed $seed $mode: process $pid is complete: false" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
ps = [p for p in d["processes"] if p["pid"] == int(sys.argv[2]) and p["exe"].endswith("/oracle-kill")]
print("  processes entry:", {k: ps[0].get(k) for k in ("pid", "complete")} if ps else None)
sys.exit(0 if len(ps) == 1 and ps[0].get("complete") is False else 1)' "$d.json" "$pid"
		CHECK "seed $seed $mode: liboracle pages = pagemap oracle" \
			$ORACLE check "$d.json" liboracle.so "$d.orc"
		CHECK "seed $seed $mode: page entries unique" $ORACLE unique "$d.json"
	done
done
done_test
