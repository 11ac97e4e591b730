#!/usr/bin/env bash
# Graceful reload (USR2, HUP) and graceful stop (QUIT) under load: a
# reload replaces every worker without failing a single request; a request
# in flight when a worker is told to go (reload or QUIT) completes.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${TEST_TIMEOUT:=240}"
. "$top_srcdir/t/faults/lib.sh"

WORKERS=3

stack_require
fault_stack_up --set pm.max_children=$WORKERS --set pm.max_requests=0
make_fixture_user load@example.com user:read LOAD_KEY

# all_replaced OLDPIDS SECS: wait until WORKERS workers run and none of
# OLDPIDS is among them.
all_replaced() {
	local old=$1 secs=$2 i now
	for i in $(seq $((secs * 10))); do
		now=$(worker_pids)
		if [ "$(printf '%s\n' "$now" | grep -c .)" -eq $WORKERS ] &&
		    [ -z "$(printf '%s\n' "$now" | grep -xF "$old")" ]; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# lock_users: hold LOCK TABLES users WRITE from another client (LOCKER).
lock_users() {
	sql_bg "$STACK_TMP/lock.out" "LOCK TABLES users WRITE; SELECT SLEEP(60); UNLOCK TABLES"
	LOCKER=$SQL_BG_PID
	wait_sql_state "User sleep" 10 || bail_out "the lock client did not start: $(cat "$STACK_TMP/lock.out")"
}

unlock_users() {
	kill_sql_matching 'SELECT SLEEP%'
	wait "$LOCKER" 2>/dev/null
}

# waiting_for_lock N SECS: N server threads wait for the table lock.
waiting_for_lock() {
	local want=$1 secs=$2 i n
	for i in $(seq $((secs * 10))); do
		n=$(sql "SELECT COUNT(*) FROM information_schema.processlist WHERE state = 'Waiting for table metadata lock'")
		[ "${n:-0}" -ge "$want" ] && return 0
		sleep 0.1
	done
	return 1
}

# slow_get ID: a GET @me in the background (pid in SLOW_PIDS); "CODE" in
# $STACK_TMP/slow.ID.
SLOW_PIDS=()
slow_get() {
	curl -sS --connect-timeout 5 --max-time 60 --cacert "$PRICKLE_CA" \
	    -H "Authorization: Bearer $LOAD_KEY" -o "$STACK_TMP/slow.$1.body" \
	    -w '%{http_code}\n' "$PRICKLE_URL/api/users/@me/" \
	    >"$STACK_TMP/slow.$1" 2>/dev/null &
	SLOW_PIDS+=($!)
}

slow_wait() {
	local pid
	for pid in "${SLOW_PIDS[@]}"; do
		wait "$pid"
	done
	SLOW_PIDS=()
}

t=$(wait_workers $WORKERS 5000)
ok $? "$WORKERS workers"

# --- USR2 and HUP under load --------------------------------------------------------
load_start 3 20000 90
sleep 1
for sig in USR2 HUP; do
	old=$(worker_pids)
	T0=$(now_ms)
	kill -$sig "$PRICKLE_MASTER_PID"
	all_replaced "$old" 20
	ok $? "$sig: every worker replaced by a new one ($(($(now_ms) - T0)) ms)"
	sleep 1
done
load_stop
load_tally
diag "requests during the reloads: $L_TOTAL sent ($L_CODES); slowest ${L_MAXTIME} s"
ok $((L_TOTAL >= 300 ? 0 : 1)) "steady load through both reloads ($L_TOTAL requests)"
is "$L_FAIL" 0 "zero failed requests through USR2 and HUP"
[ -n "$L_FAILED" ] && diag "failed: $L_FAILED"
is "$(grep -c 'configuration reloaded' "$PRICKLE_LOG")" 2 "the master logged both reloads"
unlike "$(cat "$PRICKLE_LOG")" 'was killed by signal|did not stop in time' \
    "no worker was killed during the reloads"

# --- reload with requests in flight ---------------------------------------------------
lock_users
slow_get r1
waiting_for_lock 1 10
ok $? "reload: a request is in flight (waiting for a table lock)"
old=$(worker_pids)
kill -USR2 "$PRICKLE_MASTER_PID"
sleep 1
unlock_users
slow_wait
is "$(cat "$STACK_TMP/slow.r1")" 200 "reload: the in-flight request completes with 200"
all_replaced "$old" 20
ok $? "reload: afterwards every worker is new"

# --- QUIT with requests in flight -------------------------------------------------------
lock_users
for i in $(seq $WORKERS); do
	slow_get q$i
done
waiting_for_lock $WORKERS 10
ok $? "QUIT: $WORKERS requests in flight, one per worker"
busy=$(worker_pids)
# More clients keep coming: their requests wait on the socket.
load_start 2 400 60
sleep 0.5
kill -QUIT "$PRICKLE_MASTER_PID"
sleep 1
ok $(pid_alive "$PRICKLE_MASTER_PID"; echo $?) "QUIT: the master waits for the in-flight requests"
is "$(worker_pids)" "$busy" "QUIT: the busy workers keep running"
unlock_users
slow_wait
good=0
for i in $(seq $WORKERS); do
	[ "$(cat "$STACK_TMP/slow.q$i")" = 200 ] && good=$((good + 1))
done
is "$good" $WORKERS "QUIT: every in-flight request completes with 200"
gone=
for i in $(seq 100); do
	pid_alive "$PRICKLE_MASTER_PID" || { gone=1; break; }
	sleep 0.1
done
ok $([ -n "$gone" ]; echo $?) "QUIT: then the master exits (within 10 s)"
left=
for pid in $busy; do
	pid_alive "$pid" && left="$left $pid"
done
is "$left" "" "QUIT: no worker is left behind"
like "$(cat "$PRICKLE_LOG")" 'received SIGQUIT' "QUIT: logged"
load_stop
load_tally
diag "requests of the clients arriving during the stop: $L_TOTAL ($L_CODES)"
# Requests still queued on the socket when the master exits are refused:
# nginx answers them 502 in PostHog's shape.  None may hang or be cut off.
bad=$(printf '%s\n' "$L_FAILED" | awk 'NF && $1 != 502')
is "$bad" "" "QUIT: requests arriving meanwhile end in 200 or a clean 502, none hangs or is cut off"
if printf '%s\n' "$L_FAILED" | grep -q '^502 '; then
	is "$(load_bodies 502)" '{"type":"server_error","code":"service_unavailable","detail":"Service temporarily unavailable.","attr":null}' \
	    "QUIT: the 502s carry nginx's JSON body"
else
	pass "QUIT: no request was refused"
fi
like "$(tail -n 3 "$PRICKLE_LOG")" 'pool: stopped' "QUIT: the master's last word is 'stopped'"
api_key "$LOAD_KEY" GET /api/users/@me/
is "$STATUS" 502 "after the stop nginx answers 502"
is "$(jbody -r 'keys_unsorted | join(",")')" "type,code,detail,attr" "... in PostHog's error shape"

done_testing
