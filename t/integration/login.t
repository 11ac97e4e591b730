#!/usr/bin/env bash
# Session login and logout: cookies and their attributes, errors in order,
# inactive and unverified users, case-insensitive email, the per-address
# lockout, POST /api/logout and /logout (users-api.md §2.2, §2.7, §7).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up --set password.iterations=1000 --set auth.login_lockout_limit=3
. "$top_srcdir/t/lib/session.sh"

PW='correct horse battery staple'
cli_into ALICE user add --email Alice@Example.com --password-stdin <<<"$PW"
cli_into INACTIVE user add --email off@example.com --password-stdin <<<"$PW"
cli user deactivate --email off@example.com >/dev/null || bail_out "deactivate"
cli_into NOPW user add --email nopw@example.com
cli_into PENDING user add --email pending@example.com --password-stdin <<<"$PW"
sql_do "UPDATE users SET is_email_verified = 0 WHERE email = 'pending@example.com'"

JSON=(-H 'Content-Type: application/json')
ERR_CREDENTIALS='{"type":"validation_error","code":"invalid_credentials","detail":"Invalid email or password.","attr":null}'
ERR_LOCKED='{"type":"authentication_error","code":"too_many_failed_attempts","detail":"Too many failed login attempts. Please try again in 10 minutes.","attr":null}'

expect() {
	is "$STATUS" "$1" "$3: status"
	is "$BODY" "$2" "$3: body"
}

post_login() {
	api POST /api/login "${JSON[@]}" --data-binary "$1" "${@:2}"
}

# --- success: body and cookies ------------------------------------------------
JAR=$(new_jar)
login "$JAR" alice@example.com "$PW"
expect 200 '{"success":true}' "login with the right password"
is "$CTYPE" application/json "login: Content-Type"
SID=$(set_cookie_line sessionid)
like "$SID" '^sessionid=[a-z0-9]{32}; expires=[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax; Secure$' \
    "sessionid cookie: HttpOnly, 14 days, Path=/, SameSite=Lax, Secure"
CSRF=$(set_cookie_line posthog_csrftoken)
like "$CSRF" '^posthog_csrftoken=[A-Za-z0-9]{32}; expires=[^;]+ GMT; Max-Age=1209600; Path=/; SameSite=Lax; Secure$' \
    "posthog_csrftoken cookie: readable by scripts, 14 days, SameSite=Lax"
sapi "$JAR" GET /api/users/@me/
is "$STATUS" 200 "the session authenticates GET /api/users/@me/"
is "$(jbody -r .email)" Alice@Example.com "the session is Alice's"
like "$(jbody -r .sensitive_session_expires_at)" "$DATETIME_OFFSET_RE" \
    "a session request reports sensitive_session_expires_at"
is "$(sql "SELECT COUNT(*) FROM sessions WHERE key_hash = SHA2('$(jar_cookie "$JAR" sessionid)', 256)")" 1 \
    "only the SHA-256 of the session key is stored"
is "$(sql "SELECT COUNT(*) FROM sessions WHERE key_hash = '$(jar_cookie "$JAR" sessionid)'")" 0 \
    "the session key itself is not stored"

OLD_SID=$(jar_cookie "$JAR" sessionid)
OLD_CSRF=$(jar_cookie "$JAR" posthog_csrftoken)
sapi "$JAR" POST /api/login "${JSON[@]}" \
    --data-binary "$(jq -cn --arg p "$PW" '{email:"ALICE@example.COM",password:$p}')"
expect 200 '{"success":true}' "email matched case-insensitively (logged-in session, CSRF headers)"
isnt "$(jar_cookie "$JAR" sessionid)" "$OLD_SID" "a new login issues a new session key"
isnt "$(jar_cookie "$JAR" posthog_csrftoken)" "$OLD_CSRF" "a new login rotates the CSRF token"
api GET /api/users/@me/ -b "sessionid=$OLD_SID"
expect 401 "$ERR_NOT_AUTHENTICATED" "the replaced session key no longer works"

