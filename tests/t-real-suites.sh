#!/bin/sh
# t-real-suites.sh - (h) the fast part of two established projects' own test
# suites, run untraced and traced (scripts/cowtrace run) with the same
# result for every test case (tests/suites/results.py compares them):
# CPython's regression tests on crashes in child interpreters
# (faulthandler), mmap, descriptors passed to children, signals and threads
# (tests/suites/cpython.sh --fast), and a handful of GLib's installed tests
# (arrays, hash tables, threads, main loop, spawning, iconv, regex, GObject
# signals).  The traced runs must have logged processes (else they prove
# nothing).  The long runs are `make suites` (docs/test-suites.md).
. tests/lib.sh
need_tracer
need_python3
ran=0

if [ -f /usr/lib/python3.11/test/test_faulthandler.py ] && [ -x /usr/bin/python3.11 ]; then
	ran=1
	tests/suites/cpython.sh --fast -o "$T/cpython" >"$T/cpython.txt" 2>&1
	rc=$?
	sed 's/^/  /' "$T/cpython.txt"
	CHECK "cpython: same result for every test case traced and untraced" [ $rc -eq 0 ]
	n=$(wc -l <"$T/cpython/u.res")
	CHECK "cpython: $n test cases ran (at least 60)" [ "$n" -ge 60 ]
	n=$(find "$T/cpython/logs" -name '*.cwt' | wc -l)
	CHECK "cpython: $n logs (the interpreters and their children were traced)" [ "$n" -ge 20 ]
else
	echo "no CPython regression tests (libpython3.11-testsuite): that part not run"
fi

if [ -d /usr/share/installed-tests/glib ]; then
	ran=1
	tests/suites/glib.sh -o "$T/glib" -t 60 array-test hash list strfuncs \
		thread spawn-singlethread convert regex signals >"$T/glib.txt" 2>&1
	rc=$?
	sed 's/^/  /' "$T/glib.txt"
	CHECK "glib: same result for every test case traced and untraced" [ $rc -eq 0 ]
	n=$(wc -l <"$T/glib/u.res")
	CHECK "glib: $n test cases ran (at least 200)" [ "$n" -ge 200 ]
	n=$(find "$T/glib/logs" -name '*.cwt' | wc -l)
	CHECK "glib: $n logs" [ "$n" -ge 10 ]
else
	echo "no GLib installed tests (libglib2.0-tests): that part not run"
fi
[ $ran = 1 ] || skip "neither CPython's nor GLib's tests are installed"
done_test
