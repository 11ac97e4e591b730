#!/usr/bin/env bash
# Personal API keys: where they are read, validation, scopes, last_used_at
# (users-api.md §1.5, §2.1, §2.3, §2.4, §2.5).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up

cli_into ALICE user add --email alice@example.com
cli_into BOB user add --email bob@example.com
cli_into GONE user add --email gone@example.com

cli_into K_RW key add --email alice@example.com --scopes 'user:read,user:write' --label rw
cli_into K_READ key add --email alice@example.com --scopes 'user:read' --label read
cli_into K_WRITE key add --email alice@example.com --scopes 'user:write' --label write
cli_into K_STAR key add --email alice@example.com --scopes '*' --label star
cli_into K_NONE key add --email alice@example.com --scopes '' --label none
cli_into K_FLAG key add --email alice@example.com --scopes 'feature_flag:read' --label flag
cli_into K_MIXED key add --email alice@example.com --scopes 'feature_flag:write,user:read' --label mixed
cli_into K_GONE key add --email gone@example.com --scopes '*'

ERR_HEADER=$(err_key_invalid "Authorization header")
ERR_BODY=$(err_key_invalid body)
ERR_QUERY=$(err_key_invalid "query string")
JSON=(-H 'Content-Type: application/json')

expect() {
	is "$STATUS" "$1" "$3: status"
	is "$BODY" "$2" "$3: body"
}

expect_me() {
	is "$STATUS" 200 "$2: status"
	is "$(jbody .email)" "\"$1\"" "$2: authenticates as $1"
}

# --- no credentials --------------------------------------------------------------
api GET /api/users/@me/
expect 401 "$ERR_NOT_AUTHENTICATED" "no credentials, GET /api/users/@me/"
is "$CTYPE" "application/json" "401: Content-Type application/json"
api GET /api/users/
expect 401 "$ERR_NOT_AUTHENTICATED" "no credentials, GET /api/users/"

# --- the three sources --------------------------------------------------------------
api_key "$K_RW" GET /api/users/@me/
expect_me alice@example.com "key in Authorization header"
api GET "/api/users/@me/?personal_api_key=$K_RW"
expect_me alice@example.com "key in query string"
api GET "/api/users/@me/?a=1&personal_api_key=$K_RW&b=2"
expect_me alice@example.com "key in query string among other parameters"

api_key phx_bogus GET /api/users/@me/
expect 401 "$ERR_HEADER" "unknown key in Authorization header"
api_key notevenphx GET /api/users/@me/
expect 401 "$ERR_HEADER" "token without phx_ prefix is still a personal key"
api GET "/api/users/@me/?personal_api_key=phx_bogus"
expect 401 "$ERR_QUERY" "unknown key in query string"
# The body is read on any method; POST /api/users/ needs no PATCH support.
api POST /api/users/ "${JSON[@]}" --data-binary '{"personal_api_key":"phx_bogus"}'
expect 401 "$ERR_BODY" "unknown key in JSON body"
api POST /api/users/ --data-urlencode personal_api_key=phx_bogus
expect 401 "$ERR_BODY" "unknown key in form body"
api POST /api/users/ "${JSON[@]}" --data-binary "{\"personal_api_key\":\"$K_RW\"}"
expect 403 "$ERR_NO_KEY_ACCESS" "valid key in JSON body authenticates (POST then refused)"
api POST /api/users/ --data-urlencode "personal_api_key=$K_RW"
expect 403 "$ERR_NO_KEY_ACCESS" "valid key in form body authenticates (POST then refused)"

# --- precedence: first candidate found wins, only it is tried ---------------------
api_key "$K_RW" GET "/api/users/@me/?personal_api_key=phx_bogus"
expect_me alice@example.com "valid header key wins over bad query key"
api_key phx_bogus GET "/api/users/@me/?personal_api_key=$K_RW"
expect 401 "$ERR_HEADER" "bad header key wins over valid query key"
api POST "/api/users/?personal_api_key=$K_RW" "${JSON[@]}" \
    --data-binary '{"personal_api_key":"phx_bogus"}'
expect 401 "$ERR_BODY" "bad body key wins over valid query key"
api POST "/api/users/?personal_api_key=phx_bogus" "${JSON[@]}" \
    --data-binary "{\"personal_api_key\":\"$K_RW\"}"
