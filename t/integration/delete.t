#!/usr/bin/env bash
# DELETE /api/users/:id/ (users-api.md §2.1, §3, §5.4): session only, CSRF,
# 409 while memberships exist, hard delete with everything the user owns,
# staff deleting another user.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up --set password.iterations=1000
. "$top_srcdir/t/lib/session.sh"

PW='correct horse battery staple'
for who in alice bob carol dave; do
	cli_into "ID_$who" user add --email "$who@example.com" --password-stdin <<<"$PW"
done
cli_into ID_sam user add --email sam@example.com --staff --password-stdin <<<"$PW"
cli_into ORG org add --name Acme
cli member add --org "$ORG" --email bob@example.com >/dev/null || bail_out "member add"
cli_into KEY_ALICE key add --email alice@example.com --scopes '*'
cli_into KEY_SAM key add --email sam@example.com --scopes '*'

ERR_CONFLICT='{"type":"server_error","code":"conflict","detail":"Cannot delete user with organization memberships.","attr":null}'

expect() {
	is "$STATUS" "$1" "$3: status"
	is "$BODY" "$2" "$3: body"
}
session_of() {	# session_of VAR EMAIL
	local jar
	jar=$(new_jar)
	login "$jar" "$2@example.com" "$PW"
	[ "$STATUS" = 200 ] || bail_out "login of $2 failed: $BODY"
	printf -v "$1" '%s' "$jar"
}
session_of ALICE alice
session_of ALICE2 alice
session_of BOB bob
session_of CAROL carol
session_of SAM sam

# Keys are not accepted at all: 401, not a scope error.
api_key "$KEY_ALICE" DELETE /api/users/@me/
expect 401 "$ERR_NOT_AUTHENTICATED" "DELETE with a '*' key"
is "$(header WWW-Authenticate)" Session "DELETE with a key: WWW-Authenticate"
api_key "$KEY_SAM" DELETE "/api/users/$ID_carol/"
expect 401 "$ERR_NOT_AUTHENTICATED" "staff key DELETE of another user"
api DELETE /api/users/@me/
expect 401 "$ERR_NOT_AUTHENTICATED" "anonymous DELETE"

sapi_nocsrf "$ALICE" DELETE /api/users/@me/
is "$(jbody -r .detail)" "CSRF Failed: Referer checking failed - no Referer." "DELETE needs CSRF"

sapi "$BOB" DELETE /api/users/@me/
expect 409 "$ERR_CONFLICT" "a user with memberships cannot be deleted"
sapi "$BOB" GET /api/users/@me/
is "$STATUS" 200 "bob still exists after the 409"

sapi "$CAROL" DELETE "/api/users/$ID_alice/"
expect 403 "$ERR_ONLY_ME" "non-staff DELETE of another user"
sapi "$CAROL" DELETE "/api/users/$ID_carol/"
expect 403 "$ERR_ONLY_ME" "non-staff DELETE of their own uuid"
sapi "$SAM" DELETE /api/users/00000000-0000-0000-0000-000000000000/
expect 404 "$ERR_NOT_FOUND" "staff DELETE of an unknown uuid"
sapi "$SAM" DELETE /api/users/not-a-uuid/
expect 404 "$ERR_NOT_FOUND" "staff DELETE of a malformed uuid"
cli user deactivate --email dave@example.com >/dev/null || bail_out "deactivate"
sapi "$SAM" DELETE "/api/users/$ID_dave/"
expect 404 "$ERR_NOT_FOUND" "staff DELETE of an inactive user"
sapi "$SAM" DELETE "/api/users/$ID_bob/"
expect 409 "$ERR_CONFLICT" "staff DELETE of a user with memberships"

# Alice owns a key, a TOTP device, backup codes and two sessions.
sapi "$ALICE" GET /api/users/@me/two_factor_start_setup/
SECRET=$(jbody -r .secret)
sapi "$ALICE" POST /api/users/@me/two_factor_validate/ -H 'Content-Type: application/json' \
    --data-binary "{\"token\":\"$(totp "$SECRET")\"}"
is "$STATUS" 200 "alice enables 2FA"
sapi "$ALICE" POST /api/users/@me/two_factor_backup_codes/
is "$STATUS" 200 "alice makes backup codes"
AID=$(sql "SELECT id FROM users WHERE email = 'alice@example.com'")

sapi "$ALICE" DELETE /api/users/@me/
is "$STATUS" 204 "DELETE @me: 204"
is "$BODY" "" "DELETE: empty body"
is "$CTYPE" "" "DELETE: no Content-Type"
sapi "$ALICE" GET /api/users/@me/
expect 401 "$ERR_NOT_AUTHENTICATED" "the deleting session is gone"
sapi "$ALICE2" GET /api/users/@me/
expect 401 "$ERR_NOT_AUTHENTICATED" "the user's other session is gone"
api_key "$KEY_ALICE" GET /api/users/@me/
expect 401 "$(err_key_invalid "Authorization header")" "the user's key is gone"
is "$(sql "SELECT (SELECT COUNT(*) FROM users WHERE id = $AID) + (SELECT COUNT(*) FROM personal_api_keys WHERE user_id = $AID) + (SELECT COUNT(*) FROM totp_devices WHERE user_id = $AID) + (SELECT COUNT(*) FROM otp_static_tokens WHERE user_id = $AID) + (SELECT COUNT(*) FROM sessions WHERE user_id = $AID)")" 0 \
    "user, keys, TOTP device, backup codes and sessions are all deleted"
login "$(new_jar)" alice@example.com "$PW"
is "$(jbody -r .code)" invalid_credentials "the deleted user cannot log in"
cli_into NEW_ALICE user add --email alice@example.com
pass "the email is free again"

sapi "$SAM" DELETE "/api/users/${ID_carol^^}"
is "$STATUS" 204 "staff deletes another user (upper-case uuid, no slash)"
sapi "$CAROL" GET /api/users/@me/
expect 401 "$ERR_NOT_AUTHENTICATED" "the deleted user's session is gone"
sapi "$SAM" GET "/api/users/$ID_carol/"
expect 404 "$ERR_NOT_FOUND" "the deleted user is not found"
sapi "$SAM" GET /api/users/@me/
is "$STATUS" 200 "the staff session is unaffected"

done_testing
