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
done_test
