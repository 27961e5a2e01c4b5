#!/bin/sh
# t-real-compress.sh - (h) gzip, bzip2, xz and tar (running gzip, bzip2 and
# xz as children) compressing and extracting a generated tree, with md5sums
# of every archive in the output.  These programs read() their input
# straight into global buffers, the kernel-write case: without the tracer's
# system call wrappers the read fails with EFAULT on a write-protected page
# ("gzip: ...: Bad address").  Stdout, stderr (less "cowtrace:" lines) and
# exit status identical traced (LD_PRELOAD only; launcher) and untraced; the
# traced runs logged dirty pages of gzip, bzip2 (libbz2) and xz (liblzma),
# and the report shows kernel writes into gzip's buffers (via syscall:read).
. tests/lib.sh
. tests/real_lib.sh
need_tracer
need_report
for c in gzip bzip2 xz tar md5sum; do
	command -v $c >/dev/null || skip "no $c"
done

cat >"$T/script.sh" <<'SEOF'
export LC_ALL=C TZ=UTC
mkdir -p tree/sub
seq 1 30000 >tree/nums.txt
awk 'BEGIN { for (i = 0; i < 5000; i++) printf "%08x line %d of words\n", i * 2654435761 % 4294967296, i }' >tree/sub/hex.txt
head -c 60000 /dev/zero | tr '\0' 'z' >tree/sub/zeds.txt
touch -d '2020-01-02 03:04:05' tree tree/sub tree/nums.txt tree/sub/hex.txt tree/sub/zeds.txt
gzip -9 -n -c tree/nums.txt >nums.gz && gzip -t nums.gz && zcat nums.gz | md5sum
bzip2 -9 -c tree/sub/hex.txt >hex.bz2 && bunzip2 -c hex.bz2 | md5sum
xz -6 -c tree/sub/zeds.txt >zeds.xz && unxz -c zeds.xz | md5sum
md5sum nums.gz hex.bz2 zeds.xz
for z in gzip bzip2 xz; do
	tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2020-01-02 03:04:05' \
		-cf - tree | $z -c >tree.tar.$z
	mkdir -p out.$z && tar -xf tree.tar.$z -C out.$z --use-compress-program="$z -d" &&
		diff -r tree out.$z/tree && echo "tar $z round trip ok"
	md5sum tree.tar.$z
done
gzip -l nums.gz
echo garbage | gzip -d
echo "gzip -d on garbage: $?"
exit 0
SEOF

real_run u u sh "$T/script.sh"
urc=$?
CHECK "untraced script exits 0 ($urc)" [ $urc -eq 0 ]
CHECK "untraced round trips ok" [ "$(grep -c 'round trip ok' "$T/u.out")" -eq 3 ]
for mode in preload launcher; do
	real_run $mode $mode sh "$T/script.sh"
	real_compare $mode $? $urc 10
	CHECK "$mode: pages of gzip, bzip2/libbz2, xz/liblzma" libs_traced "$T/$mode.json" \
		'/gzip$' '/bzip2$|libbz2' '/xz$|liblzma'
	n=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(sum(1 for p in r["pages"] if p["library"].endswith("/gzip") and p["via"] == "syscall:read"))' "$T/$mode.json")
	CHECK "$mode: gzip pages first written by the kernel in read() ($n)" [ "$n" -ge 1 ]
done
done_test
