#!/usr/bin/env bash
# The audit log: a record for every token, introspection, revocation and
# admin action; verify passes, and finds an edited, deleted or truncated
# record by its seq, in audit.db and in an export verified offline; no
# secret reaches audit.db; an audit file that cannot be written makes keyd
# refuse (503, nothing minted) until it can, then recover by itself; and a
# SIGKILL in the middle of a burst loses no record of an answer sent.
set -u
. tests/integration/lib.sh

keyd_init && keyd_start -o audit_checkpoint_records=10 ||
    { nok "keyd starts"; finish; exit 1; }
AUDIT="$STATE/audit.db"
q() { "$KEYCTL" audit query --json "$@"; }
verify() { "$KEYCTL" audit verify "$@" >/dev/null; }
id_of() { echo "$1" | cut -c6-17; }	# kdat_<id>…: the public id

KEY=$(remember "$("$KEYCTL" client create okta --role scim-provisioner --json | jq -r .key)")
TOK=$(remember "$(token_for okta "$KEY")")
eq "a token is issued" "$(echo "$TOK" | cut -c1-5)" kdat_
eq "introspection" "$(introspect_active okta "$KEY" "$TOK")" true
kcurl "$(URL /oauth/revoke)" -u "okta:$KEY" -d "token=$TOK" >/dev/null
kcurl "$(URL /oauth/token)" -u "okta:kdpk_nope" -d grant_type=client_credentials >/dev/null
kcurl "$(URL /healthz)" >/dev/null

# --- what is recorded -------------------------------------------------
eq "keyd.start is record 1" "$(q | head -1 | jq -r '"\(.seq) \(.event)"')" "1 keyd.start"
eq "the admin action is recorded, naming the new key" \
    "$(q --event admin | jq -r 'select(.path == "client.create") | "\(.client) \(.resource_id) \(.decision) \(.remote)"')" \
    "okta $(id_of "$KEY") allow uid:$(id -u)"
rec=$(q --client okta | jq -c 'select(.path == "/oauth/token" and .status == 200)')
eq "the token request names the minted token" "$(echo "$rec" | jq -r .resource_id)" "$(id_of "$TOK")"
eq "and the key that asked for it" "$(echo "$rec" | jq -r .token_id)" "$(id_of "$KEY")"
eq "with its decision, method and a body digest" \
    "$(echo "$rec" | jq -r '"\(.decision) \(.method) \(.body_digest | length)"')" "allow POST 64"
eq "introspection is recorded" \
    "$(q | jq -r 'select(.path == "/oauth/introspect") | "\(.status) \(.resource_id)"')" "200 $(id_of "$TOK")"
eq "revocation is recorded" \
    "$(q | jq -r 'select(.path == "/oauth/revoke") | "\(.status) \(.resource_id)"')" "200 $(id_of "$TOK")"
eq "a refused client is recorded as a deny" \
    "$(q --decision deny | jq -r 'select(.path == "/oauth/token") | "\(.status) \(.client)"')" "401 okta"
eq "/healthz is not recorded" "$(q | jq -r 'select(.path == "/healthz") | .seq')" ""
eq "the time filter finds the last minute" "$(q --since 1m | wc -l)" "$(q | wc -l)"
eq "and nothing in the future" "$(q --since 2099-01-01T00:00:00Z | wc -l)" 0
out=$("$KEYCTL" audit tail -n 3)
eq "tail -n 3 prints a header and 3 rows" "$(echo "$out" | wc -l)" 4
contains "with readable times" "$(echo "$out" | sed -n 2p)" "$(date -u +%Y-)"

# --- verification -----------------------------------------------------
check "verify passes" verify
eq "and counts every record" "$("$KEYCTL" audit verify --json | jq -r .records)" "$(q | wc -l)"

