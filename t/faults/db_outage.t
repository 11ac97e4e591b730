#!/usr/bin/env bash
# Fault: MariaDB stopped (TERM) under load, then started again with the same
# command line.  During the outage every request gets the exact 503 body
# with Retry-After, quickly (no hang); once MariaDB answers again every
# worker serves within a second, without being restarted.  A second,
# idle outage checks that a stale connection is replaced transparently.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${TEST_TIMEOUT:=240}"
. "$top_srcdir/t/faults/lib.sh"

WORKERS=3
CONNECT_TIMEOUT=2
READ_TIMEOUT=5
ERR_503='{"type":"server_error","code":"service_unavailable","detail":"Database is unavailable, try again shortly.","attr":null}'

stack_require
fault_stack_up --set pm.max_children=$WORKERS --set pm.max_requests=0 \
    --set database.connect_timeout=$CONNECT_TIMEOUT \
    --set database.read_timeout=$READ_TIMEOUT
make_fixture_user load@example.com user:read LOAD_KEY
db_restart_cmd

# parallel_probe N [FORMAT]: N concurrent GET @me; prints FORMAT (default
# the status code) for each, one a line.
parallel_probe() {
	local n=$1 fmt=${2:-'%{http_code}'} i
	local -a args=()
	for ((i = 1; i <= n; i++)); do
		args+=(-o /dev/null "$PRICKLE_URL/api/users/@me/")
	done
	curl -sS --globoff --parallel --parallel-max "$n" --connect-timeout 5 \
	    --max-time 15 --cacert "$PRICKLE_CA" \
	    -H "Authorization: Bearer $LOAD_KEY" -w "$fmt\\n" \
	    "${args[@]}" 2>/dev/null
}

# Every worker holds a database connection before the outage.
codes=$(parallel_probe 12 | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')
is "$codes" "200:12 " "before the outage: 12 concurrent requests all 200"
t=$(wait_workers $WORKERS 5000)
ok $? "$WORKERS workers"
BEFORE=$(worker_pids)

# --- outage under load ---------------------------------------------------------
load_start 3 3000 60
sleep 1
T0=$(now_ms)
db_stop
ok $? "mariadbd stopped (TERM) within 30 s"
diag "mariadbd took $(($(now_ms) - T0)) ms to stop"
sleep 3
load_stop
load_tally
diag "requests: $L_TOTAL sent ($L_CODES); slowest ${L_MAXTIME} s"
n503=$(printf '%s\n' "$L_FAILED" | awk '$1 == 503' | grep -c .)
ok $((n503 >= 10 ? 0 : 1)) "the outage was seen: $n503 requests got 503"
other=$(printf '%s\n' "$L_FAILED" | awk 'NF && $1 != 503')
is "$other" "" "every request got 200 (before) or 503 (during): no 500, 502, 504 or timeout"
is "$(load_bodies 503)" "$ERR_503" "every 503 has the exact body"
# Connecting to a stopped server fails at once; even a query caught by
# the shutdown ends within the read timeout.
ok $(awk -v m="$L_MAXTIME" -v lim=$((READ_TIMEOUT + 2)) 'BEGIN { exit !(m < lim) }'; echo $?) \
    "no request took longer than the read timeout (slowest ${L_MAXTIME} s)"

# One more, looked at in full: status, body, Retry-After.
api_key "$LOAD_KEY" GET /api/users/@me/
is "$STATUS" 503 "request during the outage: 503"
is "$BODY" "$ERR_503" "request during the outage: exact body"
is "$CTYPE" application/json "request during the outage: Content-Type"
like "$(header Retry-After)" '^[0-9]+$' "request during the outage: Retry-After"

# --- recovery ------------------------------------------------------------------
db_start
ok $? "mariadbd started again with the same command line"
T_UP=$(now_ms)
# Within a second every worker answers again: a round of concurrent
# requests (three per worker) that starts within 1 s of MariaDB answering
# is all 200, each answered within 1 s.  (The time is taken per request:
# starting curl and the TLS handshakes are the client's cost.)
recovered=
round=0
while [ $(($(now_ms) - T_UP)) -le 1000 ] && [ $round -lt 50 ]; do
	round=$((round + 1))
	started=$(($(now_ms) - T_UP))
	res=$(parallel_probe $((WORKERS * 3)) '%{http_code} %{time_total}')
	if [ "$(printf '%s\n' "$res" | awk '$1 == 200 && $2 < 1.0' | grep -c .)" -eq $((WORKERS * 3)) ]; then
		recovered=$started
		break
	fi
	diag "round $round (started after $started ms): $(echo $res)"
done
ok $([ -n "$recovered" ]; echo $?) "a round of $((WORKERS * 3)) concurrent requests started ${recovered:-?} ms after MariaDB came back: all 200 within 1 s (round $round)"
diag "that round: $(printf '%s\n' "$res" | awk '{ printf "%s/%ss ", $1, $2 }')"
codes=$(parallel_probe 30 | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')
is "$codes" "200:30 " "30 concurrent requests after recovery: all 200"
is "$(worker_pids)" "$BEFORE" "the same workers serve: none was restarted"

# --- idle outage: stale connections ------------------------------------------
# All workers hold connections to the new server; stop and start it while
# they are idle.  The next SELECT on a dead connection is retried once on a
# fresh one, so clients see no error at all.
codes=$(parallel_probe 12 | sort -u | tr '\n' ' ')
is "$codes" "200 " "workers connected to the restarted server"
db_stop
ok $? "idle outage: mariadbd stopped"
db_start
ok $? "idle outage: mariadbd started"
codes=$(parallel_probe 12 | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')
is "$codes" "200:12 " "after an idle outage the first requests succeed (stale connections replaced)"
is "$(worker_pids)" "$BEFORE" "still the same workers"

unlike "$(cat "$PRICKLE_LOG")" 'was killed by signal|exited with status' "no worker died"

done_testing
