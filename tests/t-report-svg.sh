#!/bin/sh
# t-report-svg.sh - --format svg parsed by python3's XML parser: one strip
# per library with a cell per page of its writable range, colours by kind,
# tooltips naming section, symbol and writer; hostile names stay valid XML.
. tests/lib.sh
report_setup readelf
[ "$(uname -m)" = x86_64 ] || exit 77

python3 - "$REPORT" "$GEN" "$T" <<'PYEOF'
import os, re, subprocess, sys
import xml.etree.ElementTree as ET
sys.path.insert(0, "tests")
from report_helpers import *

report, gen, tmp = (os.path.abspath(a) for a in sys.argv[1:4])
NS = "{http://www.w3.org/2000/svg}"
libc = LIBC
bid, _, sec = elfinfo(libc)
rbid, funcs, _ = elfinfo(report)
LB, MB = 0x7f0000000000, 0x555555554000
dsec = [m.group(1) for m in re.finditer(r"\[\s*(\d+)\]\s+\.data\s", readelf("-SW", libc))][0]
objs = {}
for name, value, size, typ, ndx in symbols(libc):
    if typ == "OBJECT" and ndx == dsec and size >= 8:
        objs.setdefault((value, size), []).append(name)
obj = min(objs)
lo = sec[".got"] & ~4095
hi = lo + 12 * 4096                          # the tracked range: 12 pages
data_page = obj[0] & ~4095
spec = ["header pid=5 flags=1",
        "module id=1 flags=1 bias=%d path=%s buildid=%s writable=1" % (MB, report, rbid),
        "module id=2 bias=%d path=%s buildid=%s writable=12 ranges=%d-%d" % (LB, libc, bid, LB + lo, LB + hi),
        "module id=3 bias=%d path=/tmp/we<ird>&\"name@FF@.so writable=2 ranges=%d-%d" % (0x7f1000000000, 0x7f1000001000, 0x7f1000003000),
        "page module=2 kind=1 page=%d" % (LB + lo),
        "page module=2 kind=3 reason=4 page=%d" % (LB + hi - 4096),
        "fault module=2 addr=%d ip=%d" % (LB + obj[0], MB + funcs["main"][0] + 4),
        "fault module=3 addr=%d ip=%d" % (0x7f1000001010, MB + funcs["main"][0] + 4)]
with open(os.path.join(tmp, "spec"), "wb") as f:
    f.write("\n".join(spec).encode().replace(b"@FF@", b"\xff") + b"\n")
with open(os.path.join(tmp, "spec"), "rb") as f:
    subprocess.run([gen, os.path.join(tmp, "a.cwt")], stdin=f, check=True)
p = subprocess.run([report, "--format", "svg", os.path.join(tmp, "a.cwt")], capture_output=True)
check(p.returncode == 0, "exit %d %r" % (p.returncode, p.stderr))
try:
    root = ET.fromstring(p.stdout)
except ET.ParseError as e:
    print("FAIL: not well-formed XML:", e)
    sys.exit(1)
check(root.tag == NS + "svg", "root element %r" % root.tag)
check(not root.findall(".//" + NS + "image") and b"href" not in p.stdout, "self-contained: no external references")

# strips: a title text per library, then its cells (<g> with a rect and a <title>)
strips, cur = {}, None
for el in root:
    if el.tag == NS + "text" and " dirty of " in (el.text or ""):
        cur = el.text.split(" \u2014 ")[0]
        strips[cur] = []
    elif el.tag == NS + "g" and cur:
        strips[cur].append(el)
check(set(strips) == {libc, report, "/tmp/we<ird>&\"name?.so"}, "strips %r" % list(strips))
cells = strips.get(libc, [])
check(len(cells) == max(hi, data_page + 4096) // 4096 - lo // 4096, "libc: one cell per page: %d" % len(cells))
RUNTIME, ATTACH, EXIT, CLEAN = "#d0021b", "#f5a623", "#9013fe", "#e6e6e6"
fills = [c.find(NS + "rect").get("fill") for c in cells]
check(fills.count(RUNTIME) == 1 and fills.count(ATTACH) == 1 and fills.count(EXIT) == 1,
      "libc colours %r" % {f: fills.count(f) for f in set(fills)})
check(fills[0] == ATTACH and fills[(hi - 4096 - lo) // 4096] == EXIT, "attach first, exit last")
titles = [c.find(NS + "title").text for c in cells]
rt = [t for t in titles if "runtime in 1" in t]
check(len(rt) == 1 and ".data" in rt[0] and "writer: %s:main" % os.path.basename(report) in rt[0]
      and any("symbol: %s\n" % n in rt[0] for n in objs[obj]), "runtime tooltip %r, symbol %s" % (rt, objs[obj]))
check(all(t.endswith(": clean") for t, f in zip(titles, fills) if f == CLEAN), "clean tooltips")
check(all(len(c.findall(NS + "rect")) == 2 for c, f in zip(cells, fills) if f != CLEAN),
      "dirty cells carry a section bar")
finish()
PYEOF
