#!/bin/sh
# t-tracer-crash.sh - (c) a genuine NULL dereference dies by SIGSEGV traced
# exactly as untraced (same signal, same stdout); a program with its own
# SIGSEGV handler (sigaction SA_SIGINFO, signal(), SA_RESETHAND) that
# siglongjmps out of real NULL dereferences and writes liboracle pages in
# the handler behaves as untraced; its liboracle pages = pagemap oracle.
. tests/lib.sh
tracer_setup oracle-crash
need_python3
ulimit -c 0 2>/dev/null

# status MODE OUTPREFIX [ARGS...]: run, print "exited N" / "signal N"
status() {
	mode=$1 out=$2
	shift 2
	python3 - "$mode" "$out" "$LIB" "$COWTRACE" "$@" <<'PYEOF'
import os, subprocess, sys
mode, out, lib, launcher, cmd = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
env = dict(os.environ)
d = out + ".d"
os.makedirs(d, exist_ok=True)
if mode == "preload":
    env.update(COWTRACE_DIR=d, LD_PRELOAD=lib)
elif mode == "launcher":
    cmd = [launcher, "run", "-o", d, "--"] + cmd
try:
    r = subprocess.run(cmd, env=env, stdout=open(out + ".out", "w"),
                       stderr=open(out + ".err", "w"), timeout=30)
    rc = r.returncode
except subprocess.TimeoutExpired:
    rc = "timeout"
if rc == "timeout":
    print("timeout")
elif rc < 0:
    print("signal %d" % -rc)
elif mode == "launcher" and rc > 128:
    print("launcher-status %d" % rc)
else:
    print("exited %d" % rc)
PYEOF
}

for m in null-write null-read; do
	u=$(status none "$T/u-$m" "$PROG" $m)
	CHECK "$m untraced dies by SIGSEGV ($u)" [ "$u" = "signal 11" ]
	for mode in preload launcher; do
		t=$(status $mode "$T/$mode-$m" "$PROG" $m)
		CHECK "$m $mode: same death as untraced ($t vs $u)" [ "$t" = "$u" ]
		CHECK "$m $mode: stdout = untraced" cmp -s "$T/u-$m.out" "$T/$mode-$m.out"
		grep -v '^cowtrace:' "$T/$mode-$m.err" | sed 's/^/    stderr: /' | head -5
	done
done

for m in handler signal resethand; do
	u=$(status none "$T/u-$m" "$PROG" $m "$T/u-$m.orc")
	case $m in resethand) want="signal 11" ;; *) want="exited 0" ;; esac
	CHECK "$m untraced: $u" [ "$u" = "$want" ]
	for mode in preload launcher; do
		t=$(status $mode "$T/$mode-$m" "$PROG" $m "$T/$mode-$m.orc")
		CHECK "$m $mode: same status as untraced ($t vs $u)" [ "$t" = "$u" ]
		CHECK "$m $mode: stdout = untraced" cmp -s "$T/u-$m.out" "$T/$mode-$m.out"
		cmp -s "$T/u-$m.out" "$T/$mode-$m.out" || diff "$T/u-$m.out" "$T/$mode-$m.out" | head -10
		grep -v '^cowtrace:' "$T/$mode-$m.err" | sed 's/^/    stderr: /' | head -5
		if [ $m != resethand ] && [ -x "$REPORT" ]; then
			CHECK "$m $mode: report reads the log" $ORACLE report-json "$T/$mode-$m.d" "$T/$mode-$m.json"
			CHECK "$m $mode: liboracle pages = pagemap oracle" \
				$ORACLE check "$T/$mode-$m.json" liboracle.so "$T/$mode-$m.orc"
		fi
	done
done
done_test
