#!/bin/sh
# t-real-python.sh - (h) python3 with many extension modules loaded by dlopen
# (json, decimal, sqlite3, ssl, hashlib, ctypes, mmap, bz2, asyncio ...) runs
# traced (LD_PRELOAD only, and the launcher with LD_AUDIT) exactly as
# untraced: same stdout, same stderr except "cowtrace:" lines, same status.
# At its very end the script measures its own pagemap for every ELF object
# (tests/pagemap_oracle.py, until two measurements agree), writes the result
# with os.write on a pre-opened fd and calls os._exit(0); the report's pages
# per library (attach + runtime + exit) must equal that oracle, except the
# tracer's own libcowtrace*, libunwind*, liblzma*.
. tests/lib.sh
need_tracer
need_report
command -v python3 >/dev/null || skip "no python3"
[ "$(uname -m)" = x86_64 ] || skip "x86_64 only"
# Debian's interpreter (what CI has) when there is one, else the one on PATH;
# the interpreter itself, not a wrapper script (pyenv shims exec bash, env...
# in the same pid, which would mix several process images into one pid)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
PY=$("$PY" -c 'import os, sys; print(os.path.realpath(sys.executable))')
[ -x "$PY" ] || skip "cannot find the python3 executable"

cat >"$T/subject.py" <<'PYEOF'
import os, sys
sys.path.insert(0, sys.argv[1])
import pagemap_oracle
import ctypes                      # used by the oracle: load it before measuring
import asyncio, bz2, contextvars, decimal, hashlib, json, math, mmap, queue
import select, sqlite3, ssl, struct, tempfile, zlib

out = []
p = out.append
# json (_json)
doc = {"k%d" % i: [i, i * 1.5, str(i), None, True] for i in range(300)}
s = json.dumps(doc, sort_keys=True)
p("json %d %s" % (len(s), hashlib.sha256(s.encode()).hexdigest()[:16]))
p("json roundtrip %s" % (json.loads(s) == doc))
# decimal (_decimal, libmpdec)
decimal.getcontext().prec = 60
p("decimal sqrt2 %s" % decimal.Decimal(2).sqrt())
p("decimal sum %s" % sum(decimal.Decimal(1) / decimal.Decimal(i) for i in range(1, 200)))
# sqlite3 (_sqlite3, libsqlite3)
db = sqlite3.connect(":memory:")
db.execute("create table t (a integer, b text)")
db.executemany("insert into t values (?, ?)", ((i, "x%d" % (i % 17)) for i in range(2000)))
p("sqlite %r" % (db.execute("select count(*), sum(a), count(distinct b) from t").fetchone(),))
p("sqlite group %r" % db.execute("select b, count(*) from t group by b order by b limit 3").fetchall())
db.close()
# hashlib (_hashlib, libcrypto) and ssl (_ssl, libssl)
for name in ("md5", "sha1", "sha256", "sha512", "sha3_256", "blake2b"):
    p("%s %s" % (name, hashlib.new(name, b"cowtrace" * 1000).hexdigest()[:24]))
p("pbkdf2 %s" % hashlib.pbkdf2_hmac("sha256", b"pw", b"salt", 2000).hex()[:24])
ctx = ssl.create_default_context()
p("ssl %s %s %s" % (ssl.OPENSSL_VERSION.split()[0], ctx.verify_mode, ctx.check_hostname))
c, srv = ssl.MemoryBIO(), ssl.MemoryBIO()
obj = ctx.wrap_bio(c, srv, server_hostname="example.invalid")
try:
    obj.do_handshake()
except ssl.SSLWantReadError:
    p("ssl client hello %s" % (srv.pending > 100))
