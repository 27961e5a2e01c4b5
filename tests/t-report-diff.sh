#!/bin/sh
# t-report-diff.sh - `cowtrace-report diff RUN_A RUN_B`: per library and per
# symbol counts of both runs and their change, sorted by change; exit 1 only
# when the total (or with --per-process the average per process) grew by
# more than --fail-if-more; 2 on trouble.
. tests/lib.sh
report_setup readelf
[ "$(uname -m)" = x86_64 ] || exit 77

python3 - "$REPORT" "$GEN" "$T" "$(pwd)/scripts/cowtrace" <<'PYEOF'
import json, os, re, subprocess, sys
sys.path.insert(0, "tests")
from report_helpers import *

report, gen, tmp, launcher = sys.argv[1:5]
report = os.path.abspath(report)
libc = LIBC
bid = build_id(libc)
rbid = build_id(report)
# two unique data objects of libc on different pages
objs = {}
for name, value, size, typ, ndx in symbols(libc):
    if typ == "OBJECT" and ndx != "UND" and size >= 8:
        objs.setdefault((value, size), set()).add(name)
bss = [m for m in re.finditer(r"\.(data|bss)\s+\S+\s+([0-9a-f]{16})\s+\S+\s+([0-9a-f]+)", readelf("-SW", libc))]
lo, hi = int(bss[0].group(2), 16), int(bss[-1].group(2), 16) + int(bss[-1].group(3), 16)
cand = sorted((a, s) for (a, s) in objs if lo <= a < hi and len(objs[(a, s)]) == 1)
x = cand[0]
y = next((c for c in cand if c[0] >> 12 != x[0] >> 12), None)
if not y:
    skip("libc too small")
X, Y = objs[x].pop(), objs[y].pop()
LB, MB = 0x7f0000000000, 0x555555554000


def make(run, procs):
    """procs: list of lists of libc addresses written"""
    os.makedirs(os.path.join(tmp, run))
    for i, addrs in enumerate(procs):
        spec = ["header pid=%d flags=1" % (100 + i),
                "module id=1 flags=1 bias=%d path=%s buildid=%s writable=8" % (MB, report, rbid),
                "module id=2 bias=%d path=%s buildid=%s writable=20" % (LB, libc, bid)]
        spec += ["fault module=2 addr=%d ip=%d" % (LB + a, MB + 0x1000) for a in addrs]
        gen_log(gen, os.path.join(tmp, run, "p%d.cwt" % i), spec)
    return os.path.join(tmp, run)


A = make("a", [[x[0]], [x[0], y[0]]])                      # X 2, Y 1
B = make("b", [[x[0]], [x[0]], [x[0], y[0]], [y[0]]])      # X 3, Y 2


