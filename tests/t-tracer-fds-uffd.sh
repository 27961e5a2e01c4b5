#!/bin/sh
# t-tracer-fds-uffd.sh - descriptors are the program's business, in the
# modes that keep one (COWTRACE_MODE=scan and perf: the userfaultfd; perf's
# sample rings keep none).  The programs list their descriptors and mark a
# userfaultfd "=uffd" (readlink of /proc/self/fd/N); the tracer's one is
# filtered out of the traced output, exactly one token a line at most,
# and anything else that differs from the untraced run is a failure.
#  - tests/fds.c (close_range, a close() loop, dup2 over 0, close(0), a
#    thread, a fork, 400 phase marks): stdout = untraced but for that one
#    descriptor, which sits at the soft RLIMIT_NOFILE minus 64 and is
#    close-on-exec; pages of both processes = their pagemap oracles;
#  - tests/fds-reuse.c puts a pipe on the very number the tracer's
#    userfaultfd had (after close_range closed it), writes through it before
#    a fork, in the child (whose tracer opens a userfaultfd of its own) and
#    after it: the pipe's data must come out whole, stdout = untraced but
#    for the child's own userfaultfd; pages of parent and child = their
#    oracles; in perf mode every run-time page has its writer;
#  - with `ulimit -n 32`: fds and oracle-cow behave as untraced (same
#    stdout, status, descriptor numbers) and pages = oracle.
. tests/lib.sh
tracer_setup fds fds-reuse oracle-cow
need_report
need_python3
FDS=$B/tests/fds
REUSE=$B/tests/fds-reuse
COW=$B/tests/oracle-cow

# unuffd TRACED OUT [NUMBER]: TRACED without the tracer's userfaultfd, one
# " N=uffd" / " NTYPEFLAGS=uffd" token a line at most, into OUT; with
# NUMBER, every such token must be that descriptor; an fcntl token must
# say close-on-exec
unuffd() {
	python3 - "$@" <<'PY'
import re, sys
src, dst = sys.argv[1], sys.argv[2]
want = sys.argv[3] if len(sys.argv) > 3 else None
ok, seen, out = True, set(), []
for line in open(src):
    toks = re.findall(r" (\S+)=uffd", line)
    if len(toks) > 1:
        print("  more than one userfaultfd on a line:", line.rstrip())
        ok = False
    for t in toks:
        m = re.fullmatch(r"(\d+|top)([a-z]*)", t)
        seen.add(m.group(1) if m else t)
        if m and m.group(2) and m.group(2) != "oe":
            print("  the userfaultfd is not an anonymous close-on-exec descriptor:", t)
            ok = False
    out.append(re.sub(r" \S+=uffd", "", line))
open(dst, "w").write("".join(out))
print("  userfaultfd numbers filtered out:", sorted(seen))
if want is not None and seen != {want}:
    print("  want exactly descriptor", want)
    ok = False
sys.exit(0 if ok else 1)
PY
}

writers_all() {     # writers_all JSON: every liboracle page after attach has a writer
	python3 - "$1" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
pages = [p for p in rep["pages"] if p["library"].endswith("liboracle.so") and p["when"] != "attach"]
bad = [(p["pid"], p["vaddr"], p["when"], p["unwatched_reason"]) for p in pages if p["ip"] is None]
print("  liboracle pages after attach: %d, without a writer: %d %s" % (len(pages), len(bad), bad[:6]))
sys.exit(0 if pages and not bad else 1)
PY
}

soft=$(ulimit -n)
case $soft in
unlimited) top=256 ;;
*) if [ "$soft" -gt 64 ]; then top=$((soft - 64)); else top=; fi ;;
esac
echo "  soft RLIMIT_NOFILE $soft: the tracer's userfaultfd expected at ${top:-(where opened)}"

"$FDS" "$T/u.orc" "$T/u.c" 400 >"$T/u.out" 2>"$T/u.err"
CHECK "fds untraced: exit 0" [ $? -eq 0 ]
"$REUSE" "$T/ru.orc" "$T/ru.c" >"$T/ru.out" 2>"$T/ru.err"
CHECK "fds-reuse untraced: exit 0" [ $? -eq 0 ]
CHECK "fds-reuse untraced: the pipe's data is whole" \
	grep -qzF "$(printf 'parent before the fork\nchild after the fork\nchild after a scan\nparent after the fork\n')" \
	"$T/ru.out"

