#!/usr/bin/env bash
# The test SCIM upstream (tests/upstream/) works on this machine: driven
# directly with curl it creates, filters, patches, groups and deletes a
# user, refuses a request without its token, and records what it received.
# Then keyd's upstream registry: keyctl upstream add/list/show/test/remove
# against it (http, https with --ca and --pin, client certificates), every
# bad input refused, and the credential never shown, logged or stored in
# clear.
set -u
. tests/integration/lib.sh

SCIM='Content-Type: application/scim+json'
USER_SCHEMA=urn:ietf:params:scim:schemas:core:2.0:User
PATCH_SCHEMA=urn:ietf:params:scim:api:messages:2.0:PatchOp

upstream_start || { nok "the upstream starts"; finish; exit 1; }
ok "the upstream starts on port $UPSTREAM_PORT"

# --- the upstream on its own -------------------------------------------------
eq "ServiceProviderConfig answers 200" \
    "$(ucurl /ServiceProviderConfig -o /dev/null -w '%{http_code}')" 200
eq "it announces bulk" "$(ucurl /ServiceProviderConfig | jq -r .bulk.supported)" true
eq "without the token: 401" \
    "$(curl -s -o /dev/null -w '%{http_code}' "$UPSTREAM_URL/Users")" 401
eq "with another token: 401" "$(curl -s -o /dev/null -w '%{http_code}' \
    -H 'Authorization: Bearer nope' "$UPSTREAM_URL/Users")" 401
eq "the 401 is a SCIM error" "$(curl -s "$UPSTREAM_URL/Users" | jq -r .status)" 401

uid=$(ucurl /Users -H "$SCIM" -d '{"schemas":["'$USER_SCHEMA'"],"userName":"bjensen",
    "name":{"givenName":"Barbara","familyName":"Jensen"},
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales"}}' | jq -r .id)
check "create a user returns an id" test -n "$uid" -a "$uid" != null
eq "a second bjensen: 409" "$(ucurl /Users -H "$SCIM" -o /dev/null -w '%{http_code}' \
    -d '{"schemas":["'$USER_SCHEMA'"],"userName":"bjensen"}')" 409
eq "filter by userName finds one" "$(ucurl /Users -G \
    --data-urlencode 'filter=userName eq "bjensen"' | jq -r '.totalResults')" 1
eq "filter by userName returns it" "$(ucurl /Users -G \
    --data-urlencode 'filter=userName eq "bjensen"' | jq -r '.Resources[0].id')" "$uid"
eq "filter on an absent multi-valued attribute" "$(ucurl /Users -G \
    --data-urlencode 'filter=emails.value ew "@example.com"' | jq -r .totalResults)" 0
eq "filter on an enterprise attribute" "$(ucurl /Users -G --data-urlencode \
    'filter=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Sales"' |
    jq -r .totalResults)" 1

out=$(ucurl "/Users/$uid" -X PATCH -H "$SCIM" -d '{"schemas":["'$PATCH_SCHEMA'"],
    "Operations":[{"op":"replace","path":"displayName","value":"Babs"},
    {"op":"add","path":"emails","value":[{"value":"bjensen@example.com","type":"work"}]}]}')
eq "patch replaces displayName" "$(echo "$out" | jq -r .displayName)" Babs
eq "patch adds an email" "$(echo "$out" | jq -r '.emails[0].value')" bjensen@example.com
eq "the email filter now finds it" "$(ucurl /Users -G \
    --data-urlencode 'filter=emails.value ew "@example.com"' | jq -r .totalResults)" 1
eq "put replaces the user" "$(ucurl "/Users/$uid" -X PUT -H "$SCIM" \
    -d '{"schemas":["'$USER_SCHEMA'"],"userName":"bjensen","active":false}' |
    jq -r '[.active, .displayName] | @tsv')" "$(printf 'false\t')"

gid=$(ucurl /Groups -H "$SCIM" -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
    "displayName":"engineering"}' | jq -r .id)
check "create a group" test -n "$gid" -a "$gid" != null
eq "patch adds the user to the group" "$(ucurl "/Groups/$gid" -X PATCH -H "$SCIM" \
    -d '{"schemas":["'$PATCH_SCHEMA'"],"Operations":[{"op":"add","path":"members",
    "value":[{"value":"'$uid'"}]}]}' | jq -r '.members[0].value')" "$uid"
