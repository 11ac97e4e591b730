# t/faults/lib.sh — helpers for the fault tests (t/faults/*.t).
#
# Sources t/lib/tap.sh and t/lib/stack.sh, then adds:
#
#   fault_stack_up [--set K=V]...
#                               stack_up, plus this file's cleanup
#   now_ms                      wall clock in milliseconds
#   children_of PID             the children of PID, one per line
#   worker_pids                 the master's children (PRICKLE_MASTER_PID),
#                               one per line, sorted
#   count_workers               how many there are
#   wait_workers N MS           wait until the master has exactly N children;
#                               prints the milliseconds it took, false after MS
#   cpu_ticks PID               user+system CPU time of PID in clock ticks
#   pid_alive PID               running and not a zombie
#   make_fixture_user EMAIL SCOPES VAR
#                               a user with a personal API key (stored in
#                               VAR), used once so that later requests do not
#                               write last_used_at
#
#   load_start CLIENTS MAX SECS [PATH [KEY]]
#                               CLIENTS background loops of GET PATH (default
#                               /api/users/@me/) with "Authorization: Bearer
#                               KEY" (default $LOAD_KEY); each loop stops after
#                               MAX requests, SECS seconds or load_stop,
#                               whichever comes first.  Requests go in batches
#                               of LOAD_BATCH over one kept-alive connection
#                               to nginx (nginx opens one FastCGI connection
#                               per request).
#   load_stop                   ask the loops to stop and wait for them
#                               (bounded)
#   load_tally                  sets L_TOTAL, L_OK (200), L_FAIL, L_CODES
#                               ("200:812 502:1"), L_MAXTIME (slowest, s) and
#                               L_FAILED (one "CODE TIME BODYFILE" line each)
#   load_bodies CODE            the distinct bodies of the answers with CODE
#
#   db_restart_cmd              remembers mariadbd's command line (from /proc)
#   db_stop                     TERM to mariadbd, wait until it is gone
#   db_start                    start mariadbd again with that command line,
#                               record it in the stack's pid list so that
#                               ./stack stop stops it, wait until it answers
#   sql_bg FILE QUERY           run QUERY as root in a background client;
#                               its pid is SQL_BG_PID
#   wait_sql_state STATE SECS   wait until a server thread is in STATE
#                               (processlist), e.g. "Waiting for table
#                               metadata lock"
#   kill_sql_matching PATTERN   KILL every connection whose query matches
#                               the LIKE pattern (releases its locks)
#
# Everything is bounded: loops carry a count and a deadline, curl a
# --max-time, and stack.sh's watchdog ends the whole test after
# TEST_TIMEOUT seconds.  Processes started here are stopped by the EXIT
# trap (fault_cleanup, chained before stack.sh's own cleanup).

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

: "${LOAD_BATCH:=100}"
: "${LOAD_MAX_TIME:=30}"

LOAD_DIR=
LOAD_PIDS=()
LOAD_KEY=
DB_CMD=()
DB_PID=
SQL_BG_PIDS=()

# --- lifecycle ---------------------------------------------------------------

fault_cleanup() {
	local rc=$? pid
	[ -n "$LOAD_DIR" ] && : >"$LOAD_DIR/stop" 2>/dev/null
	for pid in "${LOAD_PIDS[@]}" "${SQL_BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${LOAD_PIDS[@]}" "${SQL_BG_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	LOAD_PIDS=()
	SQL_BG_PIDS=()
	# ./stack stop stops a restarted mariadbd too (it is recorded in the
	# stack's pid list); this is for the case where recording failed.
	(exit "$rc")
	_stack_cleanup
	if [ -n "$DB_PID" ] && pid_alive "$DB_PID"; then
		kill -TERM "$DB_PID" 2>/dev/null
		local i
		for i in $(seq 300); do
			pid_alive "$DB_PID" || break
			sleep 0.1
		done
	fi
}

# stack_up, then chain our cleanup in front of stack.sh's.
fault_stack_up() {
	stack_up "$@"
	trap fault_cleanup EXIT
	[ -n "${PRICKLE_MASTER_PID-}" ] || bail_out "env has no PRICKLE_MASTER_PID"
	[ -n "${PRICKLE_MYSQLD_PID-}" ] || bail_out "env has no PRICKLE_MYSQLD_PID"
	LOAD_DIR=$STACK_TMP/load
	mkdir -p "$LOAD_DIR" || bail_out "mkdir $LOAD_DIR"
}

# --- processes ---------------------------------------------------------------

now_ms() {
	date +%s%3N
}

