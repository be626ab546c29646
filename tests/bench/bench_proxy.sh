#!/usr/bin/env bash
# The proxy benchmark (make bench; docs/benchmarks.md). Three targets in
# front of one static upstream (nginx answering a ~1 KB SCIM User), all on
# loopback:
#   direct  the upstream itself
#   keyd    keyd, plain HTTP, audit on with group commit, the request log on
#   nginx   an nginx auth proxy: a map of static bearer tokens, one
#           access-log line per request, kept-alive upstream connections
# It checks each once (200 and the upstream's body; 401 for a bad token),
# warms each, then runs wrk against GET /scim/v2/{up}/Users/2819c223 in
# interleaved rounds, and prints, per target, the median run's requests/s,
# p50 and p99 latency and the CPU the proxy spent per request, then the
# ratios keyd/direct and keyd/nginx.
#
#   tests/bench/bench_proxy.sh [BUILD]
#
# Knobs (environment): BENCH_ROUNDS (3), BENCH_DURATION (seconds per run,
# 8), BENCH_CONNECTIONS (64), BENCH_THREADS (wrk threads, 2),
# BENCH_WORKERS (nginx worker processes, auto), BENCH_TARGETS ("direct keyd
# nginx"), BENCH_KEYD_OPTS (more keyd settings, "name=value …", e.g.
# audit_sync=off to see what the durable audit costs: not a result to
# quote), BENCH_KEYD_B (another keyd binary, run beside the first one as
# target keyd_b with its own state, for a before/after comparison in one
# interleaved run), BENCH_KEEP=1 keeps the temp dir (logs, audit.db, configs),
# BENCH_HOLD=N keeps everything running N seconds after the checks, for a
# profiler (the URLs and the keyd pid are printed).
set -u

BUILD=${1:-build}
ROUNDS=${BENCH_ROUNDS:-3}
DUR=${BENCH_DURATION:-8}
CONNS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
WORKERS=${BENCH_WORKERS:-auto}
TARGETS=${BENCH_TARGETS:-direct keyd nginx}
HERE=$(cd "$(dirname "$0")" && pwd)
KEYD="$PWD/$BUILD/keyd"
KEYCTL="$PWD/$BUILD/keyctl"
UP_NAME=bench
RES=/Users/2819c223

die() { echo "bench_proxy: $*" >&2; exit 1; }

for tool in nginx wrk curl jq; do
	command -v "$tool" >/dev/null 2>&1 ||
	    PATH="$PATH:/usr/sbin" command -v "$tool" >/dev/null 2>&1 ||
	    die "$tool is missing: run make deps-bench"
done
NGINX=$(PATH="$PATH:/usr/sbin" command -v nginx)
if [ ! -x "$KEYD" ] || [ ! -x "$KEYCTL" ]; then
	die "$KEYD or $KEYCTL is missing: run make"
fi

T=$(mktemp -d /tmp/keyd-bench.XXXXXX)
mkdir -p "$T/tmp"
PIDS=()
# shellcheck disable=SC2317  # called by the trap
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench_proxy: kept $T" >&2
	else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Below the kernel's ephemeral range (32768 and up by default), so that no
# outgoing connection of wrk, curl or nginx takes the port in between.
USED=" "
free_port() {
	local p
	for _ in $(seq 1 100); do
		p=$((10000 + RANDOM % 22000))
		case "$USED" in *" $p "*) continue ;; esac
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			USED="$USED$p "
			echo "$p"
			return 0
		fi
	done
	return 1
}

rnd() { head -c 24 /dev/urandom | base64 | tr '+/' '-_'; }

# wait_http URL: until anything answers there (5 s at most)
wait_http() {
	for _ in $(seq 1 100); do
		curl -s -o /dev/null "$1" && return 0
		sleep 0.05
	done
	return 1
}

