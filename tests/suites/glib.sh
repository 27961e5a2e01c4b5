#!/bin/sh
# tests/suites/glib.sh - GLib's installed tests (Debian package
# libglib2.0-tests) untraced and traced, per-test results compared.
#
#   tests/suites/glib.sh [-o OUTDIR] [-t SECONDS] [TEST...]
#
# TEST is a name from /usr/share/installed-tests/glib/ without ".test"
# (default: every one there, less those in SKIP below).  Each runs as its
# .test file's Exec line says (TAP on stdout), in an empty working directory
# with its own HOME and XDG directories, first untraced, then under
# `scripts/cowtrace run -o OUTDIR/logs/TEST`.  Per test: OUTDIR/{u,t}/TEST.tap
# (stdout), .err, .rc (exit status) and .secs.  At the end OUTDIR/u.res and
# OUTDIR/t.res hold one "STATUS TEST:CASE" line per TAP result plus
# "pass|fail|skip TEST:(exit)" for the exit status (77: skip), and
# results.py compares them (cases listed in tests/suites/glib-known.txt are
# shown but not counted).
# Exit status 0 when both runs have the same result for every test case.
set -u
here=$(cd "$(dirname "$0")" && pwd -P)
root=$(cd "$here/../.." && pwd -P)
out=build/suites/glib
limit=300
known=$here/glib-known.txt
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=$2; shift 2 ;;
	-t) limit=$2; shift 2 ;;
	-k) known=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "usage: $0 [-o OUTDIR] [-t SECONDS] [-k KNOWN_FILE] [TEST...]" >&2; exit 2 ;;
	*) break ;;
	esac
done
dir=/usr/share/installed-tests/glib
[ -d "$dir" ] || { echo "glib.sh: no $dir (install libglib2.0-tests)" >&2; exit 77; }

# Not run: gsocketclient-slow sets LD_PRELOAD itself (the tracer would not
# be there), performance* measure speed (no pass/fail), static-link builds
# a program against GLib (needs libglib2.0-dev).
SKIP="gsocketclient-slow performance performance-threaded static-link"
# As root, fileutils creates /usr/b/c (it expects permission denied) and
# then aborts: not run as root.
[ "$(id -u)" = 0 ] && SKIP="$SKIP fileutils"

if [ $# -eq 0 ]; then
	set --
	for f in "$dir"/*.test; do
		n=$(basename "$f" .test)
		case " $SKIP " in *" $n "*) continue ;; esac
		set -- "$@" "$n"
	done
fi

mkdir -p "$out"
out=$(cd "$out" && pwd -P)
rm -rf "$out/u" "$out/t" "$out/logs" "$out/work"
mkdir -p "$out/u" "$out/t" "$out/logs"

# run_one MODE NAME: one test binary, untraced (u) or traced (t)
run_one() {
	exec_line=$(sed -n 's/^Exec=//p' "$dir/$2.test" | head -n 1)
	w=$out/work/$2
	rm -rf "$w"
	mkdir -p "$w/home" "$w/cwd" "$w/runtime"
	chmod 700 "$w/runtime"
	start=$(date +%s)
	# shellcheck disable=SC2086 # the Exec line is a command with arguments
	(
		cd "$w/cwd" || exit 1
		export HOME=$w/home XDG_RUNTIME_DIR=$w/runtime XDG_CONFIG_HOME=$w/home/.config \
			XDG_DATA_HOME=$w/home/.local/share XDG_CACHE_HOME=$w/home/.cache \
			LC_ALL=C.UTF-8 G_DEBUG= G_MESSAGES_DEBUG=
		if [ "$1" = u ]; then
			timeout -k 10 "$limit" $exec_line
		else
			timeout -k 10 "$limit" "$root/scripts/cowtrace" run -o "$out/logs/$2" -- $exec_line
		fi
	) >"$out/$1/$2.tap" 2>"$out/$1/$2.err" </dev/null
	echo $? >"$out/$1/$2.rc"
	echo $(( $(date +%s) - start )) >"$out/$1/$2.secs"
}

# results MODE: the per-case results of every test of that run
results() {
	python3 "$here/results.py" tap "$out/$1"/*.tap
	for f in "$out/$1"/*.rc; do
		n=$(basename "$f" .rc)
		case $(cat "$f") in
		0) echo "pass $n:(exit)" ;;
		77) echo "skip $n:(exit)" ;;
		*) echo "fail $n:(exit)" ;;
		esac
	done
}

total_u=0 total_t=0
for n in "$@"; do
	[ -f "$dir/$n.test" ] || { echo "glib.sh: no test $n" >&2; exit 2; }
	run_one u "$n"
	run_one t "$n"
	su=$(cat "$out/u/$n.secs") st=$(cat "$out/t/$n.secs")
	total_u=$((total_u + su)) total_t=$((total_t + st))
	printf '%-40s untraced exit %3s %4ss   traced exit %3s %4ss\n' "$n" \
		"$(cat "$out/u/$n.rc")" "$su" "$(cat "$out/t/$n.rc")" "$st"
done
rm -rf "$out/work"
results u | sort -k2 >"$out/u.res"
results t | sort -k2 >"$out/t.res"
echo "glib: $# test programs, untraced ${total_u}s, traced ${total_t}s;" \
	"$(find "$out/logs" -name '*.cwt' | wc -l) logs"
python3 "$here/results.py" compare "$out/u.res" "$out/t.res" "$known"
