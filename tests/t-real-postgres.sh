#!/bin/sh
# t-real-postgres.sh - (h) Debian's PostgreSQL server traced as a real
# program: initdb once into a temporary directory, then three times from a
# copy of it: start the postmaster on a Unix socket only (listen_addresses
# = ''), pgbench -i -s 1, pgbench -C -c 2 -t 50 (a new backend per
# transaction), pg_ctl stop -m fast.  Untraced, then with the postmaster
# started by "cowtrace run -o LOGDIR", so that every backend it forks is
# traced: in signal mode and in scan mode (COWTRACE_MODE=scan).  As root,
# everything runs as the postgres system user (nobody without it): the
# server refuses root.
# Checks, each traced mode: pgbench's deterministic output (transactions
# processed, failed 0, no errors) and the exit statuses equal untraced; no
# crash or error in the server log; every backend (a pid with "connection
# received" under log_connections) has a complete log, and the logs of the
# postmaster's other children are few (auxiliary processes).  Signal mode
# (it has backtraces), per backend in the JSON report: the pages written
# inside exit() (a backtrace through libc's exit) are in phase "teardown",
# and its "main"-phase pages (a forked backend starts in the postmaster's
# phase, main) are some but at most half of its pages.  Both modes are
# exact, so the page set every pgbench -C backend has is the same in both.
. tests/lib.sh
. tests/real_lib.sh
need_tracer
need_report
need_python3
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PGBIN" ] && [ -x "$PGBIN/postgres" ] && [ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pgbench" ] ||
	skip "no PostgreSQL server (package postgresql)"
export LC_ALL=C TZ=UTC
unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGOPTIONS PGSERVICE PGSERVICEFILE \
	PGPASSFILE PGSSLMODE PGCONNECT_TIMEOUT PGAPPNAME PGDATA PGSYSCONFDIR 2>/dev/null

P=$T/pg
mkdir -p "$P"
if [ "$(id -u)" -eq 0 ]; then
	user=postgres
	id -u "$user" >/dev/null 2>&1 || user=nobody
	group=$(id -gn "$user")
	chmod 711 "$T"
	chown "$user:$group" "$P"
	as_user() { setpriv --reuid="$user" --regid="$group" --init-groups env HOME="$P" "$@"; }
else
	user=$(id -un)
	as_user() { env HOME="$P" "$@"; }
fi
# the tracer where the server's user can read it: a checkout under /root
# (mode 0700, as on a fresh machine) is not
if ! as_user test -r "$LIB" -a -r "$AUDIT"; then
	mkdir -p "$T/ct/build" "$T/ct/scripts"
	cp "$LIB" "$AUDIT" "$REPORT" "$T/ct/build/"
	cp "$COWTRACE" "$T/ct/scripts/"
	chmod -R a+rX "$T/ct"
	LIB=$T/ct/build/libcowtrace.so AUDIT=$T/ct/build/libcowtrace-audit.so
	COWTRACE=$T/ct/scripts/cowtrace
fi
as_user test -w "$P" -a -r "$LIB" -a -r "$AUDIT" ||
	skip "$user cannot write $P or read $LIB (TMPDIR or the build directory not reachable)"