# math, struct, zlib, bz2 (_bz2, libbz2)
p("math %.12f %.12f %d" % (math.gamma(5.5), math.erf(0.3), math.comb(60, 30)))
data = struct.pack("<100I", *range(100)) * 50
p("zlib %08x %d" % (zlib.crc32(data), len(zlib.compress(data, 9))))
p("bz2 %d %s" % (len(bz2.compress(data)), bz2.decompress(bz2.compress(data)) == data))
# select, mmap
r, w = os.pipe()
os.write(w, b"ping")
p("select %r" % (select.select([r], [], [], 1)[0] == [r]))
pl = select.poll(); pl.register(r, select.POLLIN)
p("poll %d" % len(pl.poll(1000)))
os.close(r); os.close(w)
with tempfile.TemporaryFile() as f:
    f.write(b"a" * 10000 + b"needle" + b"b" * 10000); f.flush()
    m = mmap.mmap(f.fileno(), 0)
    p("mmap find %d" % m.find(b"needle"))
    m[0:4] = b"MMAP"; m.flush(); m.close()
    f.seek(0); p("mmap wrote %r" % f.read(4))
anon = mmap.mmap(-1, 1 << 20); anon[100:105] = b"hello"; p("anon %r" % anon[100:105]); anon.close()
# asyncio (_asyncio), queue (_queue), contextvars (_contextvars), ctypes (_ctypes, libffi)
async def work(n):
    await asyncio.sleep(0)
    return n * n
async def main():
    return sum(await asyncio.gather(*(work(i) for i in range(50))))
p("asyncio %d" % asyncio.run(main()))
q = queue.SimpleQueue(); [q.put(i) for i in range(10)]; p("queue %d" % sum(q.get() for _ in range(10)))
v = contextvars.ContextVar("v", default=3); p("contextvar %d" % contextvars.copy_context().run(v.get))
libc = ctypes.CDLL(None)
p("ctypes strlen %d" % libc.strlen(b"cowtrace"))
arr = (ctypes.c_int * 10)(*range(10, 0, -1))
CMP = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))
libc.qsort(arr, 10, ctypes.sizeof(ctypes.c_int), CMP(lambda a, b: a[0] - b[0]))
p("ctypes qsort %r" % list(arr))
print("\n".join(out))
sys.stdout.flush()
sys.stderr.write("python stderr line\n"); sys.stderr.flush()

# the very end: measure, write with os.write on fd 3, leave without cleanup
objs, text = pagemap_oracle.measure_stable()
data = text.encode()
while data:
    data = data[os.write(3, data):]
os._exit(0)
PYEOF

run() {	# run MODE NAME: python3 subject traced per MODE, oracle on fd 3
	d=$T/$2
	mkdir -p "$d"
	case $1 in
	none) timeout 30 "$PY" "$T/subject.py" "$ROOT/tests" >"$d.out" 2>"$d.err" 3>"$d.orc" ;;
	preload) timeout 30 env COWTRACE_DIR=$d LD_PRELOAD=$LIB "$PY" "$T/subject.py" "$ROOT/tests" \
		>"$d.out" 2>"$d.err" 3>"$d.orc" ;;
	launcher) timeout 30 "$COWTRACE" run -o "$d" -- "$PY" "$T/subject.py" "$ROOT/tests" \
		>"$d.out" 2>"$d.err" 3>"$d.orc" ;;
	esac
}

run none u
urc=$?
CHECK "untraced python3 runs (exit $urc)" [ $urc -eq 0 ]
[ $urc -eq 0 ] || sed 's/^/    /' "$T/u.err" | tail -5
for mode in preload launcher; do
	run $mode $mode
	rc=$?
	d=$T/$mode
	same_as_untraced $mode "$d" $rc $urc
	CHECK "$mode: report reads the log" $ORACLE report-json "$d" "$d.json"
	CHECK "$mode: page entries unique" $ORACLE unique "$d.json"
	CHECK "$mode: pages per library = python's own pagemap oracle" \
		$ORACLE compare-all "$d.json" "$d.orc" 'libcowtrace*' 'libunwind*' 'liblzma*'
done
done_test
