#!/usr/bin/env bash
# keyd's forwarder on the wire (keyd/proxy_fwd*.c): libcurl makes the
# upstream connections and keyd reads the HTTP/1.1 answers itself. Against
# a raw upstream (tests/upstream/raw.js) that writes its answers by hand:
# each framing (Content-Length, chunked with extensions and trailers, to
# the close, Connection: close) comes through whole; framing that can be
# read two ways, or a broken chunk, is a 502 and never half an answer;
# bytes past an answer are not taken as the next; connections are reused,
# and one the upstream drops as it is reused is retried once on a new
# one. Then over TLS to the scimmy upstream: --ca, the pin, a wrong pin,
# and a client certificate.
set -u
. tests/integration/lib.sh

KOPTS=(-o workers=1)	# one worker: one pool, so reuse can be counted
keyd_init && keyd_start "${KOPTS[@]}" || { nok "keyd starts"; finish; exit 1; }

rm -f "$T/raw.port"
node tests/upstream/raw.js --port-file "$T/raw.port" >>"$T/raw.log" 2>&1 &
RAW_PID=$!
for _ in $(seq 1 100); do [ -s "$T/raw.port" ] && break; sleep 0.05; done
RAW="http://127.0.0.1:$(cat "$T/raw.port")"
printf 'raw-upstream-token\n' >"$T/rawtok"
"$KEYCTL" upstream add raw --url "$RAW/scim/v2" --bearer-file "$T/rawtok" >/dev/null ||
    nok "upstream add raw"
KEY=$(admin_client wire-c)

