#!/usr/bin/env python3
"""logs_check.py - the checks every lifetime test makes on a log directory,
in one process (python starts slowly on a loaded machine):

  logs_check.py DIR [--incomplete] [ORACLE...]

runs the report (--format json) on DIR and checks that it parses; that it
has one process entry per *.cwt log; that every process is complete (with
--incomplete: that none is); that no (pid, library, vaddr) page is listed
twice; and, for each ORACLE file (tests/oracle-lib.c), that the report's
liboracle.so pages of that oracle's pid equal the oracle's pages.  Prints a
line per check; exits with the number of failed checks."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pagemap_oracle as po  # noqa: E402


def main(argv):
    d = argv[0]
    want_complete = "--incomplete" not in argv
    oracles = [a for a in argv[1:] if a != "--incomplete"]
    out = d.rstrip("/") + ".json"
    if po.cmd_report_json([d, out]) != 0:
        print("FAILED: the report reads the logs")
        return 1
    rep = po.load_report(out)
    fails = 0

    def check(ok, what):
        nonlocal fails
        print(("ok: " if ok else "FAILED: ") + what)
        fails += not ok

    procs = rep["processes"]
    nlogs = len([f for f in os.listdir(d) if f.endswith(".cwt")])
    check(nlogs == len(procs), "%d logs, %d process entries" % (nlogs, len(procs)))
    bad = [(p["pid"], p["exe"]) for p in procs if p["complete"] != want_complete]
    check(not bad, "every log %s %s" % ("complete" if want_complete else "incomplete", bad or ""))
    check(po.cmd_unique([out]) == 0, "page entries unique")
    for o in oracles:
        pid, _ = po.read_oracle(o)
        check(po.cmd_check([out, "liboracle.so", o]) == 0,
              "pid %s: liboracle pages = its oracle" % pid)
    return fails


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
