#!/bin/sh
# t-report-speed.sh - 1,000,000 faults in 1,000 process logs are reported
# (table, with symbolization) in under 2 seconds, and counted right.
set -u
BUILD=${BUILD:-build}
REPORT=$BUILD/cowtrace-report
GEN=$BUILD/tests/gen-log
[ -x "$REPORT" ] && [ -x "$GEN" ] || { echo "t-report-speed: build $REPORT and $GEN first"; exit 77; }
command -v python3 >/dev/null && command -v readelf >/dev/null || exit 77
# sanitizer builds are slow by design
nm "$REPORT" 2>/dev/null | grep -q '__asan_init\|__ubsan_handle' && { echo "t-report-speed: sanitizer build"; exit 77; }

LIBC=$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)
[ -f "$LIBC" ] || exit 77
BID=$(readelf -n "$LIBC" | awk '/Build ID/ {print $3}')
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# 1000 logs x 1000 distinct pages (each fault with 4 frames)
"$GEN" --bench "$T/run" 1000 1000 "$LIBC" 0x7f0000000000 "$BID" 0x1d2000 0x5ba000 || exit 1

python3 - "$REPORT" "$T/run" "${SPEED_LIMIT:-2.0}" <<'PYEOF'
import subprocess, sys, time

report, run, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
subprocess.run([report, "--top", "1", run], capture_output=True)   # warm the page cache
best = None
for attempt in range(2):
    t = time.monotonic()
    p = subprocess.run([report, run], capture_output=True, text=True)
    dt = time.monotonic() - t
    best = dt if best is None else min(best, dt)
if p.returncode != 0:
    print("FAIL: exit %d: %s" % (p.returncode, p.stderr[-2000:]))
    sys.exit(1)
total = [l for l in p.stdout.splitlines() if l.startswith("total")]
want = ["1000", "1000000", "0", "1000000"]
if not total or total[0].split()[1:5] != want:
    print("FAIL: total line %r, want processes/dirty/attach/runtime %s" % (total, want))
    sys.exit(1)
print("t-report-speed: %.2f s for 1,000,000 faults in 1,000 logs (limit %.1f s)" % (best, limit))
sys.exit(0 if best < limit else 1)
PYEOF
exit $?
