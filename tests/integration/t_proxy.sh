#!/usr/bin/env bash
# keyd's SCIM proxy refuses what it must, each refusal a SCIM Error
# (RFC 7644 §3.12: the Error URN, status as a string, scimType where
# Table 9 has one, a detail) that never reaches the upstream: 401, 403,
# 400 by scimType, 404, 405, 413, 415, 429, a Bulk with one forbidden
# operation; 502 and 504 when the upstream is down or hangs. What it does
# forward carries the upstream's credential and never the client's, keyd's
# request id, the query string intact; a large answer streams through
# whole; /metrics counts the decisions; no key or token is ever stored or
# logged in clear.
set -u
. tests/integration/lib.sh

SCIM='Content-Type: application/scim+json'
CORE=urn:ietf:params:scim:schemas:core:2.0
PATCHOP=urn:ietf:params:scim:api:messages:2.0:PatchOp
BULKREQ=urn:ietf:params:scim:api:messages:2.0:BulkRequest
ERROR_URN=urn:ietf:params:scim:api:messages:2.0:Error

proxy_setup hr || { finish; exit 1; }

cat >"$T/p.json" <<'JSON'
{"version": 1, "roles": {
  "admin": {"rules": [{"effect": "allow", "resources": ["*"], "operations": ["*"]}]},
  "narrow": {
    "rules": [
      {"effect": "allow", "resources": ["User"],
       "operations": ["create", "read", "search", "replace", "patch"]},
      {"effect": "deny", "resources": ["User"], "operations": ["create", "replace", "patch"],
       "attributes": ["roles", "entitlements"]},
      {"effect": "allow", "operations": ["bulk", "discover"]}
    ],
    "limits": {"max_body": "4KiB", "max_bulk_operations": 3}
  },
  "remote": {
    "rules": [{"effect": "allow", "resources": ["User"], "operations": ["read"]}],
    "limits": {"source": ["10.0.0.0/8"]}
  },
  "throttled": {
    "rules": [{"effect": "allow", "resources": ["User"], "operations": ["read", "search"]}],
    "limits": {"rate": "1/m", "burst": 2}
  }
}}
JSON
"$KEYCTL" policy apply "$T/p.json" >/dev/null || nok "the policy applies"
newkey() { "$KEYCTL" client create "$1" --role "$2" --json | jq -r .key | tee -a "$SECRETS"; }
ADMIN=$(newkey admin-c admin)
NARROW=$(newkey narrow-c narrow)
SLOW=$(newkey slow-c throttled)
FAR=$(newkey far-c remote)

