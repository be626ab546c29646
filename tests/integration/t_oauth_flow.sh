#!/usr/bin/env bash
# The foundation's story end to end: init → run → keyctl client create →
# /oauth/token over TLS → introspect → revoke → restart → revoke-all, and
# no secret in the store files or the log afterwards.
set -u
. tests/integration/lib.sh

check "keyd init creates an instance" keyd_init
eq "state dir is 0700" "$(stat -c %a "$STATE")" 700
eq "root key is 0600" "$(stat -c %a "$STATE/root.key")" 600
eq "root key is 32 bytes" "$(stat -c %s "$STATE/root.key")" 32
eq "TLS key is 0600" "$(stat -c %a "$STATE/tls/key.pem")" 600
check "TLS certificate is ECDSA P-256" grep -q "BEGIN CERTIFICATE" "$STATE/tls/cert.pem"
keyd_init; eq "keyd init refuses an existing instance" "$?" 1
contains "refusal says why" "$(cat "$T/init.out")" "already holds an instance"

check "keyd starts" keyd_start
eq "admin socket is 0600" "$(stat -c %a "$STATE/keyd.sock")" 600

out=$("$KEYCTL" client create demo --role scim-provisioner --json)
KEY=$(remember "$(echo "$out" | jq -r .key)")
KEY_ID=$(echo "$out" | jq -r .key_id)
check "client create prints a kdpk_ key" grep -qE '^kdpk_[0-9A-Za-z]{50}$' <<<"$KEY"
eq "client create --json names the client" "$(echo "$out" | jq -r .client)" demo
eq "key_id is the token id" "${KEY:5:12}" "$KEY_ID"

# /oauth/token with HTTP Basic, over TLS verified against the instance cert
hdr="$T/hdr"
body=$(kcurl -D "$hdr" "$(URL /oauth/token)" -u "demo:$KEY" -d grant_type=client_credentials)
AT1=$(remember "$(echo "$body" | jq -r .access_token)")
check "token endpoint issues a kdat_ token" grep -qE '^kdat_[0-9A-Za-z]{50}$' <<<"$AT1"
eq "token_type is Bearer" "$(echo "$body" | jq -r .token_type)" Bearer
eq "expires_in is the 15m default" "$(echo "$body" | jq -r .expires_in)" 900
check "Cache-Control: no-store" grep -qi '^cache-control: no-store' "$hdr"
contains "default scope is the role's" "$(echo "$body" | jq -r .scope)" "scim:User.create"

# client_id/client_secret form fields work too, and a narrower scope
body=$(kcurl "$(URL /oauth/token)" -d grant_type=client_credentials \
    -d client_id=demo --data-urlencode "client_secret=$KEY" -d "scope=scim:User.read scim:Group.read")
AT2=$(remember "$(echo "$body" | jq -r .access_token)")
eq "form auth with narrowed scope (sorted)" "$(echo "$body" | jq -r .scope)" "scim:Group.read scim:User.read"

# introspect → revoke → introspect
r=$(kcurl "$(URL /oauth/introspect)" -u "demo:$KEY" -d "token=$AT1")
eq "introspect: active" "$(echo "$r" | jq -r .active)" true
eq "introspect: client_id" "$(echo "$r" | jq -r .client_id)" demo
eq "introspect: jti is the token id" "$(echo "$r" | jq -r .jti)" "${AT1:5:12}"
code=$(kcurl -o /dev/null -w '%{http_code}' "$(URL /oauth/revoke)" -u "demo:$KEY" -d "token=$AT1")
eq "revoke answers 200" "$code" 200
eq "revoked token introspects inactive" "$(introspect_active demo "$KEY" "$AT1")" false
eq "the other token is untouched" "$(introspect_active demo "$KEY" "$AT2")" true

# a second client cannot see or revoke the first one's tokens
out=$("$KEYCTL" client create other --role scim-reader --json)
KEY2=$(remember "$(echo "$out" | jq -r .key)")
eq "a foreign token introspects inactive" "$(introspect_active other "$KEY2" "$AT2")" false
kcurl -o /dev/null "$(URL /oauth/revoke)" -u "other:$KEY2" -d "token=$AT2"
eq "a foreign revoke does nothing" "$(introspect_active demo "$KEY" "$AT2")" true
eq "a key of another client is invalid_client" \
    "$(kcurl "$(URL /oauth/token)" -u "demo:$KEY2" -d grant_type=client_credentials | jq -r .error)" invalid_client

