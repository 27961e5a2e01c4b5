#!/bin/sh
# t-tracer-perf-ring.sh - perf mode's sample rings keep the newest samples,
# and a page whose sample was overwritten says so (writer_lost) instead of
# naming a wrong writer or none at all.  vma-app reads 20,000 pages of
# libvmabig.so's .data (read_pages: a read fault sample each, or fewer),
# then writes each of them once, front to back (write_pages: a write fault
# sample each), with no scan point in between.  Ground truth: the program's
# own pagemap oracle of libvmabig and its untraced output; the order of the
# writes is the program's.
#  - default ring (256 pages), no backtrace: stdout = untraced, pages =
#    oracle, at least 99% of libvmabig's run-time pages named, every named
#    page of the array named write_pages (never read_pages, whose earlier
#    sample on the same page is superseded), no writer_lost line;
#  - COWTRACE_PERF_PAGES=16: pages = oracle, some pages writer_lost; their
#    number = the library's writer_lost_pages; every run-time page without
#    an instruction is writer_lost (none silently missing); the named pages
#    are the newest written (all after every writer_lost page); the table
#    says "N run-time pages have no writer ... (writer_lost; raise
#    COWTRACE_PERF_PAGES)" with N the total;
#  - the default backtrace (16 frames: bigger samples, fewer in the ring):
#    pages = oracle and the same accounting, whatever is named.
. tests/lib.sh
tracer_setup vma-app libvmabig.so
need_report
need_python3

"$PROG" "$T/u.orc" 1 20001 read >"$T/u.out" 2>"$T/u.err"
CHECK "untraced runs" [ $? -eq 0 ]

# ring_check JSON TABLE MIN_NAMED_PERCENT LOST(some|none|any)
ring_check() {
	python3 - "$@" <<'PY'
import json, re, sys
rep = json.load(open(sys.argv[1]))
table = open(sys.argv[2]).read()
min_named, lost_want = float(sys.argv[3]), sys.argv[4]
ok = True
lib = [l for l in rep["libraries"] if l["path"].endswith("/libvmabig.so")]
pages = [p for p in rep["pages"] if p["library"].endswith("/libvmabig.so") and p["when"] == "runtime"]
named = [p for p in pages if p["ip"] is not None]
lost = [p for p in pages if p.get("writer_lost")]
silent = [p["vaddr"] for p in pages if p["ip"] is None and not p.get("writer_lost")]
wrong = [p for p in lost if p["ip"] is not None or p["writer"] is not None]
# the array's pages are written by write_pages; vmabig_touch writes one .bss page
writers = {}
for p in named:
    writers[p["writer"]] = writers.get(p["writer"], 0) + 1
print("  libvmabig run-time pages %d: named %d (%.2f%%), writer_lost %d, neither %d; writers %s" % (
    len(pages), len(named), 100.0 * len(named) / max(len(pages), 1), len(lost), len(silent), writers))
if len(lib) != 1:
    print("  libraries named libvmabig.so:", len(lib))
    sys.exit(1)
lib = lib[0]
print("  library: runtime_pages %s, writer_lost_pages %s" % (lib["runtime_pages"], lib.get("writer_lost_pages")))
if len(pages) < 20000:
    print("  fewer than the 20,000 pages written")
    ok = False
if silent:
    print("  run-time pages with neither writer nor writer_lost:", silent[:8])
    ok = False
if wrong:
    print("  writer_lost pages with a writer:", [(p["vaddr"], p["writer"]) for p in wrong[:4]])
    ok = False
if lib.get("writer_lost_pages") != len(lost):
    print("  writer_lost_pages %s, pages with writer_lost %d" % (lib.get("writer_lost_pages"), len(lost)))
    ok = False
if set(writers) - {"write_pages", "vmabig_touch"} or writers.get("vmabig_touch", 0) > 1:
    print("  a writer other than write_pages (and vmabig_touch's one page)")
    ok = False
if 100.0 * len(named) < min_named * len(pages):
    print("  fewer than %.0f%% named" % min_named)
    ok = False
arr = [int(p["vaddr"], 16) for p in named if p["writer"] == "write_pages"]
lv = [int(p["vaddr"], 16) for p in lost]
if lv and arr and max(lv) > min(arr):
    print("  a page written before a writer_lost page is named: the ring kept older samples (%s > %s)" % (
        hex(max(lv)), hex(min(arr))))
    ok = False
total = sum(l.get("writer_lost_pages") or 0 for l in rep["libraries"])
m = re.search(r"^(\d+) run-time pages have no writer: .*\(writer_lost; raise COWTRACE_PERF_PAGES\)$",
              table, re.M)
print("  table line:", m.group(0) if m else None)
if total and (not m or int(m.group(1)) != total):
    print("  the table does not say that %d pages have no writer" % total)
    ok = False
if not total and "writer_lost" in table:
    print("  a writer_lost line without writer_lost pages")
    ok = False
if (lost_want == "some" and not lost) or (lost_want == "none" and lost):
    print("  writer_lost pages: want %s" % lost_want)
    ok = False
sys.exit(0 if ok else 1)
PY
}

run=0
for what in "default ring:COWTRACE_BACKTRACE=0:99:none" \
	    "16-page ring:COWTRACE_BACKTRACE=0 COWTRACE_PERF_PAGES=16:0:some" \
	    "default ring, default backtrace::0:any"; do
	run=$((run + 1))
	name=${what%%:*} rest=${what#*:}
	vars=${rest%%:*} rest=${rest#*:}
	pct=${rest%%:*} lostw=${rest#*:}
	d=$T/run$run
	mkdir -p "$d"
	timeout 60 env $vars COWTRACE_MODE=perf COWTRACE_DIR="$d" LD_PRELOAD="$LIB" \
		"$PROG" "$d.orc" 1 20001 read >"$d.out" 2>"$d.err"
	CHECK "$name: exit 0" [ $? -eq 0 ]
	CHECK "$name: stdout = untraced" cmp -s "$T/u.out" "$d.out"
	CHECK "$name: no cowtrace: line" [ ! -s "$d.err" ]
	CHECK "$name: report reads the log" $ORACLE report-json "$d" "$d.json"
	"$REPORT" "$d" >"$d.table" 2>&1
	CHECK "$name: libvmabig pages = pagemap oracle" $ORACLE check "$d.json" libvmabig.so "$d.orc"
	CHECK "$name: writers from the newest samples, writer_lost for the others, counted" \
		ring_check "$d.json" "$d.table" $pct $lostw
done
done_test
