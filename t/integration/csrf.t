#!/usr/bin/env bash
# CSRF for session-authenticated unsafe requests: every failure reason,
# masked tokens, form tokens, trusted origins; key and anonymous requests
# are never checked (users-api.md §2.1, §2.2.3).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/t/lib/tap.sh"
. "$top_srcdir/t/lib/stack.sh"

stack_require
stack_up --set password.iterations=1000 \
    --set 'csrf.trusted_origins=https://app.trusted.example https://*.wild.example'
. "$top_srcdir/t/lib/session.sh"

PW='correct horse battery staple'
cli_into ALICE user add --email alice@example.com --password-stdin <<<"$PW"
cli_into KEY key add --email alice@example.com --scopes '*'
JAR=$(new_jar)
login "$JAR" alice@example.com "$PW"
is "$STATUS" 200 "logged in"
SECRET=$(jar_cookie "$JAR" posthog_csrftoken)
SID=$(jar_cookie "$JAR" sessionid)

# A POST that reaches the handler answers 204 (logout), so each check ends
# the session; use a sessionless route instead: POST /api/users/ is 405 for
# a session that passes CSRF and 403 for one that does not.
csrf_err() {
	printf '{"type":"authentication_error","code":"permission_denied","detail":"CSRF Failed: %s","attr":null}' "$1"
}
# post_users [curl args...]: POST /api/users/ with the session cookie only.
post_users() {
	api POST /api/users/ -b "sessionid=$SID; posthog_csrftoken=$SECRET" "$@"
}
expect_csrf() {
	is "$STATUS" 403 "$2: 403"
	is "$BODY" "$(csrf_err "$1")" "$2: reason"
}
ORIGIN=$PRICKLE_URL
REF=(-H "Referer: $PRICKLE_URL/settings")

post_users -H "X-CSRFToken: $SECRET" "${REF[@]}"
is "$STATUS" 405 "session + right token + same-origin Referer: passes CSRF (405)"

# 1. Origin
post_users -H "X-CSRFToken: $SECRET" -H 'Origin: https://evil.example'
expect_csrf "Origin checking failed - https://evil.example does not match any trusted origins." "foreign Origin"
post_users -H "X-CSRFToken: $SECRET" -H "Origin: ${ORIGIN/https/http}"
expect_csrf "Origin checking failed - ${ORIGIN/https/http} does not match any trusted origins." "Origin with the wrong scheme"
post_users -H "X-CSRFToken: $SECRET" -H 'Origin: null'
expect_csrf "Origin checking failed - null does not match any trusted origins." "Origin null"
post_users -H "X-CSRFToken: $SECRET" -H "Origin: $ORIGIN"
is "$STATUS" 405 "own Origin passes without a Referer"
post_users -H "X-CSRFToken: $SECRET" -H 'Origin: https://app.trusted.example'
is "$STATUS" 405 "trusted Origin passes"
post_users -H "X-CSRFToken: $SECRET" -H 'Origin: https://a.wild.example'
is "$STATUS" 405 "wildcard-trusted Origin passes"
post_users -H "X-CSRFToken: $SECRET" -H 'Origin: https://evil.example' "${REF[@]}"
is "$STATUS" 403 "a bad Origin is not rescued by a good Referer"

# 2. Referer (https, no Origin)
post_users -H "X-CSRFToken: $SECRET"
expect_csrf "Referer checking failed - no Referer." "no Referer"
post_users -H "X-CSRFToken: $SECRET" -H 'Referer: not a url'
expect_csrf "Referer checking failed - Referer is malformed." "malformed Referer"
post_users -H "X-CSRFToken: $SECRET" -H "Referer: ${PRICKLE_URL/https/http}/x"
expect_csrf "Referer checking failed - Referer is insecure while host is secure." "http Referer"
post_users -H "X-CSRFToken: $SECRET" -H 'Referer: https://evil.example/page'
expect_csrf "Referer checking failed - https://evil.example/page does not match any trusted origins." "foreign Referer"
post_users -H "X-CSRFToken: $SECRET" -H 'Referer: https://app.trusted.example/x'
is "$STATUS" 405 "Referer from a trusted origin passes"
post_users -H "X-CSRFToken: $SECRET" -H 'Referer: https://deep.sub.wild.example/x'
is "$STATUS" 405 "Referer from a wildcard-trusted origin passes"

# 3. the cookie
api POST /api/users/ -b "sessionid=$SID" -H "X-CSRFToken: $SECRET" "${REF[@]}"
expect_csrf "CSRF cookie not set." "no CSRF cookie"
api POST /api/users/ -b "sessionid=$SID; posthog_csrftoken=abc" -H "X-CSRFToken: $SECRET" "${REF[@]}"
expect_csrf "CSRF cookie has incorrect length." "short CSRF cookie"
api POST /api/users/ -b "sessionid=$SID; posthog_csrftoken=${SECRET:0:31}!" -H "X-CSRFToken: $SECRET" "${REF[@]}"
expect_csrf "CSRF cookie has invalid characters." "CSRF cookie with a bad character"

