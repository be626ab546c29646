#!/usr/bin/env bash
# A whole provisioning cycle through keyd's SCIM proxy, over TLS, driven
# the way Microsoft Entra ID drives it: a provisioning key as the static
# bearer token, a filter by userName before each create, Entra's PATCH
# dialect ("Replace", path-less values keyed by attribute paths, "True"
# as a string, value-filtered paths, members removed by a filter),
# deactivation, groups, delete. After every step the upstream's own
# state shows the effect, and its log shows that it received keyd's
# canonical form, never Entra's dialect.
set -u
. tests/integration/lib.sh

SCIM='Content-Type: application/scim+json'
CORE=urn:ietf:params:scim:schemas:core:2.0
ENT=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User
PATCHOP=urn:ietf:params:scim:api:messages:2.0:PatchOp

proxy_setup hr || { finish; exit 1; }

cat >"$T/p.json" <<'JSON'
{"version": 1, "roles": {
  "entra": {
    "rules": [
      {"effect": "allow", "resources": ["User", "Group"],
       "operations": ["create", "read", "search", "replace", "patch", "delete"]},
      {"effect": "deny", "resources": ["User"], "operations": ["create", "replace", "patch"],
       "attributes": ["roles", "entitlements"]},
      {"effect": "allow", "operations": ["discover"]}
    ],
    "limits": {"max_body": "64KiB"}
  }
}}
JSON
"$KEYCTL" policy apply "$T/p.json" >/dev/null || nok "the policy applies"
KEY=$("$KEYCTL" client create entra-prod --role entra --json | jq -r .key)
remember "$KEY" >/dev/null

# scim METHOD PATH [curl args…]: through keyd as Entra; body in $T/out,
# status in $code.
scim() {
	local m=$1 p=$2; shift 2
	code=$(kcurl -o "$T/out" -w '%{http_code}' -X "$m" -H "Authorization: Bearer $KEY" \
	    "$(URL "/scim/v2/hr$p")" "$@")
	out=$(cat "$T/out")
}
ustate() { curl -s "$UPSTREAM_TEST/state"; }
# last REQ_JQ: what the upstream received last, through a jq expression
last() { curl -s "$UPSTREAM_TEST/log" | jq -c ".requests[-1] | $1"; }
lastbody() { last .body; }

# --- the user does not exist yet ---------------------------------------------
scim GET /Users -G --data-urlencode 'filter=userName eq "alice@contoso.example"'
eq "filter by userName: 200" "$code" 200
eq "finds nobody" "$(echo "$out" | jq -r .totalResults)" 0
eq "the upstream got the filter as sent" "$(last .query.filter)" '"userName eq \"alice@contoso.example\""'
eq "and keyd's request id" "$(last '.headers["x-request-id"] | length')" 32

# --- create ----------------------------------------------------------------
scim POST /Users -H "$SCIM" -d '{
  "schemas": ["'$CORE':User", "'$ENT'"],
  "externalId": "0a7c1f2e-entra",
  "userName": "alice@contoso.example",
  "active": true,
  "displayName": "Alice Liddell",
  "name": {"formatted": "Alice Liddell", "familyName": "Liddell", "givenName": "Alice"},
  "emails": [{"primary": true, "type": "work", "value": "alice@contoso.example"}],
  "'$ENT'": {"department": "Research", "employeeNumber": "42"}
}'
eq "POST /Users: 201" "$code" 201
UID_=$(echo "$out" | jq -r .id)
check "the answer carries the upstream's id" test -n "$UID_" -a "$UID_" != null
u=$(ustate | jq -c --arg id "$UID_" '.users[] | select(.id == $id)')
eq "the upstream holds alice" "$(echo "$u" | jq -r .userName)" alice@contoso.example
eq "with her externalId" "$(echo "$u" | jq -r .externalId)" 0a7c1f2e-entra
eq "her work email, primary" "$(echo "$u" | jq -c '.emails[0] | [.type, .primary, .value]')" \
    '["work",true,"alice@contoso.example"]'
eq "and her department" "$(echo "$u" | jq -r --arg e "$ENT" '.[$e].department')" Research
eq "the upstream got a POST" "$(last '.method + " " + .path')" '"POST /Users"'
eq "in application/scim+json" "$(last '.headers["content-type"]')" '"application/scim+json; charset=utf-8"'
eq "active as a boolean" "$(lastbody | jq -c .active)" true
eq "no id or meta in the body" "$(lastbody | jq -c '[has("id"), has("meta")]')" '[false,false]'
eq "without keyd's bearer" "$(last '.headers.authorization')" "\"Bearer $UPSTREAM_TOKEN\""

