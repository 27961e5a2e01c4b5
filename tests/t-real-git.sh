#!/bin/sh
# t-real-git.sh - (h) git init / add / commit / log / show / diff / status /
# gc in a temporary repository (fixed author, committer and dates, no user or
# system config) traced with LD_PRELOAD only and with the launcher: stdout
# identical (same commit ids), stderr identical except "cowtrace:" lines,
# same exit status; the report reads every log.
. tests/lib.sh
need_tracer
need_report
command -v git >/dev/null || skip "no git"

cat >"$T/script.sh" <<'SEOF'
set -e
export HOME=$PWD/home GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME="A U Thor" GIT_AUTHOR_EMAIL=author@example.com
export GIT_COMMITTER_NAME="C O Mitter" GIT_COMMITTER_EMAIL=committer@example.com
export GIT_AUTHOR_DATE="2020-01-02T03:04:05+00:00" GIT_COMMITTER_DATE="2020-01-02T03:04:05+00:00"
export TZ=UTC LC_ALL=C GIT_PAGER=cat PAGER=cat
rm -rf home repo
mkdir home
git init -q -b main repo
cd repo
i=0
while [ $i -lt 40 ]; do echo "line $i of file" >>a.txt; i=$((i + 1)); done
printf 'hello\nworld\n' >b.txt
mkdir sub && echo nested >sub/c.txt
git add .
git commit -q -m "first commit"
sed 's/line 1/LINE one/' a.txt >a.new && mv a.new a.txt
echo more >>b.txt
git rm -q sub/c.txt
export GIT_AUTHOR_DATE="2020-01-03T03:04:05+00:00" GIT_COMMITTER_DATE="2020-01-03T03:04:05+00:00"
git commit -q -a -m "second commit"
git log --stat --format='%H %an <%ae> %ad%n%s'
git show --format=%H HEAD -- a.txt
git diff HEAD~1 --stat
git status --short --branch
git rev-list --count HEAD
git tag -a v1 -m "tag one"
git describe
git gc -q
git count-objects -v | grep -v size
git fsck --no-progress 2>&1
echo "status ok"
SEOF

run() {	# run MODE
	d=$T/$1
	mkdir -p "$d" "$T/w-$1"
	case $1 in
	u) (cd "$T/w-$1" && timeout 30 sh "$T/script.sh" >"$d.out" 2>"$d.err") ;;
	preload) (cd "$T/w-$1" && timeout 30 env COWTRACE_DIR=$d LD_PRELOAD=$LIB sh "$T/script.sh" \
		>"$d.out" 2>"$d.err") ;;
	launcher) (cd "$T/w-$1" && timeout 30 "$COWTRACE" run -o "$d" -- sh "$T/script.sh" \
		>"$d.out" 2>"$d.err") ;;
	esac
}

run u
urc=$?
CHECK "untraced git script runs (exit $urc)" [ $urc -eq 0 ]
[ $urc -eq 0 ] || tail -5 "$T/u.err"
for mode in preload launcher; do
	run $mode
	rc=$?
	d=$T/$mode
	same_as_untraced $mode "$d" $rc $urc
	CHECK "$mode: git processes traced" [ "$(ls "$d" | grep -c '^cowtrace\.git\..*\.cwt$')" -gt 5 ]
	CHECK "$mode: report reads all logs" $ORACLE report-json "$d" "$d.json"
	CHECK "$mode: one process entry per log" one_process_per_log "$d.json" "$d"
done
done_test