def diff(*args):
    p = subprocess.run([report, "diff", *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


rc, out, err = diff("--format", "json", A, B)
check(rc == 0 and err == "", "exit %d %r" % (rc, err))
d = json.loads(out)
check(d["total"] == {"a": 3, "b": 5, "change": 2}, "total %r" % d["total"])
check([(r["processes"], r["dirty_pages"]) for r in d["runs"]] == [(2, 3), (4, 5)], "runs %r" % d["runs"])
check(d["libraries"] == [{"library": libc, "a": 3, "b": 5, "change": 2},
                        {"library": report, "a": 0, "b": 0, "change": 0}], "libraries %r" % d["libraries"])
syms = {s["symbol"]: (s["a"], s["b"], s["change"]) for s in d["symbols"]}
check(syms == {libc + ":" + X: (2, 3, 1), libc + ":" + Y: (1, 2, 1)}, "symbols %r" % syms)
ch = [s["change"] for s in d["symbols"]]
check(ch == sorted(ch, reverse=True), "sorted by change")
check(d["fail_if_more"] is None and d["failed"] is False, "no threshold")

rc, out, err = diff("--format", "json", B, A)
d = json.loads(out)
check(rc == 0 and d["total"]["change"] == -2 and [l["change"] for l in d["libraries"]] == [0, -2],
      "shrinking run: %r" % d["libraries"])

rc, out, err = diff(A, B)
lines = out.splitlines()
check(rc == 0 and all(len(l) <= 100 for l in lines), "table fits 100 columns")
tot = [l.split() for l in lines if l.startswith("total")]
check(tot == [["total", "3", "5", "+2"]], "table total %r" % tot)
check(any(l.startswith(libc) and l.split()[1:] == ["3", "5", "+2"] for l in lines), "table libc row\n" + out)

rc, out, err = diff("--fail-if-more", "1", A, B)
check(rc == 1 and "grew by 2" in err, "grew by 2 > 1: exit 1 %d %r" % (rc, err))
rc, out, err = diff("--fail-if-more", "2", A, B)
check(rc == 0, "grew by 2, limit 2: exit 0 (%d)" % rc)
rc, out, err = diff("--fail-if-more", "0", B, A)
check(rc == 0, "shrinking never fails (%d)" % rc)
rc, out, err = diff("--format", "json", "--fail-if-more", "0", A, B)
check(rc == 1 and json.loads(out)["failed"] is True, "json says failed")
for bad in (["--fail-if-more", "x", A, B], [A], ["--format", "svg", A, B], [A, os.path.join(tmp, "nothing")]):
    rc, out, err = diff(*bad)
    check(rc == 2, "trouble exits 2: %r -> %d" % (bad, rc))

# runs with 2 and 4 processes: per-process averages 1.5 and 1.25
rc, out, err = diff("--format", "json", A, B)
d = json.loads(out)
check([r["per_process"] for r in d["runs"]] == [1.5, 1.25], "per_process of runs %r" % d["runs"])
check(d["per_process"] == {"a": 1.5, "b": 1.25, "change": -0.25}, "per_process %r" % d.get("per_process"))
check(d["compare"] == "total", "compare %r" % d.get("compare"))
rc, out, err = diff(A, B)
pp = [l.split() for l in out.splitlines() if l.startswith("per process")]
check(pp == [["per", "process", "1.50", "1.25", "-0.25"]], "table per-process row %r" % pp)
check("(2 processes, 1.50 pages per process)" in out and "(4 processes, 1.25 pages per process)" in out,
      "A:/B: lines give the averages\n" + out)
rc, out, err = diff(A, A)
check(rc == 0 and not [l for l in out.splitlines() if l.startswith("per process")],
      "same process counts: no per-process row")
rc, out, err = diff("--per-process", A, A)
check([l.split() for l in out.splitlines() if l.startswith("per process")] ==
      [["per", "process", "1.50", "1.50", "+0.00"]], "--per-process: row shown")
# the total grew by 2, the average shrank: --per-process decides by the average
rc, out, err = diff("--per-process", "--fail-if-more", "0", A, B)
check(rc == 0, "--per-process: average shrank, exit 0 (%d %r)" % (rc, err))
rc, out, err = diff("--fail-if-more", "0", A, B)
check(rc == 1, "without --per-process: total grew, exit 1 (%d)" % rc)
for limit, want in (("0.2", 1), ("0.25", 0), ("0.3", 0), ("0", 1)):
    rc, out, err = diff("--per-process", "--fail-if-more", limit, B, A)
    check(rc == want, "B->A average +0.25, limit %s: exit %d, got %d %r" % (limit, want, rc, err))
    if want:
        check("per process grew by 0.25" in err, "message %r" % err)
rc, out, err = diff("--format", "json", "--per-process", "--fail-if-more", "0.2", B, A)
d = json.loads(out)
check(rc == 1 and d["failed"] is True and d["compare"] == "per_process" and d["fail_if_more"] == 0.2,
      "json with --per-process %r" % {k: d.get(k) for k in ("failed", "compare", "fail_if_more")})
for bad in ("-1", "nan", "inf", "0x10", "1e400", ""):
    rc, out, err = diff("--fail-if-more", bad, A, B)
    check(rc == 2, "--fail-if-more %r: usage error (%d)" % (bad, rc))

p = subprocess.run([launcher, "diff", "--fail-if-more", "1", A, B], capture_output=True, text=True)
check(p.returncode == 1 and "total" in p.stdout, "launcher: cowtrace diff (%d)" % p.returncode)
finish()
PYEOF
