#!/bin/sh
# t-report-copy.sh - copy relocations: a library variable copied into a PIE
# executable's .bss is reported as the library's ("libfoo.so:table (copy in
# executable)"), for run-time writes and for the page ld.so's copy dirtied.
# Also the relocation split of a page (relative against symbolic) on a tiny
# library whose relocations readelf lists.
. tests/lib.sh
report_setup readelf cc
[ "$(uname -m)" = x86_64 ] || exit 77

cat >"$T/foo.c" <<'C'
int counter = 1;
int table[3000] = { 1 };
C
cat >"$T/bar.c" <<'C'
int counter = 2;              /* also exported: libfoo comes first */
C
cat >"$T/main.c" <<'C'
extern int counter;
extern int table[];
int main(void) { counter++; table[2500]++; return 0; }
C
cat >"$T/rel.c" <<'C'
extern int ext_var;                       /* undefined: a symbolic relocation */
extern void ext_fn(void);
static int local[4];
int *ptrs[3] = { &local[0], &local[1], &local[2] };   /* three relative ones */
int *eptr = &ext_var;                     /* R_X86_64_64 (or GLOB_DAT) */
void (*fptr)(void) = ext_fn;
int get(void) { ext_fn(); return *eptr + ext_var; }   /* JUMP_SLOT, GLOB_DAT */
C
(cd "$T" && cc -O1 -fPIC -shared -o librel.so rel.c && cc -O1 -fPIC -shared -o libfoo.so foo.c && cc -O1 -fPIC -shared -o libbar.so bar.c &&
 cc -O1 -fPIE -pie -o main main.c -L. -lfoo -lbar -Wl,-rpath,'$ORIGIN') || exit 1
readelf -rW "$T/main" | grep -q 'R_X86_64_COPY.*table' || { echo "t-report-copy: the toolchain made no copy relocation"; exit 77; }

python3 - "$REPORT" "$GEN" "$T" "$COWTRACE" <<'PYEOF'
import json, os, re, subprocess, sys
sys.path.insert(0, "tests")
from report_helpers import *

report, gen, tmp, launcher = sys.argv[1:5]

# relocation split: readelf's list of librel.so's dynamic relocations, per page
rel = os.path.join(tmp, "librel.so")
want = {}
for line in readelf("-rW", rel).splitlines():
    m = re.match(r"^([0-9a-f]{16})\s+[0-9a-f]{16}\s+(R_X86_64_\w+)", line)
    if m and m.group(2) != "R_X86_64_NONE":
        page = int(m.group(1), 16) & ~4095
        r, s = want.get(page, (0, 0))
        relative = m.group(2) in ("R_X86_64_RELATIVE", "R_X86_64_IRELATIVE")
        want[page] = (r + relative, s + (not relative))
check(any(r >= 3 and s >= 1 for r, s in want.values()), "librel.so has a page with both kinds: %r" % want)
RB = 0x7f0000200000
rdir = os.path.join(tmp, "relrun")
os.mkdir(rdir)
gen_log(gen, os.path.join(rdir, "r.cwt"),
        ["module id=1 bias=%d path=%s buildid=%s writable=4" % (RB, rel, build_id(rel))] +
        ["page module=1 kind=1 phase=1 page=%d" % (RB + pg) for pg in sorted(want)])
rd = json.loads(subprocess.run([report, "--format", "json", rdir], capture_output=True, text=True).stdout)
got = {int(p["vaddr"], 16): (p["relocations_relative"], p["relocations_symbolic"]) for p in rd["pages"]}
check(got == want, "relocations split per page %r, readelf says %r" % (got, want))
check(all(p["relocations"] == p["relocations_relative"] + p["relocations_symbolic"] and
          p["attach_cause"] == "relocation" for p in rd["pages"]), "relocations = relative + symbolic")
L = rd["libraries"][0]
check(L["relocation_pages"] == len(want) == L["attach_pages"], "relocation_pages %r" % L)

# v2: every PT_LOAD page may be dirty (code, read-only data, RELRO): each
# gets the section readelf says covers most of it (writable ones first)
secs = []
for line in readelf("-SW", rel).splitlines():
    m = re.match(r"^\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+\S+\s+(\S*)", line)
    if m and "A" in m.group(5) and int(m.group(4), 16) and not ("T" in m.group(5) and m.group(2) == "NOBITS"):
        secs.append((m.group(1), int(m.group(3), 16), int(m.group(4), 16), "W" in m.group(5)))
def expect(page):
    best = None
    for name, a, n, w in secs:
        cover = min(a + n, page + 4096) - max(a, page)
        if cover > 0 and (best is None or (w, cover) > (best[1], best[2])):
            best = (name, w, cover)
    return best and best[0]
pages = sorted({a & ~4095 for _, a, n, _ in secs} | {(a + n - 1) & ~4095 for _, a, n, _ in secs})
gen_log(gen, os.path.join(rdir, "r.cwt"),
        ["header version=2", "module id=1 bias=%d path=%s buildid=%s writable=4" % (RB, rel, build_id(rel))] +
        ["page module=1 kind=3 reason=15 phase=2 page=%d" % (RB + pg) for pg in pages])
