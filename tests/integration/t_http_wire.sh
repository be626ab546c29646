#!/usr/bin/env bash
# The public listener on the wire (HTTP/1.1, RFC 9112 and RFC 9110):
# requests written by hand (tests/integration/rawhttp.js) over TLS, so
# that what curl would never send reaches keyd as it is. Answers come
# whole and in order on a kept-alive connection, pipelined or split byte
# by byte; HTTP/1.0 and Connection: close end the connection after the
# answer; a malformed head, and any framing that could smuggle a second
# request, is refused and ends the connection, never a second answer;
# limits are the 4xx the RFCs name; Expect: 100-continue and HEAD work as
# RFC 9110 says. Only /healthz, /oauth/token and unknown paths: no SCIM
# upstream.
#
# Last, keyd restarted with client_timeout = 2s: a client that stops in
# the middle of a head or of a body, or stays idle between requests, is
# closed unanswered once it has been silent that long; one that keeps
# sending is not.
set -u
. tests/integration/lib.sh

keyd_init && keyd_start || { nok "keyd starts"; finish; exit 1; }
HOST="Host: 127.0.0.1:$PORT"
FORM='Content-Type: application/x-www-form-urlencoded'
GRANT=grant_type=client_credentials	# 29 bytes (0x1d); without credentials: 401

# crlf LINE…: each LINE ended with CRLF ('' is the blank line ending a head)
crlf() { printf '%s\r\n' "$@"; }

# wire [rawhttp args…] < request: send it over TLS; the summary (one line
# per answer, "HTTP/1.1 200 OK body=15", then "responses=N trailing=B
# end=eof|reset|idle|cap|count") in $T/sum, the raw bytes that came back in
# $T/raw. With --expect N it stops 300 ms after the Nth final answer,
# else when keyd closes or after 2 s of silence.
wire() {
	node tests/integration/rawhttp.js --tls --ca "$STATE/tls/cert.pem" \
	    --port "$PORT" --summary --raw "$T/raw" "$@" >"$T/sum" ||
	    echo "responses=0 trailing=0 end=connect-failed" >"$T/sum"
}
codes() { awk '/^HTTP\//{ print $2 }' "$T/sum" | paste -sd' '; }	# "200 404 200"
summary() { sed -n 's/^\(responses=.*\) end=.*/\1/p' "$T/sum"; }
ended() { sed -n 's/.* end=//p' "$T/sum"; }
closed() { case $(ended) in eof|reset) return 0 ;; esac; return 1; }
# answers NAME CODES: the answers' status codes are CODES ("100 401"), in
# order, each whole by its framing, and no stray bytes after the last
answers() {
	local c n=0
	for c in $2; do [ "$c" -ge 200 ] && n=$((n + 1)); done
	eq "$1" "$(codes) ($(summary))" "$2 (responses=$n trailing=0)"
}
# hdr N NAME: the value of header NAME in the Nth answer in $T/raw
hdr() {
	tr -d '\r' <"$T/raw" | awk -v n="$1" -v h="$(echo "$2" | tr '[:upper:]' '[:lower:]')" \
	    '/^HTTP\/[0-9.]+ [0-9]+/ { i++; inhead = 1; next }
	     inhead && /^$/ { inhead = 0; next }
	     inhead && i == n { c = index($0, ":")
		if (tolower(substr($0, 1, c - 1)) == h) {
			v = substr($0, c + 1); sub(/^[ \t]+/, "", v); print v; exit } }'
}
body1() { tr -d '\r' <"$T/raw" | sed '1,/^$/d'; }	# what follows the first head

# --- a plain GET ---------------------------------------------------------------------
crlf 'GET /healthz HTTP/1.1' "$HOST" '' | wire --expect 1
answers "GET /healthz: 200" 200
contains "GET /healthz: an HTTP/1.1 status line" "$(head -n 1 "$T/raw")" "HTTP/1.1 200 "
contains "GET /healthz: the body says ok" "$(body1)" '"status":"ok"'
eq "GET /healthz: Content-Length is the length of the body sent" \
    "$(hdr 1 Content-Length)" "$(body1 | wc -c)"