pid_alive() {
	local stat
	kill -0 "$1" 2>/dev/null || return 1
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	stat=${stat##*) }
	[ "${stat:0:1}" != Z ]
}

# Children of PID: the kernel's list when it has one, else a /proc scan.
children_of() {
	local parent=$1 f stat rest
	local -a fields
	if [ -r "/proc/$parent/task/$parent/children" ]; then
		tr ' ' '\n' <"/proc/$parent/task/$parent/children" | sed '/^$/d'
		return
	fi
	for f in /proc/[0-9]*/stat; do
		{ read -r stat <"$f"; } 2>/dev/null || continue
		rest=${stat##*) }
		read -r -a fields <<<"$rest"
		if [ "${fields[1]:-}" = "$parent" ]; then
			f=${f#/proc/}
			printf '%s\n' "${f%/stat}"
		fi
	done
}

# Live (non-zombie) workers only: a reaped-late child is not a worker.
worker_pids() {
	local pid
	for pid in $(children_of "$PRICKLE_MASTER_PID"); do
		pid_alive "$pid" && printf '%s\n' "$pid"
	done | sort -n
}

count_workers() {
	worker_pids | wc -l
}

wait_workers() {
	local want=$1 limit=$2 start now
	start=$(now_ms)
	while :; do
		now=$(now_ms)
		if [ "$(count_workers)" -eq "$want" ]; then
			printf '%s\n' $((now - start))
			return 0
		fi
		if [ $((now - start)) -gt "$limit" ]; then
			printf '%s\n' $((now - start))
			return 1
		fi
		sleep 0.02
	done
}

cpu_ticks() {
	local stat rest
	local -a f
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || {
		echo 0
		return 1
	}
	rest=${stat##*) }
	read -r -a f <<<"$rest"
	# Fields 14 and 15 of stat (utime, stime); rest starts at field 3.
	echo $((f[11] + f[12]))
}

# --- fixture -------------------------------------------------------------------

make_fixture_user() {
	local email=$1 scopes=$2 var=$3 key
	cli_into _uuid user add --email "$email"
	cli_into key key add --email "$email" --scopes "$scopes"
	api_key "$key" GET /api/users/@me/
	[ "$STATUS" = 200 ] || bail_out "fixture: GET @me as $email gave $STATUS: $BODY"
	printf -v "$var" '%s' "$key"
}

# --- load ----------------------------------------------------------------------

# One loop: batches of GETs over a kept-alive connection; a line
# "CODE TIME BODYFILE" per request in $LOAD_DIR/c$ID.out.  Bodies of 200
# answers are deleted after each batch.
_load_client() {
	local id=$1 max=$2 deadline=$3 path=$4 key=$5
	local n=0 batch=0 b i out=$LOAD_DIR/c$id.out
	local -a args
	: >"$out"
	while [ ! -e "$LOAD_DIR/stop" ] && [ "$n" -lt "$max" ] &&
	    [ "$SECONDS" -lt "$deadline" ]; do
		batch=$((batch + 1))
		b=$((max - n < LOAD_BATCH ? max - n : LOAD_BATCH))
		args=()
		for ((i = 1; i <= b; i++)); do
			args+=(-o "$LOAD_DIR/b$id.$batch.$i" "$PRICKLE_URL$path")
		done
		curl -sS --globoff --connect-timeout 5 --max-time "$LOAD_MAX_TIME" \
		    --cacert "$PRICKLE_CA" -H "Authorization: Bearer $key" \
		    -w '%{http_code} %{time_total} %{filename_effective}\n' \
		    "${args[@]}" >"$LOAD_DIR/c$id.batch" 2>>"$LOAD_DIR/c$id.err"
		# A transfer curl could not even start prints no line: make
		# it a 000 line so that no request goes uncounted.
		for ((i = 1; i <= b; i++)); do
			printf '%s\n' "$LOAD_DIR/b$id.$batch.$i"
		done | awk -v f="$LOAD_DIR/c$id.batch" 'BEGIN {
			while ((getline l < f) > 0) { split(l, a, " "); seen[a[3]] = 1 }
			close(f)
		    } !($0 in seen) { print "000 0 " $0 }' >"$LOAD_DIR/c$id.missing"
		cat "$LOAD_DIR/c$id.missing" >>"$LOAD_DIR/c$id.batch"
		awk '$1 == 200 { print $3 }' "$LOAD_DIR/c$id.batch" | xargs -r rm -f
		cat "$LOAD_DIR/c$id.batch" >>"$out"
		n=$((n + b))
	done
}

load_start() {
	local clients=$1 max=$2 secs=$3 path=${4:-/api/users/@me/} key=${5:-$LOAD_KEY}
	local i deadline=$((SECONDS + secs))
	rm -f "$LOAD_DIR/stop" "$LOAD_DIR"/c*.out "$LOAD_DIR"/b*
	for ((i = 1; i <= clients; i++)); do
		_load_client "$i" "$max" "$deadline" "$path" "$key" </dev/null &
		LOAD_PIDS+=($!)
	done
}

load_stop() {
	local pid i
	: >"$LOAD_DIR/stop"
	# A batch is at most LOAD_BATCH requests of LOAD_MAX_TIME each.
	for i in $(seq $((LOAD_MAX_TIME * 10 + 100))); do
		local alive=0
		for pid in "${LOAD_PIDS[@]}"; do
			kill -0 "$pid" 2>/dev/null && alive=1
		done
		[ "$alive" = 0 ] && break
		sleep 0.1
	done
	for pid in "${LOAD_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	LOAD_PIDS=()
}

load_tally() {
	local all
	all=$(cat "$LOAD_DIR"/c*.out 2>/dev/null)
	L_TOTAL=$(printf '%s\n' "$all" | sed '/^$/d' | wc -l)
	L_OK=$(printf '%s\n' "$all" | awk '$1 == 200' | wc -l)
	L_FAIL=$((L_TOTAL - L_OK))
	L_CODES=$(printf '%s\n' "$all" | awk 'NF { n[$1]++ } END { for (c in n) printf "%s:%d ", c, n[c] }')
	L_MAXTIME=$(printf '%s\n' "$all" | awk 'NF && $2 > m { m = $2 } END { printf "%.3f", m + 0 }')
	L_FAILED=$(printf '%s\n' "$all" | awk 'NF && $1 != 200')
}

load_bodies() {
	local code=$1 f
	printf '%s\n' "$L_FAILED" | awk -v c="$code" '$1 == c { print $3 }' |
	    while read -r f; do
		    [ -f "$f" ] && { cat "$f"; echo; }
	    done | sort -u
}

# --- MariaDB -------------------------------------------------------------------

db_restart_cmd() {
	local exe
	exe=$(readlink "/proc/$PRICKLE_MYSQLD_PID/exe" 2>/dev/null) ||
	    bail_out "cannot read /proc/$PRICKLE_MYSQLD_PID/exe"
	[[ ${exe##*/} == mariadbd* || ${exe##*/} == mysqld* ]] ||
	    bail_out "PRICKLE_MYSQLD_PID $PRICKLE_MYSQLD_PID runs $exe"
	mapfile -d '' -t DB_CMD <"/proc/$PRICKLE_MYSQLD_PID/cmdline"
	[ "${#DB_CMD[@]}" -gt 1 ] || bail_out "empty mariadbd command line"
	DB_PID=$PRICKLE_MYSQLD_PID
}

db_stop() {
	local i
	kill -TERM "$DB_PID" 2>/dev/null || return 1
	for i in $(seq 600); do
		pid_alive "$DB_PID" || return 0
		sleep 0.05
	done
	return 1
}

db_ping() {
	timeout 5 mariadb-admin --defaults-file="$PRICKLE_DB_OPTFILE" \
	    --connect-timeout=2 ping >/dev/null 2>&1
}

db_start() {
	local i
	setsid "${DB_CMD[@]}" </dev/null >>"$PRICKLE_DIR/mysqld.log" 2>&1 &
	DB_PID=$!
	printf 'mysqld %s\n' "$DB_PID" >>"$PRICKLE_DIR/stack.pids"
	for i in $(seq 600); do
		db_ping && return 0
		pid_alive "$DB_PID" || return 1
		sleep 0.05
	done
	return 1
}

sql_bg() {
	local out=$1 query=$2
	timeout 120 mariadb --defaults-file="$PRICKLE_DB_OPTFILE" -N -B \
	    "$PRICKLE_DB_NAME" -e "$query" >"$out" 2>&1 </dev/null &
	SQL_BG_PID=$!
	SQL_BG_PIDS+=("$SQL_BG_PID")
}

wait_sql_state() {
	local state=$1 secs=$2 i n
	for i in $(seq $((secs * 10))); do
		n=$(sql "SELECT COUNT(*) FROM information_schema.processlist WHERE state = '$state'" 2>/dev/null)
		[ "${n:-0}" -gt 0 ] && return 0
		sleep 0.1
	done
	return 1
}

kill_sql_matching() {
	local pattern=$1 id
	for id in $(sql "SELECT id FROM information_schema.processlist WHERE info LIKE '$pattern' AND id <> CONNECTION_ID()"); do
		sql "KILL $id" >/dev/null 2>&1
	done
}
