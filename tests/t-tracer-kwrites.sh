#!/bin/sh
# t-tracer-kwrites.sh - kernel writes into tracked globals through ioctl,
# prctl, syscall(), the CPU-time clocks, the LFS and _FORTIFY_SOURCE names
# and glibc functions that reach the kernel internally (oracle-kwrites.c).
# Without the tracer's help those calls fail with EFAULT; the traced output
# must equal the untraced one, and liboracle's pages must equal the pagemap
# oracle (no page claimed that the kernel did not write).
. tests/lib.sh
tracer_setup oracle-kwrites
need_report
need_python3

"$PROG" "$T/u.orc" >"$T/u.out" 2>"$T/u.err"
urc=$?
CHECK "untraced run works (exit $urc)" [ $urc -eq 0 ]
for mode in preload launcher; do
	d=$T/$mode
	mkdir -p "$d"
	if [ $mode = preload ]; then
		timeout 20 env COWTRACE_DIR=$d LD_PRELOAD=$LIB "$PROG" "$d.orc" >"$d.out" 2>"$d.err"
	else
		timeout 20 "$COWTRACE" run -o "$d" -- "$PROG" "$d.orc" >"$d.out" 2>"$d.err"
	fi
	same_as_untraced $mode "$d" $? $urc
	CHECK "$mode: report reads the log" $ORACLE report-json "$d" "$d.json"
	CHECK "$mode: liboracle pages = pagemap oracle" $ORACLE check "$d.json" liboracle.so "$d.orc"
	# every page the calls wrote is attributed to a system call
	CHECK "$mode: runtime pages written via system calls" python3 - "$d.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def vias(lib):
    return [str(p["via"]) for p in d["pages"]
            if p["library"].endswith(lib) and p["when"] == "runtime"]
lo, exe = vias("/liboracle.so"), vias("/oracle-kwrites")
print("liboracle:", len(lo), sorted(set(lo)))
print("executable:", len(exe), sorted(set(exe)))
# 19 calls write liboracle pages (3..21); oracle_dump stores to one .bss page
ok = sum(v.startswith("syscall:") for v in lo) == 19 and len(lo) <= 20
ok = ok and {"syscall:read", "syscall:getcwd", "syscall:readlink"} <= set(exe)
sys.exit(0 if ok else 1)
PY
done
done_test
