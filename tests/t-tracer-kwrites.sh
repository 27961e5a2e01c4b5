#!/bin/sh
# t-tracer-kwrites.sh - kernel writes into tracked globals through ioctl,
# prctl, syscall(), the CPU-time clocks, the LFS and _FORTIFY_SOURCE names
# and glibc functions that reach the kernel internally (oracle-kwrites.c).
# Without the tracer's help those calls fail with EFAULT; the traced output
# must equal the untraced one, and liboracle's pages must equal the pagemap
# oracle (no page claimed that the kernel did not write: short reads into
# large global buffers dirty only the pages their result covers).
. tests/lib.sh
tracer_setup oracle-kwrites
need_report
need_python3

printf 0123456789 >"$T/short"
"$PROG" "$T/u.orc" "$T/short" >"$T/u.out" 2>"$T/u.err"
urc=$?
CHECK "untraced run works (exit $urc)" [ $urc -eq 0 ]
for mode in preload launcher; do
	d=$T/$mode
	mkdir -p "$d"
	if [ $mode = preload ]; then
		timeout 20 env COWTRACE_DIR=$d LD_PRELOAD=$LIB "$PROG" "$d.orc" "$T/short" >"$d.out" 2>"$d.err"
	else
		timeout 20 "$COWTRACE" run -o "$d" -- "$PROG" "$d.orc" "$T/short" >"$d.out" 2>"$d.err"
	fi
	same_as_untraced $mode "$d" $? $urc
	CHECK "$mode: tracing not stopped (seccomp probes are not filters)" \
		sh -c "! grep -q seccomp '$d.err'"
	CHECK "$mode: report reads the log" $ORACLE report-json "$d" "$d.json"
	CHECK "$mode: liboracle pages = pagemap oracle" $ORACLE check "$d.json" liboracle.so "$d.orc"
	# every page the calls wrote is attributed to a system call
	CHECK "$mode: runtime pages written via system calls" python3 - "$d.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def vias(lib, when="runtime"):
    return [str(p["via"] if when == "runtime" else p["unwatched_reason"]) for p in d["pages"]
            if p["library"].endswith(lib) and p["when"] == when]
lo, exe = vias("/liboracle.so"), vias("/oracle-kwrites")
print("liboracle:", len(lo), sorted(set(lo)))
print("executable:", len(exe), sorted(set(exe)))
print("liboracle unwatched pages:", vias("/liboracle.so", "unwatched"))
# 21 calls write liboracle pages (3..23), 6 short reads one page each;
# oracle_dump stores to one .bss page; page 26 is dirtied after its short
# read: left writable (the fault samples start then), found by a scan and
# named by its sample, a store (without samples it would be unwatched,
# short_read: t-tracer-writers checks that)
ok = sum(v.startswith("syscall:") for v in lo) == 27
ok = ok and len(lo) == 29 and lo.count("store") == 2 and vias("/liboracle.so", "unwatched") == []
ok = ok and {"syscall:read", "syscall:getcwd", "syscall:readlink"} <= set(exe)
sys.exit(0 if ok else 1)
PY
done
done_test
