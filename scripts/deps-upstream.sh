#!/bin/sh
# The test SCIM upstream (tests/upstream/) needs Node.js and npm, and its
# packages from package-lock.json. Installs only what is missing: nodejs and
# npm from Debian as root (otherwise prints the apt-get line and fails), then
# `npm ci` when node_modules is absent or older than the lock file.
set -eu
dir=$(dirname "$0")/../tests/upstream
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	missing=""
	command -v node >/dev/null 2>&1 || missing="$missing nodejs"
	command -v npm >/dev/null 2>&1 || missing="$missing npm"
	# shellcheck disable=SC2086
	sh "$(dirname "$0")/apt-install.sh" "the test upstream" $missing
fi
# A stamp holding the lock file's digest says node_modules matches it.
want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
have=$(cat "$dir/node_modules/.keyd-lock-sha256" 2>/dev/null || true)
[ "$want" = "$have" ] && exit 0
echo "keyd: npm ci in tests/upstream" >&2
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
echo "$want" >"$dir/node_modules/.keyd-lock-sha256"
