#!/bin/sh
# t-report-lines.sh - source lines (libdwfl) of the writer and of every
# backtrace frame, from the file's own DWARF and through .gnu_debuglink
# (stripped copy), checked against addr2line; none without debug info.
. tests/lib.sh
report_setup readelf cc objcopy strip addr2line
[ "$(uname -m)" = x86_64 ] || exit 77
cat >"$T/w.c" <<'C'
int table[4096];

__attribute__((noinline)) void writer(int i)
{
	table[i] = i;
}

__attribute__((noinline)) void caller(void)
{
	writer(2000);
	writer(3000);
}
C
mkdir "$T/dbg" "$T/strip" "$T/none"
(cd "$T" && cc -g -O1 -fPIC -shared -o dbg/libw.so w.c &&
 cp dbg/libw.so strip/libw.so && objcopy --only-keep-debug strip/libw.so strip/libw.so.debug &&
 strip -g strip/libw.so && objcopy --add-gnu-debuglink=strip/libw.so.debug strip/libw.so &&
 cc -O1 -fPIC -shared -o none/libw.so w.c) || exit 1

python3 - "$REPORT" "$GEN" "$T" <<'PYEOF'
import json, os, re, subprocess, sys
sys.path.insert(0, "tests")
from report_helpers import *

report, gen, tmp = sys.argv[1:4]


def a2l(path, addr):
    out = subprocess.run(["addr2line", "-e", path, "0x%x" % addr], capture_output=True, text=True).stdout
    f, _, l = out.strip().rpartition(":")
    return os.path.basename(f), int(l.split()[0])


B = 0x7f0000000000
for kind in ("dbg", "strip", "none"):
    lib = os.path.join(tmp, kind, "libw.so")
    bid = build_id(lib)
    syms = {s[0]: (s[1], s[2]) for s in symbols(lib) if s[4] != "UND"}
    ip = B + syms["writer"][0] + 1                  # inside writer
    ret = B + syms["caller"][0] + syms["caller"][1] - 1   # a return address in caller
    spec = ["header pid=1 flags=1",
            "module id=1 bias=%d path=%s buildid=%s writable=16" % (B, lib, bid),
            "fault module=1 addr=%d ip=%d frames=%d,%d" % (B + syms["table"][0] + 8000, ip, ip, ret)]
    log = os.path.join(tmp, kind + ".cwt")
    gen_log(gen, log, spec)
    p = subprocess.run([report, "--format", "json", log], capture_output=True, text=True)
    check(p.returncode == 0, "%s: exit %d %s" % (kind, p.returncode, p.stderr))
    pg = json.loads(p.stdout)["pages"][0]
    bt = pg["backtrace"]
    if kind == "none":
        check(pg["writer_line"] is None and all(f["file"] is None and f["line"] is None for f in bt),
              "no debug info: no lines %r" % pg)
        continue
    truth = os.path.join(tmp, "dbg", "libw.so")
    f, l = a2l(truth, ip - B)
    wl = pg["writer_line"] or ""
    check(os.path.basename(wl.rpartition(":")[0]) == f and wl.endswith(":%d" % l),
          "%s: writer_line %r, addr2line %s:%d" % (kind, wl, f, l))
    check(len(bt) == 2 and os.path.basename(bt[0]["file"] or "") == f and bt[0]["line"] == l,
          "%s: frame 0 %r" % (kind, bt[:1]))
    f, l = a2l(truth, ret - B - 1)                  # a return address is looked up at the call
    check(len(bt) == 2 and os.path.basename(bt[1]["file"] or "") == f and bt[1]["line"] == l
          and bt[1]["function"] == "caller", "%s: frame 1 %r, addr2line %s:%d" % (kind, bt[1:], f, l))
finish()
PYEOF
