#!/bin/sh
# t-tracer-scan.sh - the scan backend (COWTRACE_MODE=scan: userfaultfd
# asynchronous write-protect + PAGEMAP_SCAN). Against the program's own
# pagemap oracle of liboracle (every PT_LOAD page):
#  - stores, read() and fread() into globals, three ways to end, LD_PRELOAD
#    and the launcher: the report's pages = the oracle, stdout = untraced,
#    the log says backend scan, and no SIGSEGV reaches the process (strace;
#    the same strace of the signal backend sees them: the check can fail);
#  - a parent and its child (oracle-fork): each process's pages = its oracle;
#  - as nobody while vm.unprivileged_userfaultfd is 0 (user-mode-only fd);
#  - under gdb: the program runs to its end (with signals gdb stops);
#  - userfaultfd refused by seccomp: one cowtrace: line, the signal backend
#    takes over, the pages still equal the oracle;
#  - every page has a phase.
. tests/lib.sh
tracer_setup oracle-cow oracle-fork deny-run
need_report
need_python3
command -v strace >/dev/null || skip "no strace (scripts/install-deps.sh test installs it)"
command -v gdb >/dev/null || skip "no gdb (scripts/install-deps.sh test installs it)"
FORK=$B/tests/oracle-fork
DENY=$B/tests/deny-run

backend_is() {   # backend_is JSON NAME: every process ran that backend
	python3 - "$1" "$2" <<'EOF'
import json, sys
rep = json.load(open(sys.argv[1]))
got = sorted({p.get("backend") for p in rep["processes"]})
print("  backends:", got)
sys.exit(0 if got == [sys.argv[2]] else 1)
EOF
}
all_phased() {   # every page of liboracle has a phase
	python3 - "$1" <<'EOF'
import json, sys
rep = json.load(open(sys.argv[1]))
bad = [p for p in rep["pages"] if p["phase"] not in ("startup", "main", "teardown")]
print("  pages without a phase:", len(bad), [(p["library"], p["vaddr"]) for p in bad[:4]])
sys.exit(1 if bad else 0)
EOF
}

for seed in 1 2 3; do
	case $seed in 1) how=return ;; 2) how=_exit ;; *) how=exit ;; esac
	"$PROG" $seed "$T/u$seed.orc" $how >"$T/u$seed.out" 2>&1
	for mode in preload launcher; do
		d=$T/$mode$seed
		mkdir -p "$d"
		if [ $mode = preload ]; then
			timeout 30 strace -f -qq -e trace=none -e signal=SIGSEGV -o "$d.strace" \
				env COWTRACE_MODE=scan COWTRACE_DIR=$d LD_PRELOAD=$LIB \
				"$PROG" $seed "$d.orc" $how >"$d.out" 2>"$d.err"
		else
			COWTRACE_MODE=scan timeout 30 strace -f -qq -e trace=none -e signal=SIGSEGV \
				-o "$d.strace" "$COWTRACE" run -o "$d" -- "$PROG" $seed "$d.orc" $how \
				>"$d.out" 2>"$d.err"
		fi
		CHECK "seed $seed $mode: stdout = untraced" cmp -s "$T/u$seed.out" "$d.out"
		CHECK "seed $seed $mode: no cowtrace: line" [ "$(grep -c '^cowtrace: [^0-9]' "$d.err")" = 0 ]
		CHECK "seed $seed $mode: no SIGSEGV delivered (strace)" [ "$(grep -c SIGSEGV "$d.strace")" = 0 ]
		CHECK "seed $seed $mode: report reads the log" $ORACLE report-json "$d" "$d.json"
		CHECK "seed $seed $mode: backend scan" backend_is "$d.json" scan
		CHECK "seed $seed $mode: liboracle pages = pagemap oracle" \
			$ORACLE check "$d.json" liboracle.so "$d.orc"
		CHECK "seed $seed $mode: page entries unique" $ORACLE unique "$d.json"
		CHECK "seed $seed $mode: every page has a phase" all_phased "$d.json"
	done
done

# the strace check can fail: the signal backend's first writes are SIGSEGVs
d=$T/signal
mkdir -p "$d"
timeout 30 strace -f -qq -e trace=none -e signal=SIGSEGV -o "$d.strace" \
	env COWTRACE_DIR=$d LD_PRELOAD=$LIB "$PROG" 1 "$d.orc" >/dev/null 2>&1
CHECK "signal backend: strace sees its SIGSEGVs" [ "$(grep -c SIGSEGV "$d.strace")" -gt 0 ]

# a parent and its child: each process's own pages
"$FORK" overlap "$T/uf.p" "$T/uf.c" >"$T/uf.out" 2>&1
d=$T/fork
mkdir -p "$d"
timeout 30 env COWTRACE_MODE=scan COWTRACE_DIR=$d LD_PRELOAD=$LIB "$FORK" overlap "$d.p" "$d.c" \
	>"$d.out" 2>"$d.err"
