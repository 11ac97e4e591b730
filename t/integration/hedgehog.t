#!/usr/bin/env bash
# GET/PATCH /api/users/:id/hedgehog_config/ (users-api.md §5.5).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up --set password.iterations=1000 --set auth.password_throttle_rate=1/60

cli_into ANN user add --email ann@example.com
cli_into BEN user add --email ben@example.com
cli_into STAFF user add --email staff@example.com --staff
cli_into K_W key add --email ann@example.com --scopes 'user:write'
cli_into K_R key add --email ann@example.com --scopes 'user:read'
cli_into K_S key add --email staff@example.com --scopes '*'

hh() { api_key "$1" PATCH "$2" -H 'Content-Type: application/json' --data-binary "$3"; }
stored() { sql "SELECT hedgehog_config FROM users WHERE uuid = '$1'"; }

api_key "$K_R" GET /api/users/@me/hedgehog_config/
is "$STATUS $BODY" '200 {}' "GET unset config: {}"
is "$CTYPE" application/json "GET: JSON"
api_key "$K_R" GET /api/users/@me/hedgehog_config
is "$STATUS $BODY" '200 {}' "trailing slash optional"

hh "$K_W" /api/users/@me/hedgehog_config/ '{"color":"green","accessories":["hat"],"n":1.5}'
is "$STATUS $BODY" '200 {"color":"green","accessories":["hat"],"n":1.5}' "PATCH echoes the stored value"
api_key "$K_R" GET /api/users/@me/hedgehog_config/
is "$BODY" '{"color":"green","accessories":["hat"],"n":1.5}' "GET returns it"
hh "$K_W" /api/users/@me/hedgehog_config/ '{"skin":"dark"}'
is "$BODY" '{"skin":"dark"}' "PATCH replaces, no merge"
api_key "$K_R" GET /api/users/@me/
is "$(jbody .hedgehog_config)" '{"skin":"dark"}' "the user object shows it"

for v in '[1,2]' '"text"' '42' 'true'; do
	hh "$K_W" /api/users/@me/hedgehog_config/ "$v"
	is "$STATUS $BODY" "200 $v" "any JSON value stored: $v"
done
for v in '{}' '[]' '""' '0' 'false' '0.0'; do
	hh "$K_W" /api/users/@me/hedgehog_config/ "$v"
	api_key "$K_R" GET /api/users/@me/hedgehog_config/
	is "$STATUS $BODY" '200 {}' "falsy stored value $v reads as {}"
done
hh "$K_W" /api/users/@me/hedgehog_config/ 'null'
is "$STATUS $BODY" '200 null' "JSON null body stored as null"
is "$(stored "$ANN")" NULL "null stored as SQL NULL"
api_key "$K_W" PATCH /api/users/@me/hedgehog_config/
is "$STATUS $BODY" '200 {}' "empty body stores {}"
is "$(stored "$ANN")" '{}' "empty body: {} stored"
hh "$K_W" /api/users/@me/hedgehog_config/ '{"a":'
is "$STATUS $(jbody -r .code)" '400 parse_error' "malformed JSON: 400 parse_error"

# not throttled, even with current_password in the body (rate 1/60 here)
for i in 1 2 3; do
	hh "$K_W" /api/users/@me/hedgehog_config/ '{"current_password":"x"}'
	is "$STATUS" 200 "hedgehog_config with current_password #$i: not throttled"
done

# scopes, targets
hh "$K_R" /api/users/@me/hedgehog_config/ '{}'
is "$STATUS $BODY" "403 $(err_scope user:write)" "PATCH needs user:write"
api_key "$K_W" GET /api/users/@me/hedgehog_config/
is "$STATUS" 200 "GET with user:write (write implies read)"
api_key "$K_W" GET "/api/users/$BEN/hedgehog_config/"
is "$STATUS $BODY" "403 $ERR_ONLY_ME" "non-staff on another user: 403"
hh "$K_S" "/api/users/$BEN/hedgehog_config/" '{"by":"staff"}'
is "$STATUS $BODY" '200 {"by":"staff"}' "staff PATCH of another user"
is "$(stored "$BEN")" '{"by":"staff"}' "...stored on that user"
api_key "$K_S" GET /api/users/00000000-0000-0000-0000-000000000000/hedgehog_config/
is "$STATUS $BODY" "404 $ERR_NOT_FOUND" "staff, unknown uuid: 404"
api_key "$K_W" POST /api/users/@me/hedgehog_config/
is "$STATUS $(jbody -r .code)" "403 permission_denied" "POST by key: 403 (no scope for unsupported methods)"
api GET /api/users/@me/hedgehog_config/
is "$STATUS $BODY" "401 $ERR_NOT_AUTHENTICATED" "anonymous: 401"

done_testing
