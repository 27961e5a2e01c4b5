#!/bin/sh
# t-report-basic.sh - synthetic logs against real ELF files; every answer of
# the report (json, csv, table, filters) is checked against readelf's view.
. tests/lib.sh
report_setup readelf
[ "$(uname -m)" = x86_64 ] || exit 77

python3 - "$REPORT" "$GEN" "$T" <<'PYEOF'
import csv, io, json, os, re, subprocess, sys
sys.path.insert(0, "tests")
from report_helpers import *

report, gen, tmp = sys.argv[1:4]
report = os.path.abspath(report)


class Elf:
    """What readelf says about one file: the truth the report must match."""

    def __init__(self, path):
        self.path = path
        self.sections = []      # (name, addr, size, flags, type)
        for m in re.finditer(r"\[\s*\d+\]\s+(\S+)\s+(\S+)\s+([0-9a-f]{16})\s+[0-9a-f]+\s+"
                             r"([0-9a-f]+)\s+[0-9a-f]+\s+([A-Za-z]*)\s+\d+",
                             readelf("-SW", path)):
            self.sections.append((m.group(1), int(m.group(3), 16), int(m.group(4), 16),
                                  m.group(5), m.group(2)))
        self.syms = symbols(path)   # (name, value, size, type, ndx)
        self.relocs = []        # readelf decodes RELR into one offset a line
        self.copies = {}        # R_X86_64_COPY: offset -> symbol
        relr = False
        for line in readelf("-rW", path).splitlines():
            m = re.match(r"^([0-9a-f]{16})\s+[0-9a-f]{16}\s+R_X86_64_COPY\s+[0-9a-f]+\s+([^@\s]+)", line)
            if m:
                self.copies[int(m.group(1), 16)] = m.group(2)
            if line.startswith("Relocation section"):
                relr = ".relr" in line
            m = re.match(r"^([0-9a-f]{16})\s+[0-9a-f]{16}\s+(\S+)", line)
            if m and m.group(2) != "R_X86_64_NONE":
                self.relocs.append(int(m.group(1), 16))
            m = re.match(r"^([0-9a-f]{16})$", line)
            if m and relr:
                self.relocs.append(int(m.group(1), 16))
        self.loads = [(int(m.group(1), 16), int(m.group(2), 16)) for m in re.finditer(
            r"LOAD\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+0x([0-9a-f]+)",
            readelf("-lW", path))]
        m = re.search(r"Build ID: ([0-9a-f]+)", readelf("-n", path))
        self.build_id = m.group(1) if m else ""

    def section_of(self, addr):
        for name, a, size, flags, typ in self.sections:
            if "A" in flags and "W" in flags and a <= addr < a + size and \
                    not ("T" in flags and typ == "NOBITS"):
                return name
        return None

    def section_of_page(self, page):
        """Writable section covering most of the page, lowest address on ties."""
        best, cover = None, 0
        for name, a, size, flags, typ in sorted(self.sections, key=lambda s: s[1]):
            if "A" not in flags or "W" not in flags or ("T" in flags and typ == "NOBITS"):
                continue
            c = min(a + size, page + 4096) - max(a, page)
            if c > cover:
                best, cover = name, c
        return best

    def names_at(self, value, size, types):
        return {s[0] for s in self.syms if s[1] == value and s[2] == size and s[3] in types}

    def relocs_in(self, page):
        return sum(1 for r in self.relocs if page <= r < page + 4096)


# The report binary itself is one of the ELF files checked: a report that
# is not an ELF executable (a script standing in for it) fails here.
if open(report, "rb").read(4) != b"\x7fELF":
    check(False, "%s is not an ELF file" % report)
    finish()
libc_path = None
for line in subprocess.run(["ldd", report], capture_output=True, text=True).stdout.splitlines():
    m = re.match(r"\s*libc\.so\.6 => (\S+)", line)
    if m:
        libc_path = os.path.realpath(m.group(1))
if not libc_path:
    libc_path = LIBC       # statically linked or ldd missing: the system's
libc, me = Elf(libc_path), Elf(report)
if not libc.build_id or not me.build_id:
    skip("no build-ids")
writable_idx = {str(i) for i, s in enumerate(readelf("-SW", libc_path).splitlines())}