UP_PORT=$(free_port) || die "no free port"
AUTH_PORT=$(free_port) || die "no free port"
UP_TOKEN=$(rnd)
TOKEN=$(rnd)
BODY=$(jq -c . "$HERE/proxy/user.json") || die "bad user.json"
case "$BODY" in *'$'*) die "user.json must hold no \$ (nginx reads it as a variable)" ;; esac
# Inside nginx's single-quoted string: \ and ' escaped.
NGX_BODY=$(printf '%s' "$BODY" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g")

# render TEMPLATE OUT
render() {
	local s
	s=$(sed -e "s|@DIR@|$T|g" -e "s|@WORKERS@|$WORKERS|g" \
	    -e "s|@UP_PORT@|$UP_PORT|g" -e "s|@AUTH_PORT@|$AUTH_PORT|g" \
	    -e "s|@UP_NAME@|$UP_NAME|g" -e "s|@UP_TOKEN@|$UP_TOKEN|g" \
	    -e "s|@TOKEN@|$TOKEN|g" -e "s|@TOKEN2@|$(rnd)|g" \
	    -e "s|@TOKEN3@|$(rnd)|g" "$1")
	printf '%s\n' "${s//@USER_JSON@/"$NGX_BODY"}" >"$2"
}

render "$HERE/proxy/upstream.conf.in" "$T/upstream.conf"
render "$HERE/proxy/authproxy.conf.in" "$T/authproxy.conf"
"$NGINX" -t -q -p "$T" -e "$T/upstream.error.log" -c "$T/upstream.conf" ||
    die "the upstream's nginx config is refused"
"$NGINX" -t -q -p "$T" -e "$T/authproxy.error.log" -c "$T/authproxy.conf" ||
    die "the auth proxy's nginx config is refused"

# --- start the three servers ---------------------------------------------
"$NGINX" -p "$T" -e "$T/upstream.error.log" -c "$T/upstream.conf" &
PIDS+=($!)
UP_PID=$!
wait_http "http://127.0.0.1:$UP_PORT/" || die "the upstream nginx did not start ($T/upstream.error.log)"

declare -A URL AUTHZ PID
printf '%s\n' "$UP_TOKEN" >"$T/uptok"
KOPTS=()
for o in ${BENCH_KEYD_OPTS:-}; do KOPTS+=(-o "$o"); done
# start_keyd NAME BINARY: a fresh instance in $T/NAME on a free port, the
# upstream registered, a scim-reader client whose provisioning key is the
# bearer token.
start_keyd() {
	local n=$1 bin=$2 st="$T/$1" port key
	port=$(free_port) || die "no free port"
	"$bin" init --state "$st" >"$T/$n.init.out" 2>&1 ||
	    die "$n: keyd init failed: $(cat "$T/$n.init.out")"
	"$bin" -c "$st/keyd.conf" -o "listen=127.0.0.1:$port" -o tls=off \
	    "${KOPTS[@]}" >"$T/$n.log" 2>&1 &
	PIDS+=($!)
	PID[$n]=$!
	wait_http "http://127.0.0.1:$port/healthz" ||
	    die "$n did not start: $(tail -5 "$T/$n.log")"
	KEYD_SOCKET="$st/keyd.sock" "$KEYCTL" upstream add "$UP_NAME" \
	    --url "http://127.0.0.1:$UP_PORT/scim/v2" --bearer-file "$T/uptok" \
	    >"$T/$n.keyctl.out" 2>&1 ||
	    die "$n: keyctl upstream add failed: $(cat "$T/$n.keyctl.out")"
	key=$(KEYD_SOCKET="$st/keyd.sock" "$KEYCTL" client create bench-client \
	    --role scim-reader --json | jq -r .key)
	case "$key" in kdpk_*) ;; *) die "$n: keyctl client create gave no key" ;; esac
	URL[$n]="http://127.0.0.1:$port/scim/v2/$UP_NAME$RES"
	AUTHZ[$n]="Bearer $key"
}
start_keyd keyd "$KEYD"
if [ -n "${BENCH_KEYD_B:-}" ]; then
	[ -x "$BENCH_KEYD_B" ] || die "BENCH_KEYD_B=$BENCH_KEYD_B is not a program"
	start_keyd keyd_b "$BENCH_KEYD_B"
	case " $TARGETS " in *" keyd_b "*) ;; *) TARGETS="$TARGETS keyd_b" ;; esac
fi

