#!/bin/sh
# apt-install.sh WHAT PKG…: install Debian packages the caller found
# missing. As root with apt-get; otherwise print the exact command and
# fail, naming WHAT needs them. Shared by deps.sh, deps-bench.sh and
# deps-upstream.sh.
set -eu
what=$1
shift
[ $# -gt 0 ] || exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "keyd: $what needs: $*" >&2
	echo "keyd: run: sudo apt-get install -y $*" >&2
	exit 1
fi
echo "keyd: installing: $*" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null || true
apt-get install -y -q "$@" >/dev/null