# get UPSTREAM PATH: sets $code and $body
get() {
	body=$(kcurl -o - -w '\n%{http_code}' -H "Authorization: Bearer $KEY" \
	    "$(URL "/scim/v2/$1$2")")
	code=${body##*$'\n'}
	body=${body%$'\n'*}
}
stat() { curl -s "$RAW/_stats" | jq -r ".$1"; }

# --- every framing comes through whole -----------------------------------------
for id in length chunked close conn-close; do
	get raw "/Users/$id"
	eq "$id: 200" "$code" 200
	eq "$id: the user, whole" "$(echo "$body" | jq -r '.id + " " + .userName')" \
	    "$id $id@example.com"
done
get raw /Users/extra
eq "bytes past an answer: 200" "$code" 200
eq "and only the answer's own bytes" "$body" "{}"

curl -s "$RAW/scim/v2/Users/big-chunked" | sha256sum >"$T/direct.sum"
kcurl -H "Authorization: Bearer $KEY" "$(URL /scim/v2/raw/Users/big-chunked)" |
    sha256sum >"$T/keyd.sum"
eq "2 MiB in 1000-byte chunks: every byte, through the bounded buffer" \
    "$(cat "$T/keyd.sum")" "$(cat "$T/direct.sum")"

# --- Location under the upstream's base comes back through keyd -----------------
# hdr ID NAME: the header NAME of keyd's answer for /Users/ID.
hdr() {
	kcurl -o /dev/null -D - -H "Authorization: Bearer $KEY" \
	    "$(URL "/scim/v2/raw/Users/$1")" | tr -d '\r' |
	    awk -v n="$(echo "$2" | tr 'A-Z' 'a-z')" -F': ' \
	    'tolower($1) == n { print $2 }'
}
eq "an absolute Location under the upstream's base names keyd's URL" \
    "$(hdr loc-abs Location)" "$(URL /scim/v2/raw/Users/loc-abs)"
eq "and so does Content-Location" "$(hdr loc-abs Content-Location)" \
    "$(URL /scim/v2/raw/Users/loc-abs)"
eq "a path-only Location under the base's path, query kept" \
    "$(hdr loc-path Location)" "$(URL "/scim/v2/raw/Users/loc-path?attributes=id")"
eq "a Location on another host passes as it is" "$(hdr loc-other Location)" \
    "https://elsewhere.example/scim/v2/Users/x"
eq "one outside the base's path (/scim/v2x) passes as it is" \
    "$(hdr loc-other Content-Location)" "$RAW/scim/v2x/Users/x"
# a refusal's reason may hold quotes: in the text log they are escaped, so
# that the reason's own quotes are the only bare ones on the line
code=$(kcurl -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" \
    "$(URL '/scim/v2/raw/Users?filter=userName%20eq%20%22x%22%20status=200%20and')")
eq "a filter that ends badly: 400" "$code" 400
line=$(grep 'proxy.refused' "$LOG" | tail -1)
contains "its reason's quotes are escaped in the log" "$line" '\"'
eq "… and only the reason's own quotes are bare" \
    "$(echo "$line" | sed 's/\\\\//g; s/\\"//g' | tr -cd '"' | wc -c)" 2
# a Host that is no host at all is refused at the door (RFC 9112 §3.2)
eq "a Host with a quote in it: 400" "$(kcurl -o /dev/null -w '%{http_code}' \
    -H "Authorization: Bearer $KEY" -H "Host: evil.example\"x" \
    "$(URL /scim/v2/raw/Users/loc-abs)")" 400
loc=$(kcurl -o /dev/null -D - -H "Authorization: Bearer $KEY" -H "Host: evil.example,x" \
    "$(URL /scim/v2/raw/Users/loc-abs)" | tr -d '\r' | awk -F': ' 'tolower($1) == "location" { print $2 }')
eq "a Host keyd will not echo: the path alone" "$loc" "/scim/v2/raw/Users/loc-abs"
# an absolute-form target: its authority names the host, not the Host header
loc=$(kcurl -o /dev/null -D - -H "Authorization: Bearer $KEY" -H "Host: other.example" \
    --request-target "https://keyd.example:8443/scim/v2/raw/Users/loc-abs" \
    "$(URL /)" | tr -d '\r' | awk -F': ' 'tolower($1) == "location" { print $2 }')
eq "an absolute-form target: Location on the target's authority" "$loc" \
    "https://keyd.example:8443/scim/v2/raw/Users/loc-abs"

# --- the upstream's URLs in a JSON body come back as keyd's -----------------------
# … in JSON's escaped form too ("http:\/\/…"), as PHP's json_encode writes them
get raw /Users/esc-urls
eq "escaped URLs: 200" "$code" 200
eq "escaped URLs: meta.location is keyd's, still escaped" \
    "$(echo "$body" | grep -o '"location":"[^"]*"')" \
    "\"location\":\"$(URL /scim/v2/raw/Users/esc-urls | sed 's|/|\\/|g')\""
eq "escaped URLs: a \$ref under the base is keyd's, one under /scim/v2x is not" \
    "$(echo "$body" | jq -r '.groups[]["$ref"]' | paste -sd' ')" \
    "$(URL /scim/v2/raw/Groups/g1) $RAW/scim/v2x/Groups/g2"
# A streamed body (1.7 MB, past the 256 KiB keyd holds), with URLs cut
# between chunks: byte for byte what the upstream sent, each URL under its
# base rewritten and those under /scim/v2x not.
for id in big-urls big-urls-cl; do
	curl -s "$RAW/scim/v2/Users/$id" |
	    sed "s#$RAW/scim/v2\([/?\#\"]\)#$(URL /scim/v2/raw)\1#g" | sha256sum >"$T/want.sum"
	kcurl -D "$T/h" -H "Authorization: Bearer $KEY" "$(URL "/scim/v2/raw/Users/$id")" >"$T/got"
	eq "$id: every \$ref and meta.location under the base is keyd's" \
	    "$(jq -r --arg k "$(URL /scim/v2/raw/)" \
	    '[.members[]["$ref"], .meta.location | select(startswith($k))] | length' "$T/got")" \
	    $((20000 - 2858 + 1))
	eq "$id: and the rest of the body is the upstream's, byte for byte" \
	    "$(sha256sum <"$T/got")" "$(cat "$T/want.sum")"
done
check "a rewritten body goes out chunked, not with the upstream's length" \
    grep -qi '^transfer-encoding: chunked' "$T/h"
# HTTP/1.0 has no chunked coding: the same body goes up to the close
curl -s "$RAW/scim/v2/Users/big-urls" |
    sed "s#$RAW/scim/v2\([/?\#\"]\)#$(URL /scim/v2/raw)\1#g" | sha256sum >"$T/want.sum"
kcurl --http1.0 -D "$T/h" -H "Authorization: Bearer $KEY" "$(URL /scim/v2/raw/Users/big-urls)" >"$T/got"
eq "to an HTTP/1.0 client: the same bytes" "$(sha256sum <"$T/got")" "$(cat "$T/want.sum")"
eq "… with neither a length nor chunks, and the connection closed after it" \
    "$(grep -ci -e '^transfer-encoding' -e '^content-length' "$T/h") $(grep -ci '^connection: close' "$T/h")" "0 1"

# --- public_url: the base keyd writes, whatever the client's Host ----------------
keyd_stop
keyd_start "${KOPTS[@]}" -o public_url=https://scim.example.com:8443/edge/ ||
    nok "keyd restarts with public_url"
PUB=https://scim.example.com:8443/edge/scim/v2/raw
eq "with public_url, Location is under it" "$(hdr loc-abs Location)" "$PUB/Users/loc-abs"
kcurl -H "Authorization: Bearer $KEY" -H "Host: other.example" \
    "$(URL /scim/v2/raw/Users/big-urls-cl)" >"$T/got"
eq "and so is every URL in a body, whatever Host the client sent" \
    "$(jq -r --arg k "$PUB/" '[.members[]["$ref"], .meta.location | select(startswith($k))] | length' \
    "$T/got")" $((20000 - 2858 + 1))

# --- malformed framing is a 502, never half an answer ----------------------------
for id in two-cl bad-chunk; do
	get raw "/Users/$id"
	eq "$id: 502" "$code" 502
	eq "$id: a SCIM error" "$(echo "$body" | jq -r '.schemas[0]')" \
	    urn:ietf:params:scim:api:messages:2.0:Error
done
check "the log says why" grep -q 'proxy.upstream_failed.*malformed' "$LOG"

# --- connections are reused, and a dropped one is retried once ------------------
get raw /Users/length		# a kept-alive connection in the pool
c0=$(stat connections); r0=$(stat requests)
for _ in $(seq 1 10); do get raw /Users/length; done
eq "10 requests in a row: 10 reach the upstream" "$(( $(stat requests) - r0 ))" 10
eq "over the one connection already open" "$(( $(stat connections) - c0 ))" 0

get raw /Users/conn-close
c0=$(stat connections)
get raw /Users/length
eq "after Connection: close, the next request opens a new connection" \
    "$(( $(stat connections) - c0 ))" 1

d0=$(stat dropped); c0=$(stat connections)
get raw /Users/stale
eq "the upstream drops the reused connection unanswered: still 200" "$code" 200
eq "it was dropped once" "$(( $(stat dropped) - d0 ))" 1
eq "and the request went again, on a new connection" "$(( $(stat connections) - c0 ))" 1
eq "the answer is the user" "$(echo "$body" | jq -r .id)" stale

kill "$RAW_PID" 2>/dev/null; wait "$RAW_PID" 2>/dev/null
get raw /Users/length
eq "the upstream gone: 502" "$code" 502
contains "saying it cannot be reached" "$(echo "$body" | jq -r .detail)" "cannot reach the upstream"

# --- TLS to the scimmy upstream ---------------------------------------------------
upstream_start "" --tls-cert "$STATE/tls/cert.pem" --tls-key "$STATE/tls/key.pem" ||
    nok "the upstream starts with TLS"
remember "$UPSTREAM_TOKEN" >/dev/null
printf '%s\n' "$UPSTREAM_TOKEN" >"$T/token"
pin=$(node -e 'const c=require("crypto"),fs=require("fs");
    const k=new c.X509Certificate(fs.readFileSync(process.argv[1])).publicKey;
    process.stdout.write("sha256//"+c.createHash("sha256").update(k.export({type:"spki",format:"der"})).digest("base64"))' \
    "$STATE/tls/cert.pem")
"$KEYCTL" upstream add tls --url "$UPSTREAM_URL" --bearer-file "$T/token" \
    --ca "$STATE/tls/cert.pem" --pin "$pin" >/dev/null || nok "upstream add tls"
"$KEYCTL" upstream add tls-badpin --url "$UPSTREAM_URL" --bearer-file "$T/token" \
    --ca "$STATE/tls/cert.pem" --pin "sha256//$(head -c 32 /dev/urandom | base64)" >/dev/null ||
    nok "upstream add tls-badpin"
"$KEYCTL" upstream add tls-noca --url "$UPSTREAM_URL" --bearer-file "$T/token" >/dev/null ||
    nok "upstream add tls-noca"

get tls '/Users?count=1'
eq "https with --ca and the pin: 200" "$code" 200
eq "a ListResponse" "$(echo "$body" | jq -r '.schemas[0]')" urn:ietf:params:scim:api:messages:2.0:ListResponse
for _ in 1 2 3; do get tls '/Users?count=1'; done
eq "and again over the kept TLS connection: 200" "$code" 200
h=$(curl -sk "$UPSTREAM_TEST/log" | jq -c '.requests[-1].headers')
eq "the upstream got its own token over TLS" "$(echo "$h" | jq -r .authorization)" "Bearer $UPSTREAM_TOKEN"
get tls-badpin /Users
eq "a pin the upstream's key does not match: 502" "$code" 502
get tls-noca /Users
eq "a certificate no CA vouches for: 502" "$code" 502
check "the log names the pin" grep -q 'upstream=tls-badpin.*pin' "$LOG"

if command -v openssl >/dev/null 2>&1; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	    -subj /CN=keyd-wire -addext extendedKeyUsage=clientAuth \
	    -keyout "$T/client.key" -out "$T/client.pem" 2>/dev/null
	remember "$(sed -n 2p "$T/client.key")" >/dev/null
	upstream_stop
	upstream_start "" --tls-cert "$STATE/tls/cert.pem" --tls-key "$STATE/tls/key.pem" \
	    --client-ca "$T/client.pem" || nok "the upstream starts demanding client certificates"
	"$KEYCTL" upstream add mtls --url "$UPSTREAM_URL" --client-cert "$T/client.pem" \
	    --client-key "$T/client.key" --ca "$STATE/tls/cert.pem" >/dev/null || nok "upstream add mtls"
	get mtls '/Users?count=1'
	eq "a client certificate through keyd: 200" "$code" 200
	log=$(curl -sk --cert "$T/client.pem" --key "$T/client.key" "$UPSTREAM_TEST/log")
	eq "the upstream saw keyd's certificate" "$(echo "$log" | jq -r '.requests[-1].client_cert')" keyd-wire
	eq "and no Authorization header" "$(echo "$log" | jq -r '.requests[-1].headers.authorization')" null
else
	nok "openssl is installed (make deps)"
fi

finish
