#!/usr/bin/env python3
"""rawlog.py - reads the tracer's raw log records (include/cowtrace_log.h)
for checks that the report's one-row-per-page view cannot make.

  rawlog.py second-write DIR ORACLE
      ORACLE (from tests/memory-app.c dontneed) ends with
      "# second-write FN PAGE..."; every PAGE must have a fault record whose
      instruction is within FN's first 64 bytes (the write after
      MADV_DONTNEED made the page clean again was caught as a first write)
"""
import os
import struct
import sys

REC_FAULT = 5


def faults(path):
    """(page, ip) of every committed fault record of one log file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"COWTRACE":
        return []
    header_size, used = struct.unpack_from("<IQ", data, 12)
    out, off, end = [], header_size, header_size + used
    while off + 8 <= min(end, len(data)):
        typ, _, size = struct.unpack_from("<HHI", data, off)
        if size < 8:
            break
        if typ == REC_FAULT and off + 48 <= len(data):
            page, _addr, ip = struct.unpack_from("<QQQ", data, off + 16)
            out.append((page, ip))
        off += size
    return out


def second_write(d, oracle):
    fn, pages = None, []
    with open(oracle) as f:
        for line in f:
            if line.startswith("# second-write "):
                w = line.split()[2:]
                fn, pages = int(w[0], 16), [int(x, 16) for x in w[1:]]
    if fn is None:
        print("  no '# second-write' line in", oracle)
        return 1
    recs = []
    for name in os.listdir(d):
        if name.endswith(".cwt"):
            recs += faults(os.path.join(d, name))
    ok = True
    for p in pages:
        mine = [ip for pg, ip in recs if pg == p]
        hit = [ip for ip in mine if fn <= ip < fn + 64]
        print(f"  page {p:#x}: {len(mine)} fault records, {len(hit)} by write_second")
        ok = ok and len(hit) == 1
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "second-write":
        sys.exit(second_write(sys.argv[2], sys.argv[3]))
    print(__doc__)
    sys.exit(2)
