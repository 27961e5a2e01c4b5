#!/bin/sh
# t-report-debuginfo.sh - symbols and lines of a stripped library from a
# separate debug file found by build-id under --debug-dir
# (DIR/.build-id/xx/yyyy.debug), and from MiniDebugInfo (.gnu_debugdata, made
# as Fedora's find-debuginfo does): static functions named, static variables
# not, no lines.  Truth: readelf and addr2line on the unstripped build.
. tests/lib.sh
report_setup readelf cc objcopy strip addr2line nm xz
[ "$(uname -m)" = x86_64 ] || exit 77
unset DEBUGINFOD_URLS
cat >"$T/w.c" <<'C'
int table[4096];
static int hidden[2048];

static void poke(int i)
{
	table[i] = i;
	hidden[i / 2] = i;
}

void caller(void)
{
	poke(2000);
	poke(3000);
}
#ifdef OTHER
int other_build;
#endif
C
D=$T/dbg
(cd "$T" && cc -g -O0 -fPIC -shared -o full.so w.c &&
 cc -g -O0 -DOTHER -fPIC -shared -o other.so w.c &&
 cp full.so stripped.so && strip --strip-all stripped.so &&
 objcopy --only-keep-debug full.so full.debug &&
 objcopy --only-keep-debug other.so other.debug) || exit 1