[ ${#P} -lt 80 ] || skip "$P too long for a Unix socket path"
echo "  server $PGBIN/postgres as $user"

# a server left running by an interrupted test is stopped
cleanup() {
	for pid in "$P"/*.data/postmaster.pid; do
		[ -f "$pid" ] && as_user "$PGBIN/pg_ctl" stop -D "${pid%/postmaster.pid}" -m immediate >/dev/null 2>&1
	done
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

t0=$(date +%s)
if ! as_user timeout 60 "$PGBIN/initdb" -D "$P/init" -U postgres --auth=trust --no-sync \
	-E UTF8 --locale=C >"$T/initdb.log" 2>&1; then
	CHECK "initdb" false
	tail -5 "$T/initdb.log"
	done_test
fi
cat >>"$P/init/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$P'
port = 5432
shared_buffers = 16MB
max_connections = 20
fsync = off
jit = off
autovacuum = off
huge_pages = off
log_connections = on
log_disconnections = on
log_line_prefix = '[%p] '
log_timezone = 'UTC'
EOF

# pg_cycle NAME u|signal|scan: start a server on a fresh copy of the initdb
# output (traced: under the launcher in that COWTRACE_MODE, logs in
# $P/NAME.logs), run pgbench,
# stop it.  Files: $T/NAME.server (server log), $T/NAME.{init,bench}.{out,err},
# $T/NAME.rc ("init bench server" exit statuses).
pg_cycle() {
	n=$1 data=$P/$1.data
	as_user cp -a "$P/init" "$data"
	if [ "$2" != u ]; then
		as_user mkdir "$P/$n.logs"
		as_user timeout 120 env COWTRACE_MODE=$2 "$COWTRACE" run -o "$P/$n.logs" -- \
			"$PGBIN/postgres" -D "$data" >"$T/$n.server" 2>&1 &
	else
		as_user timeout 120 "$PGBIN/postgres" -D "$data" >"$T/$n.server" 2>&1 &
	fi
	bg=$!
	i=0
	until grep -q 'database system is ready to accept connections' "$T/$n.server"; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 $bg 2>/dev/null; then
			echo "  $n: server did not start"
			tail -5 "$T/$n.server"
			break
		fi
		sleep 0.1
	done
	as_user timeout 60 "$PGBIN/pgbench" -h "$P" -p 5432 -U postgres -i -s 1 postgres \
		>"$T/$n.init.out" 2>"$T/$n.init.err"
	irc=$?
	as_user timeout 60 "$PGBIN/pgbench" -h "$P" -p 5432 -U postgres -C -c 2 -t 50 postgres \
		>"$T/$n.bench.out" 2>"$T/$n.bench.err"
	brc=$?
	as_user timeout 60 "$PGBIN/pg_ctl" stop -D "$data" -m fast -w >"$T/$n.stop" 2>&1
	wait $bg
	echo "$irc $brc $?" >"$T/$n.rc"
}

# the deterministic part of pgbench's output: no timings, no progress
pg_filter() {
	grep -Ev '^(latency|initial connection time|average connection time|tps) |elapsed .* remaining|^done in ' "$@"
}

# server_clean NAME: no crash, no error; every connection ended
# (a backend of pgbench -C that has not yet seen its client go when the
# fast shutdown comes is told "terminating connection due to administrator
# command": untraced too, under load; accepted after the shutdown request)
server_clean() {
	bad=$(awk '/received fast shutdown request/ {down = 1}
		!(down && /FATAL: +terminating connection due to administrator command/)' "$T/$1.server" |
		grep -Ev '^cowtrace: [0-9]+ log\(s\) in ' |
		grep -E '(PANIC|FATAL|ERROR|WARNING):|terminated by signal|was terminated|core dumped|exited with exit code|^cowtrace:' |
		grep -v 'background worker "logical replication launcher" (PID [0-9]*) exited with exit code 1$')
	[ -z "$bad" ] && return 0
	echo "$bad" | head -5 | sed 's/^/    /'
	return 1
}

pg_cycle u u
echo "  untraced cycle: $(($(date +%s) - t0)) s (with initdb), statuses $(cat "$T/u.rc")"
CHECK "untraced: pgbench -i, pgbench and the server exit 0" [ "$(cat "$T/u.rc")" = "0 0 0" ]
CHECK "untraced: 100/100 transactions, none failed" \
	grep -q '^number of transactions actually processed: 100/100$' "$T/u.bench.out"
CHECK "untraced: server log clean" server_clean u
# pgcheck.py WHAT JSON SERVER_LOG [JSON2 SERVER_LOG2]: checks of a traced
# run's report against its server log (backends: pids with "connection
# received", in the order they connected)
cat >"$T/pgcheck.py" <<'PYEOF'
import collections, json, re, sys

def load(js, log):
    rep = json.load(open(js))
    backends = []
    for line in open(log):
        m = re.match(r"\[(\d+)\] LOG:  connection received", line)
        if m:
            backends.append(int(m.group(1)))
    pages = collections.defaultdict(list)
    for p in rep["pages"]:
        pages[p["pid"]].append(p)
    return rep, backends, pages

def logs(mode, js, log):
    rep, backends, _ = load(js, log)
    procs = {p["pid"]: p for p in rep["processes"]}
    roots = [p for p in rep["processes"] if p["ppid"] not in procs]
    kids = {pid for pid, p in procs.items() if p["ppid"] in {r["pid"] for r in roots}}
    missing = sorted(set(backends) - set(procs))
    incomplete = sorted(pid for pid in set(backends) & set(procs) if not procs[pid]["complete"])
    others = kids - set(backends)
    modes = collections.Counter(p["backend"] for p in rep["processes"])
    print("  %d backends, %d logs (backend %s); postmaster(s) %s, other children %d; missing %s, incomplete %s"
          % (len(backends), len(procs), dict(modes), [r["pid"] for r in roots], len(others),
             missing[:5], incomplete[:5]))
    return (backends and not missing and not incomplete and len(roots) == 1
            and set(backends) <= kids and len(others) <= 10 and list(modes) == [mode])

def in_exit(p):
    return any(f["function"] in ("exit", "__run_exit_handlers") and
               (f["library"] or "").split("/")[-1].startswith("libc.so")
               for f in p.get("backtrace") or [])

def phases(js, log):
    rep, backends, pages = load(js, log)
    bad, rows, seen = [], [], collections.Counter()
    for pid in backends:
        pg = pages[pid]
        ex = [p for p in pg if in_exit(p)]
        main = [p for p in pg if p["phase"] == "main"]
        seen.update(p["phase"] for p in pg)
        wrong = [p for p in ex if p["phase"] != "teardown"]
        rows.append((len(pg), len(main), len(ex)))
        if not ex or wrong or not main or 2 * len(main) > len(pg):
            bad.append((pid, len(pg), len(main), len(ex), len(wrong),
                        wrong[0]["library"].split("/")[-1] + " " + str(wrong[0]["phase"]) if wrong else ""))
    rows.sort()
    if rows:
        print("  median backend: %d pages, %d in main, %d written inside exit()" % rows[len(rows) // 2])
    print("  phases of backend pages:", dict(seen))
    for b in bad[:5]:
        print("  pid %d: %d pages, %d main, %d in exit(), %d of those not teardown %s" % b)
    print("  %d of %d backends wrong" % (len(bad), len(backends)))
    return backends and not bad

def modal(js, log):
    """the page set most of pgbench -C's backends have (the first two
    connections are pgbench -i's and pgbench's set-up)"""
    rep, backends, pages = load(js, log)
    sets = collections.Counter(frozenset((p["library"], p["vaddr"]) for p in pages[pid])
                               for pid in backends[2:])
    common, n = sets.most_common(1)[0]
    return common, n, len(backends) - 2, pages

def how(pages, key):
    """where a page of the modal set was written, in some backend"""
    for pg in pages.values():
        for p in pg:
            if (p["library"], p["vaddr"]) == key:
                fns = [f["function"] for f in p.get("backtrace") or []]
                if "_dl_fini" in fns:
                    return "_dl_fini"
                if "exit" in fns:
                    return "other exit handlers"
                return p["when"]

def same(js1, log1, js2, log2):
    a, na, ta, pa = modal(js1, log1)
    b, nb, tb, pb = modal(js2, log2)
    print("  signal: %d pages (%d of %d backends); scan: %d pages (%d of %d)"
          % (len(a), na, ta, len(b), nb, tb))
    for name, d, pg in (("signal only", a - b, pa), ("scan only", b - a, pb)):
        libs = collections.Counter(l.split("/")[-1] for l, v in d)
        if d:
            print("  %s: %d pages, %s" % (name, len(d), ", ".join("%s %d" % x for x in libs.most_common(8))))
            print("    written: %s" % dict(collections.Counter(how(pg, k) for k in d)))
    return a == b

what, args = sys.argv[1], sys.argv[2:]
ok = {"logs": logs, "phases": phases, "same": same}[what](*args)
sys.exit(0 if ok else 1)
PYEOF

for mode in signal scan; do
	n=$mode
	t1=$(date +%s)
	pg_cycle $n $mode
	echo "  $mode cycle: $(($(date +%s) - t1)) s, statuses $(cat "$T/$n.rc")"
	CHECK "$n: exit statuses = untraced" [ "$(cat "$T/$n.rc")" = "$(cat "$T/u.rc")" ]
	for f in init.out init.err bench.out bench.err; do
		pg_filter "$T/u.$f" >"$T/u.$f.f"
		pg_filter "$T/$n.$f" >"$T/$n.$f.f"
		CHECK "$n: pgbench $f (without timings) = untraced" cmp -s "$T/u.$f.f" "$T/$n.$f.f"
		cmp -s "$T/u.$f.f" "$T/$n.$f.f" || diff "$T/u.$f.f" "$T/$n.$f.f" | head -6
	done
	CHECK "$n: no failed transactions" \
		grep -q '^number of failed transactions: 0 (0.000%)$' "$T/$n.bench.out"
	CHECK "$n: server log clean" server_clean $n
	for r in u $n; do
		grep -c 'LOG:  connection received' "$T/$r.server" >"$T/$r.conn"
		grep -c 'LOG:  disconnection: session time' "$T/$r.server" >"$T/$r.disc"
	done
	CHECK "$n: $(cat "$T/$n.conn") connections = untraced $(cat "$T/u.conn"), each ended" \
		[ "$(cat "$T/$n.conn")" = "$(cat "$T/u.conn")" ] && [ "$(cat "$T/$n.disc")" = "$(cat "$T/u.conn")" ]
	CHECK "$n: report reads all $(ls "$P/$n.logs" | grep -c '\.cwt$') logs" \
		$ORACLE report-json "$P/$n.logs" "$T/$n.json"
	CHECK "$n: one process entry per log" one_process_per_log "$T/$n.json" "$P/$n.logs"
	CHECK "$n: every backend has a complete $mode log; the postmaster's other children are few" \
		python3 "$T/pgcheck.py" logs $mode "$T/$n.json" "$T/$n.server"
done
CHECK "signal: per backend, pages written in exit() are teardown, main pages some but <= half" \
	python3 "$T/pgcheck.py" phases "$T/signal.json" "$T/signal.server"
# both backends are exact: the same work dirties the same pages
CHECK "pgbench -C backends: scan mode finds the pages signal mode does" \
	python3 "$T/pgcheck.py" same "$T/signal.json" "$T/signal.server" "$T/scan.json" "$T/scan.server"
echo "  whole test: $(($(date +%s) - t0)) s"
done_test
