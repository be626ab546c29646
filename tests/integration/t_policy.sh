#!/usr/bin/env bash
# Policies are versioned in the store: `keyctl policy apply` validates and
# activates a document atomically, a bad one changes nothing, history and
# show read it back, and the active version survives a restart and shapes
# what /oauth/token grants.
set -u
. tests/integration/lib.sh

keyd_init && keyd_start || { nok "keyd starts"; finish; exit 1; }
KEY=$("$KEYCTL" client create hr --role scim-reader --json | jq -r .key)
eq "version 1 is the default policy" "$("$KEYCTL" policy show --json | jq -r .version)" 1
eq "history has one version" "$("$KEYCTL" policy history --json | jq '.policies | length')" 1

cat >"$T/p2.json" <<'JSON'
{
  "version": 1,
  "roles": {
    "scim-admin": {"rules": [{"effect": "allow", "resources": ["*"], "operations": ["*"]}]},
    "scim-provisioner": {"rules": [{"effect": "allow", "resources": ["User"], "operations": ["create", "read"]}]},
    "scim-reader": {
      "rules": [{"effect": "allow", "resources": ["User"], "operations": ["read", "search"]}],
      "limits": {"token_ttl": "2m"}
    },
    "hr-sync": {"rules": [{"effect": "allow", "resources": ["User"], "operations": ["create", "replace", "patch"]}]}
  }
}
JSON
out=$("$KEYCTL" policy apply "$T/p2.json" --json)
eq "apply activates version 2" "$(echo "$out" | jq -r .version)" 2
eq "apply counts the roles" "$(echo "$out" | jq -r .roles)" 4
body=$(kcurl "$(URL /oauth/token)" -u "hr:$KEY" -d grant_type=client_credentials)
eq "the new version's scopes apply at once" "$(echo "$body" | jq -r .scope)" "scim:User.read scim:User.search"
eq "the new role's token_ttl caps expires_in" "$(echo "$body" | jq -r .expires_in)" 120
eq "a new role can be used" "$("$KEYCTL" client create sync --role hr-sync --json | jq -r .client)" sync

# a bad document is refused with the engine's error and changes nothing
echo '{"version":1,"roles":{"r":{"rules":[{"effect":"allow","operations":["delet"]}]}}}' >"$T/bad.json"
"$KEYCTL" policy apply "$T/bad.json" >/dev/null 2>"$T/err"; eq "a bad document exits 1" "$?" 1
contains "the error names the JSON path" "$(cat "$T/err")" 'roles.r.rules[0].operations[0]: unknown operation "delet"'
echo '{"version":1,"roles":' >"$T/broken.json"
"$KEYCTL" policy apply "$T/broken.json" >/dev/null 2>"$T/err"; eq "broken JSON exits 1" "$?" 1
contains "and says where" "$(cat "$T/err")" "invalid JSON"
sed 's/"hr-sync"/"hr-renamed"/' "$T/p2.json" >"$T/drop.json"
"$KEYCTL" policy apply "$T/drop.json" >/dev/null 2>"$T/err"; eq "dropping a role in use exits 1" "$?" 1
contains "and names the client" "$(cat "$T/err")" "client sync"
eq "after the refusals version 2 is still active" "$("$KEYCTL" policy show --json | jq -r .version)" 2
eq "and history holds two versions" "$("$KEYCTL" policy history --json | jq '[.policies[].version] | join(",")' -r)" "2,1"
eq "version 1 is kept, inactive" "$("$KEYCTL" policy show --version 1 --json | jq -r .active)" false
eq "show returns the document as applied" \
    "$("$KEYCTL" policy show --version 2 --json | jq -c .document)" "$(jq -c . "$T/p2.json")"
"$KEYCTL" policy show --version 99 >/dev/null 2>&1; eq "an unknown version exits 1" "$?" 1

# the active version survives a restart
check "restart" keyd_stop
check "keyd starts again" keyd_start
eq "version 2 is active after restart" "$("$KEYCTL" policy show --json | jq -r .version)" 2
eq "and still shapes tokens" "$(token_for hr "$KEY" | cut -c1-5)" kdat_
eq "with its scopes" "$(kcurl "$(URL /oauth/token)" -u "hr:$KEY" -d grant_type=client_credentials | jq -r .scope)" "scim:User.read scim:User.search"

finish