# Edit one field in audit.db with sqlite3, as an intruder would.
old=$(sqlite3 "$AUDIT" "SELECT client FROM records WHERE seq = 3")
sqlite3 "$AUDIT" "UPDATE records SET client = 'mallory' WHERE seq = 3"
"$KEYCTL" audit verify >/dev/null 2>"$T/err"; eq "an edited record: verify exits 1" "$?" 1
contains "and names its seq" "$(cat "$T/err")" "broken at seq 3"
sqlite3 "$AUDIT" "UPDATE records SET client = '$old' WHERE seq = 3"
check "put back, it verifies again" verify
# Delete one, keeping a copy to put back.
sqlite3 "$AUDIT" "ATTACH '$T/keep.db' AS k; CREATE TABLE k.r AS SELECT * FROM records WHERE seq = 5; DELETE FROM records WHERE seq = 5"
"$KEYCTL" audit verify >/dev/null 2>"$T/err"; eq "a deleted record: verify exits 1" "$?" 1
contains "and names its seq" "$(cat "$T/err")" "broken at seq 5"
sqlite3 "$AUDIT" "ATTACH '$T/keep.db' AS k; INSERT INTO records SELECT * FROM k.r"
check "put back, it verifies again" verify

# --- export, verified offline -------------------------------------------
PK=$("$KEYCTL" audit pubkey --json | jq -r .public_key)
eq "the public key is base64 Ed25519" "${#PK}" 44
"$KEYCTL" audit export >"$T/export.jsonl"; eq "export exits 0" "$?" 0
eq "it starts with a header" "$(head -1 "$T/export.jsonl" | jq -r .format)" keyd-audit-export/1
eq "and ends with a checkpoint" "$(tail -1 "$T/export.jsonl" | jq -r .type)" checkpoint
offline() { KEYD_SOCKET=/nonexistent "$KEYCTL" audit verify --file "$1" --pubkey "$PK" >/dev/null; }
check "verify --file passes without keyd" offline "$T/export.jsonl"
sed '/"type":"record","seq":4,/s/"event":"[a-z.]*"/"event":"ghost"/' \
    "$T/export.jsonl" >"$T/edited.jsonl"
offline "$T/edited.jsonl" 2>"$T/err"; eq "an edited export: exit 1" "$?" 1
contains "naming the seq" "$(cat "$T/err")" "broken at seq 4"
grep -v '"type":"record","seq":6,' "$T/export.jsonl" >"$T/deleted.jsonl"
offline "$T/deleted.jsonl" 2>"$T/err"; eq "a line deleted: exit 1" "$?" 1
contains "naming the seq" "$(cat "$T/err")" "broken at seq 6"
head -n -2 "$T/export.jsonl" >"$T/cut.jsonl"
offline "$T/cut.jsonl" 2>/dev/null; eq "a cut export: exit 1" "$?" 1
# A second implementation, written from docs/audit.md, agrees.
if python3 -c 'import cryptography' 2>/dev/null; then
	check "docs/audit_verify.py verifies the export" \
	    python3 docs/audit_verify.py "$T/export.jsonl" "$PK"
	python3 docs/audit_verify.py "$T/edited.jsonl" "$PK" >"$T/out"
	eq "and finds the edit at the same seq" "$(cut -d: -f1 "$T/out")" "bad seq 4"
fi
other=$(head -c 32 /dev/urandom | base64)
KEYD_SOCKET=/nonexistent "$KEYCTL" audit verify --file "$T/export.jsonl" --pubkey "$other" >/dev/null 2>"$T/err"
eq "another key: exit 1" "$?" 1
contains "a bad signature" "$(cat "$T/err")" "bad signature"

# --- no secret in the audit log -----------------------------------------
leaks=0
while read -r s; do
	[ -n "$s" ] || continue
	for f in "$AUDIT" "$AUDIT-wal" "$T/export.jsonl"; do
		[ -f "$f" ] && grep -aqF "$s" "$f" && leaks=$((leaks + 1))
	done
	# nor the secret part alone
	grep -aqF "$(echo "$s" | cut -c18-49)" "$AUDIT"* && leaks=$((leaks + 1))
done <"$SECRETS"
eq "no secret issued appears in audit.db or the export" "$leaks" 0

# --- an audit file that cannot be written ----------------------------------
# chattr +i stops even root from writing an open file; without the right
# to set it, RLIMIT_FSIZE 0 on keyd does the same (writes fail, EFBIG).
if chattr +i "$AUDIT" "$AUDIT-wal" 2>/dev/null; then
	mode=immutable
	writable() { chattr -i "$AUDIT" "$AUDIT-wal"; }
else
	mode=fsize
	prlimit --pid "$KEYD_PID" --fsize=0:unlimited
	writable() { prlimit --pid "$KEYD_PID" --fsize=unlimited:unlimited; }