# restart: a token that was not revoked still introspects active
check "keyd stops cleanly on SIGTERM (exit 0)" keyd_stop
check "keyd restarts" keyd_start
eq "after restart: unrevoked token still active" "$(introspect_active demo "$KEY" "$AT2")" true
eq "after restart: revoked token still inactive" "$(introspect_active demo "$KEY" "$AT1")" false

# keyctl token issue, list, revoke-all
out=$("$KEYCTL" token issue demo --ttl 5m --scope scim:User.read --json)
AT3=$(remember "$(echo "$out" | jq -r .access_token)")
eq "keyctl token issue: ttl honoured" "$(echo "$out" | jq -r .expires_in)" 300
eq "keyctl token issue: token_id" "$(echo "$out" | jq -r .token_id)" "${AT3:5:12}"
AT4=$(remember "$(token_for demo "$KEY")")
n=$("$KEYCTL" token list demo --json | jq '[.tokens[] | select(.state == "active")] | length')
eq "token list shows the 3 live tokens" "$n" 3
check "token revoke-all" "$KEYCTL" token revoke-all demo
for t in "$AT2" "$AT3" "$AT4"; do
	eq "revoke-all killed ${t:5:12}" "$(introspect_active demo "$KEY" "$t")" false
done
AT5=$(remember "$(token_for demo "$KEY")")
eq "the key still mints after revoke-all" "$(introspect_active demo "$KEY" "$AT5")" true
eq "the other client is untouched by revoke-all" \
    "$(kcurl "$(URL /oauth/token)" -u "other:$KEY2" -d grant_type=client_credentials | jq -r .token_type)" Bearer

# key revoke kills the key and every token minted from it
out=$("$KEYCTL" key create demo --json)
KEY3=$(remember "$(echo "$out" | jq -r .key)")
AT6=$(remember "$(token_for demo "$KEY3")")
check "key revoke" "$KEYCTL" key revoke "${KEY3:5:12}"
eq "revoked key is refused" \
    "$(kcurl "$(URL /oauth/token)" -u "demo:$KEY3" -d grant_type=client_credentials | jq -r .error)" invalid_client
eq "tokens from a revoked key die with it" "$(introspect_active demo "$KEY" "$AT6")" false

# disable refuses the client; enable restores it
check "client disable" "$KEYCTL" client disable demo
eq "a disabled client gets invalid_client" \
    "$(kcurl "$(URL /oauth/token)" -u "demo:$KEY" -d grant_type=client_credentials | jq -r .error)" invalid_client
check "client enable" "$KEYCTL" client enable demo
eq "an enabled client mints again" "$(token_for demo "$KEY" | cut -c1-5)" kdat_

# admin token: introspects any client's token
out=$("$KEYCTL" admin-token create ops --json)
ADM=$(remember "$(echo "$out" | jq -r .token)")
r=$(kcurl "$(URL /oauth/introspect)" -H "Authorization: Bearer $ADM" -d "token=$AT5")
eq "an admin token introspects a client's token" "$(echo "$r" | jq -r .client_id)" demo

# client revoke-all kills keys too
check "client revoke-all" "$KEYCTL" client revoke-all demo
eq "client revoke-all kills the key" \
    "$(kcurl "$(URL /oauth/token)" -u "demo:$KEY" -d grant_type=client_credentials | jq -r .error)" invalid_client

# no secret reaches the store files or the log
check "keyd stops cleanly" keyd_stop
leaks=0
while read -r s; do
	[ -n "$s" ] || continue
	for f in "$STATE"/keyd.db* "$LOG"; do
		if grep -qF "$s" "$f"; then leaks=$((leaks + 1)); echo "     leak of ${s:0:10}… in $f"; fi
		# the secret part alone, too
		if grep -qF "${s: -38:32}" "$f"; then leaks=$((leaks + 1)); echo "     secret part in $f"; fi
	done
done <"$SECRETS"
eq "no issued secret in keyd.db, -wal or the log ($(wc -l <"$SECRETS") checked)" "$leaks" 0
check "the WAL file was part of the check" test -e "$STATE/keyd.db-wal" -o -e "$STATE/keyd.db"

finish
