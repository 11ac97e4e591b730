#!/usr/bin/env bash
# Routing, methods and response framing (users-api.md §1.1, §1.3, §2.4, §2.5, §11).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up

cli_into ALICE_UUID user add --email alice@example.com --first-name Alice
cli_into KEY key add --email alice@example.com --scopes 'user:read,user:write'
cli_into KEY_STAR key add --email alice@example.com --scopes '*'
cli_into KEY_NONE key add --email alice@example.com --scopes ''

# expect_error STATUS BODY DESC: check status, exact body and JSON content type.
expect_error() {
	is "$STATUS" "$1" "$3: status"
	is "$BODY" "$2" "$3: body"
	is "$CTYPE" "application/json" "$3: Content-Type"
}

# --- unknown /api/ paths: 404 before authentication (§1.1, §2.5 step 1) ----
for path in /api/nope/ /api/nope /api/users/@me/foo/ /api/users/@me/foo \
    /api/users/a.b/ /api/users/a.b /api/users/@me/two_factor_status/extra/ \
    /api/users/@me/hedgehog_config/x/ /api/userss/ /api/users/@me/foo/bar/; do
	api GET "$path"
	expect_error 404 "$ERR_ENDPOINT_NOT_FOUND" "anonymous GET $path"
done

api POST /api/users/@me/foo/
expect_error 404 "$ERR_ENDPOINT_NOT_FOUND" "anonymous POST /api/users/@me/foo/"
api DELETE /api/users/a.b/
expect_error 404 "$ERR_ENDPOINT_NOT_FOUND" "anonymous DELETE /api/users/a.b/"

# A route miss wins over credentials of any kind, good or bad.
api_key "$KEY" GET /api/users/@me/foo/
expect_error 404 "$ERR_ENDPOINT_NOT_FOUND" "GET /api/users/@me/foo/ with a valid key"
api_key phx_not_a_real_key GET /api/users/@me/foo/
expect_error 404 "$ERR_ENDPOINT_NOT_FOUND" "GET /api/users/@me/foo/ with an invalid key"
api_key "$KEY_NONE" GET /api/nope/
expect_error 404 "$ERR_ENDPOINT_NOT_FOUND" "GET /api/nope/ with a scope-less key"
api GET "/api/users/a.b/?personal_api_key=phx_bogus"
expect_error 404 "$ERR_ENDPOINT_NOT_FOUND" "GET /api/users/a.b/ with an invalid query key"

# --- trailing slash optional, no redirects (§1.1) ----------------------------
api_key "$KEY" GET /api/users/@me/
is "$STATUS" 200 "GET /api/users/@me/: 200"
ME_BODY=$BODY
api_key "$KEY" GET /api/users/@me
is "$STATUS" 200 "GET /api/users/@me: 200 (no redirect)"
is "$BODY" "$ME_BODY" "GET /api/users/@me and /api/users/@me/ answer the same body"
is "$(header Location)" "" "GET /api/users/@me: no Location header"

api_key "$KEY" GET /api/users/
is "$STATUS" 200 "GET /api/users/: 200"
LIST_BODY=$BODY
api_key "$KEY" GET /api/users
is "$STATUS" 200 "GET /api/users: 200 (no redirect)"
is "$(jbody '.results')" "$(BODY=$LIST_BODY jbody '.results')" \
    "GET /api/users and /api/users/ list the same results"

api_key "$KEY" GET "/api/users/$ALICE_UUID"
isnt "$STATUS" 404 "GET /api/users/<uuid> (no slash) is routed"
api GET /api/users
expect_error 401 "$ERR_NOT_AUTHENTICATED" "anonymous GET /api/users"
api GET /api/users/@me
expect_error 401 "$ERR_NOT_AUTHENTICATED" "anonymous GET /api/users/@me"

# Query strings do not affect routing.
api_key "$KEY" GET "/api/users/@me/?foo=bar&x=1.2"
is "$STATUS" 200 "GET /api/users/@me/?foo=bar: 200"
is "$BODY" "$ME_BODY" "unknown query parameters are ignored"

# --- response framing (§1.3) -------------------------------------------------
api_key "$KEY" GET /api/users/@me/
is "$CTYPE" "application/json" "200 response: Content-Type application/json"
is "$BODY" "$(jbody .)" "200 response body is compact JSON (no insignificant whitespace)"
is "${BODY: -1}" "}" "200 response body ends with '}' (no trailing newline)"

