#!/bin/sh
# t-report-corrupt.sh - broken, truncated and hostile logs: clear messages
# naming file and offset, everything before the damage kept, never a crash.
. tests/lib.sh
report_setup

python3 - "$REPORT" "$GEN" "$T" <<'PYEOF'
import json, os, subprocess, sys
sys.path.insert(0, "tests")
from report_helpers import *

report, gen, tmp = sys.argv[1:4]
HDR = 4096                     # CT_LOG_HEADER_SIZE
MOD = 72                       # module record with path "/x": 64 + 2, aligned
FAULT = 56                     # fault record without frames


def make(name, lines):
    path = os.path.join(tmp, name + ".cwt")
    p = subprocess.run([gen, path], input="\n".join(lines) + "\n", text=True)
    if p.returncode:
        print("gen-log failed for", name)
        sys.exit(1)
    return path


def run(*paths, fmt="json"):
    try:
        p = subprocess.run([report, "--format", fmt, *paths], capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        check(False, "report hangs on %s" % (paths,))
        return -1, None, ""
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode < 0 or "Sanitizer" in err or "runtime error" in err:
        check(False, "report crashed (%d) on %s:\n%s" % (p.returncode, paths, err))
    d = None
    if p.returncode == 0 and fmt == "json":
        try:
            d = json.loads(p.stdout)
        except ValueError as e:
            check(False, "invalid json for %s: %s" % (paths, e))
    return p.returncode, d, err


def clean(err):
    """stderr without the (expected) note that /x cannot be symbolized"""
    return "".join(l for l in err.splitlines(True) if "/x: " not in l)


MODULE = "module id=1 bias=0x10000 path=/x writable=4"


def faults(n, start=0):
    return ["fault module=1 addr=%d ip=0" % (0x10000 + (start + i) * 4096) for i in range(n)]


def expect_error(name, lines, words, pages=None, rc=0):
    path = make(name, lines)
    r, d, err = run(path)
    check(r == rc, "%s: exit %d, want %d" % (name, r, rc))
    for w in words:
        check(w in err, "%s: stderr lacks %r:\n%s" % (name, w, err))
    check(path in err, "%s: message names the file:\n%s" % (name, err))
    if pages is not None and d is not None:
        check(len(d["pages"]) == pages, "%s: %d pages kept, want %d" % (name, len(d["pages"]), pages))
    return d, err


# a good log, for reference and to mix with bad ones
good = make("good", ["process pid=7 exe=/bin/good argv=good", MODULE] + faults(3) + ["exit"])
r, d, err = run(good)
check(r == 0 and clean(err) == "" and len(d["pages"]) == 3, "good log: %d %r" % (r, err))

# header problems: file skipped, exit 1 when alone, 0 when a good log is there too
bad = make("magic", ["header magic=NOTCOWTR", MODULE] + faults(1))
r, d, err = run(bad)
check(r == 1 and bad + ": not a cowtrace log" in err, "bad magic: %d %r" % (r, err))
newer = make("newer", ["header version=3", MODULE] + faults(1))
r, d, err = run(newer)
check(r == 1 and newer in err and "newer" in err and err.count(newer) == 1,
      "newer version: one line naming the file: %r" % err)
r, d, err = run(newer, good)
check(r == 0 and d and [p["pid"] for p in d["processes"]] == [7], "newer + good: good one read")
expect_error("hdrsize", ["header header_size=12", MODULE], ["bad header size"], rc=1)
expect_error("hdrhuge", ["header header_size=0x7ffffff8", MODULE], ["bad header size"], rc=1)
expect_error("shorthdr", [MODULE, "truncate bytes=100"], ["truncated header"], rc=1)
expect_error("tiny", ["truncate bytes=10"], ["not a cowtrace log"], rc=1)
expect_error("empty", ["truncate bytes=0"], ["empty"], rc=1)
expect_error("version0", ["header version=0"], ["version 0"], rc=1)

# truncation: a reservation whose writer died (size 0), or a file cut short
d, err = expect_error("trunc0", [MODULE] + faults(2) + ["raw type=5 size=0"] + faults(2, 5),
                      ["truncated after 3 records"], pages=2)
d, err = expect_error("trunccut", [MODULE] + faults(3) + ["truncate bytes=%d" % (HDR + MOD + FAULT + 20)],
                      ["truncated after 2 records"], pages=1)
d, err = expect_error("usedhuge", ["header used=0x4000000000000000", MODULE] + faults(2),
                      ["truncated after 3 records"], pages=2)
path = make("exact", [MODULE] + faults(2) + ["append bytes=4096"])
r, d, err = run(path)
check(r == 0 and clean(err) == "" and len(d["pages"]) == 2, "zeros beyond used are not a truncation: %r" % err)

# bad record sizes: error with the offset, everything before kept
off = HDR + MOD + FAULT
expect_error("size60", [MODULE] + faults(1) + ["fault module=1 addr=0x20000 size=60"] + faults(1, 5),
             ["offset %d" % off, "bad size 60"], pages=1)
expect_error("size4", [MODULE] + faults(1) + ["fault module=1 addr=0x20000 size=4"], ["offset %d" % off], pages=1)
expect_error("sizehuge", [MODULE] + faults(1) + ["fault module=1 addr=0x20000 size=0x100000"],
             ["offset %d" % off, "bad size"], pages=1)
expect_error("sizemax", [MODULE] + faults(1) + ["fault module=1 addr=0x20000 size=0xfffffff8"],
             ["offset %d" % off], pages=1)
expect_error("beyond", [MODULE] + faults(1) + ["fault module=1 addr=0x20000 size=65536"],
             ["offset %d" % off, "beyond"], pages=1)

# bad lengths inside records: that record skipped, the rest read
expect_error("pathlen", ["module id=1 bias=0x10000 path=/x path_len=60000"] + faults(2),
             ["offset %d" % HDR, "module record", "unknown modules"], pages=0)
expect_error("nranges", ["module id=1 bias=0x10000 path=/x nranges=0xffffffff"] + faults(2),
             ["offset %d" % HDR, "module record"], pages=0)
expect_error("bidlen", ["module id=1 bias=0x10000 path=/x build_id_len=200 pad=400", ] + faults(2),
             ["offset %d" % HDR, "build-id"], pages=0)
expect_error("nframes", [MODULE, "fault module=1 addr=0x20000 nframes=65535"] + faults(1),
             ["offset %d" % (HDR + MOD), "frame"], pages=1)
expect_error("nframes2", [MODULE, "fault module=1 addr=0x20000 frames=1,2 nframes=3"] + faults(1),
             ["offset %d" % (HDR + MOD)], pages=1)
expect_error("notelen", [MODULE, "note module=1 len=0xffffffff text=hi"] + faults(1),
             ["offset %d" % (HDR + MOD), "note"], pages=1)
expect_error("exelen", ["process exe=/bin/x exe_len=0xfffffff0 argv=a", MODULE] + faults(1),
             ["offset %d" % HDR, "process"], pages=1)
expect_error("argvlen", ["process exe=/bin/x argv_len=0x7fffffff argv=a", MODULE] + faults(1),
             ["offset %d" % HDR, "process"], pages=1)
expect_error("small", [MODULE, "raw type=5 body=8"] + faults(1),
             ["offset %d" % (HDR + MOD), "too small"], pages=1)
expect_error("dupmod", [MODULE, "module id=1 bias=0x90000 path=/y"] + faults(1),
             ["offset %d" % (HDR + MOD), "duplicate"], pages=1)
expect_error("pagesize", ["header page_size=3", MODULE] + faults(1), ["page size"], pages=1)

# skipped quietly: uncommitted records, unknown types, unknown page kinds
path = make("skips", [MODULE, "fault module=1 addr=0x20000 type=0", "raw type=99 body=40",
                      "page module=1 kind=7 page=0x30000", "phase name=x"] + faults(1, 9))
r, d, err = run(path)
check(r == 0 and clean(err) == "" and d and [p["vaddr"] for p in d["pages"]] == ["0x9000"],
      "uncommitted/unknown records skipped: %r %r" % (err, d and d["pages"]))

# records out of order: a fault before its module still counts
path = make("order", faults(1) + [MODULE])
r, d, err = run(path)
check(r == 0 and d and len(d["pages"]) == 1, "fault before module record")

# hostile module paths: fifo, directory, device, not ELF, cut ELF, relative
fifo = os.path.join(tmp, "fifo")
os.mkfifo(fifo)
notelf = os.path.join(tmp, "notelf")
with open(notelf, "w") as f:
    f.write("hello\n" * 100)
cutelf = os.path.join(tmp, "cutelf")
with open(report, "rb") as f, open(cutelf, "wb") as g:
    g.write(f.read(3000))
lines = []
for i, p in enumerate([fifo, tmp, "/dev/zero", notelf, cutelf, "relative.so", "", "/nonexistent/lib.so"]):
    base = 0x10000000 * (i + 1)
    lines.append("module id=%d bias=%d path=%s" % (i + 1, base, p))
    lines.append("fault module=%d addr=%d ip=%d frames=%d,%d" % (i + 1, base + 0x1000, base + 10,
                                                                  base + 10, base + 20))
path = make("paths", lines)
r, d, err = run(path)
check(r == 0 and d and len(d["pages"]) == 8, "hostile module paths: %d" % r)
for fmt in ("table", "csv"):
    r, _, err = run(path, fmt=fmt)
    check(r == 0, "hostile paths, %s: %d" % (fmt, r))

# strings with quotes, control characters and invalid UTF-8 stay valid JSON
with open(os.path.join(tmp, "strings.spec"), "wb") as f:
    f.write(b"process exe=/a\"b\\c\x01\x7f\xff\xc3( argv=x\x1by,\xe2\x82\xac\n")
    f.write(b"module id=1 bias=0x10000 path=/l\xffb\"\n")
    f.write(b"fault module=1 addr=0x11000\n")
    f.write(b"note module=1 text=bad \xf0\x9f\x92\xa9 \xed\xa0\x80 \x00end\n")
path = os.path.join(tmp, "strings.cwt")
with open(os.path.join(tmp, "strings.spec"), "rb") as f:
    subprocess.run([gen, path], stdin=f, check=True)
r, d, err = run(path)
if d:
    p = d["processes"][0]
    check(p["exe"] == "/a\"b\\c\x01\x7f\u00ff\u00c3(", "exe escaped: %r" % p["exe"])
    check(p["argv"] == ["x\x1by", "\u20ac"], "argv: %r" % p["argv"])
    check(d["libraries"][0]["path"] == "/l\u00ffb\"", "path: %r" % d["libraries"][0]["path"])
    check(d["notes"][0]["text"].startswith("bad \U0001f4a9 \u00ed\u00a0\u0080 "), "note: %r" % d["notes"][0]["text"])
r, _, err = run(path, fmt="csv")
check(r == 0, "csv with odd strings")

# everything at once, as a directory
r, d, err = run(tmp)
check(r == 0 and d is not None, "whole directory: %d" % r)

finish()
PYEOF
exit $?