check "GET /healthz: a Date header (IMF-fixdate)" grep -Eq \
    '^Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT'$'\r''$' \
    "$T/raw"
eq "GET /healthz: the connection is kept open" "$(ended)" count
# the absolute-form, which a server must accept (RFC 9112 §3.2.2)
crlf "GET https://127.0.0.1:$PORT/healthz HTTP/1.1" "$HOST" '' \
    "GET http://127.0.0.1:$PORT?x=1 HTTP/1.1" "$HOST" '' | wire --expect 2
answers "GET https://…/healthz (absolute-form): 200, and http://…?x=1 is / (404)" "200 404"
crlf "GET http://u@127.0.0.1/healthz HTTP/1.1" "$HOST" '' | wire
answers "an absolute-form target with userinfo: 400" 400

# --- keep-alive and pipelining ----------------------------------------------------------
crlf 'GET /healthz HTTP/1.1' "$HOST" '' 'GET /healthz HTTP/1.1' "$HOST" '' | wire --expect 2
answers "two GETs pipelined in one write: 200 200" "200 200"
eq "two GETs pipelined: the connection is kept open" "$(ended)" count
crlf 'GET /healthz HTTP/1.1' "$HOST" '' 'GET /nope HTTP/1.1' "$HOST" '' \
    'GET /healthz HTTP/1.1' "$HOST" '' | wire --expect 3
answers "three pipelined, the middle one to an unknown path: 200 404 200" "200 404 200"

# --- a head in 1-byte pieces --------------------------------------------------------------
crlf 'GET /healthz HTTP/1.1' "$HOST" '' | wire --split 1 --delay-ms 15 --expect 1
answers "a head written one byte at a time, 15 ms apart: 200" 200

# --- HTTP/1.0 ---------------------------------------------------------------------------
crlf 'GET /healthz HTTP/1.0' "$HOST" '' | wire
answers "HTTP/1.0 without Connection: 200" 200
check "HTTP/1.0 without Connection: keyd closes after the answer" closed
crlf 'GET /healthz HTTP/1.0' "$HOST" 'Connection: keep-alive' '' \
    'GET /healthz HTTP/1.0' "$HOST" 'Connection: keep-alive' '' | wire --expect 2
answers "HTTP/1.0 with Connection: keep-alive: the second request is answered too" "200 200"

# --- Connection: close ----------------------------------------------------------------------
crlf 'GET /healthz HTTP/1.1' "$HOST" 'Connection: close' '' \
    'GET /healthz HTTP/1.1' "$HOST" '' | wire
answers "Connection: close: one answer, the request written after it not served" 200
check "Connection: close: keyd closes after the answer" closed

# --- Host (RFC 9112 section 3.2) --------------------------------------------------------------
crlf 'GET /healthz HTTP/1.1' '' | wire --expect 1
answers "HTTP/1.1 without Host: 400" 400
crlf 'GET /healthz HTTP/1.1' "$HOST" 'Host: other.example' '' | wire --expect 1
answers "two Host headers: 400" 400

# --- malformed heads: 400 and the connection ends ---------------------------------------------
# bad NAME WANT: $T/req, with a valid GET written after it in the same
# write, gets the one answer WANT, whole, and the connection is closed:
# the GET is never answered.
next_get() { crlf 'GET /healthz HTTP/1.1' "$HOST" ''; }
bad() {
	{ cat "$T/req"; next_get; } | wire
	answers "$1: $2, and no answer after it" "$2"
	check "$1: the connection is closed" closed
}
printf 'GET /healthz HTTP/1.1\n%s\r\n\r\n' "$HOST" >"$T/req"
bad "a request line ended by a bare LF" 400
crlf 'GET /healthz HTTP/1.1' "$HOST" 'X-A : b' '' >"$T/req"
bad "a space before a colon (X-A : b)" 400
crlf 'GET /healthz HTTP/1.1' 'Host : 127.0.0.1' '' >"$T/req"
bad "a space before the colon of Host" 400
crlf 'GET /healthz HTTP/1.1' "$HOST" 'X-A: b' ' c' '' >"$T/req"
bad "an obs-fold continuation line" 400
crlf 'GET  /healthz HTTP/1.1' "$HOST" '' >"$T/req"
bad "two spaces in the request line" 400
printf 'GET /healthz HTTP/1.1\r\n%s\r\nX-A: a\0b\r\n\r\n' "$HOST" >"$T/req"
bad "a NUL byte in a header value" 400
printf 'GET /healthz?\xe9 HTTP/1.1\r\n%s\r\n\r\n' "$HOST" >"$T/req"
bad "a byte >= 0x80 in the request target" 400

