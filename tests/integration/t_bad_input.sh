#!/usr/bin/env bash
# Junk in, clear errors out: every refusal is a JSON body with the right
# status, a malformed token is refused before any lookup, nothing crashes
# and no secret is echoed.
set -u
. tests/integration/lib.sh

keyd_init && keyd_start || { nok "keyd starts"; finish; exit 1; }
KEY=$("$KEYCTL" client create c1 --role scim-provisioner --json | jq -r .key)

status_json() { # status_json NAME WANT-STATUS WANT-ERROR curl-args…
	local name=$1 want=$2 werr=$3 code; shift 3
	code=$(kcurl -o "$T/body" -D "$T/hdr" -w '%{http_code}' "$@")
	eq "$name: status" "$code" "$want"
	eq "$name: JSON error" "$(jq -r .error <"$T/body" 2>/dev/null)" "$werr"
}

# malformed and mis-checksummed bearer tokens
status_json "junk bearer" 401 invalid_client "$(URL /oauth/introspect)" -H "Authorization: Bearer junk" -d token=x
check "junk bearer: WWW-Authenticate invalid_token" grep -qi 'www-authenticate: Bearer.*error="invalid_token"' "$T/hdr"
BAD="${KEY:0:20}$( [ "${KEY:20:1}" = a ] && echo b || echo a )${KEY:21}"
status_json "one changed char" 401 invalid_client "$(URL /oauth/introspect)" -H "Authorization: Bearer kdadm_${BAD:5}" -d token=x
check "mis-checksummed: WWW-Authenticate invalid_token" grep -qi 'error="invalid_token"' "$T/hdr"
check "the refusal does not echo the token" bash -c "! grep -qF '${BAD:5}' '$T/body' '$T/hdr'"

# client authentication failures (RFC 6749 §5.2)
status_json "wrong secret" 401 invalid_client "$(URL /oauth/token)" -u "c1:${BAD}" -d grant_type=client_credentials
check "Basic failure: WWW-Authenticate Basic" grep -qi '^www-authenticate: Basic' "$T/hdr"
status_json "unknown client" 401 invalid_client "$(URL /oauth/token)" -u "nobody:$KEY" -d grant_type=client_credentials
status_json "no credentials" 401 invalid_client "$(URL /oauth/token)" -d grant_type=client_credentials
status_json "two auth methods" 400 invalid_request "$(URL /oauth/token)" -u "c1:$KEY" -d grant_type=client_credentials -d client_id=c1 --data-urlencode "client_secret=$KEY"
status_json "missing grant_type" 400 invalid_request "$(URL /oauth/token)" -u "c1:$KEY" -d scope=x
status_json "password grant" 400 unsupported_grant_type "$(URL /oauth/token)" -u "c1:$KEY" -d grant_type=password
status_json "unknown scope" 400 invalid_scope "$(URL /oauth/token)" -u "c1:$KEY" -d grant_type=client_credentials -d scope=scim:Nope.read
status_json "wider scope" 400 invalid_scope "$(URL /oauth/token)" -u "c1:$KEY" -d grant_type=client_credentials -d scope=scim:User.delete
status_json "JSON body" 400 invalid_request "$(URL /oauth/token)" -u "c1:$KEY" -H 'Content-Type: application/json' -d '{"grant_type":"client_credentials"}'
status_json "bad escape" 400 invalid_request "$(URL /oauth/token)" -u "c1:$KEY" -d 'grant_type=%zz'
status_json "repeated parameter" 400 invalid_request "$(URL /oauth/token)" -u "c1:$KEY" -d grant_type=client_credentials -d grant_type=client_credentials
status_json "introspect without token" 400 invalid_request "$(URL /oauth/introspect)" -u "c1:$KEY" -d foo=bar

# size, method, path
head -c 1100000 /dev/zero | tr '\0' a >"$T/big"
status_json "oversize body" 413 request_too_large "$(URL /oauth/token)" --data-binary @"$T/big"
status_json "oversize chunked body" 413 request_too_large "$(URL /oauth/token)" -H 'Transfer-Encoding: chunked' --data-binary @"$T/big"
status_json "wrong method" 405 method_not_allowed -X GET "$(URL /oauth/token)"
check "405 names the allowed method" grep -qi '^allow: POST' "$T/hdr"
status_json "form auth failure" 401 invalid_client "$(URL /oauth/token)" -d grant_type=client_credentials -d client_id=c1 -d client_secret=nope
check "no Authorization header, no challenge" bash -c "! grep -qi '^www-authenticate' '$T/hdr'"
long=$(printf 'c%.0s' $(seq 1 70))
status_json "an over-long client_id" 401 invalid_client "$(URL /oauth/token)" -d grant_type=client_credentials -d "client_id=$long" --data-urlencode "client_secret=$KEY"
status_json "unknown path" 404 not_found "$(URL /nope)"
status_json "path traversal" 404 not_found --path-as-is "$(URL /oauth/../healthz/..)"
eq "healthz" "$(kcurl "$(URL /healthz)" | jq -r .status)" ok

# introspection of junk is simply inactive
eq "junk token introspects inactive" "$(kcurl "$(URL /oauth/introspect)" -u "c1:$KEY" -d token=junk | jq -r .active)" false
eq "revoke of junk answers 200" "$(kcurl -o /dev/null -w '%{http_code}' "$(URL /oauth/revoke)" -u "c1:$KEY" -d token=junk)" 200

# keyctl: refusals exit 1 with the reason, bad usage exits 2
"$KEYCTL" client show nobody >/dev/null 2>"$T/err"; eq "keyctl: unknown client exits 1" "$?" 1
contains "keyctl: says which client" "$(cat "$T/err")" nobody
"$KEYCTL" client create c1 --role scim-reader >/dev/null 2>"$T/err"; eq "keyctl: duplicate client exits 1" "$?" 1
contains "keyctl: duplicate says so" "$(cat "$T/err")" "already exists"
"$KEYCTL" client create c9 --role no-such-role >/dev/null 2>"$T/err"; eq "keyctl: unknown role exits 1" "$?" 1
"$KEYCTL" token revoke "${KEY:5:12}" >/dev/null 2>"$T/err"; eq "keyctl: token revoke of a key id exits 1" "$?" 1
contains "keyctl: says it is a provisioning key" "$(cat "$T/err")" "provisioning key"
eq "the key survived the mistaken revoke" "$(kcurl "$(URL /oauth/token)" -u "c1:$KEY" -d grant_type=client_credentials | jq -r .token_type)" Bearer
"$KEYCTL" frobnicate >/dev/null 2>&1; eq "keyctl: unknown noun exits 2" "$?" 2
"$KEYCTL" client create >/dev/null 2>&1; eq "keyctl: missing argument exits 2" "$?" 2
"$KEYCTL" --socket "$T/none.sock" status >/dev/null 2>"$T/err"; eq "keyctl: no daemon exits 1" "$?" 1
contains "keyctl: no daemon says so" "$(cat "$T/err")" "cannot connect"
eq "keyctl status --json" "$("$KEYCTL" status --json | jq -r '.store_schema >= 1')" true

# the daemon survived all of it
eq "still healthy" "$(kcurl "$(URL /healthz)" | jq -r .status)" ok
check "stops cleanly" keyd_stop
check "no secret in the log" bash -c "! grep -qF '${KEY:5}' '$LOG'"

finish
