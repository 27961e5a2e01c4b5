#!/bin/sh
# t-tracer-perf.sh - writers without signals (COWTRACE_MODE=perf: the scan
# backend plus a minor-fault sampling event per thread).
#  - bt-oracle knows its own writing instructions and frame-pointer chains:
#    every first write's logged instruction is the program's, and every
#    logged frame is one of the program's, in order (a frame-pointer
#    callchain may skip the caller of a frameless leaf and the interrupted
#    pc of a signal frame, which the signal backend's unwinder does not);
#  - oracle-cow: the report's pages = the program's pagemap oracle, every
#    run-time page has a writer, the pages read() and fread() filled are
#    named after those calls, no SIGSEGV reaches the process;
#  - fds closes every descriptor and reuses the numbers mid-run, with a
#    forked child: both processes' pages = their oracles, all with writers;
#  - RLIMIT_NOFILE of 8: same output, pages = oracle;
#  - as nobody with 64 KiB of RLIMIT_MEMLOCK and a 4 MiB ring asked for: a
#    smaller ring, every page still named;
#  - perf_event_open refused by seccomp: one cowtrace: line, page sets
#    without writers, still = oracle.
. tests/lib.sh
tracer_setup oracle-cow bt-oracle deny-run fds
need_report
need_python3
command -v strace >/dev/null || skip "no strace (scripts/install-deps.sh test installs it)"
BT=$B/tests/bt-oracle
FDS=$B/tests/fds
DENY=$B/tests/deny-run

perf_run() {    # perf_run DIR CMD...: traced in perf mode, no backtrace limit set
	d=$1
	shift
	mkdir -p "$d"
	timeout 60 env COWTRACE_MODE=perf COWTRACE_DIR="$d" LD_PRELOAD="$LIB" "$@"
}

# every run-time page of liboracle has a writer (an instruction; its name
# needs symbols, which ld.so's lazy binding lacks without libc6-dbg); pages named in the
# program's own "pipe:"/"fread:" lines were written by read()
writers_check() {   # writers_check JSON STDOUT
	python3 - "$1" "$2" <<'EOF'
import json, re, sys
rep = json.load(open(sys.argv[1]))
out = open(sys.argv[2]).read()
pages = [p for p in rep["pages"] if p["library"].endswith("liboracle.so") and p["when"] == "runtime"]
nowriter = [p["vaddr"] for p in pages if p.get("ip") is None]
print("  liboracle run-time pages: %d, without a writer: %d %s" % (len(pages), len(nowriter), nowriter[:6]))
vias = {}
for p in pages:
    vias[p["via"]] = vias.get(p["via"], 0) + 1
print("  via:", vias)
ok = pages and not nowriter
# read() filled 3 pages from "bss page N" on, fread() more than 16 from "data page M" on
m = re.search(r"pipe: \d+ bytes into bss page (\d+)", out)
if m and not any((p["via"] or "").startswith("syscall:read") for p in pages):
    print("  no page is named after read()")
    ok = False
sys.exit(0 if ok else 1)
EOF
}

# 1. the program's own instructions and chains
"$BT" >"$T/bt-u.out" 2>&1
perf_run "$T/bt" env COWTRACE_BACKTRACE=16 "$BT" >"$T/bt.out" 2>"$T/bt.err"
CHECK "bt-oracle: exit 0" [ $? -eq 0 ]
CHECK "bt-oracle: nothing on stderr" [ ! -s "$T/bt.err" ]
CHECK "bt-oracle: each writer is the program's instruction, frames in its chain" \
	python3 - "$T/bt" "$T/bt.out" <<'EOF'
import re
import sys
sys.path.insert(0, "tests")
import glob
import bt_check
want = {}
for line in open(sys.argv[2]):
    f = line.split()
    if len(f) >= 3 and re.fullmatch(r"[a-z-]+", f[0]) and f[0] != "reader":
        try:
            want[int(f[1], 16)] = [int(x, 16) for x in f[2:]]
        except ValueError:
            pass
import rawlog
got, ips = {}, {}
for log in glob.glob(sys.argv[1] + "/*.cwt"):
    for addr, _via, frames in bt_check.faults(log):
        got[addr & ~4095] = frames
    for page, ip in rawlog.faults(log):
        ips[page] = ip
ok = True
for addr, chain in want.items():
    frames = got.get(addr & ~4095)
    if not frames:
        print("  %x: no fault record with frames" % addr); ok = False; continue
    ip = ips.get(addr & ~4095)
    if chain[0] and (frames[0] != chain[0] or ip != chain[0]):   # 0: a kernel write
        print("  %x: writer %x (frame 0 %x), the program's %x" % (addr, ip or 0, frames[0], chain[0])); ok = False
    # frames[1:] must follow the program's chain in order (a frame-pointer
    # walk may skip some of it); past its last frame (into libc) nothing
    # is checked
    rest, k, bad = chain[1:], 0, None
    for f in frames[1:]:
        if k == len(rest):
            break
        while k < len(rest) and rest[k] != f:
            k += 1
        if k == len(rest):
            bad = f
            break
        k += 1
    if bad is not None:
        print("  %x: frame %x not in the program's chain %s (logged %s)" % (addr, bad,
              [hex(c) for c in chain], [hex(x) for x in frames])); ok = False
print("  %d first writes checked" % len(want))
sys.exit(0 if ok and want else 1)
EOF