eq "the user lists the group" "$(ucurl "/Users/$uid" | jq -r '.groups[0].display')" engineering
eq "delete the user: 204" "$(ucurl "/Users/$uid" -X DELETE -o /dev/null -w '%{http_code}')" 204
eq "then it is gone: 404" "$(ucurl "/Users/$uid" -o /dev/null -w '%{http_code}')" 404
eq "and out of the group" "$(ucurl "/Groups/$gid" | jq -r '.members // [] | length')" 0

out=$(ucurl /Bulk -H "$SCIM" -d '{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
    "Operations":[{"method":"POST","path":"/Users","bulkId":"u1","data":{"schemas":["'$USER_SCHEMA'"],"userName":"bulk1"}},
    {"method":"POST","path":"/Users","bulkId":"u2","data":{"schemas":["'$USER_SCHEMA'"],"userName":"bulk2"}}]}')
eq "bulk creates two users" "$(echo "$out" | jq -r '[.Operations[].status] | join(",")')" 201,201
eq "Schemas lists the enterprise extension" "$(ucurl /Schemas |
    jq -r '[.Resources[].id] | index("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User") != null')" true
eq "ResourceTypes lists User and Group" "$(ucurl /ResourceTypes | jq -r '[.Resources[].name] | join(",")')" User,Group

state=$(curl -s "$UPSTREAM_TEST/state")
eq "/_test/state holds the bulk users" "$(echo "$state" | jq -r '[.users[].userName] | sort | join(",")')" bulk1,bulk2
log=$(curl -s "$UPSTREAM_TEST/log")
eq "/_test/log records the refused request" "$(echo "$log" |
    jq -r '[.requests[] | select(.authorised == false)] | length')" 3
eq "and the PUT with its body" "$(echo "$log" |
    jq -r '[.requests[] | select(.method == "PUT")][0].body.active')" false
eq "and the filter query" "$(echo "$log" | jq -r '[.requests[] | select(.query.filter != null)][0].query.filter')" \
    'userName eq "bjensen"'

upstream_stop
upstream_start "" --delay-ms 400 || nok "the upstream starts with --delay-ms"
t0=$(date +%s%N)
ucurl /ServiceProviderConfig -o /dev/null
eq "--delay-ms holds each answer" "$(( ($(date +%s%N) - t0) / 1000000 >= 400 ))" 1
upstream_stop

# --- keyd's upstream registry ---------------------------------------------
# keyd runs from here on with proxies in its environment that lead
# nowhere: it must go straight to the upstream, never through a proxy that
# the environment names (and that would see the upstream credential).
cat >"$T/keyd-proxied" <<EOF
#!/bin/sh
export http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9
export HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
export ALL_PROXY=http://127.0.0.1:9 all_proxy=http://127.0.0.1:9
exec "$KEYD" "\$@"
EOF
chmod +x "$T/keyd-proxied"
KEYD="$T/keyd-proxied"
keyd_init && keyd_start || { nok "keyd starts"; finish; exit 1; }
upstream_start || { nok "the upstream starts again"; finish; exit 1; }
remember "$UPSTREAM_TOKEN" >/dev/null
printf '%s\n' "$UPSTREAM_TOKEN" >"$T/token"
printf 'not-the-upstream-token\n' >"$T/wrong"
remember not-the-upstream-token >/dev/null

# kc NAME ARGS…: run keyctl, keep stdout in $out, stderr in $err, status in $rc
kc() { out=$("$KEYCTL" "$@" 2>"$T/kc.err"); rc=$?; err=$(cat "$T/kc.err"); }
no_token() { # no_token NAME TEXT: the upstream token is not in TEXT
	case "$2" in *"$UPSTREAM_TOKEN"*) nok "$1" "the token was printed" ;; *) ok "$1" ;; esac
}

