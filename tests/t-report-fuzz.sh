#!/bin/sh
# t-report-fuzz.sh - hundreds of randomly damaged logs (seeded): the report
# must neither crash nor hang nor print invalid JSON, whatever the bytes.
. tests/lib.sh
report_setup

python3 - "$REPORT" "$GEN" "$T" "${FUZZ_SEED:-1}" "${FUZZ_COUNT:-400}" <<'PYEOF'
import json, os, random, struct, subprocess, sys

report, gen, tmp, seed, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
rng = random.Random(seed)
libc = "/lib/x86_64-linux-gnu/libc.so.6"
spec = ["header pid=5 flags=1",
        "process pid=5 ppid=1 exe=/bin/x argv=a,b,c comm=x",
        "module id=1 flags=1 bias=0x555555554000 path=%s writable=4 ranges=0x555555560000-0x555555564000" % os.path.abspath(report),
        "module id=2 bias=0x7f0000000000 path=%s writable=9 ranges=0x7f00001d3000-0x7f00001e2000" % libc,
        "module id=3 bias=0x7fff00000000 path=linux-vdso.so.1 flags=2 reason=1"]
for i in range(12):
    spec.append("fault module=2 addr=%d ip=%d via=%d frames=%d,%d,%d" % (
        0x7f00001d3000 + i * 4096 + 8, 0x555555556000 + i, i, 0x555555556000 + i, 0x7f0000030000, 0x7f0000031000))
    spec.append("page module=%d kind=%d page=%d" % (1 + i % 2, 1 + i % 2, 0x555555560000 + i * 4096))
spec += ["note module=2 reason=6 text=hello", "unload module=3", "phase name=p", "exit status=0"]
base_path = os.path.join(tmp, "base.cwt")
subprocess.run([gen, base_path], input="\n".join(spec) + "\n", text=True, check=True)
base = open(base_path, "rb").read()
HDR = 4096

os.mkdir(os.path.join(tmp, "fz"))
for n in range(count):
    b = bytearray(base)
    kind = n % 5
    if kind == 0:                     # flip random bytes in the records
        for _ in range(rng.randint(1, 20)):
            b[rng.randrange(HDR, len(b))] = rng.randrange(256)
    elif kind == 1:                   # random value in a random aligned 32-bit field
        for _ in range(rng.randint(1, 4)):
            off = rng.randrange(HDR, len(b) - 4) & ~3
            b[off:off + 4] = struct.pack("<I", rng.choice([0, 1, 7, 8, 0xffff, 0x10000, 0x7fffffff,
                                                          0xffffffff, rng.randrange(1 << 32)]))
    elif kind == 2:                   # cut anywhere
        b = b[:rng.randrange(0, len(b))]
    elif kind == 3:                   # damage the header
        off = rng.randrange(8, 80)
        b[off] = rng.randrange(256)
    else:                             # random 16-bit fields (lengths, counts, types)
        for _ in range(rng.randint(1, 6)):
            off = rng.randrange(HDR, len(b) - 2) & ~1
            b[off:off + 2] = struct.pack("<H", rng.randrange(1 << 16))
    with open(os.path.join(tmp, "fz", "f%04d.cwt" % n), "wb") as f:
        f.write(b)

fails = 0
for fmt in ("json", "table", "csv"):
    for by in ("library", "symbol", "writer"):
        if fmt != "table" and by != "library":
            continue
        try:
            p = subprocess.run([report, "--format", fmt, "--by", by, os.path.join(tmp, "fz")],
                               capture_output=True, timeout=120)
        except subprocess.TimeoutExpired:
            print("FAIL: hang (%s)" % fmt)
            sys.exit(1)
        err = p.stderr.decode("utf-8", "replace")
        if p.returncode not in (0, 1) or "Sanitizer" in err or "runtime error" in err:
            print("FAIL: %s --by %s: exit %d\n%s" % (fmt, by, p.returncode, err[-3000:]))
            fails += 1
        elif fmt == "json":
            try:
                d = json.loads(p.stdout)
                if len(d["processes"]) < 1:
                    print("FAIL: no process survived the mutations")
                    fails += 1
            except ValueError as e:
                print("FAIL: invalid JSON: %s" % e)
                fails += 1
sys.exit(1 if fails else 0)
PYEOF
exit $?
