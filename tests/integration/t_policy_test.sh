#!/usr/bin/env bash
# `keyctl policy test` decides a SCIM request through keyd's admin API, on
# the facts the proxy derives, without sending it anywhere; and a role's
# limits.source refuses a valid key from an address the role does not list.
set -u
. tests/integration/lib.sh

keyd_init && keyd_start || { nok "keyd starts"; finish; exit 1; }

cat >"$T/p.json" <<'JSON'
{
  "version": 1,
  "roles": {
    "scim-admin": {"rules": [{"effect": "allow", "resources": ["*"], "operations": ["*"]}]},
    "scim-reader": {"rules": [{"effect": "allow", "resources": ["User", "Group"], "operations": ["read", "search"]}]},
    "scim-provisioner": {
      "rules": [
        {"effect": "allow", "upstreams": ["*"], "resources": ["User"],
         "operations": ["create", "read", "search", "replace", "patch"]},
        {"effect": "deny", "resources": ["User"], "operations": ["create", "replace", "patch"],
         "attributes": ["roles", "entitlements", "x509Certificates",
                        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"]},
        {"effect": "allow", "resources": ["Group"], "operations": ["read", "search", "patch"],
         "attributes": ["members", "displayName"]},
        {"effect": "deny", "resources": ["Group"], "operations": ["patch", "delete"],
         "where": {"displayName": ["Administrators", "Domain Admins"]}},
        {"effect": "allow", "operations": ["bulk", "discover"]}
      ],
      "limits": {"rate": "50/s", "burst": 100, "max_body": "4KiB",
                 "max_bulk_operations": 3, "token_ttl": "15m",
                 "source": ["127.0.0.0/8", "::1/128"]}
    },
    "remote-only": {
      "rules": [{"effect": "allow", "resources": ["User"], "operations": ["read"]}],
      "limits": {"source": ["10.0.0.0/8"]}
    }
  }
}
JSON
check "the issue's example policy applies" "$KEYCTL" policy apply "$T/p.json"
"$KEYCTL" client create entra --role scim-provisioner --json >"$T/entra.json"
ENTRA=$(jq -r .key "$T/entra.json"); remember "$ENTRA" >/dev/null

# pt NAME WANT_DECISION WANT_RULE ARGS...: keyctl policy test --json
pt() {
	local name=$1 want=$2 rule=$3 out
	shift 3
	out=$("$KEYCTL" --json policy test "$@" 2>&1)
	eq "$name: decision" "$(echo "$out" | jq -r .decision 2>/dev/null)" "$want"
	eq "$name: rule" "$(echo "$out" | jq -r .rule 2>/dev/null)" "$rule"
	LAST=$out
}
reason() { echo "$LAST" | jq -r .reason; }
body() { printf '%s' "$1" >"$T/body.json"; echo "$T/body.json"; }
P=/scim/v2/hr

pt "GET a user by the client" allow scim-provisioner#0 --client entra --method GET --path $P/Users/2819c223
eq "the decision names the reason" "$(reason)" "allow: rule scim-provisioner#0 allows read on User"
eq "and the facts: operation" "$(echo "$LAST" | jq -r .request.operation)" read
eq "and the facts: id" "$(echo "$LAST" | jq -r .request.id)" 2819c223
eq "and the facts: upstream" "$(echo "$LAST" | jq -r .request.upstream)" hr

pt "Entra's capitalised Replace of roles" deny scim-provisioner#1 --client entra --method PATCH --path $P/Users/1 \
    --body "$(body '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"roles","value":[{"value":"admin"}]}]}')"
eq "the reason is the issue's" "$(reason)" "deny: rule scim-provisioner#1 forbids writing attribute roles"
eq "a policy deny is a 403" "$(echo "$LAST" | jq -r .status)" 403

pt "a path-less replace of name.givenName" allow scim-provisioner#0 --role scim-provisioner --method PATCH --path $P/Users/1 \
    --body "$(body '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","value":{"name.givenName":"Bab","active":"False"}}]}')"
