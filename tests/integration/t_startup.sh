#!/usr/bin/env bash
# keyd refuses to start, with a message that names the fix, on a wrong or
# exposed root key, a store from a newer keyd, a bad config line, and
# tls=off off loopback. Passphrase mode works end to end.
set -u
. tests/integration/lib.sh

refuse() { # refuse NAME EXPECTED-TEXT keyd-args…: keyd must exit non-zero saying EXPECTED
	local name=$1 want=$2 out rc; shift 2
	out=$(timeout 20 "$KEYD" "$@" 2>&1); rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 124 ]; then ok "$name: refused (exit $rc)"; else nok "$name: refused" "exit $rc"; fi
	contains "$name: says why" "$out" "$want"
}

"$KEYD" init --state "$T/bogus" --listen bogus >"$T/out" 2>&1; eq "init --listen bogus is refused" "$?" 1
contains "and says how to write it" "$(cat "$T/out")" "127.0.0.1:8443"
check "and creates nothing" test ! -e "$T/bogus/keyd.conf"
check "keyd init" keyd_init
CONF="$STATE/keyd.conf"

head -c 32 /dev/urandom >"$T/other.key"; chmod 600 "$T/other.key"
refuse "wrong root key" "wrong root key" -c "$CONF" -o "root_key=file:$T/other.key" -o listen=127.0.0.1:1
cp "$STATE/root.key" "$T/open.key"; chmod 644 "$T/open.key"
refuse "root key mode 0644" "chmod 600" -c "$CONF" -o "root_key=file:$T/open.key"
chmod 640 "$STATE/root.key"
refuse "root key mode 0640 (group-readable)" "readable by others" -c "$CONF"
chmod 600 "$STATE/root.key"
head -c 31 /dev/urandom >"$T/short.key"; chmod 600 "$T/short.key"
refuse "a 31-byte root key" "exactly 32" -c "$CONF" -o "root_key=file:$T/short.key"
refuse "a missing root key" "cannot open root key" -c "$CONF" -o "root_key=file:$T/nope.key"

refuse "tls=off on a non-loopback address" "loopback" -c "$CONF" -o tls=off -o listen=0.0.0.0:8443
refuse "an unknown -o setting" "unknown setting" -c "$CONF" -o lisen=127.0.0.1:1
printf 'state_dir = %s\nlisten = 127.0.0.1:8443\naccess_token_ttl = 15\n' "$STATE" >"$T/bad.conf"
refuse "a duration without a unit names file:line" "$T/bad.conf:3" -c "$T/bad.conf"
printf 'state_dir = %s\nmax_bodyy = 1MiB\n' "$STATE" >"$T/bad2.conf"
refuse "an unknown name names file:line" "$T/bad2.conf:2" -c "$T/bad2.conf"

# tls = off is accepted on loopback
check "tls=off on 127.0.0.1 starts" bash -c '
	. tests/integration/lib.sh >/dev/null; STATE='"$STATE"'
	p=$(free_port)
	"$KEYD" -c "$STATE/keyd.conf" -o tls=off -o listen=127.0.0.1:$p -o admin_socket='"$T"'/plain.sock >/dev/null 2>&1 & pid=$!
	for _ in $(seq 1 100); do curl -sf http://127.0.0.1:$p/healthz >/dev/null && break; sleep 0.05; done
	curl -sf http://127.0.0.1:$p/healthz | grep -q ok; rc=$?
	kill -TERM $pid; wait $pid; exit $rc'

# a store written by a newer keyd
cp "$STATE/keyd.db" "$T/newer.db"
sqlite3 "$T/newer.db" "PRAGMA user_version = 999"
refuse "a store from a newer keyd" "newer keyd" -c "$CONF" -o "store=$T/newer.db"

# the real root key still works after all that; log_format=json gives JSON lines
: >"$LOG"
check "the right root key starts (log_format=json)" keyd_start -o log_format=json
names=$(cat /proc/"$KEYD_PID"/task/*/comm | sort -u | tr '\n' ' ')
for n in keyd-worker0 keyd-audit keyd-admin keyd-pool; do
	contains "a thread is named $n" "$names" "$n "
done
"$KEYCTL" client create j1 --role scim-reader >/dev/null
check "and stops with exit 0" keyd_stop
check "every log line is one JSON object" jq -e -s 'length > 3 and all(has("ts") and has("level") and has("event") and has("msg"))' "$LOG"
eq "the log records the start, the client and the stop" \
    "$(jq -r .event "$LOG" | grep -cE '^(keyd.started|client.created|keyd.stopped)$')" 3

# passphrase mode: Argon2id, salt in the state dir, passphrase from a file
P="$T/pp"; mkdir "$P"
printf 'correct horse battery staple\n' >"$T/pass"
check "keyd init --passphrase-file" "$KEYD" init --state "$P/s" --passphrase-file "$T/pass"
check "no root key file in passphrase mode" test ! -e "$P/s/root.key"
eq "the salt lives in the state dir" "$(stat -c %s "$P/s/passphrase.salt")" 16
STATE="$P/s"; export KEYD_SOCKET="$STATE/keyd.sock"
KEYD_PASSPHRASE_FILE="$T/pass" keyd_start; eq "starts with KEYD_PASSPHRASE_FILE" "$?" 0
out=$("$KEYCTL" client create pp --role scim-reader --json)
eq "and issues keys" "$(echo "$out" | jq -r .key | cut -c1-5)" kdpk_
keyd_stop
printf 'wrong passphrase entirely\n' >"$T/wrong"
KEYD_PASSPHRASE_FILE="$T/wrong" refuse "a wrong passphrase" "wrong root key" -c "$STATE/keyd.conf" -o listen=127.0.0.1:1

finish
