#!/usr/bin/env bash
# Fault: a stuck database.  Another client holds locks prickle needs:
#   A. a row lock on a key's row (FOR UPDATE): the request that must write
#      that row waits at most database.read_timeout, then finishes cleanly;
#      requests of other users keep being served by the other workers;
#   B. LOCK TABLES users WRITE: every request needing the table ends with the
#      exact 503 within the read timeout (one retry on a fresh connection),
#      and a worker that is not stuck keeps answering;
#   C. with request_terminate_timeout shorter than the read timeout (set by a
#      reload), the stuck worker is killed at the deadline, nginx answers
#      502 in PostHog's shape, the master logs why and refills the pool.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${TEST_TIMEOUT:=240}"
. "$top_srcdir/t/faults/lib.sh"

WORKERS=2
READ_TIMEOUT=2
TERMINATE=10
ERR_503='{"type":"server_error","code":"service_unavailable","detail":"Database is unavailable, try again shortly.","attr":null}'
ERR_502='{"type":"server_error","code":"service_unavailable","detail":"Service temporarily unavailable.","attr":null}'

stack_require
fault_stack_up --set pm.max_children=$WORKERS --set pm.max_requests=0 \
    --set database.read_timeout=$READ_TIMEOUT \
    --set request_terminate_timeout=$TERMINATE
make_fixture_user bob@example.com user:read KEY_B
cli_into _a user add --email alice@example.com
cli_into KEY_A key add --email alice@example.com --scopes user:read
KEY_A_ID=$(sql "SELECT k.id FROM personal_api_keys k JOIN users u ON u.id = k.user_id WHERE u.email = 'alice@example.com'")
[ -n "$KEY_A_ID" ] || bail_out "no key id for alice"

# timed_get OUT KEY PATH: one GET, "CODE SECONDS" to OUT.body's sibling OUT.
timed_get() {
	local out=$1 key=$2 path=$3
	local -a auth=()
	[ -n "$key" ] && auth=(-H "Authorization: Bearer $key")
	curl -sS --globoff --connect-timeout 5 --max-time 40 --cacert "$PRICKLE_CA" \
	    "${auth[@]}" -D "$out.headers" -o "$out.body" \
	    -w '%{http_code} %{time_total}\n' "$PRICKLE_URL$path" >"$out" 2>/dev/null ||
	    [ -s "$out" ] || echo "000 0" >"$out"
}

# others_served KEY WANT N: N sequential requests while a worker is stuck;
# true when all got WANT within 1 s each.
others_served() {
	local key=$1 want=$2 n=$3 i good=0 out=$STACK_TMP/other
	for ((i = 0; i < n; i++)); do
		timed_get "$out" "$key" /api/users/@me/
		read -r code secs <"$out"
		if [ "$code" = "$want" ] && awk -v s="$secs" 'BEGIN { exit !(s < 1.0) }'; then
			good=$((good + 1))
		else
			diag "other request $i: $code in $secs s"
		fi
	done
	[ "$good" -eq "$n" ]
}

# hold_lock NAME WHAT SQL: a client that takes a lock and sleeps in it
# (LOCKER is its pid), then a GET @me with KEY in the background (REQ) that
# the lock is expected to block.  stuck_result NAME: wait for that GET,
# its status in `code` and seconds in `secs`.
hold_lock() {
	local name=$1 what=$2 sql=$3 key=$4
	sql_bg "$STACK_TMP/lock$name.out" "$sql"
	LOCKER=$SQL_BG_PID
	wait_sql_state "User sleep" 10 ||
	    bail_out "the $what client did not start: $(cat "$STACK_TMP/lock$name.out")"
	timed_get "$STACK_TMP/$name" "$key" /api/users/@me/ &
	REQ=$!
}
stuck_result() {
	wait "$REQ"
	read -r code secs <"$STACK_TMP/$1"
}

in_range() { # VALUE LOW HIGH (seconds, decimals allowed)
	awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'
}

# --- A: row lock -----------------------------------------------------------------
# Alice's key was never used: authenticating writes its last_used_at,
# which waits for the row lock.
hold_lock a row-lock "START TRANSACTION; SELECT id FROM personal_api_keys WHERE id = $KEY_A_ID FOR UPDATE; SELECT SLEEP(30); COMMIT" "$KEY_A"
sleep 0.3
others_served "$KEY_B" 200 20
ok $? "A: while one worker waits for a row lock, 20 requests of another user: all 200 within 1 s"
stuck_result a
diag "A: the blocked request: $code after $secs s"
ok $(in_range "$secs" $((READ_TIMEOUT - 1)) $((2 * READ_TIMEOUT + 3)); echo $?) \
    "A: the blocked request waited about database.read_timeout ($secs s), not longer"
