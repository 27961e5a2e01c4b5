#!/usr/bin/env python3
"""pagemap_oracle.py - ground truth for the tracer tests, computed without the
tracer, plus the comparisons the shell tests make against the report.

In a process (import it, call measure_stable()):
  for every ELF object mapped in /proc/self/maps, every page of every PT_LOAD
  of its own program headers (the whole object as the kernel counts it:
  RELRO, code, read-only data and the .bss tail included), and
  which of those pages are private-dirty according to /proc/self/pagemap:
  swapped (bit 62), or present (63) and not file/shared-anon (61) and
  exclusively mapped (56). Load bias = lowest mapping start of that file with
  offset 0 minus page_down(first PT_LOAD p_vaddr). A file mapped more than
  once (another link-map namespace, e.g. the libc of an rtld-audit module)
  gives one instance per separate mapping; the instance that the default
  namespace's dl_iterate_phdr reports is marked "main".

Command line (used by tests/t-tracer-*.sh and tests/t-real-*.sh):
  pagemap_oracle.py report-json DIR OUT           run the report, save JSON
  pagemap_oracle.py check REPORT_JSON LIBNAME ORACLE [ORACLE...] [--pid PID] [--allow-dups]
      the report's pages of library LIBNAME (file name) for the pid named in
      the last ORACLE file must equal the union of the ORACLE files' pages
      (files written by liboracle's oracle_dump)
  pagemap_oracle.py unique REPORT_JSON          one entry per (pid, library, vaddr)
  pagemap_oracle.py compare-all REPORT_JSON ORACLE_JSON [EXCLUDE_GLOB...]
      per library, report pages == measure_stable() pages of the main instance
"""
import fnmatch
import json
import os
import struct
import subprocess
import sys

PAGE = os.sysconf("SC_PAGESIZE")
PT_LOAD, PT_GNU_RELRO, PF_W = 1, 0x6474E552, 2


def page_down(x):
    return x & ~(PAGE - 1)


def page_up(x):
    return (x + PAGE - 1) & ~(PAGE - 1)


def dirty_entry(e):
    """Private-dirty as the kernel counts it: present, anonymous (not
    file/shared, bit 61) and mapped only here (56), or swapped (62) -- but
    not a userfaultfd write-protect marker on a never-populated page, which
    reads as a swap entry with the uffd-wp bit (57) of swap type 31 (frame
    bits zero when not root): that is no memory."""
    if e & (1 << 62):
        marker = e & (1 << 57) and ((e & 0x1f) == 0x1f or not e & ((1 << 55) - 1))
        return not marker
    return bool(e & (1 << 63) and not e & (1 << 61) and e & (1 << 56))


_elf_cache = {}


def elf_layout(path):
    """(page_down(first PT_LOAD vaddr), end of the last PT_LOAD, every
    PT_LOAD as a page-rounded [lo, hi) of ELF vaddrs) or None if path is not
    an ELF file."""
    if path in _elf_cache:
        return _elf_cache[path]
    res = None
    try:
        with open(path, "rb") as f:
            eh = f.read(64)
            if len(eh) == 64 and eh[:4] == b"\x7fELF" and eh[4] == 2 and eh[5] == 1:
                phoff, = struct.unpack_from("<Q", eh, 0x20)
                phentsize, phnum = struct.unpack_from("<HH", eh, 0x36)
                f.seek(phoff)
                ph = f.read(phentsize * phnum)
                loads, relro = [], None
                for i in range(phnum):
                    p_type, p_flags, p_off, p_vaddr, p_paddr, p_filesz, p_memsz, p_align = \
                        struct.unpack_from("<IIQQQQQQ", ph, i * phentsize)
                    if p_type == PT_LOAD:
                        loads.append((p_vaddr, p_memsz, p_flags))
                    elif p_type == PT_GNU_RELRO:
                        relro = (page_down(p_vaddr), page_down(p_vaddr + p_memsz))
                if loads:
                    ranges = sorted((page_down(v), page_up(v + m)) for v, m, fl in loads if m)
                    res = (page_down(min(l[0] for l in loads)),
                           max(page_up(l[0] + l[1]) for l in loads), ranges)
    except OSError:
        res = None
    _elf_cache[path] = res
    return res


def _maps():
    out = []
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split(None, 5)
            if len(parts) < 6:
                continue
            path = parts[5].strip()
            if not path.startswith("/") or path.endswith("(deleted)"):
                continue
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            out.append((lo, hi, int(parts[2], 16), path))
    return out