"$NGINX" -p "$T" -e "$T/authproxy.error.log" -c "$T/authproxy.conf" &
PIDS+=($!)
AUTH_PID=$!
wait_http "http://127.0.0.1:$AUTH_PORT/" || die "the nginx auth proxy did not start ($T/authproxy.error.log)"

URL[direct]="http://127.0.0.1:$UP_PORT/scim/v2$RES"
URL[nginx]="http://127.0.0.1:$AUTH_PORT/scim/v2/$UP_NAME$RES"
AUTHZ[direct]=""
AUTHZ[nginx]="Bearer $TOKEN"
PID[direct]=$UP_PID
PID[nginx]=$AUTH_PID

# --- correctness, once ---------------------------------------------------
bad=0
expect() { # expect WHAT GOT WANT
	if [ "$2" = "$3" ]; then echo "ok   $1"
	else echo "FAIL $1: got [$2], want [$3]"; bad=1; fi
}
fetch() { # fetch URL [AUTHZ]: body into $T/out, status in $code, type in $ctype
	local out
	if [ -n "${2:-}" ]; then
		out=$(curl -s -o "$T/out" -w '%{http_code} %{content_type}' \
		    -H "Authorization: $2" "$1")
	else
		out=$(curl -s -o "$T/out" -w '%{http_code} %{content_type}' "$1")
	fi
	code=${out%% *}
	ctype=${out#* }
}
for t in $TARGETS; do
	fetch "${URL[$t]}" "${AUTHZ[$t]}"
	expect "$t: 200" "$code" 200
	expect "$t: the upstream's body" "$(cat "$T/out")" "$BODY"
	expect "$t: application/scim+json" "${ctype%%;*}" application/scim+json
done
for t in $TARGETS; do
	[ "$t" = direct ] && continue
	fetch "${URL[$t]}" "Bearer $(rnd)"
	expect "$t: a bad token gets 401" "$code" 401
	fetch "${URL[$t]}"
	expect "$t: no token gets 401" "$code" 401
done
[ "$bad" = 0 ] || die "a target answers wrong; nothing measured (logs in $T, kept)"
audit_rows() { sqlite3 "file:$T/keyd/audit.db?mode=ro" \
    'SELECT count(*) FROM records' 2>/dev/null || echo "?"; }

if [ -n "${BENCH_HOLD:-}" ]; then
	echo "holding ${BENCH_HOLD}s: keyd pid ${PID[keyd]}"
	for t in $TARGETS; do echo "  $t ${URL[$t]} ${AUTHZ[$t]}"; done
	sleep "$BENCH_HOLD"
	exit 0
fi

# --- measure --------------------------------------------------------------
# CPU (user + system, µs) of a server: the process and its children (nginx
# workers), threads included.
cpu_us() {
	local p total=0 tck
	tck=$(getconf CLK_TCK)
	for p in "$1" $(pgrep -P "$1" 2>/dev/null); do
		[ -r "/proc/$p/stat" ] || continue
		# fields 14, 15: utime, stime, after the ")" of the command name
		total=$((total + $(sed 's/.*) //' "/proc/$p/stat" |
		    awk '{ print $12 + $13 }')))
	done
	echo $((total * 1000000 / tck))
}

# run TARGET SECONDS → "rps p50_us p99_us cpu_us_per_req non2xx sockerr"
run() {
	local t=$1 d=$2 line c0 c1
	local args=(-t"$THREADS" -c"$CONNS" -d"${d}s" --latency -s "$HERE/proxy/report.lua")
	[ -n "${AUTHZ[$t]}" ] && args+=(-H "Authorization: ${AUTHZ[$t]}")
	c0=$(cpu_us "${PID[$t]}")
	line=$(wrk "${args[@]}" "${URL[$t]}" 2>&1 | grep '^BENCH ')
	c1=$(cpu_us "${PID[$t]}")
	[ -n "$line" ] || { echo "0 0 0 0 0 1"; return; }
	echo "$line" | awk -v c=$((c1 - c0)) '{
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		r = v["requests"]
		printf "%.0f %d %d %.1f %d %d\n", r * 1e6 / v["duration_us"],
		    v["p50_us"], v["p99_us"], (r > 0 ? c / r : 0), v["non2xx"],
		    v["sockerr"] }'
}

