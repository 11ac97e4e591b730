#!/usr/bin/env bash
# Fault: a crash loop.  Every worker is killed the moment it appears, for
# CRASH_SECONDS.  The master must back off (a slot whose workers keep dying
# young waits 0.1 s, 0.2 s, 0.4 s ... up to 30 s before the next attempt),
# log each death with the delay, use next to no CPU meanwhile, and refill
# the pool once the crashes stop.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${TEST_TIMEOUT:=180}"
. "$top_srcdir/t/faults/lib.sh"

WORKERS=2
CRASH_SECONDS=10
# Without a back-off each slot would restart hundreds of times in that
# time; with it (delays 0, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2 s: starts at 0,
# 0.1, 0.3, 0.7, 1.5, 3.1, 6.3 s, the next at 12.7 s) seven times.
MAX_SPAWNS=$((WORKERS * 10))
# The master's CPU time during the loop, in clock ticks (1/100 s on Linux):
# a spinning master would burn about CRASH_SECONDS of it.
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
MAX_CPU_TICKS=$((CLK_TCK * 6 / 10))

stack_require
fault_stack_up --set pm.max_children=$WORKERS
make_fixture_user load@example.com user:read LOAD_KEY
t=$(wait_workers $WORKERS 5000)
ok $? "$WORKERS workers"

CPU0=$(cpu_ticks "$PRICKLE_MASTER_PID")
KILLED=0
declare -A SEEN=()
END=$((SECONDS + CRASH_SECONDS))
iterations=0
while [ $SECONDS -lt $END ] && [ $iterations -lt 10000 ]; do
	iterations=$((iterations + 1))
	for pid in $(children_of "$PRICKLE_MASTER_PID"); do
		[ -n "${SEEN[$pid]-}" ] && continue
		SEEN[$pid]=1
		kill -KILL "$pid" 2>/dev/null && KILLED=$((KILLED + 1))
	done
	sleep 0.01
done
CPU1=$(cpu_ticks "$PRICKLE_MASTER_PID")
cpu=$((CPU1 - CPU0))
diag "crash loop: $KILLED workers started and killed in ${CRASH_SECONDS} s; master CPU $cpu ticks (${CLK_TCK}/s)"

ok $(pid_alive "$PRICKLE_MASTER_PID"; echo $?) "the master survives the crash loop"
ok $((KILLED >= WORKERS * 4 ? 0 : 1)) "the master kept respawning ($KILLED workers)"
ok $((KILLED <= MAX_SPAWNS ? 0 : 1)) "throttled by the back-off: $KILLED spawns in ${CRASH_SECONDS} s (at most $MAX_SPAWNS)"
ok $((cpu <= MAX_CPU_TICKS ? 0 : 1)) "no busy loop: the master used $cpu ticks of CPU (at most $MAX_CPU_TICKS)"

# Log lines: "worker N (pid P) was killed by signal 9 (Killed) after X s;
# respawning in D s (K quick failures in a row)".
lines=$(grep -E 'worker [0-9]+ \(pid [0-9]+\) was killed by signal 9 .* respawning in [0-9.]+ s \([0-9]+ quick failures? in a row\)' "$PRICKLE_LOG")
n=$(printf '%s\n' "$lines" | grep -c .)
ok $((n >= KILLED - WORKERS && n <= KILLED ? 0 : 1)) "each death is logged with its respawn delay ($n lines for $KILLED kills)"
# Per slot the delays grow: 0, 0.1, 0.2, 0.4 ...
grows=0
for slot in $(seq 0 $((WORKERS - 1))); do
	delays=$(printf '%s\n' "$lines" | sed -n "s/.*worker $slot (pid [0-9]*) .* respawning in \([0-9.]*\) s.*/\1/p" | tr '\n' ' ')
	diag "slot $slot delays: $delays"
	if printf '%s\n' $delays | awk 'NR > 1 && $1 < prev { bad = 1 } { prev = $1; max = $1 } END { exit !(!bad && max >= 1.6) }'; then
		grows=$((grows + 1))
	fi
done
is "$grows" $WORKERS "for every slot the delays never shrink and reach at least 1.6 s"

# Once the crashes stop the pool is refilled when the pending delay ends
# (6.4 s after the last start here; 12.8 s if the loop overran).
t=$(wait_workers $WORKERS 15000)
ok $? "after the crash loop the pool is whole again (${t} ms)"
codes=
for i in $(seq 10); do
	api_key "$LOAD_KEY" GET /api/users/@me/
	codes="$codes$STATUS "
done
is "$codes" "200 200 200 200 200 200 200 200 200 200 " "and serves again"

done_testing
