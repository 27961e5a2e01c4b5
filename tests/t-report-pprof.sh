#!/bin/sh
# t-report-pprof.sh - --format pprof decoded by protoc with the upstream
# profile.proto: sample types, totals equal to the dirty pages and bytes,
# every id resolvable, mappings with path and build-id, leaf-first stacks.
. tests/lib.sh
report_setup readelf
command -v protoc >/dev/null || { echo "t-report-pprof: no protoc (apt-get install protobuf-compiler)"; exit 77; }
PROTO=$(dpkg -L golang-github-google-pprof-dev 2>/dev/null | grep '/proto/profile.proto$' | head -n 1)
[ -n "$PROTO" ] || PROTO=$(find /usr/share -name profile.proto -path '*pprof*' 2>/dev/null | head -n 1)
[ -n "$PROTO" ] || { echo "t-report-pprof: no profile.proto (apt-get install golang-github-google-pprof-dev)"; exit 77; }
[ "$(uname -m)" = x86_64 ] || exit 77

python3 - "$REPORT" "$GEN" "$T" "$PROTO" <<'PYEOF'
import gzip, json, os, re, subprocess, sys
sys.path.insert(0, "tests")
from report_helpers import *

report, gen, tmp, proto = (os.path.abspath(a) for a in sys.argv[1:5])


def parse_text(text):
    """protoc's text format -> nested dicts of lists"""
    root, stack = {}, []
    cur = root
    for line in text.splitlines():
        line = line.strip()
        if line.endswith("{"):
            child = {}
            cur.setdefault(line[:-1].strip(), []).append(child)
            stack.append(cur)
            cur = child
        elif line == "}":
            cur = stack.pop()
        elif line:
            k, v = line.split(":", 1)
            v = v.strip()
            cur.setdefault(k, []).append(json.loads(v) if v.startswith('"') else
                                         v == "true" if v in ("true", "false") else int(v))
    return root


libc = LIBC
rbid, rf, rsec = elfinfo(report)
lbid, lf, lsec = elfinfo(libc)
MB, LB = 0x555555554000, 0x7f1234000000
main_ret = MB + rf["main"][0] + 10
inner = MB + rf["ct_report_build"][0] + 4
spec = ["header pid=30 flags=1",
        "module id=1 flags=1 bias=%d path=%s buildid=%s writable=8" % (MB, report, rbid),
        "module id=2 bias=%d path=%s buildid=%s writable=20" % (LB, libc, lbid),
        "page module=2 kind=1 page=%d" % (LB + (lsec[".got"] & ~4095)),
        "page module=2 kind=3 reason=4 page=%d" % (LB + (lsec[".bss"] & ~4095) + 8 * 4096)]
for i in range(3):
    spec.append("fault module=2 addr=%d ip=%d frames=%d,%d" % (LB + lsec[".data"] + i * 4096, inner, inner, main_ret))
spec.append("fault module=1 addr=%d ip=%d" % (MB + rsec[".bss"], main_ret))
os.mkdir(os.path.join(tmp, "run"))
gen_log(gen, os.path.join(tmp, "run", "a.cwt"), spec)
spec[0] = "header pid=31 flags=1"
gen_log(gen, os.path.join(tmp, "run", "b.cwt"), spec)
run = os.path.join(tmp, "run")

d = json.loads(subprocess.run([report, "--format", "json", run], capture_output=True, text=True).stdout)
npages = len(d["pages"])
check(npages == 12, "12 dirty pages in JSON, got %d" % npages)

out = os.path.join(tmp, "p.pb.gz")
with open(out, "wb") as f:
    p = subprocess.run([report, "--format", "pprof", run], stdout=f, stderr=subprocess.PIPE)
check(p.returncode == 0 and p.stderr == b"", "exit %d %r" % (p.returncode, p.stderr))
raw = gzip.open(out).read()
p = subprocess.run(["protoc", "--decode=perftools.profiles.Profile", "-I", os.path.dirname(proto), proto],
                   input=raw, capture_output=True)
check(p.returncode == 0 and not p.stderr, "protoc decodes it: %r" % p.stderr[:500])
prof = parse_text(p.stdout.decode())
S = prof.get("string_table", [])
check(S[:1] == [""], "string_table[0] is empty")
st = [(S[v["type"][0]], S[v["unit"][0]]) for v in prof.get("sample_type", [])]
check(st == [("dirty_pages", "count"), ("dirty_bytes", "bytes")], "sample types %r" % st)
samples = prof.get("sample", [])
tot = [sum(s["value"][i] for s in samples) for i in (0, 1)]
check(tot == [npages, npages * 4096], "totals %r, want [%d, %d]" % (tot, npages, npages * 4096))
locs = {l["id"][0]: l for l in prof.get("location", [])}
maps = {m["id"][0]: m for m in prof.get("mapping", [])}
funcs = {f["id"][0]: f for f in prof.get("function", [])}
check(all(i in locs for s in samples for i in s["location_id"]), "every location id resolves")
check(all(l.get("mapping_id", [0])[0] in maps for l in locs.values()), "every mapping id resolves")
check(all(ln["function_id"][0] in funcs for l in locs.values() for ln in l.get("line", [])), "every function id resolves")
bypath = {S[m["filename"][0]]: m for m in maps.values()}
check(set(bypath) == {report, libc}, "mappings %r" % set(bypath))
check(S[bypath.get(libc, {}).get("build_id", [0])[0]] == lbid, "libc mapping carries its build-id")


def stack(s):
    return [S[funcs[locs[i]["line"][0]["function_id"][0]]["name"][0]] if locs[i].get("line") else "?"
            for i in s["location_id"]]


def label(s, key):
    return [S[l["str"][0]] for l in s.get("label", []) if S[l["key"][0]] == key]


by = {}
for s in samples:
    k = (tuple(stack(s)), tuple(label(s, "when")), tuple(label(s, "library")))
    by[k] = by.get(k, 0) + s["value"][0]
want = {
    (("ct_report_build", "main"), ("runtime",), (libc,)): 6,     # leaf first
    (("main",), ("runtime",), (report,)): 2,
    (("(attach) libc.so.6",), ("attach",), (libc,)): 2,
    (("(unwatched) libc.so.6",), ("unwatched",), (libc,)): 2,
}
check(by == want, "samples by stack\n got %r\nwant %r" % (by, want))
check(prof.get("default_sample_type", [0])[0] and S[prof["default_sample_type"][0]] == "dirty_pages",
      "default sample type")
finish()
PYEOF