FORM=$(new_jar)
api POST /api/login -c "$FORM" --data-urlencode email=alice@example.com \
    --data-urlencode "password=$PW"
expect 200 '{"success":true}' "login with a form body"
api POST /api/login/ -H 'Content-Type: application/json' \
    --data-binary "$(jq -cn --arg p "  $PW  " '{email:"  alice@example.com ",password:$p}')"
expect 200 '{"success":true}' "trailing slash; email and password are trimmed"

# --- errors, in order ---------------------------------------------------------------
post_login '{}'
expect 400 '{"type":"validation_error","code":"required","detail":"This field is required.","attr":"email"}' \
    "no fields: email required first"
post_login '{"email":"alice@example.com"}'
expect 400 '{"type":"validation_error","code":"required","detail":"This field is required.","attr":"password"}' \
    "password missing"
post_login '{"email":"not-an-email","password":"x"}'
expect 400 '{"type":"validation_error","code":"invalid_input","detail":"Enter a valid email address.","attr":"email"}' \
    "bad email syntax"
post_login '{"email":"not-an-email"}'
expect 400 '{"type":"validation_error","code":"invalid_input","detail":"Enter a valid email address.","attr":"email"}' \
    "bad email wins over a missing password"
post_login '{"email":"","password":"x"}'
expect 400 '{"type":"validation_error","code":"blank","detail":"This field may not be blank.","attr":"email"}' \
    "blank email"
post_login '{"email":null,"password":"x"}'
expect 400 '{"type":"validation_error","code":"null","detail":"This field may not be null.","attr":"email"}' \
    "null email"
post_login '{"email":"alice@example.com","password":""}'
expect 400 '{"type":"validation_error","code":"blank","detail":"This field may not be blank.","attr":"password"}' \
    "blank password"
post_login '[1]'
expect 400 '{"type":"validation_error","code":"invalid_input","detail":"Invalid data. Expected a dictionary, but got list.","attr":null}' \
    "a list body"
post_login '{"email":'
is "$STATUS" 400 "malformed JSON: 400"
is "$(jbody -r .code)" parse_error "malformed JSON: parse_error"
api POST /api/login -H 'Content-Type: text/plain' --data-binary 'x'
is "$STATUS" 415 "text/plain body: 415"
api GET /api/login/
is "$STATUS" 405 "GET /api/login/: 405"
is "$(header Allow)" "POST" "GET /api/login/: Allow: POST"