kc upstream add hr --url "$UPSTREAM_URL/" --bearer-file "$T/token"
eq "upstream add exits 0" "$rc" 0
contains "add names the url, trailing / dropped" "$out" "url: $UPSTREAM_URL"$'\n'
contains "add says bearer" "$out" "auth: bearer"
contains "the default timeout is 10s" "$out" "timeout: 10s"
no_token "add does not print the token" "$out$err"
kc upstream list
contains "list shows it" "$out" "$UPSTREAM_URL  bearer"
no_token "list does not print the token" "$out"
kc upstream show hr
contains "show says credential_version 1" "$out" "credential_version: 1"
no_token "show does not print the token" "$out"
kc upstream show hr --json
no_token "show --json does not print the token" "$out"
eq "show --json has no secret member" "$(echo "$out" | jq -c 'keys')" \
    '["auth","ca","created_at","credential_version","name","pin","timeout","timeout_ms","updated_at","url"]'
kc upstream list --json
no_token "list --json does not print the token" "$out"

curl -s -X DELETE "$UPSTREAM_TEST/log"
kc upstream test hr
eq "upstream test exits 0" "$rc" 0
contains "test prints status 200" "$out" "status: 200"
contains "test prints the latency" "$out" "latency_ms: "
contains "test sees a ServiceProviderConfig" "$out" "scim: true"
kc upstream test hr --json
eq "test --json: ok" "$(echo "$out" | jq -r .ok)" true
eq "test --json: latency is a number" "$(echo "$out" | jq -r '.latency_ms | type')" number
log=$(curl -s "$UPSTREAM_TEST/log")
eq "the upstream got GET /ServiceProviderConfig" "$(echo "$log" |
    jq -r '.requests[0] | "\(.method) \(.path)"')" "GET /ServiceProviderConfig"
eq "with the stored token" "$(echo "$log" | jq -r '.requests[0].headers.authorization')" \
    "Bearer $UPSTREAM_TOKEN"
eq "as keyd" "$(echo "$log" | jq -r '.requests[0].headers["user-agent"]' | cut -d/ -f1)" keyd

kc upstream add hr-wrong --url "$UPSTREAM_URL" --bearer-file "$T/wrong" --timeout 2m
contains "--timeout takes a unit" "$out" "timeout: 2m"
kc upstream test hr-wrong
eq "a wrong token: test still exits 0" "$rc" 0
contains "and prints 401" "$out" "status: 401"
contains "and ok: false" "$out" "ok: false"

down=$(free_port)
kc upstream add gone --url "http://127.0.0.1:$down/scim/v2"
contains "an upstream without a credential is auth none" "$out" "auth: none"
kc upstream test gone
eq "a down upstream: test exits 1" "$rc" 1
contains "and says it cannot connect" "$err" "cannot connect: is the upstream running"
eq "and prints nothing on stdout" "$out" ""

curl -s -X POST "$UPSTREAM_TEST/delay?ms=3000" >/dev/null
kc upstream add slow --url "$UPSTREAM_URL" --bearer-file "$T/token" --timeout 1s
kc upstream test slow
eq "a slow upstream: test exits 1" "$rc" 1
contains "and says it did not answer in time" "$err" "no answer in time"
curl -s -X POST "$UPSTREAM_TEST/delay?ms=0" >/dev/null