def pick_object(elf, secname, minsize):
    """A unique (value, size) data object of at least minsize in secname."""
    idx = None
    for m in re.finditer(r"\[\s*(\d+)\]\s+(\S+)", readelf("-SW", elf.path)):
        if m.group(2) == secname:
            idx = m.group(1)
    cands = [s for s in elf.syms if s[3] == "OBJECT" and s[4] == idx and s[2] >= minsize
             and s[1] not in elf.copies]   # copy relocations: t-report-copy.sh
    cands.sort(key=lambda s: s[1])
    for s in cands:
        others = [o for o in elf.syms if o[3] in ("OBJECT", "NOTYPE", "TLS")
                  and o[1] <= s[1] + 8 < o[1] + o[2] and (o[1], o[2]) != (s[1], s[2])]
        if not others:
            return s
    skip("no suitable object in %s %s" % (elf.path, secname))


def pick_func(elf, minsize, avoid=()):
    for s in sorted(elf.syms, key=lambda s: (-s[2], s[1])):
        if s[3] != "FUNC" or s[4] == "UND" or s[2] < minsize or s[0] in avoid:
            continue
        inner = [o for o in elf.syms if o[3] in ("FUNC", "IFUNC") and o[4] != "UND"
                 and (o[1], o[2]) != (s[1], s[2]) and o[1] < s[1] + s[2] and s[1] < o[1] + o[2]]
        if not inner:
            return s
    skip("no suitable function in " + elf.path)


LB, MB, VB, TB = 0x7f1234000000, 0x555555554000, 0x7fff12340000, 0x7f5678000000
data_obj = pick_object(libc, ".data", 16)
bss_obj = pick_object(libc, ".bss", 8)
me_func = pick_func(me, 32)
libc_func = pick_func(libc, 32)
got = [s for s in libc.sections if s[0] == ".got"][0]
got_page = got[1] & ~4095
bss = [s for s in libc.sections if s[0] == ".bss"][0]
bss_far_page = (bss[1] + bss[2] - 1) & ~4095         # last page of .bss: no relocations
if bss_far_page == (data_obj[1] & ~4095) or bss_far_page == (bss_obj[1] & ~4095):
    skip("libc layout too small for this test")
main_obj = pick_object(me, ".bss", 4)
exit_page = bss_far_page - 2 * 4096                   # unwatched, dirty at exit
if exit_page in (data_obj[1] & ~4095, bss_obj[1] & ~4095, got_page) or \
        libc.section_of_page(exit_page) is None:
    skip("libc layout too small for this test")

fault_data = LB + data_obj[1] + 8
fault_bss = LB + bss_obj[1]
ip = MB + me_func[1] + 5
ret = LB + libc_func[1] + libc_func[2]             # return address just past the call
nr = {}
for line in open("/usr/include/x86_64-linux-gnu/asm/unistd_64.h"):
    m = re.match(r"#define __NR_(\w+) (\d+)", line)
    if m:
        nr[m.group(1)] = int(m.group(2))


def spec(lines):
    return "\n".join(lines) + "\n"