expect 403 "$ERR_NO_KEY_ACCESS" "valid body key wins over bad query key"
api_key phx_bogus POST /api/users/ "${JSON[@]}" \
    --data-binary "{\"personal_api_key\":\"$K_RW\"}"
expect 401 "$ERR_HEADER" "bad header key wins over valid body key"

# --- Authorization header parsing --------------------------------------------------
api GET /api/users/@me/ -H "Authorization: bearer $K_RW"
expect 401 "$ERR_NOT_AUTHENTICATED" "'bearer' (lower case) is not the Bearer scheme"
api GET /api/users/@me/ -H "Authorization: BEARER $K_RW"
expect 401 "$ERR_NOT_AUTHENTICATED" "'BEARER' is not the Bearer scheme"
api GET "/api/users/@me/?personal_api_key=$K_RW" -H "Authorization: bearer phx_bogus"
expect_me alice@example.com "an ignored 'bearer' header lets the query key through"
api GET /api/users/@me/ -H 'Authorization: Basic YWxpY2U6c2VjcmV0'
expect 401 "$ERR_NOT_AUTHENTICATED" "Basic credentials are ignored"
api GET "/api/users/@me/?personal_api_key=$K_RW" -H 'Authorization: Basic YWxpY2U6c2VjcmV0'
expect_me alice@example.com "Basic header is ignored, query key used"
api GET /api/users/@me/ -H "Authorization: Bearer   $K_RW   "
expect_me alice@example.com "token is trimmed (extra spaces)"
api GET /api/users/@me/ -H "Authorization: Bearer	$K_RW"
expect_me alice@example.com "tab between Bearer and the token"

# --- OAuth access tokens: the key authenticator steps aside ------------------------
api GET /api/users/@me/ -H 'Authorization: Bearer pha_definitelynotatoken'
is "$STATUS" 401 "unknown pha_ token: 401"
is "$(jbody .type)" '"authentication_error"' "unknown pha_ token: type authentication_error"
is "$(jbody 'keys_unsorted')" "$ERROR_FIELDS" "unknown pha_ token: error envelope"
isnt "$BODY" "$ERR_HEADER" "unknown pha_ token is not looked up as a personal key"
api GET "/api/users/@me/?personal_api_key=$K_RW" -H 'Authorization: Bearer pha_definitelynotatoken'
is "$STATUS" 401 "pha_ header: query key not consulted (401)"
is "$(jbody .type)" '"authentication_error"' "pha_ header with query key: type authentication_error"

# --- inactive users -----------------------------------------------------------------
api_key "$K_GONE" GET /api/users/@me/
expect_me gone@example.com "key of a still active user works"
cli user deactivate --email gone@example.com >/dev/null || bail_out "deactivate failed"
api_key "$K_GONE" GET /api/users/@me/
expect 401 "$ERR_HEADER" "key of an inactive user (header)"
api GET "/api/users/@me/?personal_api_key=$K_GONE"
expect 401 "$ERR_QUERY" "key of an inactive user (query string)"
api POST /api/users/ "${JSON[@]}" --data-binary "{\"personal_api_key\":\"$K_GONE\"}"
expect 401 "$ERR_BODY" "key of an inactive user (body)"

# --- scopes --------------------------------------------------------------------------
for k in K_READ K_WRITE K_RW K_STAR K_MIXED; do
	api_key "${!k}" GET /api/users/@me/
	is "$STATUS" 200 "$k: GET /api/users/@me/ allowed"
	api_key "${!k}" GET /api/users/
	is "$STATUS" 200 "$k: GET /api/users/ allowed"
done

for k in K_NONE K_FLAG; do
	api_key "${!k}" GET /api/users/@me/
	expect 403 "$(err_scope user:read)" "$k: GET /api/users/@me/ refused"
	api_key "${!k}" GET /api/users/
	expect 403 "$(err_scope user:read)" "$k: GET /api/users/ refused"
	api_key "${!k}" PATCH /api/users/@me/ "${JSON[@]}" --data-binary '{}'
	expect 403 "$(err_scope user:write)" "$k: PATCH /api/users/@me/ refused"
	api GET "/api/users/@me/?personal_api_key=${!k}"
	expect 403 "$(err_scope user:read)" "$k in query string: GET refused"
done

