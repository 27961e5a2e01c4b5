#!/bin/sh
# t-report-folded.sh - --format folded: one "frame;...;frame count" line per
# stack, outermost first, frames "lib:function", counts adding up to the
# dirty pages; attach/exit pages as "lib:(attach)"/"lib:(exit)"; the
# tracer's own frames left out.
. tests/lib.sh
report_setup readelf
[ "$(uname -m)" = x86_64 ] || exit 77

python3 - "$REPORT" "$GEN" "$T" <<'PYEOF'
import json, os, re, subprocess, sys
sys.path.insert(0, "tests")
from report_helpers import *

report, gen, tmp = (os.path.abspath(a) for a in sys.argv[1:4])
rbid, rf, rsec = elfinfo(report)
rbss = rsec[".bss"]
gbid, gf, _ = elfinfo(gen)
for need in ("main", "ct_report_build"):
    if need not in rf:
        skip("%s has no symbol %s" % (report, need))
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
gen_log(gen, os.path.join(tmp, "a.cwt"), spec)
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
    "[unknown]+0x1234": 1,
    "%s:(attach)" % me: 1,
    "%s:(unwatched)" % me: 2,
}
check(got == want, "folded stacks\n got %r\nwant %r" % (got, want))
d = json.loads(subprocess.run([report, "--format", "json", os.path.join(tmp, "a.cwt")],
                              capture_output=True, text=True).stdout)
check(sum(got.values()) == len(d["pages"]) == 7, "counts add up to the dirty pages")
check(p.stdout.splitlines() == sorted(p.stdout.splitlines()), "lines sorted (stable output)")
finish()
PYEOF