bid_bad = "00" * 20
logs = {
    # process 1: the main scenario
    "a": [
        "header pid=1001 ppid=1 flags=1",
        "process pid=1001 ppid=1 comm=app exe=/opt/app\"q\\x argv=app,--flag,v=1",
        "module id=1 flags=1 bias=%d path=%s buildid=%s writable=3" % (MB, report, me.build_id),
        "module id=2 bias=%d path=%s buildid=%s writable=20" % (LB, libc_path, libc.build_id),
        "module id=3 flags=2 reason=1 bias=%d path=linux-vdso.so.1 writable=0" % VB,
        "page module=2 kind=1 page=%d t=5" % (LB + got_page),
        "page module=2 kind=1 page=%d t=5" % (LB + bss_far_page),
        "page module=2 kind=2 reason=4 page=%d" % (LB + bss_far_page - 4096),
        "fault module=2 addr=%d ip=%d tid=1002 t=70 via=0 frames=%d,%d" % (fault_data, ip, ip, ret),
        # via: 0x8000 | nr is the proposed encoding that lets read (0) be told from a store
        "fault module=2 addr=%d ip=%d tid=1003 t=71 via=%d" % (fault_bss, ret, 0x8000 | nr["read"]),
        "fault module=1 addr=%d ip=%d t=72 via=%d" % (MB + main_obj[1], VB + 16, 0x8000 | nr["statx"]),
        # the same page twice: attach wins, counted once
        "fault module=2 addr=%d ip=%d t=73" % (LB + got_page + 8, ip),
        "fault module=9 addr=%d ip=%d t=74" % (LB + got_page, ip),
        "note module=2 reason=6 t=80 text=mprotect failed: \"EACCES\"",
        "note reason=9 t=81 text=bad COWTRACE_MODE",
        # dirty at exit, unwatched: counted; a page with an earlier record keeps it
        "page module=2 kind=3 reason=4 page=%d t=90" % (LB + exit_page),
        "page module=2 kind=3 reason=4 page=%d t=91" % (LB + (fault_data - LB & ~4095)),
        "page module=2 kind=3 reason=4 page=%d t=91" % (LB + got_page),
        # the tracer's own module: never listed, never mentioned (its file
        # does not match the build-id: no warning either)
        "module id=4 flags=2 reason=2 bias=%d path=%s buildid=%s writable=7" % (TB, gen, bid_bad),
        "page module=4 kind=3 reason=2 page=%d" % (TB + 0x1000),
        "note module=4 reason=2 t=82 text=tracer note",
    ],
    # process 2: same libc, exit record only, a syscall number we do not name
    "b": [
        "header pid=1002 ppid=1001 flags=0",
        "module id=7 flags=1 bias=%d path=%s buildid=%s writable=3" % (MB, report, me.build_id),
        "module id=8 bias=%d path=%s buildid=%s writable=21" % (LB, libc_path, libc.build_id),
        "page module=8 kind=3 reason=1 page=%d t=1" % (fault_data & ~4095),
        "fault module=8 addr=%d ip=%d t=9 via=%d" % (fault_data, ip, 0x8000 | 999),
        "exit status=0",
    ],
    # process 3: a libc with another build-id: must not be symbolized
    "c": [
        "header pid=1003 ppid=1 flags=0",
        "module id=1 bias=%d path=%s buildid=%s writable=20" % (LB, libc_path, bid_bad),
        "fault module=1 addr=%d ip=%d" % (fault_data, ip),
        "fault module=1 addr=%d ip=%d" % (fault_bss, ip),
        "fault module=1 addr=%d ip=%d via=5" % (fault_bss + 4096, ip),
    ],
}
os.mkdir(os.path.join(tmp, "run"))
for name, lines in logs.items():
    p = subprocess.run([gen, os.path.join(tmp, "run", "cowtrace.app.%s.cwt" % name)],
                       input=spec(lines), text=True)
    if p.returncode:
        print("gen-log failed")
        sys.exit(1)
with open(os.path.join(tmp, "run", "ignored.txt"), "w") as f:
    f.write("not a log\n")


def run(*args):
    p = subprocess.run([report, *args], capture_output=True)
    if p.returncode < 0:
        check(False, "report killed by signal %d: %s" % (-p.returncode, args))
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8", "replace")


rc, out, err = run("--format", "json", os.path.join(tmp, "run"))
check(rc == 0, "exit status %d" % rc)
d = json.loads(out)
sys.stderr.write(err)

# processes
procs = {p["pid"]: p for p in d["processes"]}
check(sorted(procs) == [1001, 1002, 1003], "pids %s" % sorted(procs))
pa = procs[1001]
check(pa["exe"] == "/opt/app\"q\\x", "exe %r" % pa["exe"])
check(pa["argv"] == ["app", "--flag", "v=1"], "argv %r" % pa["argv"])
check(pa["ppid"] == 1 and pa["backend"] == "signal" and pa["complete"] is True, "process a %r" % pa)
check(procs[1002]["complete"] is True, "EXIT record makes a process complete")
check(procs[1003]["complete"] is False, "no flag, no exit: incomplete")
check(procs[1002]["exe"] == report, "exe falls back to the main module: %r" % procs[1002]["exe"])
check(procs[1002]["ppid"] == 1001, "ppid from the header")

# libraries
libs = {(l["path"], l["build_id"]): l for l in d["libraries"]}
L = libs.get((libc_path, libc.build_id))
check(L is not None, "libc listed with its build-id")
check(L["processes"] == 2, "libc processes %d" % L["processes"])
check(L["writable_pages"] == 41, "libc writable_pages %d (20 + 21)" % L["writable_pages"])
check(L["dirty_pages"] == 6 and L["attach_pages"] == 2 and L["runtime_pages"] == 3 and L["unwatched_pages"] == 1,
      "libc dirty/attach/runtime/exit %d/%d/%d/%d" % (L["dirty_pages"], L["attach_pages"],
                                                     L["runtime_pages"], L["unwatched_pages"]))
