#!/bin/sh
# t-real-python-mp.sh - (h) Debian's python3 (/usr/bin/python3, what a
# fresh Debian 12 has) using multiprocessing for real work: a fork Pool of 2
# workers hashing, sieving and json-encoding, a spawn Pool (fresh
# interpreters that exec), a Process with a Queue and a Pipe, shared ctypes
# Value/Array with a Lock, and a Manager (a server process talking over a
# socket).  Stdout, stderr (less "cowtrace:" lines) and exit status identical
# traced (LD_PRELOAD only; launcher) and untraced; every worker process was
# logged, with dirty pages of python3 and of the extension modules used.
. tests/lib.sh
. tests/real_lib.sh
need_tracer
need_report
need_python3
PY=/usr/bin/python3
[ -x "$PY" ] || skip "no $PY (package python3)"

cat >"$T/mp.py" <<'PYEOF'
import hashlib, json, multiprocessing as mp, os, sys, zlib

def work(n):
    h = hashlib.sha256()
    for i in range(2000):
        h.update(b"%d:%d" % (n, i))
    sieve = bytearray([1]) * (20000 + n)
    for p in range(2, int(len(sieve) ** 0.5) + 1):
        if sieve[p]:
            sieve[p * p::p] = bytes(len(sieve[p * p::p]))
    doc = json.dumps({"n": n, "primes": sum(sieve) - 2})
    return n, h.hexdigest()[:16], zlib.crc32(doc.encode()), doc

def child(q, conn, val, arr, lock):
    q.put(("queue", os.getpid() != os.getppid()))
    conn.send({"pipe": sum(range(100))})
    for _ in range(500):
        with lock:
            val.value += 1
    with arr.get_lock():      # read-modify-write: both children race
        for i in range(len(arr)):
            arr[i] = arr[i] * 2
    conn.close()

def main():
    with mp.get_context("fork").Pool(2) as pool:
        res = pool.map(work, range(24), chunksize=3)
    for r in res[:3] + res[-2:]:
        print("fork", *r)
    print("fork total", sum(r[2] for r in res) % 1000003)
    with mp.get_context("spawn").Pool(2) as pool:
        res = sorted(pool.imap_unordered(work, range(6)))
    print("spawn", [r[1] for r in res])
    ctx = mp.get_context("fork")
    q, (a, b) = ctx.Queue(), ctx.Pipe()
    val, arr, lock = ctx.Value("i", 0), ctx.Array("d", range(10)), ctx.Lock()
    procs = [ctx.Process(target=child, args=(q, b, val, arr, lock)) for _ in range(2)]
    for p in procs:
        p.start()
    got = sorted([q.get(), q.get()])
    msgs = [a.recv(), a.recv()]
    for p in procs:
        p.join()
    print("process", got, msgs, val.value, list(arr), [p.exitcode for p in procs])
    with ctx.Manager() as m:
        d, l = m.dict(), m.list()
        with ctx.Pool(2) as pool:
            pool.starmap(d.__setitem__, [("k%d" % i, i * i) for i in range(10)])
        l.extend(sorted(d.items()))
        print("manager", len(d), list(l)[:3])
    print("stderr line", file=sys.stderr)
    return 6

if __name__ == "__main__":
    sys.exit(main())
PYEOF

real_run u u "$PY" "$T/mp.py"
urc=$?
CHECK "untraced python3 exits 6 ($urc)" [ $urc -eq 6 ]
[ $urc -eq 6 ] || tail -5 "$T/u.err"
for mode in preload launcher; do
	real_run $mode $mode "$PY" "$T/mp.py"
	# 2 fork workers, 2 spawn workers, 2 processes, a manager, 2 more workers
	real_compare $mode $? $urc 9
	CHECK "$mode: pages of python3 and its extension modules" libs_traced "$T/$mode.json" \
		'/python3\.11$' '_hashlib' '_multiprocessing|_posixshmem|_ctypes' 'libcrypto'
done
done_test
