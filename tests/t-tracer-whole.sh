#!/bin/sh
# t-tracer-whole.sh - each process's page set per object in the report =
# the process's own pagemap over every PT_LOAD page of that object (RELRO,
# GOT, code, .bss tail: the whole object as the kernel counts it), for every
# object it has loaded: a C++ library with 3,000 vtables (most of its
# private pages are relocated .data.rel.ro), libstdc++, libc, ld.so, libm,
# libgcc_s, liboracle, a dlopen'd plugin and the executable; the tracer's
# own libcowtrace and libunwind are left out (no untraced process has them).
# tests/whole-app.c snapshots with raw system calls just before _exit.
# One process (LD_PRELOAD and the launcher, default and scan backends), and
# a parent with two forked children (the parent writes pages all three
# shared after the fork: the copy it leaves is the children's, and the
# child that exits last has it alone: reported there, reason "shared").
. tests/lib.sh
tracer_setup whole-app libvtables.so
need_report
need_python3

compare() {     # compare REPORT_JSON SNAPSHOT...: per process, per object
	python3 tests/snapshot_check.py "$@"
}

# RELRO dominates: the untraced run's own snapshot
"$PROG" "$T/u" one >"$T/u.out" 2>&1
CHECK "untraced runs" [ $? -eq 0 ]
# PT_GNU_RELRO from libvtables' own program headers: the pages the loader
# relocated and then made read-only must be in the truth, hundreds of them
relro_pages() {	# relro_pages LIB SNAPSHOT...: dirty pages of LIB inside its RELRO
	python3 - "$@" <<'PY'
import struct, sys
lib = sys.argv[1]
with open(lib, "rb") as f:
    eh = f.read(64)
    phoff, = struct.unpack_from("<Q", eh, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", eh, 0x36)
    f.seek(phoff)
    ph = f.read(phentsize * phnum)
lo = hi = 0
for i in range(phnum):
    t, fl, off, va, pa, fs, ms, al = struct.unpack_from("<IIQQQQQQ", ph, i * phentsize)
    if t == 0x6474E552:
        lo, hi = va & ~4095, (va + ms) & ~4095
n = 0
for snap in sys.argv[2:]:
    for line in open(snap):
        if line.startswith("#") or not line.strip():
            continue
        path, v = line.split()
        n += path.endswith("/libvtables.so") and lo <= int(v, 16) < hi
print(n)
PY
}
n=$(relro_pages "$B/tests/libvtables.so" "$T"/u.[0-9]*)
echo "  untraced: $n libvtables pages dirty inside its PT_GNU_RELRO"
CHECK "untraced: hundreds of libvtables' RELRO pages are private (relocated vtables)" [ "${n:-0}" -ge 200 ]

for mode in signal scan; do
	for how in preload launcher; do
		d=$T/$mode-$how
		mkdir -p "$d"
		if [ $how = preload ]; then
			timeout 60 env COWTRACE_MODE=$mode COWTRACE_DIR="$d" LD_PRELOAD="$LIB" \
				"$PROG" "$d/snap" one >"$d.out" 2>"$d.err"
		else
			COWTRACE_MODE=$mode timeout 60 "$COWTRACE" run -o "$d" -- "$PROG" "$d/snap" one \
				>"$d.out" 2>"$d.err"
		fi
		CHECK "$mode $how: stdout = untraced" cmp -s "$T/u.out" "$d.out"
		CHECK "$mode $how: report reads the log" $ORACLE report-json "$d" "$d.json"
		CHECK "$mode $how: every object = the process's own pagemap" compare "$d.json" "$d"/snap.*
	done
done

# a parent and two children
"$PROG" "$T/uf" fork >"$T/uf.out" 2>&1
CHECK "fork untraced: exit 0" [ $? -eq 0 ]
for mode in signal scan; do
    for how in launcher preload; do
	d=$T/fork-$mode-$how
	mkdir -p "$d"
	if [ $how = preload ]; then
		timeout 60 env COWTRACE_MODE=$mode COWTRACE_DIR="$d" LD_PRELOAD="$LIB" \
			"$PROG" "$d/snap" fork >"$d.out" 2>"$d.err"
	else
		COWTRACE_MODE=$mode timeout 60 "$COWTRACE" run -o "$d" -- "$PROG" "$d/snap" fork \
			>"$d.out" 2>"$d.err"
	fi
	CHECK "fork $mode $how: exit 0" [ $? -eq 0 ]
	CHECK "fork $mode $how: stdout = untraced" cmp -s "$T/uf.out" "$d.out"
	CHECK "fork $mode $how: three snapshots" [ "$(ls "$d"/snap.* | wc -l)" = 3 ]
	CHECK "fork $mode $how: report reads the logs" $ORACLE report-json "$d" "$d.json"
	CHECK "fork $mode $how: every process, every object = its own pagemap" compare "$d.json" "$d"/snap.*
	# the parent's write leaves the old copy to both children (still
	# shared); the second child snapshots after the first is gone: it has
	# it alone, and its last scan reports it, reason "shared"
	CHECK "fork $mode $how: the copies the parent's writes left to the children are reported (shared)" \
		python3 - "$d.json" <<'EOF'
import json, sys
rep = json.load(open(sys.argv[1]))
parent = [p["pid"] for p in rep["processes"] if p["ppid"] not in {q["pid"] for q in rep["processes"]}]
kids = [p["pid"] for p in rep["processes"] if p["pid"] not in parent]
n = {k: sum(1 for p in rep["pages"] if p["pid"] == k and p["library"].endswith("liboracle.so")
            and (p.get("unwatched_reason") or p.get("exit_reason")) == "shared") for k in kids}
print("  shared pages in the children:", n)
sys.exit(0 if len(kids) == 2 and sum(n.values()) >= 2 else 1)
EOF
    done
done
done_test