if [ "$code" = 503 ]; then
	is "$(cat "$STACK_TMP/a.body")" "$ERR_503" "A: answered 503 with the exact body"
else
	is "$code" 200 "A: answered 200 (the last_used_at write is best effort)"
fi
kill_sql_matching 'SELECT SLEEP%'
wait "$LOCKER" 2>/dev/null
timed_get "$STACK_TMP/a" "$KEY_A" /api/users/@me/
is "$(cut -d' ' -f1 "$STACK_TMP/a")" 200 "A: lock released: alice is served again"

# --- B: table lock -----------------------------------------------------------------
hold_lock b table-lock "LOCK TABLES users WRITE; SELECT SLEEP(60); UNLOCK TABLES" "$KEY_B"
wait_sql_state "Waiting for table metadata lock" 5
ok $? "B: the request waits for the table lock"
# The other worker needs no database for an anonymous request (401).
others_served "" 401 10
ok $? "B: meanwhile the other worker answers 10 anonymous requests within 1 s each"
stuck_result b
diag "B: the stuck request: $code after $secs s"
is "$code" 503 "B: the stuck request ends with 503"
is "$(cat "$STACK_TMP/b.body")" "$ERR_503" "B: exact 503 body"
like "$(tr -d '\r' <"$STACK_TMP/b.headers")" $'(^|\n)Retry-After: [0-9]+' "B: Retry-After header"
ok $(in_range "$secs" $((READ_TIMEOUT - 1)) $((2 * READ_TIMEOUT + 3)); echo $?) \
    "B: within the read timeout and one retry ($secs s <= $((2 * READ_TIMEOUT + 3)) s)"
kill_sql_matching 'SELECT SLEEP%'
wait "$LOCKER" 2>/dev/null
timed_get "$STACK_TMP/b" "$KEY_B" /api/users/@me/
is "$(cut -d' ' -f1 "$STACK_TMP/b")" 200 "B: lock released: served again"
is "$(count_workers)" $WORKERS "B: no worker was replaced or lost"

# --- C: request_terminate_timeout ----------------------------------------------------
TERMINATE=3
sed -i -e "s/^database\.read_timeout = .*/database.read_timeout = 30/" \
    -e "s/^request_terminate_timeout = .*/request_terminate_timeout = $TERMINATE/" \
    "$PRICKLE_CONF"
grep -q "^request_terminate_timeout = $TERMINATE\$" "$PRICKLE_CONF" ||
    bail_out "could not edit $PRICKLE_CONF"
OLD=$(worker_pids)
kill -USR2 "$PRICKLE_MASTER_PID"
rolled=
for i in $(seq 150); do
	now=$(worker_pids)
	if [ "$(printf '%s\n' "$now" | grep -c .)" -eq $WORKERS ] &&
	    [ -z "$(printf '%s\n' "$now" | grep -xF "$OLD")" ]; then
		rolled=1
		break
	fi
	sleep 0.1
done
ok $([ -n "$rolled" ]; echo $?) "C: reload replaced every worker (request_terminate_timeout = $TERMINATE, read_timeout = 30)"

hold_lock c table-lock "LOCK TABLES users WRITE; SELECT SLEEP(60); UNLOCK TABLES" "$KEY_B"
sleep 0.3
others_served "" 401 5
ok $? "C: meanwhile the other worker answers anonymous requests"
stuck_result c
T_ANSWER=$(now_ms)
diag "C: the stuck request: $code after $secs s"
is "$code" 502 "C: the worker was terminated: nginx answers 502"
is "$(cat "$STACK_TMP/c.body")" "$ERR_502" "C: 502 in PostHog's error shape"
ok $(in_range "$secs" $((TERMINATE - 1)) $((TERMINATE + 2)); echo $?) \
    "C: at request_terminate_timeout ($secs s, limit $TERMINATE s)"
t=$(wait_workers $WORKERS 1000)
ok $? "C: the pool is whole again within 1 s ($(( $(now_ms) - T_ANSWER )) ms after the 502)"
like "$(cat "$PRICKLE_LOG")" "terminated: a request ran longer than request_terminate_timeout = $TERMINATE s" \
    "C: the master logs why the worker died"
kill_sql_matching 'SELECT SLEEP%'
wait "$LOCKER" 2>/dev/null
timed_get "$STACK_TMP/c" "$KEY_B" /api/users/@me/
is "$(cut -d' ' -f1 "$STACK_TMP/c")" 200 "C: lock released: served again"

done_testing