def _main_namespace_biases():
    """{path: bias} from dl_iterate_phdr of the default namespace (ctypes)."""
    try:
        import ctypes
    except ImportError:
        return None

    class Info(ctypes.Structure):
        _fields_ = [("addr", ctypes.c_size_t), ("name", ctypes.c_char_p)]

    found = {}
    CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(Info), ctypes.c_size_t, ctypes.c_void_p)

    def cb(info, size, data):
        name = info.contents.name
        found[os.path.realpath(name.decode()) if name else ""] = info.contents.addr
        return 0

    libc = ctypes.CDLL(None)
    libc.dl_iterate_phdr(CB(cb), None)
    return found


def measure(main_biases=None):
    """List of instances {path, bias, main, writable, dirty} (hex strings)."""
    starts = {}
    for lo, hi, off, path in _maps():
        if off == 0:
            starts.setdefault(path, []).append(lo)
    fd = os.open("/proc/self/pagemap", os.O_RDONLY)
    result = []
    try:
        for path in sorted(starts):
            lay = elf_layout(path)
            if not lay:
                continue
            first, end, ranges = lay
            covered_until = -1
            for s in sorted(starts[path]):
                if s < covered_until:   # another offset-0 piece of the same instance
                    continue
                bias = s - first
                covered_until = bias + end
                dirty = []
                for lo, hi in ranges:
                    n = (hi - lo) // PAGE
                    buf = os.pread(fd, n * 8, ((lo + bias) // PAGE) * 8)
                    for k in range(len(buf) // 8):
                        e, = struct.unpack_from("<Q", buf, k * 8)
                        if dirty_entry(e):
                            dirty.append(hex(lo + k * PAGE))
                dirty = sorted(set(dirty), key=lambda h: int(h, 16))
                main = None
                if main_biases is not None:
                    real = os.path.realpath(path)
                    main = main_biases.get(real) == bias or \
                        (real not in main_biases and len(starts[path]) == 1)
                result.append({"path": path, "bias": hex(bias), "main": main,
                               "writable": [[hex(a), hex(b)] for a, b in ranges],
                               "dirty": dirty})
    finally:
        os.close(fd)
    return result


def measure_stable(tries=30):
    """Measure until two consecutive measurements agree (measuring itself
    runs code that may dirty pages). Returns (instances, json text)."""
    biases = _main_namespace_biases()
    prev, text = None, None
    for _ in range(tries):
        cur = measure(biases)
        text = json.dumps({"pid": os.getpid(), "objects": cur, "stable": False})
        if cur == prev:
            text = json.dumps({"pid": os.getpid(), "objects": cur, "stable": True})
            # measure once more after building the text, which allocates too
            if measure(biases) == cur:
                return cur, text
        prev = cur
    return prev, text


# ---------------------------------------------------------------- checking

def load_report(path):
    with open(path) as f:
        return json.load(f)


def report_pages(rep, pid, libname):
    """{vaddr int: [when...]} of the report for library file name libname."""
    out = {}
    for p in rep.get("pages", []):
        if p.get("pid") != pid or os.path.basename(p.get("library") or "") != libname:
            continue
        out.setdefault(int(p["vaddr"], 16), []).append(p.get("when"))
    return out


def read_oracle(path):
    pid, pages = None, set()
    with open(path) as f:
        for line in f:
            if line.startswith("# pid "):
                pid = int(line.split()[2])
            elif line.startswith("0x"):
                pages.add(int(line, 16))
    return pid, pages


def fmt(s):
    return "[" + " ".join(hex(x) for x in sorted(s)) + "]"


def cmd_check(args):
    pid, allow_dups = None, False
    if "--allow-dups" in args:      # duplicates are checked by `unique`
        args.remove("--allow-dups")
        allow_dups = True
    if "--pid" in args:
        i = args.index("--pid")
        pid = int(args[i + 1])
        del args[i:i + 2]
    rep_path, lib, oracles = args[0], args[1], args[2:]
    rep = load_report(rep_path)
    want, opid = set(), None
    for o in oracles:
        opid, pages = read_oracle(o)
        want |= pages
    if pid is None:
        pid = opid
    got = report_pages(rep, pid, lib)
    ok = True
    dups = {hex(v): w for v, w in got.items() if len(w) > 1}
    if dups and not allow_dups:
        some = dict(list(dups.items())[:6])
        print(f"  pid {pid} {lib}: {len(dups)} pages listed more than once, e.g. {some}")
        ok = False
    bad_when = {hex(v): w for v, w in got.items() if any(x not in ("attach", "runtime", "unwatched") for x in w)}
    if bad_when:
        print(f"  pid {pid} {lib}: unknown 'when': {bad_when}")
        ok = False
    g = set(got)
    if g != want:
        print(f"  pid {pid} {lib}: oracle has {len(want)} dirty pages, report {len(g)}")
        print(f"    missing from report: {fmt(want - g)}")
        print(f"    extra in report:     {fmt(g - want)}")
        ok = False
    else:
        kinds = {}
        for w in got.values():
            kinds[w[0]] = kinds.get(w[0], 0) + 1
        print(f"  pid {pid} {lib}: {len(g)} pages match the oracle {kinds}")
    return 0 if ok else 1


def cmd_unique(args):
    rep = load_report(args[0])
    seen, dup = set(), []
    for p in rep.get("pages", []):
        k = (p.get("pid"), p.get("library"), p.get("vaddr"))
        if k in seen:
            dup.append(k)
        seen.add(k)
    if dup:
        print(f"  {len(dup)} duplicate page entries, e.g. {dup[:5]}")
        return 1
    print(f"  {len(seen)} page entries, all unique")
    return 0


def cmd_compare_all(args):
    rep = load_report(args[0])
    with open(args[1]) as f:
        orc = json.load(f)
    excl = args[2:]
    pid = orc["pid"]
    ok = True
    if not orc.get("stable"):
        print("  oracle: measurements never agreed twice in a row")
        ok = False

    def excluded(path):
        b = os.path.basename(path)
        return any(fnmatch.fnmatch(b, g) for g in excl)

    want, others = {}, {}
    for o in orc["objects"]:
        if excluded(o["path"]):
            continue
        real = os.path.realpath(o["path"])
        if o["main"] is False:
            others.setdefault(real, []).append(o)
            continue
        want.setdefault(real, set()).update(int(v, 16) for v in o["dirty"])
    got = {}
    for p in rep.get("pages", []):
        if p.get("pid") != pid or excluded(p.get("library") or ""):
            continue
        real = os.path.realpath(p["library"])
        got.setdefault(real, {}).setdefault(int(p["vaddr"], 16), []).append(p["when"])
    for path in sorted(set(want) | set(got)):
        w, g = want.get(path, set()), got.get(path, {})
        dups = [hex(v) for v, ws in g.items() if len(ws) > 1]
        if dups:
            print(f"  {path}: {len(dups)} pages listed more than once, e.g. {dups[:6]}")
            ok = False
        gs = set(g)
        if w == gs:
            kinds = {}
            for ws in g.values():
                kinds[ws[0]] = kinds.get(ws[0], 0) + 1
            print(f"  ok   {path}: {len(w)} pages {kinds}")
        else:
            ok = False
            extra = {hex(v): g[v] for v in sorted(gs - w)}
            print(f"  DIFF {path}: oracle {len(w)}, report {len(gs)}")
            print(f"       missing from report: {fmt(w - gs)}")
            print(f"       extra in report:     {extra}")
            if path in others:
                print(f"       (file also mapped in another namespace at {[o['bias'] for o in others[path]]})")
    for path, insts in sorted(others.items()):
        print(f"  note {path}: other-namespace instance(s) not compared, dirty "
              f"{[len(o['dirty']) for o in insts]}")
    return 0 if ok else 1


def cmd_report_json(args):
    report = os.environ.get("REPORT", "build/cowtrace-report")
    r = subprocess.run([report, "--format", "json", args[0]], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"  report exited {r.returncode}: {r.stderr.strip()[:500]}")
        return 1
    try:
        json.loads(r.stdout)
    except ValueError as e:
        print(f"  report output is not JSON: {e}")
        return 1
    with open(args[1], "w") as f:
        f.write(r.stdout)
    return 0


if __name__ == "__main__":
    cmds = {"check": cmd_check, "unique": cmd_unique, "compare-all": cmd_compare_all,
            "report-json": cmd_report_json}
    if len(sys.argv) < 3 or sys.argv[1] not in cmds:
        print(__doc__)
        sys.exit(2)
    sys.exit(cmds[sys.argv[1]](sys.argv[2:]))
