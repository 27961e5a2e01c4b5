"""tests/bt_check.py LOGDIR ORACLE_OUT MAX - t-tracer-backtrace.sh's check.

Reads the fault records of the logs in LOGDIR directly (the raw frames, as
the tracer wrote them; not through cowtrace-report) and compares each with
the chain bt-oracle printed for the same address: the logged frames must
start with the expected ones, or equal the first MAX of them when the chain
is longer than the limit.  An expected frame 0 of 0 (a kernel write) must
be a call site inside reader().  Exit 1 with the differences."""
import glob
import struct
import sys

CT_REC_FAULT = 5
HEADER = struct.Struct("<8sII")           # magic, version, header_size
USED = struct.Struct("<Q")                # then used
REC = struct.Struct("<HHI")               # type, reserved, size
FAULT = struct.Struct("<IiQQQQHHI")       # module tid page addr ip t_ns via nframes reserved


def faults(path):
    data = open(path, "rb").read()
    magic, _, hsize = HEADER.unpack_from(data, 0)
    if magic != b"COWTRACE":
        raise SystemExit("%s: not a cowtrace log" % path)
    end = hsize + USED.unpack_from(data, HEADER.size)[0]
    off = hsize
    while off + REC.size <= min(end, len(data)):
        rtype, _, size = REC.unpack_from(data, off)
        if size < REC.size:
            break
        if rtype == CT_REC_FAULT:
            f = FAULT.unpack_from(data, off + REC.size)
            n = f[7]
            start = off + REC.size + FAULT.size
            frames = list(struct.unpack_from("<%dQ" % n, data, start))
            yield f[3], f[6], frames
        off += size


bad_setup = False


def main():
    logdir, out, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
    global bad_setup
    want, reader = {}, None
    for line in open(out):
        t = line.split()
        if t[0] == "reader":
            reader = (int(t[1], 16), int(t[2], 16))
        elif t[0].startswith("reload-same-address"):
            print("the second library %s at the first one's address" % ("is" if t[1] == "1" else "is NOT"))
        elif t[0] == "reload-missing":
            print("no bt-big.so / bt-small.so:", t[1])
            bad_setup = True
        else:
            want[int(t[1], 16)] = (t[0], [int(x, 16) for x in t[2:]])
    got = {}
    for log in glob.glob(logdir + "/*.cwt"):
        for addr, via, frames in faults(log):
            got[addr] = (via, frames)
    bad = 0
    for addr, (name, exp) in sorted(want.items(), key=lambda kv: kv[1][0]):
        if addr not in got:
            print("%s: no fault record for %#x" % (name, addr))
            bad += 1
            continue
        via, frames = got[addr]
        lim = limit
        if exp[0] == 0:                  # kernel write: a call site in reader()
            ok0 = bool(frames) and via != 0 and reader[0] < frames[0] < reader[1]
            exp, frames, lim = exp[1:], frames[1:], limit - 1
        else:
            ok0 = via == 0
        n = min(len(exp), lim)
        if not ok0 or frames[:n] != exp[:n] or (len(exp) >= lim and len(frames) != n):
            print("%s: logged %s\n   expected %s (limit %d)" %
                  (name, " ".join("%x" % a for a in frames), " ".join("%x" % a for a in exp), limit))
            bad += 1
        else:
            print("%s: %d frames as expected" % (name, n))
    sys.exit(1 if bad or bad_setup else 0)


if __name__ == "__main__":
    main()