fi
trap 'writable 2>/dev/null; keyd_stop >/dev/null 2>&1 || true' EXIT
before=$("$KEYCTL" token list okta --json | jq '.tokens | length')
code=$(kcurl -o "$T/body" -w '%{http_code}' "$(URL /oauth/token)" -u "okta:$KEY" -d grant_type=client_credentials)
eq "unwritable audit ($mode): /oauth/token is 503" "$code" 503
eq "with temporarily_unavailable" "$(jq -r .error "$T/body")" temporarily_unavailable
code=$(kcurl -o /dev/null -w '%{http_code}' "$(URL /oauth/token)" -u "okta:$KEY" -d grant_type=client_credentials)
eq "and again" "$code" 503
eq "nothing was minted" "$("$KEYCTL" token list okta --json | jq '.tokens | length')" "$before"
eq "/healthz says so" "$(kcurl -o /dev/null -w '%{http_code}' "$(URL /healthz)")" 503
"$KEYCTL" key create okta >/dev/null 2>"$T/err"; eq "an admin change is refused" "$?" 1
contains "for the audit log" "$(cat "$T/err")" "audit log cannot be written"
eq "reads still work" "$("$KEYCTL" client list --json | jq '.clients | length')" 1
if [ "$mode" = immutable ]; then
	eq "keyd logs why, once" "$(grep -c 'audit.failing' "$LOG")" 1
fi
writable
for _ in $(seq 1 50); do
	[ "$(kcurl -o /dev/null -w '%{http_code}' "$(URL /healthz)")" = 200 ] && break
	sleep 0.1
done
eq "writable again: keyd recovers by itself" "$(kcurl -o /dev/null -w '%{http_code}' "$(URL /healthz)")" 200
TOK2=$(remember "$(token_for okta "$KEY")")
eq "and issues tokens" "$(echo "$TOK2" | cut -c1-5)" kdat_
contains "the outage is in the chain" "$(q --event audit.recovered | jq -r .reason)" "requests were refused"
check "which verifies" verify

# --- SIGKILL in the middle of a burst --------------------------------------
burst() { # burst N: up to N token requests in a row, until one fails
	local i
	for i in $(seq 1 "$1"); do
		kcurl -o "$T/burst/$BASHPID.$i" "$(URL /oauth/token)" -u "okta:$KEY" \
		    -d grant_type=client_credentials 2>/dev/null || break
	done
}
mkdir -p "$T/burst"
pids=
for _ in $(seq 1 8); do burst 500 & pids="$pids $!"; done
# Kill once answers are flowing, in the middle of the burst.
for _ in $(seq 1 200); do
	[ "$(ls "$T/burst" | wc -l)" -ge 40 ] && break
	sleep 0.05
done
kill -9 "$KEYD_PID"; wait "$KEYD_PID" 2>/dev/null; KEYD_PID=
wait $pids
cat "$T"/burst/* 2>/dev/null | jq -r 'select(.access_token != null) | .access_token' >"$T/got"
cat "$T/got" >>"$SECRETS"
n=$(wc -l <"$T/got")
check "the burst got some tokens before the kill ($n)" test "$n" -gt 0
check "keyd starts after SIGKILL" keyd_start
q --event request | jq -r 'select(.status == 200) | .resource_id' | sort -u >"$T/recorded"
missing=0
while read -r t; do grep -qx "$(id_of "$t")" "$T/recorded" || missing=$((missing + 1)); done <"$T/got"
eq "every token a client received is in the audit log" "$missing" 0
check "and the chain verifies" verify
contains "status shows the audit log" "$("$KEYCTL" status)" "audit: ok"

# --- a cut audit.db is refused at start ------------------------------------
# The store remembers the last checkpoint; an audit.db without it was cut
# (or swapped for an older copy), and keyd will not append to it.
check "stop" keyd_stop
sqlite3 "$AUDIT" "DELETE FROM records WHERE seq > (SELECT max(seq) FROM checkpoints) - 1; DELETE FROM checkpoints WHERE seq = (SELECT max(seq) FROM checkpoints)"
keyd_start >/dev/null 2>&1; eq "keyd refuses to start on a cut audit log" "$?" 1
contains "and says why" "$(tail -1 "$LOG")" "does not hold the checkpoint keyd last signed"

finish
