# tests/real_lib.sh - helpers for the real-program tests (t-real-*.sh);
# source it after tests/lib.sh.
#
# A real program runs three times in the same working directory ($T/w,
# emptied before each run, so that paths it prints are the same): untraced,
# with LD_PRELOAD only, and through the launcher (LD_PRELOAD + LD_AUDIT).
# The untraced run is the ground truth: same stdout, same stderr less the
# tracer's "cowtrace:" lines, same exit status.  A traced run must also have
# traced something: logs, and dirty pages of the libraries the program is
# known to load, some of them first written at run time.

REAL_TIMEOUT=${REAL_TIMEOUT:-60}

# real_run MODE NAME COMMAND...: MODE u (untraced), preload or launcher;
# output in $T/NAME.out and $T/NAME.err, logs in $T/NAME/; returns the
# command's exit status.
real_run() {
	_mode=$1 _d=$T/$2
	shift 2
	rm -rf "$T/w" "$_d"
	mkdir -p "$T/w" "$_d"
	case $_mode in
	u) (cd "$T/w" && timeout "$REAL_TIMEOUT" "$@" >"$_d.out" 2>"$_d.err") ;;
	preload) (cd "$T/w" && COWTRACE_DIR=$_d LD_PRELOAD=$LIB timeout "$REAL_TIMEOUT" "$@" \
		>"$_d.out" 2>"$_d.err") ;;
	launcher) (cd "$T/w" && timeout "$REAL_TIMEOUT" "$COWTRACE" run -o "$_d" -- "$@" \
		>"$_d.out" 2>"$_d.err") ;;
	*) echo "real_run: bad mode $_mode" >&2; return 2 ;;
	esac
}

# libs_traced JSON REGEX...: the report (JSON) has dirty pages of a library
# whose path matches each python regex, and run-time pages somewhere (the
# fault handler saw first writes, not only pages dirty at attach); prints
# what it found.  A command for CHECK.
libs_traced() {
	python3 - "$@" <<'PYEOF'
import json, re, sys
rep = json.load(open(sys.argv[1]))
ok = True
libs = rep["libraries"]
for rx in sys.argv[2:]:
    hit = [l for l in libs if re.search(rx, l["path"] or "")]
    dirty = sum(l["dirty_pages"] for l in hit)
    run = sum(l["runtime_pages"] for l in hit)
    print("  %-28s %d object(s), %d dirty pages, %d at run time" % (rx, len(hit), dirty, run))
    ok = ok and dirty > 0
total = sum(l["runtime_pages"] for l in libs)
print("  run-time pages in all: %d, processes: %d" % (total, len(rep["processes"])))
sys.exit(0 if ok and total > 0 else 1)
PYEOF
}

# real_compare MODE RC URC [MIN_LOGS]: same_as_untraced for run $T/MODE, at
# least MIN_LOGS (default 1) logs, and the report reads every log into
# $T/MODE.json with one process entry per log.
real_compare() {
	same_as_untraced "$1" "$T/$1" "$2" "$3"
	_n=$(find "$T/$1" -name '*.cwt' | wc -l)
	CHECK "$1: $_n log(s), at least ${4:-1}" [ "$_n" -ge "${4:-1}" ]
	CHECK "$1: report reads all logs" $ORACLE report-json "$T/$1" "$T/$1.json"
	CHECK "$1: one process entry per log" one_process_per_log "$T/$1.json" "$T/$1"
}