# 2. oracle-cow: pages, writers, kernel writes, no signal
for seed in 1 2; do
	"$PROG" $seed "$T/u$seed.orc" >"$T/u$seed.out" 2>&1
	d=$T/cow$seed
	mkdir -p "$d"
	timeout 60 strace -f -qq -e trace=none -e signal=SIGSEGV -o "$d.strace" \
		env COWTRACE_MODE=perf COWTRACE_DIR="$d" LD_PRELOAD="$LIB" "$PROG" $seed "$d.orc" \
		>"$d.out" 2>"$d.err"
	CHECK "seed $seed: stdout = untraced" cmp -s "$T/u$seed.out" "$d.out"
	CHECK "seed $seed: no cowtrace: line" [ ! -s "$d.err" ]
	CHECK "seed $seed: no SIGSEGV delivered (strace)" [ "$(grep -c SIGSEGV "$d.strace")" = 0 ]
	CHECK "seed $seed: report reads the log" $ORACLE report-json "$d" "$d.json"
	CHECK "seed $seed: liboracle pages = pagemap oracle" $ORACLE check "$d.json" liboracle.so "$d.orc"
	CHECK "seed $seed: every run-time page has its writer; read() named" writers_check "$d.json" "$d.out"
done

# 3. a program that closes every descriptor and reuses the numbers
d=$T/fds
perf_run "$d" "$FDS" "$d.orc" "$d.child" 50 >"$d.out" 2>"$d.err"
CHECK "fds: exit 0" [ $? -eq 0 ]
CHECK "fds: report reads the logs" $ORACLE report-json "$d" "$d.json"
CHECK "fds: parent's pages = its oracle" $ORACLE check "$d.json" liboracle.so "$d.orc"
CHECK "fds: child's pages = its oracle" $ORACLE check "$d.json" liboracle.so "$d.child"
CHECK "fds: every run-time page has its writer" writers_check "$d.json" "$d.out"

# 4. few descriptors
d=$T/nofile
mkdir -p "$d"
timeout 60 sh -c 'ulimit -n 8 && exec env COWTRACE_MODE=perf COWTRACE_DIR="$1" LD_PRELOAD="$2" "$3" 1 "$4"' \
	sh "$d" "$LIB" "$PROG" "$d.orc" >"$d.out" 2>"$d.err"
CHECK "RLIMIT_NOFILE 8: stdout = untraced" cmp -s "$T/u1.out" "$d.out"
CHECK "RLIMIT_NOFILE 8: report reads the log" $ORACLE report-json "$d" "$d.json"
CHECK "RLIMIT_NOFILE 8: pages = oracle" $ORACLE check "$d.json" liboracle.so "$d.orc"

# 5. an unprivileged user whose locked-memory limit refuses the ring asked
# for: a smaller one, every page still named
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	d=$T/memlock
	mkdir -p "$d" "$T/nobody-bin"
	chmod 777 "$d" "$T"
	cp "$PROG" "$B/tests/liboracle.so" "$LIB" "$T/nobody-bin/" && chmod -R a+rX "$T/nobody-bin"
	timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'ulimit -l 64 &&
		exec env COWTRACE_PERF_PAGES=1024 COWTRACE_MODE=perf COWTRACE_DIR="$1" \
		LD_PRELOAD="$2/libcowtrace.so" "$2/oracle-cow" 1 "$1/orc"' sh "$d" "$T/nobody-bin" \
		>"$d.out" 2>"$d.err"
	CHECK "nobody, 64 KiB of locked memory: stdout = untraced" cmp -s "$T/u1.out" "$d.out"
	CHECK "nobody, 64 KiB of locked memory: no cowtrace: line" [ ! -s "$d.err" ]
	CHECK "nobody, 64 KiB of locked memory: report reads the log" $ORACLE report-json "$d" "$d.json"
	CHECK "nobody, 64 KiB of locked memory: pages = oracle" $ORACLE check "$d.json" liboracle.so "$d/orc"
	CHECK "nobody, 64 KiB of locked memory: every run-time page has its writer" \
		writers_check "$d.json" "$d.out"
fi

# 6. perf_event_open refused
d=$T/denied
mkdir -p "$d"
timeout 60 "$DENY" perf_event_open env COWTRACE_MODE=perf COWTRACE_DIR="$d" LD_PRELOAD="$LIB" \
	"$PROG" 2 "$d.orc" >"$d.out" 2>"$d.err"
CHECK "no perf: stdout = untraced" cmp -s "$T/u2.out" "$d.out"
CHECK "no perf: exactly one cowtrace: line" [ "$(grep -c '^cowtrace:' "$d.err")" = 1 ]
CHECK "no perf: ... saying pages are found without writers" grep -q 'perf_event_open.*without writers' "$d.err"
CHECK "no perf: report reads the log" $ORACLE report-json "$d" "$d.json"
CHECK "no perf: pages = oracle" $ORACLE check "$d.json" liboracle.so "$d.orc"

# 7. started under a filter that kills for perf_event_open or userfaultfd
# (a service manager's SystemCallFilter): the calls are tried in a copy of
# the process first; the program runs to its end in every mode
for call in perf_event_open userfaultfd; do
	for mode in signal scan perf; do
		d=$T/kill-$call-$mode
		mkdir -p "$d"
		timeout 60 "$DENY" kill:$call env COWTRACE_MODE=$mode COWTRACE_DIR="$d" LD_PRELOAD="$LIB" \
			"$PROG" 2 "$d.orc" >"$d.out" 2>"$d.err"
		rc=$?
		CHECK "killing filter for $call, $mode: exit 0, stdout = untraced" \
			sh -c "[ $rc -eq 0 ] && cmp -s '$T/u2.out' '$d.out'"
		CHECK "killing filter for $call, $mode: at most one cowtrace: line" \
			[ "$(grep -c '^cowtrace:' "$d.err")" -le 1 ]
		CHECK "killing filter for $call, $mode: pages = oracle" \
			sh -c "$ORACLE report-json '$d' '$d.json' && $ORACLE check '$d.json' liboracle.so '$d.orc'"
	done
done
done_test