# --- request smuggling: refused, never a second answer -------------------------------------------
# Each body is the valid form $GRANT under one reading of the framing, so
# a server that takes that reading answers 401, not 400.
{ crlf 'POST /oauth/token HTTP/1.1' "$HOST" "$FORM" 'Content-Length: 5' \
    'Transfer-Encoding: chunked' ''; printf '1d\r\n%s\r\n0\r\n\r\n' "$GRANT"; } >"$T/req"
bad "Content-Length and Transfer-Encoding: chunked" 400
{ crlf 'POST /oauth/token HTTP/1.1' "$HOST" "$FORM" 'Content-Length: 29' \
    'Content-Length: 30' ''; printf '%sx' "$GRANT"; } >"$T/req"
bad "two unequal Content-Lengths" 400
{ crlf 'POST /oauth/token HTTP/1.1' "$HOST" "$FORM" 'Content-Length: +29' ''
    printf '%s' "$GRANT"; } >"$T/req"
bad "Content-Length: +29" 400
{ crlf 'POST /oauth/token HTTP/1.0' "$HOST" "$FORM" 'Transfer-Encoding: chunked' ''
    printf '1d\r\n%s\r\n0\r\n\r\n' "$GRANT"; } >"$T/req"
bad "Transfer-Encoding: chunked in HTTP/1.0" 400
{ crlf 'POST /oauth/token HTTP/1.1' "$HOST" "$FORM" 'Transfer-Encoding: gzip' ''
    printf '1d\r\n%s\r\n0\r\n\r\n' "$GRANT"; } >"$T/req"
bad "Transfer-Encoding: gzip" 501

# --- the protocol version --------------------------------------------------------------------------
crlf 'GET /healthz HTTP/2.0' "$HOST" '' | wire --expect 1
answers "HTTP/2.0 in the request line: 505" 505
crlf 'GET /healthz http/1.1' "$HOST" '' | wire --expect 1
answers "http/1.1 (lower case) in the request line: 400" 400

# --- limits -------------------------------------------------------------------------------------------
crlf "GET /healthz?q=$(head -c 9000 /dev/zero | tr '\0' a) HTTP/1.1" "$HOST" '' | wire --expect 1
answers "a request target over 8 KiB: 414" 414
# keyd keeps at most 64 header fields (HTTP_HDRS_MAX): more are refused,
# never cut short
{ crlf 'GET /healthz HTTP/1.1' "$HOST"; for i in $(seq 1 100); do crlf "X-H-$i: v"; done
    crlf ''; } | wire --expect 1
answers "100 header lines: 431" 431
crlf 'GET /healthz HTTP/1.1' "$HOST" "X-Big: $(head -c 40960 /dev/zero | tr '\0' a)" '' |
    wire --expect 1
answers "one 40 KiB header: 431" 431

# --- a chunked body ---------------------------------------------------------------------------------
{ crlf 'POST /oauth/token HTTP/1.1' "$HOST" "$FORM" 'Content-Length: 29' ''
    printf '%s' "$GRANT"; } | wire --expect 1
answers "POST /oauth/token, Content-Length, no credentials: 401" 401
body1 >"$T/body.cl"
{ crlf 'POST /oauth/token HTTP/1.1' "$HOST" "$FORM" 'Transfer-Encoding: chunked' ''
    printf '5;a=b\r\ngrant\r\n6;ext="q v";x\r\n_type=\r\n12\r\nclient_credentials\r\n'
    printf '0\r\nX-Trailer: t\r\n\r\n'; } | wire --expect 1