check(L["unprotected_pages"] == 1, "libc unprotected %d" % L["unprotected_pages"])
want_sections = {}
for s in (libc.section_of_page(got_page), libc.section_of_page(bss_far_page),
          libc.section_of(fault_data - LB), libc.section_of(fault_bss - LB),
          libc.section_of(fault_data - LB), libc.section_of_page(exit_page)):
    want_sections[s] = want_sections.get(s, 0) + 1
check(L["sections"] == want_sections, "libc sections %r, want %r" % (L["sections"], want_sections))
bad = libs.get((libc_path, bid_bad))
check(bad is not None and bad["dirty_pages"] == 3 and bad["sections"] == {},
      "mismatched libc: 3 dirty pages, no sections: %r" % bad)
check(not [l for l in d["libraries"] if l["path"] == gen], "tracer module not listed")
check(gen not in err, "tracer module not mentioned:\n" + err)
M = libs.get((report, me.build_id))
check(M is not None and M["processes"] == 2 and M["dirty_pages"] == 1, "main exe %r" % M)
V = libs.get(("linux-vdso.so.1", None))
check(V is not None and V["dirty_pages"] == 0, "vdso listed, not dirty")
dirty = [l["dirty_pages"] for l in d["libraries"]]
check(dirty == sorted(dirty, reverse=True), "libraries sorted by dirty pages desc")
check(err.count("build-id mismatch") == 1, "build-id mismatch said once:\n" + err)
check("unknown module" in err, "fault of an unknown module warned")
check("attach" in err and "run time" in err, "attach/runtime conflict warned")

# pages
pages = {(p["pid"], p["library"], int(p["vaddr"], 16), p["when"]): p for p in d["pages"]}
check(len(d["pages"]) == 10, "10 dirty pages, got %d" % len(d["pages"]))
check(not [p for p in d["pages"] if p["library"] == gen], "no page of the tracer module")


def page(pid, lib, vaddr, when):
    p = pages.get((pid, lib, vaddr, when))
    check(p is not None, "page %d %s %#x %s present" % (pid, lib, vaddr, when))
    return p or {}


p = page(1001, libc_path, got_page, "attach")
n = libc.relocs_in(got_page)
check(p.get("relocations") == n, "got page relocations %r, readelf %d" % (p.get("relocations"), n))
check(p.get("attach_cause") == ("relocation" if n else "other"), "got page cause %r" % p.get("attach_cause"))
check(p.get("section") == libc.section_of_page(got_page), "got page section %r" % p.get("section"))
check((p.get("symbol") or "").startswith((p.get("section") or "?") + "+0x") and p.get("writer") is None
      and p.get("via") is None and p.get("tid") is None,
      "attach page: named SECTION+0xOFF, no writer/via/tid %r" % p)
check(p.get("t_ns") == 5, "attach t_ns")

p = page(1001, libc_path, exit_page, "unwatched")
check(p.get("attach_cause") is None and p.get("unwatched_reason") == "sigblocked" and p.get("via") is None
      and (p.get("symbol") or "").startswith(".bss+0x") and p.get("writer") is None and p.get("t_ns") == 90
      and p.get("section") == libc.section_of_page(exit_page), "unwatched page %r" % p)
check(page(1001, libc_path, got_page, "attach").get("unwatched_reason") is None, "attach page: unwatched_reason null")

p = page(1001, libc_path, bss_far_page, "attach")
check(libc.relocs_in(bss_far_page) == 0, "test premise: no relocations at the end of .bss")
check(p.get("relocations") == 0 and p.get("attach_cause") == "other", "bss attach page %r" % p)

