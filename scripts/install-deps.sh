#!/bin/sh
# Install cowtrace's build and test dependencies on Debian 12 (only what is missing).
set -eu

pkgs="build-essential pkg-config libunwind-dev uthash-dev libelf-dev libdw-dev libdebuginfod-dev liblzma-dev zlib1g-dev python3 git libunwind-14 protobuf-compiler golang-github-google-pprof-dev golang-go perl sqlite3 make gcc libpython3.11-testsuite libglib2.0-tests g++ lld strace gdb debuginfod libc6-dbg postgresql man-db util-linux"

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