# req CRED METHOD PATH [curl args…]: through keyd (CRED "" sends no
# Authorization), the upstream's log emptied first. Sets $code, $out,
# $hdrs and $rid (the X-Request-Id keyd answered).
req() {
	local cred=$1 m=$2 p=$3; shift 3
	local auth=()
	[ -n "$cred" ] && auth=(-H "Authorization: Bearer $cred")
	[ -z "$UPSTREAM_PID" ] || curl -s -X DELETE "$UPSTREAM_TEST/log"
	code=$(kcurl -D "$T/hdrs" -o "$T/out" -w '%{http_code}' -X "$m" "${auth[@]}" \
	    "$(URL "/scim/v2$p")" "$@")
	out=$(<"$T/out")
	hdrs=$(<"$T/hdrs")
	hdrs=${hdrs//$'\r'/}
	rid=$(header X-Request-Id)
}
header() { # header NAME: its value in the last answer
	local l
	while IFS= read -r l; do
		case "${l,,}" in "${1,,}: "*) echo "${l#*: }" ;; esac
	done <<<"$hdrs" | tail -1
}
# refused NAME STATUS [SCIMTYPE]: the last answer is a SCIM Error with
# STATUS (and SCIMTYPE, or none), and the upstream never saw the request.
refused() {
	local name=$1 st=$2 ty=${3:-none}
	eq "$name: $st" "$code" "$st"
	eq "$name: a SCIM Error" "$(echo "$out" | jq -r '(.schemas | join(",")) + " " +
	    (.status | type) + ":" + .status + " " + (.scimType // "none") + " " +
	    (.detail | type)' 2>/dev/null)" "$ERROR_URN string:$st $ty string"
	eq "$name: in application/scim+json" "$(header Content-Type)" application/scim+json
	# keyd sends X-Request-Id with all it forwards (checked below)
	eq "$name: never reached the upstream" "$(curl -s "$UPSTREAM_TEST/log" | jq -r --arg r "$rid" \
	    '[.requests[] | .headers["x-request-id"] | select(. != null)] |
	    "\(length) \(map(select(. == $r)) | length)"')" "0 0"
}
ulog_last() { curl -s "$UPSTREAM_TEST/log" | jq -c ".requests[-1] | $1"; }
ustate() { curl -s "$UPSTREAM_TEST/state"; }

# a user to work on, through keyd (this also fetches the upstream's schemas)
req "$ADMIN" POST /hr/Users -H "$SCIM" -d '{"schemas":["'$CORE':User"],"userName":"target","active":true}'
eq "the admin creates a user: 201" "$code" 201
TID=$(echo "$out" | jq -r .id)
eq "its Location is keyd's URL for it, not the upstream's" "$(header Location)" \
    "$(URL "/scim/v2/hr/Users/$TID")"
loc=$(kcurl -o - -H "Authorization: Bearer $ADMIN" "$(header Location)" | jq -r .id)
eq "and following it through keyd finds the user" "$loc" "$TID"
for p in /Schemas /ResourceTypes; do
	eq "keyd fetched $p once, as SCIM, with the upstream's token" "$(curl -s "$UPSTREAM_TEST/log" |
	    jq -r --arg p "$p" --arg a "Bearer $UPSTREAM_TOKEN" '[.requests[] | select(.path == $p)] |
	    "\(length) \(.[0].method) \(.[0].headers.accept) \(.[0].headers.authorization == $a)"')" \
	    "1 GET application/scim+json true"
done
req "$ADMIN" GET "/hr/Users/$TID"
eq "meta.location in the body is keyd's URL too" "$(echo "$out" | jq -r .meta.location)" \
    "$(URL "/scim/v2/hr/Users/$TID")"
req "$ADMIN" GET "/hr/Users?filter=userName%20eq%20%22target%22"
eq "and so is each listed resource's" "$(echo "$out" | jq -r '.Resources[0].meta.location')" \
    "$(URL "/scim/v2/hr/Users/$TID")"
eq "no answer names the upstream's own URL" "$(grep -c "$UPSTREAM_URL" <<<"$out")" 0

# --- 401 -----------------------------------------------------------------------
req "" GET /hr/Users
refused "no token" 401
eq "no token: WWW-Authenticate" "$(header WWW-Authenticate)" 'Bearer realm="keyd"'
req "kdat_AAAAAAAAAAAAnotarealtokenatallAAAAAAAAAAAAAAAAAAAAA" GET /hr/Users
refused "a bad token" 401
contains "a bad token: WWW-Authenticate says invalid_token" "$(header WWW-Authenticate)" 'error="invalid_token"'
req "" GET /hr/Users -H "Authorization: Basic $(printf 'admin-c:%s' "$ADMIN" | base64 -w0)"
refused "the key as HTTP Basic" 401

"$KEYCTL" --json token issue admin-c >"$T/tok.json"
AT=$(jq -r .access_token "$T/tok.json"); remember "$AT" >/dev/null
req "$AT" GET "/hr/Users/$TID"
eq "an access token: 200" "$code" 200
"$KEYCTL" token revoke "$(jq -r .token_id "$T/tok.json")" >/dev/null
req "$AT" GET "/hr/Users/$TID"
refused "the same token after keyctl token revoke" 401
contains "revoked: WWW-Authenticate says invalid_token" "$(header WWW-Authenticate)" 'error="invalid_token"'

"$KEYCTL" --json key create narrow-c >"$T/k2.json"
K2=$(jq -r .key "$T/k2.json"); remember "$K2" >/dev/null
req "$K2" GET "/hr/Users/$TID"
eq "a second key works" "$code" 200
"$KEYCTL" key revoke "$(jq -r .key_id "$T/k2.json")" >/dev/null
req "$K2" GET "/hr/Users/$TID"
refused "a revoked provisioning key" 401

ADM=$("$KEYCTL" --json admin-token create ops | jq -r .token); remember "$ADM" >/dev/null
req "$ADM" GET "/hr/Users/$TID"
refused "an admin token" 403

# --- 403: the policy -----------------------------------------------------------
req "$NARROW" PATCH "/hr/Users/$TID" -H "$SCIM" -d '{"schemas":["'$PATCHOP'"],
    "Operations":[{"op":"add","path":"roles","value":[{"value":"admin"}]}]}'