# refusals: each exits 1 (keyd) or 2 (usage), with a message that says why
refused() { # refused NAME STATUS MESSAGE keyctl-args…
	local name=$1 want=$2 msg=$3; shift 3
	kc "$@"
	eq "$name: exit $want" "$rc" "$want"
	contains "$name: says why" "$err" "$msg"
}
: >"$T/empty"
printf 'two words\n' >"$T/spaced"
refused "a name with /" 1 "bad upstream name" upstream add a/b --url "$UPSTREAM_URL"
refused "the name .." 1 "bad upstream name" upstream add .. --url "$UPSTREAM_URL"
refused "a 65-byte name" 1 "bad upstream name" upstream add "$(printf 'n%.0s' $(seq 65))" --url "$UPSTREAM_URL"
refused "an ftp URL" 1 "must start with http:// or https://" upstream add x --url ftp://127.0.0.1/scim
refused "http to another host" 1 "http:// is allowed only to a loopback host" upstream add x --url http://scim.example.com/scim/v2
refused "a URL with a user" 1 "must not hold a user" upstream add x --url https://u:p@scim.example.com/scim/v2
refused "a URL with a query" 1 "must not have a query" upstream add x --url "https://scim.example.com/scim?x=1"
refused "a URL without a host" 1 "the URL has no host" upstream add x --url https:///scim
refused "no --url" 2 "missing --url" upstream add x
refused "a missing token file" 1 "cannot open $T/nope" upstream add x --url "$UPSTREAM_URL" --bearer-file "$T/nope"
refused "an empty token file" 1 "the bearer token file is empty" upstream add x --url "$UPSTREAM_URL" --bearer-file "$T/empty"
refused "a token with a space" 1 "holds a space" upstream add x --url "$UPSTREAM_URL" --bearer-file "$T/spaced"
refused "a bad pin" 1 "bad --pin" upstream add x --url https://scim.example.com/v2 --pin sha256//nope
refused "a pin over http" 1 "need an https:// URL" upstream add x --url "$UPSTREAM_URL" --pin "sha256//$(head -c 32 /dev/urandom | base64)"
refused "a CA over http" 1 "need an https:// URL" upstream add x --url "$UPSTREAM_URL" --ca "$STATE/tls/cert.pem"
refused "a CA that is not PEM" 1 "not a PEM certificate" upstream add x --url https://scim.example.com/v2 --ca "$T/token"
refused "a timeout without a unit" 1 "bad --timeout" upstream add x --url "$UPSTREAM_URL" --timeout 10
refused "a timeout past 300s" 1 "bad --timeout" upstream add x --url "$UPSTREAM_URL" --timeout 1h
refused "a cert without its key" 1 "go together" upstream add x --url https://scim.example.com/v2 --client-cert "$STATE/tls/cert.pem"
refused "a token and a cert" 1 "not both" upstream add x --url https://scim.example.com/v2 --bearer-file "$T/token" --client-cert "$STATE/tls/cert.pem" --client-key "$STATE/tls/key.pem"
refused "a name taken" 1 'upstream "hr" already exists' upstream add hr --url "$UPSTREAM_URL"
refused "an unknown option" 2 "unknown option --token" upstream add x --url "$UPSTREAM_URL" --token abc
refused "show an unknown upstream" 1 'no upstream "nope"' upstream show nope
refused "test an unknown upstream" 1 'no upstream "nope"' upstream test nope
eq "nothing refused was added" "$("$KEYCTL" upstream list --json | jq -r '[.upstreams[].name] | join(",")')" \
    gone,hr,hr-wrong,slow

# the registry is loaded from the store at start
check "keyd restarts" keyd_stop
check "keyd starts again" keyd_start
kc upstream test hr
contains "after a restart the credential still works" "$out" "status: 200"

kc upstream remove hr-wrong
contains "remove says removed" "$out" "state: removed"
refused "remove it again" 1 'no upstream "hr-wrong"' upstream remove hr-wrong
refused "test a removed upstream" 1 'no upstream "hr-wrong"' upstream test hr-wrong
eq "list no longer has it" "$("$KEYCTL" upstream list --json | jq -r '[.upstreams[].name] | join(",")')" gone,hr,slow
eq "the store no longer has it" "$(sqlite3 "$STATE/keyd.db" "SELECT count(*) FROM upstreams WHERE name = 'hr-wrong'")" 0

# --- https: --ca, --pin, client certificates --------------------------------
upstream_stop
upstream_start "" --tls-cert "$STATE/tls/cert.pem" --tls-key "$STATE/tls/key.pem" ||
    nok "the upstream starts with TLS"