for mode in scan perf; do
	d=$T/fds-$mode
	mkdir -p "$d"
	timeout 60 env COWTRACE_MODE=$mode COWTRACE_DIR="$d" LD_PRELOAD="$LIB" \
		"$FDS" "$d.orc" "$d.c" 400 >"$d.raw" 2>"$d.err"
	CHECK "fds $mode: exit 0" [ $? -eq 0 ]
	CHECK "fds $mode: no cowtrace: line, stderr = untraced" cmp -s "$T/u.err" "$d.err"
	CHECK "fds $mode: one userfaultfd, at the soft limit minus 64, close-on-exec" \
		unuffd "$d.raw" "$d.out" $top
	CHECK "fds $mode: stdout = untraced but for it" cmp -s "$T/u.out" "$d.out"
	cmp -s "$T/u.out" "$d.out" || diff "$T/u.out" "$d.out" | head -10
	CHECK "fds $mode: report reads the logs" $ORACLE report-json "$d" "$d.json"
	CHECK "fds $mode: parent's liboracle pages = its oracle" $ORACLE check "$d.json" liboracle.so "$d.orc"
	CHECK "fds $mode: child's liboracle pages = its oracle" $ORACLE check "$d.json" liboracle.so "$d.c"

	d=$T/reuse-$mode
	mkdir -p "$d"
	timeout 60 env COWTRACE_MODE=$mode COWTRACE_DIR="$d" LD_PRELOAD="$LIB" \
		"$REUSE" "$d.orc" "$d.c" >"$d.raw" 2>"$d.err"
	CHECK "fds-reuse $mode: exit 0" [ $? -eq 0 ]
	CHECK "fds-reuse $mode: no cowtrace: line" [ ! -s "$d.err" ]
	CHECK "fds-reuse $mode: the tracer's and the child's userfaultfd filtered, one a line" \
		unuffd "$d.raw" "$d.out"
	CHECK "fds-reuse $mode: stdout = untraced but for them (the pipe's data whole)" cmp -s "$T/ru.out" "$d.out"
	cmp -s "$T/ru.out" "$d.out" || diff "$T/ru.out" "$d.out" | head -10
	CHECK "fds-reuse $mode: report reads the logs" $ORACLE report-json "$d" "$d.json"
	CHECK "fds-reuse $mode: two processes" one_process_per_log "$d.json" "$d"
	CHECK "fds-reuse $mode: parent's liboracle pages = its oracle" $ORACLE check "$d.json" liboracle.so "$d.orc"
	CHECK "fds-reuse $mode: child's liboracle pages = its oracle" $ORACLE check "$d.json" liboracle.so "$d.c"
	if [ $mode = perf ]; then
		CHECK "fds-reuse perf: every page after attach has its writer (after the userfaultfd is gone too)" \
			writers_all "$d.json"
	fi
done

# few descriptors: the same numbers as untraced.  lim MODE DIR LIB CMD...:
# CMD under `ulimit -n 32`, traced in MODE into DIR (MODE -: untraced)
lim() {
	timeout 60 sh -c 'ulimit -n 32 || exit 99
		m=$1 d=$2 lib=$3
		shift 3
		[ "$m" = - ] && exec "$@"
		exec env COWTRACE_MODE=$m COWTRACE_DIR="$d" LD_PRELOAD="$lib" "$@"' sh "$@"
}
lim - - - "$FDS" "$T/lu.orc" "$T/lu.c" 400 >"$T/lu.out" 2>"$T/lu.err"
CHECK "ulimit -n 32: fds untraced: exit 0" [ $? -eq 0 ]
lim - - - "$COW" 3 "$T/lcu.orc" >"$T/lcu.out" 2>"$T/lcu.err"
CHECK "ulimit -n 32: oracle-cow untraced: exit 0" [ $? -eq 0 ]
for mode in scan perf; do
	d=$T/lim-$mode
	mkdir -p "$d"
	lim $mode "$d" "$LIB" "$FDS" "$d.orc" "$d.c" 400 >"$d.raw" 2>"$d.err"
	CHECK "ulimit -n 32, fds $mode: exit 0" [ $? -eq 0 ]
	CHECK "ulimit -n 32, fds $mode: stderr = untraced" cmp -s "$T/lu.err" "$d.err"
	CHECK "ulimit -n 32, fds $mode: one userfaultfd a line at most" unuffd "$d.raw" "$d.out"
	CHECK "ulimit -n 32, fds $mode: stdout = untraced but for it (same descriptor numbers)" \
		cmp -s "$T/lu.out" "$d.out"
	cmp -s "$T/lu.out" "$d.out" || diff "$T/lu.out" "$d.out" | head -10
	CHECK "ulimit -n 32, fds $mode: report reads the logs" $ORACLE report-json "$d" "$d.json"
	CHECK "ulimit -n 32, fds $mode: parent's pages = its oracle" $ORACLE check "$d.json" liboracle.so "$d.orc"
	CHECK "ulimit -n 32, fds $mode: child's pages = its oracle" $ORACLE check "$d.json" liboracle.so "$d.c"

	d=$T/limcow-$mode
	mkdir -p "$d"
	lim $mode "$d" "$LIB" "$COW" 3 "$d.orc" >"$d.out" 2>"$d.err"
	CHECK "ulimit -n 32, oracle-cow $mode: exit 0" [ $? -eq 0 ]
	CHECK "ulimit -n 32, oracle-cow $mode: stdout = untraced" cmp -s "$T/lcu.out" "$d.out"
	CHECK "ulimit -n 32, oracle-cow $mode: no cowtrace: line" [ ! -s "$d.err" ]
	CHECK "ulimit -n 32, oracle-cow $mode: report reads the log" $ORACLE report-json "$d" "$d.json"
	CHECK "ulimit -n 32, oracle-cow $mode: pages = oracle" $ORACLE check "$d.json" liboracle.so "$d.orc"
done
done_test
