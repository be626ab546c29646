# Shared helpers for the integration tests: real keyd, real keyctl, curl
# over TLS, a throwaway instance per test file. Sourced, not run.
# shellcheck shell=bash

BUILD=${BUILD:-build}
KEYD="$PWD/$BUILD/keyd"
KEYCTL="$PWD/$BUILD/keyctl"
PASS=0
FAIL=0
T=$(mktemp -d /tmp/keyd-it.XXXXXX)
STATE="$T/state"
LOG="$T/keyd.log"
KEYD_PID=
PORT=
SECRETS="$T/secrets"	# every secret issued, one per line, for the leak check
: > "$SECRETS"
export KEYD_SOCKET="$STATE/keyd.sock"

ok()   { PASS=$((PASS + 1)); printf 'ok   %s\n' "$1"; }
nok()  { FAIL=$((FAIL + 1)); printf 'FAIL %s\n' "$1"; [ -n "${2:-}" ] && printf '     %s\n' "$2"; }
check() { # check NAME COMMAND...: pass when the command succeeds
	local name=$1; shift
	if "$@"; then ok "$name"; else nok "$name" "command: $*"; fi
}
eq() { # eq NAME GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else nok "$1" "got [$2], want [$3]"; fi
}
contains() { # contains NAME HAYSTACK NEEDLE
	case "$2" in *"$3"*) ok "$1" ;; *) nok "$1" "[$2] lacks [$3]" ;; esac
}

