#!/bin/sh
# t-report-debuginfod.sh - symbols of a stripped library fetched by
# build-id from a debuginfod server (Debian's debuginfod -F, on 127.0.0.1
# and a free port, serving only the library's debug file).  Without
# DEBUGINFOD_URLS nothing is contacted and libdbg's local variables have no
# names; with it, they are named (compared with the debug file's own
# symbol table) and the file lands in DEBUGINFOD_CACHE_PATH.
. tests/lib.sh
tracer_setup dbg-app dbgsrv/libdbg.debug
need_report
need_python3
command -v debuginfod >/dev/null || skip "no debuginfod (scripts/install-deps.sh test installs it)"

"$COWTRACE" run -o "$T/run" -- "$PROG" >/dev/null 2>&1
CHECK "traced run" [ -n "$(ls "$T"/run/*.cwt 2>/dev/null)" ]
bid=$(readelf -n "$B/tests/dbglib/libdbg.so" | awk '/Build ID/ {print $3}')
names() {   # names JSON: libdbg.so's page symbols, sorted
	python3 -c "
import json, sys
rep = json.load(open(sys.argv[1]))
print(' '.join(sorted({(p['symbol'] or '-').split('+')[0] for p in rep['pages']
      if p['library'].endswith('libdbg.so') and p['when'] == 'runtime'})))" "$1"
}
want=$(readelf -sW "$B/tests/dbgsrv/libdbg.debug" | awk '$4 == "OBJECT" && $8 ~ /^dbg_local/ {print $8}' | sort | tr '\n' ' ' | sed 's/ $//')

# 1. no DEBUGINFOD_URLS: no names, no cache
env -u DEBUGINFOD_URLS DEBUGINFOD_CACHE_PATH="$T/cache0" "$REPORT" --format json \
	--debug-dir "$T/none" "$T/run" >"$T/plain.json" 2>"$T/plain.err"
got=$(names "$T/plain.json")
echo "  without a server: $got"
CHECK "without DEBUGINFOD_URLS: local variables not named" sh -c "! echo '$got' | grep -q dbg_local"
CHECK "without DEBUGINFOD_URLS: nothing fetched" [ ! -e "$T/cache0" ]

# 2. a server with the debug file
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$T/srv"
cp "$B/tests/dbgsrv/libdbg.debug" "$T/srv/"
debuginfod -F -d "$T/db.sqlite" -p "$port" -t 1 "$T/srv" >"$T/srv.log" 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null; wait $srv 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
ready=no
for i in $(seq 1 60); do
	if python3 -c "
import urllib.request, sys
try:
    urllib.request.urlopen('http://127.0.0.1:$port/buildid/$bid/debuginfo', timeout=2)
except Exception:
    sys.exit(1)"; then
		ready=yes
		break
	fi
	sleep 0.5
done
echo "  debuginfod on 127.0.0.1:$port ready: $ready"
CHECK "the server serves the debug file" [ $ready = yes ]
DEBUGINFOD_URLS=http://127.0.0.1:$port DEBUGINFOD_CACHE_PATH="$T/cache" "$REPORT" --format json \
	--debug-dir "$T/none" "$T/run" >"$T/fetched.json" 2>"$T/fetched.err"
got=$(names "$T/fetched.json")
echo "  with the server: $got (the debug file: $want)"
CHECK "with DEBUGINFOD_URLS: the local variables are named" [ "$got" = "$want" ]
CHECK "with DEBUGINFOD_URLS: the debug file is in DEBUGINFOD_CACHE_PATH" \
	[ -n "$(find "$T/cache" -name debuginfo -size +0 2>/dev/null)" ]
CHECK "no progress lines when stderr is not a terminal" [ ! -s "$T/fetched.err" ]
done_test
