#!/bin/sh
# scripts/demo.sh - trace the bundled prefork example and show the report.
# Run by `make demo` after the build.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
out=$BUILD/demo-run
rm -rf "$out"

echo "== tracing: build/examples/demo 3   (a parent that forks 3 workers)"
./scripts/cowtrace run -o "$out" -- "$BUILD/examples/demo" 3
echo
echo "== cowtrace report $out"
./scripts/cowtrace report "$out"
echo
echo "== the workers' first writes to libcounter.so and libcache.so, by symbol"
./scripts/cowtrace report --by symbol --lib 'libc[ao]*.so' "$out"
cat <<'TEXT'

Each worker wrote the same globals (2 pages of libcounter's .data, 3 of
libcache's .bss, the 3-page table of the dlopen'd plugin.so), so each got
its own private copy of those pages: the 'procs' column counts processes,
'runtime' the pages copied by a write after the tracer attached, 'attach'
the pages already private when it attached (relocations, constructors).
Try: ./scripts/cowtrace report --format json build/demo-run
TEXT