refused "a narrow role writing roles" 403
DENY_RID=$rid
contains "the detail is the decision's reason" "$(echo "$out" | jq -r .detail)" "forbids writing attribute roles"
eq "the upstream's user has no roles" "$(ustate | jq -c --arg id "$TID" '.users[] | select(.id == $id) | .roles // []')" '[]'
req "$NARROW" PUT "/hr/Users/$TID" -H "$SCIM" -d '{"schemas":["'$CORE':User"],"userName":"target",
    "entitlements":[{"value":"root"}]}'
refused "a narrow role's PUT with entitlements" 403
req "$NARROW" DELETE "/hr/Users/$TID"
refused "a narrow role's delete" 403
eq "the user is still upstream" "$(ustate | jq -r --arg id "$TID" '[.users[] | select(.id == $id)] | length')" 1
req "$NARROW" PATCH "/hr/Users/$TID" -H "$SCIM" -d '{"schemas":["'$PATCHOP'"],
    "Operations":[{"op":"replace","path":"displayName","value":"Target"}]}'
eq "what the narrow role may do passes: 200" "$code" 200

req "$FAR" GET "/hr/Users/$TID"
refused "a valid key from outside the role's limits.source" 403
contains "says where from" "$(echo "$out" | jq -r .detail)" "may not connect from 127.0.0.1"
"$KEYCTL" client disable far-c >/dev/null
req "$FAR" GET "/hr/Users/$TID"
refused "a disabled client's key" 401

TOK_R=$(token_for narrow-c "$NARROW" -d scope=scim:User.read); remember "$TOK_R" >/dev/null
req "$TOK_R" GET /hr/Users
refused "a search outside the token's scope" 403

# a Bulk with one forbidden operation: none of it reaches the upstream
req "$NARROW" POST /hr/Bulk -H "$SCIM" -d '{"schemas":["'$BULKREQ'"],"Operations":[
  {"method":"POST","path":"/Users","bulkId":"b1","data":{"schemas":["'$CORE':User"],"userName":"bulk-one"}},
  {"method":"PATCH","path":"/Users/'$TID'","data":{"schemas":["'$PATCHOP'"],
   "Operations":[{"op":"add","path":"roles","value":[{"value":"admin"}]}]}}]}'
refused "a Bulk with one forbidden operation" 403
contains "names the operation" "$(echo "$out" | jq -r .detail)" "bulk operation 1"
eq "no bulk user upstream" "$(ustate | jq '[.users[] | select(.userName == "bulk-one")] | length')" 0
eq "no /Bulk in the upstream's log" "$(curl -s "$UPSTREAM_TEST/log" | jq '[.requests[] | select(.path == "/Bulk")] | length')" 0

req "$NARROW" POST /hr/Bulk -H "$SCIM" -d '{"schemas":["'$BULKREQ'"],"Operations":[
  {"method":"POST","path":"/Users","bulkId":"b1","data":{"schemas":["'$CORE':User"],"userName":"bulk-one","active":"True"}},
  {"method":"PATCH","path":"/Users/'$TID'","data":{"schemas":["'$PATCHOP'"],
   "Operations":[{"op":"Replace","path":"title","value":"Tester"}]}}]}'
