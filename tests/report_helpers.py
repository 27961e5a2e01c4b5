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
           "elfinfo", "gen_log", "LIBC"]

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
