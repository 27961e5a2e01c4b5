#!/bin/sh
# Install cowtrace's dependencies on Debian 12 (only what is missing).
#   install-deps.sh         what `make demo` needs: build and run
#   install-deps.sh test    and everything the tests use (`make test`)
set -eu

# build and run: compiler, libunwind, elfutils (libelf, libdw and the
# debuginfod client), liblzma, zlib, uthash, python3 for the scripts
demo="build-essential pkg-config libunwind-dev uthash-dev libelf-dev libdw-dev libdebuginfod-dev
liblzma-dev zlib1g-dev python3"

# the tests: real programs traced (git, perl, sqlite3, gcc, g++, make,
# postgresql), CPython's and GLib's own tests, LLVM's libunwind (a program
# with its own unwinder), pprof's proto and go tool pprof, lld (ld.lld, advise's
# relinking), strace (no SIGSEGV in scan mode), gdb (debuggers), debuginfod
# (a local server), libc6-dbg (ld.so's writer names), man-db (man pages),
# util-linux (setpriv), binutils (nm, readelf, objcopy), bzip2 and xz-utils
# (t-real-compress)
test="git libunwind-14 protobuf-compiler golang-github-google-pprof-dev golang-go perl sqlite3
make gcc g++ libpython3.11-testsuite libglib2.0-tests lld strace gdb debuginfod libc6-dbg
postgresql man-db util-linux binutils bzip2 xz-utils"

case ${1:-demo} in
demo) pkgs=$demo ;;
test) pkgs="$demo $test" ;;
*) echo "usage: install-deps.sh [demo|test]" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root, or install them yourself)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