eq "the same Bulk without it: 200" "$code" 200
eq "both operations ran upstream" "$(echo "$out" | jq -r '[.Operations[].status] | join(",")')" 201,200
eq "forwarded normalised" "$(ulog_last '[.body.Operations[0].data.active, .body.Operations[1].data.Operations[0].op]')" \
    '[true,"replace"]'
req "$NARROW" POST /hr/Users/.search -H "$SCIM" -d '{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
    "filter":"userName eq \"bulk-one\"","attributes":["userName"]}'
eq "POST /Users/.search: 200, found" "$code $(echo "$out" | jq -r .totalResults)" "200 1"

# --- 400 by scimType -----------------------------------------------------------
req "$ADMIN" GET '/hr/Users?filter=userName%20eq'
refused "a broken filter" 400 invalidFilter
req "$ADMIN" POST /hr/Users -H "$SCIM" -d '{"schemas":["'$CORE':User"],"userName":'
refused "bad JSON" 400 invalidSyntax
req "$ADMIN" PATCH "/hr/Users/$TID" -H "$SCIM" -d '{"schemas":["'$PATCHOP'"],
    "Operations":[{"op":"replace","path":"name..givenName","value":"x"}]}'
refused "a bad PATCH path" 400 invalidPath
req "$ADMIN" PATCH "/hr/Users/$TID" -H "$SCIM" -d '{"schemas":["'$PATCHOP'"],
    "Operations":[{"op":"replace","path":"nosuchAttribute","value":"x"}]}'
refused "a PATCH path to an unknown attribute" 400 invalidPath
req "$ADMIN" POST /hr/Users -H "$SCIM" -d '{"schemas":["'$CORE':User"],"userName":42}'
refused "a number for userName" 400 invalidValue
req "$ADMIN" PATCH "/hr/Users/$TID" -H "$SCIM" -d '{"schemas":["'$PATCHOP'"],
    "Operations":[{"op":"replace","path":"active","value":"maybe"}]}'
refused "a PATCH active \"maybe\"" 400 invalidValue
req "$ADMIN" PATCH "/hr/Users/$TID" -H "$SCIM" -d '{"schemas":["'$PATCHOP'"],
    "Operations":[{"op":"replace","path":"meta.created","value":"2020-01-01T00:00:00Z"}]}'
refused "a PATCH of readOnly meta.created" 400 mutability
req "$ADMIN" PATCH "/hr/Users/$TID" -H "$SCIM" -d '{"schemas":["'$PATCHOP'"],"Operations":[{"op":"remove"}]}'
refused "a remove without a path" 400 noTarget
eq "after the 400s the user is unchanged" "$(ustate | jq -c --arg id "$TID" '.users[] | select(.id == $id) |
    [.userName, .active, .displayName, .title]')" '["target",true,"Target","Tester"]'

# --- 404, 405, 413, 415 -------------------------------------------------------
req "$ADMIN" GET /nope/Users
refused "an unknown upstream" 404
contains "names it" "$(echo "$out" | jq -r .detail)" "no upstream named nope"
req "$ADMIN" GET /hr/Me
refused "/Me: not served" 501
req "$ADMIN" DELETE /hr/Users
refused "DELETE on /Users" 405
eq "with Allow" "$(header Allow)" "GET, POST"
req "$ADMIN" POST "/hr/Users/$TID" -H "$SCIM" -d '{}'
refused "POST on /Users/{id}" 405
eq "with Allow" "$(header Allow)" "GET, PUT, PATCH, DELETE"

