#!/bin/sh
# t-report-phase.sh - phases (cowtrace_phase): every page carries the phase
# it was first written in, `--by phase` counts them per library in the order
# the phases started, a forked child inherits its parent's phase.  Truth:
# what phase-app says it wrote in which phase (traced for real), and
# synthetic logs (gen-log) for the rules: record order, exit pages, exec.
. tests/lib.sh
tracer_setup phase-app libphase.so
report_setup
[ "$(uname -m)" = x86_64 ] || exit 77

"$PROG" >"$T/u.out" 2>"$T/u.err"
urc=$?
"$COWTRACE" run -o "$T/run" -- "$PROG" >"$T/run.out" 2>"$T/run.err"
rc=$?
# pids differ between the runs: compare the rest of each line
sed 's/^pid [0-9]* //' "$T/u.out" >"$T/u.cmp"
sed 's/^pid [0-9]* //' "$T/run.out" >"$T/run.cmp"
CHECK "exit status $rc = untraced $urc" [ "$rc" -eq "$urc" ]
CHECK "stdout = untraced (pids aside)" cmp -s "$T/u.cmp" "$T/run.cmp"

python3 - "$REPORT" "$GEN" "$T" <<'PYEOF' || fails=$((fails + 1))
import json, os, subprocess, sys
sys.path.insert(0, "tests")
from report_helpers import *

report, gen, tmp = sys.argv[1:4]
run = os.path.join(tmp, "run")


def rep(*args):
    p = subprocess.run([report, *args], capture_output=True, text=True)
    check(p.returncode == 0, "report %r exit %d: %s" % (args, p.returncode, p.stderr))
    return p.stdout


d = json.loads(rep("--format", "json", "--lib", "libphase.so", run))
pages = d["pages"]
said = [l.split() for l in open(os.path.join(tmp, "run.out"))]
check(len(said) == 6, "phase-app said 6 writes: %r" % said)
for _, pid, _, phase, _, what in said:
    if what == "lib_counter":
        continue                      # the executable's copy: dirty at attach
    hits = [p for p in pages if p["pid"] == int(pid) and p["symbol"] == what]
    check(len(hits) == 1, "pid %s %s: one page, got %r" % (pid, what, hits))
    for p in hits:
        check(p["when"] == "runtime" and p["phase"] == "main" and p["mark"] == phase,
              "pid %s %s: %s in phase %r mark %r, phase-app says main, %s" % (pid, what, p["when"], p["phase"],
                                                                         p["mark"], phase))
for p in pages:
    if p["when"] == "attach" and p["pid"] == int(said[0][1]):
        check(p["phase"] == "startup" and p["mark"] is None, "parent's attach pages: startup, no mark: %r" % p)
    check(p["phase"] in ("startup", "main", "teardown"), "phase is an automatic one: %r" % p)
    check(p["mark"] is None or p["phase"] == "main", "marks only under main: %r" % p)

# --by phase: counts of (library, phase) over the pages, phases in the order
# they started
g = json.loads(rep("--format", "json", "--by", "phase", "--lib", "libphase.so", run))
lib = d["libraries"][0]["path"]
want = {}
for p in pages:
    k = "%s [%s]" % (lib, p["phase"] + "/" + p["mark"] if p["mark"] else p["phase"])
    want[k] = want.get(k, 0) + 1
got = {x["key"]: x["dirty_pages"] for x in g["groups"]}
check(got == want, "--by phase groups %r, pages say %r" % (got, want))
order = [x["key"].rsplit("[", 1)[1].rstrip("]") for x in g["groups"]]
check(order == ["startup", "main/startup", "main/serving", "main/child", "main/shutdown"],
      "phases in the order they started: %r" % order)
table = rep("--by", "phase", "--lib", "libphase.so", run).splitlines()
check(table[0].split()[0] == "phase" and len(table) == 8, "table: head, 5 rows, total, legend: %r" % table)

# --phase: every format keeps only the pages of the phases named
def sel(*names):
    return json.loads(rep("--format", "json", "--lib", "libphase.so", "--phase", ",".join(names), run))["pages"]
for names in (("startup",), ("main",), ("serving",), ("main/serving",), ("startup", "child"), ("main/startup",)):
    got = sorted((p["pid"], p["vaddr"]) for p in sel(*names))
    # a bare startup/main/teardown is the automatic phase (phase-app also
    # has a mark named startup: main/startup names that one)
    def wanted(p):
        for n in names:
            if n in ("startup", "main", "teardown"):
                if p["phase"] == n:
                    return True
            elif p["phase"] == "main" and p["mark"] == (n[5:] if n.startswith("main/") else n):
                return True
        return False
    want = sorted((p["pid"], p["vaddr"]) for p in pages if wanted(p))
    check(got == want and got, "--phase %s: %r, want %r" % (",".join(names), got, want))
