#!/bin/sh
# t-real-python-exact.sh - exact accounting on Debian's python3: the script
# imports ssl, sqlite3, decimal, ctypes and lzma and does a little work with
# each, then measures its own /proc/self/pagemap over every PT_LOAD page of
# every ELF object in /proc/self/maps (tests/pagemap_oracle.py: program
# headers read from the files, load bias from the maps; repeated until two
# measurements agree, since measuring allocates), writes the result with
# os.write on a pre-opened descriptor and calls os._exit(0).  Per object
# (libcrypto, libssl, libsqlite3, libffi, liblzma, libc, ld.so,
# the interpreter, the _ssl/_sqlite3/_decimal/_ctypes/_lzma extension
# modules...) the report's page set must equal that measurement exactly.
# Only the tracer's own objects (libcowtrace*, libunwind*) are left out: an
# untraced python3 has none of them.  liblzma is compared: the script
# loads it itself (import lzma), so it is the program's library too.
# LD_PRELOAD alone and the launcher (LD_AUDIT), signal and scan backends.
. tests/lib.sh
need_tracer
need_report
need_python3
PY=/usr/bin/python3
[ -x "$PY" ] || skip "no /usr/bin/python3"
PY=$("$PY" -c 'import os, sys; print(os.path.realpath(sys.executable))')

cat >"$T/subject.py" <<'PYEOF'
import os, sys
sys.path.insert(0, sys.argv[1])
import pagemap_oracle
import ctypes, decimal, hashlib, lzma, sqlite3, ssl

out = []
decimal.getcontext().prec = 50
out.append("decimal %s" % (decimal.Decimal(1) / decimal.Decimal(7)))
db = sqlite3.connect(":memory:")
db.execute("create table t (a integer, b text)")
db.executemany("insert into t values (?, ?)", ((i, "v%d" % (i % 13)) for i in range(3000)))
out.append("sqlite %r" % (db.execute("select count(*), sum(a), count(distinct b) from t").fetchone(),))
db.close()
ctx = ssl.create_default_context()
c, s = ssl.MemoryBIO(), ssl.MemoryBIO()
obj = ctx.wrap_bio(c, s, server_hostname="example.invalid")
try:
    obj.do_handshake()
except ssl.SSLWantReadError:
    out.append("ssl hello %s" % (s.pending > 100))
out.append("sha256 %s" % hashlib.sha256(b"cowtrace" * 999).hexdigest()[:16])
libc = ctypes.CDLL(None)
arr = (ctypes.c_int * 8)(*range(8, 0, -1))
CMP = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))
libc.qsort(arr, 8, ctypes.sizeof(ctypes.c_int), CMP(lambda a, b: a[0] - b[0]))
out.append("ctypes %r %d" % (list(arr), libc.strlen(b"exact")))
data = bytes(range(256)) * 64
out.append("lzma %s" % (lzma.decompress(lzma.compress(data)) == data))
print("\n".join(out))
sys.stdout.flush()

def measure_and_exit(fd):
    objs, text = pagemap_oracle.measure_stable()
    data = text.encode()
    while data:
        data = data[os.write(fd, data):]
    os._exit(0)

if len(sys.argv) > 2:   # fork: a child works and measures while the parent
    pid = os.fork()     # waits (blocked, writing nothing), then the parent
    if pid == 0:
        db = sqlite3.connect(":memory:")
        db.execute("create table u (x)")
        db.executemany("insert into u values (?)", ((i,) for i in range(500)))
        decimal.getcontext().prec = 20
        n = db.execute("select sum(x) from u").fetchone()[0] + int(decimal.Decimal(2).sqrt() * 10)
        hashlib.sha256(str(n).encode()).hexdigest()
        measure_and_exit(4)
    os.waitpid(pid, 0)
measure_and_exit(3)
PYEOF

run() {	# run HOW MODE DIR
	d=$3
	mkdir -p "$d"
	case $1 in
	none) timeout 60 "$PY" "$T/subject.py" "$ROOT/tests" >"$d.out" 2>"$d.err" 3>"$d.orc" ;;
	preload) timeout 60 env COWTRACE_MODE=$2 COWTRACE_DIR=$d LD_PRELOAD=$LIB \
		"$PY" "$T/subject.py" "$ROOT/tests" >"$d.out" 2>"$d.err" 3>"$d.orc" ;;
	launcher) COWTRACE_MODE=$2 timeout 60 "$COWTRACE" run -o "$d" -- \
		"$PY" "$T/subject.py" "$ROOT/tests" >"$d.out" 2>"$d.err" 3>"$d.orc" ;;
	esac
}

run none - "$T/u"
urc=$?
CHECK "untraced python3 runs (exit $urc)" [ $urc -eq 0 ]
[ $urc -eq 0 ] || tail -5 "$T/u.err"
# the measurement covers what this test is about
CHECK "the untraced measurement has dirty pages in each library of interest" python3 - "$T/u.orc" <<'PY'
import json, sys
orc = json.load(open(sys.argv[1]))
have = {}
for o in orc["objects"]:
    have[o["path"].rsplit("/", 1)[1]] = have.get(o["path"].rsplit("/", 1)[1], 0) + len(o["dirty"])
ok = orc["stable"]
# (Debian 12's _decimal has libmpdec built in: no libmpdec.so to list)
for want in ("libcrypto.so.3", "libssl.so.3", "libsqlite3", "libffi", "liblzma",
             "libc.so.6", "ld-linux", "_ssl.", "_sqlite3.", "_decimal.", "_ctypes.", "_lzma."):
    n = sum(v for k, v in have.items() if k.startswith(want))
    print("  %-16s %4d pages" % (want, n))
    ok &= n > 0
sys.exit(0 if ok else 1)
PY
for mode in signal scan; do
	for how in preload launcher; do
		d=$T/$mode-$how
		start=$(date +%s)
		run $how $mode "$d"
		rc=$?
		echo "  ($mode $how: $(( $(date +%s) - start ))s)"
		same_as_untraced "$mode $how" "$d" $rc $urc
		CHECK "$mode $how: report reads the log" $ORACLE report-json "$d" "$d.json"
		CHECK "$mode $how: page entries unique" $ORACLE unique "$d.json"
		CHECK "$mode $how: every object's pages = python's own pagemap (whole object)" \
			$ORACLE compare-all "$d.json" "$d.orc" 'libcowtrace*' 'libunwind*'
	done
done
# a forked child measures while its parent waits: its pages are those it
# copied by writing after the fork (the rest is still shared); the
# parent's are all its own again once the child is gone
for mode in signal scan; do
	d=$T/fork-$mode
	mkdir -p "$d"
	COWTRACE_MODE=$mode timeout 60 "$COWTRACE" run -o "$d" -- \
		"$PY" "$T/subject.py" "$ROOT/tests" fork >"$d.out" 2>"$d.err" 3>"$d.orc" 4>"$d.orc2"
	same_as_untraced "fork $mode" "$d" $? $urc
	CHECK "fork $mode: report reads the logs" $ORACLE report-json "$d" "$d.json"
	CHECK "fork $mode: the parent's pages = its own pagemap" \
		$ORACLE compare-all "$d.json" "$d.orc" 'libcowtrace*' 'libunwind*'
	CHECK "fork $mode: the child's pages = its own pagemap" \
		$ORACLE compare-all "$d.json" "$d.orc2" 'libcowtrace*' 'libunwind*'
done
done_test
