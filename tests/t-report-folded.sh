#!/bin/sh
# t-report-folded.sh - --format folded: one "frame;...;frame count" line per
# stack, outermost first, frames "lib:function", counts adding up to the
# dirty pages; attach/exit pages as "lib:(attach)"/"lib:(exit)"; the
# tracer's own frames left out.
set -u
BUILD=${BUILD:-build}
REPORT=$BUILD/cowtrace-report
GEN=$BUILD/tests/gen-log
[ -x "$REPORT" ] && [ -x "$GEN" ] || { echo "t-report-folded: build $REPORT and $GEN first"; exit 77; }
command -v readelf >/dev/null && command -v python3 >/dev/null || exit 77
[ "$(uname -m)" = x86_64 ] || exit 77
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

python3 - "$REPORT" "$GEN" "$T" <<'PYEOF'
import json, os, re, subprocess, sys

report, gen, tmp = (os.path.abspath(a) for a in sys.argv[1:4])
fails = 0


def check(cond, what):
    global fails
    if not cond:
        fails += 1
        print("FAIL:", what)


def readelf(*args):
    return subprocess.run(["readelf", *args], capture_output=True, text=True, check=True).stdout


def elfinfo(path):
    bid = re.search(r"Build ID: ([0-9a-f]+)", readelf("-n", path)).group(1)
    funcs = {}
    for line in readelf("-sW", path).splitlines():
        t = line.split()
        if len(t) >= 8 and t[3] == "FUNC" and t[6] != "UND":
            funcs.setdefault(t[7].split("@")[0], (int(t[1], 16), int(t[2], 0)))
    bss = [int(m.group(1), 16) for m in re.finditer(r"\.bss\s+NOBITS\s+([0-9a-f]+)", readelf("-SW", path))]
    return bid, funcs, bss[0]


rbid, rf, rbss = elfinfo(report)
gbid, gf, _ = elfinfo(gen)
for need in ("main", "ct_report_build"):
    if need not in rf:
        print("SKIP: %s has no symbol %s" % (report, need))
        sys.exit(77)
MB, TB, LB = 0x555555554000, 0x7f5678000000, 0x7f1234000000
main_ret = MB + rf["main"][0] + 10
inner = MB + rf["ct_report_build"][0] + 4
tracer = TB + gf["main"][0] + 4
spec = [
    "header pid=20 flags=1",
    "module id=1 flags=1 bias=%d path=%s buildid=%s writable=8" % (MB, report, rbid),
    "module id=3 flags=2 reason=2 bias=%d path=%s buildid=%s" % (TB, gen, gbid),
    "fault module=1 addr=%d ip=%d frames=%d,%d" % (MB + rbss, inner, inner, main_ret),
    "fault module=1 addr=%d ip=%d frames=%d,%d,%d" % (MB + rbss + 4096, inner, inner, tracer, main_ret),
    "fault module=1 addr=%d ip=%d" % (MB + rbss + 2 * 4096, main_ret),
    "fault module=1 addr=%d ip=%d" % (MB + rbss + 3 * 4096, 0x1234),
    "page module=1 kind=1 page=%d" % (MB + rbss + 4 * 4096),
    "page module=1 kind=3 reason=4 page=%d" % (MB + rbss + 5 * 4096),
    "page module=1 kind=3 reason=4 page=%d" % (MB + rbss + 6 * 4096),
]
subprocess.run([gen, os.path.join(tmp, "a.cwt")], input="\n".join(spec) + "\n", text=True, check=True)
p = subprocess.run([report, "--format", "folded", os.path.join(tmp, "a.cwt")], capture_output=True, text=True)
check(p.returncode == 0 and p.stderr == "", "exit %d %r" % (p.returncode, p.stderr))
got = {}
for line in p.stdout.splitlines():
    m = re.match(r"^(\S(?:.*\S)?) (\d+)$", line)
    check(m is not None, "line format %r" % line)
    if m:
        got[m.group(1)] = int(m.group(2))
me = os.path.basename(report)
want = {
    "%s:main;%s:ct_report_build" % (me, me): 2,   # the tracer's frame dropped
    "%s:main" % me: 1,                           # no frames: the writing ip
    "%s:(unknown writer)" % me: 1,
    "%s:(attach)" % me: 1,
    "%s:(exit)" % me: 2,
}
check(got == want, "folded stacks\n got %r\nwant %r" % (got, want))
d = json.loads(subprocess.run([report, "--format", "json", os.path.join(tmp, "a.cwt")],
                              capture_output=True, text=True).stdout)
check(sum(got.values()) == len(d["pages"]) == 7, "counts add up to the dirty pages")
check(p.stdout.splitlines() == sorted(p.stdout.splitlines()), "lines sorted (stable output)")
sys.exit(1 if fails else 0)
PYEOF