rd = json.loads(subprocess.run([report, "--format", "json", rdir], capture_output=True, text=True).stdout)
got = {int(p["vaddr"], 16): p["section"] for p in rd["pages"]}
want = {pg: expect(pg) for pg in pages}
print("  sections of librel.so's pages:", sorted((hex(k), v) for k, v in got.items()))
check(got == want and ".text" in got.values() and ".dynamic" in got.values() or
      (got == want and ".data.rel.ro" in got.values()), "sections of every PT_LOAD page %r, want %r" % (got, want))
check(all(p["unwatched_reason"] == "readonly" and p["phase"] == "main" for p in rd["pages"]),
      "unwatched pages, reason readonly, phase main")


exe, foo, bar = (os.path.join(tmp, n) for n in ("main", "libfoo.so", "libbar.so"))
copies = {}
for line in readelf("-rW", exe).splitlines():
    m = re.match(r"^([0-9a-f]{16})\s+[0-9a-f]{16}\s+R_X86_64_COPY\s+[0-9a-f]+\s+([^@\s]+)", line)
    if m:
        copies[m.group(2)] = int(m.group(1), 16)
check("counter" in copies and "table" in copies, "copy relocations %r" % copies)
MB, FB, BB = 0x555555554000, 0x7f0000000000, 0x7f0000100000
# a word of table on another page than counter
idx = next(i for i in (2999, 0, 1500) if (copies["table"] + 4 * i) & ~4095 != copies["counter"] & ~4095)
tab_write = copies["table"] + 4 * idx
mods = ["module id=1 flags=1 bias=%d path=%s buildid=%s writable=4" % (MB, exe, build_id(exe)),
        "module id=2 bias=%d path=%s buildid=%s writable=4" % (FB, foo, build_id(foo)),
        "module id=3 bias=%d path=%s buildid=%s writable=2" % (BB, bar, build_id(bar))]
spec = ["header pid=10 flags=1"] + mods + [
    "page module=1 kind=1 page=%d" % (MB + (copies["counter"] & ~4095)),
    "fault module=1 addr=%d ip=%d" % (MB + tab_write, MB + 0x1000),
]
os.mkdir(os.path.join(tmp, "syn"))
gen_log(gen, os.path.join(tmp, "syn", "a.cwt"), spec)
# the same with libbar loaded before libfoo: the copy is libbar's
spec2 = ["header pid=11 flags=1", mods[0], mods[2].replace("id=3", "id=2"), mods[1].replace("id=2", "id=3"),
         "fault module=1 addr=%d ip=%d" % (MB + copies["counter"], MB + 0x1000)]
gen_log(gen, os.path.join(tmp, "syn", "b.cwt"), spec2)

p = subprocess.run([report, "--format", "json", os.path.join(tmp, "syn")], capture_output=True, text=True)
check(p.returncode == 0 and p.stderr == "", "report: %d %r" % (p.returncode, p.stderr))
d = json.loads(p.stdout)
pages = {(q["pid"], q["when"]): q for q in d["pages"]}
q = pages.get((10, "runtime"), {})
want = "libfoo.so:table%s (copy in executable)" % ("+0x%x" % (4 * idx) if idx else "")
check(q.get("symbol") == want, "runtime write: %r, want %r" % (q.get("symbol"), want))
check(q.get("copy_relocation") is True and q.get("symbol_library") == foo, "copy flags %r" % q)
check(q.get("library") == exe and q.get("section") == ".bss", "page is the executable's .bss: %r" % q)
q = pages.get((10, "attach"), {})
check(q.get("symbol", "").startswith("libfoo.so:") and q.get("symbol", "").endswith(" (copy in executable)")
      and q.get("attach_cause") == "relocation", "attach page dirtied by the copy: %r" % q)
q = pages.get((11, "runtime"), {})
check(q.get("symbol") == "libbar.so:counter (copy in executable)" and q.get("symbol_library") == bar,
      "first loaded exporter wins: %r" % q.get("symbol"))
p = subprocess.run([report, "--by", "symbol", "--format", "json", os.path.join(tmp, "syn")],
                   capture_output=True, text=True)
keys = {g["key"]: g["dirty_pages"] for g in json.loads(p.stdout)["groups"]}
check(sum(keys.values()) == 3 and keys.get("libfoo.so:table (copy in executable)", 0) >= 1
      and all(k.endswith(" (copy in executable)") for k in keys), "--by symbol keys %r" % keys)

# the real thing, when the tracer is built: the copies are dirty at attach
lib = os.path.join(os.path.dirname(report), "libcowtrace.so")
if os.path.exists(lib):
    real = os.path.join(tmp, "real")
    r = subprocess.run([launcher, "run", "-o", real, "--", exe], capture_output=True, text=True,
                       env=dict(os.environ, COWTRACE_QUIET="1"))
    check(r.returncode == 0, "traced program: exit %d %s" % (r.returncode, r.stderr[-500:]))
    p = subprocess.run([report, "--format", "json", "--lib", "main", real], capture_output=True, text=True)
    d = json.loads(p.stdout) if p.returncode == 0 else {"pages": []}
    syms = {q["symbol"] for q in d["pages"]}
    check(any(s and s.startswith("libfoo.so:") and s.endswith("(copy in executable)") for s in syms),
          "real run: a copy-relocated page named after libfoo: %r" % syms)
finish()
PYEOF
