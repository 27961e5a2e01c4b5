"""tests/report_helpers.py - shared helpers of the tests/t-report-*.sh checks.

The tests run from the repository root; their Python starts with
    import sys; sys.path.insert(0, "tests")
    from report_helpers import *
and ends with finish().  check() counts failures here, in this module: a
test must end with finish() (not its own sys.exit), or failures are lost.
"""
import os
import re
import subprocess
import sys

__all__ = ["check", "skip", "finish", "readelf", "build_id", "symbols",
           "elfinfo", "gen_log", "golden_text", "LIBC"]

fails = 0

# the libc most tests symbolize against (t-report-basic asks ldd instead)
LIBC = os.path.realpath("/lib/x86_64-linux-gnu/libc.so.6")


def check(cond, what):
    """Counts a failed condition and says which."""
    global fails
    if not cond:
        fails += 1
        print("FAIL:", what)


def skip(why):
    print("SKIP:", why)
    sys.exit(77)


def finish():
    """Exit status for the shell: 1 when a check failed."""
    sys.exit(1 if fails else 0)


def readelf(*args):
    return subprocess.run(["readelf", *args], capture_output=True, text=True, check=True).stdout


def build_id(path):
    return re.search(r"Build ID: ([0-9a-f]+)", readelf("-n", path)).group(1)


def symbols(path):
    """readelf -sW as a list of (name without @version, value, size, type, ndx)."""
    syms = []
    for line in readelf("-sW", path).splitlines():
        t = line.split()
        if len(t) < 8 or not t[0].endswith(":") or not t[0][:-1].isdigit():
            continue
        size = int(t[2], 0) if t[2].startswith("0x") else int(t[2])
        syms.append((t[7].split("@")[0], int(t[1], 16), size, t[3], t[6]))
    return syms


def elfinfo(path):
    """(build-id, {function: (value, size)} of the defined functions, the
    first of a name kept, {section name: address})"""
    funcs = {}
    for name, value, size, typ, ndx in symbols(path):
        if typ == "FUNC" and ndx != "UND":
            funcs.setdefault(name, (value, size))
    secs = {m.group(1): int(m.group(2), 16) for m in
            re.finditer(r"\]\s+(\.\S+)\s+\S+\s+([0-9a-f]{16})", readelf("-SW", path))}
    return build_id(path), funcs, secs


def gen_log(gen, path, spec):
    """Writes the log PATH from the gen-log spec lines SPEC."""
    subprocess.run([gen, path], input="\n".join(spec) + "\n", text=True, check=True)


def golden_text(report, run, keep, lines=True):
    """The golden-file form of the report of RUN (t-report-golden.sh): only
    what depends neither on ASLR, pids, times nor the libc build.  keep:
    directory whose libraries are shown (the subject's own); paths become
    file names; identical pages of several processes are one line with a
    count.  lines=False leaves out source lines (built without -g)."""
    def base(s):
        return os.path.basename(s) if s else "-"

    def text(v):
        return "-" if v is None else str(v)

    def run_json(*args):
        p = subprocess.run([report, "--format", "json", "--lib", keep.rstrip("/") + "/*", *args, run],
                           capture_output=True, text=True, check=True)
        import json
        return json.loads(p.stdout)

    d = run_json()
    out = ["# library processes writable dirty attach runtime unwatched reloc teardown sections"]
    for l in sorted(d["libraries"], key=lambda l: base(l["path"])):
        secs = ",".join("%s=%d" % kv for kv in sorted(l["sections"].items()))
        out.append("library %s %d %d %d %d %d %d %d %d %s%s" % (
            base(l["path"]), l["processes"], l["writable_pages"], l["dirty_pages"], l["attach_pages"],
            l["runtime_pages"], l["unwatched_pages"], l["relocation_pages"], l["teardown_pages"],
            secs or "-", " main" if l["main"] else ""))
    out.append("# page: library section when cause relocations(relative/symbolic) symbol writer via "
               "phase mark [line] xN processes")
    pages = {}
    for p in d["pages"]:
        writer = "%s:%s" % (base(p["writer_library"]), text(p["writer"])) if p["writer_library"] else "-"
        key = "page %s %s %s %s %d(%d/%d) %s %s %s %s %s" % (
            base(p["library"]), text(p["section"]), p["when"], text(p["attach_cause"]), p["relocations"],
            p["relocations_relative"], p["relocations_symbolic"],
            text(p["symbol"]).replace(" ", "_"), writer, text(p["via"]), text(p["phase"]), text(p["mark"]))
        if lines and p["writer_line"]:
            f, _, n = p["writer_line"].rpartition(":")
            key += " %s:%s" % (base(f), n)
        pages[key] = pages.get(key, 0) + 1
    out += ["%s x%d" % kv for kv in sorted(pages.items())]
    for by in ("section", "symbol", "writer", "phase"):
        out.append("# --by %s: key processes dirty attach runtime unwatched teardown" % by)
        for g in run_json("--by", by)["groups"]:
            k = " ".join(base(w) if w.startswith("/") else w for w in g["key"].split(" "))
            k = re.sub(r"/\S*/([^/\s:]+):", r"\1:", k)     # library:symbol keys
            out.append("%s %s %d %d %d %d %d %d" % (by, k.replace(" ", "_"), g["processes"], g["dirty_pages"],
                                                    g["attach_pages"], g["runtime_pages"], g["unwatched_pages"],
                                                    g["teardown_pages"]))
    return "\n".join(out) + "\n"
