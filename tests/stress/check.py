#!/usr/bin/env python3
"""check.py - one traced run of tests/stress/stress.sh against its ground
truth, in one process (the pagemap_oracle.py checks, without starting
Python three times):
  check.py DIR REPORT_JSON LIBNAME ORACLE
runs the report on DIR, then: one entry per (pid, library, vaddr), and
LIBNAME's pages equal the pagemap oracle ORACLE. Exit 0 when both hold."""
import contextlib
import io
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pagemap_oracle as po  # noqa: E402


def main(d, out, lib, orc):
    said = io.StringIO()
    with contextlib.redirect_stdout(said):
        ok = (po.cmd_report_json([d, out]) == 0 and po.cmd_unique([out]) == 0
              and po.cmd_check([out, lib, orc]) == 0)
    if not ok:
        sys.stdout.write(said.getvalue())
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) != 5:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