head -c 5000 /dev/zero | tr '\0' a | jq -Rc '{schemas:["'$CORE':User"],userName:"big",displayName:.}' >"$T/big.json"
req "$NARROW" POST /hr/Users -H "$SCIM" --data-binary @"$T/big.json"
refused "a body past the role's max_body (4KiB)" 413
req "$ADMIN" POST /hr/Users -H "$SCIM" --data-binary @"$T/big.json"
eq "the same body from a role without the limit: 201" "$code" 201
head -c 1100000 /dev/zero | tr '\0' a | jq -Rc '{schemas:["'$CORE':User"],userName:"huge",displayName:.}' >"$T/huge.json"
req "$ADMIN" POST /hr/Users -H "$SCIM" --data-binary @"$T/huge.json"
refused "a body past keyd.conf's max_body (1MiB)" 413
op='{"method":"POST","path":"/Users","data":{"schemas":["'$CORE':User"],"userName":"x"}}'
req "$NARROW" POST /hr/Bulk -H "$SCIM" -d '{"schemas":["'$BULKREQ'"],"Operations":['"$op,$op,$op,$op"']}'
refused "a Bulk past max_bulk_operations (3)" 413 tooMany
req "$ADMIN" POST /hr/Users -H 'Content-Type: text/plain' -d '{"schemas":["'$CORE':User"],"userName":"plain"}'
refused "text/plain" 415
req "$ADMIN" POST /hr/Users -d '{"schemas":["'$CORE':User"],"userName":"form"}'
refused "curl's default form content type" 415

# the upstream refusing keyd's own credential is keyd's problem, not the
# client's: a 502, never the upstream's 401 and its challenge
printf 'not-the-upstream-token\n' >"$T/wrongtok"
"$KEYCTL" upstream add hr-badcred --url "$UPSTREAM_URL" --bearer-file "$T/wrongtok" >/dev/null ||
    nok "upstream add hr-badcred"
req "$ADMIN" GET "/hr-badcred/Users/$TID"
BAD_RID=$rid
eq "the upstream refuses keyd's credential: 502" "$code" 502
eq "a SCIM Error" "$(echo "$out" | jq -r '.schemas[0] + " " + .status')" "$ERROR_URN 502"
eq "without the upstream's WWW-Authenticate" "$(header WWW-Authenticate)" ""
contains "the detail says whose credential" "$(echo "$out" | jq -r .detail)" "refused keyd's credential"

# --- 429 -----------------------------------------------------------------------
req "$SLOW" GET "/hr/Users/$TID"
s1=$code
req "$SLOW" GET "/hr/Users/$TID"
eq "rate 1/m, burst 2: two requests pass" "$s1 $code" "200 200"
req "$SLOW" GET "/hr/Users/$TID"
refused "the third" 429
ra=$(header Retry-After)
check "with Retry-After in whole seconds (got $ra)" test -n "$ra" -a "$ra" -ge 1 -a "$ra" -le 60 2>/dev/null
req "$ADMIN" GET "/hr/Users/$TID"
eq "another client is not held back" "$code" 200

# --- what is forwarded --------------------------------------------------------
req "$ADMIN" GET "/hr/Users/$TID" -H "Cookie: session=s3cr3t" -H "Proxy-Authorization: Basic eDp5" \
    -H "Connection: keep-alive, X-Hop" -H "X-Hop: hop" -H "X-Custom: kept" \
    -H "X-Request-Id: client-chosen" -H "X-Forwarded-For: 203.0.113.9" \
    -H "X_Forwarded_For: 203.0.113.9" -H "X_Custom: underscored"
eq "a GET with the client's headers: 200" "$code" 200
FWD_RID=$rid
h=$(ulog_last .headers)
eq "the upstream got its own credential, not the client's" "$(echo "$h" | jq -r .authorization)" "Bearer $UPSTREAM_TOKEN"
eq "no Cookie, Proxy-Authorization or Connection-named header" \
    "$(echo "$h" | jq -c '[.cookie, .["proxy-authorization"], .["x-hop"]]')" '[null,null,null]'
eq "an end-to-end header passes" "$(echo "$h" | jq -r '.["x-custom"]')" kept
eq "a name with an underscore does not (a CGI server reads it as a dash)" \
    "$(echo "$h" | jq -c '[.["x_forwarded_for"], .["x_custom"]]')" '[null,null]'