TLS_URL=$UPSTREAM_URL
printf '%s\n' "$UPSTREAM_TOKEN" >"$T/token"
remember "$UPSTREAM_TOKEN" >/dev/null
pin=$(node -e 'const c=require("crypto"),fs=require("fs");
    const k=new c.X509Certificate(fs.readFileSync(process.argv[1])).publicKey;
    process.stdout.write("sha256//"+c.createHash("sha256").update(k.export({type:"spki",format:"der"})).digest("base64"))' \
    "$STATE/tls/cert.pem")

kc upstream add tls-noca --url "$TLS_URL" --bearer-file "$T/token"
kc upstream test tls-noca
eq "https without --ca: test exits 1" "$rc" 1
contains "and says the certificate is not trusted" "$err" "not trusted"
kc upstream add tls --url "$TLS_URL" --bearer-file "$T/token" --ca "$STATE/tls/cert.pem"
contains "show says ca: true" "$out" "ca: true"
kc upstream test tls
contains "https with --ca: 200" "$out" "status: 200"
kc upstream add tls-pin --url "$TLS_URL" --bearer-file "$T/token" --ca "$STATE/tls/cert.pem" --pin "$pin"
contains "the pin is shown" "$out" "pin: $pin"
kc upstream test tls-pin
contains "https with the right pin: 200" "$out" "status: 200"
kc upstream add tls-badpin --url "$TLS_URL" --bearer-file "$T/token" --ca "$STATE/tls/cert.pem" \
    --pin "sha256//$(head -c 32 /dev/urandom | base64);sha256//$(head -c 32 /dev/urandom | base64)"
kc upstream test tls-badpin
eq "a wrong pin: test exits 1" "$rc" 1
contains "and says the pin does not match" "$err" "does not match the pin"

if command -v openssl >/dev/null 2>&1; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	    -subj /CN=keyd-client -addext extendedKeyUsage=clientAuth \
	    -keyout "$T/client.key" -out "$T/client.pem" 2>/dev/null
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/other.key" 2>/dev/null
	openssl pkey -in "$T/client.key" -aes256 -passout pass:x -out "$T/enc.key" 2>/dev/null
	keyline=$(sed -n 2p "$T/client.key")
	remember "$keyline" >/dev/null
	upstream_stop
	upstream_start "" --tls-cert "$STATE/tls/cert.pem" --tls-key "$STATE/tls/key.pem" \
	    --client-ca "$T/client.pem" || nok "the upstream starts demanding client certificates"
	TLS_URL=$UPSTREAM_URL
	kc upstream add mtls --url "$TLS_URL" --client-cert "$T/client.pem" \
	    --client-key "$T/client.key" --ca "$STATE/tls/cert.pem"
	contains "a client certificate: auth mtls" "$out" "auth: mtls"
	kc upstream show mtls
	contains "show names the certificate's subject" "$out" "client_cert_subject: CN=keyd-client"
	contains "and its expiry" "$out" "client_cert_expires: "
	case "$out" in *"$keyline"*) nok "show does not print the key" ;; *) ok "show does not print the key" ;; esac
	kc upstream test mtls
	contains "mTLS: test 200" "$out" "status: 200"
	log=$(curl -sk --cert "$T/client.pem" --key "$T/client.key" "$UPSTREAM_TEST/log")
	eq "the upstream saw the client certificate" "$(echo "$log" | jq -r '.requests[-1].client_cert')" keyd-client
	eq "and no Authorization header" "$(echo "$log" | jq -r '.requests[-1].headers.authorization')" null
	kc upstream add mtls-nocert --url "$TLS_URL" --bearer-file "$T/token" --ca "$STATE/tls/cert.pem"
	kc upstream test mtls-nocert
	eq "no client certificate where one is demanded: exit 1" "$rc" 1
	refused "a key that is not the cert's" 1 "does not match the client certificate" upstream add x \
	    --url "$TLS_URL" --client-cert "$T/client.pem" --client-key "$T/other.key"
	refused "an encrypted key" 1 "the client key is encrypted" upstream add x \
	    --url "$TLS_URL" --client-cert "$T/client.pem" --client-key "$T/enc.key"
	refused "a cert as the key" 1 "does not parse as a private key" upstream add x \
	    --url "$TLS_URL" --client-cert "$T/client.pem" --client-key "$T/client.pem"
	check "keyd restarts with an mTLS upstream" keyd_stop
	check "and starts" keyd_start
	kc upstream test mtls
	contains "mTLS after a restart: 200" "$out" "status: 200"
else
	nok "openssl is installed (make deps)"
fi

# no credential in the store or the log, in any form keyd saw
leaks=$(leaks "$STATE"/keyd.db* "$LOG")
eq "no upstream credential in keyd.db, -wal or the log ($(wc -l <"$SECRETS") checked)" "$leaks" 0
check "the log names the admin ops" grep -q "op=upstream.add" "$LOG"

finish