# --- unsupported methods (§2.4, §2.5) ----------------------------------------
# With a key, a method the route does not support is refused by the scope
# check (no required scope) before dispatch: 403, even for a '*' key.
for spec in "POST /api/users/" "POST /api/users" "PATCH /api/users/" \
    "PUT /api/users/" "DELETE /api/users/" "POST /api/users/@me/"; do
	set -- $spec
	api_key "$KEY" "$1" "$2" -H 'Content-Type: application/json' --data-binary '{}'
	expect_error 403 "$ERR_NO_KEY_ACCESS" "$1 $2 with a user:read,user:write key"
	api_key "$KEY_STAR" "$1" "$2" -H 'Content-Type: application/json' --data-binary '{}'
	expect_error 403 "$ERR_NO_KEY_ACCESS" "$1 $2 with a '*' key"
done
api_key "$KEY_NONE" POST /api/users/
expect_error 403 "$ERR_NO_KEY_ACCESS" "POST /api/users/ with a scope-less key"

# Anonymous: authentication comes first, so 401, not 405.
for spec in "POST /api/users/" "PUT /api/users/" "DELETE /api/users/" \
    "POST /api/users/@me/" "PATCH /api/users/@me/" "DELETE /api/users/@me/"; do
	set -- $spec
	api "$1" "$2"
	expect_error 401 "$ERR_NOT_AUTHENTICATED" "anonymous $1 $2"
done

# DELETE on the detail route accepts sessions only: a key is not even looked at.
api_key "$KEY" DELETE /api/users/@me/
expect_error 401 "$ERR_NOT_AUTHENTICATED" "DELETE /api/users/@me/ with a key"
api_key phx_not_a_real_key DELETE /api/users/@me/
expect_error 401 "$ERR_NOT_AUTHENTICATED" "DELETE /api/users/@me/ with an invalid key"
api DELETE "/api/users/@me/?personal_api_key=$KEY"
expect_error 401 "$ERR_NOT_AUTHENTICATED" "DELETE /api/users/@me/ with a query key"

# --- HEAD and OPTIONS (§11) ----------------------------------------------------
api_key "$KEY" HEAD /api/users/@me/
is "$STATUS" 200 "HEAD /api/users/@me/: 200"
is "$BODY" "" "HEAD /api/users/@me/: no body"
is "$CTYPE" "application/json" "HEAD /api/users/@me/: Content-Type application/json"
api_key "$KEY" HEAD /api/users/
is "$STATUS" 200 "HEAD /api/users/: 200"
is "$BODY" "" "HEAD /api/users/: no body"
api HEAD /api/users/@me/
is "$STATUS" 401 "anonymous HEAD /api/users/@me/: 401"
is "$BODY" "" "anonymous HEAD /api/users/@me/: no body"
api HEAD /api/users/@me/foo/
is "$STATUS" 404 "HEAD /api/users/@me/foo/: 404"
api_key "$KEY_NONE" HEAD /api/users/@me/
is "$STATUS" 403 "HEAD /api/users/@me/ with a scope-less key: 403"

api_key "$KEY" OPTIONS /api/users/
is "$STATUS" 200 "OPTIONS /api/users/ with a user:read key: 200"
is "$CTYPE" "application/json" "OPTIONS /api/users/: Content-Type application/json"
api_key "$KEY" OPTIONS /api/users/@me/
is "$STATUS" 200 "OPTIONS /api/users/@me/ with a user:read key: 200"
api_key "$KEY_NONE" OPTIONS /api/users/@me/
expect_error 403 "$(err_scope user:read)" "OPTIONS /api/users/@me/ with a scope-less key"
api OPTIONS /api/users/
expect_error 401 "$ERR_NOT_AUTHENTICATED" "anonymous OPTIONS /api/users/"

# --- the health check --------------------------------------------------------
for path in /_health /_health/; do
	api GET "$path"
	is "$STATUS" 200 "GET $path: 200 without credentials"
	is "$BODY" '{"status":"ok"}' "GET $path: status ok"
done
api POST /_health/
is "$STATUS" 405 "POST /_health/: 405"
is "$(jbody -r .code)" method_not_allowed "POST /_health/: method_not_allowed"

done_testing
