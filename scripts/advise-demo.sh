#!/bin/sh
# scripts/advise-demo.sh - `make advise-demo`: cowtrace advise, predicted
# and then verified.  libscatter.so (examples/libscatter.c: 64 counters on
# 64 pages among tables that are only read) is traced under a prefork-style
# program, advise predicts how few pages the counters need packed and
# writes lld's symbol ordering file, the library is linked again with that
# order, and a second traced run measures the pages.  Prints both; exits 1
# when the measured pages pass the prediction by more than one page.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CC=${CC:-cc}
out=$BUILD/advise-demo
rm -rf "$out"
mkdir -p "$out"
command -v ld.lld >/dev/null || { echo "advise-demo: needs lld (scripts/install-deps.sh test)" >&2; exit 2; }

lib() {   # lib [LDFLAGS...]: (re)link libscatter.so with lld
	$CC -O2 -g -fPIC -fdata-sections -shared -fuse-ld=lld -o "$out/libscatter.so" \
		examples/libscatter.c "$@"
}
lib
$CC -O2 -o "$out/scatter-demo" examples/scatter-demo.c -L"$out" -lscatter -Wl,-rpath,'$ORIGIN'

# pages of libscatter's .data first written at run time, per process (the
# largest): the counters' pages
measure() {
	"$BUILD/cowtrace-report" --format json --lib libscatter.so "$1" | python3 -c '
import json, sys
pages = {}
for p in json.load(sys.stdin)["pages"]:
    if p["when"] == "runtime" and (p["section"] or "").startswith(".data"):
        pages.setdefault(p["pid"], set()).add(p["vaddr"])
print(max((len(v) for v in pages.values()), default=0))'
}

echo "== 1. traced as built: scripts/cowtrace run -o $out/run1 -- $out/scatter-demo 2"
./scripts/cowtrace run -o "$out/run1" -- "$out/scatter-demo" 2
before=$(measure "$out/run1")
echo
echo "== 2. cowtrace advise --lib libscatter.so --emit-symbol-order $out/order.txt $out/run1"
"$BUILD/cowtrace-report" advise --lib libscatter.so --emit-symbol-order "$out/order.txt" \
	--emit-section-order "$out/sections.txt" "$out/run1"
predicted=$("$BUILD/cowtrace-report" advise --format json --lib libscatter.so "$out/run1" |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["libraries"][0]["packed_pages"])')
echo "== 3. linked again with -Wl,--symbol-ordering-file=$out/order.txt ($(wc -l <"$out/order.txt") symbols)"
lib -Wl,--symbol-ordering-file="$out/order.txt"
echo "== 4. traced again"
./scripts/cowtrace run -o "$out/run2" -- "$out/scatter-demo" 2
after=$(measure "$out/run2")
echo
printf 'libscatter.so .data pages written per process: before %s, predicted at most %s, measured %s\n' \
	"$before" "$predicted" "$after"
[ "$after" -le $((predicted + 1)) ] || { echo "advise-demo: measured pages exceed the prediction + 1" >&2; exit 1; }
