#!/usr/bin/env bash
# Fault: kill -9 of workers under steady load.  Only the request a killed
# worker was serving may fail (nginx answers it 502 in PostHog's shape);
# requests queued on the shared socket are served by the others, and the
# master refills the pool within a second.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${TEST_TIMEOUT:=180}"
. "$top_srcdir/t/faults/lib.sh"

WORKERS=4
KILLS=4

stack_require
fault_stack_up --set pm.max_children=$WORKERS --set pm.max_requests=0
make_fixture_user load@example.com user:read LOAD_KEY

t=$(wait_workers $WORKERS 5000)
ok $? "pool starts with $WORKERS workers (${t} ms)"
ORIGINAL=$(worker_pids)
MAX_RESPAWN=0
RESPAWNS_OK=0

# The system call an idle worker waits in (accept), from /proc.
syscall_of() {
	local sc
	{ read -r sc _ <"/proc/$1/syscall"; } 2>/dev/null || sc=unknown
	printf '%s\n' "$sc"
}
IDLE_SC=$(syscall_of "$(worker_pids | head -n 1)")
diag "idle workers wait in system call $IDLE_SC"

# Prefer a victim that is serving a request right now (not waiting in the
# idle system call), so that kills hit requests in flight; fall back to
# any candidate after 300 ms.
pick_victim() {
	local i pid
	for i in $(seq 60); do
		for pid in "$@"; do
			sc=$(syscall_of "$pid")
			if [ "$sc" != "$IDLE_SC" ] && [ "$sc" != unknown ]; then
				printf '%s\n' "$pid"
				return 0
			fi
		done
		sleep 0.005
	done
	printf '%s\n' "$1"
	return 1
}

load_start 4 4000 60
sleep 1

# Kill a different original worker each time: a slot whose worker dies
# young is respawned with a back-off delay (crash_loop.t tests that).
round=0
BUSY_KILLS=0
CANDIDATES=$ORIGINAL
while [ $round -lt $KILLS ]; do
	round=$((round + 1))
	# shellcheck disable=SC2086
	victim=$(pick_victim $CANDIDATES) && BUSY_KILLS=$((BUSY_KILLS + 1))
	CANDIDATES=$(printf '%s\n' $CANDIDATES | grep -vxF "$victim")
	before=$(worker_pids)
	kill -KILL "$victim" || fail "kill -9 $victim"
	t=$(wait_workers $WORKERS 1000)
	rc=$?
	# wait_workers may see the full count before the kernel noticed the
	# death; make sure the victim is really gone and replaced.
	for i in $(seq 50); do
		pid_alive "$victim" || break
		sleep 0.02
	done
	after=$(worker_pids)
	if [ $rc -eq 0 ] && ! pid_alive "$victim" &&
	    [ "$(printf '%s\n' "$after" | grep -cvxF "$before")" -ge 1 ]; then
		RESPAWNS_OK=$((RESPAWNS_OK + 1))
	else
		diag "round $round: workers before: $(echo $before) after: $(echo $after) (rc $rc)"
	fi
	[ "$t" -gt "$MAX_RESPAWN" ] && MAX_RESPAWN=$t
	sleep 0.7
done
is "$RESPAWNS_OK" $KILLS "after each of $KILLS kills the pool is whole again within 1 s (slowest ${MAX_RESPAWN} ms)"

sleep 0.5
load_stop
load_tally
diag "kills: $KILLS, $BUSY_KILLS of them while the worker was busy"
diag "requests: $L_TOTAL sent, $L_OK answered 200, $L_FAIL failed ($L_CODES); slowest ${L_MAXTIME} s"
ok $((L_TOTAL >= 500 ? 0 : 1)) "steady load: at least 500 requests ($L_TOTAL)"
ok $((L_FAIL <= KILLS ? 0 : 1)) "at most one failed request per killed worker ($L_FAIL failed, $KILLS kills)"
[ -n "$L_FAILED" ] && diag "failed: $L_FAILED"
bad=$(printf '%s\n' "$L_FAILED" | awk 'NF && $1 != 502')
is "$bad" "" "a lost request is answered 502 by nginx, never hangs or gets another status"
if [ "$L_FAIL" -gt 0 ]; then
	is "$(load_bodies 502)" '{"type":"server_error","code":"service_unavailable","detail":"Service temporarily unavailable.","attr":null}' \
	    "the 502 carries nginx's JSON error body"
else
	pass "no request was in flight on a killed worker (no 502 to inspect)"
fi

# The log names each death.
n=$(grep -c 'was killed by signal 9' "$PRICKLE_LOG")
is "$n" $KILLS "the master logged each kill ('was killed by signal 9')"

# Afterwards every request succeeds.
okc=0
for i in $(seq 20); do
	api_key "$LOAD_KEY" GET /api/users/@me/
	[ "$STATUS" = 200 ] && okc=$((okc + 1))
done
is "$okc" 20 "20 requests after the kills: all 200"
is "$(count_workers)" $WORKERS "still $WORKERS workers"

done_testing
