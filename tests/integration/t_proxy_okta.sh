#!/usr/bin/env bash
# A whole provisioning cycle through keyd's SCIM proxy, over TLS, driven
# the way Okta drives it: an OAuth access token from /oauth/token,
# application/scim+json; charset=utf-8, a filter by userName with
# startIndex and count, a create that lists groups, GET-then-PUT updates
# whose body is the whole user with its id and meta (keyd strips them),
# deactivation by PUT active false, and group push by PATCH (rename with
# the group's own id in the value, members added and removed). After
# every step the upstream's state shows the effect and its log shows the
# canonical form it received.
set -u
. tests/integration/lib.sh

SCIM='Content-Type: application/scim+json; charset=utf-8'
CORE=urn:ietf:params:scim:schemas:core:2.0
PATCHOP=urn:ietf:params:scim:api:messages:2.0:PatchOp

proxy_setup directory || { finish; exit 1; }

cat >"$T/p.json" <<'JSON'
{"version": 1, "roles": {
  "okta": {
    "rules": [
      {"effect": "allow", "resources": ["User"],
       "operations": ["create", "read", "search", "replace", "patch"]},
      {"effect": "allow", "resources": ["Group"],
       "operations": ["create", "read", "search", "patch", "delete"]},
      {"effect": "allow", "operations": ["discover"]}
    ],
    "limits": {"token_ttl": "1h"}
  }
}}
JSON
"$KEYCTL" policy apply "$T/p.json" >/dev/null || nok "the policy applies"
KEY=$("$KEYCTL" client create okta-prod --role okta --json | jq -r .key)
remember "$KEY" >/dev/null
AT=$(token_for okta-prod "$KEY")
remember "$AT" >/dev/null
eq "Okta first trades its key for an access token" "${AT:0:5}" kdat_

# scim METHOD PATH [curl args…]: through keyd as Okta; body in $out,
# status in $code.
scim() {
	local m=$1 p=$2; shift 2
	code=$(kcurl -o "$T/out" -w '%{http_code}' -X "$m" -H "Authorization: Bearer $AT" \
	    -H 'Accept: application/scim+json' -H 'User-Agent: Okta SCIM Client 1.0.0' \
	    "$(URL "/scim/v2/directory$p")" "$@")
	out=$(cat "$T/out")
}
ustate() { curl -s "$UPSTREAM_TEST/state"; }
last() { curl -s "$UPSTREAM_TEST/log" | jq -c ".requests[-1] | $1"; }
lastbody() { last .body; }
user_up() { ustate | jq -c --arg id "$1" '.users[] | select(.id == $id)'; }

scim GET /ServiceProviderConfig
eq "Okta's connector test: ServiceProviderConfig 200" "$code" 200
eq "the upstream's document" "$(echo "$out" | jq -r .patch.supported)" true

# --- import and match --------------------------------------------------------
scim GET '/Users?filter=userName%20eq%20%22dade.murphy%40example.com%22&startIndex=1&count=100'
eq "filter with startIndex and count: 200" "$code" 200
eq "finds nobody" "$(echo "$out" | jq -r .totalResults)" 0
eq "the upstream got the query intact" "$(last '.query | [.filter, .startIndex, .count]')" \
    '["userName eq \"dade.murphy@example.com\"","1","100"]'
eq "and Okta's user agent" "$(last '.headers["user-agent"]')" '"Okta SCIM Client 1.0.0"'
eq "but not keyd's access token" "$(last .headers.authorization)" "\"Bearer $UPSTREAM_TOKEN\""

# --- create ----------------------------------------------------------------
scim POST /Users -H "$SCIM" -d '{
  "schemas": ["'$CORE':User"],
  "userName": "dade.murphy@example.com",
  "name": {"givenName": "Dade", "familyName": "Murphy"},
  "emails": [{"primary": true, "value": "dade.murphy@example.com", "type": "work"}],
  "displayName": "Dade Murphy",
  "locale": "en-US",
  "externalId": "00u1okta",
  "groups": [],
  "active": true
}'
eq "POST /Users: 201" "$code" 201
UID_=$(echo "$out" | jq -r .id)
check "with an id" test -n "$UID_" -a "$UID_" != null
eq "the upstream holds him, active" "$(user_up "$UID_" | jq -c '[.userName, .active, .locale]')" \
    '["dade.murphy@example.com",true,"en-US"]'
eq "forwarded without the read-only groups" "$(lastbody | jq -c 'has("groups")')" false
eq "in canonical scim+json" "$(last '.headers["content-type"]')" '"application/scim+json; charset=utf-8"'

# --- GET, then PUT the whole user back ------------------------------------
scim GET "/Users/$UID_"
eq "GET before the update: 200" "$code" 200
full=$out
eq "the user has id and meta" "$(echo "$full" | jq -c '[has("id"), has("meta")]')" '[true,true]'
scim PUT "/Users/$UID_" -H "$SCIM" -d "$(echo "$full" | jq -c '.name.givenName = "Zero" |
    .displayName = "Zero Cool" | .title = "Hacker"')"
eq "PUT the whole user incl. id and meta: 200" "$code" 200
eq "keyd stripped id and meta" "$(lastbody | jq -c '[has("id"), has("meta"), has("groups")]')" '[false,false,false]'
eq "the upstream's user is updated" "$(user_up "$UID_" | jq -c '[.name.givenName, .displayName, .title]')" \
    '["Zero","Zero Cool","Hacker"]'
eq "and keeps its id" "$(user_up "$UID_" | jq -r .id)" "$UID_"

