#!/bin/sh
# t-report-trace.sh - --format trace (Chrome trace event JSON, for Perfetto
# and chrome://tracing), checked against the documented format and against
# the JSON report of the same logs: the example demo (a parent forking 3
# workers, a dlopen'd plugin) traced for real.  Every event has ph, ts, pid
# and tid; each process has a name; the phase slices are startup, main and
# teardown; each worker has a fork arrow from its parent; the per-library
# counters only grow and end at the page count of the JSON report for that
# process and library; one instant event per page.
. tests/lib.sh
need_tracer
need_report
need_python3
DEMO=$B/examples/demo
[ -x "$DEMO" ] || skip "build the examples first (make all)"
"$COWTRACE" run -o "$T/run" -- "$DEMO" 3 >/dev/null 2>&1
CHECK "report --format trace" sh -c "'$REPORT' --format trace '$T/run' >'$T/trace.json'"
CHECK "report --format json" sh -c "'$REPORT' --format json '$T/run' >'$T/rep.json'"
CHECK "trace = the documented format, and = the JSON report" python3 - "$T/trace.json" "$T/rep.json" <<'PY'
import json, os, sys
tr = json.load(open(sys.argv[1]))
rep = json.load(open(sys.argv[2]))
ev = tr["traceEvents"]
ok = True
def bad(msg):
    global ok
    print("  " + msg); ok = False
for e in ev:
    for k in ("ph", "ts", "pid", "tid", "name"):
        if k not in e:
            bad("event without %s: %s" % (k, e)); break
    if e.get("ph") not in ("M", "X", "i", "C", "s", "f"):
        bad("unknown ph %r" % e.get("ph"))
    if not isinstance(e.get("ts"), (int, float)) or e["ts"] < 0:
        bad("bad ts %r" % e.get("ts"))
    if e.get("ph") == "X" and not (isinstance(e.get("dur"), (int, float)) and e["dur"] >= 0):
        bad("slice without a duration: %s" % e)
pids = {p["pid"] for p in rep["processes"]}
named = {e["pid"] for e in ev if e["ph"] == "M" and e["name"] == "process_name"}
if named != pids:
    bad("process names for %s, processes %s" % (sorted(named), sorted(pids)))
slices = {e["name"] for e in ev if e["ph"] == "X"}
if not slices <= {"startup", "main", "teardown"} or "main" not in slices:
    bad("phase slices %s" % slices)
children = {p["pid"] for p in rep["processes"] if p["ppid"] in pids}
arrows = {e["id"] for e in ev if e["ph"] == "f"}
if children != arrows or len(children) != 3:
    bad("fork arrows to %s, forked children %s" % (sorted(arrows), sorted(children)))
last = {}
for e in ev:
    if e["ph"] != "C":
        continue
    key = (e["pid"], e["name"])
    v = e["args"]["pages"]
    if v < last.get(key, (0, 0))[0] or e["ts"] < last.get(key, (0, 0))[1]:
        bad("counter %s goes down" % (key,))
    last[key] = (v, e["ts"])
want = {}
for p in rep["pages"]:
    if p["when"] in ("attach", "runtime", "unwatched", "exit"):
        key = (p["pid"], "dirty pages: " + os.path.basename(p["library"]))
        want[key] = want.get(key, 0) + 1
got = {k: v[0] for k, v in last.items()}
if got != want:
    bad("counters %s != report %s" % (sorted(set(got.items()) ^ set(want.items()))[:6], ""))
instants = sum(1 for e in ev if e["ph"] == "i" and e.get("cat") == "first write")
if instants != sum(want.values()):
    bad("%d page events, %d pages in the report" % (instants, sum(want.values())))
print("  %d events, %d processes, %d pages, slices %s" % (len(ev), len(pids), instants, sorted(slices)))
sys.exit(0 if ok else 1)
PY
done_test
