#!/bin/sh
# t-report-pprof-go.sh - --format pprof read by pprof itself (`go tool pprof`
# from golang-go, or a `pprof` on PATH, e.g. built from Debian's
# golang-github-google-pprof-dev with GO111MODULE=off GOPATH=/usr/share/gocode
# go build github.com/google/pprof): `-top` of a traced run (the example)
# must account for every dirty page and byte, and each function's flat count
# must equal the pages whose stack ends in it in --format folded.
. tests/lib.sh
need_tracer
need_report
need_python3
if command -v go >/dev/null && go tool pprof -h >/dev/null 2>&1; then
	set -- go tool pprof
elif command -v pprof >/dev/null; then
	set -- pprof
else
	skip "t-report-pprof-go: no pprof (apt-get install golang-go for 'go tool pprof')"
fi
[ -x "$B/examples/demo" ] || skip "t-report-pprof-go: build the examples first (make all)"

"$COWTRACE" run -o "$T/run" -- "$B/examples/demo" 2 >"$T/run.out" 2>&1 || { cat "$T/run.out"; exit 1; }
# with the debug files the machine has (libc6-dbg names ld.so's functions)
# and without any: unsymbolized frames are LIBRARY+0xOFF in both formats
for v in debug nodebug; do
mkdir -p "$T/$v"
dbg=""
[ $v = nodebug ] && dbg="--debug-dir $T/no-debug-files"
echo "  $v"
# shellcheck disable=SC2086
env -u DEBUGINFOD_URLS "$REPORT" $dbg --format pprof "$T/run" >"$T/$v/p.pb.gz" || exit 1
# shellcheck disable=SC2086
env -u DEBUGINFOD_URLS "$REPORT" $dbg --format folded "$T/run" >"$T/$v/folded" || exit 1
# shellcheck disable=SC2086
env -u DEBUGINFOD_URLS "$REPORT" $dbg --format json "$T/run" >"$T/$v/j.json" || exit 1
# offline: no symbolization (the profile has function names), no network
export PPROF_TMPDIR="$T" HOME="$T"
for idx in dirty_pages dirty_bytes; do
	"$@" -symbolize=none -sample_index=$idx -top -nodecount=1000000 -nodefraction=0 \
		-edgefraction=0 "$T/$v/p.pb.gz" >"$T/$v/top.$idx" 2>"$T/$v/top.$idx.err"
	CHECK "$v: pprof -top -sample_index=$idx reads the profile" [ $? -eq 0 ]
	sed -n 1,8p "$T/$v/top.$idx"
done

python3 - "$T/$v" <<'PYEOF' || fails=$((fails + 1))
import json, os, re, sys
sys.path.insert(0, "tests")
from report_helpers import *

tmp = sys.argv[1]
d = json.load(open(os.path.join(tmp, "j.json")))
pages = len(d["pages"])
check(pages > 0, "the run has dirty pages")


def top(idx):
    text = open(os.path.join(tmp, "top." + idx)).read()
    m = re.search(r"Showing nodes accounting for (\S+), 100% of (\S+) total", text)
    rows = {}
    for line in text.splitlines():
        t = line.split(None, 5)
        if len(t) == 6 and t[1].endswith("%") and t[4].endswith("%"):
            rows[t[5]] = t[0]
    return m, rows, text


m, rows, text = top("dirty_pages")
check(m is not None and m.group(2) == str(pages), "pprof total %r, JSON %d pages\n%s"
      % (m and m.group(2), pages, text[:400]))
check("Type: dirty_pages" in text, "default sample type dirty_pages")
mb, _, textb = top("dirty_bytes")
want = pages * 4096
check(mb is not None and mb.group(2) in (str(want), "%gkB" % (want / 1024), "%gMB" % (want / 1048576),
                                          "%.2fMB" % (want / 1048576)),
      "dirty_bytes total %r, want %d bytes" % (mb and mb.group(2), want))

# flat per leaf function = pages whose folded stack ends in it
leaf = {}
for line in open(os.path.join(tmp, "folded")):
    stack, n = line.rsplit(" ", 1)
    lib, _, fn = stack.split(";")[-1].partition(":")
    name = "%s %s" % (fn, lib) if fn.startswith("(") else fn
    if not fn.startswith("0x"):
        leaf[name] = leaf.get(name, 0) + int(n)
got = {k: int(v) for k, v in rows.items() if int(v) and not k.startswith("0x")}
check(got == leaf, "flat per function\n pprof  %r\n folded %r" % (sorted(got.items()), sorted(leaf.items())))
check(any(k.startswith("(attach) ") for k in got) and "counter_bump" in got,
      "made-up attach frames and the example's writers are there: %r" % sorted(got))
finish()
PYEOF
done
done_test
