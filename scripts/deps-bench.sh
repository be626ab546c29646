#!/bin/sh
# The tools of the proxy benchmark (make bench, tests/bench/bench_proxy.sh):
# nginx (Debian's nginx-light; any nginx flavour already installed will do)
# and wrk. Installs only what is missing: as root with apt-get, otherwise it
# prints the apt-get line and fails. The benchmark runs nginx itself, with
# its own configuration in a temp dir, never as the system service.
set -eu
missing=""
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] ||
    missing="$missing nginx-light"
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "keyd: the proxy benchmark needs:$missing" >&2
	echo "keyd: run: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "keyd: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null || true
# shellcheck disable=SC2086
apt-get install -y -q $missing >/dev/null