eq "which writes name.givenName and active" "$(echo "$LAST" | jq -c '.request.written | sort')" '["active","name.givenName"]'
pt "a path-less add whose keys hold roles" deny scim-provisioner#1 --role scim-provisioner --method PATCH --path $P/Users/1 \
    --body "$(body '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":{"displayName":"x","Roles":[{"value":"a"}]}}]}')"
pt "a value-path filter on emails" allow scim-provisioner#0 --role scim-provisioner --method PATCH --path $P/Users/1 \
    --body "$(body '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"b@example.com"}]}')"
eq "filters on emails.type" "$(echo "$LAST" | jq -c .request.filtered)" '["emails.type"]'
pt "the enterprise manager with its URN" deny scim-provisioner#1 --role scim-provisioner --method PUT --path $P/Users/1 \
    --body "$(body '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"b","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"26118915"}}}')"
contains "the reason names the attribute" "$(reason)" "manager"
pt "creating a user" allow scim-provisioner#0 --role scim-provisioner --method POST --path $P/Users \
    --body "$(body '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen","name":{"givenName":"B"},"emails":[{"value":"b@example.com","type":"work"}]}')"
pt "searching users by filter" allow scim-provisioner#0 --role scim-provisioner --method GET \
    --path "$P/Users?filter=userName%20eq%20%22bjensen%22&attributes=userName"
eq "filters on userName" "$(echo "$LAST" | jq -c .request.filtered)" '["userName"]'
pt "deleting a user: no rule allows it" deny null --role scim-provisioner --method DELETE --path $P/Users/1
contains "default deny says so" "$(reason)" "no rule"
pt "creating a group: no rule allows it" deny null --role scim-provisioner --method POST --path $P/Groups \
    --body "$(body '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Sales"}')"
pt "renaming a group to Administrators" deny scim-provisioner#3 --role scim-provisioner --method PATCH --path $P/Groups/g1 \
    --body "$(body '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Administrators"}]}')"
pt "adding a member to a group whose name keyd cannot know" deny scim-provisioner#3 --role scim-provisioner --method PATCH --path $P/Groups/g1 \
    --body "$(body '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"2819c223"}]}]}')"
contains "the unknown case denies, and says why" "$(reason)" "displayName"
pt "discovery" allow scim-provisioner#4 --role scim-provisioner --method GET --path $P/ServiceProviderConfig
pt "discovery of a schema" allow scim-provisioner#4 --role scim-provisioner --method GET --path $P/Schemas/urn:ietf:params:scim:schemas:core:2.0:User
pt "discovery is read-only" deny null --role scim-provisioner --method POST --path $P/Schemas
pt "an unknown resource type" deny null --role scim-provisioner --method GET --path $P/Widgets/1
contains "is named" "$(reason)" "Widgets"
pt "a reader's search" allow scim-reader#0 --role scim-reader --method GET --path $P/Groups
pt "a reader's patch" deny null --role scim-reader --method PATCH --path $P/Users/1 \
    --body "$(body '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}')"