scim GET "/Users/$UID_"
scim PUT "/Users/$UID_" -H "$SCIM" -d "$(echo "$out" | jq -c '.emails = [{"primary":true,"type":"work","value":"zero.cool@example.com"}]')"
eq "a second GET-then-PUT: 200" "$code" 200
eq "the email changed upstream" "$(user_up "$UID_" | jq -r '.emails[0].value')" zero.cool@example.com

# --- deactivate by PUT --------------------------------------------------------
scim GET "/Users/$UID_"
scim PUT "/Users/$UID_" -H "$SCIM" -d "$(echo "$out" | jq -c '.active = false')"
eq "deactivate by PUT active false: 200" "$code" 200
eq "forwarded active false" "$(lastbody | jq -c .active)" false
eq "inactive upstream" "$(user_up "$UID_" | jq -c .active)" false
eq "still there" "$(user_up "$UID_" | jq -r .userName)" dade.murphy@example.com
scim GET "/Users/$UID_"
scim PUT "/Users/$UID_" -H "$SCIM" -d "$(echo "$out" | jq -c '.active = true')"
eq "reactivate by PUT: 200" "$code" 200
eq "active again upstream" "$(user_up "$UID_" | jq -c .active)" true

scim POST /Users -H "$SCIM" -d '{"schemas":["'$CORE':User"],"userName":"kate.libby@example.com",
  "name":{"givenName":"Kate","familyName":"Libby"},"emails":[{"primary":true,"value":"kate.libby@example.com","type":"work"}],
  "displayName":"Kate Libby","externalId":"00u2okta","groups":[],"active":true}'
eq "a second user: 201" "$code" 201
KID=$(echo "$out" | jq -r .id)
scim POST /Users -H "$SCIM" -d '{"schemas":["'$CORE':User"],"userName":"kate.libby@example.com","active":true}'
eq "the upstream's 409 passes through" "$code" 409
eq "as its SCIM Error" "$(echo "$out" | jq -r .scimType)" uniqueness

# --- group push --------------------------------------------------------------
scim GET /Groups -G --data-urlencode 'filter=displayName eq "Elite"'
eq "group lookup by displayName: none" "$(echo "$out" | jq -r .totalResults)" 0
scim POST /Groups -H "$SCIM" -d '{"schemas":["'$CORE':Group"],"displayName":"Elite","members":[]}'
eq "push a group: 201" "$code" 201
GID=$(echo "$out" | jq -r .id)
eq "the upstream holds it" "$(ustate | jq -r --arg id "$GID" '.groups[] | select(.id == $id) | .displayName')" Elite

group_members() { ustate | jq -r --arg id "$GID" '[.groups[] | select(.id == $id) | .members[].value] | sort | join(",")'; }
scim PATCH "/Groups/$GID" -H "$SCIM" -d '{"schemas":["'$PATCHOP'"],"Operations":[
  {"op":"add","path":"members","value":[{"value":"'$UID_'","display":"dade.murphy@example.com"},
   {"value":"'$KID'","display":"kate.libby@example.com"}]}]}'
check "PATCH add members: 2xx" test "${code:0:1}" = 2
eq "both members upstream" "$(group_members)" "$(printf '%s\n%s\n' "$UID_" "$KID" | sort | paste -sd,)"

scim PATCH "/Groups/$GID" -H "$SCIM" -d '{"schemas":["'$PATCHOP'"],"Operations":[
  {"op":"replace","value":{"id":"'$GID'","displayName":"Elite Hackers"}}]}'
check "rename with the group's own id in the value: 2xx" test "${code:0:1}" = 2
eq "forwarded without the id" "$(lastbody | jq -c '.Operations[0].value')" '{"displayName":"Elite Hackers"}'
eq "renamed upstream" "$(ustate | jq -r --arg id "$GID" '.groups[] | select(.id == $id) | .displayName')" "Elite Hackers"

scim PATCH "/Groups/$GID" -H "$SCIM" -d '{"schemas":["'$PATCHOP'"],"Operations":[
  {"op":"remove","path":"members[value eq \"'$KID'\"]"}]}'
check "PATCH remove one member: 2xx" test "${code:0:1}" = 2
eq "one member left upstream" "$(group_members)" "$UID_"
eq "the user lists the group" "$(user_up "$UID_" | jq -r '.groups[0].display')" "Elite Hackers"

scim DELETE "/Groups/$GID"
eq "delete the pushed group: 204" "$code" 204
eq "gone upstream" "$(ustate | jq '.groups | length')" 0

# a user delete is not Okta's: the role does not allow it
n=$(curl -s "$UPSTREAM_TEST/log" | jq '.requests | length')
scim DELETE "/Users/$UID_"
eq "DELETE a user: 403 for this role" "$code" 403
eq "the user is still upstream" "$(user_up "$UID_" | jq -r .id)" "$UID_"
eq "and the upstream never saw the DELETE" "$(curl -s "$UPSTREAM_TEST/log" | jq '.requests | length')" "$n"

# the token was the only credential Okta used; it never left keyd
log=$(curl -s "$UPSTREAM_TEST/log")
case "$log" in *"$AT"*|*"$KEY"*) nok "no keyd credential reached the upstream" ;;
    *) ok "no keyd credential reached the upstream" ;; esac
eq "the upstream refused nothing" "$(echo "$log" | jq '[.requests[] | select(.authorised | not)] | length')" 0

leaks=$(leaks "$STATE"/*.db* "$LOG")
eq "no key, token or upstream token in keyd.db*, audit.db* or the log" "$leaks" 0

finish