# Failures count toward the lockout (limit 3); a success clears them.
post_login '{"email":"nobody@example.com","password":"x"}'
expect 400 "$ERR_CREDENTIALS" "unknown email"
post_login "$(jq -cn '{email:"alice@example.com",password:"wrong"}')"
expect 400 "$ERR_CREDENTIALS" "wrong password"
login "$(new_jar)" alice@example.com "$PW"
is "$STATUS" 200 "a success clears the failures"
post_login "$(jq -cn --arg p "$PW" '{email:"off@example.com",password:$p}')"
expect 400 "$ERR_CREDENTIALS" "inactive user with the right password"
post_login '{"email":"nopw@example.com","password":"anything"}'
expect 400 "$ERR_CREDENTIALS" "user without a usable password"
login "$(new_jar)" alice@example.com "$PW"
is "$STATUS" 200 "a success clears the failures again"
pending_mails() { grep -l '^To: pending@example.com' "$PRICKLE_MAILDIR"/*.eml 2>/dev/null | wc -l; }
post_login "$(jq -cn --arg p "$PW" '{email:"pending@example.com",password:$p}')"
expect 400 '{"type":"validation_error","code":"not_verified","detail":"Your account is awaiting verification. Please check your email for a verification link.","attr":null}' \
    "is_email_verified false with mail configured: not_verified"
is "$(pending_mails)" 1 "not_verified: a verification mail was sent"
sql_do "UPDATE users SET is_email_verified = NULL WHERE email = 'pending@example.com'"
login "$(new_jar)" pending@example.com "$PW"
is "$STATUS" 200 "is_email_verified null (legacy user) may log in"
is "$(pending_mails)" 2 "legacy user: the verification mail is sent again"
VTOKEN=$(grep -h -o 'verify_email/[0-9a-f-]*/[A-Za-z0-9]*' "$PRICKLE_MAILDIR"/*.eml | tail -n 1)
VUUID=$(cut -d/ -f2 <<<"$VTOKEN")
api POST /api/users/verify_email/ -H 'Content-Type: application/json' \
    --data-binary "$(jq -cn --arg u "$VUUID" --arg t "${VTOKEN##*/}" '{uuid: $u, token: $t}')"
is "$BODY" '{"success":true}' "the mailed token verifies the account"
is "$(sql "SELECT is_email_verified FROM users WHERE email = 'pending@example.com'")" 1 \
    "is_email_verified is now true"
login "$(new_jar)" pending@example.com "$PW"
is "$(pending_mails)" 2 "a verified user gets no further verification mail"

# --- lockout per client address ------------------------------------------------------
post_login '{"email":"alice@example.com","password":"wrong1"}'
expect 400 "$ERR_CREDENTIALS" "lockout: attempt 1"
post_login '{"email":"alice@example.com","password":"wrong2"}'
expect 400 "$ERR_CREDENTIALS" "lockout: attempt 2"
post_login '{"email":"alice@example.com","password":"wrong3"}'
expect 403 "$ERR_LOCKED" "lockout: attempt 3 reaches the limit"
login "$(new_jar)" alice@example.com "$PW"
expect 403 "$ERR_LOCKED" "locked out: even the right password is refused"
post_login '{}'
is "$STATUS" 400 "locked out: field errors still come first"
OTHER=$(new_jar)
login "$OTHER" alice@example.com "$PW" --interface 127.0.0.2
expect 200 '{"success":true}' "another client address is not locked out"
post_login '{"email":"alice@example.com","password":"wrong"}' \
    -H 'X-Forwarded-For: 10.9.8.7'
expect 403 "$ERR_LOCKED" "X-Forwarded-For does not escape the lockout"

# --- logout ------------------------------------------------------------------------
sapi "$OTHER" POST /api/logout --interface 127.0.0.2
is "$STATUS" 204 "POST /api/logout: 204"
is "$BODY" "" "POST /api/logout: empty body"
is "$CTYPE" "" "POST /api/logout: no Content-Type"
like "$(set_cookie_line sessionid)" '^sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax$' \
    "POST /api/logout expires the session cookie"
api GET /api/users/@me/ -b "$OTHER"
expect 401 "$ERR_NOT_AUTHENTICATED" "after logout the session is gone"
api POST /api/logout/
is "$STATUS" 204 "anonymous POST /api/logout/: 204"
is "$(set_cookie_line sessionid)" "" "anonymous logout sets no cookie"

L1=$(new_jar)
login "$L1" alice@example.com "$PW" --interface 127.0.0.2
sapi "$L1" POST /logout --interface 127.0.0.2
is "$STATUS" 302 "POST /logout: 302"
is "$(header Location)" /login "POST /logout: Location /login"
api GET /api/users/@me/ -b "$L1"
expect 401 "$ERR_NOT_AUTHENTICATED" "after /logout the session is gone"
api POST "/logout/?next=/settings/user-notifications"
is "$(header Location)" "/login?next=/settings/user-notifications" "a safe relative next is kept"
api POST "/logout?next=%2Fa%20b%3Fc%3Dd"
is "$(header Location)" "/login?next=/a%20b%3Fc%3Dd" "next is re-encoded"
api POST /logout --data-urlencode next=/insights
is "$(header Location)" "/login?next=/insights" "next from a form body"
for bad in 'https://evil.example/' '//evil.example/x' 'javascript:alert(1)' '/\evil.example'; do
	api POST /logout --get --data-urlencode "next=$bad"
	is "$(header Location)" /login "unsafe next dropped: $bad"
done
api GET /logout
is "$STATUS" 405 "GET /logout is not a logout"

done_testing
