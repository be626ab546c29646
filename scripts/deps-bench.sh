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
# shellcheck disable=SC2086
sh "$(dirname "$0")/apt-install.sh" "the proxy benchmark" $missing
