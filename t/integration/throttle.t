#!/usr/bin/env bash
# The password throttle (users-api.md §2.7): non-GET /api/users requests
# whose body holds current_password, per user, shared by every worker.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up --set password.iterations=1000 --set auth.password_throttle_rate=3/5

cli_into ANN user add --email ann@example.com --password-stdin <<<'correct horse battery staple'
cli_into BEN user add --email ben@example.com
cli_into K_ANN key add --email ann@example.com --scopes 'user:write'
cli_into K_ANN2 key add --email ann@example.com --scopes 'user:write'
cli_into K_BEN key add --email ben@example.com --scopes 'user:write'

# cp KEY [JSON]: PATCH @me with current_password in the body.
CP_BODY='{"current_password":"whatever","first_name":"A"}'
cpw() {
	api_key "$1" PATCH /api/users/@me/ -H 'Content-Type: application/json' \
	    --data-binary "${2:-$CP_BODY}"
}
throttled_body() {
	local unit=seconds
	[ "$1" = 1 ] && unit=second
	printf '{"type":"throttled_error","code":"throttled","detail":"Request was throttled. Expected available in %s %s.","attr":null}' "$1" "$unit"
}

# --- the limit ------------------------------------------------------------------
for i in 1 2 3; do
	cpw "$K_ANN"
	is "$STATUS" 200 "request $i with current_password: allowed (successful ones count too)"
done
cpw "$K_ANN"
is "$STATUS" 429 "4th request within 5 s: 429"
WAIT=$(header Retry-After)
like "$WAIT" '^[1-5]$' "Retry-After is a whole number of seconds within the window"
is "$BODY" "$(throttled_body "$WAIT")" "429 body, exact (matching Retry-After)"
is "$CTYPE" application/json "429 is JSON"

# --- what is never throttled ------------------------------------------------------
api_key "$K_ANN" GET /api/users/@me/
is "$STATUS" 200 "GET is never throttled"
api_key "$K_ANN" GET /api/users/@me/ -X GET -H 'Content-Type: application/json' --data-binary '{"current_password":"x"}'
is "$STATUS" 200 "GET with current_password in a body: not throttled"
api_key "$K_ANN" PATCH /api/users/@me/ -H 'Content-Type: application/json' --data-binary '{"first_name":"B"}'
is "$STATUS" 200 "PATCH without current_password: not throttled"
api_key "$K_ANN" PATCH /api/users/@me/hedgehog_config/ -H 'Content-Type: application/json' \
    --data-binary '{"current_password":"x"}'
is "$STATUS" 200 "hedgehog_config is exempt"
cpw "$K_BEN"
is "$STATUS" 200 "another user has a separate budget"

# --- per user, not per key; refused requests are not counted -------------------------
cpw "$K_ANN2" '{"current_password":null}'
is "$STATUS" 429 "a second key of the same user is throttled too (any value counts)"
cpw "$K_ANN" '{"current_password":"x","theme_mode":"bad"}'
is "$STATUS" 429 "throttle before validation"
api_key "$K_ANN" PUT /api/users/@me/ -H 'Content-Type: application/json' --data-binary '{"current_password":"x"}'
is "$STATUS" 429 "PUT is throttled as well"
api_key "$K_ANN" POST /api/users/@me/ -H 'Content-Type: application/json' --data-binary '{"current_password":"x"}'
is "$STATUS" 403 "an unsupported method by key: the scope check comes first (403)"
api_key "$K_ANN" DELETE /api/users/ -H 'Content-Type: application/json' --data-binary '{"current_password":"x"}'
like "$STATUS" '^(403|429)$' "list route: refused (scope or throttle)"

# --- the window slides ----------------------------------------------------------------
sleep "$((WAIT + 1))"
cpw "$K_ANN"
is "$STATUS" 200 "after Retry-After seconds: allowed again"

# --- shared by the workers: concurrent requests never exceed the rate -----------------------
sleep 6
OUT=$STACK_TMP/par
PIDS=()
mkdir -p "$OUT"
for i in $(seq 1 8); do
	curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 --cacert "$PRICKLE_CA" \
	    -X PATCH -H "Authorization: Bearer $K_BEN" -H 'Content-Type: application/json' \
	    --data-binary '{"current_password":"p"}' "$PRICKLE_URL/api/users/@me/" >"$OUT/$i" &
	PIDS+=($!)
done
wait "${PIDS[@]}"
OKS=$(cat "$OUT"/* | grep -c '^200$')
TOO=$(cat "$OUT"/* | grep -c '^429$')
is "$OKS $TOO" "3 5" "8 concurrent requests over several workers: exactly 3 allowed, 5 throttled"

# --- state lives in the database -------------------------------------------------------
like "$(sql "SELECT COUNT(*) FROM throttle_keys WHERE scope = 'password'")" '^[1-9]' "throttle keys stored"
unlike "$(sql "SELECT GROUP_CONCAT(tkey) FROM throttle_keys")" 'whatever' "no request data in the keys"

done_testing