BULK='{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
 {"method":"POST","bulkId":"a","path":"/Users","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a"}},
 {"method":"PATCH","path":"/Users/1","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"entitlements","value":[{"value":"root"}]}]}},
 {"method":"PATCH","path":"/Users/2","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}}]}'
pt "a bulk with one forbidden operation" deny scim-provisioner#1 --role scim-provisioner --method POST --path $P/Bulk --body "$(body "$BULK")"
eq "names the refused operation" "$(echo "$LAST" | jq -r .bulk_index)" 1
contains "and says why" "$(reason)" "bulk operation 1"
pt "the same bulk without it" allow scim-provisioner#4 --role scim-provisioner --method POST --path $P/Bulk \
    --body "$(body "$(echo "$BULK" | jq -c 'del(.Operations[1])')")"
pt "more bulk operations than max_bulk_operations" deny null --role scim-provisioner --method POST --path $P/Bulk \
    --body "$(body "$(echo "$BULK" | jq -c '.Operations += [.Operations[2], .Operations[2]] | del(.Operations[1])')")"
contains "names the limit" "$(reason)" "max_bulk_operations"

# a token's narrower scope is decided against the intersection
pt "search within scope" allow scim-provisioner#0 --role scim-provisioner --scope scim:User.search --method GET --path $P/Users
pt "read outside the scope" deny null --role scim-provisioner --scope scim:User.search --method GET --path $P/Users/1
contains "names the scope" "$(reason)" "scim:User.read"

# requests refused before the policy, with the status keyd would answer
pt "a broken filter" deny null --role scim-provisioner --method GET --path "$P/Users?filter=userName%20eq"
eq "is 400" "$(echo "$LAST" | jq -r .status)" 400
eq "invalidFilter" "$(echo "$LAST" | jq -r .scimType)" invalidFilter
head -c 5000 /dev/zero | tr '\0' 'a' | jq -Rc '{schemas:["urn:ietf:params:scim:schemas:core:2.0:User"],userName:.}' >"$T/big.json"
pt "a body past the role's max_body" deny null --role scim-provisioner --method POST --path $P/Users --body "$T/big.json"
eq "is 413" "$(echo "$LAST" | jq -r .status)" 413
pt "an unknown path" deny null --role scim-provisioner --method GET --path /scim/v1/x
eq "is 404" "$(echo "$LAST" | jq -r .status)" 404
"$KEYCTL" client disable entra >/dev/null
pt "a disabled client" deny null --client entra --method GET --path $P/Users/1
eq "is 401" "$(echo "$LAST" | jq -r .status)" 401
"$KEYCTL" client enable entra >/dev/null

# the table output for people
out=$("$KEYCTL" policy test --client entra --method get --path $P/Users/1)
contains "the table shows the decision" "$out" "decision: allow"
contains "and the rule" "$out" "rule: scim-provisioner#0"

# bad invocations
"$KEYCTL" policy test --method GET --path $P/Users >/dev/null 2>"$T/err"; eq "neither client nor role exits 1" "$?" 1
contains "and says which to give" "$(cat "$T/err")" "exactly one of --client NAME and --role ROLE"
"$KEYCTL" policy test --role nope --method GET --path $P/Users >/dev/null 2>"$T/err"; eq "an unknown role exits 1" "$?" 1
contains "and names it" "$(cat "$T/err")" "no role nope"
"$KEYCTL" policy test --client ghost --method GET --path $P/Users >/dev/null 2>"$T/err"; eq "an unknown client exits 1" "$?" 1
"$KEYCTL" policy test --role scim-reader --method 'G T' --path $P/Users >/dev/null 2>"$T/err"; eq "a bad method exits 1" "$?" 1
"$KEYCTL" policy test --role scim-reader --method GET --path Users >/dev/null 2>"$T/err"; eq "a relative path exits 1" "$?" 1
"$KEYCTL" policy test --role scim-reader --method GET --path $P/Users --body "$T/missing" >/dev/null 2>"$T/err"
eq "a missing body file exits 1" "$?" 1

# limits.source: a valid key from an address the role does not list
"$KEYCTL" client create far --role remote-only --json >"$T/far.json"
FAR=$(jq -r .key "$T/far.json"); remember "$FAR" >/dev/null
code=$(kcurl -o "$T/out" -w '%{http_code}' "$(URL /oauth/token)" -u "far:$FAR" -d grant_type=client_credentials)
eq "a key from outside limits.source gets 403" "$code" 403
eq "with access_denied" "$(jq -r .error "$T/out")" access_denied
eq "and nothing is minted" "$("$KEYCTL" token list far --json | jq '.tokens | length')" 0
eq "introspect from there is refused too" "$(kcurl -o /dev/null -w '%{http_code}' "$(URL /oauth/introspect)" -u "far:$FAR" -d token=x)" 403
tok=$(token_for entra "$ENTRA")
eq "a role listing 127.0.0.0/8 is served from loopback" "${tok:0:5}" kdat_
remember "$tok" >/dev/null
contains "the refusal is logged without the key" "$(grep source_refused "$T/keyd.log")" "client=far"

finish
