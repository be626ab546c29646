#!/usr/bin/env bash
# keyd runs each SCIM request on an event loop and never blocks it
# (docs/architecture.md): many requests at once are each answered and
# each audited once; a request waiting on a slow upstream holds up nobody
# else, even with one worker; a request in flight when keyd is told to
# stop is finished, and recorded, within the grace; `workers` is checked.
set -u
. tests/integration/lib.sh

KOPTS=(-o workers=1)
keyd_init && keyd_start "${KOPTS[@]}" || { nok "keyd starts with workers = 1"; finish; exit 1; }
upstream_start || { nok "the upstream starts"; finish; exit 1; }
FAST_UP=$UPSTREAM_PID
remember "$UPSTREAM_TOKEN" >/dev/null
printf '%s\n' "$UPSTREAM_TOKEN" >"$T/uptok"
"$KEYCTL" upstream add hr --url "$UPSTREAM_URL" --bearer-file "$T/uptok" >/dev/null ||
    nok "upstream add hr"

KEY=$(admin_client loop-c)

# get UPSTREAM PATH: one request, printing "status request-id"
get() {
	kcurl -o /dev/null -w '%{http_code} %header{x-request-id}\n' \
	    -H "Authorization: Bearer $KEY" "$(URL "/scim/v2/$1$2")"
}
export -f get kcurl URL
export KEY PORT STATE

# --- many at once ------------------------------------------------------------
seq 1 200 | xargs -P 40 -I{} bash -c 'get hr /Users?count=1' >"$T/par.txt"
eq "200 requests, 40 at a time: 200 answers" "$(wc -l <"$T/par.txt")" 200
eq "every one 200" "$(grep -c '^200 ' "$T/par.txt")" 200
eq "each with its own request id" "$(awk '{print $2}' "$T/par.txt" | sort -u | grep -c .)" 200
"$KEYCTL" audit query --event scim.request --json >"$T/audit.json" || nok "audit query"
awk '{print $2}' "$T/par.txt" | sort >"$T/ids"
jq -r .request_id "$T/audit.json" | sort | uniq -c | awk '{print $2, $1}' >"$T/recorded"
eq "each recorded exactly once, as answered" \
    "$(join "$T/ids" "$T/recorded" | awk '$2 == 1' | wc -l)" 200
eq "every record says 200 and allow" \
    "$(jq -r 'select(.status == 200 and .decision == "allow" and .upstream_status == 200) | .request_id' \
    "$T/audit.json" | sort | join - "$T/ids" | wc -l)" 200

# --- a slow upstream holds up nobody else --------------------------------------
upstream_start "" --delay-ms 3000 || nok "the slow upstream starts"
SLOW_UP=$UPSTREAM_PID
remember "$UPSTREAM_TOKEN" >/dev/null
printf '%s\n' "$UPSTREAM_TOKEN" >"$T/uptok2"
"$KEYCTL" upstream add slow --url "$UPSTREAM_URL" --bearer-file "$T/uptok2" --timeout 10s \
    >/dev/null || nok "upstream add slow"
SLOWPIDS=()
for i in 1 2 3 4 5 6 7 8; do
	( get slow /Users >"$T/slow.$i" ) &
	SLOWPIDS+=($!)
done
sleep 0.5
for i in $(seq 1 20); do get hr /Users?count=1; done >"$T/fast.txt"
eq "with 8 requests waiting 3 s on a slow upstream, 20 to another: 200 each" \
    "$(grep -c '^200 ' "$T/fast.txt")" 20
eq "and all 20 were answered before any slow one (one worker)" \
    "$(cat "$T"/slow.* | grep -c .)" 0
wait "${SLOWPIDS[@]}"
eq "then the 8 slow ones: 200 each" "$(cat "$T"/slow.* | grep -c '^200 ')" 8

# --- stopping: what is in flight is finished and recorded ----------------------
( get slow /Users >"$T/inflight" ) &
CLIENT=$!
sleep 0.5
keyd_stop
eq "keyd told to stop while a request waits 3 s on its upstream: exit 0" "$?" 0
wait "$CLIENT"
read -r st rid <"$T/inflight"
eq "the request in flight was answered: 200" "$st" 200
keyd_start "${KOPTS[@]}" || nok "keyd restarts"
eq "and its record is in the audit log" \
    "$("$KEYCTL" audit query --event scim.request --json | jq -r --arg r "$rid" \
    'select(.request_id == $r) | .status')" 200
"$KEYCTL" audit verify >/dev/null
eq "the chain verifies" "$?" 0

# --- workers -------------------------------------------------------------------
keyd_stop
keyd_start -o workers=3 || nok "keyd starts with workers = 3"
eq "and answers through the proxy" "$(get hr /Users?count=1 | cut -d' ' -f1)" 200
keyd_stop
"$KEYD" -c "$STATE/keyd.conf" -o workers=65 >"$T/w.out" 2>&1
eq "workers = 65 is refused" "$?" 1
contains "naming the setting and the range" "$(cat "$T/w.out")" "workers"

UPSTREAM_PID=$SLOW_UP
upstream_stop
UPSTREAM_PID=$FAST_UP
finish
