#!/bin/sh
# t-tracer-vma.sh - the VMA limit: libvmabig.so has 40,000 file-backed
# writable pages; vma-app writes every other one, so every traced first
# write splits a mapping (20,000 pages = 40,000 more mappings).  With the
# default vm.max_map_count and with a lowered one (root: saved and restored;
# skipped when /proc/sys/vm/max_map_count is not writable) the tracer must
# degrade for that library instead of failing: output, stderr (less
# cowtrace: lines) and status = untraced, at most one cowtrace: line, a
# vma_limit note for libvmabig.so, some pages recorded at run time before
# the degrade, and all of the library's pages in the report (run time +
# exit scan) = the program's own pagemap oracle.
# The budget counts what mprotect really costs: 20,000 neighbouring pages
# written front to back (each merges with the written page before it) are
# traced whole at the default limit.  COWTRACE_MAX_MAPS: a bad value is one
# cowtrace: line naming it, the program runs untraced (no log) with the
# same output; 200 with the scattered writes degrades the same way as the
# lowered limit, after at most 100 pages (2 mappings each).
. tests/lib.sh
tracer_setup vma-app libvmabig.so
need_report
need_python3

MMC=/proc/sys/vm/max_map_count
saved=$(cat $MMC 2>/dev/null) || skip "no $MMC"
LOW=10000
restore() { [ "$(cat $MMC)" = "$saved" ] || echo "$saved" >$MMC; }
trap 'restore; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
trap 'exit 1' INT TERM

"$PROG" "$T/u.orc" >"$T/u.out" 2>"$T/u.err"
urc=$?
CHECK "untraced runs (exit $urc)" [ $urc -eq 0 ]

# lowered: as low as the test may go without starving other processes
for limit in default low; do
	d=$T/$limit
	mkdir -p "$d"
	if [ $limit = low ]; then
		if ! (echo $LOW >$MMC) 2>/dev/null; then
			echo "cannot write $MMC: lowered-limit part skipped"
			continue
		fi
		"$PROG" "$T/ulow.orc" >"$T/ulow.out" 2>&1
		CHECK "low: untraced output with vm.max_map_count=$LOW = untraced" cmp -s "$T/u.out" "$T/ulow.out"
	fi
	timeout 60 env COWTRACE_DIR=$d LD_PRELOAD=$LIB "$PROG" "$d.orc" >"$d.out" 2>"$d.err"
	rc=$?
	restore
	echo "  vm.max_map_count now $(cat $MMC)"
	same_as_untraced "$limit" "$d" $rc $urc
	sed 's/^/    stderr: /' "$d.err" | head -3
	CHECK "$limit: at most one cowtrace: line" [ "$(grep -c '^cowtrace:' "$d.err")" -le 1 ]
	CHECK "$limit: report reads the log" $ORACLE report-json "$d" "$d.json"
	CHECK "$limit: libvmabig pages = pagemap oracle (run time + exit)" \
		$ORACLE check "$d.json" libvmabig.so "$d.orc"
	# default limit: 40,000 more mappings fit, but the budget (half of
	# what is left) stops before; the lowered limit must degrade
	CHECK "$limit: vma_limit degrade noted, pages before it recorded at run time, the rest at exit" \
		python3 -c '
import json, sys
rep = json.load(open(sys.argv[1]))
notes = [n for n in rep["notes"] if (n["library"] or "").endswith("libvmabig.so")]
pages = [p for p in rep["pages"] if p["library"].endswith("libvmabig.so")]
run = [p for p in pages if p["when"] == "runtime"]
ex = [p for p in pages if p["when"] == "unwatched"]
print("  notes:", [(n["reason"], n["text"]) for n in notes])
print("  runtime pages %d, unwatched pages %d, unwatched reasons %s" % (len(run), len(ex), sorted({p["unwatched_reason"] for p in ex})))
if not notes and sys.argv[2] == "default":
    ok = len(ex) == 0 and len(run) > 100
else:
    ok = [n["reason"] for n in notes] == ["vma_limit"] and len(run) > 100 and len(ex) > 100
    ok = ok and all(p["unwatched_reason"] == "vma_limit" for p in ex)
sys.exit(0 if ok else 1)' "$d.json" $limit
done