scim GET /Users -G --data-urlencode 'filter=userName eq "alice@contoso.example"'
eq "the filter now finds her" "$(echo "$out" | jq -r '[.totalResults, .Resources[0].id] | @tsv')" \
    "$(printf '1\t%s' "$UID_")"
scim GET "/Users/$UID_"
eq "GET /Users/{id}: 200" "$code" 200
eq "returns her" "$(echo "$out" | jq -r .userName)" alice@contoso.example

# --- Entra's PATCH dialect ----------------------------------------------------
scim PATCH "/Users/$UID_" -H "$SCIM" -d '{"schemas":["'$PATCHOP'"],"Operations":[
  {"op":"Replace","path":"displayName","value":"Alice L."},
  {"op":"Add","path":"title","value":"Researcher"}]}'
eq "PATCH Replace/Add: 200" "$code" 200
eq "the upstream got lowercase ops" "$(lastbody | jq -c '[.Operations[].op]')" '["replace","add"]'
u=$(ustate | jq -c --arg id "$UID_" '.users[] | select(.id == $id)')
eq "displayName replaced upstream" "$(echo "$u" | jq -r .displayName)" "Alice L."
eq "title added upstream" "$(echo "$u" | jq -r .title)" Researcher

scim PATCH "/Users/$UID_" -H "$SCIM" -d '{"schemas":["'$PATCHOP'"],"Operations":[
  {"op":"Replace","value":{"name.givenName":"Alicia","name.familyName":"Liddell-Hart","active":"True",
   "'$ENT':department":"Math"}}]}'
eq "path-less Replace with attribute-path keys: 200" "$code" 200
eq "forwarded as op replace" "$(lastbody | jq -r '.Operations[0].op')" replace
eq "with the keys nested into name" "$(lastbody | jq -c '.Operations[0].value.name')" \
    '{"givenName":"Alicia","familyName":"Liddell-Hart"}'
eq "\"True\" forwarded as true" "$(lastbody | jq -c '.Operations[0].value.active')" true
u=$(ustate | jq -c --arg id "$UID_" '.users[] | select(.id == $id)')
eq "givenName replaced upstream" "$(echo "$u" | jq -r .name.givenName)" Alicia
eq "familyName replaced upstream" "$(echo "$u" | jq -r .name.familyName)" Liddell-Hart
eq "still active upstream" "$(echo "$u" | jq -c .active)" true
eq "department replaced upstream" "$(echo "$u" | jq -r --arg e "$ENT" '.[$e].department')" Math

scim PATCH "/Users/$UID_" -H "$SCIM" -d '{"schemas":["'$PATCHOP'"],"Operations":[
  {"op":"Replace","path":"emails[type eq \"work\"].value","value":"alicia@contoso.example"}]}'
eq "PATCH emails[type eq \"work\"].value: 200" "$code" 200
eq "forwarded with its value path" "$(lastbody | jq -r '.Operations[0].path')" 'emails[type eq "work"].value'
eq "the work email changed upstream" "$(ustate | jq -r --arg id "$UID_" \
    '.users[] | select(.id == $id) | .emails[] | select(.type == "work") | .value')" alicia@contoso.example

scim PATCH "/Users/$UID_" -H "$SCIM" -d '{"schemas":["'$PATCHOP'"],"Operations":[
  {"op":"Remove","path":"title"}]}'
eq "PATCH Remove: 200" "$code" 200
eq "forwarded as remove" "$(lastbody | jq -r '.Operations[0].op')" remove
eq "title gone upstream" "$(ustate | jq -r --arg id "$UID_" '.users[] | select(.id == $id) | .title')" null

# the policy still applies to Entra's dialect: roles through a path-less Add
n=$(curl -s "$UPSTREAM_TEST/log" | jq '.requests | length')
scim PATCH "/Users/$UID_" -H "$SCIM" -d '{"schemas":["'$PATCHOP'"],"Operations":[
  {"op":"Add","value":{"roles":[{"value":"admin"}]}}]}'
eq "a path-less Add of roles: 403" "$code" 403
eq "never reached the upstream" "$(curl -s "$UPSTREAM_TEST/log" | jq '.requests | length')" "$n"

# --- deactivate ----------------------------------------------------------------
scim PATCH "/Users/$UID_" -H "$SCIM" -d '{"schemas":["'$PATCHOP'"],"Operations":[
  {"op":"Replace","path":"active","value":"False"}]}'
eq "deactivate with \"False\": 200" "$code" 200
eq "forwarded as false" "$(lastbody | jq -c '.Operations[0].value')" false
eq "inactive upstream" "$(ustate | jq -c --arg id "$UID_" '.users[] | select(.id == $id) | .active')" false

