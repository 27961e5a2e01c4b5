#!/bin/sh
# A program linked with LLVM's libunwind (its own unwinder, exporting the
# same unw_* names as ours) runs traced exactly as untraced, and its writes
# are still recorded.
. tests/lib.sh
prog=$B/tests/own-unwinder
[ -x "$prog" ] || skip "own-unwinder not built (LLVM libunwind missing)"

want=$("$prog"; echo "rc=$?")
CHECK "untraced run works" [ "$want" = "depth 10 frames>=12 1 sum 5
rc=0" ]
got=$(COWTRACE_DIR=$T LD_PRELOAD=$LIB "$prog"; echo "rc=$?")
CHECK "traced output = untraced ($got)" [ "$got" = "$want" ]
got=$("$COWTRACE" run -o "$T/run" -- "$prog" 2>/dev/null; echo "rc=$?")
CHECK "launcher output = untraced" [ "$got" = "$want" ]
# the executable's .data table: its 5 pages must show up as dirty
n=$("$REPORT" --format json "$T/run" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(1 for p in d["pages"] if p["library"].endswith("/own-unwinder")))')
CHECK "executable pages recorded ($n >= 5)" [ "$n" -ge 5 ]
done_test