n_serving = sum(1 for p in pages if p["mark"] == "serving")
csv_rows = rep("--format", "csv", "--lib", "libphase.so", "--phase", "serving", run).splitlines()[1:]
check(len(csv_rows) == n_serving == 2, "--phase serving: csv rows %d, pages %d" % (len(csv_rows), n_serving))
folded = rep("--format", "folded", "--lib", "libphase.so", "--phase", "serving", run).splitlines()
check(sum(int(l.rsplit(" ", 1)[1]) for l in folded) == n_serving, "--phase serving: folded %r" % folded)
t = rep("--lib", "libphase.so", "--phase", "teardown", run)
tot = [l.split() for l in t.splitlines() if l.startswith("total")]
check(tot and tot[0][2] == "0", "--phase teardown: nothing dirty in teardown here: %r" % tot)
p = subprocess.run([report, "--phase", "startup,nosuchphase", run], capture_output=True, text=True)
check(p.returncode == 2 and p.stdout == "" and len(p.stderr.splitlines()) == 1 and "nosuchphase" in p.stderr,
      "unknown --phase: one line, exit 2: %d %r" % (p.returncode, p.stderr))

# synthetic: the rules on their own
LB = 0x7f0000000000
mod = "module id=1 bias=%d path=/nonexistent/libx.so writable=16" % LB
# version 1 logs: no automatic phase (null), marks as the phase names
os.mkdir(os.path.join(tmp, "syn"))
logs = {
    # phases written out of order (two threads): sorted by time
    "a": ["header version=1 pid=10 ppid=1 start=5", "process pid=10 ppid=1 comm=a exe=/bin/a", mod,
          "page module=1 kind=1 page=%d t=6" % LB,
          "phase t=100 tid=10 name=one", "phase t=300 tid=11 name=three",
          "phase t=200 tid=10 name=two",
          "fault module=1 addr=%d ip=0 t=150" % (LB + 0x1000),
          "fault module=1 addr=%d ip=0 t=250" % (LB + 0x2000),
          "fault module=1 addr=%d ip=0 t=350" % (LB + 0x3000),
          "fault module=1 addr=%d ip=0 t=200" % (LB + 0x4000),   # at the phase's start
          "page module=1 kind=3 reason=4 page=%d t=400" % (LB + 0x5000)],
    # fork child of 10, created at 260 (in "two"): inherits it until its own
    "b": ["header version=1 pid=11 ppid=10 start=260", "process pid=11 ppid=10 comm=a exe=/bin/a", mod,
          "fault module=1 addr=%d ip=0 t=270" % (LB + 0x1000),
          "phase t=280 tid=11 name=own",
          "fault module=1 addr=%d ip=0 t=290" % (LB + 0x2000)],
    # another program started by 10 (exec): inherits nothing
    "c": ["header version=1 pid=12 ppid=10 start=260", "process pid=12 ppid=10 comm=c exe=/bin/c", mod,
          "fault module=1 addr=%d ip=0 t=270" % (LB + 0x1000)],
    # grandchild of 10 through 11, created before 11's own phase
    "d": ["header version=1 pid=13 ppid=11 start=275", "process pid=13 ppid=11 comm=a exe=/bin/a", mod,
          "fault module=1 addr=%d ip=0 t=900" % (LB + 0x1000)],
}
for name, spec in logs.items():
    gen_log(gen, os.path.join(tmp, "syn", name + ".cwt"), spec)
s = json.loads(rep("--format", "json", os.path.join(tmp, "syn")))
check(all(p["phase"] is None for p in s["pages"]), "v1 logs: phase null")
ph = {(p["pid"], int(p["vaddr"], 16)): p["mark"] for p in s["pages"]}
want = {(10, 0): None, (10, 0x1000): "one", (10, 0x2000): "two", (10, 0x3000): "three",
        (10, 0x4000): "two", (10, 0x5000): None,
        (11, 0x1000): "two", (11, 0x2000): "own", (12, 0x1000): None, (13, 0x1000): "two"}
check(ph == want, "synthetic phases\n got %r\nwant %r" % (sorted(ph.items()), sorted(want.items())))
g = json.loads(rep("--format", "json", "--by", "phase", os.path.join(tmp, "syn")))
keys = [x["key"].split(" [", 1)[1][:-1] for x in g["groups"]]
check(keys == ["unknown", "unknown/one", "unknown/two", "unknown/own", "unknown/three"],
      "group order %r" % keys)
check([x["dirty_pages"] for x in g["groups"]] == [3, 1, 4, 1, 1], "group counts %r" % g["groups"])

