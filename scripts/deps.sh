#!/bin/sh
# Install the Debian packages keyd needs to build and test, only those missing.
# As root this runs apt-get; otherwise it prints the exact command and fails.
set -eu
PKGS="build-essential pkg-config libsodium-dev libgnutls28-dev libcurl4-gnutls-dev
libmbedtls-dev libsqlite3-dev libjansson-dev libcmocka-dev curl cppcheck sqlite3 jq openssl"
# `deps.sh fuzz` (make fuzz): clang and its libFuzzer runtime as well.
[ "${1:-}" = fuzz ] && PKGS="$PKGS clang libclang-rt-14-dev"
missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
# shellcheck disable=SC2086
sh "$(dirname "$0")/apt-install.sh" "keyd's build and tests" $missing