for k in K_READ K_MIXED; do
	api_key "${!k}" PATCH /api/users/@me/ "${JSON[@]}" --data-binary '{"first_name":"X"}'
	expect 403 "$(err_scope user:write)" "$k: PATCH /api/users/@me/ needs user:write"
	api_key "${!k}" PUT /api/users/@me/ "${JSON[@]}" --data-binary '{"first_name":"X"}'
	expect 403 "$(err_scope user:write)" "$k: PUT /api/users/@me/ needs user:write"
	# The scope check comes before target resolution (§2.5).
	api_key "${!k}" PATCH "/api/users/$BOB/" "${JSON[@]}" --data-binary '{"first_name":"X"}'
	expect 403 "$(err_scope user:write)" "$k: PATCH of another user is a scope error, not @me"
done
api_key "$K_READ" PATCH /api/users/@me/ -H 'Content-Type: text/plain' --data-binary 'hello'
expect 403 "$(err_scope user:write)" "scope error wins over an unsupported body"
is "$(sql "SELECT first_name FROM users WHERE uuid='$ALICE'")" "" \
    "refused PATCH changed nothing"

# The scope check runs before the handler: on another user's uuid a read-only
# key passes (then the non-staff rule answers), a scope-less key does not.
api_key "$K_READ" GET "/api/users/$BOB/"
expect 403 "$ERR_ONLY_ME" "K_READ: GET another user passes the scope check"
api_key "$K_NONE" GET "/api/users/$BOB/"
expect 403 "$(err_scope user:read)" "K_NONE: GET another user is a scope error first"

# --- a bogus session cookie does not hide a valid key ------------------------------------
api_key "$K_READ" GET /api/users/@me/ -H 'Cookie: sessionid=garbage'
expect_me alice@example.com "invalid session cookie falls through to the key"

# --- last_used_at (§2.3.3) ------------------------------------------------------------
# key_row KEY: SQL condition selecting the stored row of KEY.
key_row() {
	printf "secure_value = CONCAT('sha256\$', SHA2('%s', 256))" "$1"
}

cli_into K_FRESH key add --email bob@example.com --scopes 'user:read'
is "$(sql "SELECT last_used_at IS NULL FROM personal_api_keys WHERE $(key_row "$K_FRESH")")" 1 \
    "new key: last_used_at is NULL"
api_key "$K_FRESH" GET /api/users/@me/
expect_me bob@example.com "first use of the new key"
is "$(sql "SELECT last_used_at IS NOT NULL FROM personal_api_keys WHERE $(key_row "$K_FRESH")")" 1 \
    "after use: last_used_at is set"

# set_last_used SQL-EXPR: store a known last_used_at; prints it back.
set_last_used() {
	sql_do "UPDATE personal_api_keys SET last_used_at = $1 WHERE $(key_row "$K_FRESH")"
	sql "SELECT last_used_at FROM personal_api_keys WHERE $(key_row "$K_FRESH")"
}
last_used() {
	sql "SELECT last_used_at FROM personal_api_keys WHERE $(key_row "$K_FRESH")"
}

T=$(set_last_used 'UTC_TIMESTAMP(6) - INTERVAL 30 MINUTE')
api_key "$K_FRESH" GET /api/users/@me/
is "$(last_used)" "$T" "last_used_at 30 minutes old: not updated"

T=$(set_last_used 'UTC_TIMESTAMP(6) - INTERVAL 2 HOUR')
api_key "$K_FRESH" GET /api/users/@me/
isnt "$(last_used)" "$T" "last_used_at 2 hours old: updated"
is "$(sql "SELECT last_used_at > UTC_TIMESTAMP(6) - INTERVAL 1 HOUR FROM personal_api_keys WHERE $(key_row "$K_FRESH")")" 1 \
    "last_used_at 2 hours old: now recent"

T=$(set_last_used 'UTC_TIMESTAMP(6) + INTERVAL 1 DAY')
api_key "$K_FRESH" GET /api/users/@me/
is "$(last_used)" "$T" "last_used_at in the future: not updated"

# A refused request (missing scope) still authenticated the key.
cli_into K_FRESH2 key add --email bob@example.com --scopes ''
api_key "$K_FRESH2" GET /api/users/@me/
is "$STATUS" 403 "scope-less key: refused"
is "$(sql "SELECT last_used_at IS NOT NULL FROM personal_api_keys WHERE $(key_row "$K_FRESH2")")" 1 \
    "scope-less key: last_used_at set by authentication"

done_testing