answers "the same body in three chunks, with extensions and a trailer: 401" 401
eq "chunked: invalid_client" "$(body1 | jq -r .error 2>/dev/null)" invalid_client
eq "chunked: the same answer body as with Content-Length" "$(body1)" "$(cat "$T/body.cl")"

# --- Expect: 100-continue (RFC 9110 section 10.1.1) --------------------------------------------------------
# rawhttp --expect-100 writes the head, waits up to 2 s for keyd's first
# answer, and writes the body only after a 1xx (or after the 2 s).
{ crlf 'POST /oauth/token HTTP/1.1' "$HOST" "$FORM" 'Expect: 100-continue' \
    'Content-Length: 29' ''; printf '%s' "$GRANT"; } | wire --expect-100 --expect 1
answers "Expect: 100-continue: 100 Continue, then the answer" "100 401"
check "Expect: 100-continue: the 100 came before the body was written" \
    grep -qx 'expect100=body-after-1xx' "$T/sum"
crlf 'POST /oauth/token HTTP/1.1' "$HOST" "$FORM" 'Expect: 100-continue' \
    'Content-Length: 2000000' '' | wire --expect-100 --expect 1
answers "Expect with a Content-Length over max_body (1 MiB): 413, no 100" 413
check "Expect over max_body: the 413 came with the body never written" \
    grep -qx 'expect100=body-withheld' "$T/sum"
# Without Expect the client sends the body anyway: what it holds is never
# read as a request, even one that looks like one.
{ crlf 'POST /oauth/token HTTP/1.1' "$HOST" "$FORM" 'Content-Length: 2000000' ''
  crlf 'GET /healthz HTTP/1.1' "$HOST" ''; } | wire --idle-ms 3000
answers "a body over max_body that holds a request: 413 alone" 413
check "… and the connection ends" closed

# --- HEAD (RFC 9110 section 9.3.2) ---------------------------------------------------------------------------
crlf 'HEAD /healthz HTTP/1.1' "$HOST" '' 'GET /healthz HTTP/1.1' "$HOST" '' | wire --expect 2
answers "HEAD /healthz, then a GET pipelined: 200 200" "200 200"
eq "HEAD: the Content-Length the GET has" "$(hdr 1 Content-Length)" "$(hdr 2 Content-Length)"
eq "HEAD: no body: the GET's answer follows its head at once" \
    "$(tr -d '\r' <"$T/raw" | awk 'p { print; exit } /^$/ { p = 1 }' | cut -d' ' -f1,2)" \
    "HTTP/1.1 200"

# --- TLS: 1.2 and 1.3 only, AEAD ciphers with forward secrecy only -------------------------------------------
tls() { # tls OPENSSL-ARGS…: the protocol and cipher keyd agreed to, or "none"
	local out
	out=$(echo | openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$STATE/tls/cert.pem" "$@" 2>/dev/null |
	    sed -n 's/^New, \(TLSv[0-9.]*\), Cipher is \(.*\)$/\1 \2/p')
	echo "${out:-none}"
}
eq "TLS 1.3" "$(tls -tls1_3 | cut -d' ' -f1)" TLSv1.3
eq "TLS 1.2 with an AEAD cipher" "$(tls -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256)" \
    "TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256"