free_port() {
	local p
	for _ in $(seq 1 50); do
		# below 32768: outside the ephemeral range, whose ports a
		# busy machine's outgoing and TIME_WAIT sockets hold
		p=$((10000 + RANDOM % 22000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"; return 0
		fi
	done
	return 1
}

keyd_init() { "$KEYD" init --state "$STATE" "$@" >"$T/init.out" 2>&1; }

# Start keyd on a free port; wait until /healthz answers. Extra args: -o …
# A port free_port found can be taken before keyd binds it (ephemeral
# ports of other connections on a busy machine): then try another one.
keyd_start() {
	local try
	for try in 1 2 3 4 5; do
		keyd_start_once "$@" && return 0
		[ -z "$KEYD_PID" ] || return 1
		tail -n 2 "$LOG" | grep -q "Address already in use" || return 1
	done
	return 1
}

keyd_start_once() {
	PORT=$(free_port)
	"$KEYD" -c "$STATE/keyd.conf" -o "listen=127.0.0.1:$PORT" "$@" \
	    >>"$LOG" 2>&1 &
	KEYD_PID=$!
	# up to 20 s: a loaded machine (a benchmark next door) starts slowly
	for _ in $(seq 1 400); do
		if curl -s -o /dev/null --cacert "$STATE/tls/cert.pem" \
		    "https://127.0.0.1:$PORT/healthz"; then return 0; fi
		if ! kill -0 "$KEYD_PID" 2>/dev/null; then
			wait "$KEYD_PID" 2>/dev/null
			KEYD_PID=
			return 1
		fi
		sleep 0.05
	done
	return 1
}

# Stop keyd with SIGTERM; returns keyd's exit status.
keyd_stop() {
	local rc=0
	[ -n "$KEYD_PID" ] || return 0
	kill -TERM "$KEYD_PID" 2>/dev/null
	wait "$KEYD_PID" || rc=$?
	KEYD_PID=
	return $rc
}

URL() { echo "https://127.0.0.1:$PORT$1"; }
kcurl() { curl -sS --cacert "$STATE/tls/cert.pem" "$@"; }

# Record a secret for the leak check and print it.
remember() { echo "$1" >>"$SECRETS"; echo "$1"; }

# leaks FILE…: how many times a secret in $SECRETS stands in clear in one
# of the FILEs (those that exist); names each file, never the secret.
leaks() {
	local s f n=0
	while IFS= read -r s; do
		[ -n "$s" ] || continue
		for f in "$@"; do
			[ -f "$f" ] && grep -aqF -- "$s" "$f" &&
			    { n=$((n + 1)); echo "     found in $f" >&2; }
		done
	done <"$SECRETS"
	echo "$n"
}

# token CLIENT KEY [curl args…]: an access token via /oauth/token
token_for() {
	local c=$1 k=$2; shift 2
	kcurl "$(URL /oauth/token)" -u "$c:$k" -d grant_type=client_credentials "$@" |
	    jq -r .access_token
}

introspect_active() { # introspect_active CLIENT KEY TOKEN → true|false
	kcurl "$(URL /oauth/introspect)" -u "$1:$2" -d "token=$3" | jq -r .active
}

# The test SCIM upstream (tests/upstream/server.js, node). upstream_start
# [TOKEN] [server args: --delay-ms N, --tls-cert F --tls-key F …]: start it
# on a free port (https with --tls-cert), wait until
# it listens; sets UPSTREAM_PID, UPSTREAM_PORT, UPSTREAM_TOKEN (a random one
# when TOKEN is empty), UPSTREAM_URL (its SCIM base URL) and UPSTREAM_TEST
# (its /_test inspection API: GET log, GET state, POST reset, POST delay?ms=N).
UPSTREAM_PID=
upstream_start() {
	local tok=${1:-}
	[ $# -gt 0 ] && shift
	[ -n "$tok" ] || tok="up_$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
	UPSTREAM_TOKEN=$tok
	UPSTREAM_SCHEME=http
	case " $* " in *" --tls-cert "*) UPSTREAM_SCHEME=https ;; esac
	rm -f "$T/upstream.port"
	node tests/upstream/server.js --port 0 --token "$tok" \
	    --port-file "$T/upstream.port" "$@" >>"$T/upstream.log" 2>&1 &
	UPSTREAM_PID=$!
	for _ in $(seq 1 200); do
		if [ -s "$T/upstream.port" ]; then
			UPSTREAM_PORT=$(cat "$T/upstream.port")
			UPSTREAM_URL="$UPSTREAM_SCHEME://127.0.0.1:$UPSTREAM_PORT/scim/v2"
			UPSTREAM_TEST="$UPSTREAM_SCHEME://127.0.0.1:$UPSTREAM_PORT/_test"
			return 0
		fi
		kill -0 "$UPSTREAM_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "upstream did not start; see $T/upstream.log" >&2
	return 1
}

upstream_stop() {
	[ -n "$UPSTREAM_PID" ] || return 0
	kill -TERM "$UPSTREAM_PID" 2>/dev/null
	wait "$UPSTREAM_PID" 2>/dev/null
	UPSTREAM_PID=
	return 0
}

# proxy_setup NAME: keyd and the test upstream started, the upstream
# registered with keyd as NAME with its token in $T/uptok. Fails (after
# a nok naming the step) when any of it does not work.
# admin_client NAME: apply a policy whose one role, admin, may do anything
# anywhere; create NAME with that role; print its key (remembered).
admin_client() {
	cat >"$T/admin-policy.json" <<'JSON'
{"version": 1, "roles": {
  "admin": {"rules": [{"effect": "allow", "resources": ["*"], "operations": ["*"]}]}
}}
JSON
	"$KEYCTL" policy apply "$T/admin-policy.json" >/dev/null || { nok "the policy applies"; return 1; }
	"$KEYCTL" client create "$1" --role admin --json | jq -r .key | tee -a "$SECRETS"
}

proxy_setup() {
	keyd_init && keyd_start || { nok "keyd starts"; return 1; }
	upstream_start || { nok "the upstream starts"; return 1; }
	remember "$UPSTREAM_TOKEN" >/dev/null
	printf '%s\n' "$UPSTREAM_TOKEN" >"$T/uptok"
	"$KEYCTL" upstream add "$1" --url "$UPSTREAM_URL" \
	    --bearer-file "$T/uptok" >/dev/null || { nok "upstream add"; return 1; }
}

# ucurl PATH [curl args…]: straight to the upstream with its own token.
ucurl() {
	local p=$1; shift
	curl -sS -H "Authorization: Bearer $UPSTREAM_TOKEN" "$UPSTREAM_URL$p" "$@"
}

finish() {
	keyd_stop >/dev/null 2>&1 || true
	upstream_stop
	echo "$(basename "$0"): $PASS passed, $FAIL failed"
	if [ "$FAIL" -eq 0 ]; then rm -rf "$T"; else echo "kept $T for a look"; fi
	[ "$FAIL" -eq 0 ]
}
trap 'keyd_stop >/dev/null 2>&1 || true; upstream_stop' EXIT
