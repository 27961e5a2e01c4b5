#!/bin/sh
# scripts/fresh-check.sh - `make fresh-check`: the README's two commands on a
# fresh Debian 12 root, as the next machine starts.  A minimal bookworm root
# (build-essential, git, python3) is debootstrapped once into BASE and kept
# read-only; every check runs in an overlay over it (a new upper directory
# each time, so that nothing of an earlier run is there), with /proc, /sys
# and /dev mounted.  The project is cloned into it from this checkout's
# committed HEAD; then `make demo` and `make test` run there as root.
# Prints the test runner's last line and every skipped or failed test; exit
# 0 only with 0 failed and 0 skipped.  Needs root and Debian's archive.
#   FRESH_BASE=DIR (default /var/cache/cowtrace-fresh/base)
#   KEEP=1: keep the overlay's upper directory (the clone, its build and test logs)
set -eu
[ "$(id -u)" = 0 ] || { echo "fresh-check: run as root (debootstrap, mount, chroot)" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd -P)
base=${FRESH_BASE:-/var/cache/cowtrace-fresh/base}
mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

mkdir -p "$(dirname "$base")"
exec 9>"$base.lock"
flock 9		# one debootstrap at a time; the checks themselves run side by side
if [ ! -f "$base/.cowtrace-base" ]; then
	command -v debootstrap >/dev/null || {
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
	}
	echo "fresh-check: debootstrap bookworm from $mirror into $base (once)"
	rm -rf "$base.tmp"
	debootstrap --variant=minbase --include=build-essential,git,python3,ca-certificates \
		bookworm "$base.tmp" "$mirror" >"$base.log" 2>&1 ||
		{ echo "fresh-check: debootstrap failed, see $base.log" >&2; exit 1; }
	touch "$base.tmp/.cowtrace-base"
	rm -rf "$base"
	mv "$base.tmp" "$base"
fi
exec 9>&-

work=$(mktemp -d /var/tmp/cowtrace-fresh.XXXXXX)
root=$work/root
mkdir -p "$work/upper" "$work/work" "$root"
cleanup() {
	for m in dev/shm dev/pts dev sys proc; do
		umount -l "$root/$m" 2>/dev/null || true
	done
	umount -l "$root" 2>/dev/null || true
	# never rm -rf through a mount that is still there (the host's /dev)
	if grep -q " $work/" /proc/self/mounts; then
		echo "fresh-check: $work still has mounts; not removed" >&2
	elif [ -z "${KEEP:-}" ]; then
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
mount -t overlay overlay -o "lowerdir=$base,upperdir=$work/upper,workdir=$work/work" "$root"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"	# not the host's (POSIX semaphores, shm_open)
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
# apt: the Debian archive this machine uses (bookworm, -updates, -security),
# from its sources files that name nothing but Debian's servers
srcs=""
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] && grep -Eq '^[^#]*(deb|URIs:).*debian' "$f" || continue
	grep -E '^[^#]*(https?|file|cdrom):' "$f" | grep -Ev '(https?://[^/ ]*debian\.(org|net)|deb\.debian)' | grep -q . && continue
	srcs="$srcs $f"
done
if [ -n "$srcs" ]; then
	rm -f "$root/etc/apt/sources.list" "$root"/etc/apt/sources.list.d/*
	for f in $srcs; do cp "$f" "$root$f"; done
fi
git clone -q --no-hardlinks "$here" "$root/root/cowtrace"
echo "fresh-check: $(git -C "$here" log --oneline -1) in a fresh root ($work)"
git -C "$here" diff --quiet HEAD -- || echo "fresh-check: uncommitted changes are not part of the check"
log=$work/check.log
set +e
nice -n 10 chroot "$root" /bin/sh -c 'cd /root/cowtrace && export DEBIAN_FRONTEND=noninteractive &&
	apt-get update -qq && make demo && make test' >"$log" 2>&1
rc=$?
set -e
cp "$log" "$here/fresh-check.log" 2>/dev/null || true
grep -E '^(FAIL|SKIP) ' "$log" || true
last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
echo "fresh-check: ${last:-no test result} (exit $rc); the whole output is in fresh-check.log"
if [ -n "${KEEP:-}" ]; then
	echo "fresh-check: kept $work; the tests' own logs are in $work/upper/root/cowtrace/build/test-logs"
fi
skipped=$(grep -c '^SKIP ' "$log" || true)
case $last in
*" passed, 0 failed"*) [ "$rc" = 0 ] && [ "$skipped" = 0 ] && exit 0 ;;
esac
exit 1
