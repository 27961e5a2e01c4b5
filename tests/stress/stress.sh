#!/bin/sh
# tests/stress/stress.sh - `make stress`: the long thread and signal tests,
# each run RUNS times in a row (default 100), alternately with LD_PRELOAD
# and with the launcher.  A run passes when it ends in time (timeout 60: no
# deadlock) with the untraced run's exit status and stdout, its log has one
# entry per (pid, library, vaddr), and libctstress's pages equal the
# program's own pagemap oracle (tests/stress/check.py).  Prints the pass
# count of each case and the time taken; exit 1 unless every run passed.
# Failed runs are kept in $BUILD/stress-failed/.
#   tests/stress/stress.sh [CASE...]     (default: every case)
# Cases:
#   race-pthread   256 pthreads race on first writes (oracle-race)
#   race-clone     256 raw clone() threads race on first writes
#   storm          SIGUSR1 from a thread + SIGALRM from a timer, handlers
#                  writing tracked pages while the main flow does (oracle-signals)
#   grow           a signal handler's first write while the tracer grows its log
#   malloc         first writes from inside the program's own malloc, 5 threads
#   phdr           first writes from dl_iterate_phdr callbacks, 4 threads
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
RUNS=${RUNS:-100}
tracer_setup oracle-race libctstress.so
need_report
need_python3
KEPT=$B/stress-failed
rm -rf "$KEPT"
CHECKER="python3 $ROOT/tests/stress/check.py"

# case_cmd CASE SEED OUT: the program and arguments of CASE
case_cmd() {
	case $1 in
	race-pthread) echo "$B/tests/oracle-race pthread 256 $2 $3" ;;
	race-clone) echo "$B/tests/oracle-race clone 256 $2 $3" ;;
	storm) echo "$B/tests/oracle-signals storm $3" ;;
	grow) echo "$B/tests/oracle-signals grow $3" ;;
	malloc) echo "$B/tests/oracle-reentry malloc $3" ;;
	phdr) echo "$B/tests/oracle-reentry phdr $3" ;;
	*) return 1 ;;
	esac
}

# one CASE I: run I of CASE; 0 when it passed
one() {
	d=$T/$1-$2
	mkdir -p "$d"
	if [ $(($2 % 2)) = 0 ]; then
		timeout 60 env COWTRACE_DIR=$d LD_PRELOAD=$LIB $(case_cmd $1 $2 "$d.orc") \
			>"$d.out" 2>"$d.err"
	else
		timeout 60 "$COWTRACE" run -o "$d" -- $(case_cmd $1 $2 "$d.orc") >"$d.out" 2>"$d.err"
	fi
	rc=$?
	if [ $rc -ne "$urc" ] || ! cmp -s "$T/$1.uout" "$d.out"; then
		echo "  $1 run $2: exit status $rc (untraced $urc; 124 = hang), stdout:"
		sed 's/^/    /' "$d.out" "$d.err" | head -5
		return 1
	fi
	$CHECKER "$d" "$d.json" libctstress.so "$d.orc" | sed "s/^/  $1 run $2:/"
}

cases=${*:-race-pthread race-clone storm grow malloc phdr}
start=$(date +%s)
total_fail=0
for c in $cases; do
	case_cmd "$c" 1 x >/dev/null || { echo "no case $c"; exit 2; }
	$(case_cmd "$c" 1 "$T/$c.uorc") >"$T/$c.uout" 2>&1
	urc=$?
	c_start=$(date +%s)
	pass=0
	i=1
	while [ $i -le "$RUNS" ]; do
		if one "$c" $i; then
			pass=$((pass + 1))
			rm -rf "$T/$c-$i" "$T/$c-$i".*
		else
			mkdir -p "$KEPT"
			cp -r "$T/$c-$i" "$KEPT/" 2>/dev/null
			cp "$T/$c-$i".* "$KEPT/" 2>/dev/null
		fi
		i=$((i + 1))
	done
	echo "$c: $pass/$RUNS passed ($(( $(date +%s) - c_start )) s)"
	total_fail=$((total_fail + RUNS - pass))
done
echo "stress: $total_fail failed run(s), $(( $(date +%s) - start )) s in all"
[ $total_fail -eq 0 ]
