#!/bin/sh
# `make run`: a dev instance in ./var/dev (created on first run, with a demo
# client), a ready-to-paste curl line, then keyd in the foreground.
set -eu
BUILD=${1:-build}
DIR=var/dev
KEYD="$BUILD/keyd"
KEYCTL="$BUILD/keyctl"
PORT=${KEYD_DEV_PORT:-8443}

if [ ! -f "$DIR/keyd.conf" ]; then
	mkdir -p var
	"$KEYD" init --state "$DIR" --listen "127.0.0.1:$PORT"
	fresh=1
else
	fresh=0
fi

"$KEYD" -c "$DIR/keyd.conf" -o "listen=127.0.0.1:$PORT" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid; exit 0' INT TERM
i=0
while [ ! -S "$DIR/keyd.sock" ] && [ $i -lt 100 ]; do
	kill -0 $pid 2>/dev/null || { wait $pid; exit 1; }
	sleep 0.05; i=$((i + 1))
done

export KEYD_SOCKET="$DIR/keyd.sock"
if [ $fresh -eq 1 ]; then
	key=$("$KEYCTL" --json client create demo --role scim-provisioner |
	    sed -n 's/.*"key": *"\(kdpk_[0-9A-Za-z]*\)".*/\1/p')
	umask 077
	printf '%s\n' "$key" >"$DIR/demo.key"
	echo "keyd: created client demo; its provisioning key is in $DIR/demo.key (mode 0600)"
fi
cat <<MSG

keyd is running on https://127.0.0.1:$PORT (Ctrl-C stops it). Get a token:

  curl --cacert $DIR/tls/cert.pem https://127.0.0.1:$PORT/oauth/token \\
       -u "demo:\$(cat $DIR/demo.key)" -d grant_type=client_credentials

Administer it:  KEYD_SOCKET=$DIR/keyd.sock $KEYCTL client list

MSG
wait $pid
