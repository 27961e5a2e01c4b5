#!/bin/sh
# t-tracer-forkserver.sh - a prefork server (tests/forkserver-app.c): the
# parent writes state into liboracle, forks 4 workers, each serves requests
# that write liboracle pages, then measures its own /proc/self/pagemap over
# every PT_LOAD page of every object and its /proc/self/smaps Private_Dirty
# for liboracle's mappings just before _exit.  Checks, traced with the
# launcher and with LD_PRELOAD alone (signal and scan backends):
#  - stdout and exit status = untraced;
#  - each worker's smaps Private_Dirty = 4 kB x its pagemap count over the
#    same mappings (the two kernel views agree: the truth is sound).  The
#    parent's are printed, not compared: measured after its last worker
#    was reaped, smaps sometimes counts 17 pages more than pagemap's
#    exclusive bit for a stretch of minutes on this kernel (6.18), even
#    measured again for 2 s; the report equals its pagemap either way;
#  - per process (each worker, and the parent), per object, the report's
#    page set = that process's own pagemap; the tracer's own objects
#    (libcowtrace*, libunwind*) are left out;
#  - libraries[].per_process in the JSON = the library's pages outside
#    the teardown phase / the processes that mapped it, computed here from
#    the pages list; the table shows a per-process column.
#
# How a page shared after fork is counted: a page the parent dirtied before
# the fork is, right after it, one physical page mapped by the parent and
# every worker: private-dirty for none of them (not exclusive), and in no
# worker's report.  It becomes a worker's own (and is reported in that
# worker) when the worker writes it (its copy-on-write copy: a runtime page
# of the worker), or when every other process mapping it has written its
# own copy or exited, leaving that worker as the only one mapping the old
# copy (found by the tracer's last scan, reason "shared").  Here the workers
# measure one after the other: the state pages 0..11 each worker did not
# write are still shared with the parent, so they are the parent's only
# (the parent, which never wrote them after the fork, counts them once the
# last worker is gone).
. tests/lib.sh
tracer_setup forkserver-app
need_report
need_python3

compare() {	# compare REPORT_JSON SNAPSHOT...: per process and object, and each
		# worker's smaps Private_Dirty against its pagemap count
	python3 - "$@" <<'PY'
import json, sys
sys.path.insert(0, "tests")
from snapshot_check import compare
rep = json.load(open(sys.argv[1]))
ok = True
for snap in sys.argv[2:]:
    equal, _, _ = compare(rep, snap)
    notes = {c[0] + " " + c[1]: c[2] for c in
             (l[1:].split() for l in open(snap) if l.startswith("# ")) if len(c) >= 3}
    smaps, pm = notes.get("smaps liboracle"), notes.get("pagemap liboracle")
    worker = any(l.split()[1:3] == ["role", "worker"] for l in open(snap) if l.startswith("# "))
    if worker and (smaps is None or pm is None or int(smaps) != int(pm) * 4):
        print("  %s: smaps Private_Dirty %s kB, pagemap %s pages: the kernel's views differ"
              % (snap, smaps, pm))
        equal = False
    ok &= equal
sys.exit(0 if ok else 1)
PY
}

per_process() {	# per_process REPORT_JSON
	python3 - "$1" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
ok = True
for lib in rep["libraries"]:
    n = sum(1 for p in rep["pages"] if p["library"] == lib["path"] and p.get("phase") != "teardown")
    procs = lib.get("processes") or 0
    want = n / procs if procs else 0.0
    got = lib.get("per_process")
    good = isinstance(got, (int, float)) and abs(got - want) < 0.006
    if not good or lib["path"].endswith("liboracle.so"):
        print("  %s: per_process %r, pages outside teardown %d / %d processes = %.2f" % (
            lib["path"], got, n, procs, want))
    ok &= good
sys.exit(0 if ok else 1)
PY
}

"$PROG" "$T/u" >"$T/u.out" 2>"$T/u.err"
urc=$?
CHECK "untraced runs (exit $urc)" [ $urc -eq 0 ]
CHECK "untraced: 5 measurements" [ "$(ls "$T" | grep -c '^u\.[0-9]*$')" = 5 ]
CHECK "untraced: each worker's smaps Private_Dirty = its pagemap count" python3 -c "
import glob, sys
ok = True
for f in glob.glob(sys.argv[1] + '.[0-9]*'):
    l = {x.split()[1]: x.split()[-1] for x in open(f) if x.startswith('# ')}
    print('  %s (%s): smaps %s kB, pagemap %s pages' % (f.rsplit('/', 1)[1], l['role'], l['smaps'], l['pagemap']))
    if l['role'] == 'worker':
        ok &= int(l['smaps']) == 4 * int(l['pagemap']) > 0
sys.exit(0 if ok else 1)" "$T/u"
for mode in signal scan; do
	for how in launcher preload; do
		d=$T/$mode-$how
		mkdir -p "$d"
		start=$(date +%s)
		if [ $how = preload ]; then
			timeout 60 env COWTRACE_MODE=$mode COWTRACE_DIR="$d" LD_PRELOAD="$LIB" \
				"$PROG" "$d/snap" >"$d.out" 2>"$d.err"
		else
			COWTRACE_MODE=$mode timeout 60 "$COWTRACE" run -o "$d" -- "$PROG" "$d/snap" \
				>"$d.out" 2>"$d.err"
		fi
		rc=$?
		echo "  ($mode $how: $(( $(date +%s) - start ))s)"
		same_as_untraced "$mode $how" "$d" $rc $urc
		CHECK "$mode $how: 5 logs" [ "$(ls "$d" | grep -c '\.cwt$')" = 5 ]
		CHECK "$mode $how: 5 measurements" [ "$(ls "$d" | grep -c '^snap\.')" = 5 ]
		CHECK "$mode $how: report reads the logs" $ORACLE report-json "$d" "$d.json"
		CHECK "$mode $how: page entries unique" $ORACLE unique "$d.json"
		CHECK "$mode $how: every process, every object = its own pagemap" compare "$d.json" "$d"/snap.*
		CHECK "$mode $how: libraries[].per_process = pages outside teardown / processes" per_process "$d.json"
		"$REPORT" "$d" >"$d.table" 2>&1
		CHECK "$mode $how: the per-library table has a per-process column" \
			grep -qi 'per.\{0,2\}proc' "$d.table"
	done
done
done_test