p = page(1001, libc_path, (fault_data - LB) & ~4095, "runtime")
names = libc.names_at(data_obj[1], data_obj[2], ("OBJECT",))
check(p.get("symbol") in {n + "+0x8" for n in names}, "symbol %r, want one of %s+0x8" % (p.get("symbol"), names))
check(p.get("section") == libc.section_of(fault_data - LB), "data section %r" % p.get("section"))
wnames = me.names_at(me_func[1], me_func[2], ("FUNC",))
check(p.get("writer") in wnames, "writer %r, want %s" % (p.get("writer"), wnames))
check(p.get("writer_library") == report, "writer library %r" % p.get("writer_library"))
check(p.get("via") == "store" and p.get("tid") == 1002 and p.get("t_ns") == 70, "via/tid/t_ns %r" % {k: p.get(k) for k in ("via", "tid", "t_ns", "vaddr", "addr")})
check(p.get("relocations") == libc.relocs_in((fault_data - LB) & ~4095), "data page relocations")
check(p.get("attach_cause") is None, "runtime page: attach_cause null")
bt = p.get("backtrace", [])
check(len(bt) == 2, "2 frames")
if len(bt) == 2:
    check(bt[0]["library"] == report and bt[0]["function"] in wnames and bt[0]["offset"] == "0x5",
          "frame 0 (the faulting ip, looked up as is) %r" % bt[0])
    fnames = libc.names_at(libc_func[1], libc_func[2], ("FUNC",))
    check(bt[1]["library"] == libc_path and bt[1]["function"] in fnames
          and int(bt[1]["offset"], 16) == libc_func[2],
          "frame 1 (return address past the end of %s, looked up at -1) %r" % (fnames, bt[1]))

p = page(1001, libc_path, (fault_bss - LB) & ~4095, "runtime")
names = libc.names_at(bss_obj[1], bss_obj[2], ("OBJECT",))
check(p.get("symbol") in names, "bss symbol %r, want %s" % (p.get("symbol"), names))
check(p.get("section") == ".bss", "bss section %r" % p.get("section"))
check(p.get("via") == "syscall:read", "via %r" % p.get("via"))
fnames = libc.names_at(libc_func[1], libc_func[2], ("FUNC",))
check(p.get("writer") is None or p.get("writer") not in fnames,
      "ip just past a function is not in it: writer %r" % p.get("writer"))
check(p.get("backtrace") == [], "no frames -> empty backtrace")

p = page(1001, report, (main_obj[1]) & ~4095, "runtime")
check(p.get("section") == me.section_of(main_obj[1]), "main exe section %r" % p.get("section"))
check(p.get("symbol") in me.names_at(main_obj[1], main_obj[2], ("OBJECT",)), "main symbol %r" % p.get("symbol"))
check(p.get("via") == "syscall:statx", "via statx %r" % p.get("via"))
check((p.get("writer") or "").startswith("[unknown]+0x") and p.get("writer_library") is None,
      "ip in the vdso: writer named [unknown]+0xIP, no library %r" % p.get("writer"))

p = page(1002, libc_path, (fault_data - LB) & ~4095, "runtime")
check(p.get("via") == "syscall:999", "unknown syscall number: %r" % p.get("via"))
check(p.get("t_ns") == 9, "fault after an exit record of its page still wins: %r" % p)
p = page(1003, libc_path, (fault_bss - LB + 4096) & ~4095, "runtime")
check(p.get("via") == "unknown:0x5", "via without CT_VIA_SYSCALL is not a syscall: %r" % p.get("via"))
for v in (fault_data, fault_bss):
    p = pages.get((1003, libc_path, (v - LB) & ~4095, "runtime"), {})
    check(p and p["section"] is None and p["symbol"] == "libc.so.6+0x%x" % ((v - LB) & ~4095),
          "mismatched build-id: no section, named LIBRARY+0xVADDR %r" % p)
    check(p and p["vaddr"] == "0x%x" % ((v - LB) & ~4095), "vaddr is runtime - bias")

# notes
notes = d.get("notes", [])
check({"pid": 1001, "library": libc_path, "reason": "mprotect",
       "text": "mprotect failed: \"EACCES\""} in [{k: n[k] for k in ("pid", "library", "reason", "text")}
                                                for n in notes], "library note %r" % notes)
check(any(n["library"] is None and n["reason"] == "options" for n in notes), "process note")
check(not [n for n in notes if n["text"] == "tracer note"], "tracer's notes left out")

