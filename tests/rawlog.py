#!/usr/bin/env python3
"""rawlog.py - reads the tracer's raw log records (include/cowtrace_log.h)
for checks that the report's one-row-per-page view cannot make.

  rawlog.py second-write DIR ORACLE
      ORACLE (from tests/memory-app.c dontneed) ends with
      "# second-write FN PAGE..."; every PAGE must have a fault record whose
      instruction is within FN's first 64 bytes (the write after
      MADV_DONTNEED made the page clean again was caught as a first write)
  rawlog.py modules DIR NAME N
      the logs in DIR describe exactly N loads of a module whose file name
      is NAME, every one of them tracked and none degraded (no note)
"""
import os
import struct
import sys

REC_MODULE, REC_FAULT, REC_NOTE = 2, 5, 6
MODF_UNTRACKED = 0x2


def records(path):
    """(type, offset, data) of every committed record of one log file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"COWTRACE":
        return
    header_size, used = struct.unpack_from("<IQ", data, 12)
    off, end = header_size, min(header_size + used, len(data))
    while off + 8 <= end:
        typ, _, size = struct.unpack_from("<HHI", data, off)
        if size < 8 or off + size > len(data):
            break
        yield typ, off, data
        off += size


def faults(path):
    """(page, ip) of every committed fault record of one log file."""
    out = []
    for typ, off, data in records(path):
        if typ == REC_FAULT:
            page, _addr, ip = struct.unpack_from("<QQQ", data, off + 16)
            out.append((page, ip))
    return out


def modules(d, name, want):
    loads, untracked, notes, ids = 0, 0, 0, set()
    for f in os.listdir(d):
        if not f.endswith(".cwt"):
            continue
        for typ, off, data in records(os.path.join(d, f)):
            if typ == REC_MODULE:
                mid, flags = struct.unpack_from("<II", data, off + 8)
                nranges = struct.unpack_from("<I", data, off + 52)[0]
                bid_len, path_len = struct.unpack_from("<HH", data, off + 60)
                p = off + 64 + 16 * nranges + bid_len
                path = data[p:p + path_len].decode(errors="replace")
                if os.path.basename(path) == name:
                    loads += 1
                    ids.add(mid)
                    untracked += bool(flags & MODF_UNTRACKED)
            elif typ == REC_NOTE:
                mid = struct.unpack_from("<I", data, off + 8)[0]
                notes += mid in ids
    print(f"  {name}: {loads} loads logged, {len(ids)} ids, {untracked} untracked, {notes} notes")
    return 0 if loads == want and len(ids) == want and not untracked and not notes else 1


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
    if len(sys.argv) == 5 and sys.argv[1] == "modules":
        sys.exit(modules(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    if len(sys.argv) == 4 and sys.argv[1] == "second-write":
        sys.exit(second_write(sys.argv[2], sys.argv[3]))
    print(__doc__)
    sys.exit(2)