CHECK "fork: stdout = untraced" cmp -s "$T/uf.out" "$d.out"
CHECK "fork: two logs" [ "$(ls "$d" | grep -c '\.cwt$')" = 2 ]
CHECK "fork: report reads the logs" $ORACLE report-json "$d" "$d.json"
CHECK "fork: child's liboracle pages = child's oracle" $ORACLE check "$d.json" liboracle.so "$d.c"
CHECK "fork: parent's liboracle pages = parent's oracle" $ORACLE check "$d.json" liboracle.so "$d.p"

# unprivileged, with plain userfaultfd refused to it
d=$T/nobody
mkdir -p "$d"
chmod 777 "$d" "$T"
uu=$(cat /proc/sys/vm/unprivileged_userfaultfd 2>/dev/null)
echo "  vm.unprivileged_userfaultfd = $uu"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	cp "$T/u1.out" "$d.want"
	nprog=$PROG nlib=$LIB
	# a checkout nobody cannot reach (a clone in root's 0700 home): copies
	if ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$PROG" -a -r "$LIB"; then
		mkdir -p "$T/nobody-bin"
		cp "$PROG" "$B/tests/liboracle.so" "$LIB" "$T/nobody-bin/" && chmod -R a+rX "$T/nobody-bin"
		nprog=$T/nobody-bin/${PROG##*/} nlib=$T/nobody-bin/${LIB##*/}
		echo "  nobody cannot reach $ROOT: the program and the tracer copied to $T/nobody-bin"
	fi
	timeout 30 setpriv --reuid=65534 --regid=65534 --clear-groups \
		env COWTRACE_MODE=scan COWTRACE_DIR=$d LD_PRELOAD=$nlib "$nprog" 1 "$d/orc" return \
		>"$d.out" 2>"$d.err"
	CHECK "nobody: stdout = untraced" cmp -s "$d.want" "$d.out"
	CHECK "nobody: no cowtrace: line" [ "$(grep -c '^cowtrace:' "$d.err")" = 0 ]
	CHECK "nobody: report reads the log" $ORACLE report-json "$d" "$d.json"
	CHECK "nobody: backend scan" backend_is "$d.json" scan
	CHECK "nobody: liboracle pages = pagemap oracle" $ORACLE check "$d.json" liboracle.so "$d/orc"
fi

# gdb runs the program to its end (the signal backend's SIGSEGVs stop it)
for mode in scan signal; do
	d=$T/gdb-$mode
	mkdir -p "$d"
	timeout 60 gdb -nx -batch -ex "set environment LD_PRELOAD=$LIB" \
		-ex "set environment COWTRACE_DIR=$d" -ex "set environment COWTRACE_MODE=$mode" \
		-ex run --args "$PROG" 1 "$d.orc" return >"$d.out" 2>&1 </dev/null
	grep -q 'exited normally' "$d.out" && ran=yes || ran=no
	echo "  gdb, $mode backend: ran to its end: $ran"
	if [ $mode = scan ]; then
		CHECK "gdb scan: ran to its end, no SIGSEGV" \
			sh -c "[ $ran = yes ] && ! grep -q SIGSEGV '$d.out'"
		CHECK "gdb scan: report reads the log" $ORACLE report-json "$d" "$d.json"
		CHECK "gdb scan: liboracle pages = pagemap oracle" $ORACLE check "$d.json" liboracle.so "$d.orc"
	else
		CHECK "gdb signal: stopped by SIGSEGV (the check can fail)" grep -q SIGSEGV "$d.out"
	fi
done

# userfaultfd refused: one line, the signal backend takes over
d=$T/nouffd
mkdir -p "$d"
timeout 30 "$DENY" userfaultfd env COWTRACE_MODE=scan COWTRACE_DIR=$d LD_PRELOAD=$LIB "$PROG" 2 "$d.orc" exit \
	>"$d.out" 2>"$d.err"
CHECK "no userfaultfd: stdout = untraced" cmp -s "$T/u2.out" "$d.out"
CHECK "no userfaultfd: exactly one cowtrace: line" [ "$(grep -c '^cowtrace:' "$d.err")" = 1 ]
CHECK "no userfaultfd: ... naming userfaultfd and the fallback" \
	grep -Eq 'COWTRACE_MODE=scan: .*userfaultfd.*; using the signal backend' "$d.err"
CHECK "no userfaultfd: report reads the log" $ORACLE report-json "$d" "$d.json"
CHECK "no userfaultfd: backend signal" backend_is "$d.json" signal
CHECK "no userfaultfd: liboracle pages = pagemap oracle" $ORACLE check "$d.json" liboracle.so "$d.orc"
done_test