bid=$(readelf -n "$T/full.so" | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p')
obid=$(readelf -n "$T/other.so" | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p')
[ -n "$bid" ] && [ "$bid" != "$obid" ] || skip "t-report-debuginfo: no build-ids"
sub=$(echo "$bid" | cut -c1-2)/$(echo "$bid" | cut -c3-).debug
mkdir -p "$D/.build-id/${sub%/*}" "$T/empty" "$T/wrong/.build-id/${sub%/*}"
cp "$T/full.debug" "$D/.build-id/$sub"
cp "$T/other.debug" "$T/wrong/.build-id/$sub"       # right name, wrong build
# MiniDebugInfo as Fedora's find-debuginfo.sh (add_minidebug) makes it
(cd "$T" && cp stripped.so mini.so &&
 nm -D mini.so --format=posix --defined-only | awk '{ print $1 }' | sort >dynsyms &&
 nm full.debug --format=posix --defined-only |
	awk '{ if ($2 == "T" || $2 == "t" || $2 == "D") print $1 }' | sort >funcsyms &&
 comm -13 dynsyms funcsyms >keep &&
 objcopy -S --remove-section .gdb_index --remove-section .comment --keep-symbols=keep \
	full.debug mini.debug && xz mini.debug &&
 objcopy --add-section .gnu_debugdata=mini.debug.xz mini.so &&
 cp stripped.so bad.so && head -c 300 /dev/urandom >junk.xz && printf '\375\067zXZ\000' >>junk.xz &&
 objcopy --add-section .gnu_debugdata=junk.xz bad.so) || exit 1

python3 - "$REPORT" "$GEN" "$T" "$bid" <<'PYEOF'
import json, os, re, subprocess, sys
sys.path.insert(0, "tests")
from report_helpers import *

report, gen, tmp, bid = sys.argv[1:5]
full = os.path.join(tmp, "full.so")
syms = {s[0]: s for s in symbols(full)}
check("poke" in syms and "hidden" in syms and syms["poke"][4] != "UND", "test premise: poke, hidden")
check(not [s for s in symbols(os.path.join(tmp, "stripped.so")) if s[0] in ("poke", "hidden")],
      "test premise: the stripped file does not name poke or hidden")
poke, caller = syms["poke"], syms["caller"]
# the store into table: an address of poke with a line of its own
ip = next(a for a in range(poke[1] + 4, poke[1] + poke[2])
          if subprocess.run(["addr2line", "-e", full, "0x%x" % a], capture_output=True, text=True)
          .stdout.strip().endswith(":6"))
ret = caller[1] + caller[2] - 8                  # an address inside caller


def a2l(addr):
    out = subprocess.run(["addr2line", "-e", full, "0x%x" % addr], capture_output=True, text=True).stdout
    f, _, l = out.strip().rpartition(":")
    return "%s:%s" % (os.path.basename(f), l.split()[0])


LB = 0x7f0000000000


def report_of(lib, debug_dir):
    os.makedirs(os.path.join(tmp, "logs"), exist_ok=True)
    log = os.path.join(tmp, "logs", os.path.basename(lib) + ".cwt")
    gen_log(gen, log, [
        "header pid=5 flags=1",
        "module id=1 bias=%d path=%s buildid=%s writable=16" % (LB, lib, bid),
        "fault module=1 addr=%d ip=%d frames=%d,%d" % (LB + syms["table"][1] + 8000, LB + ip, LB + ip, LB + ret + 1),
        "fault module=1 addr=%d ip=%d" % (LB + syms["hidden"][1] + 4000, LB + ip)])
    p = subprocess.run([report, "--format", "json", "--debug-dir", debug_dir, log],
                       capture_output=True, text=True)
    check(p.returncode == 0, "%s: exit %d %s" % (lib, p.returncode, p.stderr))
    pages = {p["symbol"].split("+")[0] if p["symbol"] else None: p for p in json.loads(p.stdout)["pages"]}
    return pages


def line(s):
    """file:line of the report, the file's name only (addr2line's form)"""
    if not s:
        return s
    f, _, n = s.rpartition(":")
    return "%s:%s" % (os.path.basename(f), n)


def show(p):
    return {k: p.get(k) for k in ("symbol", "writer", "writer_line", "backtrace")}


stripped = os.path.join(tmp, "stripped.so")
# the debug file under --debug-dir: everything back
pages = report_of(stripped, os.path.join(tmp, "dbg"))
t = pages.get("table", {})
check(t.get("writer") == "poke" and line(t.get("writer_line")) == a2l(ip), "with the debug file: %r, want poke %s"
      % (show(t), a2l(ip)))
bt = t.get("backtrace", [])
check(len(bt) == 2 and bt[1]["function"] == "caller" and line("%s:%s" % (bt[1]["file"], bt[1]["line"])) == a2l(ret),
      "frame in caller with its line %s: %r" % (a2l(ret), bt))
check("hidden" in pages and pages["hidden"]["writer"] == "poke", "static variable named from .symtab: %r"
      % list(pages))
# a list of directories: the first without, the second with the file
pages = report_of(stripped, os.path.join(tmp, "empty") + ":" + os.path.join(tmp, "dbg"))
check(line(pages.get("table", {}).get("writer_line")) == a2l(ip), "--debug-dir A:B searches both")

# no debug file: only what .dynsym says
for what, d in (("no debug file", "empty"), ("a debug file of another build", "wrong")):
    pages = report_of(stripped, os.path.join(tmp, d))
    t = pages.get("table", {})
    check(t and re.fullmatch(r"stripped\.so\+0x[0-9a-f]+", t["writer"] or "") and t["writer_line"] is None,
          "%s: writer named LIBRARY+0xOFF, no line %r" % (what, show(t)))
    check(t and t["backtrace"][1]["function"] == "caller" and t["backtrace"][1]["line"] is None,
          "%s: caller from .dynsym, no line %r" % (what, t.get("backtrace")))
    check("hidden" not in pages and ".bss" in pages,
          "%s: the static variable unnamed (SECTION+0xOFF) %r" % (what, list(pages)))

# MiniDebugInfo: static functions, not static variables, no lines
pages = report_of(os.path.join(tmp, "mini.so"), os.path.join(tmp, "empty"))
t = pages.get("table", {})
check(t.get("writer") == "poke" and t.get("writer_line") is None, "MiniDebugInfo: writer poke, no line %r" % show(t))
check("hidden" not in pages and ".bss" in pages, "MiniDebugInfo: static variable not named %r" % list(pages))
# a broken .gnu_debugdata is ignored
pages = report_of(os.path.join(tmp, "bad.so"), os.path.join(tmp, "empty"))
check(re.fullmatch(r"bad\.so\+0x[0-9a-f]+", pages.get("table", {}).get("writer") or ""),
      "corrupt .gnu_debugdata: nothing from it (writer LIBRARY+0xOFF)")
finish()
PYEOF
