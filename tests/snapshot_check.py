"""tests/snapshot_check.py - a traced run's report against the snapshots its
subjects took of their own /proc/self/pagemap (tests/whole-app.c,
tests/forkserver-app.c): per process, per object, the page sets must be
equal.  A snapshot file is SNAPSHOT.PID with one "PATH 0xVADDR" line per
private-dirty page ("(main)" for the executable) and "# KEY VALUE..."
comment lines.  The tracer's own objects (libcowtrace, libunwind) are not
compared: no untraced process has them.

    python3 tests/snapshot_check.py REPORT_JSON SNAPSHOT...
"""
import json
import os
import sys


def tracer(path):
    b = os.path.basename(path)
    return b.startswith("libcowtrace") or b.startswith("libunwind")


def read_snapshot(path, exe):
    """({realpath: {vaddr}}, [comment lines])"""
    want, comments = {}, []
    for line in open(path):
        if line.startswith("#"):
            comments.append(line[1:].split())
        elif line.strip():
            obj, v = line.split()
            obj = exe if obj == "(main)" else obj
            want.setdefault(os.path.realpath(obj), set()).add(int(v, 16))
    return want, comments


def report_pages(rep, pid):
    """({realpath: {vaddr}}, {unwatched reason: pages}) of process pid"""
    got, reasons = {}, {}
    for p in rep["pages"]:
        if p["pid"] != pid or p["when"] not in ("attach", "runtime", "unwatched"):
            continue
        got.setdefault(os.path.realpath(p["library"]), set()).add(int(p["vaddr"], 16))
        r = p.get("unwatched_reason")
        if r:
            reasons[r] = reasons.get(r, 0) + 1
    return got, reasons


def compare(rep, snapshot):
    """Prints the differences of one snapshot's process; returns
    (equal, want, reasons)."""
    procs = {p["pid"]: p for p in rep["processes"]}
    pid = int(snapshot.rsplit(".", 1)[1])
    if pid not in procs:
        print("  pid %d: no process in the report" % pid)
        return False, {}, {}
    want, _ = read_snapshot(snapshot, procs[pid]["exe"])
    got, reasons = report_pages(rep, pid)
    ok = True
    for path in sorted(set(want) | set(got)):
        if tracer(path):
            continue
        w, g = want.get(path, set()), got.get(path, set())
        if w != g:
            ok = False
            print("  DIFF pid %d %s: pagemap %d, report %d; missing %s; extra %s" % (
                pid, path, len(w), len(g), [hex(x) for x in sorted(w - g)][:8],
                [hex(x) for x in sorted(g - w)][:8]))
    objects = {k: v for k, v in want.items() if not tracer(k)}
    print("  pid %d: %d objects, %d pages; unwatched reasons %s" % (
        pid, len(objects), sum(len(v) for v in objects.values()), reasons))
    return ok, want, reasons


if __name__ == "__main__":
    report = json.load(open(sys.argv[1]))
    results = [compare(report, s)[0] for s in sys.argv[2:]]
    sys.exit(0 if results and all(results) else 1)
