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
        check(p["when"] == "runtime" and p["phase"] == phase,
              "pid %s %s: %s in phase %r, phase-app says %s" % (pid, what, p["when"], p["phase"], phase))
for p in pages:
    if p["when"] == "attach" and p["pid"] == int(said[0][1]):
        check(p["phase"] is None, "parent's attach pages come before any phase: %r" % p)

# --by phase: counts of (library, phase) over the pages, phases in the order
# they started
g = json.loads(rep("--format", "json", "--by", "phase", "--lib", "libphase.so", run))
lib = d["libraries"][0]["path"]
want = {}
for p in pages:
    k = "%s [%s]" % (lib, "phase " + p["phase"] if p["phase"] else "before any phase")
    want[k] = want.get(k, 0) + 1
got = {x["key"]: x["dirty_pages"] for x in g["groups"]}
check(got == want, "--by phase groups %r, pages say %r" % (got, want))
order = [x["key"].rsplit("[", 1)[1].rstrip("]") for x in g["groups"]]
check(order == ["before any phase", "phase startup", "phase serving", "phase child", "phase shutdown"],
      "phases in the order they started: %r" % order)
table = rep("--by", "phase", "--lib", "libphase.so", run).splitlines()
check(table[0].split()[0] == "phase" and len(table) == 7, "table: head, 5 rows, total: %r" % table)

# synthetic: the rules on their own
LB = 0x7f0000000000
mod = "module id=1 bias=%d path=/nonexistent/libx.so writable=16" % LB
os.mkdir(os.path.join(tmp, "syn"))
logs = {
    # phases written out of order (two threads): sorted by time
    "a": ["header pid=10 ppid=1 start=5", "process pid=10 ppid=1 comm=a exe=/bin/a", mod,
          "page module=1 kind=1 page=%d t=6" % LB,
          "phase t=100 tid=10 name=one", "phase t=300 tid=11 name=three",
          "phase t=200 tid=10 name=two",
          "fault module=1 addr=%d ip=0 t=150" % (LB + 0x1000),
          "fault module=1 addr=%d ip=0 t=250" % (LB + 0x2000),
          "fault module=1 addr=%d ip=0 t=350" % (LB + 0x3000),
          "fault module=1 addr=%d ip=0 t=200" % (LB + 0x4000),   # at the phase's start
          "page module=1 kind=3 reason=4 page=%d t=400" % (LB + 0x5000)],
    # fork child of 10, created at 260 (in "two"): inherits it until its own
    "b": ["header pid=11 ppid=10 start=260", "process pid=11 ppid=10 comm=a exe=/bin/a", mod,
          "fault module=1 addr=%d ip=0 t=270" % (LB + 0x1000),
          "phase t=280 tid=11 name=own",
          "fault module=1 addr=%d ip=0 t=290" % (LB + 0x2000)],
    # another program started by 10 (exec): inherits nothing
    "c": ["header pid=12 ppid=10 start=260", "process pid=12 ppid=10 comm=c exe=/bin/c", mod,
          "fault module=1 addr=%d ip=0 t=270" % (LB + 0x1000)],
    # grandchild of 10 through 11, created before 11's own phase
    "d": ["header pid=13 ppid=11 start=275", "process pid=13 ppid=11 comm=a exe=/bin/a", mod,
          "fault module=1 addr=%d ip=0 t=900" % (LB + 0x1000)],
}
for name, spec in logs.items():
    gen_log(gen, os.path.join(tmp, "syn", name + ".cwt"), spec)
s = json.loads(rep("--format", "json", os.path.join(tmp, "syn")))
ph = {(p["pid"], int(p["vaddr"], 16)): p["phase"] for p in s["pages"]}
want = {(10, 0): None, (10, 0x1000): "one", (10, 0x2000): "two", (10, 0x3000): "three",
        (10, 0x4000): "two", (10, 0x5000): None,
        (11, 0x1000): "two", (11, 0x2000): "own", (12, 0x1000): None, (13, 0x1000): "two"}
check(ph == want, "synthetic phases\n got %r\nwant %r" % (sorted(ph.items()), sorted(want.items())))
g = json.loads(rep("--format", "json", "--by", "phase", os.path.join(tmp, "syn")))
keys = [x["key"].split(" [", 1)[1][:-1] for x in g["groups"]]
check(keys == ["before any phase", "phase one", "phase two", "phase own", "phase three", "phase unknown"],
      "group order %r" % keys)
check([x["dirty_pages"] for x in g["groups"]] == [2, 1, 4, 1, 1, 1], "group counts %r" % g["groups"])
finish()
PYEOF
done_test