echo "warming up: 3 s each, then $ROUNDS rounds of ${DUR}s per target," \
    "wrk -t$THREADS -c$CONNS"
# Other work on the machine shifts every number: say how busy it was.
read -r LOAD0 _ </proc/loadavg
echo "load average before measuring: $LOAD0 ($(nproc) cores)"
for t in $TARGETS; do run "$t" 3 >/dev/null; done
rows0=$(audit_rows)
# keyd's audit commits and records so far, from its /metrics.
audit_counts() { curl -s "${URL[keyd]%/scim/*}/metrics" |
    awk '$1 == "keyd_audit_commits_total" { c = $2 }
        $1 == "keyd_audit_records_total" { r = $2 } END { print c + 0, r + 0 }'; }
read -r com0 rec0 <<<"$(audit_counts)"

ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
declare -A RUNS
for r in $(seq 1 "$ROUNDS"); do
	for t in $TARGETS; do
		res=$(run "$t" "$DUR")
		RUNS[$t]="${RUNS[$t]:-}$res"$'\n'
		read -r rps p50 p99 cpu n2 se <<<"$res"
		printf '  round %d  %-6s %8s req/s  p50 %6.2f ms  p99 %6.2f ms  cpu %5.1f us/req%s\n' \
		    "$r" "$t" "$rps" "$(ms "$p50")" "$(ms "$p99")" "$cpu" \
		    "$( [ "$n2$se" = 00 ] || echo "  non-2xx $n2, socket errors $se")"
		[ "$n2$se" = 00 ] || bad=1
	done
done
rows1=$(audit_rows)
read -r com1 rec1 <<<"$(audit_counts)"

# The median run by requests/s, per target.
declare -A MED
for t in $TARGETS; do
	MED[$t]=$(printf '%s' "${RUNS[$t]}" | sort -n -k1,1 | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }')
done

echo
printf '%-8s %10s %10s %10s %14s\n' target "req/s" "p50 ms" "p99 ms" "cpu us/req"
for t in $TARGETS; do
	read -r rps p50 p99 cpu _ <<<"${MED[$t]}"
	printf '%-8s %10s %10.2f %10.2f %14.1f\n' "$t" "$rps" "$(ms "$p50")" \
	    "$(ms "$p99")" "$cpu"
done
ratio() { # ratio A B: req/s of A over B
	[ -n "${MED[$1]:-}" ] && [ -n "${MED[$2]:-}" ] || return 0
	set -- "${MED[$1]%% *}" "${MED[$2]%% *}" "$1" "$2"
	awk -v a="$1" -v b="$2" -v n="$3/$4" 'BEGIN { printf "%-14s %6.2f\n", n, (b > 0 ? a / b : 0) }'
}
echo
ratio keyd direct
ratio keyd nginx
ratio nginx direct
ratio keyd_b keyd
ratio keyd_b nginx
read -r LOAD1 _ </proc/loadavg
echo "(median of $ROUNDS runs of ${DUR}s each; wrk -t$THREADS -c$CONNS; $(nproc) cores;" \
    "load average $LOAD0 before, $LOAD1 after, this benchmark's own included)"
[ "$rows0" != "?" ] && [ "$rows1" != "?" ] &&
    echo "keyd audit records written while measuring: $((rows1 - rows0))"
if [ "$com1" -gt "$com0" ]; then
	echo "keyd audit commits while measuring: $((com1 - com0))," \
	    "$(( (rec1 - rec0) / (com1 - com0) )) records each on average"
fi
# What one durable commit costs here: the floor under a request that waits
# for its record (docs/benchmarks.md).
dsync=$( { dd if=/dev/zero of="$T/dsync.probe" bs=4k count=200 oflag=dsync 2>&1 >/dev/null; } |
    awk '/copied/ { for (i = 1; i <= NF; i++) if ($i ~ /^s,?$/) print $(i - 1) }' | tr -d ,)
[ -n "$dsync" ] && awk -v s="$dsync" 'BEGIN { printf "this disk: a 4 KiB write with O_DSYNC takes %.2f ms (dd, 200 writes)\n", s * 1000 / 200 }'
[ "$bad" = 0 ] || die "some runs saw errors or non-2xx answers"
exit 0
