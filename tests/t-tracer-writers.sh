#!/bin/sh
# t-tracer-writers.sh - under the default (signal) backend, fault samples
# name the writers of the pages the backend leaves to its pagemap scans.
# tests/writers-app.c: a C++ library (libvtables, libstdc++), a dlopen'd
# plugin, a thread, a fork; libwriters.so is given up on (COWTRACE_MAX_MAPS
# too small for its scattered first writes), then late_writer_fn writes 50
# scattered pages of it in the parent (10 of them in a thread) and 20 in
# the child; after a short read() into a 16-page buffer of the executable
# (pages left writable by the tracer), after_read_fn writes two of them.
# Ground truth: each process's own pagemap over every object
# (tests/snapshot.h) and the untraced run's output.  LD_PRELOAD and the
# launcher:
#  - exit status, stdout and stderr (less cowtrace: lines) = untraced;
#  - every process, every object = its own pagemap snapshot;
#  - every dirty page is attach or has a writer (an instruction), except
#    a fork child's copy that the parent's write made the child's alone;
#  - those copies are reported unwatched, reason shared;
#  - late_area's pages name late_writer_fn, the two buffer pages
#    after_read_fn;
#  - with COWTRACE_PERF_PAGES=0 (no samples) the same pages, but those are
#    unwatched (vma_limit, short_read) without a writer: the check can fail.
. tests/lib.sh
tracer_setup writers-app libwriters.so libvtables.so oracle-plugin.so
need_report
need_python3
command -v nm >/dev/null || skip "no nm (binutils)"
LIBW=$B/tests/libwriters.so
MAPS=100        # libwriters' 120 scattered first writes need 240

wcheck() {      # wcheck CHECK DIR: tests/writers_check.py on DIR.json, DIR/snap.*
	python3 tests/writers_check.py "$1" "$2.json" "$LIBW" "$PROG" "$2"/snap.*
}

mkdir -p "$T/u"
"$PROG" "$T/u/snap" >"$T/u.out" 2>"$T/u.err"
urc=$?
CHECK "untraced runs (exit $urc)" [ $urc -eq 0 ]

for pages in default 0; do
	for how in preload launcher; do
		d=$T/$how-$pages
		mkdir -p "$d"
		pp=
		[ $pages = 0 ] && pp=COWTRACE_PERF_PAGES=0
		if [ $how = preload ]; then
			timeout 60 env $pp COWTRACE_MAX_MAPS=$MAPS COWTRACE_DIR="$d" LD_PRELOAD="$LIB" \
				"$PROG" "$d/snap" >"$d.out" 2>"$d.err"
		else
			timeout 60 env $pp COWTRACE_MAX_MAPS=$MAPS "$COWTRACE" run -o "$d" -- "$PROG" "$d/snap" \
				>"$d.out" 2>"$d.err"
		fi
		rc=$?
		t="$how, PERF_PAGES $pages"
		same_as_untraced "$t" "$d" $rc $urc
		CHECK "$t: two snapshots" [ "$(ls "$d"/snap.* | wc -l)" = 2 ]
		CHECK "$t: report reads the logs" $ORACLE report-json "$d" "$d.json"
		CHECK "$t: the program wrote what it says (snapshots)" wcheck subject "$d"
		CHECK "$t: every process, every object = its own pagemap" \
			python3 tests/snapshot_check.py "$d.json" "$d"/snap.*
		CHECK "$t: libwriters.so was given up (vma_limit note)" wcheck note "$d"
		if [ $pages = default ]; then
			CHECK "$t: every dirty page is attach or has a writer (but copies the parent left)" \
				wcheck all-written "$d"
			CHECK "$t: the copies the parent's writes left to the child are unwatched, shared" \
				wcheck shared "$d"
			CHECK "$t: late_area's pages name late_writer_fn, the buffer's after_read_fn" \
				wcheck named "$d"
		else
			CHECK "$t: those pages are unwatched (vma_limit, short_read), without writer" \
				wcheck unnamed "$d"
		fi
	done
done

# the events open only once the backend leaves a clean page to the scans:
# a plain program opens none (they cost every fault of the process); the
# subject above (a module given up, a fork child) does
n=$(env COWTRACE_DIR="$T" LD_PRELOAD="$LIB" strace -f -e trace=perf_event_open -o "$T/true.st" /bin/true; \
	grep -c '^[0-9]* *perf_event_open' "$T/true.st")
CHECK "/bin/true under the signal backend opens no sampling event ($n)" [ "$n" = 0 ]
d=$T/strace
mkdir -p "$d"
env COWTRACE_MAX_MAPS=$MAPS COWTRACE_DIR="$d" LD_PRELOAD="$LIB" strace -f -e trace=perf_event_open \
	-o "$d.st" "$PROG" "$d/snap" >/dev/null 2>&1
n=$(grep -c 'perf_event_open(.*= [0-9]' "$d.st")
CHECK "the subject opens sampling events once it needs them ($n)" [ "$n" -ge 2 ]
done_test
