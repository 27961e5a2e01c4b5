#!/bin/sh
# t-tracer-exec.sh - exec in the same pid: a traced /usr/bin/env execs
# oracle-cow (LD_PRELOAD only, and the launcher). Each process image gets its
# own log; oracle-cow's liboracle pages must equal its pagemap oracle, and
# the JSON must still have one page entry per (pid, library, vaddr) (the
# pages of the image that exec replaced must not be listed a second time
# under the same pid and library as the new image's).
. tests/lib.sh
tracer_setup oracle-cow
need_report
ENV=$(command -v env) || skip "no env"

"$PROG" 31 "$T/u.orc" _exit >"$T/u.out" 2>&1
urc=$?
for mode in preload launcher; do
	d=$T/$mode
	mkdir -p "$d"
	if [ $mode = preload ]; then
		timeout 20 env COWTRACE_DIR=$d LD_PRELOAD=$LIB "$ENV" "$PROG" 31 "$d.orc" _exit >"$d.out" 2>"$d.err"
	else
		timeout 20 "$COWTRACE" run -o "$d" -- "$ENV" "$PROG" 31 "$d.orc" _exit >"$d.out" 2>"$d.err"
	fi
	rc=$?
	pid=$(sed -n 's/^# pid //p' "$d.orc")
	CHECK "$mode: exit status $rc = untraced $urc" [ $rc -eq $urc ]
	CHECK "$mode: stdout = untraced" cmp -s "$T/u.out" "$d.out"
	CHECK "$mode: one log per image: cowtrace.env.$pid.cwt and cowtrace.oracle-cow.$pid.cwt" \
		[ -f "$d/cowtrace.env.$pid.cwt" ] && [ -f "$d/cowtrace.oracle-cow.$pid.cwt" ]
	CHECK "$mode: report reads the logs" $ORACLE report-json "$d" "$d.json"
	CHECK "$mode: liboracle pages = pagemap oracle" $ORACLE check --allow-dups "$d.json" liboracle.so "$d.orc"
	CHECK "$mode: one page entry per (pid, library, vaddr)" $ORACLE unique "$d.json"
done
done_test