eq "X-Forwarded-For is keyd's" "$(echo "$h" | jq -r '.["x-forwarded-for"]')" 127.0.0.1
eq "X-Request-Id: the upstream saw the one keyd answered" "$(echo "$h" | jq -r '.["x-request-id"]')" "$rid"
check "and it is keyd's, not the client's" test "$rid" != client-chosen -a "${#rid}" -eq 32
eq "X-Request-Id is answered once" "$(echo "$hdrs" | grep -ci '^x-request-id:')" 1

req "$ADMIN" GET '/hr/Users?filter=userName%20eq%20%22a%2Bb%40example.com%22%20or%20displayName%20co%20%22%26%3D%22&attributes=userName,displayName&startIndex=1&count=5'
eq "an encoded query: 200" "$code" 200
eq "reaches the upstream intact" "$(ulog_last '.query | [.filter, .attributes, .startIndex, .count]')" \
    '["userName eq \"a+b@example.com\" or displayName co \"&=\"","userName,displayName","1","5"]'

# --- a large answer streams through whole --------------------------------------
# 300 users of 17 KB each, 5 MB in all: more than keyd's 256 KiB buffer and
# the sockets' buffers, so the transfer from the upstream has to pause.
pad=$(head -c 17000 /dev/zero | tr '\0' p)
made=0
for b in 0 1 2 3 4 5; do
	made=$((made + $(jq -nc --arg pad "$pad" --argjson b "$b" '{schemas:["'$BULKREQ'"],
	    Operations:[range(50) | {method:"POST",path:"/Users",bulkId:"u\(.)",
	    data:{schemas:["'$CORE':User"],userName:"bulk\($b)-\(.)",title:$pad}}]}' |
	    ucurl /Bulk -H "$SCIM" --data-binary @- | jq '[.Operations[] | select(.status == "201")] | length')))
done
eq "300 users created on the upstream directly" "$made" 300
ucurl '/Users?count=400&sortBy=userName' -o "$T/direct.json"
kcurl -o "$T/proxied.json" -H "Authorization: Bearer $ADMIN" "$(URL '/scim/v2/hr/Users?count=400&sortBy=userName')"
# rewrite DIR UPSTREAM: the upstream's answer as keyd passes it on, its
# URLs under the base rewritten to keyd's (docs/proxy.md)
rewrite() {
	sed "s#$UPSTREAM_URL\([/?\#\"]\)#$(URL "/scim/v2/$1")\1#g" "$T/direct.json"
}
eq "through keyd: every byte the upstream sent ($(wc -c <"$T/direct.json") bytes), URLs keyd's" \
    "$(sha256sum <"$T/proxied.json")" "$(rewrite hr | sha256sum)"
eq "with 300 and more meta.location rewritten" \
    "$(jq --arg k "$(URL /scim/v2/hr/Users/)" '[.Resources[].meta.location | select(startswith($k))] | length' \
    "$T/proxied.json")" "$(jq '.totalResults' "$T/direct.json")"
eq "holding every user" "$(jq '.Resources | length' "$T/proxied.json")" "$(jq '.totalResults' "$T/direct.json")"

# A client that stops reading for longer than the upstream's --timeout
# still gets the whole answer: the timeout is the upstream's time, not the
# client's (it was cut midway).
"$KEYCTL" upstream add hr-2s --url "$UPSTREAM_URL" --bearer-file "$T/uptok" --timeout 2s >/dev/null ||
    nok "upstream add hr-2s"