# filters
rc, out, err = run("--format", "json", "--lib", "libc.so*", os.path.join(tmp, "run"))
d2 = json.loads(out)
check(rc == 0 and {l["path"] for l in d2["libraries"]} == {libc_path}, "--lib libc.so*: %r" % [l["path"] for l in d2["libraries"]])
check(len(d2["pages"]) == 9 and all(p["library"] == libc_path for p in d2["pages"]), "--lib filters pages")
rc, out, err = run("--format", "json", "--pid", "1002", os.path.join(tmp, "run"))
d2 = json.loads(out)
check([p["pid"] for p in d2["processes"]] == [1002] and len(d2["pages"]) == 1, "--pid 1002")
rc, out, err = run("--format", "json", "--top", "1", os.path.join(tmp, "run"))
check(len(json.loads(out)["libraries"]) == 1, "--top 1")

# csv: same facts as the truth above
rc, out, err = run("--format", "csv", os.path.join(tmp, "run"))
rows = list(csv.DictReader(io.StringIO(out, newline="")))
check(rc == 0 and len(rows) == 10, "csv rows %d" % len(rows))
check(sum(1 for r in rows if r["when"] == "unwatched") == 1, "csv: one unwatched row")
row = [r for r in rows if r["pid"] == "1001" and r["when"] == "runtime" and r["via"] == "store"]
check(len(row) == 1, "csv: one store row for pid 1001")
if row:
    r = row[0]
    check(r["vaddr"] == "0x%x" % ((fault_data - LB) & ~4095), "csv vaddr")
    check(r["symbol"] in {n + "+0x8" for n in libc.names_at(data_obj[1], data_obj[2], ("OBJECT",))}, "csv symbol")
    check(r["writer"] in wnames, "csv writer")
    fr = r["backtrace"].split(";")
    check(len(fr) == 2 and fr[1].startswith(libc_path + ":") and fr[1].endswith("+0x%x" % libc_func[2]),
          "csv backtrace %r" % r["backtrace"])
check(all(r["attach_cause"] in ("relocation", "other") for r in rows if r["when"] == "attach"), "csv causes")

# table
rc, out, err = run(os.path.join(tmp, "run"))
lines = out.splitlines()
check(rc == 0 and all(len(l) <= 110 for l in lines), "table fits in 110 columns")
# two libcs (two build-ids) in the run: rows carry the build-id's start;
# the name may be shortened from the left
tag = "%s [%s]" % (os.path.basename(libc_path), libc.build_id[:8])
lrow = [l[l.index(tag) + len(tag):] for l in lines if tag in l]
check(len(lrow) == 1 and lrow[0].split()[0:8] == ["2", "6", "3.0", "2", "1", "3", "1", "0"], "table libc row %r" % lrow)
tot = [l for l in lines if l.startswith("total")]
check(len(tot) == 1 and tot[0].split()[1:9] == ["3", "10", "3.3", "2", "1", "7", "1", "0"], "table total %r" % tot)
check(lines[0].split()[1:11] == ["procs", "dirty", "per", "proc", "attach", "reloc", "runtime", "unwatched", "teardown", "dirty"], "table head %r" % lines[0])
check(not [l for l in lines if "tracer note" in l or os.path.basename(gen) in l], "table: tracer not mentioned")
check("notes:" in lines and any("mprotect failed" in l for l in lines), "table notes")
rc, out, err = run("--by", "symbol", "--top", "2", os.path.join(tmp, "run"))
lines = out.splitlines()
body = []
for l in lines[1:]:
    if l.startswith(("(", "total")):
        break
    body.append(l)
rc2, full, _ = run("--by", "symbol", os.path.join(tmp, "run"))
groups = 0
for l in full.splitlines()[1:]:
    if l.startswith(("(", "total")):
        break
    groups += 1
check(len(body) == 2 and groups > 2 and "(%d more)" % (groups - 2) in lines,
      "--by symbol --top 2 of %d groups: %r" % (groups, lines))
rc, out, err = run("--by", "writer", os.path.join(tmp, "run"))
check(any(l.startswith("(attach)") and l.split()[2] == "2" for l in out.splitlines()), "--by writer: attach row")
check(any(l.startswith("(unwatched)") and l.split()[2] == "1" and l.split()[7] == "1" for l in out.splitlines()),
      "--by writer: unwatched row")

# exit statuses
rc, out, err = run("--by", "nonsense", os.path.join(tmp, "run"))
check(rc == 2, "usage error exits 2")
rc, out, err = run(os.path.join(tmp, "run", "ignored.txt"))
check(rc == 1 and "ignored.txt" in err, "no usable log exits 1")

finish()
PYEOF
exit $?
