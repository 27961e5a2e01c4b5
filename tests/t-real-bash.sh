#!/bin/sh
# t-real-bash.sh - (h) bash running a small script (functions, arrays, loops,
# subshells, pipes, command substitution, here-docs, external commands, a
# trap, a non-zero exit) traced with LD_PRELOAD only and with the launcher:
# stdout identical, stderr identical except lines starting with "cowtrace:",
# same exit status; the report reads every log.
. tests/lib.sh
need_tracer
need_report
BASH_BIN=$(command -v bash) || skip "no bash"

cat >"$T/script.bash" <<'BEOF'
set -u
trap 'echo "trap: exit $?"' EXIT
fib() { local n=$1; if [ "$n" -lt 2 ]; then echo "$n"; else echo $(( $(fib $((n - 1))) + $(fib $((n - 2))) )); fi; }
echo "fib 12 = $(fib 12)"
declare -a arr=()
declare -A seen=()
for i in $(seq 1 200); do arr+=("item$((i * 7 % 31))"); seen["k$((i % 13))"]=$i; done
echo "array ${#arr[@]} assoc ${#seen[@]} last ${arr[-1]} k5=${seen[k5]}"
printf '%s\n' "${arr[@]}" | sort | uniq -c | sort -k1,1nr -k2 | head -n 4
s="Copy-On-Write pages"; echo "${s^^} ${s,,} ${s//-/_} ${#s} ${s:5:2}"
while IFS=: read -r name val; do printf '%-6s|%5d|\n' "$name" "$((val * 3))"; done <<'HEREDOC'
alpha:1
beta:22
gamma:333
HEREDOC
( cd /; echo "subshell in $(pwd)"; exit 4 ); echo "subshell status $?"
x=$(for j in 1 2 3; do echo "$j"; done | wc -l); echo "lines $x"
echo "to stderr" >&2
out=$(echo "abc" | tr a-c x-z | rev); echo "pipe $out"
sum=0; for ((k = 0; k < 5000; k++)); do sum=$(( (sum + k * k) % 1000003 )); done; echo "sum $sum"
read -r first rest < /etc/hostname && echo "read ok"
case "$(uname -s)" in Linux) echo "linux";; *) echo other;; esac
exit 3
BEOF

run() {	# run MODE
	d=$T/$1
	mkdir -p "$d"
	case $1 in
	u) (cd "$T" && timeout 20 "$BASH_BIN" "$T/script.bash" >"$d.out" 2>"$d.err") ;;
	preload) (cd "$T" && timeout 20 env COWTRACE_DIR=$d LD_PRELOAD=$LIB "$BASH_BIN" "$T/script.bash" \
		>"$d.out" 2>"$d.err") ;;
	launcher) (cd "$T" && timeout 20 "$COWTRACE" run -o "$d" -- "$BASH_BIN" "$T/script.bash" \
		>"$d.out" 2>"$d.err") ;;
	esac
}

run u
urc=$?
CHECK "untraced bash exits 3 ($urc)" [ $urc -eq 3 ]
for mode in preload launcher; do
	run $mode
	rc=$?
	d=$T/$mode
	same_as_untraced $mode "$d" $rc $urc
	CHECK "$mode: several logs (bash forks, commands exec)" [ "$(ls "$d" | grep -c '\.cwt$')" -gt 5 ]
	CHECK "$mode: report reads all logs" $ORACLE report-json "$d" "$d.json"
	CHECK "$mode: one process entry per log" one_process_per_log "$d.json" "$d"
done
done_test
