#!/bin/sh
# t-report-many.sh - many logs with many faults each (the shape of the
# report benchmark, smaller): every page counted once, per process and per
# library, in the table and in JSON.  No time limit: see bench/report-bench.sh.
. tests/lib.sh
report_setup readelf

LIBC=$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)
[ -f "$LIBC" ] || { echo "t-report-many: no libc at the usual place"; exit 77; }
BID=$(readelf -n "$LIBC" | awk '/Build ID/ {print $3}')

# 40 logs x 300 distinct pages; 12 logs x 500 faults on 64 pages (repeats)
"$GEN" --bench "$T/a" 40 300 "$LIBC" 0x7f0000000000 "$BID" 0x1d2000 0x2fe000 || exit 1
"$GEN" --bench "$T/b" 12 500 "$LIBC" 0x7f0000000000 "$BID" 0x1d2000 0x212000 || exit 1

python3 - "$REPORT" "$T" <<'PYEOF'
import json, os, subprocess, sys
sys.path.insert(0, "tests")
from report_helpers import *

report, tmp = sys.argv[1], sys.argv[2]

for run, nlogs, per in (("a", 40, 300), ("b", 12, 64)):
    d = os.path.join(tmp, run)
    p = subprocess.run([report, d], capture_output=True, text=True)
    check(p.returncode == 0 and p.stderr == "", "%s: exit %d %r" % (run, p.returncode, p.stderr[-500:]))
    total = [l.split() for l in p.stdout.splitlines() if l.startswith("total")]
    # total, procs, dirty, per proc, attach, reloc, runtime, unwatched, teardown
    want = [str(nlogs), str(nlogs * per), "%.1f" % per, "0", "0", str(nlogs * per), "0", "0"]
    check(total and total[0][1:9] == want,
          "%s: total %r, want procs/dirty/per proc/attach/reloc/runtime/unwatched/teardown %s"
          % (run, total, want))

    p = subprocess.run([report, "--format", "json", d], capture_output=True, text=True)
    j = json.loads(p.stdout)
    check(len(j["processes"]) == nlogs, "%s: %d processes" % (run, len(j["processes"])))
    check(all(q["dirty_pages"] == per for q in j["processes"]), "%s: %d pages in each process" % (run, per))
    check(len(j["pages"]) == nlogs * per, "%s: %d page entries" % (run, len(j["pages"])))
    keys = {(q["pid"], q["vaddr"]) for q in j["pages"]}
    check(len(keys) == nlogs * per, "%s: every (pid, page) once" % run)
    libs = j["libraries"]
    check(len(libs) == 1 and libs[0]["dirty_pages"] == nlogs * per and libs[0]["processes"] == nlogs
          and libs[0]["runtime_pages"] == nlogs * per, "%s: library %r" % (run, libs and
                                                       {k: libs[0][k] for k in ("dirty_pages", "processes")}))
    secs = sum(libs[0]["sections"].values()) if libs else 0
    nsec = sum(1 for q in j["pages"] if q["section"] is not None)
    check(secs == nsec, "%s: section counts %d = pages with a section %d" % (run, secs, nsec))
    check(all(len(q["backtrace"]) == 4 for q in j["pages"]), "%s: 4 frames per page" % run)

    p = subprocess.run([report, "--by", "process", "--format", "json", d], capture_output=True, text=True)
    g = json.loads(p.stdout)["groups"]
    check(len(g) == nlogs and all(x["dirty_pages"] == per for x in g), "%s: --by process" % run)

finish()
PYEOF