# front to back at the default limit: no degrade, every page seen written
"$PROG" "$T/u1.orc" 1 20001 >"$T/u1.out" 2>"$T/u1.err"
CHECK "front: untraced runs" [ $? -eq 0 ]
d=$T/front
mkdir -p "$d"
timeout 60 env COWTRACE_DIR=$d LD_PRELOAD=$LIB "$PROG" "$d.orc" 1 20001 >"$d.out" 2>"$d.err"
rc=$?
sed 's/^/    stderr: /' "$d.err" | head -3
CHECK "front: exit status $rc = 0, stdout and stderr = untraced (no cowtrace: line)" \
	[ $rc -eq 0 ] && cmp -s "$T/u1.out" "$d.out" && cmp -s "$T/u1.err" "$d.err"
CHECK "front: report reads the log" $ORACLE report-json "$d" "$d.json"
CHECK "front: libvmabig pages = pagemap oracle" $ORACLE check "$d.json" libvmabig.so "$d.orc"
CHECK "front: all 20,000 pages recorded at run time, no note, nothing found at exit" python3 -c '
import json, sys
rep = json.load(open(sys.argv[1]))
pages = [p for p in rep["pages"] if p["library"].endswith("libvmabig.so")]
run = [p for p in pages if p["when"] == "runtime"]
late = [p for p in pages if p["when"] not in ("runtime", "attach")]
print("  runtime pages %d, others %s, notes %s" % (len(run), sorted({p["when"] for p in late}),
      [(n["reason"], n["text"]) for n in rep["notes"]]))
sys.exit(0 if len(run) >= 20000 and not late and not rep["notes"] else 1)' "$d.json"

# bad COWTRACE_MAX_MAPS: one line naming it, untraced, same output
n=0
for v in bogus 0x -1 99999999999999999999; do
	for mode in preload audit; do
		n=$((n + 1))
		d=$T/bad$n
		mkdir -p "$d"
		audit=
		[ $mode = audit ] && audit=LD_AUDIT=$AUDIT
		timeout 60 env COWTRACE_DIR=$d COWTRACE_MAX_MAPS=$v LD_PRELOAD=$LIB $audit \
			"$PROG" "$d.orc" >"$d.out" 2>"$d.err"
		rc=$?
		sed 's/^/    stderr: /' "$d.err" | head -3
		CHECK "MAX_MAPS=$v $mode: exit status $rc, stdout = untraced" [ $rc -eq $urc ] && cmp -s "$T/u.out" "$d.out"
		CHECK "MAX_MAPS=$v $mode: stderr is one cowtrace: line naming COWTRACE_MAX_MAPS" \
			[ "$(wc -l <"$d.err")" = 1 ] && grep -q '^cowtrace: .*COWTRACE_MAX_MAPS' "$d.err"
		CHECK "MAX_MAPS=$v $mode: no log (untraced)" [ -z "$(ls "$d")" ]
	done
done

# a budget of 200 mappings with scattered writes (2 each); without fault
# samples (COWTRACE_PERF_PAGES=0), which would name the writers of some
# of the pages found by the scans
d=$T/max200
mkdir -p "$d"
timeout 60 env COWTRACE_DIR=$d COWTRACE_MAX_MAPS=200 COWTRACE_PERF_PAGES=0 LD_PRELOAD=$LIB "$PROG" "$d.orc" \
	>"$d.out" 2>"$d.err"
same_as_untraced "MAX_MAPS=200" "$d" $? $urc
sed 's/^/    stderr: /' "$d.err" | head -3
CHECK "MAX_MAPS=200: exactly one cowtrace: line" [ "$(grep -c '^cowtrace:' "$d.err")" -eq 1 ]
CHECK "MAX_MAPS=200: report reads the log" $ORACLE report-json "$d" "$d.json"
CHECK "MAX_MAPS=200: libvmabig pages = pagemap oracle (run time + exit)" \
	$ORACLE check "$d.json" libvmabig.so "$d.orc"
CHECK "MAX_MAPS=200: vma_limit noted after 1..100 run-time pages, the rest at exit" python3 -c '
import json, sys
rep = json.load(open(sys.argv[1]))
notes = [n["reason"] for n in rep["notes"] if (n["library"] or "").endswith("libvmabig.so")]
pages = [p for p in rep["pages"] if p["library"].endswith("libvmabig.so")]
run = [p for p in pages if p["when"] == "runtime"]
ex = [p for p in pages if p["when"] not in ("runtime", "attach")]
reasons = sorted({p["unwatched_reason"] for p in ex})
print("  notes %s, runtime pages %d, unwatched pages %d, reasons %s" % (notes, len(run), len(ex), reasons))
sys.exit(0 if notes == ["vma_limit"] and 0 < len(run) <= 100 and len(ex) > 19000
         and reasons == ["vma_limit"] else 1)' "$d.json"
done_test