# synthetic version 2 logs: the phase byte of page and fault records, STAGE
# records, teardown kept apart, unwatched pages in every format, the
# average per process over a 3-process run
os.mkdir(os.path.join(tmp, "v2"))
V2 = {}
for pid in (20, 21, 22):
    # the children are forked at 55, under the parent's mark "serving"
    spec = ["header pid=%d ppid=%d start=%d" % (pid, 1 if pid == 20 else 20, 5 if pid == 20 else 55),
            "process pid=%d ppid=%d comm=srv exe=/bin/srv" % (pid, 1 if pid == 20 else 20),
            mod, "stage phase=%d t=6" % (1 if pid == 20 else 2),
            "page module=1 kind=1 phase=1 page=%d t=7" % LB]                      # startup
    spec += ["phase t=50 tid=%d name=serving" % pid] if pid == 20 else []
    spec += ["stage phase=2 t=10" if pid == 20 else "",
             "fault module=1 addr=%d ip=0 t=60 phase=2" % (LB + 0x1000),          # main/serving
             "fault module=1 addr=%d ip=0 t=70 phase=2" % (LB + 0x2000 + 0x1000 * (pid - 20))]
    if pid == 21:
        spec += ["stage phase=3 t=90",
                 "fault module=1 addr=%d ip=0 t=95 phase=3" % (LB + 0x9000),      # teardown
                 "page module=1 kind=3 reason=16 phase=3 page=%d t=99" % (LB + 0xa000)]
    if pid == 22:
        spec += ["page module=1 kind=3 reason=16 phase=2 page=%d t=80" % (LB + 0xb000)]
    gen_log(gen, os.path.join(tmp, "v2", "%d.cwt" % pid), [l for l in spec if l])
v2 = os.path.join(tmp, "v2")
d = json.loads(rep("--format", "json", v2))
P = {(p["pid"], int(p["vaddr"], 16)): p for p in d["pages"]}
want = {(20, 0): ("startup", None), (20, 0x1000): ("main", "serving"), (20, 0x2000): ("main", "serving"),
        (21, 0): ("startup", None), (21, 0x1000): ("main", "serving"), (21, 0x3000): ("main", "serving"),
        (21, 0x9000): ("teardown", None), (21, 0xa000): ("teardown", None),
        (22, 0): ("startup", None), (22, 0x1000): ("main", "serving"), (22, 0x4000): ("main", "serving"),
        (22, 0xb000): ("main", None)}
got = {k: (p["phase"], p["mark"]) for k, p in P.items()}
check(got == want, "v2 phases and marks\n got %r\nwant %r" % (sorted(got.items()), sorted(want.items())))
u = P.get((22, 0xb000), {})
check(u.get("when") == "unwatched" and u.get("unwatched_reason") == "shared" and u.get("writer") is None,
      "unwatched page, reason shared: %r" % u)
L = d["libraries"][0]
# 12 pages, 2 in teardown (pid 21), 3 processes: (12 - 2) / 3 per process
check((L["dirty_pages"], L["teardown_pages"], L["unwatched_pages"], L["attach_pages"], L["runtime_pages"])
      == (12, 2, 2, 3, 7), "v2 library counts %r" % L)
check(abs(L["per_process"] - 10 / 3) < 0.01, "per_process %r, want 3.33" % L["per_process"])
t = rep(v2).splitlines()
row = [l.split() for l in t if l.startswith("/nonexistent/libx.so")]
check(row and row[0][1:10] == ["3", "10", "3.3", "3", "0", "6", "1", "2", "40"],
      "table row: procs dirty(without teardown) per-proc attach reloc runtime unwatched teardown: %r" % row)
check(any(l.startswith("dirty = ") and "teardown" in l for l in t), "table says what dirty leaves out")
g = json.loads(rep("--format", "json", "--by", "phase", v2))["groups"]
keys = [x["key"].split(" [", 1)[1][:-1] for x in g]
check(keys == ["startup", "main", "main/serving", "teardown"], "v2 --by phase order %r" % keys)
check([x["dirty_pages"] for x in g] == [3, 1, 6, 2], "v2 --by phase counts %r" % g)
# unwatched, never "exit", in every format
c = rep("--format", "csv", v2)
check(",unwatched,,shared," in c and ",exit," not in c, "csv names unwatched and its reason")
f = rep("--format", "folded", v2)
check("libx.so:(unwatched) 2" in f and "(exit)" not in f, "folded: (unwatched) frames %r" % f)
sv = rep("--format", "svg", v2)
check("unwatched" in sv and "the other process&apos;s write" not in sv and
      "the other process's write after fork made this copy private" in sv and ">exit" not in sv,
      "svg: unwatched, and why in words")
w = rep("--by", "writer", v2)
check(any(l.startswith("(unwatched)") for l in w.splitlines()) and "(exit)" not in w, "--by writer (unwatched)")
pp = subprocess.run([report, "--format", "pprof", v2], capture_output=True)
import gzip
raw = gzip.decompress(pp.stdout)
check(pp.returncode == 0 and b"(unwatched) libx.so" in raw and b"unwatched" in raw and b"teardown" in raw
      and b"(exit)" not in raw, "pprof: unwatched frames and labels, phase labels")
check("unwatched" in rep("--help") and " exit " not in rep("--help").replace("exit handlers", ""),
      "help names unwatched")
finish()
PYEOF
done_test