slow=$(node -e '
const [url, tok, ca] = process.argv.slice(1);
const h = require("crypto").createHash("sha256");
let n = 0;
require("https").get(url, { ca: require("fs").readFileSync(ca),
    headers: { authorization: "Bearer " + tok } }, (res) => {
	res.pause();
	setTimeout(() => res.resume(), 3000);
	res.on("data", (d) => { n += d.length; h.update(d); });
	res.on("end", () => console.log(res.statusCode, h.digest("hex"), n));
	res.on("aborted", () => console.log(res.statusCode, "cut after", n));
}).on("error", (e) => console.log("error", e.message));
' "$(URL '/scim/v2/hr-2s/Users?count=400&sortBy=userName')" "$ADMIN" "$STATE/tls/cert.pem")
eq "a client pausing 3 s past a 2 s --timeout gets it all" "$slow" \
    "200 $(rewrite hr-2s | sha256sum | cut -d' ' -f1) $(rewrite hr-2s | wc -c)"

# --- /metrics ------------------------------------------------------------------
m=$(kcurl "$(URL /metrics)")
contains "/metrics from loopback counts allows" "$m" 'keyd_scim_requests_total{upstream="hr",operation="read",decision="allow",status="200"}'
contains "and policy denies" "$m" 'decision="deny",status="403"'
contains "and errors" "$m" 'decision="error",status="400"'
contains "and 429s" "$m" 'decision="error",status="429"'
contains "and the upstream's histogram" "$m" 'keyd_upstream_seconds_count'
mval() { echo "$m" | awk -v k="$1" '$1 == k { print $2 }'; }
AREC=$(mval keyd_audit_records_total)
ACOM=$(mval keyd_audit_commits_total)
check "the audit records written so far: at least one per request above" test "${AREC:-0}" -ge 30
check "and the commits that wrote them" test "${ACOM:-0}" -ge 1

# --- 502 and 504 ----------------------------------------------------------------
upstream_stop
req "$ADMIN" GET "/hr/Users/$TID"
eq "the upstream is down: 502" "$code" 502
eq "a SCIM Error" "$(echo "$out" | jq -r '.schemas[0] + " " + .status')" "$ERROR_URN 502"
contains "the detail names the upstream" "$(echo "$out" | jq -r .detail)" "upstream hr"

upstream_start "" --delay-ms 2500 || nok "the upstream starts with --delay-ms 2500"
remember "$UPSTREAM_TOKEN" >/dev/null
printf '%s\n' "$UPSTREAM_TOKEN" >"$T/uptok"
"$KEYCTL" upstream add slow --url "$UPSTREAM_URL" --bearer-file "$T/uptok" --timeout 1s >/dev/null ||
    nok "upstream add slow"
t0=$(date +%s%N)
req "$ADMIN" GET /slow/Users
eq "the upstream hangs past --timeout 1s: 504" "$code" 504
eq "a SCIM Error" "$(echo "$out" | jq -r '.schemas[0] + " " + .status')" "$ERROR_URN 504"
check "within a few seconds" test $(( ($(date +%s%N) - t0) / 1000000 )) -lt 4000

# --- the audit log ----------------------------------------------------------------
"$KEYCTL" --json audit query --event scim.request >"$T/audit.jsonl"
arec() { jq -sc --arg r "$1" "[.[] | select(.request_id == \$r)] | map($2)" "$T/audit.jsonl"; }
eq "the audit log records the policy deny" "$(arec "$DENY_RID" '[.client, .decision, .rule, .status, .upstream_status]')" \
    '[["narrow-c","deny","narrow#1",403,null]]'
eq "and the forwarded request with the upstream's status" "$(arec "$FWD_RID" '[.decision, .status, .upstream_status, .method]')" \
    '[["allow",200,200,"GET"]]'
eq "and the upstream's 401 behind a 502" "$(arec "$BAD_RID" '[.decision, .status, .upstream_status]')" \
    '[["error",502,401]]'
eq "keyctl audit verify passes" "$("$KEYCTL" --json audit verify | jq -r .valid)" true

# --- no key or token in clear, anywhere ----------------------------------------
leaks=$(leaks "$STATE"/*.db* "$LOG")
eq "none of $(grep -c . "$SECRETS") secrets in keyd.db*, audit.db* or the log" "$leaks" 0

finish
