#!/bin/sh
# make-seeds.sh - regenerate the seed logs of tests/fuzz/corpus with gen-log.
set -eu
BUILD=${BUILD:-build}
GEN=$BUILD/tests/gen-log
C=tests/fuzz/corpus
mkdir -p "$C"
printf '%s\n' "header pid=5 flags=1" "process pid=5 ppid=1 exe=/bin/x argv=a,b comm=x" \
	"module id=1 flags=1 bias=0x555555554000 path=/bin/x buildid=0011223344 writable=2 ranges=0x555555558000-0x55555555a000" \
	"module id=2 bias=0x7f0000000000 path=/lib/libc.so.6 writable=9 ranges=0x7f00001d3000-0x7f00001dc000" \
	"stage phase=1 t=1" "page module=1 kind=1 phase=1 page=0x555555558000" \
	"page module=2 kind=2 reason=4 page=0x7f00001d4000" \
	"stage phase=2 t=2" "page module=2 kind=3 reason=16 phase=2 page=0x7f00001d5000" \
	"fault module=2 addr=0x7f00001d3010 ip=0x555555555000 tid=5 via=0x8000 phase=2 frames=0x555555555000,0x555555555100" \
	"note module=2 reason=6 text=mprotect failed" "phase name=warm" "unload module=2" "exit status=0" |
	"$GEN" "$C/full.cwt"
printf '%s\n' "header version=1" "module id=1 bias=0x10000 path=/x writable=2" \
	"page module=1 kind=3 reason=4 phase=1 page=0x11000" "fault module=1 addr=0x12000 phase=7" "phase name=a" |
	"$GEN" "$C/v1.cwt"
printf '%s\n' "module id=1 bias=0x10000 path=/x" "fault module=1 addr=0x11000" "raw type=5 size=0" \
	"fault module=1 addr=0x12000" | "$GEN" "$C/truncated.cwt"
printf '%s\n' "module id=1 bias=0x10000 path=/x nranges=3 ranges=0x11000-0x12000" \
	"fault module=1 addr=0x11000 frames=1,2 nframes=9" "note module=1 len=99 text=x" | "$GEN" "$C/badlen.cwt"
printf '%s\n' "header used=0x100000" "fault module=7 addr=0x1000 type=0" "raw type=99 body=40" | "$GEN" "$C/odd.cwt"
