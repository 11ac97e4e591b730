#!/usr/bin/env bash
# Concurrent requests across workers: every one succeeds and gets its own
# user (no state leaks from one request into another on a reused worker).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

USERS=4
PER_USER=5		# 20 concurrent requests a round
ROUNDS=3

stack_require
stack_up --set pm.max_children=4 --set password.iterations=1000

declare -a KEYS EMAILS
for ((u = 0; u < USERS; u++)); do
	EMAILS[u]="user$u@example.com"
	cli_into _uuid user add --email "${EMAILS[u]}" --first-name "User$u"
	cli_into k key add --email "${EMAILS[u]}" --scopes user:read
	KEYS[u]=$k
done

# One round: USERS*PER_USER curls started together; each writes
# "CODE" and the body to files named after its user and number.
round() {
	local r=$1 u i pids=() dir=$STACK_TMP/round$r
	mkdir -p "$dir"
	for ((i = 0; i < PER_USER; i++)); do
		for ((u = 0; u < USERS; u++)); do
			curl -sS --connect-timeout 5 --max-time 20 --cacert "$PRICKLE_CA" \
			    -H "Authorization: Bearer ${KEYS[u]}" -o "$dir/$u.$i.body" \
			    -w '%{http_code}' "$PRICKLE_URL/api/users/@me/" \
			    >"$dir/$u.$i.code" 2>/dev/null &
			pids+=($!)
		done
	done
	for pid in "${pids[@]}"; do
		wait "$pid"
	done
}

for ((r = 1; r <= ROUNDS; r++)); do
	round $r
	dir=$STACK_TMP/round$r
	codes=$(cat "$dir"/*.code | fold -w 3 | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')
	is "$codes" "200:$((USERS * PER_USER)) " "round $r: $((USERS * PER_USER)) concurrent GET @me all 200"
	wrong=0
	for ((u = 0; u < USERS; u++)); do
		for ((i = 0; i < PER_USER; i++)); do
			got=$(jq -r '.email + " " + .first_name' "$dir/$u.$i.body" 2>/dev/null)
			[ "$got" = "${EMAILS[u]} User$u" ] || wrong=$((wrong + 1))
		done
	done
	is "$wrong" 0 "round $r: every answer is the requesting user's own object"
done

# Mixed: concurrent answers of different kinds do not bleed into each other.
dir=$STACK_TMP/mixed
mkdir -p "$dir"
pids=()
for ((i = 0; i < 5; i++)); do
	curl -sS --max-time 20 --cacert "$PRICKLE_CA" -o "$dir/anon.$i" -w '%{http_code}' \
	    "$PRICKLE_URL/api/users/@me/" >"$dir/anon.$i.code" 2>/dev/null &
	pids+=($!)
	curl -sS --max-time 20 --cacert "$PRICKLE_CA" -H "Authorization: Bearer phx_invalid$i" \
	    -o "$dir/bad.$i" -w '%{http_code}' "$PRICKLE_URL/api/users/@me/" \
	    >"$dir/bad.$i.code" 2>/dev/null &
	pids+=($!)
	curl -sS --max-time 20 --cacert "$PRICKLE_CA" -H "Authorization: Bearer ${KEYS[0]}" \
	    -o "$dir/ok.$i" -w '%{http_code}' "$PRICKLE_URL/api/users/@me/" \
	    >"$dir/ok.$i.code" 2>/dev/null &
	pids+=($!)
done
for pid in "${pids[@]}"; do
	wait "$pid"
done
good=0
for ((i = 0; i < 5; i++)); do
	[ "$(cat "$dir/anon.$i.code")" = 401 ] &&
	    [ "$(cat "$dir/anon.$i")" = "$ERR_NOT_AUTHENTICATED" ] &&
	    [ "$(cat "$dir/bad.$i.code")" = 401 ] &&
	    [ "$(cat "$dir/bad.$i")" = "$(err_key_invalid 'Authorization header')" ] &&
	    [ "$(cat "$dir/ok.$i.code")" = 200 ] &&
	    [ "$(jq -r .email "$dir/ok.$i")" = "${EMAILS[0]}" ] &&
	    good=$((good + 1))
done
is "$good" 5 "15 concurrent anonymous, bad-key and good-key requests: each gets its own answer"

done_testing
