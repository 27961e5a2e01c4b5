#!/usr/bin/env python3
"""results.py - per-test results of a test suite run, and their comparison.

  results.py junit FILE.xml        CPython regrtest --junit-xml: one line
                                   per test case, "STATUS ID"
  results.py tap FILE...           TAP output (GLib installed tests): one line
                                   per "ok"/"not ok" line, "STATUS FILE:ID"
  results.py compare UNTRACED TRACED [IGNORE_FILE]
                                   both files of "STATUS ID" lines: prints the
                                   counts per status of each and every test
                                   whose status differs; exit 1 if any does
                                   (tests listed in IGNORE_FILE, one ID a line,
                                   are shown but do not count; lines starting with # are comments)

STATUS is pass, fail, error, skip or skip-race: a TAP case that skips
because it could not make the race it tests happen (GLib's "Failed to
reproduce race"), which depends on timing alone: it and pass are not a
difference.  Output is sorted by ID.
"""
import collections
import os
import re
import sys
import xml.etree.ElementTree as ET


def junit(path):
    out = {}
    for tc in ET.parse(path).getroot().iter("testcase"):
        status = "pass"
        for child in tc:
            if child.tag == "failure":
                status = "fail"
            elif child.tag == "error":
                status = "error"
            elif child.tag == "skipped" and status == "pass":
                status = "skip"
        name = tc.get("name") or "?"
        cls = tc.get("classname")
        out[name if not cls or name.startswith(cls) else cls + "." + name] = status
    return out


SEED = re.compile(r"(seed[:=])\d+")
TAP_LINE = re.compile(r"^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*?)\s*(#\s*(SKIP|TODO)\b.*)?$", re.I)
RACE_SKIP = re.compile(r"failed to reproduce (the )?race", re.I)


def tap(paths):
    out = {}
    for path in paths:
        base = os.path.basename(path)
        for base_ext in (".tap", ".log", ".out"):
            if base.endswith(base_ext):
                base = base[: -len(base_ext)]
        seen = collections.Counter()
        with open(path, errors="replace") as f:
            for line in f:
                m = TAP_LINE.match(line.rstrip("\n"))
                if not m:
                    continue
                ok, num, desc, directive = m.group(1), m.group(2), m.group(3), m.group(5)
                # GLib names some cases after their random seed
                key = SEED.sub(r"\1N", desc) if desc else "#" + (num or "?")
                seen[key] += 1
                if seen[key] > 1:
                    key += " [%d]" % seen[key]
                if directive and directive.upper() == "SKIP":
                    status = "skip-race" if RACE_SKIP.search(m.group(4)) else "skip"
                elif directive and directive.upper() == "TODO":
                    status = "todo"
                else:
                    status = "pass" if ok == "ok" else "fail"
                out[base + ":" + key] = status
    return out


def read(path):
    out = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                status, _, name = line.partition(" ")
                out[name] = status
    return out


def counts(res):
    c = collections.Counter(res.values())
    return ", ".join("%d %s" % (c[k], k) for k in sorted(c)) or "no tests"


def compare(a_path, b_path, ignore_path=None):
    a, b = read(a_path), read(b_path)
    ignore = set()
    if ignore_path and os.path.exists(ignore_path):
        with open(ignore_path) as f:
            ignore = {l.strip() for l in f if l.strip() and not l.startswith("#")}
    print("untraced: %d tests: %s" % (len(a), counts(a)))
    print("traced:   %d tests: %s" % (len(b), counts(b)))
    bad = 0
    for name in sorted(set(a) | set(b)):
        sa, sb = a.get(name, "missing"), b.get(name, "missing")
        if sa != sb:
            known = name in ignore
            timing = {sa, sb} == {"pass", "skip-race"}
            bad += not known and not timing
            print("  %s: untraced %s, traced %s%s" % (name, sa, sb, " (known, not counted)" if known else
                                                     " (race not reproduced: timing, not counted)" if timing else ""))
    print("differences: %d" % bad)
    return 1 if bad or not a else 0


def emit(res):
    for name in sorted(res):
        print(res[name], name)
    return 0


def main(argv):
    if len(argv) >= 3 and argv[1] == "junit":
        return emit(junit(argv[2]))
    if len(argv) >= 3 and argv[1] == "tap":
        return emit(tap(argv[2:]))
    if len(argv) in (4, 5) and argv[1] == "compare":
        return compare(*argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