# a second user, for the group
scim POST /Users -H "$SCIM" -d '{"schemas":["'$CORE':User","'$ENT'"],"externalId":"b-entra",
  "userName":"bob@contoso.example","active":true,"name":{"givenName":"Bob","familyName":"Ross"},
  "emails":[{"primary":true,"type":"work","value":"bob@contoso.example"}]}'
eq "POST a second user: 201" "$code" 201
BID=$(echo "$out" | jq -r .id)

# --- groups ----------------------------------------------------------------
scim GET /Groups -G --data-urlencode 'filter=displayName eq "Research"' --data-urlencode excludedAttributes=members
eq "filter groups by displayName: none" "$(echo "$out" | jq -r .totalResults)" 0
scim POST /Groups -H "$SCIM" -d '{"schemas":["'$CORE':Group"],"externalId":"g-entra","displayName":"Research","members":[]}'
eq "POST /Groups: 201" "$code" 201
GID=$(echo "$out" | jq -r .id)
eq "the upstream holds the group" "$(ustate | jq -r --arg id "$GID" '.groups[] | select(.id == $id) | .displayName')" Research
eq "no id or meta in the group body" "$(lastbody | jq -c '[has("id"), has("meta")]')" '[false,false]'

scim PATCH "/Groups/$GID" -H "$SCIM" -d '{"schemas":["'$PATCHOP'"],"Operations":[
  {"op":"Add","path":"members","value":[{"value":"'$UID_'"},{"value":"'$BID'"}]}]}'
check "PATCH Add members: 2xx" test "${code:0:1}" = 2
eq "forwarded as add" "$(lastbody | jq -r '.Operations[0].op')" add
eq "both are members upstream" "$(ustate | jq -r --arg id "$GID" \
    '[.groups[] | select(.id == $id) | .members[].value] | sort | join(",")')" \
    "$(printf '%s\n%s\n' "$UID_" "$BID" | sort | paste -sd,)"

scim PATCH "/Groups/$GID" -H "$SCIM" -d '{"schemas":["'$PATCHOP'"],"Operations":[
  {"op":"Remove","path":"members[value eq \"'$BID'\"]"}]}'
check "PATCH Remove members[value eq id]: 2xx" test "${code:0:1}" = 2
eq "forwarded as remove with its filter" "$(lastbody | jq -c '.Operations[0] | [.op, .path]')" \
    "[\"remove\",\"members[value eq \\\"$BID\\\"]\"]"
eq "only alice is left upstream" "$(ustate | jq -r --arg id "$GID" \
    '[.groups[] | select(.id == $id) | .members[].value] | join(",")')" "$UID_"

scim PATCH "/Groups/$GID" -H "$SCIM" -d '{"schemas":["'$PATCHOP'"],"Operations":[
  {"op":"Replace","path":"displayName","value":"Research & Development"}]}'
check "PATCH Replace displayName on a group: 2xx" test "${code:0:1}" = 2
eq "renamed upstream" "$(ustate | jq -r --arg id "$GID" '.groups[] | select(.id == $id) | .displayName')" \
    "Research & Development"

scim GET "/Groups/$GID" -G --data-urlencode excludedAttributes=members
eq "GET group excludedAttributes=members: 200" "$code" 200
eq "the answer has no members" "$(echo "$out" | jq -c 'has("members")')" false
eq "the upstream got excludedAttributes" "$(last .query.excludedAttributes)" '"members"'

# --- delete ----------------------------------------------------------------
scim DELETE "/Users/$UID_"
eq "DELETE /Users/{id}: 204" "$code" 204
eq "gone upstream" "$(ustate | jq -r --arg id "$UID_" '[.users[] | select(.id == $id)] | length')" 0
eq "and out of the group" "$(ustate | jq -r --arg id "$GID" '.groups[] | select(.id == $id) | .members | length')" 0
scim GET "/Users/$UID_"
eq "GET after delete: the upstream's 404" "$code" 404
eq "as a SCIM Error" "$(echo "$out" | jq -r .status)" 404
scim GET /Users -G --data-urlencode 'filter=userName eq "alice@contoso.example"'
eq "the filter finds nobody again" "$(echo "$out" | jq -r .totalResults)" 0

# every request came with keyd's credential, none with the key
log=$(curl -s "$UPSTREAM_TEST/log")
eq "the upstream refused nothing" "$(echo "$log" | jq '[.requests[] | select(.authorised | not)] | length')" 0
case "$log" in *"$KEY"*) nok "the key never reached the upstream" ;; *) ok "the key never reached the upstream" ;; esac

leaks=$(leaks "$STATE"/*.db* "$LOG")
eq "no key or upstream token in keyd.db*, audit.db* or the log" "$leaks" 0

finish
