#!/bin/sh
# tests/suites/cpython.sh - part of CPython's own regression tests (Debian
# package libpython3.11-testsuite, for /usr/bin/python3.11) untraced and
# traced, per-test-case results compared.
#
#   tests/suites/cpython.sh [-o OUTDIR] [--fast] [TEST...]
#
# Runs `python3.11 -m test -j1 --junit-xml ... TEST...` (default: the tests
# in LONG below; --fast: the cases in FAST, a few seconds) first untraced,
# then under `scripts/cowtrace run -o OUTDIR/logs`, from an empty working
# directory.  OUTDIR/{u,t}.log hold regrtest's output, {u,t}.xml its JUnit
# results, {u,t}.res one "STATUS ID" line per test case; results.py compares
# them (cases listed in tests/suites/cpython-known.txt are shown but not
# counted).  Exit status 0 when every case has the same result in both runs.
set -u
here=$(cd "$(dirname "$0")" && pwd -P)
root=$(cd "$here/../.." && pwd -P)
PY=/usr/bin/python3.11
out=build/suites/cpython
fast=0
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=$2; shift 2 ;;
	--fast) fast=1; shift ;;
	--) shift; break ;;
	-*) echo "usage: $0 [-o OUTDIR] [--fast] [TEST...]" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ -x "$PY" ] && [ -f /usr/lib/python3.11/test/test_signal.py ] || {
	echo "cpython.sh: no $PY regression tests (install libpython3.11-testsuite)" >&2
	exit 77
}

# Signals, threads, subprocesses, mmap, crash handlers, fork and waiting,
# descriptors and polling, thread and process pools, ctypes,
# hashlib (OpenSSL): a few minutes untraced.  (Debian's package has no
# test_sqlite3; test_socket hung for 10 minutes untraced here, in accept4.)
LONG="test_signal test_threading test_thread test_threadsignals test_subprocess
test_mmap test_faulthandler test_fork1 test_wait4 test_select test_selectors
test_epoll test_poll test_os test_posix test_pty
test_concurrent_futures test_ctypes test_hashlib"

# The fast part (tests/t-real-suites.sh): real crashes in child interpreters
# (faulthandler), mmap, descriptors passed to children, signals.
FAST_TESTS="test_faulthandler test_mmap test_subprocess test_signal test_threading"
FAST_CASES="test_sigsegv test_sigbus test_sigfpe test_sigabrt test_read_null
test_fatal_error test_dump_traceback_threads test_register_chain
test_stack_overflow test_enable_file
*.MmapTests.*
test_pass_fds test_pass_fds_redirected test_close_fds test_close_fds_when_max_fd_is_lowered
test_communicate test_preexec test_invalid_args test_wait_timeout
test_run_abort test_send_signal test_kill
*.WakeupSignalTests.* *.PosixTests.* test_sigpending test_sigwait test_pthread_kill
test_pthread_sigmask test_sigwaitinfo_interrupted
*.ThreadTests.test_various_ops* *.ThreadTests.test_foreign_thread
*.ThreadTests.test_limbo_cleanup *.ThreadTests.test_join_from_self test_fork_at_exit"

# ... less the slow ones among them (a second or more each: sleeps)
FAST_IGNORE="*.test_pass_fds *.test_interprocess_signal *.test_wakeup_fd_during
*.test_wakeup_fd_early *.test_sigwait"

match=""
if [ $fast = 1 ]; then
	set -- $FAST_TESTS
	for c in $FAST_CASES; do match="$match -m $c"; done
	for c in $FAST_IGNORE; do match="$match -i $c"; done
elif [ $# -eq 0 ]; then
	set -- $LONG
fi

mkdir -p "$out"
out=$(cd "$out" && pwd -P)
rm -rf "$out/logs" "$out/work" "$out"/u.* "$out"/t.*
mkdir -p "$out/logs" "$out/work"

# A shell started in the background ignores SIGINT, and so would every test
# (test_signal and test_threading have cases that send it): default action
# again before regrtest starts, however this script was started.
DFL_INT='import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])'

# run MODE: the whole selection, untraced (u) or traced (t)
run() {
	mode=$1
	shift
	rm -rf "$out/work"
	mkdir -p "$out/work"
	start=$(date +%s)
	# shellcheck disable=SC2086 # $match is a list of options
	if [ "$mode" = u ]; then
		(cd "$out/work" && "$PY" -c "$DFL_INT" "$PY" -m test -j1 --junit-xml "$out/u.xml" $match "$@")
	else
		(cd "$out/work" && "$root/scripts/cowtrace" run -o "$out/logs" -- \
			"$PY" -c "$DFL_INT" "$PY" -m test -j1 --junit-xml "$out/t.xml" $match "$@")
	fi >"$out/$mode.log" 2>&1 </dev/null
	echo $? >"$out/$mode.rc"
	echo $(( $(date +%s) - start )) >"$out/$mode.secs"
}

run u "$@"
run t "$@"
rm -rf "$out/work"
for m in u t; do
	if [ -f "$out/$m.xml" ]; then
		python3 "$here/results.py" junit "$out/$m.xml" >"$out/$m.res"
	else
		: >"$out/$m.res"
	fi
done
echo "cpython: $PY ($("$PY" -c 'import sys; print(sys.version.split()[0])')), $# test files;" \
	"untraced exit $(cat "$out/u.rc") in $(cat "$out/u.secs")s," \
	"traced exit $(cat "$out/t.rc") in $(cat "$out/t.secs")s;" \
	"$(find "$out/logs" -name '*.cwt' | wc -l) logs"
grep -h 'cowtrace:' "$out/t.log" | sort | uniq -c | sed 's/^/  /' | head -n 5
python3 "$here/results.py" compare "$out/u.res" "$out/t.res" "$here/cpython-known.txt" || exit 1
[ "$(cat "$out/u.rc")" = "$(cat "$out/t.rc")" ] || { echo "exit status differs"; exit 1; }
