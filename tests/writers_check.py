"""tests/writers_check.py - t-tracer-writers.sh's checks of a writers-app run
(tests/writers-app.c) against the snapshots its processes took of their own
pagemap.  Which pages each function wrote is the program's and the
snapshots' business, never the report's: late_area's dirty pages (from the
snapshot) were written by late_writer_fn, inbox pages 9 and 12 by
after_read_fn, and in the child the early_area pages 0 and 100 became
private by the parent's write after the fork.

    python3 tests/writers_check.py CHECK REPORT_JSON LIBWRITERS EXE SNAPSHOT...

CHECK:
  subject     the snapshots hold what the program wrote: late_area pages
              0, 3, ... 117 and 120, 122, ... 138 in the parent, 1, 4, ... 58
              in the child; inbox pages 9 and 12 in the parent
  named       every late_area / inbox page of the snapshots is a run-time
              page of the report whose writer is late_writer_fn /
              after_read_fn
  unnamed     (COWTRACE_PERF_PAGES=0) those pages are unwatched, reason
              vma_limit / short_read, without an instruction
  all-written every dirty page of every object of every process is attach
              or has an instruction (ip), except pages reported with reason
              shared and the child's copies the parent's writes left it
  shared      those copies (the child's early_area pages 0 and 100) are
              reported with reason shared
  note        libwriters.so was given up: a vma_limit note
"""
import json
import os
import subprocess
import sys

PG = 4096


def symbols(path):
    """{name: (address, size)} of the defined symbols (nm)"""
    out = subprocess.run(["nm", "-S", "--defined-only", path], capture_output=True, text=True).stdout
    res = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4:
            res[f[3]] = (int(f[0], 16), int(f[1], 16))
    return res


def read_snapshot(path):
    pages = {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        obj, v = line.split()
        pages.setdefault(obj, set()).add(int(v, 16))
    return pages


def main():
    check, rep_path, libw, exe = sys.argv[1:5]
    snaps = sys.argv[5:]
    rep = json.load(open(rep_path))
    procs = {p["pid"]: p for p in rep["processes"]}
    parent = [pid for pid, p in procs.items() if p["ppid"] not in procs]
    if len(procs) != 2 or len(parent) != 1:
        print("  want a parent and a child, report has", [(p["pid"], p["ppid"]) for p in procs.values()])
        return 1
    parent = parent[0]
    child = [pid for pid in procs if pid != parent][0]
    ws, es = symbols(libw), symbols(exe)
    late_lo, late_n = ws["late_area"][0], ws["late_area"][1] // PG
    early_lo = ws["early_area"][0]
    inbox_lo = es["inbox"][0]
    rw, re = os.path.realpath(libw), os.path.realpath(exe)

    snap = {}
    for s in snaps:
        pid = int(s.rsplit(".", 1)[1])
        snap[pid] = {}
        for obj, pages in read_snapshot(s).items():
            snap[pid][re if obj == "(main)" else os.path.realpath(obj)] = pages
    if set(snap) != {parent, child}:
        print("  snapshots of pids %s, report has %s" % (sorted(snap), sorted(procs)))
        return 1

    def late(pid):
        return {v for v in snap[pid].get(rw, ()) if late_lo <= v < late_lo + late_n * PG}

    inbox = {pid: {v for v in snap[pid].get(re, ()) if v in (inbox_lo + 9 * PG, inbox_lo + 12 * PG)}
             for pid in snap}
    shared = {early_lo, early_lo + 100 * PG}   # the child's, left to it by the parent
    pages = {}
    for p in rep["pages"]:
        pages[(p["pid"], os.path.realpath(p["library"]), int(p["vaddr"], 16))] = p

    def show(p):
        return "%s when %s reason %s writer %s ip %s" % (p["vaddr"], p["when"], p["unwatched_reason"],
                                                       p["writer"], p["ip"])

    ok = True
    if check == "subject":
        want = {parent: {late_lo + i * PG for i in list(range(0, 118, 3)) + list(range(120, 139, 2))},
                child: {late_lo + i * PG for i in range(1, 59, 3)}}
        for pid in (parent, child):
            if late(pid) != want[pid]:
                print("  pid %d: late_area pages dirty %s, written %s" % (
                    pid, sorted((v - late_lo) // PG for v in late(pid)),
                    sorted((v - late_lo) // PG for v in want[pid])))
                ok = False
        if len(inbox[parent]) != 2:
            print("  parent: inbox pages 9 and 12 not both dirty:", inbox[parent])
            ok = False
        print("  late_area pages: parent %d, child %d; inbox pages %d" % (
            len(late(parent)), len(late(child)), len(inbox[parent])))
    elif check in ("named", "unnamed"):
        n, shown = 0, 0

        def say(msg):
            nonlocal shown
            shown += 1
            if shown <= 8:
                print(msg)
        for pid in (parent, child):
            for path, vs, fn, why in ((rw, late(pid), "late_writer_fn", "vma_limit"),
                                      (re, inbox[pid], "after_read_fn", "short_read")):
                for v in sorted(vs):
                    n += 1
                    p = pages.get((pid, path, v))
                    if p is None:
                        say("  pid %d %s 0x%x: not in the report" % (pid, os.path.basename(path), v))
                        ok = False
                    elif check == "named" and (p["when"] != "runtime" or p["writer"] != fn
                                               or p["ip"] is None):
                        say("  pid %d %s: %s, want writer %s" % (pid, os.path.basename(path), show(p), fn))
                        ok = False
                    elif check == "unnamed" and (p["when"] != "unwatched" or p["unwatched_reason"] != why
                                                 or p["ip"] is not None or p["writer"] is not None):
                        say("  pid %d %s: %s, want unwatched %s" % (pid, os.path.basename(path), show(p), why))
                        ok = False
        print("  %d pages checked, %d wrong" % (n, shown))
        ok = ok and n >= 72
    elif check == "all-written":
        bad, n, why = [], 0, {}
        for (pid, path, v), p in sorted(pages.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2])):
            n += 1
            if p["when"] == "attach" or p["ip"] is not None:
                continue
            r = p["unwatched_reason"] or ("writer_lost" if p.get("writer_lost") else None)
            why[r] = why.get(r, 0) + 1
            if r == "shared" or (pid == child and path == rw and v in shared):
                continue
            bad.append("pid %d %s %s" % (pid, os.path.basename(path), show(p)))
        print("  %d dirty pages; without attach or writer: %s" % (n, why))
        for b in bad[:12]:
            print("   ", b)
        ok = not bad
    elif check == "shared":
        for v in sorted(shared):
            p = pages.get((child, rw, v))
            if p is None:
                print("  child 0x%x: not in the report" % v)
                ok = False
            elif p["unwatched_reason"] != "shared":
                print("  child libwriters.so early_area page %d: %s, want unwatched shared" % (
                    (v - early_lo) // PG, show(p)))
                ok = False
    elif check == "note":
        notes = [(n["reason"], n["text"]) for n in rep["notes"]
                 if os.path.basename(n["library"] or "") == "libwriters.so"]
        print("  libwriters.so notes:", notes)
        ok = any(r == "vma_limit" for r, _ in notes)
    else:
        print(__doc__)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