# 4. the token
post_users "${REF[@]}"
expect_csrf "CSRF token missing." "no X-CSRFToken header"
post_users "${REF[@]}" -H 'X-CSRFToken: abc'
expect_csrf "CSRF token from the 'X-Csrftoken' HTTP header has incorrect length." "short token"
post_users "${REF[@]}" -H "X-CSRFToken: ${SECRET:0:31}-"
expect_csrf "CSRF token from the 'X-Csrftoken' HTTP header has invalid characters." "token with a bad character"
post_users "${REF[@]}" -H 'X-CSRFToken: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
expect_csrf "CSRF token from the 'X-Csrftoken' HTTP header incorrect." "wrong token"

MASKED=$(python3 - "$SECRET" <<'EOF'
import secrets, string, sys
chars = string.ascii_letters + string.digits
s = sys.argv[1]
mask = "".join(secrets.choice(chars) for _ in range(32))
print(mask + "".join(chars[(chars.index(a) + chars.index(b)) % 62] for a, b in zip(s, mask)))
EOF
)
post_users "${REF[@]}" -H "X-CSRFToken: $MASKED"
is "$STATUS" 405 "a masked (64-char) token passes"
post_users "${REF[@]}" -H "X-CSRFToken: ${MASKED:0:63}${MASKED:0:1}"
[[ ${MASKED:63:1} == "${MASKED:0:1}" ]] && skip 1 "random mask ended like it began" ||
    is "$STATUS" 403 "a masked token with one changed character fails"
post_users "${REF[@]}" --data-urlencode "csrfmiddlewaretoken=$SECRET"
is "$STATUS" 405 "csrfmiddlewaretoken form field passes"
post_users "${REF[@]}" --data-urlencode "csrfmiddlewaretoken=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" -H "X-CSRFToken: $SECRET"
expect_csrf "CSRF token from POST incorrect." "the form field is preferred to the header"
post_users "${REF[@]}" -H 'Content-Type: application/json' \
    --data-binary "{\"csrfmiddlewaretoken\":\"$SECRET\"}"
expect_csrf "CSRF token missing." "a JSON body's csrfmiddlewaretoken is not a form field"

# Other unsafe methods, and safe ones.
api PATCH /api/users/@me/ -b "sessionid=$SID; posthog_csrftoken=$SECRET" \
    -H 'Content-Type: application/json' --data-binary '{"first_name":"X"}' "${REF[@]}"
expect_csrf "CSRF token missing." "PATCH without a token"
api DELETE /api/users/@me/ -b "sessionid=$SID; posthog_csrftoken=$SECRET" "${REF[@]}"
expect_csrf "CSRF token missing." "DELETE without a token"
api GET /api/users/@me/ -b "sessionid=$SID"
is "$STATUS" 200 "GET is never CSRF-checked"
api OPTIONS /api/users/@me/ -b "sessionid=$SID"
is "$STATUS" 200 "OPTIONS is never CSRF-checked"

# Keys and anonymous requests are never checked; a session wins over a key.
api_key "$KEY" PATCH /api/users/@me/ -H 'Content-Type: application/json' \
    --data-binary '{"first_name":"Key"}'
is "$STATUS" 200 "key PATCH without any CSRF token: 200"
api_key "$KEY" PATCH /api/users/@me/ -b "posthog_csrftoken=$SECRET" \
    -H 'X-CSRFToken: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' -H 'Origin: https://evil.example' \
    -H 'Content-Type: application/json' --data-binary '{"first_name":"Key"}'
is "$STATUS" 200 "key PATCH with a bad token and a foreign Origin: 200"
api_key "$KEY" PATCH /api/users/@me/ -b "sessionid=$SID" \
    -H 'Content-Type: application/json' --data-binary '{"first_name":"Both"}'
expect_csrf "Referer checking failed - no Referer." "session + key: a session request, CSRF applies"
api_key "$KEY" PATCH /api/users/@me/ -b "sessionid=zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz" \
    -H 'Content-Type: application/json' --data-binary '{"first_name":"Key"}'
is "$STATUS" 200 "an invalid session cookie falls through to the key"
api POST /api/login -H 'Content-Type: application/json' \
    --data-binary '{"email":"alice@example.com","password":"wrong"}'
is "$(jbody -r .code)" invalid_credentials "anonymous POST /api/login is not CSRF-checked"
api POST /api/login -b "sessionid=$SID" -H 'Content-Type: application/json' \
    --data-binary '{"email":"alice@example.com","password":"wrong"}'
expect_csrf "Referer checking failed - no Referer." "POST /api/login with a valid session is CSRF-checked"
api POST /api/logout -b "sessionid=zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
is "$STATUS" 204 "logout with an unknown session cookie: anonymous, not checked"
api POST /api/logout -b "sessionid=$SID"
expect_csrf "Referer checking failed - no Referer." "logout of a valid session needs CSRF"

done_testing
