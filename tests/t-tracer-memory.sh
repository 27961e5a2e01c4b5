#!/bin/sh
# t-tracer-memory.sh - the application changes the memory of tracked pages
# itself (tests/memory-app.c over liboracle's pages):
#  prot:     mprotect read-only / none / back to read-write of clean and
#            written pages, and failing calls; the program's SIGSEGV handler
#            must see exactly the faults it sees untraced, read() into a
#            read-only page must fail with EFAULT as untraced; a fork child
#            (watched again by the tracer) must fault on the pages the
#            application protected and not on others next to an unmapped one
#  unmap:    munmap + anonymous MAP_FIXED at the same address, mmap MAP_FIXED
#            straight over tracked pages, mremap of tracked pages elsewhere:
#            nothing of the tracer touches the new memory (no fault record,
#            no unprotect of a read-only replacement, moved pages writable)
#  dontneed: madvise(MADV_DONTNEED) of written pages makes them clean
#            (program's own pagemap); written again they are dirty again
#            and must be counted (pages = oracle); a read() blocked into
#            such a page while it is made clean must not fail (stdout)
# Each: stdout, stderr and status = untraced; the report's liboracle pages
# = the union of the program's pagemap oracles taken along the way.
. tests/lib.sh
tracer_setup memory-app
need_report
need_python3

for sc in prot unmap dontneed; do
	case $sc in
	prot) args1="$T/u-$sc.1" ;;
	*) args1="$T/u-$sc.1 $T/u-$sc.2" ;;
	esac
	"$PROG" $sc $args1 >"$T/u.out" 2>"$T/u.err"
	urc=$?
	CHECK "$sc: untraced runs (exit $urc)" [ $urc -eq 0 ]
	for mode in preload launcher; do
		d=$T/$sc-$mode
		mkdir -p "$d"
		case $sc in
		prot) args="$d.1" ;;
		*) args="$d.1 $d.2" ;;
		esac
		if [ $mode = preload ]; then
			timeout 20 env COWTRACE_DIR=$d LD_PRELOAD=$LIB "$PROG" $sc $args >"$d.out" 2>"$d.err"
		else
			timeout 20 "$COWTRACE" run -o "$d" -- "$PROG" $sc $args >"$d.out" 2>"$d.err"
		fi
		same_as_untraced "$sc $mode" "$d" $? $urc
		CHECK "$sc $mode: report reads the log" $ORACLE report-json "$d" "$d.json"
		CHECK "$sc $mode: page entries unique" $ORACLE unique "$d.json"
		CHECK "$sc $mode: liboracle pages = union of the pagemap oracles" \
			$ORACLE check "$d.json" liboracle.so $args
	done
	if [ $sc = prot ]; then
		# R: a clean page given its own protection back stays watched
		CHECK "prot: page R (written after mprotect read-write) is a runtime page by write_r" \
			python3 -c '
import json, sys
rep = json.load(open(sys.argv[1]))
hits = [p for p in rep["pages"] if p["library"].endswith("liboracle.so") and p["when"] == "runtime" and p["writer"] == "write_r"]
print("  pages written by write_r:", [p["vaddr"] for p in hits])
sys.exit(0 if len(hits) == 1 else 1)' "$T/prot-preload.json"
	fi
done
done_test