eq "TLS 1.2 with a CBC cipher: refused" "$(tls -tls1_2 -cipher ECDHE-ECDSA-AES128-SHA)" none
eq "TLS 1.1: refused (the client offering it)" "$(tls -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0')" none
# session resumption by ticket: a GET answered, so that TLS 1.3's ticket
# arrives, then the same session offered again
resume() { # resume SESSFILE in|out OPENSSL-ARGS…: "New" or "Reused" (or "none")
	local f=$1 io=$2 out
	shift 2
	out=$(printf 'GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' |
	    openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$STATE/tls/cert.pem" \
	    -ign_eof "-sess_$io" "$f" "$@" 2>/dev/null | sed -n 's/^\(New\|Reused\), .*/\1/p')
	echo "${out:-none}"
}
for v in tls1_3 tls1_2; do
	resume "$T/sess.$v" out "-$v" >/dev/null
	eq "$v: a client coming back resumes its session with a ticket" \
	    "$(resume "$T/sess.$v" in "-$v")" Reused
done

# --- keyd survived all of it -------------------------------------------------------------------------------
eq "still healthy" "$(kcurl "$(URL /healthz)" | jq -r .status)" ok
check "stops cleanly" keyd_stop
check "no crash or sanitizer report in the log" bash -c \
    "! grep -Eqi 'crash|sanitizer|runtime error|SIGSEGV|SIGABRT' '$LOG'"

# --- slow clients: client_timeout ---------------------------------------------------------------------------
keyd_start -o client_timeout=2s || nok "keyd restarts with client_timeout=2s"
HOST="Host: 127.0.0.1:$PORT"
eq "a ticket from before a restart is not taken: a full handshake" \
    "$(resume "$T/sess.tls1_3" in -tls1_3)" New
s0=$(date +%s%N)
printf 'GET /healthz HTTP/1.1\r\n%s\r\n' "$HOST" | wire --idle-ms 8000 --total-ms 9000
ms=$(( ($(date +%s%N) - s0) / 1000000 ))
eq "half a head, then silence: closed unanswered" "$(summary) $(closed && echo closed)" \
    "responses=0 trailing=0 closed"
check "… after client_timeout (2 s), not before ($ms ms)" test "$ms" -ge 1800 -a "$ms" -lt 7000
{ crlf 'POST /oauth/token HTTP/1.1' "$HOST" "$FORM" 'Content-Length: 100' ''; printf 'grant_type='; } |
    wire --idle-ms 8000 --total-ms 9000
eq "half a body, then silence: closed unanswered" "$(summary) $(closed && echo closed)" \
    "responses=0 trailing=0 closed"
crlf 'GET /healthz HTTP/1.1' "$HOST" '' | wire --idle-ms 8000 --total-ms 9000
eq "idle after an answer: closed after it" "$(codes) $(closed && echo closed)" "200 closed"
# a head sent a byte every 100 ms takes 4 s, twice client_timeout: never silent that long
crlf 'GET /healthz HTTP/1.1' "$HOST" 'X-Slow: 1234567890' '' |
    wire --split 1 --delay-ms 100 --expect 1 --total-ms 9000
answers "a slow but steady head is answered" "200"
check "stops cleanly after the slow clients" keyd_stop

# --- out of file descriptors: accepting pauses, it does not spin ----------------------------------------------
printf '#!/bin/sh\nulimit -n 48\nexec "%s" "$@"\n' "$KEYD" >"$T/keyd-fds"
chmod +x "$T/keyd-fds"
REAL_KEYD=$KEYD KEYD="$T/keyd-fds"
keyd_start || nok "keyd starts with 48 open files"
KEYD=$REAL_KEYD
contains "a too low open-files limit is named at start" "$(cat "$LOG")" "raise it (LimitNOFILE="
held=()
for _ in $(seq 1 80); do exec {fd}<>"/dev/tcp/127.0.0.1/$PORT" && held+=("$fd"); done
sleep 0.5
cpu() { awk '{ print $14 + $15 }' "/proc/$KEYD_PID/stat"; }
c0=$(cpu); l0=$(grep -c 'not accepting for' "$LOG"); sleep 2
c1=$(cpu); l1=$(grep -c 'not accepting for' "$LOG")
check "80 connections held against 48 files: keyd says it cannot accept" test "$l1" -gt 0
check "… and waits instead of spinning: $((c1 - c0)) ticks of CPU, $((l1 - l0)) log lines in 2 s" \
    test $((c1 - c0)) -lt 50 -a $((l1 - l0)) -lt 100
for fd in "${held[@]}"; do exec {fd}>&-; done
sleep 0.5
eq "the held connections closed, keyd serves again" "$(kcurl "$(URL /healthz)" | jq -r .status)" ok
check "stops cleanly after running out of files" keyd_stop

finish
