#!/bin/sh
# t-tracer-probecache.sh - the start-up probe's answer is kept in the log
# directory (.cowtrace-probe-<libc build-id>) and a later process of the
# same run uses it instead of forking a probe child; a threaded program
# then still runs as untraced with its pages equal to the pagemap oracle.
# A cache file that others may write, a truncated one, or one from a
# process that had dirtied libc pages clean here is not used (the probe
# runs again).  Probe children are counted with strace (a clone without
# CLONE_VM before the program's own threads).
. tests/lib.sh
tracer_setup oracle-threads
need_report
need_python3
command -v strace >/dev/null || skip "no strace"
libc=$(ldd "$PROG" | awk '$1 ~ /^libc\.so/ {print $3}')
[ -n "$libc" ] || skip "no libc in ldd $PROG"
bid=$(readelf -n "$(readlink -f "$libc")" | awk '/Build ID/ {print $3}')
d=$T/run
mkdir -p "$d"
cache=$d/.cowtrace-probe-$bid

"$PROG" 21 "$T/u.orc" >"$T/u.out" 2>&1
urc=$?

# run N: traced run of the threaded program under strace; sets forks
run() {
	strace -f -qq -o "$T/strace$1" -e trace=clone,clone3 \
		-E COWTRACE_DIR="$d" -E LD_PRELOAD="$LIB" "$PROG" 21 "$d/$1.orc" >"$d/$1.out" 2>"$d/$1.err"
	rc=$?
	# a clone that another thread's call interrupts is two lines, the
	# second "<... clone resumed>" without the flags: counted once
	forks=$(grep -v CLONE_VM "$T/strace$1" | grep -v 'resumed>' | grep -c 'clone')
	CHECK "run $1: exit status $rc = untraced $urc" [ $rc -eq $urc ]
	CHECK "run $1: stdout = untraced" cmp -s "$T/u.out" "$d/$1.out"
}

run 1
CHECK "run 1: one probe child ($forks)" [ "$forks" -eq 1 ]
CHECK "run 1: left $cache" [ -f "$cache" ]
run 2
CHECK "run 2: no probe child: the cache was used ($forks)" [ "$forks" -eq 0 ]
rm -f "$d"/*.cwt
run 3
CHECK "run 3: no probe child ($forks)" [ "$forks" -eq 0 ]
CHECK "run 3: report reads the log" $ORACLE report-json "$d" "$T/r3.json"
CHECK "run 3: liboracle pages = pagemap oracle" $ORACLE check "$T/r3.json" liboracle.so "$d/3.orc"

chmod g+w "$cache"
run 4
CHECK "run 4: group-writable cache not used ($forks)" [ "$forks" -eq 1 ]
CHECK "run 4: cache written again, not group-writable" [ -z "$(find "$cache" -perm -g+w)" ]

head -c 20 "$cache" >"$T/short" && cat "$T/short" >"$cache"
run 5
CHECK "run 5: truncated cache not used ($forks)" [ "$forks" -eq 1 ]

# the same answer, as if the prober had every libc page dirty already
python3 - "$cache" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
npages = struct.unpack_from("<I", b, 16)[0]
b[24:24 + npages] = b"\1" * npages
open(sys.argv[1], "wb").write(b)
PY
run 6
CHECK "run 6: cache from a process with more dirty libc pages not used ($forks)" [ "$forks" -eq 1 ]
run 7
CHECK "run 7: its own answer used again ($forks)" [ "$forks" -eq 0 ]
done_test
