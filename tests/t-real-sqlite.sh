#!/bin/sh
# t-real-sqlite.sh - (h) the sqlite3 command-line shell creating a database
# file, inserting rows (recursive CTE, transactions), indexing, querying and
# aggregating, then a second process reading the file back, with a failing
# statement at the end: stdout, stderr (less "cowtrace:" lines) and exit
# status identical traced (LD_PRELOAD only; launcher) and untraced; the
# traced runs logged dirty pages of sqlite3 and libsqlite3, some at run time.
. tests/lib.sh
. tests/real_lib.sh
need_tracer
need_report
SQLITE=/usr/bin/sqlite3
[ -x "$SQLITE" ] || skip "no $SQLITE (package sqlite3)"

cat >"$T/script.sh" <<SEOF
set -u
$SQLITE -bail db.sqlite <<'SQL'
.mode list
pragma journal_mode = wal;
create table t (id integer primary key, grp text, val real, note text);
begin;
with recursive n(i) as (select 1 union all select i + 1 from n where i < 20000)
insert into t (grp, val, note) select 'g' || (i % 37), (i * 7919) % 10007 / 7.0, hex(randomblob(0) || i) from n;
commit;
create index t_grp on t (grp);
select count(*), sum(val), min(val), max(val) from t;
select grp, count(*), round(avg(val), 4), group_concat(id % 10, '') from t where id % 1000 = 7 group by grp order by grp limit 8;
select printf('%.6f', total(val * val)) from t where grp in ('g1', 'g2', 'g3');
create table u as select grp, count(*) c from t group by grp;
select grp, c from u order by c desc, grp limit 3;
select t.grp, u.c from t join u using (grp) where t.id between 100 and 104 order by t.id;
update t set note = upper(note) where id % 3 = 0;
delete from t where id > 19000;
select count(*), count(distinct note) from t;
pragma integrity_check;
.schema t
SQL
echo "first shell status \$?"
$SQLITE -readonly db.sqlite "select count(*) from t; select sqlite_version() is not null;"
echo "select * from no_such_table;" | $SQLITE db.sqlite
echo "failing shell status \$?"
exit 3
SEOF

real_run u u sh "$T/script.sh"
urc=$?
CHECK "untraced script exits 3 ($urc)" [ $urc -eq 3 ]
CHECK "untraced sqlite3 printed the aggregate" grep -q '^20000|' "$T/u.out"
for mode in preload launcher; do
	real_run $mode $mode sh "$T/script.sh"
	real_compare $mode $? $urc 3
	CHECK "$mode: pages of sqlite3 and libsqlite3" libs_traced "$T/$mode.json" \
		'/sqlite3$' '/libsqlite3\.so'
done
done_test
