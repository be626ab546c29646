#!/usr/bin/env bash
# The test SCIM upstream (tests/upstream/) works on this machine: driven
# directly with curl it creates, filters, patches, groups and deletes a
# user, refuses a request without its token, and records what it received.
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

finish
