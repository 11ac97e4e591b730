#!/usr/bin/env bash
# A password change through the API (users-api.md §2.2.1, §5.3.7): the
# session that made it stays valid (re-keyed, new sessionid cookie); every
# other session of that user ends; the user's keys keep working.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up --set password.iterations=1000
. "$top_srcdir/t/lib/session.sh"

OLD='correct horse battery staple'
NEW='NewSecurePassword123!'
cli_into ALICE user add --email alice@example.com --password-stdin <<<"$OLD"
cli_into BOB user add --email bob@example.com --password-stdin <<<"$OLD"
cli_into KEY key add --email alice@example.com --scopes 'user:read'
JSON=(-H 'Content-Type: application/json')

A1=$(new_jar)
A2=$(new_jar)
B=$(new_jar)
login "$A1" alice@example.com "$OLD"
is "$STATUS" 200 "first session of alice"
login "$A2" alice@example.com "$OLD"
is "$STATUS" 200 "second session of alice"
login "$B" bob@example.com "$OLD"
is "$STATUS" 200 "a session of bob"
BEFORE=$(jar_cookie "$A1" sessionid)

sapi "$A1" PATCH /api/users/@me/ "${JSON[@]}" --data-binary \
    "$(jq -cn --arg p "$NEW" --arg c "$OLD" '{password: $p, current_password: $c}')"
is "$STATUS" 200 "password changed through the session"
AFTER=$(jar_cookie "$A1" sessionid)
[ -n "$AFTER" ] && [ "$AFTER" != "$BEFORE" ]
ok $? "the session key was cycled (new sessionid cookie)"

sapi "$A1" GET /api/users/@me/
is "$STATUS" 200 "the session that changed the password stays valid"
is "$(jbody -r .email)" alice@example.com "and still is alice"
sapi "$A2" GET /api/users/@me/
is "$STATUS" 401 "the other session of alice ended"
is "$(jbody -r .code)" not_authenticated "with not_authenticated"
sapi "$B" GET /api/users/@me/
is "$STATUS" 200 "bob's session is unaffected"
api_key "$KEY" GET /api/users/@me/
is "$STATUS" 200 "alice's personal API key keeps working"
is "$(sql "SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = 'alice@example.com'")" 1 \
    "one session of alice is left in the database"

login "$A2" alice@example.com "$OLD"
is "$(jbody -r .code)" invalid_credentials "the old password no longer logs in"
login "$A2" alice@example.com "$NEW"
is "$STATUS" 200 "the new password logs in"

done_testing
